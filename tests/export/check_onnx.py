"""check_onnx.py MODEL.onnx INPUTS OUTPUT: onnx.checker (full check, with shape
inference) passes, the graph's inputs are INPUTS (comma-separated, in order)
and its output OUTPUT, and it asks for opset 17 or lower."""
import sys
import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
inputs = [i.name for i in model.graph.input]
outputs = [o.name for o in model.graph.output]
opset = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
assert inputs == sys.argv[2].split(","), inputs
assert outputs == [sys.argv[3]], outputs
assert opset and opset[0] <= 17, opset
ops = sorted({n.op_type for n in model.graph.node})
print(f"onnx.checker: {sys.argv[1].split('/')[-1]} valid (opset {opset[0]}, ops {' '.join(ops)})")
