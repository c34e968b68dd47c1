#!/usr/bin/python3
"""PyTorch 1.13's f and f' at the kinks of the catalogue activations (float64),
and f'' (double backward) at the kinks of f''.

    /usr/bin/python3 tools/torch_kinks.py [--out tests/data/kink_reference.csv]
                                          [--out-second tests/data/kink_second_reference.csv]

The second file is function,params,x,torch_d2f: torch.autograd.grad twice
(create_graph=True), one element per call; tests/test_second_exactness.cpp
checks xgrad's f'' against every row. hardsigmoid has no double backward in
PyTorch 1.13 ("derivative for aten::hardsigmoid_backward is not implemented"):
no rows (xgrad gives 0, its linear pieces' f'').

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

# f'': the kinks above (but hardsigmoid's) and the points where only f'' jumps.
SECOND_CASES = [c for c in CASES if c[0] != "hardsigmoid"] + [
    ("elu", [("alpha", 1.0)], lambda x: F.elu(x, alpha=1.0), [0.0]),
    ("elu", [("alpha", 0.5)], lambda x: F.elu(x, alpha=0.5), [0.0]),
    ("relu", [], torch.relu, [0.0]),
    ("leaky_relu", [("negative_slope", 0.01)], lambda x: F.leaky_relu(x, 0.01), [0.0]),
    ("prelu", [("alpha", 0.25)], lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)), [0.0]),
    ("rrelu", [], lambda x: F.rrelu(x, training=False), [0.0]),
    ("softplus", [("beta", 1.0), ("threshold", 20.0)], lambda x: F.softplus(x, 1.0, 20.0), [20.0]),
    ("softplus", [("beta", 2.0), ("threshold", 5.0)], lambda x: F.softplus(x, 2.0, 5.0), [2.5]),
    ("hardswish", [], F.hardswish, [0.0]),
]


def second(call, x):
    t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(call(t).sum(), t, create_graph=True)
    if not g.requires_grad:  # a constant f' (relu's pieces): no graph, f'' = 0
        return 0.0
    (g2,) = torch.autograd.grad(g.sum(), t, allow_unused=True)
    return 0.0 if g2 is None else g2.item()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "kink_reference.csv"))
    ap.add_argument("--out-second", default=os.path.join(here, "..", "tests", "data", "kink_second_reference.csv"))
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
    with open(args.out_second, "w") as out:
        out.write("function,params,x,torch_d2f\n")
        for fn, params, call, xs in SECOND_CASES:
            ptext = ";".join(f"{n}={v!r}" for n, v in params)
            for x in xs:
                out.write(f"{fn},{ptext},{x!r},{second(call, x)!r}\n")
    print(f"wrote {args.out_second}")


if __name__ == "__main__":
    main()
