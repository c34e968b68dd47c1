#include "xgrad/train/csv.hpp"

#include <optional>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "file_io.hpp"

namespace xgrad {
namespace {

using detail::shorten;

std::string quoted(const std::string& text) { return "'" + shorten(text) + "'"; }

/// "'a', 'b', 'c'", cut after a few names.
std::string name_list(const std::vector<std::string>& names) {
  const std::size_t limit = 20;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i)
    out += (i ? ", " : "") + quoted(names[i]);
  if (names.size() > limit) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

/// Splits CSV text into records, one at a time, in a single linear pass.
class RecordReader {
 public:
  RecordReader(std::string_view text, const std::string& path, char delimiter)
      : text_(text), path_(path), delimiter_(delimiter) {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // UTF-8 byte order mark
  }

  /// Reads the next record into `fields`; false at the end of the text. Stops
  /// with a DataError as soon as a record has more than `max_fields` fields.
  bool next(std::vector<std::string>& fields, std::size_t max_fields) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    record_line_ = line_;
    blank_ = true;
    for (;;) {
      if (fields.size() == max_fields)
        throw DataError(path_ + ", line " + std::to_string(record_line_) + ": the row has more than " +
                        std::to_string(max_fields) + " fields, but the header has " +
                        std::to_string(max_fields) + " columns");
      fields.push_back(read_field(fields.size() + 1));
      if (!fields.back().empty()) blank_ = false;
      if (pos_ < text_.size() && text_[pos_] == delimiter_) {
        ++pos_;
        blank_ = false;
        continue;
      }
      end_line();
      return true;
    }
  }

  /// The line on which the last record started (1-based).
  std::size_t record_line() const { return record_line_; }
  /// Whether the last record was a blank line (nothing but spaces).
  bool blank() const { return blank_; }

 private:
  /// Spaces (and tabs, unless they delimit) around a field are not part of it.
  bool is_blank(char c) const { return c == ' ' || (c == '\t' && delimiter_ != '\t'); }

  /// Reads one field, quoted or not, leaving pos_ at the delimiter or line end after it.
  std::string read_field(std::size_t column) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == '"') return read_quoted_field(column);
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n' && text_[pos_] != '\r')
      ++pos_;
    std::size_t end = pos_;
    while (end > start && is_blank(text_[end - 1])) --end;
    return std::string(text_.substr(start, end - start));
  }

  std::string read_quoted_field(std::size_t column) {
    const std::size_t start_line = line_;
    blank_ = false;
    ++pos_;  // the opening quote
    std::string field;
    for (;;) {
      if (pos_ >= text_.size())
        throw DataError(path_ + ", line " + std::to_string(start_line) + ", column " +
                        std::to_string(column) + ": the quoted field is never closed");
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\n' || (c == '\r' && (pos_ >= text_.size() || text_[pos_] != '\n'))) ++line_;
      field += c;
    }
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n' && text_[pos_] != '\r')
      throw DataError(path_ + ", line " + std::to_string(line_) + ", column " +
                      std::to_string(column) + ": unexpected text after the closing quote");
    return field;
  }

  void skip_spaces() {
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  }

  /// Consumes a line end (\n, \r\n or \r), if any.
  void end_line() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }

  std::string_view text_;
  const std::string& path_;
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
  bool blank_ = false;
};

/// "iris.csv, line 3, column 2 'sepal_width'"
std::string cell_location(const CsvTable& table, std::size_t row, std::size_t column) {
  return table.path + ", line " + std::to_string(table.row_lines[row]) + ", column " +
         std::to_string(column + 1) + " " + quoted(table.header[column]);
}

/// The index of the column called `name`; a DataError listing the columns if there is none.
std::size_t find_column(const CsvTable& table, const std::string& name) {
  const auto it = std::find(table.header.begin(), table.header.end(), name);
  if (it == table.header.end())
    throw DataError(table.path + ": there is no column " + quoted(name) +
                    "; the columns are: " + name_list(table.header));
  return static_cast<std::size_t>(it - table.header.begin());
}

/// Parses a feature cell: a finite number, with nothing else in the cell.
double parse_number(const CsvTable& table, std::size_t row, std::size_t column) {
  const std::string& cell = table.rows[row][column];
  if (cell.empty()) throw DataError(cell_location(table, row, column) + ": the cell is empty");
  const char* first = cell.data();
  const char* last = cell.data() + cell.size();
  if (*first == '+') ++first;  // from_chars does not take a leading '+'
  double value = 0;
  const auto [end, error] = std::from_chars(first, last, value);
  if (error == std::errc::result_out_of_range)
    throw DataError(cell_location(table, row, column) + ": " + quoted(cell) + " is out of range");
  if (error != std::errc() || end != last)
    throw DataError(cell_location(table, row, column) + ": " + quoted(cell) + " is not a number");
  if (!std::isfinite(value))
    throw DataError(cell_location(table, row, column) + ": " + quoted(cell) +
                    " is not a finite number (NaN and infinity are not allowed)");
  return value;
}

