"""check_onnx.py MODEL.onnx INPUT OUTPUT: onnx.checker (full check, with shape
inference) passes, and the graph's input and output have the expected names."""
import sys
import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
inputs = [i.name for i in model.graph.input]
outputs = [o.name for o in model.graph.output]
opset = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
assert inputs == [sys.argv[2]], inputs
assert outputs == [sys.argv[3]], outputs
assert opset and opset[0] <= 17, opset
ops = sorted({n.op_type for n in model.graph.node})
print(f"onnx.checker: {sys.argv[1]} valid (opset {opset[0]}, ops {' '.join(ops)})")
