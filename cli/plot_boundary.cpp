// xgrad plot-boundary: a model's decision regions (a classifier) or its
// prediction as a heat map (a regression model) over two features, the other
// features at their training means, with the data points on top.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <xgrad.hpp>

#include "command.hpp"
#include "pictures.hpp"

namespace xgrad::cli {

namespace {

struct BoundaryOptions {
  std::string model, data, target, features, out;
  long long resolution = 200;
};

// Matplotlib's tab10: strong for the points, mixed with white for the regions.
const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

void rgb(const char* hex, double mix_white, int out[3]) {
  unsigned r = 0, g = 0, b = 0;
  std::sscanf(hex + 1, "%02x%02x%02x", &r, &g, &b);
  const unsigned in[3] = {r, g, b};
  for (int i = 0; i < 3; ++i) out[i] = static_cast<int>(std::lround(in[i] + (255 - in[i]) * mix_white));
}

std::size_t feature_index(const std::vector<std::string>& names, const std::string& name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  throw UsageError("--features: '" + name + "' is not a feature of the model (its features: " + known + ")");
}

void run_boundary(const BoundaryOptions& o) {
  picture_format("--out", o.out);
  LoadedModel<float> loaded = load_model_as<float>(o.model);
  const ModelInfo& info = loaded.info;
  const std::vector<std::string>& names = info.feature_names;
  if (names.size() < 2) throw std::runtime_error(o.model + ": the model has " + std::to_string(names.size()) + " feature; two are needed");
  std::size_t fx = 0, fy = 1;
  if (!o.features.empty()) {
    const std::size_t comma = o.features.find(',');
    if (comma == std::string::npos || o.features.find(',', comma + 1) != std::string::npos)
      throw UsageError("--features: '" + o.features + "' is not two feature names separated by a comma");
    fx = feature_index(names, o.features.substr(0, comma));
    fy = feature_index(names, o.features.substr(comma + 1));
    if (fx == fy) throw UsageError("--features: the two features must differ");
  }
  const bool classifier = !info.class_names.empty();
  CsvDataset data;
  if (o.target.empty())
    data.features = load_csv_features(o.data, names);
  else if (classifier)
    data = load_csv_for_model(o.data, o.target, names, info.class_names);
  else
    throw UsageError("--target: the model has no classes (a regression model); its points are drawn in one colour");
  const std::size_t rows = data.features.shape()[0], columns = names.size();
  if (rows == 0) throw std::runtime_error(o.data + ": no data rows");

  // The other features at their training means (the standardizer's), else the data's.
  std::vector<double> mean(columns, 0.0);
  for (std::size_t c = 0; c < columns; ++c) {
    if (info.standardizer.fitted()) {
      mean[c] = info.standardizer.mean(c);
    } else {
      for (std::size_t r = 0; r < rows; ++r) mean[c] += data.features(r, c) / double(rows);
    }
  }
  double low[2], high[2];
  const std::size_t axis[2] = {fx, fy};
  for (int a = 0; a < 2; ++a) {
    low[a] = high[a] = data.features(0, axis[a]);
    for (std::size_t r = 0; r < rows; ++r) {
      low[a] = std::min(low[a], data.features(r, axis[a]));
      high[a] = std::max(high[a], data.features(r, axis[a]));
    }
    const double margin = std::max(0.05 * (high[a] - low[a]), 1e-3);
    low[a] -= margin;
    high[a] += margin;
  }
  const std::size_t n = static_cast<std::size_t>(o.resolution);
  Tensor<double> grid = Tensor<double>::from_shape({n * n, columns});
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      double* row = &grid(j * n + i, 0);
      for (std::size_t c = 0; c < columns; ++c) row[c] = mean[c];
      row[fx] = low[0] + (high[0] - low[0]) * (i + 0.5) / n;
      row[fy] = low[1] + (high[1] - low[1]) * (j + 0.5) / n;
    }
  const Tensor<float> x = prepare_features(grid, info);

