#!/usr/bin/python3
"""Builds the exact reference tables for the activation exactness tests.

    /usr/bin/python3 tools/make_reference.py [--out-dir tests/data]

writes

    activation_reference.csv  function,dtype,x,f,df
    softmax_reference.csv     case,dtype,n,i,x,softmax,log_softmax
    catalogue_reference.csv   function,dtype,x,f,df (tools/catalogue_exact.py)
    catalogue_second_reference.csv  function,dtype,x,d2f (f'' of every elementwise
                              activation, tools/catalogue_exact.py: exact_second)

(--tables picks some of them: activation, softmax, catalogue, second). The
second table has the catalogue table's inputs plus the kinks of f'' and the
roots of f'' (nearest inputs, 1e-19..1e-3 away, the series windows' edges). The catalogue
table has the inputs of the activation table, |x| up to float32's and
float64's largest, and each function's own hard points (kinks, the root of f',
the edges of the definitions' series windows; see catalogue_exact.py).

Every input x is exactly representable in its dtype (candidates are rounded to
float32 for the float32 rows) and printed exactly as a hex float
(float.hex()). f, df, softmax and log_softmax are the exact values for that
input, computed with mpmath at 256 bits from stable formulas (no 1 - y
cancellations), printed with 25 significant digits, or the words nan / inf /
-inf. Every value is recomputed at 384 bits and must agree to 40 digits, so a
formula that loses digits at 256 bits would stop the script.

Functions and parameters (PyTorch's definitions; at the kink x = 0 the
derivative takes the left branch):

    linear (the identity), sigmoid, tanh, relu, leaky_relu (slope 0.01), prelu (alpha 0.25),
    rrelu (eval mode: the mean of lower 1/8 and upper 1/3),
    elu (alpha 1), softplus (beta 1, threshold 20: f = x where beta x > 20),
    gelu (exact, x Phi(x)), gelu_tanh (x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))).

The parameters are the exact decimal numbers (0.01, 0.044715): the
kernels' rounding of them is part of the error being measured.
"""
import argparse
import math
import os
import random
import struct

import mpmath
from mpmath import mp, mpf

from catalogue_exact import CATALOGUE, SECOND, exact_catalogue, exact_second, hard_points, huge_inputs, second_hard_points

PREC = 256
CHECK_PREC = 384
DIGITS = 25

LEAKY_SLOPE = "0.01"
PRELU_ALPHA = "0.25"
ELU_ALPHA = "1"
RRELU_LOWER = "0.125"
RRELU_UPPER_DENOMINATOR = 3  # upper = 1/3, formed at the working precision
SOFTPLUS_BETA = "1"
SOFTPLUS_THRESHOLD = "20"
GELU_CUBIC = "0.044715"

FUNCTIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", "softplus", "gelu", "gelu_tanh"]
DTYPES = ["float32", "float64"]


# ---------------------------------------------------------------- rounding


def to_f32(v):
    """Nearest float32 of v (a float or mpf), as a Python float."""
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return v
    try:
        return struct.unpack("<f", struct.pack("<f", v))[0]
    except OverflowError:
        return math.copysign(math.inf, v)


def round_to(dtype, v):
    return to_f32(v) if dtype == "float32" else float(v)


def next_up(dtype, v, steps=1):
    """v moved by `steps` ulps (steps may be negative) inside dtype."""
    if dtype == "float64":
        for _ in range(abs(steps)):
            v = math.nextafter(v, math.inf if steps > 0 else -math.inf)
        return v
    bits = struct.unpack("<I", struct.pack("<f", v))[0]
    for _ in range(abs(steps)):
        up = steps > 0
        if v == 0:
            bits = 0x00000001 if up else 0x80000001
        elif (v > 0) == up:
            bits += 1
        else:
            bits -= 1
        v = struct.unpack("<f", struct.pack("<I", bits))[0]
    return v


# ---------------------------------------------------------------- inputs


