#!/usr/bin/python3
"""scikit-learn's MLPClassifier(hidden_layer_sizes=(64,)) on exactly the
train/test splits xgrad's classify examples use (seeds 0..4, test fraction
0.2), for a like-for-like baseline. Run with Debian's python3-sklearn:

    /usr/bin/python3 tools/sklearn_baseline.py data/iris.csv species
    /usr/bin/python3 tools/sklearn_baseline.py data/digits.csv digit --divide-by 16

xgrad's split: a std::mt19937_64 seeded with the seed, Fisher-Yates with an
unbiased integer(0, i) (rejection sampling), the last round(n * 0.2) rows of
the permutation are the test split. Reimplemented here bit for bit.
"""
import argparse
import csv

import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

MASK64 = (1 << 64) - 1


class MT19937_64:
    def __init__(self, seed):
        self.mt = [0] * 312
        self.mt[0] = seed & MASK64
        for i in range(1, 312):
            self.mt[i] = (6364136223846793005 * (self.mt[i - 1] ^ (self.mt[i - 1] >> 62)) + i) & MASK64
        self.index = 312

    def __call__(self):
        if self.index >= 312:
            for i in range(312):
                x = (self.mt[i] & 0xFFFFFFFF80000000) | (self.mt[(i + 1) % 312] & 0x7FFFFFFF)
                xa = x >> 1
                if x & 1:
                    xa ^= 0xB5026F5AA96619E9
                self.mt[i] = self.mt[(i + 156) % 312] ^ xa
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK64


def permutation(n, seed):
    engine = MT19937_64(seed)
    p = list(range(n))
    for i in range(n, 1, -1):
        limit = MASK64 - MASK64 % i
        while True:
            r = engine()
            if r < limit:
                break
        j = r % i
        p[i - 1], p[j] = p[j], p[i - 1]
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("target")
    ap.add_argument("--divide-by", type=float, default=0, help="scale features by 1/D instead of standardising")
    ap.add_argument("--splits", type=int, default=5)
    ap.add_argument("--max-iter", type=int, default=200, help="scikit-learn's default is 200")
    args = ap.parse_args()
    with open(args.csv, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    t = header.index(args.target)
    x = np.array([[float(v) for k, v in enumerate(r) if k != t] for r in rows])
    y = np.array([r[t] for r in rows])
    scores = []
    for seed in range(args.splits):
        p = permutation(len(rows), seed)
        test = round(len(rows) * 0.2)
        train_idx, test_idx = p[: len(p) - test], p[len(p) - test:]
        if args.divide_by:
            xtr, xte = x[train_idx] / args.divide_by, x[test_idx] / args.divide_by
        else:
            scaler = StandardScaler().fit(x[train_idx])
            xtr, xte = scaler.transform(x[train_idx]), scaler.transform(x[test_idx])
        clf = MLPClassifier(hidden_layer_sizes=(64,), max_iter=args.max_iter, random_state=seed).fit(xtr, y[train_idx])
        scores.append(clf.score(xte, y[test_idx]))
        print(f"split {seed}: test accuracy {scores[-1]:.4f}")
    print(f"mean test accuracy over {args.splits} splits: {np.mean(scores):.4f}")


if __name__ == "__main__":
    main()
