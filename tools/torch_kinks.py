#!/usr/bin/python3
"""PyTorch 1.13's f and f' at the kinks of the catalogue activations (float64).

    /usr/bin/python3 tools/torch_kinks.py [--out tests/data/kink_reference.csv]

writes function,params,x,torch_f,torch_df: params as name=value;name=value in
the order of the definition's params (empty: none), x, f and f' as Python's
shortest round-trip text. f' through autograd with an upstream of one, one
element per call. tests/test_catalogue_exactness.cpp checks xgrad's float64
definitions against every row (exactly, or to the rounding noted there).
"""
import argparse
import os

import torch
import torch.nn.functional as F

# (function, params, torch call, xs)
CASES = [
    ("selu", [], lambda x: F.selu(x), [0.0]),
    ("celu", [("alpha", 1.0)], lambda x: F.celu(x, alpha=1.0), [0.0]),
    ("celu", [("alpha", 2.0)], lambda x: F.celu(x, alpha=2.0), [0.0]),
    ("softsign", [], F.softsign, [0.0]),
    ("hardswish", [], F.hardswish, [-3.0, 3.0, -1.5]),
    ("hardtanh", [("min_val", -1.0), ("max_val", 1.0)], lambda x: F.hardtanh(x, -1.0, 1.0), [-1.0, 1.0]),
    ("hardtanh", [("min_val", -2.0), ("max_val", 3.0)], lambda x: F.hardtanh(x, -2.0, 3.0), [-2.0, 3.0]),
    ("relu6", [], F.relu6, [0.0, 6.0]),
    ("hardsigmoid", [], F.hardsigmoid, [-3.0, 3.0]),
    ("softshrink", [("lambd", 0.5)], lambda x: F.softshrink(x, 0.5), [-0.5, 0.5]),
    ("softshrink", [("lambd", 1.0)], lambda x: F.softshrink(x, 1.0), [-1.0, 1.0]),
    ("softshrink", [("lambd", 0.0)], lambda x: F.softshrink(x, 0.0), [0.0]),
    ("hardshrink", [("lambd", 0.5)], lambda x: F.hardshrink(x, 0.5), [-0.5, 0.5]),
    ("hardshrink", [("lambd", 1.0)], lambda x: F.hardshrink(x, 1.0), [-1.0, 1.0]),
    ("threshold", [("threshold", 0.1), ("value", 20.0)], lambda x: F.threshold(x, 0.1, 20.0), [0.1]),
    ("threshold", [("threshold", -1.0), ("value", 0.5)], lambda x: F.threshold(x, -1.0, 0.5), [-1.0]),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "kink_reference.csv"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open(args.out, "w") as out:
        out.write("function,params,x,torch_f,torch_df\n")
        for fn, params, call, xs in CASES:
            ptext = ";".join(f"{n}={v!r}" for n, v in params)
            for x in xs:
                t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
                y = call(t)
                y.backward(torch.ones_like(y))
                out.write(f"{fn},{ptext},{x!r},{y.item()!r},{t.grad.item()!r}\n")
    print(f"wrote {args.out} (PyTorch {torch.__version__})")


if __name__ == "__main__":
    main()
