// xgrad plot FUNCTION ...: one picture per function with f and f' (by
// autograd), drawn by gnuplot. Each picture is written to a temporary file and
// renamed into place, so a failure never leaves a partial picture behind.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "functions.hpp"
#include "numbers.hpp"
#include "process.hpp"

namespace xgrad::cli {

namespace {

namespace fs = std::filesystem;

struct PlotOptions {
  std::vector<std::string> functions;
  std::string out = ".", range = "-5:5", format = "svg";
  FunctionParameters parameters;
  int order = 1;
};

struct Range {
  double low = -5, high = 5;
};

Range parse_range(const std::string& text) {
  const std::size_t colon = text.find(':');
  const auto low = colon == std::string::npos ? std::nullopt : parse_number<double>(text.substr(0, colon));
  const auto high = colon == std::string::npos ? std::nullopt : parse_number<double>(text.substr(colon + 1));
  if (!low || !high) throw UsageError("--range: '" + text + "' is not LOW:HIGH (e.g. -5:5)");
  if (!(std::isfinite(*low) && std::isfinite(*high) && *low < *high && std::isfinite(*high - *low)))
    throw UsageError("--range: '" + text + "' must be finite numbers with LOW < HIGH");
  return {*low, *high};
}

/// Where a curve steps: the change from sample i - 1 to i is large (over 2% of
/// the curve's range) and more than 20 times the changes on either side, as at
/// 0 for relu's derivative; a smooth steep curve changes gradually.
std::vector<bool> jumps(const Tensor<double>& v) {
  const std::size_t n = v.size();
  std::vector<bool> out(n, false);
  double low = INFINITY, high = -INFINITY;
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(v(i))) low = std::min(low, v(i)), high = std::max(high, v(i));
  if (!(high > low)) return out;
  auto change = [&](std::size_t i) {
    const double d = std::fabs(v(i) - v(i - 1));
    return std::isfinite(d) ? d : 0.0;
  };
  for (std::size_t i = 1; i < n; ++i) {
    const double d = change(i);
    const double before = i >= 2 ? change(i - 1) : 0.0, after = i + 1 < n ? change(i + 1) : 0.0;
    out[i] = d > 0.02 * (high - low) && d > 20 * std::max(before, after);
  }
  return out;
}

/// f and f' at evenly spaced points. softmax, log_softmax, softmin and glu
/// are not elementwise: they are drawn as the first component of f([x, 0]).
void write_samples(const std::string& name, const FunctionParameters& parameters, const Range& range, int order,
                   const fs::path& file) {
  const std::size_t points = 1001;
  Tensor<double> x = Tensor<double>::from_shape({points});
  for (std::size_t i = 0; i < points; ++i) x(i) = range.low + (range.high - range.low) * double(i) / double(points - 1);
  Tensor<double> y = Tensor<double>::from_shape({points}), dy = Tensor<double>::from_shape({points});
  Tensor<double> d2y = Tensor<double>::from_shape({points});
  if (is_vector_function(name)) {
    for (std::size_t i = 0; i < points; ++i) {
      const Tensor<double> upstream = name == "glu" ? Tensor<double>{1.0} : Tensor<double>{1.0, 0.0};  // y's shape
      const FunctionValues<double> v = evaluate_function<double>(name, parameters, Tensor<double>{x(i), 0.0}, upstream, order);
      y(i) = v.y(0);
      dy(i) = v.grad(0);
      if (order == 2) d2y(i) = v.grad2(0);
    }
  } else {
    const FunctionValues<double> v = evaluate_function<double>(name, parameters, x, xt::ones<double>({points}), order);
    y = v.y;
    dy = v.grad;
    if (order == 2) d2y = v.grad2;
  }
  // Two blocks (index 0: f, index 1: f'); a blank line inside a block breaks
  // the curve, so a step is drawn as a step, not joined by a vertical segment.
  std::ofstream data(file);
  auto number = [](double v) { return std::isfinite(v) ? format_number(v) : std::string("NaN"); };
  std::vector<const Tensor<double>*> curves{&y, &dy};
  if (order == 2) curves.push_back(&d2y);  // index 2: f''
  for (const Tensor<double>* values : curves) {
    const std::vector<bool> breaks = jumps(*values);
    for (std::size_t i = 0; i < points; ++i) {
      if (breaks[i]) data << '\n';
      data << number(x(i)) << ' ' << number((*values)(i)) << '\n';
    }
    data << "\n\n";
  }
  if (!data.flush()) throw std::runtime_error("cannot write " + file.string());
}


/// Every number of `text` in its shortest form that reads back the same double
/// ("alpha = 0.20000000000000001" -> "alpha = 0.2").
std::string shortest_numbers(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const bool starts = std::isdigit(static_cast<unsigned char>(text[i])) &&
                        (i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_'));
    if (!starts) {
      out += text[i++];
      continue;
    }
    char* end = nullptr;
    const double value = std::strtod(text.c_str() + i, &end);
    const std::size_t length = static_cast<std::size_t>(end - (text.c_str() + i));
    out += shortest_number(value);
    i += length;
  }
  return out;
}

/// A gnuplot single-quoted string ('' stands for a quote inside).
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// A gnuplot double-quoted string (for text with two quotes in a row, as f'', which a single-quoted one cannot hold).
std::string double_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string script(const std::string& name, const FunctionParameters& parameters, const Range& range, int order,
                   const std::string& format, const fs::path& data, const fs::path& picture) {
  const std::string f = is_vector_function(name) ? name + "([x, 0])[0]" : name + "(x)";
  std::ostringstream s;
  s << "set terminal " << (format == "png" ? "pngcairo" : "svg dynamic") << " size 800,500 font 'Sans,12' background rgb 'white'\n"
    << "set output " << quoted(picture.string()) << "\n"
    << "set title " << double_quoted(shortest_numbers(describe_function(name, parameters)) + (order == 2 ? ": f, f' and f'' (by autograd)" : ": f and its derivative f' (by autograd)"))
    << " noenhanced\n"
    << "set xlabel 'x (the input)'\nset ylabel 'f(x) and f''(x)'\nset grid\nset xzeroaxis\nset yzeroaxis\n"
    << "set key top left Left reverse box opaque noenhanced\n"
    << "set xrange [" << format_number(range.low) << ":" << format_number(range.high) << "]\n"
    << "plot " << quoted(data.string()) << " index 0 using 1:2 with lines linewidth 2 linecolor rgb '#1f77b4' title "
    << quoted("f = " + f) << ", \\\n     '' index 1 using 1:2 with lines linewidth 2 dashtype 2 linecolor rgb '#d62728' title "
    << quoted("f' (autograd)");
  if (order == 2)
    s << ", \\\n     '' index 2 using 1:2 with lines linewidth 2 dashtype 3 linecolor rgb '#2ca02c' title "
      << double_quoted("f'' (double backward)");
  s << "\nset output\n";
  return s.str();
}

void run_gnuplot(const std::string& gnuplot, const fs::path& script_file, const fs::path& log) {
  run_program({gnuplot, script_file.string()}, log, "gnuplot");
}

void run_plot(const PlotOptions& o) {
  check_functions(o.functions, o.parameters);
  const Range range = parse_range(o.range);
  const fs::path out(o.out);
  std::error_code error;
  if (fs::exists(out, error) && !fs::is_directory(out, error))
    throw UsageError("--out " + o.out + ": it is a file, not a directory");
  const std::string gnuplot = find_on_path("gnuplot");
  if (gnuplot.empty())
    throw std::runtime_error("gnuplot is not installed (or not on PATH); install it: sudo apt-get install gnuplot-nox");
  if (!fs::exists(out, error) && !fs::create_directories(out, error))
    throw std::runtime_error("--out " + o.out + ": cannot create the directory: " + error.message());
  TemporaryDirectory temporary;
  for (const auto& name : o.functions) {
    const fs::path picture = out / (name + "." + o.format);
    const fs::path partial = out / ("." + name + "." + o.format + ".partial-" + std::to_string(::getpid()));
    const fs::path data = temporary.path() / (name + ".dat"), script_file = temporary.path() / (name + ".gp");
    write_samples(name, o.parameters, range, o.order, data);
    std::ofstream(script_file) << script(name, o.parameters, range, o.order, o.format, data, partial);
    try {
      run_gnuplot(gnuplot, script_file, temporary.path() / "gnuplot.log");
      if (fs::file_size(partial, error) == 0 || error) throw std::runtime_error("gnuplot wrote no picture for " + name);
      fs::rename(partial, picture);
    } catch (...) {
      fs::remove(partial, error);
      throw;
    }
    std::cout << picture.string() << "\n";
  }
}

}  // namespace

