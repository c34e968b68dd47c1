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
      "The ONNX graph (opset 17) is the model's whole pipeline: the standardisation of the features, every layer, "
      "and a softmax at the end for a classifier. Input 'input' float32 [N, features] in the order of the model's "
      "feature names; output 'probabilities' [N, classes] (the order of the class names), or 'prediction' for a "
      "model without classes. An activation ONNX cannot express is an error naming it.\n\nExample:\n"
      "  xgrad export --model iris.npz --onnx iris.onnx");
  app->add_option("--model", o->model, "A model saved by xgrad train --save")->required();
  app->add_option("--onnx", o->onnx, "The ONNX file to write (replaced only on success)")->required();
  return {app, [o] { run_export(*o); }};
}

}  // namespace xgrad::cli
