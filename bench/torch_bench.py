#!/usr/bin/python3
"""PyTorch's side of the benchmark suite: the workloads of bench/workloads.hpp
re-implemented in Python (same generated data, same split and batch orders),
single-threaded, timed like Google Benchmark times xgrad (the iteration count
grows until one repetition lasts min_time seconds; the median of the
repetitions is reported).

  torch_bench.py micro REPETITIONS MIN_TIME ACTIVATIONS.json [PATTERN]  -> W1, W4, W5, W8 as JSON
  torch_bench.py digits [runs] [digits.csv]         -> W6, W7 as JSON
"""
import json
import math
import os
import re
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

MASK = (1 << 64) - 1
W1_ROWS, W1_COLS = 4096, 1024
W4_BATCH, W4_IN, W4_OUT = 128, 784, 256
W5_BATCH, W5_LR = 32, 0.1
W6_TRAIN, W6_TEST, W6_BATCH, W6_EPOCHS, W6_LR = 1437, 360, 64, 30, 1e-3
W6_SPLIT_SEED, W6_SHUFFLE_SEED = 0, 7
W8_MNIST_BATCH, W8_DEEP_BATCH, W8_INFERENCE_ROWS, W8_REGRESSION_BATCH = 128, 256, 8192, 64
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def hashes(seed, n):
    """workloads.hpp's hash(seed, i) for i < n: splitmix64 of (seed << 32) + i + 1."""
    with np.errstate(over="ignore"):
        z = np.arange(1, n + 1, dtype=np.uint64) + np.uint64((seed << 32) & MASK)
        z = z * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform_vector(seed, n, lo, hi):
    """workloads.hpp's uniform(): the top 24 bits of the hash."""
    u = (hashes(seed, n) >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    return torch.from_numpy((lo + (hi - lo) * u).astype(np.float32))


def permutation(n, state):
    """Fisher-Yates with the LCG of workloads.hpp; returns (permutation, new state)."""
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        j = (state >> 33) % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p, state


def seconds_per_iteration(f, repetitions, min_time):
    f()  # warm-up
    iterations = 1
    while True:
        start = time.perf_counter()
        for _ in range(iterations):
            f()
        t = time.perf_counter() - start
        if t >= min_time or iterations >= 1 << 30:
            break
        grow = min(10.0, max(1.4 * min_time / t, 1.5)) if t > 0 else 10.0
        iterations = int(iterations * grow) + 1
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(iterations):
            f()
        samples.append((time.perf_counter() - start) / iterations)
    return statistics.median(samples)


def load_activations(path):
    """The W1 rows from `xgrad_bench --list-activations`: name, the catalogue's
    PyTorch expression and its parameters (evaluated with x, the parameters by
    name, and alpha as a tensor for prelu)."""
    with open(path) as f:
        rows = json.load(f)
    out = []
    for row in rows:
        code = compile(row["torch"], row["name"], "eval")
        params = dict(row["params"])

        learnable = row["name"].startswith("prelu")  # its alpha is the tensor a, not a number

        def f(x, a, code=code, params=params, learnable=learnable):
            return eval(code, {"torch": torch}, dict(params, x=x, **({"alpha": a} if learnable else {})))
        out.append((row["name"], f, W1_COLS if row.get("per_feature_alpha") else 1, bool(row.get("float64"))))
    return out


def time_activation(results, prefix, f, x, g, alphas, repetitions, min_time):
    """The forward and forward+backward rows of one activation on x (upstream g);
    alphas: the size of prelu's alpha, None where f takes none."""
    state = {}
    with torch.no_grad():
        alpha = None if alphas is None else torch.full((alphas,), 0.25, dtype=x.dtype)

        def forward():
            state["y"] = f(x, alpha)
        results[f"{prefix}/forward"] = seconds_per_iteration(forward, repetitions, min_time)
        out_shape = f(x, alpha).shape  # the upstream has the output's shape (glu halves the rows), as xgrad_bench
    gy = g if out_shape == g.shape else g.reshape(-1)[:math.prod(out_shape)].reshape(out_shape)
    xg = x.clone().requires_grad_(True)
    alpha = None if alphas is None else alpha.clone().requires_grad_(True)

    def forward_backward():
        xg.grad = None
        if alpha is not None:
            alpha.grad = None
        y = f(xg, alpha)
        y.backward(gy)
        state["y"] = y
    results[f"{prefix}/forward_backward"] = seconds_per_iteration(forward_backward, repetitions, min_time)


def micro(repetitions, min_time, activations_path, pattern=""):
    """Every micro workload, or those whose name matches pattern (bench/compare --filter)."""
    def wanted(key):
        return not pattern or re.search(pattern, key) is not None
    x = uniform_vector(1, W1_ROWS * W1_COLS, -5, 5).reshape(W1_ROWS, W1_COLS)
    g = uniform_vector(2, W1_ROWS * W1_COLS, -1, 1).reshape(W1_ROWS, W1_COLS)
    results = {}
    state = {}  # keeps each iteration's output alive until the next one is made
    x64, g64 = x.double(), g.double()
    for name, f, alphas, float64 in load_activations(activations_path):
        if float64 and wanted(f"W1f64/{name}/"):  # W1f64: the same values in float64 (prelu aside)
            time_activation(results, f"W1f64/{name}", f, x64, g64, None, repetitions, min_time)
        if wanted(f"W1/{name}/"):
            time_activation(results, f"W1/{name}", f, x, g, alphas, repetitions, min_time)

    y = torch.zeros_like(x)
    if wanted("W1/copy"):
        results["W1/copy"] = seconds_per_iteration(lambda: y.copy_(x), repetitions, min_time)
    if pattern and not any(wanted(k) for k in ("W4/dense_784_256/forward_backward", "W5/mlp_step")
                           + tuple(W8_KEYS)):
        print(json.dumps({"side": "pytorch", "seconds": results}))
        return

    layer = torch.nn.Linear(W4_IN, W4_OUT)
    limit = 1.0 / math.sqrt(W4_IN)
    with torch.no_grad():  # weight [out, in] = the transpose of xgrad's [in, out]
        layer.weight.copy_(uniform_vector(4, W4_IN * W4_OUT, -limit, limit).reshape(W4_IN, W4_OUT).t())
        layer.bias.zero_()
    xw = uniform_vector(3, W4_BATCH * W4_IN, -1, 1).reshape(W4_BATCH, W4_IN).requires_grad_(True)
    gw = uniform_vector(5, W4_BATCH * W4_OUT, -1, 1).reshape(W4_BATCH, W4_OUT)

    def dense():
        layer.zero_grad()
        xw.grad = None
        y = layer(xw)
        y.backward(gw)
        state["y"] = y
    results["W4/dense_784_256/forward_backward"] = seconds_per_iteration(dense, repetitions, min_time)

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(),
                                torch.nn.Linear(16, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=W5_LR)
    x5 = uniform_vector(6, W5_BATCH * 2, -1, 1).reshape(W5_BATCH, 2)
    labels = (x5[:, 0] * x5[:, 1] > 0).to(torch.int64)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x5), labels)
        loss.backward()
        optimizer.step()
    results["W5/mlp_step"] = seconds_per_iteration(step, repetitions, min_time)
    results.update(w8(repetitions, min_time))
    print(json.dumps({"side": "pytorch", "seconds": results}))


