#!/usr/bin/python3
"""Prints the series constants of the catalogue activations (mpmath, 300 bits).

    /usr/bin/python3 tools/catalogue_series.py

  - silu' and mish' about their roots x0 (f'(x0) = 0): x0 = hi + lo (hi the
    nearest double, lo the rest to 64 bits) and c_k = f^(k+1)(x0) / k!,
    f'(x0 + h) = sum_{k=1..N} c_k h^k, with N chosen so that the first omitted
    term is below 2^-70 of the sum for |h| <= RADIUS;
  - tanhshrink: x - tanh(x) = x^3 sum_k t_k x^(2k) for |x| <= TANHSHRINK_RADIUS.
The numbers are pasted into core/include/xgrad/core/activations/{silu,mish,tanhshrink}.hpp.
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


def root_series(name, f):
    df = lambda x: mp.diff(f, x)
    x0 = mp.findroot(df, mpf("-1.2"))
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
