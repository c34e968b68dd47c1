#!/usr/bin/python3
"""Writes core/src/kernels/gelu_tables.inc: the float32 tables behind the
vectorised gelu kernel (core/src/kernels/activation_kernels.inc, "gelu").

With a = |x|, q = Phi(-a) = e^(-a^2/2) R(a), R(a) = Phi(-a) e^(a^2/2):
  gelu(x)  = -e^(-a^2/2) S(a)       (x < 0)      S(a) = a R(a)
           =  x - e^(-a^2/2) S(a)   (x >= 0)
  gelu'(x) =  e^(-a^2/2) D(a)       (x < 0)      D(a) = R(a) - a / sqrt(2 pi)
           =  1 - e^(-a^2/2) D(a)   (x >= 0)
S and D are tabulated on 32 intervals of [0, 15) (eight per octave of a + 1,
so that the interval index is bits 20..24 of the float a + 1) as degree-5
polynomials in t = a - mid: Chebyshev interpolants of mpmath values, the
coefficients rounded to float32. Relative accuracy needs two special cases:
  - S(0) = 0: on [0, 1/8) mid = 0 and the constant term is exactly 0.
  - D has a root a0 = 0.7518 (gelu' = 0 at x = -a0): the two intervals around
    it are centred on float32(a0) and fitted as (t - delta) Q(t), so that the
    polynomial keeps its relative accuracy up to the root.
The table position of interval i is (i + 24) mod 32: the lookup reads the low
five bits of (bits(a + 1) >> 20), whose offset for a + 1 in [1, 2) is 1016.
For the AVX2 build (no two-table permute, where a vpermps reads one of eight
floats) S and D also get a second table of eight intervals, two per octave of
a + 1 (index bits 22..24, interval i at position (i + 6) mod 8), with degree-7
polynomials fitted for the least maximum relative error with float32
coefficients rounded one at a time (each later coefficient refitted), centred
as above (mid = 0 on [0, 1/2), D's second interval on float32(a0) with the constant
term -delta D'(a0), delta = a0 - mid).
Also writes the polynomial for e^(-s/2) - 1 = s E(s) on |s| <= ln 2 (the
reduced argument of e^(-a^2/2)), and F in e^(-s/2) = 1 - s/2 + s^2 F(s)
(AVX2). Prints the worst relative errors of the
float32 coefficients in exact arithmetic. Needs mpmath and numpy
(python3-mpmath, python3-numpy).
"""
import os
import mpmath as mp
import numpy as np

mp.mp.dps = 40
DEG = 5          # S and D
PER_OCTAVE = 8   # intervals per octave of a + 1: 4 octaves, 32 intervals
EXP_DEG = 5      # E
C = 1 / mp.sqrt(2 * mp.pi)


def R(a):
    a = mp.mpf(a)
    return 0.5 * mp.erfc(a / mp.sqrt(2)) * mp.exp(a * a / 2)


def S(a):
    return mp.mpf(a) * R(a)


def D(a):
    return R(a) - mp.mpf(a) * C


def f32(x):
    return float(np.float32(float(x)))


A0 = mp.findroot(D, 0.75)
INTERVALS = [(2**e * (1 + m / PER_OCTAVE) - 1, 2**e * (1 + (m + 1) / PER_OCTAVE) - 1)
             for e in range(4) for m in range(PER_OCTAVE)]


def chebyshev(fun, lo, hi, mid, n):
    """Coefficients in powers of (a - mid) of the interpolant of fun at n Chebyshev nodes of [lo, hi]."""
    nodes = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (k + mp.mpf(0.5)) / n) for k in range(n)]
    m = mp.matrix([[(t - mid) ** j for j in range(n)] for t in nodes])
    return list(mp.lu_solve(m, mp.matrix([fun(t) for t in nodes])))