def inputs_for(dtype, dense=0, seed=1):
    cands = set()

    def add(v):
        r = round_to(dtype, v)
        if math.isfinite(r) and abs(r) <= 1e6:
            cands.add(r)

    # zero and the tiny magnitudes
    add(0.0)
    add(mpf("1e-30"))
    add(-mpf("1e-30"))
    # log-spaced magnitudes 1e-30 .. 1e6, both signs (216 per sign: 6 per decade)
    n_log = 216
    for k in range(n_log + 1):
        mag = mpf(10) ** (mpf(-30) + mpf(36) * k / n_log)
        add(mag)
        add(-mag)
    # saturated region |x| in [10, 100], step 0.5 with a small deterministic jitter
    # so that most points are not dyadic (10 and 100 themselves stay).
    golden = (math.sqrt(5) - 1) / 2
    for k in range(181):
        jitter = 0.0 if k in (0, 180) else 0.2 * ((k * golden) % 1.0) - 0.1
        v = 10 + 0.5 * k + jitter
        add(v)
        add(-v)
    # linear grid on [-5, 5], step 0.05
    for k in range(-100, 101):
        add(mpf(k) / 20)
    # overflow / underflow edges and their neighbours
    edges = [
        # float32: log(FLT_MAX), log(FLT_MIN), log(smallest subnormal)
        math.log(3.4028234663852886e38), 88.7, 87.33654475055310898, 103.27892990343185,
        # float64: log(DBL_MAX), log(DBL_MIN), log(smallest subnormal)
        709.782712893384, 709.8, 708.3964185322641, 745.1332191019411,
        # where tanh' = 4 e^-2|x| leaves the normal range (float32, float64)
        44.36, 354.4,
        # where the gelu / gelu_tanh negative tails leave the normal range
        13.19, 37.62, 10.6, 21.5,
        # the softplus threshold
        20.0,
    ]
    for e in edges:
        for s in (1, -1):
            base = round_to(dtype, s * e)
            if not math.isfinite(base):
                continue
            add(base)
            for st in (-2, -1, 1, 2):
                add(next_up(dtype, base, st))
            for d in (0.05, 0.5):
                add(base + d)
                add(base - d)
    # around the roots of gelu' and gelu_tanh' (-0.75179, -0.75246), where f'
    # is a cancelling difference: the nearest inputs on both sides and
    # distances 1e-8 .. 1e-3
    for root in derivative_roots():
        base = round_to(dtype, root)
        for st in (-2, -1, 0, 1, 2):
            add(next_up(dtype, base, st))
        for k in range(3, 9):
            add(root + mpf(10) ** -k)
            add(root - mpf(10) ** -k)
    # --dense N: N extra random inputs (log-uniform magnitudes 1e-30 .. 1e6 and
    # uniform on [-40, 40] and [-800, 800], random signs), for a stress run
    rng = random.Random(seed)
    for k in range(dense):
        kind = k % 3
        if kind == 0:
            add(rng.choice((1, -1)) * 10 ** rng.uniform(-30, 6))
        elif kind == 1:
            add(rng.uniform(-40, 40))
        else:
            add(rng.uniform(-800, 800))
    return sorted(cands)


# ---------------------------------------------------------------- exact functions


def sigmoid(x):
    if x >= 0:
        return 1 / (1 + mp.exp(-x))
    e = mp.exp(x)
    return e / (1 + e)


def sigmoid_d(x):
    e = mp.exp(-abs(x))
    return e / (1 + e) ** 2


def exact(fn, x):
    """(f, f') of the named function at the exact value x (an mpf)."""
    if fn == "sigmoid":
        return sigmoid(x), sigmoid_d(x)
    if fn == "tanh":
        # tanh' = sech^2 = 4 e^-2|x| / (1 + e^-2|x|)^2: no 1 - tanh^2 cancellation
        e = mp.exp(-2 * abs(x))
        return mp.tanh(x), 4 * e / (1 + e) ** 2
    if fn == "relu":
        return (x if x > 0 else mpf(0)), (mpf(1) if x > 0 else mpf(0))
    if fn == "leaky_relu":
        a = mpf(LEAKY_SLOPE)
        return (x if x > 0 else a * x), (mpf(1) if x > 0 else a)
    if fn == "prelu":
        a = mpf(PRELU_ALPHA)
        return (x if x > 0 else a * x), (mpf(1) if x > 0 else a)
    if fn == "linear":
        return x, mpf(1)
    if fn == "rrelu":  # eval mode: the mean slope (1/8 + 1/3) / 2; the slope at 0, as leaky_relu
        a = (mpf(RRELU_LOWER) + mpf(1) / RRELU_UPPER_DENOMINATOR) / 2
        return (x if x > 0 else a * x), (mpf(1) if x > 0 else a)
    if fn == "elu":
        a = mpf(ELU_ALPHA)
        return (x if x > 0 else a * mp.expm1(x)), (mpf(1) if x > 0 else a * mp.exp(x))
    if fn == "softplus":
        beta, thr = mpf(SOFTPLUS_BETA), mpf(SOFTPLUS_THRESHOLD)
        z = beta * x
        if z > thr:
            return x, mpf(1)
        return mp.log1p(mp.exp(z)) / beta, sigmoid(z)
    if fn == "gelu":
        # Phi(x) = erfc(-x/sqrt2)/2: no 1 + erf cancellation in the negative tail
        phi_cdf = mp.erfc(-x / mp.sqrt(2)) / 2
        phi = mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)
        return x * phi_cdf, phi_cdf + x * phi
    if fn == "gelu_tanh":
        c = mp.sqrt(2 / mp.pi)
        k = mpf(GELU_CUBIC)
        u = c * (x + k * x ** 3)
        du = c * (1 + 3 * k * x * x)
        s = sigmoid(2 * u)  # (1 + tanh u)/2 = sigmoid(2u)
        return x * s, s + 2 * x * du * sigmoid_d(2 * u)
    raise ValueError(fn)