W8_KEYS = ("W8/mnist_mlp_step", "W8/deep_narrow_step", "W8/batched_inference", "W8/float64_regression_step")


def hashed_labels(seed, n, classes):
    """workloads.hpp's hashed_labels(): hash(seed, i) % classes."""
    return torch.from_numpy((hashes(seed, n) % np.uint64(classes)).astype(np.int64))


def w8(repetitions, min_time):
    """W8 (workloads.hpp): models the other workloads do not name."""
    results = {}
    nn = torch.nn

    def train_step(model, optimizer, x, labels, loss_fn=F.cross_entropy):
        def step():
            optimizer.zero_grad()
            loss = loss_fn(model(x), labels)
            loss.backward()
            optimizer.step()
        return seconds_per_iteration(step, repetitions, min_time)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    x = uniform_vector(10, W8_MNIST_BATCH * 784, 0, 1).reshape(W8_MNIST_BATCH, 784)
    results["W8/mnist_mlp_step"] = train_step(model, torch.optim.Adam(model.parameters(), lr=1e-3), x,
                                              hashed_labels(11, W8_MNIST_BATCH, 10))
    layers, width = [], 32
    for layer in range(4):
        layers += [nn.Linear(width, 64), nn.PReLU(64) if layer % 2 == 0 else nn.GELU()]
        width = 64
    model = nn.Sequential(*layers, nn.Linear(64, 4))
    x = uniform_vector(12, W8_DEEP_BATCH * 32, -1, 1).reshape(W8_DEEP_BATCH, 32)
    results["W8/deep_narrow_step"] = train_step(model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9), x,
                                                hashed_labels(13, W8_DEEP_BATCH, 4))
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)).eval()
    x = uniform_vector(14, W8_INFERENCE_ROWS * 64, 0, 1).reshape(W8_INFERENCE_ROWS, 64)

    def inference():
        with torch.no_grad():
            model(x)
    results["W8/batched_inference"] = seconds_per_iteration(inference, repetitions, min_time)
    model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1)).double()
    n = W8_REGRESSION_BATCH
    x = uniform_vector(15, n * 10, -1, 1).double().reshape(n, 10)
    y = uniform_vector(16, n, -1, 1).double().reshape(n, 1)
    results["W8/float64_regression_step"] = train_step(model, torch.optim.Adam(model.parameters(), lr=1e-3), x, y,
                                                       F.mse_loss)
    return results