Command add_plot_command(CLI::App& parent) {
  auto o = std::make_shared<PlotOptions>();
  CLI::App* app = parent.add_subcommand("plot", "Draw activation functions and their derivatives (needs gnuplot)");
  app->footer(
      "Writes DIR/FUNCTION.svg (or .png) for each function: f and its derivative f' computed by backward, with axes, "
      "grid, legend and title, drawn by gnuplot (Debian: apt-get install gnuplot-nox). softmax and log_softmax are "
      "drawn as the first component of f([x, 0]). Prints the path of each picture.\n\nExample:\n"
      "  xgrad plot sigmoid tanh gelu --out plots\n  xgrad plot leaky_relu --alpha 0.2 --range=-3:3 --format png");
  app->add_option("FUNCTION", o->functions, "Functions to draw (see xgrad eval --help for the names)")->required();
  app->add_option("--out", o->out, "The directory for the pictures, created if missing (default .)");
  app->add_option("--range", o->range, "The x range LOW:HIGH (default -5:5)");
  app->add_option("--format", o->format, "svg (the default) or png")->check(CLI::IsMember({"svg", "png"}));
  app->add_option("--order", o->order, "1 (the default): f and f'; 2: f'' (by double backward) as well")
      ->check(CLI::IsMember({1, 2}));
  add_function_parameter_options(*app, o->parameters);
  return {app, [o] { run_plot(*o); }};
}

}  // namespace xgrad::cli