/// Parses a whole cell as a decimal integer (optional sign); false if it is not one.
bool parse_integer(const std::string& text, std::int64_t& value) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  const auto [end, error] = std::from_chars(first, last, value);
  return first != last && error == std::errc() && end == last;
}

/// The rows × columns matrix of the given feature columns.
Tensor<double> parse_features(const CsvTable& table, const std::vector<std::size_t>& columns) {
  Tensor<double> features = Tensor<double>::from_shape({table.rows.size(), columns.size()});
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t f = 0; f < columns.size(); ++f)
      features(r, f) = parse_number(table, r, columns[f]);
  return features;
}

/// The target cell of a row, which must not be empty.
const std::string& target_cell(const CsvTable& table, std::size_t row, std::size_t column) {
  const std::string& cell = table.rows[row][column];
  if (cell.empty()) throw DataError(cell_location(table, row, column) + ": the class is empty");
  return cell;
}

template <class T>
std::vector<T> sorted_unique(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

/// The position of each of `values` in the sorted vector `classes` (which holds them all).
template <class T>
std::vector<std::int64_t> indices_in(const std::vector<T>& classes, const std::vector<T>& values) {
  std::vector<std::int64_t> indices;
  for (const auto& v : values)
    indices.push_back(std::lower_bound(classes.begin(), classes.end(), v) - classes.begin());
  return indices;
}

/// For a model: the file column of each of `feature_names`, in their order. The
/// file's columns other than `target` must be exactly these names.
std::vector<std::size_t> match_feature_columns(const CsvTable& table,
                                               const std::vector<std::string>& feature_names,
                                               const std::string& target) {
  const std::size_t target_column = target.empty() ? table.header.size() : find_column(table, target);
  std::vector<std::size_t> columns;
  for (const auto& name : feature_names) {
    const auto it = std::find(table.header.begin(), table.header.end(), name);
    if (it == table.header.end())
      throw DataError(table.path + ": there is no column " + quoted(name) +
                      ", a feature of the model; the file's columns are: " + name_list(table.header));
    columns.push_back(static_cast<std::size_t>(it - table.header.begin()));
  }
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (c == target_column || std::find(columns.begin(), columns.end(), c) != columns.end()) continue;
    throw DataError(table.path + ": column " + std::to_string(c + 1) + " " + quoted(table.header[c]) +
                    " is not a feature of the model (its features are: " + name_list(feature_names) +
                    ")" + (target.empty() ? "; if it holds the classes, name it as the target" : ""));
  }
  return columns;
}

}  // namespace

CsvTable read_csv_table(const std::string& path, char delimiter) {
  std::string text, error;
  if (!detail::read_whole_file(path, text, error)) throw DataError(error);
  return parse_csv_table(text, path, delimiter);
}

CsvTable parse_csv_table(std::string_view text, const std::string& path, char delimiter) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == ' ')
    throw std::invalid_argument(path + ": the delimiter cannot be a quote, a space or a line end");
  CsvTable table;
  table.path = path;
  RecordReader reader(text, path, delimiter);
  std::vector<std::string> fields;
  const std::size_t unlimited = std::numeric_limits<std::size_t>::max();
  const std::string required = "; a header row naming the columns is required";
  // Blank lines are skipped wherever they are, as pandas.read_csv does.
  bool any = false;
  while ((any = reader.next(table.header, unlimited)) && reader.blank()) {
  }
  if (!any) throw DataError(path + (text.empty() ? ": the file is empty" : ": the file has only blank lines") + required);
  const std::string header_line = path + ", line " + std::to_string(reader.record_line());

  std::unordered_map<std::string_view, std::size_t> seen;
  seen.reserve(table.header.size());
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    if (name.empty())
      throw DataError(header_line + ", column " + std::to_string(c + 1) + ": the column has no name");
    const auto [it, inserted] = seen.emplace(name, c);
    if (!inserted)
      throw DataError(header_line + ", column " + std::to_string(c + 1) + ": the column name " +
                      quoted(name) + " repeats column " + std::to_string(it->second + 1));
  }

  while (reader.next(fields, table.header.size())) {
    if (reader.blank()) continue;
    if (fields.size() != table.header.size())
      throw DataError(path + ", line " + std::to_string(reader.record_line()) + ": the row has " +
                      std::to_string(fields.size()) + " field" + (fields.size() == 1 ? "" : "s") +
                      ", but the header has " + std::to_string(table.header.size()) + " columns");
    table.rows.push_back(std::move(fields));
    table.row_lines.push_back(reader.record_line());
  }
  if (table.rows.empty()) throw DataError(path + ": the file has a header but no data rows");
  return table;
}

