#!/usr/bin/python3
"""PyTorch's worst error in ulps on the exact reference, as a markdown table.

    /usr/bin/python3 tools/torch_ulp.py tests/data/activation_reference.csv [softmax_reference.csv] [--where]
    /usr/bin/python3 tools/torch_ulp.py tests/data/catalogue_reference.csv --no-softmax [--where]

The same measurement as build/tools/ulp_report (tools/ulp_report.cpp) for
PyTorch's CPU kernels: forward with torch.sigmoid, torch.tanh, F.relu,
F.leaky_relu(x, 0.01), F.prelu(x, tensor([0.25])), F.elu(alpha=1),
F.softplus(beta=1, threshold=20), F.gelu(approximate='none' / 'tanh'),
torch.softmax, torch.log_softmax; for the catalogue (tools/catalogue_exact.py)
F.selu, F.celu(alpha=1), F.silu, F.mish, F.logsigmoid, F.tanhshrink,
F.softsign, F.hardswish, F.hardtanh(-1, 1), F.relu6, F.hardsigmoid,
F.softshrink(0.5), F.hardshrink(0.5), F.threshold(x, 0.1, 20) (squareplus:
none in PyTorch); f' through autograd with an upstream of
ones; float32 and float64, each whole column as one tensor.

A cell is the worst |computed - exact| / ulp(exact), ulp(v) = 2^(floor(log2|v|) - 52)
(float64) or - 23 (float32), over the rows whose exact value is a normal number
of the dtype ("inf": NaN or inf there). A cell gets "(! n what)" when n other
rows break the requirement: "NaN lost" (a number where the exact value is NaN,
i.e. for a NaN input), "non-finite" (NaN or inf where the exact value is finite
but not normal), "not 0" (a nonzero result for an exact 0), "wrong inf".
"""
import argparse
import csv
import math
import os
from collections import OrderedDict

import mpmath
from mpmath import mp, mpf

import torch
import torch.nn.functional as F

mp.prec = 128

FUNCTIONS = OrderedDict([
    ("sigmoid", torch.sigmoid),
    ("tanh", torch.tanh),
    ("relu", F.relu),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.01)),
    ("prelu", lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype))),
    ("elu", lambda x: F.elu(x, alpha=1.0)),
    ("softplus", lambda x: F.softplus(x, beta=1, threshold=20)),
    ("gelu", lambda x: F.gelu(x, approximate="none")),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
    # the catalogue (catalogue_reference.csv)
    ("selu", F.selu),
    ("celu", lambda x: F.celu(x, alpha=1.0)),
    ("silu", F.silu),
    ("mish", F.mish),
    ("logsigmoid", F.logsigmoid),
    ("tanhshrink", F.tanhshrink),
    ("softsign", F.softsign),
    ("hardswish", F.hardswish),
    ("hardtanh", lambda x: F.hardtanh(x, -1.0, 1.0)),
    ("relu6", F.relu6),
    ("hardsigmoid", F.hardsigmoid),
    ("softshrink", lambda x: F.softshrink(x, 0.5)),
    ("hardshrink", lambda x: F.hardshrink(x, 0.5)),
    ("threshold", lambda x: F.threshold(x, 0.1, 20.0)),
])
DTYPES = OrderedDict([("float32", (torch.float32, 24)), ("float64", (torch.float64, 53))])
MIN_NORMAL = {"float32": mpf(2) ** -126, "float64": mpf(2) ** -1022}
MAX_FINITE = {"float32": mpf(torch.finfo(torch.float32).max), "float64": mpf(torch.finfo(torch.float64).max)}
# from here on a value rounds to inf: the largest number plus half its ulp
OVERFLOW = {"float32": mpf(2) ** 128 * (1 - mpf(2) ** -25), "float64": mpf(2) ** 1024 * (1 - mpf(2) ** -54)}


def parse_x(s):
    return float.fromhex(s) if s not in ("nan", "inf", "-inf") else float(s)


def is_zero_text(s):
    mant = s.lower().split("e")[0]
    return s not in ("nan", "inf", "-inf") and not any(c in "123456789" for c in mant)


