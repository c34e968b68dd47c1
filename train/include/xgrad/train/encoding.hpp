#pragma once
/// Turning a CSV table's feature columns into numbers, as fitted on the
/// training rows: numeric columns as they are (a missing cell takes the
/// training rows' mean), text columns one-hot encoded over the categories seen
/// in the training rows (sorted; a missing cell is its own category, last). A
/// category unseen at prediction time encodes as all zeros, with one warning
/// per column and value. Missing cells: empty, NA, N/A, NaN, null or ?, in
/// any case. Kept in the model file (ModelInfo::encoding).
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "xgrad/train/csv.hpp"

namespace xgrad {

enum class MissingPolicy { impute, error };

/// Whether a cell counts as missing (empty, NA, N/A, NaN, null, ?; any case).
bool is_missing(std::string_view cell);

struct ColumnEncoding {
  std::string name;
  bool categorical = false;
  double mean = 0;                      ///< numeric: the training rows' mean, which fills a missing cell
  std::vector<std::string> categories;  ///< categorical: one output each, in this order; "" is the missing category
  std::size_t missing = 0;              ///< missing cells in the training rows
};

struct TableEncoding {
  std::vector<ColumnEncoding> columns;  ///< the input columns, in file order
  std::vector<std::string> ignored;     ///< columns left out (--ignore); skipped when predicting
  bool empty() const { return columns.empty(); }
  std::size_t width() const;                     ///< the number of encoded features
  std::vector<std::string> encoded_names() const;  ///< "age", "color=red", "color=(missing)", ...
  std::vector<std::string> column_names() const;
  /// "encoded: color (3 categories); imputed: age (2 cells, mean 31.5)", or "" when nothing was.
  std::string summary() const;
};

/// Removes the named columns (DataError naming one that is absent, or the target).
void drop_columns(CsvTable& table, const std::vector<std::string>& names, const std::string& target);

/// Removes the rows whose `column` cell is missing; returns how many. DataError when none is left.
std::size_t drop_rows_missing(CsvTable& table, const std::string& column);

/// Fits the encoding of every column but the target on `train_rows`. DataError for
/// a column that is all missing, a text column with a different value in every
/// training row (an id: the message suggests --ignore), and, with
/// MissingPolicy::error, the first missing cell.
TableEncoding fit_encoding(const CsvTable& table, const std::string& target, const std::vector<std::size_t>& train_rows,
                           MissingPolicy missing = MissingPolicy::impute);

/// The encoded [rows, width()] features of every row. The table's columns other
/// than `target` (if not empty) and the ignored ones must be the encoding's
/// (any order); DataError naming the file and column otherwise, and naming the
/// cell for a numeric column's text. Unseen categories warn on `warnings` (if given).
Tensor<double> apply_encoding(const CsvTable& table, const TableEncoding& encoding, const std::string& target,
                              std::ostream* warnings = nullptr, MissingPolicy missing = MissingPolicy::impute);

}  // namespace xgrad
