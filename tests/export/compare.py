"""compare.py XGRAD.csv ORT.csv [--relative]: the largest difference between
xgrad predict's table (a header of names) and ort_run.js's (a header line
saying inputs->output [shape]); exits 1 when the shapes differ, it is over
1e-5, or every output is the same (which would test nothing). --relative divides each difference by max(1, |xgrad's value|): for
predictions in a target's units (hundreds), where float32 itself keeps only
about 1e-5 of them."""
import sys

def table(path):
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip()]
    return lines[0], [[float(v) for v in l.split(",")] for l in lines[1:]]

relative = "--relative" in sys.argv
xgrad_header, xgrad = table(sys.argv[1])
ort_header, ort = table(sys.argv[2])
if len(xgrad) != len(ort) or any(len(a) != len(b) for a, b in zip(xgrad, ort)):
    print(f"shapes differ: xgrad {len(xgrad)} rows, ONNX Runtime {len(ort)} rows")
    sys.exit(1)
worst = max(abs(a - b) / (max(1.0, abs(a)) if relative else 1.0) for ra, rb in zip(xgrad, ort) for a, b in zip(ra, rb))
spread = max(max(r) for r in xgrad) - min(min(r) for r in xgrad)
kind = "relative" if relative else "abs"
print(f"{ort_header}; columns {xgrad_header}; {len(xgrad)} rows (outputs spanning {spread:.3g}); max {kind} difference {worst:.3g}")
if spread == 0 and len(xgrad) > 1:
    print("every output is the same: the comparison tests nothing")
    sys.exit(1)
sys.exit(0 if worst <= 1e-5 else 1)
