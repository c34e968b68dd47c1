#include "pictures.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "command.hpp"
#include "process.hpp"

namespace xgrad::cli {

namespace fs = std::filesystem;

std::string picture_format(const std::string& option, const std::string& path) {
  const std::string format = extension_of(path);
  if (format != "svg" && format != "png") throw UsageError(option + " " + path + ": the extension must be .svg or .png");
  check_output_path(option, path);
  return format;
}

std::string gnuplot_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void draw_with_gnuplot(const std::string& path, const std::string& body, int width, int height,
                       const std::vector<std::pair<std::string, std::string>>& data_files) {
  const std::string format = extension_of(path);
  const std::string gnuplot = find_on_path("gnuplot");
  if (gnuplot.empty())
    throw std::runtime_error("gnuplot is not installed (or not on PATH); install it: sudo apt-get install gnuplot-nox");
  TemporaryDirectory temporary;
  for (const auto& [name, content] : data_files) {
    std::ofstream file(temporary.path() / name);
    file << content;
    if (!file.flush()) throw std::runtime_error("cannot write " + (temporary.path() / name).string());
  }
  write_atomically(fs::path(path), [&](const fs::path& partial) {
    std::ostringstream script;
    script << "set terminal " << (format == "png" ? "pngcairo" : "svg dynamic") << " size " << width << "," << height
           << " font 'Sans,11' background rgb 'white'\n"
           << "set output " << gnuplot_quoted(partial.string()) << "\n"
           << "cd " << gnuplot_quoted(temporary.path().string()) << "\n"
           << body << "\nunset output\n";
    const fs::path script_file = temporary.path() / "picture.gp";
    std::ofstream(script_file) << script.str();
    run_program({gnuplot, script_file.string()}, temporary.path() / "gnuplot.log", "gnuplot");
  });
}

namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

bool any_value(const History& h, std::optional<double> EpochStats::*field) {
  for (const auto& e : h.epochs)
    if (e.*field) return true;
  return false;
}

}  // namespace

void plot_history(const std::string& path, const History& history, const HistoryExtras& extras) {
  if (history.epochs.empty()) throw std::runtime_error("--plot-history: no epoch to draw");
  std::ostringstream data;
  bool accuracy = false;
  for (std::size_t i = 0; i < history.epochs.size(); ++i) {
    const EpochStats& e = history.epochs[i];
    accuracy = accuracy || std::isfinite(e.accuracy);
    data << i + 1 << ' ' << number(e.loss) << ' ' << number(e.val_loss.value_or(NAN)) << ' ' << number(e.accuracy) << ' '
         << number(e.val_accuracy.value_or(NAN)) << ' '
         << number(i < extras.learning_rate.size() ? extras.learning_rate[i] : NAN) << '\n';
  }
  const bool validation = any_value(history, &EpochStats::val_loss);
  const bool val_accuracy = any_value(history, &EpochStats::val_accuracy);
  bool lr_changes = false;
  for (std::size_t i = 1; i < extras.learning_rate.size(); ++i) lr_changes = lr_changes || extras.learning_rate[i] != extras.learning_rate[0];
  const int panels = (accuracy ? 2 : 1) + (lr_changes ? 1 : 0);

  std::ostringstream s;
  s << "set multiplot layout 1," << panels << " title 'Training history' noenhanced\n"
    << "set grid\nset xlabel 'epoch'\nset key top right box opaque noenhanced\nset xrange [1:"
    << std::max<std::size_t>(history.epochs.size(), 2) << "]\nset format y '%g'\n";
  if (extras.restored_epoch)  // early stopping restored this epoch's weights
    s << "set arrow 1 from " << *extras.restored_epoch << ", graph 0 to " << *extras.restored_epoch
      << ", graph 1 nohead dashtype 3 linewidth 2 linecolor rgb '#2ca02c'\n"
      << "set label 1 'weights restored (epoch " << *extras.restored_epoch << ")' at " << *extras.restored_epoch
      << ", graph 0.5 right offset -0.5,0 textcolor rgb '#2ca02c'\n";
  s << "set title 'Loss per epoch'\nset ylabel 'loss'\n"
    << "plot 'history.dat' using 1:2 with linespoints pointtype 7 pointsize 0.4 linewidth 2 linecolor rgb '#1f77b4' title 'training loss'";
  if (validation)
    s << ", \\\n     '' using 1:3 with linespoints pointtype 7 pointsize 0.4 linewidth 2 dashtype 2 linecolor rgb '#d62728' title 'validation loss'";
  s << "\n";
  if (accuracy) {
    s << "set title 'Accuracy per epoch'\nset ylabel 'accuracy (fraction of rows)'\nset key bottom right\n"
      << "plot 'history.dat' using 1:4 with linespoints pointtype 7 pointsize 0.4 linewidth 2 linecolor rgb '#1f77b4' title 'training accuracy'";
    if (val_accuracy)
      s << ", \\\n     '' using 1:5 with linespoints pointtype 7 pointsize 0.4 linewidth 2 dashtype 2 linecolor rgb '#d62728' title 'validation accuracy'";
    s << "\n";
  }
  if (lr_changes) {
    // A log scale when every rate is positive, with room above and below the steps.
    const auto [lo, hi] = std::minmax_element(extras.learning_rate.begin(), extras.learning_rate.end());
    s << "set title 'Learning rate per epoch'\nset ylabel 'learning rate'\nset key top right\n";
    if (extras.restored_epoch)  // below the steps, which mostly fall with the epochs
      s << "set label 1 at " << *extras.restored_epoch << ", graph 0.1\n";
    if (*lo > 0)
      s << "set logscale y\nset yrange [" << number(*lo / 2) << ":" << number(*hi * 2) << "]\n";
    else
      s << "set yrange [" << number(*lo) << ":" << number(*hi * 1.1) << "]\n";
    s << "plot 'history.dat' using 1:6 with steps linewidth 2 linecolor rgb '#9467bd' title 'learning rate'\nunset logscale y\n";
  }
  s << "unset multiplot\n";
  draw_with_gnuplot(path, s.str(), 400 * panels + 100, 440, {{"history.dat", data.str()}});
}

