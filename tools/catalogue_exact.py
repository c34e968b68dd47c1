"""Exact f and f' of the catalogue activations (mpmath), for tools/make_reference.py.

PyTorch's definitions and defaults (squareplus: Keras's), with each kink's
derivative as PyTorch 1.13 computes it (tests/data/kink_reference.csv):

    selu                 f'(0) = scale alpha
    celu (alpha 1)       f'(0) = 1
    silu, mish, logsigmoid, tanhshrink, softsign (f'(0) = 1), squareplus (b 4)
    hardswish            f'(-3) = -1/2, f'(3) = 3/2 (the middle piece on [-3, 3])
    hardtanh (-1, 1)     f'(-1) = f'(1) = 0
    relu6                f'(0) = f'(6) = 0
    hardsigmoid          f'(-3) = f'(3) = 0, 1/6 strictly inside
    softshrink (0.5)     f'(+-0.5) = 0
    hardshrink (0.5)     f(+-0.5) = f'(+-0.5) = 0
    threshold (0.1, 20)  f(0.1) = 20, f'(0.1) = 0  (no defaults: PyTorch's docs example)

Formulas are the stable ones (no 1 - t^2 or 1 + erf style cancellation);
x - tanh(x) near 0 gets extra precision, -3 log2|x| bits.
"""
import math

import mpmath
from mpmath import mp, mpf

CATALOGUE = ["selu", "celu", "silu", "mish", "logsigmoid", "tanhshrink", "softsign", "squareplus",
             "hardswish", "hardtanh", "relu6", "hardsigmoid", "softshrink", "hardshrink", "threshold"]

# The reference parameters: the defaults, and threshold's from PyTorch's documentation.
PARAMS = {
    "celu": {"alpha": "1"},
    "squareplus": {"b": "4"},
    "hardtanh": {"min_val": "-1", "max_val": "1"},
    "softshrink": {"lambd": "0.5"},
    "hardshrink": {"lambd": "0.5"},
    "threshold": {"threshold": "0.1", "value": "20"},
}
SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"


def param(fn, name):
    """A parameter as the double the user passes (threshold 0.1 is 0.1000000000000000055...):
    compared with x, only that value has a meaning."""
    return mpf(float(PARAMS[fn][name]))


def sigmoid(x):
    if x >= 0:
        return 1 / (1 + mp.exp(-x))
    e = mp.exp(x)
    return e / (1 + e)


def exact_catalogue(fn, x):
    """(f, f') of the named catalogue function at the exact value x (an mpf)."""
    one, zero = mpf(1), mpf(0)
    if fn == "selu":
        a, s = mpf(SELU_ALPHA), mpf(SELU_SCALE)
        return (s * x, s) if x > 0 else (s * a * mp.expm1(x), s * a * mp.exp(x))
    if fn == "celu":
        a = param(fn, "alpha")
        return (x, one) if x > 0 else (a * mp.expm1(x / a), mp.exp(x / a))
    if fn == "silu":
        s, t = sigmoid(x), sigmoid(-x)  # t = 1 - s
        return x * s, s * (1 + x * t)
    if fn == "mish":
        sp = mp.log1p(mp.exp(x))
        return x * mp.tanh(sp), mp.tanh(sp) + x * mp.sech(sp) ** 2 * sigmoid(x)
    if fn == "logsigmoid":
        return -mp.log1p(mp.exp(-x)), sigmoid(-x)
    if fn == "tanhshrink":
        extra = 10 + (int(-3 * math.log2(abs(float(x)))) if x != 0 and abs(x) < 1 else 0)
        with mp.extraprec(extra):
            f = x - mp.tanh(x)
        return +f, mp.tanh(x) ** 2
    if fn == "softsign":
        d = 1 + abs(x)
        return x / d, 1 / (d * d)
    if fn == "squareplus":
        b = param(fn, "b")
        r = mp.sqrt(x * x + b)
        if x >= 0:
            return (x + r) / 2, (1 + x / r) / 2
        return b / (2 * (r - x)), b / (2 * r * (r - x))
    if fn == "hardswish":
        if x < -3:
            return zero, zero
        if x > 3:
            return x, one
        return x * (x + 3) / 6, (2 * x + 3) / 6
    if fn == "hardtanh":
        lo, hi = param(fn, "min_val"), param(fn, "max_val")
        return min(max(x, lo), hi), (one if lo < x < hi else zero)
    if fn == "relu6":
        return min(max(x, zero), mpf(6)), (one if 0 < x < 6 else zero)
    if fn == "hardsigmoid":
        return min(max(x + 3, zero), mpf(6)) / 6, (one / 6 if -3 < x < 3 else zero)
    if fn == "softshrink":
        lam = param(fn, "lambd")
        if x > lam:
            return x - lam, one
        if x < -lam:
            return x + lam, one
        return zero, zero
    if fn == "hardshrink":
        lam = param(fn, "lambd")
        return (x, one) if abs(x) > lam else (zero, zero)
    if fn == "threshold":
        th, v = param(fn, "threshold"), param(fn, "value")
        return (x, one) if x > th else (v, zero)
    raise ValueError(fn)


