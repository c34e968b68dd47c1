#include "xgrad/train/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <ostream>
#include <set>

namespace xgrad {

namespace {

std::string location(const CsvTable& table, std::size_t row, std::size_t column) {
  return table.path + ", line " + std::to_string(table.row_lines[row]) + ", column " + std::to_string(column + 1) +
         " '" + table.header[column] + "'";
}

std::string category_name(const std::string& category) { return category.empty() ? "(missing)" : category; }

}  // namespace

bool is_missing(std::string_view cell) {
  std::string lower;
  for (char c : cell) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.empty() || lower == "na" || lower == "n/a" || lower == "nan" || lower == "null" || lower == "?";
}

std::size_t TableEncoding::width() const {
  std::size_t n = 0;
  for (const auto& c : columns) n += c.categorical ? c.categories.size() : 1;
  return n;
}

std::vector<std::string> TableEncoding::encoded_names() const {
  std::vector<std::string> names;
  for (const auto& c : columns) {
    if (!c.categorical) names.push_back(c.name);
    for (const auto& category : c.categories) names.push_back(c.name + "=" + category_name(category));
  }
  return names;
}

std::vector<std::string> TableEncoding::column_names() const {
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  return names;
}

std::string TableEncoding::summary() const {
  std::string encoded, imputed;
  for (const auto& c : columns) {
    if (c.categorical)
      encoded += (encoded.empty() ? "" : ", ") + c.name + " (" + std::to_string(c.categories.size()) + " categories)";
    if (c.missing > 0) {
      char mean[40];
      std::snprintf(mean, sizeof mean, "%.6g", c.mean);
      imputed += (imputed.empty() ? "" : ", ") + c.name + " (" + std::to_string(c.missing) + " cell" +
                 (c.missing == 1 ? "" : "s") + (c.categorical ? ", as a category" : std::string(", mean ") + mean) + ")";
    }
  }
  std::string out;
  if (!encoded.empty()) out += "one-hot encoded: " + encoded;
  if (!imputed.empty()) out += (out.empty() ? "" : "; ") + std::string("imputed: ") + imputed;
  return out;
}

void drop_columns(CsvTable& table, const std::vector<std::string>& names, const std::string& target) {
  for (const auto& name : names) {
    if (name == target) throw DataError(table.path + ": the target '" + target + "' cannot be ignored");
    const std::size_t c = column_index(table, name);
    table.header.erase(table.header.begin() + static_cast<std::ptrdiff_t>(c));
    for (auto& row : table.rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(c));
  }
}

std::size_t drop_rows_missing(CsvTable& table, const std::string& column) {
  const std::size_t c = column_index(table, column);
  std::size_t kept = 0;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (is_missing(table.rows[r][c])) continue;
    if (kept != r) {
      table.rows[kept] = std::move(table.rows[r]);
      table.row_lines[kept] = table.row_lines[r];
    }
    ++kept;
  }
  const std::size_t dropped = table.rows.size() - kept;
  table.rows.resize(kept);
  table.row_lines.resize(kept);
  if (kept == 0) throw DataError(table.path + ": every row's target '" + column + "' is missing");
  return dropped;
}