def table(fun):
    mids, coefs, worst = [], [], 0.0
    for lo, hi in INTERVALS:
        if fun is D and lo - 0.05 <= A0 < hi + 0.05:
            mid = mp.mpf(f32(A0))
            delta = A0 - mid
            q = chebyshev(lambda a: D(a) / (a - A0), lo, hi, mid, DEG)
            cs = [-delta * q[0]] + [q[j - 1] - delta * (q[j] if j < DEG else 0) for j in range(1, DEG + 1)]
        elif lo == 0:
            mid = mp.mpf(0)
            cs = ([mp.mpf(0)] + chebyshev(R, lo, hi, mid, DEG)) if fun is S else chebyshev(fun, lo, hi, mid, DEG + 1)
        else:
            mid = mp.mpf(f32((lo + hi) / 2))
            cs = chebyshev(fun, lo, hi, mid, DEG + 1)
        c32 = [f32(c) for c in cs]
        for a in np.linspace(lo, hi, 200)[1:]:
            t = mp.mpf(a) - mid
            p = mp.mpf(0)
            for c in reversed(c32):
                p = p * t + c
            exact = fun(a)
            worst = max(worst, abs(float((p - exact) / exact)))
        mids.append(f32(mid))
        coefs.append(c32)
    return mids, coefs, worst


def emit(name, mids, coefs):
    n = len(INTERVALS)
    order = [0] * n
    for i in range(n):
        order[(i + 24) % n] = i
    out = "constexpr float %sMid[%d] = {%s};\n" % (name, n, ", ".join(float(mids[i]).hex() + "f" for i in order))
    out += "constexpr float %s[%d][%d] = {\n" % (name, DEG + 1, n)
    for j in range(DEG + 1):
        out += "    {" + ", ".join(float(coefs[i][j]).hex() + "f" for i in order) + "},\n"
    return out + "};\n"


def horner(cs, s):
    p = mp.mpf(0)
    for c in reversed(cs):
        p = p * s + c
    return p


def exp_worst(h, approx):
    """The worst relative error of approx(s) against e^(-s/2) on 2001 points of [-h, h]."""
    worst = 0.0
    for s in np.linspace(-float(h), float(h), 2001):
        exact = mp.exp(-mp.mpf(s) / 2)
        worst = max(worst, abs(float((approx(mp.mpf(s)) - exact) / exact)))
    return worst


def exp_poly():
    h = mp.log(2) + mp.mpf(1e-4)
    e = lambda s: mp.mpf(-0.5) + s / 8 if abs(s) < 1e-20 else (mp.exp(-s / 2) - 1) / s
    cs = [f32(c) for c in chebyshev(e, -h, h, mp.mpf(0), EXP_DEG + 1)]
    return cs, exp_worst(h, lambda s: 1 + horner(cs, s) * s)


DEG8 = 7
INTERVALS8 = [(2**e * (1 + m / 2) - 1, 2**e * (1 + (m + 1) / 2) - 1) for e in range(4) for m in range(2)]


def fit_relative(fun, lo, hi, mid, deg, constant=None):
    """Least maximum relative error (Lawson's iteration) in powers of a - mid,
    the coefficients rounded to float32 one at a time from the constant up
    (the constant given, if it is)."""
    n = 240
    xs = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (k + mp.mpf(0.5)) / n) for k in range(n)]
    xs += [mp.mpf(hi)] + ([mp.mpf(lo)] if lo > 0 else [])  # the ends: a + 1 rounds onto them
    ys = np.array([float(fun(x)) for x in xs])
    ts = np.array([float(x - mid) for x in xs])
    v = np.vander(ts, deg + 1, increasing=True) / ys[:, None]
    cs = [] if constant is None else [constant]
    while len(cs) <= deg:
        k = len(cs)
        rhs = 1 - v[:, :k] @ np.array(cs) if k else np.ones(len(xs))
        w, best = np.ones(len(xs)) / len(xs), None
        for _ in range(60):
            sw = np.sqrt(w)
            c = np.linalg.lstsq(v[:, k:] * sw[:, None], rhs * sw, rcond=None)[0]
            e = np.abs(v[:, k:] @ c - rhs)
            if best is None or e.max() < best[0]:
                best = (e.max(), c)
            w = w * e + 1e-300
            w /= w.sum()
        cs.append(f32(best[1][0]))
    return cs


