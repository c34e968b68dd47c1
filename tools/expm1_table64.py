#!/usr/bin/python3
"""The constants of expm1_neg64 (core/src/kernels/float64_expm1_neg.inc): e^x - 1
for x <= 0 on float64 lanes through a table of 2^(j/N), N = 16 (AVX-512: one
in-register permute of 16 doubles) and N = 4 (AVX2: one permute of 4).

x = n ln2/N + r with n = round(x N / ln2), e^x = 2^(n >> log2 N) T_j e^r, j = n mod N.
Printed per N: ln2/N as a double L1 and the rest L2 (r = x - n L1 is exact
with a fused multiply-add), T_j rounded to double and its relative rounding
rho_j = (2^(j/N) - T_j) / T_j (the kernel stores T_j's bits minus j << (52 - log2 N):
adding n << (52 - log2 N) then makes 2^k T_j), and Q of e^r - 1 = r + r^2 Q(r): the Chebyshev
interpolant on [-ln2/(2N), ln2/(2N)] (widened by 1e-6) with double
coefficients, with its worst error against mpmath's expm1 in exact
arithmetic (on 4001 points), absolute and relative to expm1 r."""
import struct

import mpmath as mp

mp.mp.dps = 60


def Q(r):
    r = mp.mpf(r)
    if abs(r) < mp.mpf('1e-30'):
        return mp.mpf(1) / 2
    return (mp.exp(r) - 1 - r) / (r * r)


def fit(n, L):
    nodes = [mp.cos(mp.pi * (k + mp.mpf(0.5)) / n) for k in range(n)]
    M = mp.matrix([[t**j for j in range(n)] for t in nodes])
    c = mp.lu_solve(M, mp.matrix([Q(L * t) for t in nodes]))
    cs = [float(c[j] / L**j) for j in range(n)]
    worst_abs = worst_rel = 0
    for i in range(4001):
        r = mp.mpf(float(-L + 2 * L * i / 4000))
        q = mp.mpf(cs[-1])
        for j in range(n - 2, -1, -1):
            q = q * r + cs[j]
        ex = mp.expm1(r)
        err = abs(r + r * r * q - ex)
        worst_abs = max(worst_abs, err)
        if ex != 0:
            worst_rel = max(worst_rel, err / abs(ex))
    return cs, worst_abs, worst_rel


for N, qdeg in ((16, 5), (4, 7)):
    ln2n = mp.log(2) / N
    L1 = float(ln2n)
    L2 = float(ln2n - L1)
    T = [mp.power(2, mp.mpf(j) / N) for j in range(N)]
    Th = [float(t) for t in T]
    rho = [float((t - h) / h) for t, h in zip(T, Th)]
    cs, wa, wr = fit(qdeg + 1, ln2n / 2 * (1 + mp.mpf('1e-6')))
    print(f"N = {N}: ln2/N = {L1.hex()} + {L2.hex()}")
    shift = 52 - (N.bit_length() - 1)
    bits = [(struct.unpack('<q', struct.pack('<d', h))[0] - (j << shift)) for j, h in enumerate(Th)]
    print("  T_j:", ", ".join(h.hex() for h in Th))
    print(f"  T_j bits - (j << {shift}):", ", ".join("0x%016XLL" % b for b in bits))
    print("  rho_j:", ", ".join(x.hex() for x in rho))
    print(f"  Q degree {qdeg}: abs {float(wa):.3g}, rel {float(wr):.3g}:", ", ".join(c.hex() for c in cs))
