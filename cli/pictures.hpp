#pragma once
// Pictures of training drawn by gnuplot: the history, the confusion matrix,
// and decision regions. SVG or PNG by the file's extension; written atomically.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <xgrad.hpp>

namespace xgrad::cli {

/// "svg" or "png" from the file name; UsageError naming `option` otherwise.
std::string picture_format(const std::string& option, const std::string& path);

/// Runs gnuplot on `body` (everything after `set terminal` and `set output`)
/// and writes the picture to `path` atomically. Needs gnuplot on PATH.
void draw_with_gnuplot(const std::string& path, const std::string& body, int width, int height,
                       const std::vector<std::pair<std::string, std::string>>& data_files);

/// A gnuplot single-quoted string ('' stands for a quote inside).
std::string gnuplot_quoted(const std::string& text);

/// What the history picture draws besides the losses and the metric: the
/// learning rate per epoch (EpochStats::learning_rate; a panel of its own when
/// a schedule changes it) and the epoch whose weights early stopping restored.
/// Empty / nullopt: not drawn.
struct HistoryExtras {
  std::vector<double> learning_rate;  ///< one per epoch; a third panel when it changes
  std::optional<std::size_t> restored_epoch;  ///< 1-based; a marked vertical line
};

/// Training and validation loss per epoch, the metric (accuracy) for a classifier, the learning
/// rate when it changes, and a mark at the epoch early stopping restored.
void plot_history(const std::string& path, const History& history, const HistoryExtras& extras = {});

/// The confusion matrix of `predicted` against `actual` (class ids into `class_names`).
void plot_confusion(const std::string& path, const std::vector<std::int64_t>& actual,
                    const std::vector<std::int64_t>& predicted, const std::vector<std::string>& class_names,
                    const std::string& subtitle);

}  // namespace xgrad::cli
