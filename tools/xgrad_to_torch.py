#!/usr/bin/env python3
"""Loads a model saved by xgrad (train --save / save_model) into a
torch.nn.Sequential with the same outputs: the standardisation, every layer
(Dense, the activations, PReLU, BatchNorm1d, LayerNorm, Dropout), and (for a
classifier, unless logits=True) a softmax at the end, or for a regressor the
prediction in the target's units. A model trained on a CSV file takes the
encoded features: encode(arch, header, rows) imputes missing cells and
one-hot encodes text columns as xgrad does.

    import xgrad_to_torch
    model, info = xgrad_to_torch.load("iris.npz")
    probabilities = model(torch.tensor(features, dtype=torch.float32))

As a script: xgrad_to_torch.py MODEL.npz DATA.csv [DROP_COLUMN] prints the
outputs for the CSV's columns (all but DROP_COLUMN) like `xgrad predict --proba`;
xgrad_to_torch.py --each DATA.csv OUT_DIR MODEL.npz... writes OUT_DIR/NAME.torch.csv
for each model (one process: torch loads once).
"""
import json
import sys

import numpy as np
import torch


class Standardize(torch.nn.Module):
    """(x - mean) / scale per feature, as xgrad's Standardizer."""

    def __init__(self, mean, scale):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.scale


class Destandardize(torch.nn.Module):
    """y * scale + mean: a regressor's output in the target's units."""

    def __init__(self, mean, scale):
        super().__init__()
        self.mean, self.scale = float(mean), float(scale)

    def forward(self, y):
        return y * self.scale + self.mean


MISSING = {"", "na", "n/a", "nan", "null", "?"}


def encode(arch, header, rows):
    """The features xgrad computes from CSV cells (lists of strings under
    `header`): a missing number takes the training mean, a text column becomes
    one 0/1 column per category (a missing cell is the category "", an unseen
    one all zeros). Without an encoding: the cells as numbers."""
    encoding = arch.get("encoding")
    if not encoding:
        return [[float(c) for c in row] for row in rows]
    index = {name: i for i, name in enumerate(header)}
    out = []
    for row in rows:
        features = []
        for column in encoding["columns"]:
            cell = row[index[column["name"]]].strip()
            absent = cell.lower() in MISSING
            if not column["categorical"]:
                features.append(column["mean"] if absent else float(cell))
                continue
            key = "" if absent else cell
            features.extend(1.0 if key == category else 0.0 for category in column["categories"])
        out.append(features)
    return out


class Functional(torch.nn.Module):
    """torch.nn.functional.<name>(x, **parameters): xgrad keeps PyTorch's names
    for the activations and their parameters, so one rule covers the catalogue."""

    def __init__(self, fn, parameters):
        super().__init__()
        self.fn, self.parameters_ = fn, parameters

    def forward(self, x):
        return self.fn(x, **self.parameters_)


def squareplus(x, b=4.0):  # Keras's; PyTorch has none
    return (x + torch.sqrt(x * x + b)) / 2


def activation(name, numbers):
    """xgrad's activation (name and parameters as the model file stores them) -> a torch module."""
    F = torch.nn.functional
    parameters = {k: v for k, v in numbers.items() if k not in ("in_features", "units", "use_bias")}
    if name == "linear":
        return None
    if name == "leaky_relu" and "alpha" in parameters:  # files written before the catalogue
        parameters = {"negative_slope": parameters.pop("alpha")}
    special = {
        "sigmoid": (torch.sigmoid, {}),  # F.sigmoid and F.tanh are deprecated
        "tanh": (torch.tanh, {}),
        "gelu_tanh": (F.gelu, {"approximate": "tanh"}),
        "squareplus": (squareplus, {}),
        "rrelu": (F.rrelu, {"training": False}),
        "softmax": (F.softmax, {"dim": -1}),
        "log_softmax": (F.log_softmax, {"dim": -1}),
        "softmin": (F.softmin, {"dim": -1}),
        "glu": (F.glu, {"dim": -1}),
    }
    fn, extra = special.get(name, (getattr(F, name, None), {}))
    if fn is None:
        raise ValueError(f"xgrad_to_torch: no torch function for the activation '{name}'")
    return Functional(fn, dict(parameters, **extra))