  std::ostringstream regions, points, s;
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return std::string(buf);
  };
  s << "set xlabel " << gnuplot_quoted(names[fx]) << " noenhanced\nset ylabel " << gnuplot_quoted(names[fy]) << " noenhanced\n"
    << "set xrange [" << num(low[0]) << ":" << num(high[0]) << "]\nset yrange [" << num(low[1]) << ":" << num(high[1]) << "]\n"
    << "set key outside right top box noenhanced\n";
  std::string others = columns > 2 ? ", the other features at their training means" : "";
  if (classifier) {
    const std::vector<std::int64_t> classes = predict_classes(loaded.model, x);
    for (std::size_t k = 0; k < n * n; ++k) {
      int c[3];
      rgb(kColours[classes[k] % 10], 0.65, c);
      regions << num(grid(k, fx)) << ' ' << num(grid(k, fy)) << ' ' << c[0] << ' ' << c[1] << ' ' << c[2] << '\n';
    }
    s << "set title " << gnuplot_quoted("Decision regions of " + std::filesystem::path(o.model).filename().string() + " (the predicted class" + others + ")") << " noenhanced\n"
      << "plot 'regions.dat' using 1:2:3:4:5 with rgbimage title 'decision regions'";
    if (!o.target.empty()) {
      std::size_t block = 0;
      for (std::size_t c = 0; c < info.class_names.size(); ++c) {
        std::size_t count = 0;
        for (std::size_t r = 0; r < rows; ++r)
          if (data.labels[r] == static_cast<std::int64_t>(c)) {
            points << num(data.features(r, fx)) << ' ' << num(data.features(r, fy)) << '\n';
            ++count;
          }
        if (!count) continue;
        points << "\n\n";
        s << ", \\\n     'points.dat' index " << block++ << " using 1:2 with points pointtype 7 pointsize 0.7 linecolor rgb '"
          << kColours[c % 10] << "' title " << gnuplot_quoted(info.class_names[c]);
      }
    } else {
      for (std::size_t r = 0; r < rows; ++r) points << num(data.features(r, fx)) << ' ' << num(data.features(r, fy)) << '\n';
      s << ", \\\n     'points.dat' using 1:2 with points pointtype 7 pointsize 0.5 linecolor rgb '#000000' title 'data rows'";
    }
  } else {
    const Tensor<float> y = predict(loaded.model, x);
    const std::size_t outputs = y.size() / (n * n);
    for (std::size_t k = 0; k < n * n; ++k)
      regions << num(grid(k, fx)) << ' ' << num(grid(k, fy)) << ' ' << num(y.data()[k * outputs]) << '\n';
    for (std::size_t r = 0; r < rows; ++r) points << num(data.features(r, fx)) << ' ' << num(data.features(r, fy)) << '\n';
    s << "set title " << gnuplot_quoted("Prediction of " + std::filesystem::path(o.model).filename().string() + others) << " noenhanced\n"
      << "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n"
      << "set cblabel 'prediction'\n"
      << "plot 'regions.dat' using 1:2:3 with image title 'prediction', \\\n"
      << "     'points.dat' using 1:2 with points pointtype 7 pointsize 0.5 linecolor rgb '#000000' title 'data rows'";
  }
  s << "\n";
  draw_with_gnuplot(o.out, s.str(), 900, 640, {{"regions.dat", regions.str()}, {"points.dat", points.str()}});
  std::cout << o.out << "\n";
}

}  // namespace

Command add_plot_boundary_command(CLI::App& parent) {
  auto o = std::make_shared<BoundaryOptions>();
  CLI::App* app = parent.add_subcommand("plot-boundary", "Draw a model's decision regions over two features (needs gnuplot)");
  app->footer(
      "For a classifier: the class the model predicts at every point of the plane of two features (the others at "
      "their training means), with the rows of --data on top, coloured by their --target class. For a model without "
      "classes: its prediction as a heat map. SVG or PNG by the extension of --out.\n\nExample:\n"
      "  xgrad plot-boundary --model iris.npz --data data/iris.csv --target species --features petal_length,petal_width --out regions.svg");
  app->add_option("--model", o->model, "A model saved by xgrad train --save")->required();
  app->add_option("--data", o->data, "A CSV file with the model's feature columns: the points, and the plane's extent")->required();
  app->add_option("--out", o->out, "The picture to write: .svg or .png")->required();
  app->add_option("--target", o->target, "The column of --data holding the classes (colours the points)");
  app->add_option("--features", o->features, "The two features of the plane, A,B (default: the model's first two)");
  app->add_option("--resolution", o->resolution, "Grid points per axis (default 200)")->check(CLI::Range(10LL, 2000LL));
  return {app, [o] { run_boundary(*o); }};
}

}  // namespace xgrad::cli
