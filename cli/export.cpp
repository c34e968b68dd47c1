// xgrad export: a saved model as an ONNX file (for ONNX Runtime and other engines).
#include <iostream>
#include <memory>

#include <xgrad.hpp>
#include <xgrad/export/onnx.hpp>

#include "command.hpp"
#include "process.hpp"

namespace xgrad::cli {

namespace {

struct ExportOptions {
  std::string model, onnx;
};

void run_export(const ExportOptions& o) {
  if (extension_of(o.onnx) != "onnx") throw UsageError("--onnx " + o.onnx + ": the file name must end in .onnx");
  check_output_path("--onnx", o.onnx);
  const LoadedModel<float> loaded = load_model_as<float>(o.model);
  export_onnx(loaded.model, loaded.info, o.onnx);
  std::cout << o.onnx << "\n";
}

}  // namespace

Command add_export_command(CLI::App& parent) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* app = parent.add_subcommand("export", "Write a saved model as ONNX, to run in ONNX Runtime or another engine");
  app->footer(
      "The ONNX graph (opset 17; ai.onnx.ml 2 for text columns) is the model's whole pipeline, as xgrad predict runs "
      "it: missing numbers take the training mean, text columns are one-hot encoded (an unseen category as all zeros), "
      "the features standardised, every layer and activation, then a softmax for a classifier or the prediction in the "
      "target's units for a regressor. Inputs: 'input' float32 [N, numeric columns] in file order (NaN for a missing "
      "cell), and a string tensor [N] per text column, named as the column (\"\" or NA for a missing cell). Output "
      "'probabilities' [N, classes] (the order of the class names), or 'prediction' [N, 1]. An activation ONNX cannot "
      "express is an error naming it.\n\nExample:\n"
      "  xgrad export --model iris.npz --onnx iris.onnx");
  app->add_option("--model", o->model, "A model saved by xgrad train --save")->required();
  app->add_option("--onnx", o->onnx, "The ONNX file to write (replaced only on success)")->required();
  return {app, [o] { run_export(*o); }};
}

}  // namespace xgrad::cli
