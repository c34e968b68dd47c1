// xgrad graph: the autograd graph of one training step of a saved model, in
// Graphviz DOT, or drawn by Graphviz's dot when the file's extension asks for a picture.
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>

#include <xgrad.hpp>

#include "command.hpp"
#include "process.hpp"

namespace xgrad::cli {

namespace {

namespace fs = std::filesystem;

struct GraphOptions {
  std::string model, out, data, target;
  long long batch = 4;
};

void run_graph(const GraphOptions& o) {
  const std::string format = extension_of(o.out);
  if (format != "dot" && format != "svg" && format != "png" && format != "pdf")
    throw UsageError("--out " + o.out + ": the extension must be .dot, .svg, .png or .pdf");
  check_output_path("--out", o.out);
  if (!o.target.empty() && o.data.empty()) throw UsageError("--target needs --data");
  LoadedModel<float> loaded = load_model_as<float>(o.model);
  const ModelInfo& info = loaded.info;
  if (info.class_names.empty()) throw std::runtime_error(o.model + ": the model has no class names; it is not a classifier");

  // The batch: rows of --data (labels from --target, else class 0), or one row
  // at the training mean (all zeros after standardisation) labelled class 0.
  Tensor<float> x;
  std::vector<std::int64_t> labels;
  if (o.data.empty()) {
    x = xt::zeros<float>({std::size_t(1), info.feature_names.size()});
    labels = {0};
  } else {
    CsvDataset data;
    if (o.target.empty())
      data.features = load_csv_features(o.data, info.feature_names);
    else
      data = load_csv_for_model(o.data, o.target, info.feature_names, info.class_names);
    const std::size_t rows = std::min<std::size_t>(data.features.shape()[0], static_cast<std::size_t>(o.batch));
    if (rows == 0) throw std::runtime_error(o.data + ": no data rows");
    std::vector<std::size_t> index(rows);
    std::iota(index.begin(), index.end(), 0);
    x = prepare_features(take_rows(data.features, index, 0, rows), info);
    labels.assign(rows, 0);
    if (!o.target.empty()) std::copy(data.labels.begin(), data.labels.begin() + rows, labels.begin());
  }
  loaded.model.train();
  AnomalyMode anomaly;  // names each op's layer in the picture, and stops on a NaN
  Variable<float> loss = cross_entropy(loaded.model(Variable<float>(x)), labels);
  loss.backward(true);  // retained: every node keeps its gradient for the picture
  const std::string dot = to_dot(loss);

  write_atomically(fs::path(o.out), [&](const fs::path& partial) {
    if (format == "dot") {
      std::ofstream file(partial);
      file << dot;
      if (!file.flush()) throw std::runtime_error("cannot write " + o.out);
      return;
    }
    const std::string program = find_on_path("dot");
    if (program.empty())
      throw std::runtime_error("Graphviz's dot is not installed (or not on PATH); install it: sudo apt-get install graphviz");
    TemporaryDirectory temporary;
    const fs::path source = temporary.path() / "graph.dot";
    std::ofstream(source) << dot;
    run_program({program, "-T" + format, source.string(), "-o", partial.string()}, temporary.path() / "dot.log", "dot");
  });
  std::cout << o.out << "\n";
}

}  // namespace

Command add_graph_command(CLI::App& parent) {
  auto o = std::make_shared<GraphOptions>();
  CLI::App* app = parent.add_subcommand("graph", "Draw the autograd graph of one training step of a saved model");
  app->footer(
      "Runs the model on a batch, the cross-entropy loss and backward, and writes the graph that leads to the loss: "
      "one node per op with its output shape, the parameters by name, and every gradient's norm. FILE.dot is "
      "Graphviz source; .svg, .png and .pdf are drawn by Graphviz's dot (Debian: apt-get install graphviz). The batch "
      "is the first --batch rows of --data (labels from --target, else class 0), or one row at the training mean.\n\n"
      "Example:\n  xgrad graph --model iris.npz --data data/iris.csv --target species --out graph.svg");
  app->add_option("--model", o->model, "A model saved by xgrad train --save")->required();
  app->add_option("--out", o->out, "The file to write: .dot, .svg, .png or .pdf")->required();
  app->add_option("--data", o->data, "A CSV file with the model's feature columns (optional)");
  app->add_option("--target", o->target, "The column of --data holding the classes (optional)");
  app->add_option("--batch", o->batch, "Rows of --data in the batch (default 4)")->check(CLI::Range(1LL, 1000000LL));
  return {app, [o] { run_graph(*o); }};
}

}  // namespace xgrad::cli
