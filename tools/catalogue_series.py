#!/usr/bin/python3
"""Prints the series constants of the catalogue activations (mpmath, 300 bits).

    /usr/bin/python3 tools/catalogue_series.py

  - silu' and mish' about their roots x0 (f'(x0) = 0): x0 = hi + lo (hi the
    nearest double, lo the rest to 64 bits) and c_k = f^(k+1)(x0) / k!,
    f'(x0 + h) = sum_{k=1..N} c_k h^k, with N chosen so that the first omitted
    term is below 2^-70 of the sum for |h| <= RADIUS;
  - tanhshrink: x - tanh(x) = x^3 sum_k t_k x^(2k) for |x| <= TANHSHRINK_RADIUS;
  - f'' about its roots (silu'' and gelu_tanh'' are even: their positive root;
    mish'': both), the same way: f''(x0 + h) = sum_{k=1..N} c_k h^k,
    c_k = f^(k+2)(x0) / k!, as a struct D2Root... to paste.
The numbers are pasted into core/include/xgrad/core/activations/{silu,mish,tanhshrink,gelu}.hpp.
"""
import mpmath
from mpmath import mp, mpf

mp.prec = 300
RADIUS = mpf(2) ** -6
TANHSHRINK_RADIUS = mpf(2) ** -3


def silu(x):
    return x / (1 + mp.exp(-x))


def mish(x):
    return x * mp.tanh(mp.log1p(mp.exp(x)))


def ld_split(v):
    hi = float(v)
    rest = v - mpf(hi)
    # lo to 64 significant bits (a long double literal)
    lo = mpmath.nstr(rest, 25, min_fixed=0, max_fixed=0)
    return hi, lo


def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def silu2(x):
    s = sigmoid(x)
    return s * (1 - s) * (2 + x * (1 - 2 * s))


def mish2(x):
    s, t = sigmoid(x), mp.tanh(mp.log1p(mp.exp(x)))
    return (1 - t * t) * s * (2 + x * (1 - s - 2 * t * s))


def gelu_tanh2(x):
    c, k = mp.sqrt(2 / mp.pi), mpf("0.044715")
    z = 2 * c * (x + k * x ** 3)
    dz, d2z = 2 * c * (1 + 3 * k * x * x), 12 * c * k * x
    s = sigmoid(z)
    return s * (1 - s) * (2 * dz + x * d2z + x * dz * dz * (1 - 2 * s))


def root_series(name, f, start="-1.2", struct=None):
    """f is the function whose root is wanted (f' for the first uses, f'' for D2Root)."""
    df = f if struct else (lambda x: mp.diff(f, x))
    x0 = mp.findroot(df, mpf(start))
    # Taylor coefficients of f' about x0: f'(x0 + h) = sum_k c_k h^k
    coeffs = mp.taylor(df, x0, 30)
    assert abs(coeffs[0]) < mpf(10) ** -80
    n = 1
    while True:
        tail = abs(coeffs[n + 1]) * RADIUS ** (n + 1)
        if tail < abs(coeffs[1]) * RADIUS * mpf(2) ** -70:
            break
        n += 1
    hi, lo = ld_split(x0)
    if struct:
        print(f"// {name}: root of f'' x0 = {mpmath.nstr(x0, 40)}, {n} terms for |h| <= {float(RADIUS)}")
        print(f"struct {struct} {{")
        print(f"  static constexpr long double root_hi = {float.hex(hi)}L;  // {hi!r}")
        print(f"  static constexpr long double root_lo = {lo}L;")
        print(f"  static constexpr long double root_radius = 0x1p-6L;")
        print(f"  static constexpr long double root_series[{n}] = {{")
        for k in range(1, n + 1):
            print(f"      {mpmath.nstr(coeffs[k], 25, min_fixed=0, max_fixed=0)}L,")
        print("  };")
        print("};")
        print()
        return
    print(f"// {name}: root of f' x0 = {mpmath.nstr(x0, 40)}, {n} terms for |h| <= {float(RADIUS)}")
    print(f"static constexpr long double root_hi = {float.hex(hi)}L;  // {hi!r}")
    print(f"static constexpr long double root_lo = {lo}L;")
    print(f"static constexpr long double root_series[{n}] = {{")
    for k in range(1, n + 1):
        print(f"    {mpmath.nstr(coeffs[k], 25, min_fixed=0, max_fixed=0)}L,")
    print("};")
    print()


def tanhshrink_series():
    g = lambda x: x - mp.tanh(x)
    coeffs = mp.taylor(g, 0, 60)
    odd = [coeffs[k] for k in range(3, 60, 2)]
    n = 1
    r2 = TANHSHRINK_RADIUS ** 2
    while abs(odd[n]) * r2 ** n >= abs(odd[0]) * mpf(2) ** -70:
        n += 1
    print(f"// tanhshrink: x - tanh(x) = x^3 sum t_k x^2k, {n} terms for |x| <= {float(TANHSHRINK_RADIUS)}")
    print(f"static constexpr long double series[{n}] = {{")
    for k in range(n):
        print(f"    {mpmath.nstr(odd[k], 25, min_fixed=0, max_fixed=0)}L,")
    print("};")


if __name__ == "__main__":
    root_series("silu", silu)
    root_series("mish", mish)
    tanhshrink_series()
    print()
    root_series("silu''", silu2, "2.4", "D2Root")
    root_series("mish'' (negative root)", mish2, "-2.26", "D2RootNeg")
    root_series("mish'' (positive root)", mish2, "1.49", "D2RootPos")
    root_series("gelu_tanh''", gelu_tanh2, "1.42", "GeluTanhD2Root")
