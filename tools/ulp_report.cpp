// ulp_report: the worst error of xgrad's activation kernels against the exact
// reference, in ulps, as a markdown table.
//
//   build/tools/ulp_report tests/data/activation_reference.csv [softmax_reference.csv] [--where]
//
// The softmax table defaults to softmax_reference.csv next to the first file.
// A cell is the worst |computed - exact| / ulp(exact) over the rows whose exact
// value is a normal number of the dtype ("inf": NaN or inf there). A cell gets
// "(! n what)" when n other rows break the requirement: "NaN lost" (a number
// where the exact value is NaN, i.e. for a NaN input), "non-finite" (NaN or
// inf where the exact value is finite but not normal), "not 0" (a nonzero
// result for an exact 0), "wrong inf". --where adds the input of each worst case.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "exactness_reference.hpp"

namespace {

using namespace xgrad::exactness;

struct Cell {
  long double worst = 0;
  long double worst_x = 0;
  std::size_t measured = 0;
  std::map<std::string, std::size_t> misses;  // rows breaking the requirement other than by ulp size

  void add(const Check& c, long double x) {
    if (c.measured) {
      ++measured;
      if (c.ulps > worst || (std::isinf(c.ulps) && !std::isinf(worst))) {
        worst = c.ulps;
        worst_x = x;
      }
    } else if (!c.ok) {
      ++misses[c.miss];
    }
  }
  std::string text() const {
    char buf[96];
    if (measured == 0 && misses.empty()) return "-";
    if (std::isinf(worst))
      std::snprintf(buf, sizeof buf, "inf");
    else if (worst >= 1e4L)
      std::snprintf(buf, sizeof buf, "%.2Le", worst);
    else
      std::snprintf(buf, sizeof buf, "%.2Lf", worst);
    std::string s = buf;
    for (const auto& [what, n] : misses) s += " (! " + std::to_string(n) + " " + what + ")";
    return s;
  }
  std::string where() const {
    if (measured == 0) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9Lg", worst_x);
    return buf;
  }
};

// [0] f float32, [1] f' float32, [2] f float64, [3] f' float64
using Cells = std::vector<Cell>;

template <class T>
void measure_activation(const Row& r, Cells& cells, std::size_t base) {
  const T x = static_cast<T>(r.x);
  const Value<T> v = evaluate<T>(r.fn, x);
  cells[base].add(check_value<T>(v.f, r.f, 4), r.x);
  cells[base + 1].add(check_value<T>(v.df, r.df, 4), r.x);
}

template <class T>
void measure_softmax(const SoftmaxCase& sc, Cells& sm, Cells& lsm, std::size_t base) {
  const auto x = make_lane<T>(sc.x);
  const auto y = xgrad::math::softmax(x);
  const auto ly = xgrad::math::log_softmax(x);
  for (std::size_t i = 0; i < sc.x.size(); ++i) {
    sm[base].add(check_value<T>(y(i), sc.softmax[i], 4), sc.x[i]);
    lsm[base].add(check_value<T>(ly(i), sc.log_softmax[i], 4), sc.x[i]);
  }
}

void print_row(const std::string& name, const Cells& c, bool where) {
  std::printf("| %s | %s | %s | %s | %s |\n", name.c_str(), c[0].text().c_str(), c[1].text().c_str(),
              c[2].text().c_str(), c[3].text().c_str());
  if (where)
    std::printf("| ... at x = | %s | %s | %s | %s |\n", c[0].where().c_str(), c[1].where().c_str(),
                c[2].where().c_str(), c[3].where().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  bool where = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--where")
      where = true;
    else
      files.push_back(a);
  }
  if (files.empty() || files.size() > 2) {
    std::fprintf(stderr, "usage: %s activation_reference.csv [softmax_reference.csv] [--where]\n", argv[0]);
    return 2;
  }
  if (files.size() == 1) {
    const auto slash = files[0].find_last_of('/');
    files.push_back((slash == std::string::npos ? std::string() : files[0].substr(0, slash + 1)) +
                    "softmax_reference.csv");
  }
  try {
    const auto rows = read_activation_reference(files[0]);
    std::map<std::string, Cells> table;
    std::size_t measured_rows = 0;
    for (const Row& r : rows) {
      Cells& c = table.try_emplace(r.function, Cells(4)).first->second;
      if (r.dtype == "float32")
        measure_activation<float>(r, c, 0);
      else if (r.dtype == "float64")
        measure_activation<double>(r, c, 2);
      else
        throw std::runtime_error("unknown dtype " + r.dtype);
      ++measured_rows;
    }
    Cells sm(4), lsm(4);
    const auto cases = read_softmax_reference(files[1]);
    for (const SoftmaxCase& sc : cases) {
      if (sc.dtype == "float32")
        measure_softmax<float>(sc, sm, lsm, 0);
      else
        measure_softmax<double>(sc, sm, lsm, 2);
    }

    std::printf("xgrad: worst error in ulps over exact values that are normal numbers of the dtype\n");
    std::printf("(%zu activation rows from %s, %zu softmax lanes from %s)\n\n", measured_rows, files[0].c_str(),
                cases.size(), files[1].c_str());
    std::printf("| function | f float32 | f' float32 | f float64 | f' float64 |\n");
    std::printf("|---|---|---|---|---|\n");
    for (const auto& [name, fn] : functions()) {
      (void)fn;
      auto it = table.find(name);
      if (it != table.end()) print_row(name, it->second, where);
    }
    print_row("softmax", sm, where);
    print_row("log_softmax", lsm, where);
    std::printf("\n(softmax rows: forward only, the f' columns are empty.)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ulp_report: %s\n", e.what());
    return 1;
  }
  return 0;
}