def load(path, logits=False):
    """Returns (torch.nn.Sequential, architecture dict) for an xgrad model file."""
    archive = np.load(path)
    arch = json.loads(archive["architecture.json"].tobytes().decode("utf-8"))
    if arch.get("format") != "xgrad-model":
        raise ValueError(f"{path}: not an xgrad model")
    dtype = torch.float32 if arch["dtype"] == "float32" else torch.float64
    modules = []
    if arch["standardized"]:
        modules.append(Standardize(archive["standardizer.mean"], archive["standardizer.scale"]))
    for i, layer in enumerate(arch["layers"]):
        kind, numbers, strings = layer["type"], layer["numbers"], layer["strings"]
        if kind == "Dense":
            weight = archive[f"{i}.weight"]  # [in, out]: torch keeps [out, in]
            bias = f"{i}.bias" in archive.files
            linear = torch.nn.Linear(weight.shape[0], weight.shape[1], bias=bias)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weight.T.copy()))
                if bias:
                    linear.bias.copy_(torch.from_numpy(archive[f"{i}.bias"]))
            modules.append(linear)
            act = activation(strings["activation"], numbers)
            if act is not None:
                modules.append(act)
        elif kind == "Activation":
            act = activation(strings["activation"], numbers)
            if act is not None:
                modules.append(act)
        elif kind == "PReLU":
            alpha = archive[f"{i}.alpha"]
            prelu = torch.nn.PReLU(num_parameters=alpha.size)
            with torch.no_grad():
                prelu.weight.copy_(torch.from_numpy(alpha.reshape(-1)))
            modules.append(prelu)
        elif kind in ("BatchNorm1d", "LayerNorm"):
            if kind == "BatchNorm1d":
                norm = torch.nn.BatchNorm1d(int(numbers["num_features"]), eps=numbers["eps"], momentum=numbers["momentum"])
                buffers = {"running_mean": archive[f"{i}.running_mean"], "running_var": archive[f"{i}.running_var"]}
            else:
                norm = torch.nn.LayerNorm(int(numbers["normalized_shape"]), eps=numbers["eps"])
                buffers = {}
            with torch.no_grad():
                norm.weight.copy_(torch.from_numpy(archive[f"{i}.weight"]))
                norm.bias.copy_(torch.from_numpy(archive[f"{i}.bias"]))
                for name, value in buffers.items():
                    getattr(norm, name).copy_(torch.from_numpy(value))
            modules.append(norm)
        elif kind == "Dropout":
            modules.append(torch.nn.Dropout(numbers["p"]))
        else:
            raise ValueError(f"xgrad_to_torch: layer {i} has the unknown type '{kind}'")
    if arch["class_names"] and not logits:
        modules.append(torch.nn.Softmax(dim=-1))
    if arch.get("task") == "regression":
        modules.append(Destandardize(arch["target_mean"], arch["target_scale"]))
    model = torch.nn.Sequential(*modules).to(dtype)
    model.eval()
    return model, arch


def predict_csv(model_path, data_path, drop=""):
    """The model's outputs on a CSV file's rows (all columns but `drop`) as
    CSV text, like `xgrad predict --proba`."""
    model, arch = load(model_path)
    with open(data_path) as f:
        lines = [line.rstrip("\r\n") for line in f if line.strip()]
    header = [name.strip() for name in lines[0].split(",")]
    keep = [i for i, name in enumerate(header) if name != drop]
    rows = [[line.split(",")[i] for i in keep] for line in lines[1:]]
    features = encode(arch, [header[i] for i in keep], rows)
    with torch.no_grad():
        out = model(torch.tensor(features, dtype=torch.float32)).numpy()
    names = arch["class_names"] or (["prediction"] if out.shape[1] == 1 else [f"output{c}" for c in range(out.shape[1])])
    text = ",".join(names) + "\n"
    for row in out:
        text += ",".join(f"{v:.9g}" for v in row) + "\n"
    return text


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    # xgrad_to_torch.py MODEL.npz DATA.csv [DROP]: one model to standard output;
    # xgrad_to_torch.py --each DATA.csv OUT_DIR MODEL.npz...: OUT_DIR/NAME.torch.csv per model.
    if sys.argv[1] == "--each":
        for path in sys.argv[4:]:
            name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            with open(f"{sys.argv[3]}/{name}.torch.csv", "w") as f:
                f.write(predict_csv(path, sys.argv[2]))
        return
    if len(sys.argv) > 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(predict_csv(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else ""))


if __name__ == "__main__":
    main()