def derivative_roots():
    """The roots of gelu' and gelu_tanh' (near -0.7518 and -0.7525)."""
    with mp.workprec(PREC):
        return [mp.findroot(lambda x: exact(fn, x)[1], mpf("-0.75")) for fn in ("gelu", "gelu_tanh")]


def fmt(v):
    if mpmath.isnan(v):
        return "nan"
    if mpmath.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    return mpmath.nstr(v, DIGITS, min_fixed=0, max_fixed=0)


def agree(a, b):
    if mpmath.isnan(a) or mpmath.isnan(b):
        return mpmath.isnan(a) and mpmath.isnan(b)
    if mpmath.isinf(a) or mpmath.isinf(b) or a == 0 or b == 0:
        return a == b
    return abs(a - b) <= abs(b) * mpf(10) ** -40


def exact_checked(fn, x, exact=exact):
    with mp.workprec(PREC):
        f, df = exact(fn, mpf(x))
    with mp.workprec(CHECK_PREC):
        f2, df2 = exact(fn, mpf(x))
        if not (agree(f, f2) and agree(df, df2)):
            raise RuntimeError(f"{fn}({x!r}): 256-bit and 384-bit values disagree")
    return f, df


# ---------------------------------------------------------------- softmax


def softmax_cases():
    rng = random.Random(20240611)
    cases = [
        ("one_to_five", [1, 2, 3, 4, 5]),
        ("pm_1e4", [1e4, -1e4]),
        ("near_1e4", [1e4, 1e4 - 1, 1e4 - 2, 1e4 - 0.5]),
        ("neg_1e4", [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3]),
        ("spread", [0, -1, -10, -20, -40, -80, -200, -700, -740, -1e4]),
        ("tiny_tail_50", [0, -50]),
        ("tiny_tail_40", [3, -37]),
        ("tiny_diff", [1e-30, 0, -1e-30]),
        ("equal", [3, 3, 3, 3]),
        ("pm_88", [88.7, -88.7, 0]),
        ("pm_709", [709.8, -709.8, 0]),
        ("pm_1e6", [1e6, -1e6, 0, 1]),
        ("single", [42]),
        ("two_max", [5, 5, -5, 0.25]),
        ("neg_inf", [0, -math.inf, 1]),
        ("nan", [1, math.nan, 2]),
        ("random_10", [rng.gauss(0, 1) for _ in range(10)]),
        ("random_wide_100", [rng.gauss(0, 30) for _ in range(100)]),
        ("random_1000", [rng.uniform(-1, 1) for _ in range(1000)]),
    ]
    return cases


def exact_softmax(xs):
    """(softmax, log_softmax) of the exact logits xs (mpfs); m = max, k = its index.

    log_softmax = (x_i - m) - log1p(sum_{j != k} e^(x_j - m)): log(1 + tiny)
    would lose a tail below 2^-prec.
    """
    if any(mpmath.isnan(v) for v in xs) or any(v == mpmath.inf for v in xs):
        n = len(xs)
        return [mpmath.nan] * n, [mpmath.nan] * n
    m = max(xs)
    k = xs.index(m)
    rest = mpmath.fsum(mp.exp(v - m) for j, v in enumerate(xs) if j != k)
    l1p = mp.log1p(rest)
    total = 1 + rest
    sm = [mp.exp(v - m) / total for v in xs]
    lsm = [(v - m) - l1p for v in xs]
    return sm, lsm


def exact_softmax_checked(xs):
    with mp.workprec(PREC):
        a = exact_softmax([mpf(v) for v in xs])
    with mp.workprec(CHECK_PREC):
        b = exact_softmax([mpf(v) for v in xs])
    for u, w in zip(a[0] + a[1], b[0] + b[1]):
        if not agree(u, w):
            raise RuntimeError(f"softmax {xs[:4]}...: 256-bit and 384-bit values disagree")
    return a


# ---------------------------------------------------------------- main


