#pragma once
/// Reading the exact reference tables written by tools/make_reference.py and
/// measuring xgrad's activation kernels against them, in ulps. Shared by
/// tools/ulp_report.cpp and tests/test_exactness.cpp (header-only).
///
/// The exact values are parsed with strtold (x87 long double, 64-bit
/// mantissa: 2^-11 of a float64 ulp, so the measurement itself is good to
/// ~0.001 ulp). The ulp of an exact value v in a dtype with p-bit
/// significands is 2^(floor(log2|v|) - (p - 1)); errors are measured only
/// where v is a normal number of the dtype.
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/core/activations.hpp"

namespace xgrad::exactness {

// The reference is generated with every activation's default parameters
// (tools/make_reference.py): leaky_relu 0.01, prelu 0.25, elu 1, softplus 1
// and 20, ...
inline constexpr double kLeakySlope = 0.01;
inline constexpr double kPreluAlpha = 0.25;

/// An exact value from the CSV.
struct Exact {
  enum Kind { finite, zero, nan, inf } kind = finite;
  long double value = 0;  // 0 for a value that underflows long double (e.g. e^-1e6), not an exact zero
  std::string text;

  bool is_finite() const { return kind == finite || kind == zero; }
  /// Normal (and finite) in the dtype T: the region where the ulp bound applies.
  template <class T>
  bool is_normal_in() const {
    if (kind != finite) return false;
    const long double a = std::fabs(value);
    return a >= static_cast<long double>(std::numeric_limits<T>::min()) &&
           a <= static_cast<long double>(std::numeric_limits<T>::max());
  }
};

inline Exact parse_exact(const std::string& s) {
  Exact e;
  e.text = s;
  if (s == "nan") {
    e.kind = Exact::nan;
    e.value = std::numeric_limits<long double>::quiet_NaN();
    return e;
  }
  if (s == "inf" || s == "-inf") {
    e.kind = Exact::inf;
    e.value = s[0] == '-' ? -std::numeric_limits<long double>::infinity()
                          : std::numeric_limits<long double>::infinity();
    return e;
  }
  char* end = nullptr;
  errno = 0;
  e.value = std::strtold(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') throw std::runtime_error("not a number: '" + s + "'");
  // An exact zero is written "0" (or "-0"); a value too small for long double parses to 0 but is not zero.
  const bool hex = s.find_first_of("xX") != std::string::npos;
  bool nonzero_digit = false;
  for (char c : s) {
    if (c == 'p' || c == 'P' || (!hex && (c == 'e' || c == 'E'))) break;  // the exponent
    if (c == 'x' || c == 'X') continue;
    if ((c >= '1' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))))
      nonzero_digit = true;
  }
  if (!nonzero_digit && e.value == 0) e.kind = Exact::zero;
  return e;
}

/// |got - exact| in units of ulp(exact) of T; +inf when got is NaN or infinite.
template <class T>
long double ulp_error(T got, long double exact) {
  if (!std::isfinite(got)) return std::numeric_limits<long double>::infinity();
  const int e = std::ilogb(exact);  // floor(log2 |exact|)
  const long double ulp = std::ldexp(1.0L, e - (std::numeric_limits<T>::digits - 1));
  return std::fabs(static_cast<long double>(got) - exact) / ulp;
}

using Fn = xgrad::Act;

/// Every elementwise activation of the catalogue.
inline const std::vector<std::pair<std::string, Fn>>& functions() {
  static const std::vector<std::pair<std::string, Fn>> fns = [] {
    std::vector<std::pair<std::string, Fn>> out;
    for (const auto& a : xgrad::activation_catalogue())
      if (a.shape == xgrad::ActivationShape::elementwise) out.emplace_back(a.name, a.id);
    return out;
  }();
  return fns;
}

/// Which reference file holds a function: activation_reference.csv the ones
/// with a hand-written kernel and the identity, catalogue_reference.csv the
/// definitions written wholly in the policy form (tools/catalogue_exact.py).
inline bool in_activation_reference(Fn fn) {
  return xgrad::activation_info(fn).tuned_kernel || fn == xgrad::Act::linear;
}

/// The parameters the references were made with: the defaults, and for
/// threshold (which has none) PyTorch's documentation example (0.1, 20).
inline xgrad::ActivationParams reference_params(Fn fn) {
  if (fn == xgrad::Act::threshold) return xgrad::ActivationParams{{0.1, 20.0}};
  return xgrad::default_params(fn);
}

inline Fn fn_from_name(const std::string& name) {
  const xgrad::ActivationInfo* a = xgrad::find_activation(name);
  if (!a) throw std::runtime_error("unknown function in reference: " + name);
  return a->id;
}

template <class T>
struct Value {
  T f, df;
};

/// f(x) and f'(x) from xgrad's scalar kernels, with the reference's (the default) parameters.
template <class T>
Value<T> evaluate(Fn fn, T x) {
  const xgrad::ActivationParams p = reference_params(fn);
  return {xgrad::activation_f<T>(fn, x, p), xgrad::activation_df<T>(fn, x, p)};
}

/// One row of a function,dtype,x,f,df table, whatever its functions.
struct ReferenceRow {
  std::string function, dtype;
  std::string x_text;
  long double x = 0;  // exact in the row's dtype (hex float)
  Exact f, df;
};

