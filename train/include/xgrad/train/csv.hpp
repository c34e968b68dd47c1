#pragma once
/// Reading labelled tabular data from CSV files.
///
/// The format: a header row naming the columns, then one row per sample.
/// Fields may be double-quoted (RFC 4180: "" is a literal quote; quoted fields
/// may hold commas and line breaks). Spaces and tabs around a field are ignored.
/// A UTF-8 byte order mark and CRLF line ends are accepted; blank lines are
/// skipped wherever they are (as pandas.read_csv does). Feature cells must be finite numbers.
///
/// Every error is a DataError whose message names the file and, where it
/// applies, the line and the column (by number and header name).
#include <cstdint>
#include <stdexcept>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// A problem with the contents (or the existence) of an input data file.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A CSV file as text: the header and the cells of each row.
struct CsvTable {
  std::string path;                            ///< the file, as given (for messages)
  std::vector<std::string> header;             ///< column names, unique and non-empty
  std::vector<std::vector<std::string>> rows;  ///< each row has header.size() cells
  std::vector<std::size_t> row_lines;          ///< the 1-based line on which each row starts
};

/// Features and integer class labels read from a CSV file.
struct CsvDataset {
  Tensor<double> features;                 ///< [rows, feature_names.size()]
  std::vector<std::string> feature_names;  ///< the columns of `features`, in order
  std::vector<std::int64_t> labels;        ///< one per row, an index into class_names
  std::vector<std::string> class_names;    ///< sorted: numerically if all are integers, else lexicographically
};

/// Reads and checks the structure of a CSV file: header present, unique
/// non-empty column names, at least one row, every row as wide as the header.
/// `delimiter`: ',' (the default), ';' or '\t' (any character but a quote, a space or a line end).
CsvTable read_csv_table(const std::string& path, char delimiter = ',');

/// read_csv_table on text already in memory; `source` names it in messages
/// (the fuzzer's entry point).
CsvTable parse_csv_table(std::string_view text, const std::string& source, char delimiter = ',');

/// The dataset of a parsed table (what load_csv does after reading the file).
CsvDataset dataset_from_table(const CsvTable& table, const std::string& target_column);

/// The target column's classes (sorted as load_csv's; into `class_names`) and each row's label.
std::vector<std::int64_t> class_labels(const CsvTable& table, const std::string& target_column,
                                       std::vector<std::string>& class_names);

/// Each row's label as an index into a model's `class_names`; DataError naming
/// the cell for a class the model does not know.
std::vector<std::int64_t> labels_for_classes(const CsvTable& table, const std::string& target_column,
                                             const std::vector<std::string>& class_names);

/// Reads a training file: `target_column` holds the classes (names or
/// integers); every other column is a numeric feature, in file order.
/// Classes are sorted like scikit-learn's LabelEncoder (integers numerically,
/// names lexicographically) and labels index into them.
CsvDataset load_csv(const std::string& path, const std::string& target_column, char delimiter = ',');

/// Reads a file for an existing model, without labels: the columns other than
/// `target_column` (none when empty; it is skipped when given) must be exactly
/// `feature_names`, in any order. The result's columns follow `feature_names`.
Tensor<double> load_csv_features(const std::string& path,
                                 const std::vector<std::string>& feature_names,
                                 const std::string& target_column = "", char delimiter = ',');

/// Reads a labelled file for an existing model (e.g. to evaluate it): the
/// features as in load_csv_features, and the labels as indices into the
/// model's `class_names`; a class the model does not know is an error.
CsvDataset load_csv_for_model(const std::string& path, const std::string& target_column,
                              const std::vector<std::string>& feature_names,
                              const std::vector<std::string>& class_names, char delimiter = ',');

/// A whole cell as a finite number (an optional leading '+'); nothing otherwise.
std::optional<double> cell_number(const std::string& cell);
/// The index of a column by name; DataError naming the file and listing the columns.
std::size_t column_index(const CsvTable& table, const std::string& name);

}  // namespace xgrad
