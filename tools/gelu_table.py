#!/usr/bin/python3
"""Writes core/src/kernels/gelu_mid.inc and gelu_r.inc: the table behind the
vectorised gelu kernels (core/src/kernels/kernels_impl.hpp).

R(a) = Phi(-a) e^(a^2/2) = erfc(a/sqrt 2) e^(a^2/2) / 2 on 16 intervals of
[0, 15) (four per octave of a + 1), each a degree-7 polynomial in a - mid:
the Chebyshev interpolant of mpmath values at 50 digits. Prints the worst
relative error of the double-precision Horner evaluation on 400 points per
interval. Needs mpmath and numpy (python3-mpmath, python3-numpy).
"""
import os
import mpmath as mp, numpy as np
mp.mp.dps = 50
def R(a):
    a = mp.mpf(a); return 0.5*mp.erfc(a/mp.sqrt(2))*mp.exp(a*a/2)
DEG = 7
ivs=[]
for e in range(4):
    for m in range(4):
        ivs.append((2**e*(1+m/4)-1, 2**e*(1+(m+1)/4)-1))
mids=[]; coefs=[]
worst=0
for lo,hi in ivs:
    mid=(lo+hi)/2; h=(hi-lo)/2
    # Chebyshev interpolation at DEG+1 nodes, in mp precision
    n=DEG+1
    nodes=[mp.cos(mp.pi*(k+mp.mpf(0.5))/n) for k in range(n)]
    vals=[R(mid+h*t) for t in nodes]
    # solve Vandermonde in mp for power basis in u=t (normalized), then scale to s = a - mid = h*u
    M=mp.matrix([[t**j for j in range(n)] for t in nodes])
    c=mp.lu_solve(M, mp.matrix(vals))
    cs=[float(c[j]/mp.mpf(h)**j) for j in range(n)]
    mids.append(mid); coefs.append(cs)
    # check with double Horner
    for a in np.linspace(lo,hi,400):
        s=a-mid; p=cs[-1]
        for j in range(n-2,-1,-1): p=p*s+cs[j]
        ex=R(a); worst=max(worst, abs(float((mp.mpf(p)-ex)/ex)))
print("worst relative error (double Horner, 400 points per interval): %.2e" % worst)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "src", "kernels")
with open(os.path.join(out, "gelu_mid.inc"), "w") as f:
    f.write(", ".join(float(m).hex() for m in mids) + "\n")
with open(os.path.join(out, "gelu_r.inc"), "w") as f:
    for j in range(DEG+1):
        f.write("{" + ", ".join(coefs[i][j].hex() for i in range(16)) + "},\n")