def hexx(v):
    return float.hex(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(here, "..", "tests", "data"))
    ap.add_argument("--dense", type=int, default=0, metavar="N",
                    help="add N random inputs per dtype (a stress run; keep the checked-in file at 0)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the --dense inputs")
    ap.add_argument("--tables", default="activation,softmax,catalogue,second",
                    help="comma-separated: activation, softmax, catalogue, second (default: all)")
    args = ap.parse_args()
    tables = set(args.tables.split(","))
    os.makedirs(args.out_dir, exist_ok=True)
    if "activation" in tables:
        write_activation_table(args)
    if "softmax" in tables:
        write_softmax_table(args)
    if "catalogue" in tables:
        write_catalogue_table(args)
    if "second" in tables:
        write_second_table(args)


def exact_second_checked(fn, x):
    with mp.workprec(PREC):
        v = exact_second(fn, mpf(x))
    with mp.workprec(CHECK_PREC):
        if not agree(v, exact_second(fn, mpf(x))):
            raise RuntimeError(f"{fn}''({x!r}): 256-bit and 384-bit values disagree")
    return v


def write_second_table(args):
    path = os.path.join(args.out_dir, "catalogue_second_reference.csv")
    rows = 0
    with open(path, "w") as out:
        out.write("function,dtype,x,d2f\n")
        for dtype in DTYPES:
            common = inputs_for(dtype, args.dense, args.seed) + [round_to(dtype, v) for v in huge_inputs(dtype)]
            for fn in SECOND:
                xs = set(common)
                hard = second_hard_points(fn, dtype, round_to, next_up, PREC)
                if fn in CATALOGUE:
                    hard += hard_points(fn, dtype, round_to, next_up, PREC)
                for v in hard:
                    r = round_to(dtype, v)
                    if math.isfinite(r):
                        xs.add(r)
                for x in sorted(xs):
                    out.write(f"{fn},{dtype},{hexx(x)},{fmt(exact_second_checked(fn, x))}\n")
                    rows += 1
                out.write(f"{fn},{dtype},nan,nan\n")  # NaN in gives NaN out
                rows += 1
            print(f"second {dtype}: {len(common)} common inputs per function")
    print(f"wrote {path}: {rows} rows, {os.path.getsize(path)} bytes")


def write_catalogue_table(args):
    path = os.path.join(args.out_dir, "catalogue_reference.csv")
    rows = 0
    with open(path, "w") as out:
        out.write("function,dtype,x,f,df\n")
        for dtype in DTYPES:
            common = inputs_for(dtype, args.dense, args.seed) + [round_to(dtype, v) for v in huge_inputs(dtype)]
            for fn in CATALOGUE:
                xs = set(common)
                for v in hard_points(fn, dtype, round_to, next_up, PREC):
                    r = round_to(dtype, v)
                    if math.isfinite(r):
                        xs.add(r)
                for x in sorted(xs):
                    f, df = exact_checked(fn, x, exact_catalogue)
                    out.write(f"{fn},{dtype},{hexx(x)},{fmt(f)},{fmt(df)}\n")
                    rows += 1
                out.write(f"{fn},{dtype},nan,nan,nan\n")  # NaN in gives NaN out
                rows += 1
            print(f"catalogue {dtype}: {len(common)} common inputs per function")
    print(f"wrote {path}: {rows} rows, {os.path.getsize(path)} bytes")


def write_activation_table(args):
    act_path = os.path.join(args.out_dir, "activation_reference.csv")
    rows = 0
    with open(act_path, "w") as out:
        out.write("function,dtype,x,f,df\n")
        for dtype in DTYPES:
            xs = inputs_for(dtype, args.dense, args.seed)
            for fn in FUNCTIONS:
                for x in xs:
                    f, df = exact_checked(fn, x)
                    out.write(f"{fn},{dtype},{hexx(x)},{fmt(f)},{fmt(df)}\n")
                    rows += 1
                out.write(f"{fn},{dtype},nan,nan,nan\n")  # NaN in gives NaN out
                rows += 1
            print(f"{dtype}: {len(xs)} inputs per function")
    print(f"wrote {act_path}: {rows} rows, {os.path.getsize(act_path)} bytes")


def write_softmax_table(args):
    sm_path = os.path.join(args.out_dir, "softmax_reference.csv")
    rows = 0
    with open(sm_path, "w") as out:
        out.write("case,dtype,n,i,x,softmax,log_softmax\n")
        for dtype in DTYPES:
            for name, logits in softmax_cases():
                xs = [round_to(dtype, v) for v in logits]
                sm, lsm = exact_softmax_checked(xs)
                for i, (x, s, l) in enumerate(zip(xs, sm, lsm)):
                    out.write(f"{name},{dtype},{len(xs)},{i},{hexx(x)},{fmt(s)},{fmt(l)}\n")
                    rows += 1
    print(f"wrote {sm_path}: {rows} rows, {os.path.getsize(sm_path)} bytes")


if __name__ == "__main__":
    main()