/// A row of activation_reference.csv, with its function resolved.
struct Row : ReferenceRow {
  Fn fn = Fn::sigmoid;
};

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

inline std::vector<std::vector<std::string>> read_csv(const std::string& path, std::size_t columns) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (header) {
      header = false;
      continue;
    }
    auto cells = split_csv_line(line);
    if (cells.size() != columns) throw std::runtime_error(path + ": bad row: " + line);
    rows.push_back(std::move(cells));
  }
  return rows;
}

/// Any function,dtype,x,f,df table (activation_reference.csv, catalogue_reference.csv).
inline std::vector<ReferenceRow> read_reference_rows(const std::string& path) {
  std::vector<ReferenceRow> rows;
  for (auto& c : read_csv(path, 5)) {
    ReferenceRow r;
    r.function = c[0];
    r.dtype = c[1];
    r.x_text = c[2];
    r.x = parse_exact(c[2]).value;
    r.f = parse_exact(c[3]);
    r.df = parse_exact(c[4]);
    rows.push_back(std::move(r));
  }
  return rows;
}

/// activation_reference.csv: function,dtype,x,f,df, for the nine functions of Fn.
inline std::vector<Row> read_activation_reference(const std::string& path) {
  std::vector<Row> rows;
  for (auto& r : read_reference_rows(path)) {
    Row row;
    row.fn = fn_from_name(r.function);
    static_cast<ReferenceRow&>(row) = std::move(r);
    rows.push_back(std::move(row));
  }
  return rows;
}

/// One softmax lane of softmax_reference.csv (case,dtype,n,i,x,softmax,log_softmax).
struct SoftmaxCase {
  std::string name, dtype;
  std::vector<long double> x;
  std::vector<Exact> softmax, log_softmax;
};

inline std::vector<SoftmaxCase> read_softmax_reference(const std::string& path) {
  std::vector<SoftmaxCase> cases;
  for (auto& c : read_csv(path, 7)) {
    if (cases.empty() || cases.back().name != c[0] || cases.back().dtype != c[1]) {
      cases.emplace_back();
      cases.back().name = c[0];
      cases.back().dtype = c[1];
    }
    SoftmaxCase& sc = cases.back();
    if (std::stoul(c[3]) != sc.x.size()) throw std::runtime_error(path + ": lane rows out of order");
    sc.x.push_back(parse_exact(c[4]).value);
    sc.softmax.push_back(parse_exact(c[5]));
    sc.log_softmax.push_back(parse_exact(c[6]));
  }
  return cases;
}

/// The verdict of one computed value against its exact value.
struct Check {
  bool ok = true;           // within the requirement
  bool measured = false;    // exact value normal in the dtype: ulp counts
  long double ulps = 0;     // when measured
  std::string why;          // when !ok
  const char* miss = "";    // when !ok and !measured: "NaN lost", "non-finite", "not 0", "wrong inf"
};

/// The requirement: within max_ulps where the exact value is normal; NaN for a
/// NaN exact value; the same infinity for an infinite one; finite where the
/// exact value is finite (zero, subnormal, underflowing); exactly 0 for an exact 0;
/// for a finite exact value that rounds to inf in the dtype (at least the
/// largest number plus half its ulp), the infinity of its sign or a finite number.
template <class T>
Check check_value(T got, const Exact& e, long double max_ulps) {
  Check c;
  switch (e.kind) {
    case Exact::nan:
      if (!std::isnan(got)) c = {false, false, 0, "expected NaN", "NaN lost"};
      return c;
    case Exact::inf:
      if (!(std::isinf(got) && (got > 0) == (e.value > 0))) c = {false, false, 0, "expected " + e.text, "wrong inf"};
      return c;
    case Exact::zero:
      if (got != 0) c = {false, false, 0, "expected exactly 0", "not 0"};
      return c;
    case Exact::finite:
      if (std::fabs(e.value) >= std::ldexp(1.0L - std::ldexp(1.0L, -std::numeric_limits<T>::digits - 1),
                                           std::numeric_limits<T>::max_exponent)) {
        // beyond the dtype's range (e.g. selu(FLT_MAX)): the right infinity or a finite number
        if (std::isnan(got) || (std::isinf(got) && (got > 0) != (e.value > 0)))
          c = {false, false, 0, "expected " + e.text + " (beyond the dtype: inf allowed)", "wrong inf"};
        return c;
      }
      if (!std::isfinite(got)) return {false, false, 0, "non-finite result for a finite exact value", "non-finite"};
      if (e.is_normal_in<T>()) {
        c.measured = true;
        c.ulps = ulp_error(got, e.value);
        if (!(c.ulps <= max_ulps)) {
          c.ok = false;
          c.why = "ulp error above the bound";
        }
      }
      return c;
  }
  return c;
}

template <class T>
Tensor<T> make_lane(const std::vector<long double>& x) {
  Tensor<T> t = Tensor<T>::from_shape({x.size()});
  for (std::size_t i = 0; i < x.size(); ++i) t(i) = static_cast<T>(x[i]);
  return t;
}

}  // namespace xgrad::exactness
