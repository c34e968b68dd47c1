"""compare.py XGRAD.csv ORT.csv: the largest absolute difference between xgrad
predict --proba's table (a header of names) and ort_run.js's (a header line
saying input->output [shape]); exits 1 when the shapes differ or it is over 1e-5."""
import sys

def table(path, skip):
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip()]
    return lines[0], [[float(v) for v in l.split(",")] for l in lines[skip:]]

xgrad_header, xgrad = table(sys.argv[1], 1)
ort_header, ort = table(sys.argv[2], 1)
if len(xgrad) != len(ort) or any(len(a) != len(b) for a, b in zip(xgrad, ort)):
    print(f"shapes differ: xgrad {len(xgrad)} rows, ONNX Runtime {len(ort)} rows")
    sys.exit(1)
worst = max(abs(a - b) for ra, rb in zip(xgrad, ort) for a, b in zip(ra, rb))
print(f"{ort_header}; columns {xgrad_header}; {len(xgrad)} rows; max abs difference {worst:.3g}")
sys.exit(0 if worst <= 1e-5 else 1)