class Cell:
    def __init__(self):
        self.worst = 0.0
        self.worst_x = None
        self.measured = 0
        self.misses = OrderedDict()  # rows breaking the requirement other than by ulp size

    def miss(self, what):
        self.misses[what] = self.misses.get(what, 0) + 1

    def add(self, got, exact_text, dtype, x):
        """got: a Python float; exact_text: the CSV's exact value."""
        if exact_text == "nan":
            if not math.isnan(got):
                self.miss("NaN lost")
            return
        if exact_text in ("inf", "-inf"):
            if got != float(exact_text):
                self.miss("wrong inf")
            return
        if is_zero_text(exact_text):
            if got != 0:
                self.miss("not 0")
            return
        v = mpf(exact_text)
        if abs(v) >= OVERFLOW[dtype]:
            # beyond the dtype (selu(FLT_MAX)): the infinity of its sign, or a finite number
            if math.isnan(got) or (math.isinf(got) and (got > 0) != (v > 0)):
                self.miss("wrong inf")
            return
        if not (MIN_NORMAL[dtype] <= abs(v) <= MAX_FINITE[dtype]):
            if not math.isfinite(got):
                self.miss("non-finite")
            return
        self.measured += 1
        if not math.isfinite(got):
            err = math.inf
        else:
            _, e = mpmath.frexp(v)  # v = m 2^e, 1/2 <= |m| < 1: floor(log2 |v|) = e - 1
            digits = DTYPES[dtype][1]
            err = float(abs(mpf(got) - v) / mpf(2) ** (e - 1 - (digits - 1)))
        if self.worst_x is None or err > self.worst:
            self.worst, self.worst_x = err, x

    def text(self):
        if self.measured == 0 and not self.misses:
            return "-"
        if math.isinf(self.worst):
            s = "inf"
        elif self.worst >= 1e4:
            s = "%.2e" % self.worst
        else:
            s = "%.2f" % self.worst
        for what, n in sorted(self.misses.items()):
            s += " (! %d %s)" % (n, what)
        return s

    def where(self):
        return "-" if self.measured == 0 or self.worst_x is None else "%.9g" % self.worst_x


def activation_table(path):
    groups = OrderedDict()
    with open(path) as f:
        for r in csv.DictReader(f):
            groups.setdefault((r["function"], r["dtype"]), []).append(r)
    present = {fn for fn, _ in groups}
    table = OrderedDict((fn, [Cell() for _ in range(4)]) for fn in FUNCTIONS if fn in present)
    nrows = 0
    for (fn, dtype), rows in groups.items():
        if fn not in FUNCTIONS:
            continue  # no PyTorch function (squareplus)
        tdtype = DTYPES[dtype][0]
        xs = [parse_x(r["x"]) for r in rows]
        x = torch.tensor(xs, dtype=tdtype, requires_grad=True)
        y = FUNCTIONS[fn](x)
        y.backward(torch.ones_like(y))
        fs, dfs = y.detach().tolist(), x.grad.tolist()
        base = 0 if dtype == "float32" else 2
        cells = table[fn]
        for r, xv, fv, dv in zip(rows, xs, fs, dfs):
            cells[base].add(fv, r["f"], dtype, xv)
            cells[base + 1].add(dv, r["df"], dtype, xv)
            nrows += 1
    return table, nrows


def softmax_table(path):
    lanes = OrderedDict()
    with open(path) as f:
        for r in csv.DictReader(f):
            lanes.setdefault((r["case"], r["dtype"]), []).append(r)
    sm, lsm = [Cell() for _ in range(4)], [Cell() for _ in range(4)]
    for (_, dtype), rows in lanes.items():
        x = torch.tensor([parse_x(r["x"]) for r in rows], dtype=DTYPES[dtype][0])
        y = torch.softmax(x, dim=0).tolist()
        ly = torch.log_softmax(x, dim=0).tolist()
        base = 0 if dtype == "float32" else 2
        for r, a, b in zip(rows, y, ly):
            xv = parse_x(r["x"])
            sm[base].add(a, r["softmax"], dtype, xv)
            lsm[base].add(b, r["log_softmax"], dtype, xv)
    return sm, lsm, len(lanes)


def print_row(name, cells, where):
    print("| %s | %s |" % (name, " | ".join(c.text() for c in cells)))
    if where:
        print("| ... at x = | %s |" % " | ".join(c.where() for c in cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("activation_csv")
    ap.add_argument("softmax_csv", nargs="?")
    ap.add_argument("--where", action="store_true", help="add the input of each worst case")
    ap.add_argument("--no-softmax", action="store_true", help="only the activation table (e.g. the catalogue)")
    args = ap.parse_args()
    softmax_csv = args.softmax_csv or os.path.join(os.path.dirname(args.activation_csv), "softmax_reference.csv")

    torch.set_num_threads(1)
    table, nrows = activation_table(args.activation_csv)
    print("PyTorch %s: worst error in ulps over exact values that are normal numbers of the dtype" % torch.__version__)
    if args.no_softmax:
        print("(%d activation rows from %s)" % (nrows, args.activation_csv))
    else:
        sm, lsm, nlanes = softmax_table(softmax_csv)
        print("(%d activation rows from %s, %d softmax lanes from %s)" % (nrows, args.activation_csv, nlanes, softmax_csv))
    print()
    print("| function | f float32 | f' float32 | f float64 | f' float64 |")
    print("|---|---|---|---|---|")
    for fn, cells in table.items():
        print_row(fn, cells, args.where)
    if not args.no_softmax:
        print_row("softmax", sm, args.where)
        print_row("log_softmax", lsm, args.where)
        print()
        print("(softmax rows: forward only, the f' columns are empty.)")


if __name__ == "__main__":
    main()