TableEncoding fit_encoding(const CsvTable& table, const std::string& target, const std::vector<std::size_t>& train_rows,
                           MissingPolicy missing) {
  const std::size_t target_column = column_index(table, target);
  TableEncoding encoding;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (c == target_column) continue;
    ColumnEncoding column;
    column.name = table.header[c];
    // The type is the whole column's (a text cell anywhere makes it categorical); the statistics are the training rows'.
    bool any_value = false;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const std::string& cell = table.rows[r][c];
      if (is_missing(cell)) {
        if (missing == MissingPolicy::error)
          throw DataError(location(table, r, c) + ": the cell is missing ('" + cell +
                          "'; --missing impute fills it from the training rows)");
        continue;
      }
      any_value = true;
      if (!cell_number(cell)) column.categorical = true;
    }
    if (!any_value)
      throw DataError(table.path + ": column " + std::to_string(c + 1) + " '" + column.name +
                      "' is missing in every row; leave it out with --ignore " + column.name);
    std::set<std::string> seen;
    double sum = 0;
    std::size_t counted = 0;
    for (std::size_t r : train_rows) {
      const std::string& cell = table.rows[r][c];
      if (is_missing(cell)) {
        ++column.missing;
        continue;
      }
      if (column.categorical) {
        seen.insert(cell);
      } else {
        sum += *cell_number(cell);
        ++counted;
      }
    }
    if (column.categorical) {
      if (seen.size() == train_rows.size() && train_rows.size() >= 10)
        throw DataError(table.path + ": column " + std::to_string(c + 1) + " '" + column.name +
                        "' holds a different text in every training row (an id?); leave it out with --ignore " +
                        column.name);
      column.categories.assign(seen.begin(), seen.end());
      if (column.missing > 0) column.categories.push_back("");
    } else {
      column.mean = counted ? sum / double(counted) : 0.0;  // a column missing in every training row: 0
      if (!std::isfinite(column.mean))
        throw DataError(table.path + ": column " + std::to_string(c + 1) + " '" + column.name +
                        "': the mean of its training rows overflows (its values are too large)");
    }
    encoding.columns.push_back(std::move(column));
  }
  if (encoding.columns.empty())
    throw DataError(table.path + ": there are no feature columns besides the target '" + target + "'");
  return encoding;
}

Tensor<double> apply_encoding(const CsvTable& table, const TableEncoding& encoding, const std::string& target,
                              std::ostream* warnings, MissingPolicy missing) {
  std::vector<std::size_t> file_columns;
  for (const auto& column : encoding.columns) {
    const auto it = std::find(table.header.begin(), table.header.end(), column.name);
    if (it == table.header.end())
      throw DataError(table.path + ": there is no column '" + column.name + "', a feature of the model");
    file_columns.push_back(static_cast<std::size_t>(it - table.header.begin()));
  }
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    if (name == target || std::find(file_columns.begin(), file_columns.end(), c) != file_columns.end() ||
        std::find(encoding.ignored.begin(), encoding.ignored.end(), name) != encoding.ignored.end())
      continue;
    throw DataError(table.path + ": column " + std::to_string(c + 1) + " '" + name + "' is not a feature of the model" +
                    (target.empty() ? "; if it holds the target, name it with --target" : ""));
  }
  Tensor<double> x = Tensor<double>::from_shape({table.rows.size(), encoding.width()});
  std::fill(x.begin(), x.end(), 0.0);
  std::set<std::pair<std::size_t, std::string>> warned;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    std::size_t out = 0;
    for (std::size_t k = 0; k < encoding.columns.size(); ++k) {
      const ColumnEncoding& column = encoding.columns[k];
      const std::string& cell = table.rows[r][file_columns[k]];
      const bool absent = is_missing(cell);
      if (absent && missing == MissingPolicy::error)
        throw DataError(location(table, r, file_columns[k]) + ": the cell is missing ('" + cell + "')");
      if (!column.categorical) {
        const std::optional<double> v = absent ? std::optional<double>(column.mean) : cell_number(cell);
        if (!v) throw DataError(location(table, r, file_columns[k]) + ": '" + cell + "' is not a number");
        x(r, out++) = *v;
        continue;
      }
      const std::string key = absent ? std::string() : cell;
      const auto it = std::find(column.categories.begin(), column.categories.end(), key);
      if (it != column.categories.end()) {
        x(r, out + static_cast<std::size_t>(it - column.categories.begin())) = 1.0;
      } else if (!absent && warnings && warned.emplace(k, cell).second) {
        *warnings << "warning: " << table.path << ": column '" << column.name << "' has the category '" << cell
                  << "', unseen in training; it encodes as all zeros\n";
      }
      out += column.categories.size();
    }
  }
  return x;
}

}  // namespace xgrad