def kinks(fn):
    """The points where f or f' is not smooth (and hardswish's root of f', -3/2), at the reference parameters."""
    return {
        "selu": [0], "celu": [0], "softsign": [0], "hardswish": [-3, 3, -1.5],
        "hardtanh": [-1, 1], "relu6": [0, 6], "hardsigmoid": [-3, 3],
        "softshrink": [-0.5, 0.5], "hardshrink": [-0.5, 0.5], "threshold": [0.1],
    }.get(fn, [])


def derivative_root(fn, prec):
    """The root of silu' (-1.27846) or mish' (-1.19243)."""
    with mp.workprec(prec):
        return mp.findroot(lambda x: exact_catalogue(fn, x)[1], mpf("-1.2"))


def points_around(v, dtype, round_to, next_up, decades=True):
    """v rounded to dtype and its neighbours 1..3 ulps either side; with decades also v +- 1e-3..1e-8."""
    base = round_to(dtype, v)
    pts = [next_up(dtype, base, st) for st in range(-3, 4)]
    if decades:
        for k in range(3, 9):
            pts += [v + mpf(10) ** -k, v - mpf(10) ** -k]
    return pts


def hard_points(fn, dtype, round_to, next_up, prec):
    """The function's own hard inputs: kinks +- 0..3 ulps and +- 1e-8..1e-3, the
    root of f' (nearest inputs on both sides and 1e-8..1e-3 away) and the edges
    of the series windows of the definitions (root +- 2^-6, tanhshrink's +-1/8)."""
    pts = []

    def around(v, decades=True):
        pts.extend(points_around(v, dtype, round_to, next_up, decades))

    for k in kinks(fn):
        around(mpf(k))
    if fn in ("silu", "mish"):
        root = derivative_root(fn, prec)
        around(root)
        for k in range(9, 20):
            pts.append(root + mpf(10) ** -k)
            pts.append(root - mpf(10) ** -k)
        for edge in (root - mpf(2) ** -6, root + mpf(2) ** -6):
            around(edge, decades=False)
    if fn == "tanhshrink":
        for edge in (mpf(1) / 8, -mpf(1) / 8):
            around(edge, decades=False)
    if fn == "logsigmoid":
        pts += [mpf(-300), mpf(300)]  # PyTorch issue 1835: logsigmoid(-300) was -inf
    return pts


def huge_inputs(dtype):
    """|x| beyond the common 1e6: float32's largest, and float64's up to DBL_MAX."""
    vals = [1e10, 1e20, 3.4028234663852886e38]
    if dtype == "float64":
        vals += [1e100, 1.3407807929942596e154, 1e155, 1e300, 1.7976931348623157e308]
    return [s * v for v in vals for s in (1, -1)]


# ---------------------------------------------------------------- f''
# Every elementwise activation of the catalogue (the activation table's ones
# too), at the reference parameters of make_reference.py and above. On linear
# pieces and at kinks f'' = 0, as PyTorch 1.13's double backward gives it
# (elu, selu, celu: 0 at x = 0; softplus: 0 from the threshold on; hardswish:
# 1/3 strictly inside (-3, 3); softsign: 0 at 0).
ZERO_SECOND = ["linear", "relu", "leaky_relu", "prelu", "rrelu", "hardtanh", "relu6", "hardsigmoid",
               "softshrink", "hardshrink", "threshold"]
SECOND = ["sigmoid", "tanh", "elu", "softplus", "gelu", "gelu_tanh"] + CATALOGUE + ["linear", "relu", "leaky_relu",
                                                                                 "prelu", "rrelu"]


