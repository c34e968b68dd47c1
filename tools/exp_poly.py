#!/usr/bin/python3
"""The polynomial of exp_parts() in core/src/kernels/kernels_impl.hpp: Chebyshev
interpolants of Q(r) = (e^r - 1 - r) / r^2 on [-ln2/2, ln2/2] (slightly widened),
in the power basis, with the worst relative error of r + r^2 Q(r) against
mpmath's expm1 on 2001 points. The kernels use degree 6."""
import mpmath as mp
mp.mp.dps = 50
L = mp.log(2)/2 * (1 + mp.mpf('1e-6'))
def Q(r):
    r = mp.mpf(r)
    if abs(r) < mp.mpf('1e-20'): return mp.mpf(1)/2
    return (mp.exp(r) - 1 - r)/(r*r)
for deg in (5, 6, 7):
    n = deg + 1
    nodes = [mp.cos(mp.pi*(k+mp.mpf(0.5))/n) for k in range(n)]
    vals = [Q(L*t) for t in nodes]
    M = mp.matrix([[t**j for j in range(n)] for t in nodes])
    c = mp.lu_solve(M, mp.matrix(vals))
    cs = [float(c[j]/L**j) for j in range(n)]
    worst = 0
    for i in range(2001):
        r = -L + 2*L*i/2000
        q = cs[-1]
        for j in range(n-2, -1, -1): q = q*float(r) + cs[j]
        p = float(r) + float(r)*float(r)*q
        ex = mp.expm1(mp.mpf(float(r)))
        if ex != 0: worst = max(worst, abs((mp.mpf(p) - ex)/ex))
    print(deg, float(worst), [x.hex() for x in cs])

# The float32 kernels (float32_kernels.inc): the same Q with float32
# coefficients, the error of r + r^2 Q(r) measured in exact arithmetic.
# Degree 4 (sigmoid, gelu's exp, silu) on [-ln2/2, ln2/2]; degree 5
# (exp_linear_kernels.inc: elu, selu, celu) on an interval widened by 1e-3,
# for the reduction's second part, which is kept apart from r.
import struct
def f32(x): return struct.unpack('f', struct.pack('f', float(x)))[0]
def fit_f32(n, L, samples):
    """Q of n float32 coefficients on [-L, L] (Chebyshev nodes), and the worst
    relative error of r + r^2 Q(r) on `samples` + 1 float32 points."""
    nodes = [mp.cos(mp.pi*(k+mp.mpf(0.5))/n) for k in range(n)]
    M = mp.matrix([[t**j for j in range(n)] for t in nodes])
    c = mp.lu_solve(M, mp.matrix([Q(L*t) for t in nodes]))
    cs = [f32(c[j]/L**j) for j in range(n)]
    worst = 0
    for i in range(samples + 1):
        r = mp.mpf(f32(-L + 2*L*i/samples))
        q = mp.mpf(cs[-1])
        for j in range(n-2, -1, -1): q = q*r + cs[j]
        ex = mp.expm1(r)
        if ex != 0: worst = max(worst, abs((r + r*r*q - ex)/ex))
    return cs, worst

for n, L in ((5, L), (6, mp.log(2)/2 * (1 + mp.mpf('1e-3')))):
    cs, worst = fit_f32(n, L, 2000)
    print("float32, degree %d:" % (n - 1), float(worst), [x.hex() + "f" for x in cs])

# exp_table8 (exp_linear_kernels.inc, AVX2; silu_table8 in silu_kernels.inc takes the
# same table, Q and split of ln2/8): degree 2 on [-ln2/16, ln2/16]
# widened by 1e-3, ln2/8 as a float32 pair, and the table of 2^(i/8): T_i's bits
# minus i << 20 and its rounding rho_i = (2^(i/8) - T_i) / T_i.
cs, worst = fit_f32(3, mp.log(2)/16 * (1 + mp.mpf('1e-3')), 4000)
print("float32, 2^(i/8) table, degree 2:", float(worst), [x.hex() + "f" for x in cs])
l1 = f32(mp.log(2)/8)
print("ln2/8 =", l1.hex(), "+", f32(mp.log(2)/8 - l1).hex())
def bits(x): return struct.unpack('I', struct.pack('f', x))[0]
T = [mp.power(2, mp.mpf(i)/8) for i in range(8)]
print("T bits - (i << 20):", ["0x%08Xu" % ((bits(f32(t)) - (i << 20)) & 0xffffffff) for i, t in enumerate(T)])
print("rho:", [f32((t - f32(t))/f32(t)).hex() + "f" for t in T])
