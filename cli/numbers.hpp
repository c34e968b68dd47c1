#pragma once
// Numbers on the command line and on standard input: parsed strictly (a
// typo is an error, never a silent 0 or inf) and printed so they round-trip.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace xgrad::cli {

/// One number in T: decimal or scientific notation with an optional sign, or
/// nan, inf, infinity (any case, signed). Surrounding whitespace is ignored.
/// nullopt for anything else and for a value beyond T's range (an underflow
/// rounds to zero, as in strtod).
template <class T>
std::optional<T> parse_number(std::string_view text);

/// The numbers of `text`, separated by whitespace or commas. Throws
/// std::runtime_error "SOURCE, line L, column C: 'tok' is not a number" (or
/// "... a missing number between commas") for the first bad token.
template <class T>
std::vector<T> parse_number_list(std::string_view text, const std::string& source);

/// The numbers of command-line values, each of which may hold several separated
/// by commas; throws UsageError naming `what` and the bad value.
template <class T>
std::vector<T> parse_number_arguments(const std::vector<std::string>& values, const std::string& what);

/// The shortest text that reads back to the same T: 9 significant digits for
/// float, 17 for double; nan, inf and -inf as such.
template <class T>
std::string format_number(T value);

/// The shortest decimal that reads back as exactly `value` (0.2, not 0.20000000000000001).
std::string shortest_number(double value);

/// A condition on an option's value, with the words for its error message.
struct NumberCheck {
  std::string requirement;  ///< e.g. "a finite number > 0"
  std::function<bool(double)> accepts;
};
NumberCheck finite_number();
NumberCheck positive_number();

/// A floating-point option read with parse_number; a value that does not parse
/// or fails `check` is a usage error naming the option and the value.
CLI::Option* add_number_option(CLI::App& app, const std::string& name, double& value, const std::string& description,
                               const NumberCheck& check = finite_number());

/// An optional variant: `value` is set only when the option is given.
CLI::Option* add_number_option(CLI::App& app, const std::string& name, std::optional<double>& value,
                               const std::string& description, const NumberCheck& check = finite_number());

/// Accepts only digits: seeds and counts ("-1" is not silently 2^64 - 1).
CLI::Validator whole_number_check();

/// --delimiter: one character (',' by default, ';', or a tab given as "\t", "tab" or itself); anything else
/// is a usage error naming the option.
CLI::Option* add_delimiter_option(CLI::App& app, char& value);

/// CLI11 reads "-inf" or "-.5" as options; given a leading space they become
/// values (every number parser here skips it). Leaves everything after "--" alone.
std::vector<std::string> protect_negative_numbers(int argc, const char* const* argv);

}  // namespace xgrad::cli