def load_digits(path):
    xs, ys = [], []
    with open(path) as f:
        next(f)
        for line in f:
            if line.strip():
                v = [float(c) for c in line.split(",")]
                xs.append([p / 16.0 for p in v[:64]])
                ys.append(int(v[64]))
    return torch.tensor(xs, dtype=torch.float32), torch.tensor(ys, dtype=torch.int64)


def digits(runs, path):
    x, y = load_digits(path)
    assert x.shape[0] == W6_TRAIN + W6_TEST
    p, _ = permutation(x.shape[0], W6_SPLIT_SEED)
    train, test = torch.tensor(p[:W6_TRAIN]), torch.tensor(p[W6_TRAIN:])
    x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]
    orders, state = [], W6_SHUFFLE_SEED
    for _ in range(W6_EPOCHS):
        order, state = permutation(W6_TRAIN, state)
        orders.append(torch.tensor(order))
    seconds, accuracy = [], 0.0
    for _ in range(runs):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                                    torch.nn.ReLU(), torch.nn.Linear(64, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=W6_LR)
        start = time.perf_counter()
        for order in orders:
            for begin in range(0, W6_TRAIN, W6_BATCH):
                index = order[begin:begin + W6_BATCH]
                xb, yb = x_train.index_select(0, index), y_train.index_select(0, index)
                optimizer.zero_grad()
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                optimizer.step()
        seconds.append(time.perf_counter() - start)
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).double().mean().item()
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    print(json.dumps({"side": "pytorch", "train_seconds": seconds, "test_accuracy": accuracy, "peak_rss_mib": peak}))


def main(argv):
    threads = os.environ.get("XGRAD_BENCH_THREADS", "1")  # bench/compare --threads: a count or "default"
    if threads != "default":
        torch.set_num_threads(int(threads))
    mode = argv[1] if len(argv) > 1 else "micro"
    if mode == "micro":
        if len(argv) < 5:
            sys.exit("usage: torch_bench.py micro REPETITIONS MIN_TIME ACTIVATIONS.json [PATTERN] (activations from "
                     "xgrad_bench --list-activations; PATTERN: a regular expression, only the workloads it matches)")
        micro(int(argv[2]), float(argv[3]), argv[4], argv[5] if len(argv) > 5 else "")
    elif mode == "digits":
        digits(int(argv[2]) if len(argv) > 2 else 5, argv[3] if len(argv) > 3 else os.path.join(DATA_DIR, "digits.csv"))
    else:
        sys.exit("usage: torch_bench.py micro REPETITIONS MIN_TIME ACTIVATIONS.json [PATTERN] | digits [runs] [digits.csv]")


if __name__ == "__main__":
    main(sys.argv)
