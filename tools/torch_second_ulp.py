#!/usr/bin/python3
"""PyTorch's double backward f'' in ulps on the exact f'' reference, as a markdown table.

    /usr/bin/python3 tools/torch_second_ulp.py [tests/data/catalogue_second_reference.csv] [--where]

f'' of each elementwise activation as torch.autograd.grad gives it twice
(create_graph=True; an upstream of ones, so d/dx sum f'(x) = f''(x) per
element), over each whole column of the reference as one tensor, float32 and
float64, with the functions and parameters of tools/torch_ulp.py, rrelu in
eval mode, linear as the identity, and squareplus as a user writes it,
(x + sqrt(x * x + 4)) / 2. Where the first gradient has no graph (a constant
f', relu's pieces) f'' is 0, as torch.autograd.functional.hessian reports it.

A cell is the same measurement as tools/torch_ulp.py (worst |got - exact| /
ulp(exact) where the exact value is normal, "(! n what)" for the other rows
that break the requirement: "NaN lost", "not 0", "non-finite", "wrong inf"),
then [over 8 ulp: the rows beyond xgrad's bound / the rows measured];
"no double backward" where PyTorch raises.
"""
import argparse
import os
from collections import OrderedDict

import torch
import torch.nn.functional as F

from torch_ulp import DTYPES, FUNCTIONS, Cell, parse_x

SECOND_FUNCTIONS = OrderedDict([("linear", lambda x: x * 1.0)])
SECOND_FUNCTIONS.update(FUNCTIONS)
SECOND_FUNCTIONS["rrelu"] = lambda x: F.rrelu(x, training=False)
SECOND_FUNCTIONS["squareplus"] = lambda x: (x + torch.sqrt(x * x + 4.0)) / 2


def second(fn, xs, tdtype):
    x = torch.tensor(xs, dtype=tdtype, requires_grad=True)
    y = SECOND_FUNCTIONS[fn](x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    if not g.requires_grad:
        return [0.0] * len(xs)
    (g2,) = torch.autograd.grad(g.sum(), x, allow_unused=True)
    return [0.0] * len(xs) if g2 is None else g2.tolist()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="?", default=os.path.join(here, "..", "tests", "data", "catalogue_second_reference.csv"))
    ap.add_argument("--where", action="store_true", help="add the input of each worst case")
    args = ap.parse_args()
    torch.set_num_threads(1)
    import csv

    groups = OrderedDict()
    with open(args.csv) as f:
        for r in csv.DictReader(f):
            groups.setdefault((r["function"], r["dtype"]), []).append(r)
    table = OrderedDict()
    for (fn, dtype), rows in groups.items():
        cells = table.setdefault(fn, [Cell(), Cell()])
        cell = cells[0 if dtype == "float32" else 1]
        xs = [parse_x(r["x"]) for r in rows]
        try:
            got = second(fn, xs, DTYPES[dtype][0])
        except RuntimeError as e:
            cell.error = "no double backward"
            continue
        cell.over = 0
        for r, xv, v in zip(rows, xs, got):
            cell.add(v, r["d2f"], dtype, xv)
            one = Cell()
            one.add(v, r["d2f"], dtype, xv)
            cell.over += one.measured and one.worst > 8
    print(f"PyTorch {torch.__version__}: f'' by double backward, worst ulp where the exact f'' is normal")
    print()
    print("| function | float32 | float64 |")
    print("|---|---|---|")
    for fn, cells in table.items():
        texts = [getattr(c, "error", None) or "%s [%d / %d]" % (c.text(), c.over, c.measured) for c in cells]
        print("| %s | %s |" % (fn, " | ".join(texts)))
        if args.where:
            print("| ... at x = | %s |" % " | ".join(c.where() for c in cells))


if __name__ == "__main__":
    main()
