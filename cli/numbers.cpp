#include "numbers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "command.hpp"

namespace xgrad::cli {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A short quote of a token for messages (a 1 MB token must not become a 1 MB message).
std::string quoted(std::string_view token) {
  if (token.size() > 40) return "'" + std::string(token.substr(0, 37)) + "...'";
  return "'" + std::string(token) + "'";
}

}  // namespace

namespace {

enum class Parsed { number, not_a_number, out_of_range };

template <class T>
const char* dtype_name() { return sizeof(T) == sizeof(float) ? "float32" : "float64"; }

template <class T>
Parsed parse_into(std::string_view text, T& value) {
  text = trim(text);
  const bool negative = !text.empty() && text.front() == '-';
  std::string_view body = text;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) body.remove_prefix(1);
  if (body.empty()) return Parsed::not_a_number;
  const std::string word = lower(body);
  if (word == "nan") {
    value = std::numeric_limits<T>::quiet_NaN();
    return Parsed::number;
  }
  if (word == "inf" || word == "infinity") {
    value = negative ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    return Parsed::number;
  }
  // from_chars also takes "nan(...)" and other spellings; only digits and a point may start a number here.
  if (!(std::isdigit(static_cast<unsigned char>(body.front())) || body.front() == '.')) return Parsed::not_a_number;
  const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (end != body.data() + body.size()) return Parsed::not_a_number;
  if (error == std::errc::result_out_of_range) {
    // Overflow is an error; underflow rounds to zero. strtold tells them apart.
    const long double wide = std::strtold(std::string(body).c_str(), nullptr);
    if (std::fabs(wide) > 1) return Parsed::out_of_range;
    value = T(0);
  } else if (error != std::errc()) {
    return Parsed::not_a_number;
  }
  if (negative) value = -value;
  return Parsed::number;
}

template <class T>
std::string why_not_a_number(std::string_view token, Parsed status) {
  if (trim(token).empty()) return "a number is missing";
  return quoted(trim(token)) + (status == Parsed::out_of_range ? std::string(" is beyond the range of ") + dtype_name<T>()
                                                               : std::string(" is not a number"));
}

}  // namespace

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  if (parse_into(text, value) != Parsed::number) return std::nullopt;
  return value;
}

template <class T>
std::vector<T> parse_number_list(std::string_view text, const std::string& source) {
  std::vector<T> numbers;
  std::size_t line = 1, column = 1, i = 0;
  bool number_since_comma = true;  // a leading comma or ",," leaves a hole
  auto where = [&](std::size_t l, std::size_t c) {
    return source + ", line " + std::to_string(l) + ", column " + std::to_string(c) + ": ";
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      column = 1;
      ++i;
    } else if (is_space(c)) {
      ++column;
      ++i;
    } else if (c == ',') {
      if (!number_since_comma) throw std::runtime_error(where(line, column) + "a number is missing before this comma");
      number_since_comma = false;
      ++column;
      ++i;
    } else {
      std::size_t end = i;
      while (end < text.size() && !is_space(text[end]) && text[end] != ',') ++end;
      const std::string_view token = text.substr(i, end - i);
      T value{};
      const Parsed status = parse_into(token, value);
      if (status != Parsed::number) throw std::runtime_error(where(line, column) + why_not_a_number<T>(token, status));
      numbers.push_back(value);
      number_since_comma = true;
      column += end - i;
      i = end;
    }
  }
  return numbers;
}

template <class T>
std::vector<T> parse_number_arguments(const std::vector<std::string>& values, const std::string& what) {
  std::vector<T> numbers;
  for (const std::string& value : values) {
    std::string_view rest = value;
    // One argument may hold several numbers separated by commas ("1,2,3").
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view token = rest.substr(0, comma);
      T number{};
      const Parsed status = parse_into(token, number);
      if (status != Parsed::number) throw UsageError(what + ": " + why_not_a_number<T>(token, status));
      numbers.push_back(number);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return numbers;
}

template <class T>
std::string format_number(T value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", std::numeric_limits<T>::max_digits10, static_cast<double>(value));
  return buffer;
}

NumberCheck finite_number() { return {"a finite number", [](double v) { return std::isfinite(v); }}; }
NumberCheck positive_number() { return {"a finite number > 0", [](double v) { return std::isfinite(v) && v > 0; }}; }

namespace {
CLI::Option* add_checked_number_option(CLI::App& app, const std::string& name, std::function<void(double)> store,
                                       const std::string& description, const NumberCheck& check) {
  auto* option = app.add_option_function<std::string>(
      name,
      [store, check, name](const std::string& text) {
        double parsed = 0;
        const Parsed status = parse_into(text, parsed);
        if (status != Parsed::number) throw CLI::ValidationError(name, why_not_a_number<double>(text, status));
        const std::optional<double> value = parsed;
        if (!check.accepts(*value))
          throw CLI::ValidationError(name, "must be " + check.requirement + ", got " + std::string(trim(text)));
        store(*value);
      },
      description);
  option->type_name("NUMBER");
  return option;
}
}  // namespace

CLI::Option* add_number_option(CLI::App& app, const std::string& name, double& value, const std::string& description,
                               const NumberCheck& check) {
  return add_checked_number_option(app, name, [&value](double v) { value = v; }, description, check);
}

CLI::Option* add_number_option(CLI::App& app, const std::string& name, std::optional<double>& value,
                               const std::string& description, const NumberCheck& check) {
  return add_checked_number_option(app, name, [&value](double v) { value = v; }, description, check);
}

CLI::Validator whole_number_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string_view digits = trim(text);
        if (!digits.empty() && digits.size() <= 19 && digits.find_first_not_of("0123456789") == std::string_view::npos)
          return {};
        return "must be a whole number >= 0, got " + std::string(digits);
      },
      "");
}

std::vector<std::string> protect_negative_numbers(int argc, const char* const* argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    const bool dash_then_non_digit = arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1]));
    if (dash_then_non_digit && parse_number<double>(arg)) arg.insert(arg.begin(), ' ');
  }
  return args;
}

template std::optional<float> parse_number<float>(std::string_view);
template std::optional<double> parse_number<double>(std::string_view);
template std::vector<float> parse_number_list<float>(std::string_view, const std::string&);
template std::vector<double> parse_number_list<double>(std::string_view, const std::string&);
template std::vector<float> parse_number_arguments<float>(const std::vector<std::string>&, const std::string&);
template std::vector<double> parse_number_arguments<double>(const std::vector<std::string>&, const std::string&);
std::string shortest_number(double value) {
  if (!std::isfinite(value)) return format_number(value);
  char buffer[64];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

template std::string format_number<float>(float);
template std::string format_number<double>(double);

CLI::Option* add_delimiter_option(CLI::App& app, char& value) {
  return app
      .add_option_function<std::string>(
          "--delimiter",
          [&value](const std::string& text) {
            value = text == "\\t" || text == "tab" ? '\t' : text[0];
          },
          "The CSV field delimiter: , (the default), ; or tab (\\t)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (text == "\\t" || text == "tab") return {};
            if (text.size() != 1) return "must be one character (, ; or tab), got '" + text + "'";
            if (text == "\"" || text == " " || text == "\n" || text == "\r")
              return "cannot be a quote, a space or a line end";
            return {};
          },
          "CHAR"));
}

}  // namespace xgrad::cli