CsvDataset load_csv(const std::string& path, const std::string& target_column, char delimiter) {
  return dataset_from_table(read_csv_table(path, delimiter), target_column);
}

std::vector<std::int64_t> class_labels(const CsvTable& table, const std::string& target_column,
                                       std::vector<std::string>& class_names) {
  const std::size_t target = find_column(table, target_column);
  class_names.clear();
  // Integer classes sort numerically (and "07" is class 7); otherwise names sort as text.
  std::vector<std::int64_t> numbers(table.rows.size());
  bool all_integers = true;
  for (std::size_t r = 0; r < table.rows.size() && all_integers; ++r)
    all_integers = parse_integer(target_cell(table, r, target), numbers[r]);
  if (all_integers) {
    std::vector<std::int64_t> classes = sorted_unique(numbers);
    for (const auto c : classes) class_names.push_back(std::to_string(c));
    return indices_in(classes, numbers);
  } else {
    std::vector<std::string> cells;
    for (std::size_t r = 0; r < table.rows.size(); ++r) cells.push_back(target_cell(table, r, target));
    class_names = sorted_unique(cells);
    return indices_in(class_names, cells);
  }
}

CsvDataset dataset_from_table(const CsvTable& table, const std::string& target_column) {
  const std::string& path = table.path;
  const std::size_t target = find_column(table, target_column);
  CsvDataset data;
  std::vector<std::size_t> feature_columns;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (c == target) continue;
    feature_columns.push_back(c);
    data.feature_names.push_back(table.header[c]);
  }
  if (feature_columns.empty())
    throw DataError(path + ": there are no feature columns besides the target " + quoted(target_column));
  data.features = parse_features(table, feature_columns);

  data.labels = class_labels(table, target_column, data.class_names);
  return data;
}

Tensor<double> load_csv_features(const std::string& path, const std::vector<std::string>& feature_names,
                                 const std::string& target_column, char delimiter) {
  const CsvTable table = read_csv_table(path, delimiter);
  return parse_features(table, match_feature_columns(table, feature_names, target_column));
}

std::vector<std::int64_t> labels_for_classes(const CsvTable& table, const std::string& target_column,
                                             const std::vector<std::string>& class_names) {
  const std::size_t target = find_column(table, target_column);
  std::vector<std::int64_t> labels;
  std::unordered_map<std::string, std::int64_t> index;
  for (std::size_t i = 0; i < class_names.size(); ++i)
    index.emplace(class_names[i], static_cast<std::int64_t>(i));
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::string& cell = target_cell(table, r, target);
    auto it = index.find(cell);
    std::int64_t number = 0;
    if (it == index.end() && parse_integer(cell, number)) it = index.find(std::to_string(number));
    if (it == index.end())
      throw DataError(cell_location(table, r, target) + ": the class " + quoted(cell) +
                      " is not one of the model's classes (" + name_list(class_names) + ")");
    labels.push_back(it->second);
  }
  return labels;
}

CsvDataset load_csv_for_model(const std::string& path, const std::string& target_column,
                              const std::vector<std::string>& feature_names,
                              const std::vector<std::string>& class_names, char delimiter) {
  const CsvTable table = read_csv_table(path, delimiter);
  const std::vector<std::size_t> columns = match_feature_columns(table, feature_names, target_column);
  CsvDataset data;
  data.features = parse_features(table, columns);
  data.feature_names = feature_names;
  data.class_names = class_names;
  data.labels = labels_for_classes(table, target_column, class_names);
  return data;
}

std::optional<double> cell_number(const std::string& cell) {
  const char* first = cell.data();
  const char* last = cell.data() + cell.size();
  if (first != last && *first == '+') ++first;
  double value = 0;
  const auto [end, error] = std::from_chars(first, last, value);
  if (first == last || error != std::errc() || end != last || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::size_t column_index(const CsvTable& table, const std::string& name) {
  const auto it = std::find(table.header.begin(), table.header.end(), name);
  if (it == table.header.end()) {
    std::string names;
    for (const auto& h : table.header) names += (names.empty() ? "'" : ", '") + h + "'";
    throw DataError(table.path + ": there is no column '" + name + "'; the columns are: " + names);
  }
  return static_cast<std::size_t>(it - table.header.begin());
}

}  // namespace xgrad