void plot_confusion(const std::string& path, const std::vector<std::int64_t>& actual,
                    const std::vector<std::int64_t>& predicted, const std::vector<std::string>& class_names,
                    const std::string& subtitle) {
  const std::size_t k = class_names.size();
  std::vector<std::size_t> counts(k * k, 0);
  for (std::size_t i = 0; i < actual.size() && i < predicted.size(); ++i)
    if (actual[i] >= 0 && predicted[i] >= 0 && std::size_t(actual[i]) < k && std::size_t(predicted[i]) < k)
      ++counts[std::size_t(actual[i]) * k + std::size_t(predicted[i])];
  std::size_t most = 1;
  for (auto c : counts) most = std::max(most, c);
  std::ostringstream data;
  for (std::size_t t = 0; t < k; ++t)
    for (std::size_t p = 0; p < k; ++p) data << p << ' ' << t << ' ' << counts[t * k + p] << '\n';
  std::string tics;
  std::size_t longest = 0;
  for (const auto& name : class_names) longest = std::max(longest, name.size());
  for (std::size_t c = 0; c < k; ++c) tics += (c ? ", " : "") + gnuplot_quoted(class_names[c]) + " " + std::to_string(c);
  std::ostringstream s;
  s << "set title " << gnuplot_quoted("Confusion matrix: " + subtitle) << " noenhanced\n"
    << "set xlabel 'predicted class'\nset ylabel 'true class'\nset cblabel 'rows'\n"
    << "set xtics (" << tics << ") noenhanced" << (k > 4 && longest > 2 ? " rotate by 45 right" : "") << "\n"
    << "set ytics (" << tics << ") noenhanced\n"
    << "set xrange [-0.5:" << k - 0.5 << "]\nset yrange [" << k - 0.5 << ":-0.5]\nset size ratio -1\n"
    << "set palette defined (0 '#ffffff', 1 '#1f4e9c')\nset cbrange [0:" << most << "]\nunset key\n"
    << "plot 'confusion.dat' using 1:2:3 with image title 'counts', \\\n"
    << "     '' using 1:2:($3 > " << most / 2.0 << " ? '' : sprintf('%d', $3)) with labels textcolor rgb '#000000' title 'counts (light cells)', \\\n"
    << "     '' using 1:2:($3 > " << most / 2.0 << " ? sprintf('%d', $3) : '') with labels textcolor rgb '#ffffff' title 'counts (dark cells)'\n";
  const std::string body = s.str();
  draw_with_gnuplot(path, body, 520 + 25 * int(k), 480 + 20 * int(k), {{"confusion.dat", data.str()}});
}

}  // namespace xgrad::cli