def table8(fun):
    mids, coefs, worst = [], [], 0.0
    for i, (lo, hi) in enumerate(INTERVALS8):
        hi = min(hi, 13.0)  # the kernel clamps a at 13
        if i == 0:
            mid = mp.mpf(0)
        elif fun is D and lo <= A0 < hi:
            mid = mp.mpf(f32(A0))
        else:
            mid = mp.mpf(f32((lo + hi) / 2))
        if fun is D and mid != 0 and lo <= A0 < hi:  # c0 = -delta D'(root): relative accuracy up to the root
            cs = fit_relative(fun, lo, hi, mid, DEG8, f32(-(A0 - mid) * mp.diff(D, A0)))
        else:
            cs = fit_relative(fun, lo, hi, mid, DEG8, 0.0 if fun is S and i == 0 else None)
        for a in np.linspace(lo, hi, 300)[1:]:
            p = mp.mpf(0)
            for c in reversed(cs):
                p = p * (mp.mpf(a) - mid) + c
            worst = max(worst, abs(float((p - fun(a)) / fun(a))))
        mids.append(f32(mid))
        coefs.append(cs)
    return mids, coefs, worst


def emit8(name, mids, coefs):
    order = [0] * 8
    for i in range(8):
        order[(i + 6) % 8] = i
    out = "alignas(32) constexpr float %s8Mid[8] = {%s};\n" % (name, ", ".join(float(mids[i]).hex() + "f" for i in order))
    out += "alignas(32) constexpr float %s8[%d][8] = {\n" % (name, DEG8 + 1)
    for j in range(DEG8 + 1):
        out += "    {" + ", ".join(float(coefs[i][j]).hex() + "f" for i in order) + "},\n"
    return out + "};\n"


def exp_poly2():
    """e^(-s/2) = 1 - s/2 + s^2 F(s) on |s| <= ln 2, F of degree EXP_DEG - 1: the
    AVX2 kernel adds the exact -s/2 last, so that F's roundings count s^2 times less."""
    h = mp.log(2) + mp.mpf(1e-4)
    f = lambda s: mp.mpf(1) / 8 - s / 48 if abs(s) < 1e-20 else (mp.exp(-s / 2) - 1 + s / 2) / (s * s)
    cs = [f32(c) for c in chebyshev(f, -h, h, mp.mpf(0), EXP_DEG)]
    return cs, exp_worst(h, lambda s: 1 - s / 2 + horner(cs, s) * s * s)


s_mids, s_coefs, s_worst = table(S)
d_mids, d_coefs, d_worst = table(D)
e_coefs, e_worst = exp_poly()
f_coefs, f_worst = exp_poly2()
print("e^(-s/2) as 1 - s/2 + s^2 F(s): %.2e" % f_worst)
print("worst relative error with float32 coefficients: S %.2e, D %.2e, e^(-s/2) %.2e" % (s_worst, d_worst, e_worst))
text = "// Generated by tools/gelu_table.py; do not edit.\n"
s8 = table8(S)
d8 = table8(D)
print("eight intervals, degree %d: S %.2e, D %.2e" % (DEG8, s8[2], d8[2]))
text += emit("kGeluS", s_mids, s_coefs) + emit("kGeluD", d_mids, d_coefs)
text += emit8("kGeluS", s8[0], s8[1]) + emit8("kGeluD", d8[0], d8[1])
text += "constexpr float kGeluExp[%d] = {%s};\n" % (EXP_DEG + 1, ", ".join(c.hex() + "f" for c in e_coefs))
text += "constexpr float kGeluExpF[%d] = {%s};\n" % (EXP_DEG, ", ".join(c.hex() + "f" for c in f_coefs))
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "src", "kernels", "gelu_tables.inc")
with open(path, "w") as f:
    f.write(text)