def exact_second(fn, x):
    """f''(x) at the exact value x (an mpf), from stable forms (no 1 - s, 1 - t^2 cancellation).
    Large |x| gets 3 log2|x| extra bits: e^-z of a rounded z = O(x^3) (gelu_tanh) or
    sech(softplus(x)) (mish) would otherwise lose them."""
    zero = mpf(0)
    if fn in ZERO_SECOND:
        return zero
    if abs(x) > 1:
        with mp.extraprec(3 * int(mp.log(abs(x), 2)) + 10):
            return +exact_second_core(fn, x)
    return exact_second_core(fn, x)


def exact_second_core(fn, x):
    zero = mpf(0)
    s, t = sigmoid(x), sigmoid(-x)  # t = 1 - s
    if fn == "sigmoid":
        return s * t * -mp.tanh(x / 2)  # 1 - 2s = -tanh(x/2)
    if fn == "tanh":
        return -2 * mp.tanh(x) * mp.sech(x) ** 2
    if fn == "tanhshrink":
        return 2 * mp.tanh(x) * mp.sech(x) ** 2
    if fn == "logsigmoid":
        return -s * t
    if fn == "elu":
        return mp.exp(x) if x < 0 else zero  # alpha 1
    if fn == "selu":
        return mpf(SELU_SCALE) * mpf(SELU_ALPHA) * mp.exp(x) if x < 0 else zero
    if fn == "celu":
        a = param(fn, "alpha")
        return mp.exp(x / a) / a if x < 0 else zero
    if fn == "softplus":  # beta 1, threshold 20: 0 from the threshold on (PyTorch: beta x < threshold)
        return s * t if x < 20 else zero
    if fn == "gelu":
        return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi) * (2 - x * x)
    if fn == "gelu_tanh":
        c, k = mp.sqrt(2 / mp.pi), mpf("0.044715")
        z = 2 * c * (x + k * x ** 3)
        dz, d2z = 2 * c * (1 + 3 * k * x * x), 12 * c * k * x
        sz, tz = sigmoid(z), sigmoid(-z)
        return sz * tz * (2 * dz + x * d2z - x * dz * dz * mp.tanh(z / 2))
    if fn == "silu":
        return s * t * (2 - x * mp.tanh(x / 2))
    if fn == "mish":
        sp = mp.log1p(mp.exp(x))
        th = mp.tanh(sp)
        return mp.sech(sp) ** 2 * s * (2 + x * (t - 2 * th * s))
    if fn == "softsign":
        return zero if x == 0 else -2 * mp.sign(x) / (1 + abs(x)) ** 3
    if fn == "squareplus":
        b = param(fn, "b")
        return b / (2 * mp.sqrt(x * x + b) ** 3)
    if fn == "hardswish":
        return mpf(1) / 3 if -3 < x < 3 else zero
    raise ValueError(fn)


def second_kinks(fn):
    """Where f'' jumps, at the reference parameters (the f/f' kinks and elu's, relu's family's 0)."""
    extra = {"elu": [0], "relu": [0], "leaky_relu": [0], "prelu": [0], "rrelu": [0], "softplus": [20]}
    return kinks(fn) + extra.get(fn, [])


def second_roots(fn):
    """The roots of f'' (where its relative error needs care): approximate starts."""
    return {"sigmoid": ["0"], "tanh": ["0"], "tanhshrink": ["0"], "gelu": ["-1.4142", "1.4142"],
            "gelu_tanh": ["-1.4185", "1.4185"], "silu": ["-2.3994", "2.3994"],
            "mish": ["-2.2564", "1.4906"]}.get(fn, [])


def second_hard_points(fn, dtype, round_to, next_up, prec):
    """kinks of f and f'' +- 0..3 ulps and +- 1e-8..1e-3; the roots of f'' (nearest
    inputs on both sides, 1e-19..1e-3 away) and the edges of the series windows (+- 2^-6)."""
    pts = []

    def around(v, decades=True):
        pts.extend(points_around(v, dtype, round_to, next_up, decades))

    for k in second_kinks(fn):
        around(mpf(k))
    for start in second_roots(fn):
        with mp.workprec(prec):
            root = mpf(0) if start == "0" else mp.findroot(lambda x: exact_second(fn, x), mpf(start))
        around(root)
        for k in range(9, 20):
            pts.append(root + mpf(10) ** -k)
            pts.append(root - mpf(10) ** -k)
        if fn in ("silu", "mish", "gelu_tanh"):
            for edge in (root - mpf(2) ** -6, root + mpf(2) ** -6):
                around(edge, decades=False)
    return pts
