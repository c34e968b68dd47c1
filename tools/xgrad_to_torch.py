#!/usr/bin/env python3
"""Loads a model saved by xgrad (train --save / save_model) into a
torch.nn.Sequential with the same outputs: the standardisation, every layer,
and (for a classifier, unless logits=True) a softmax at the end.

    import xgrad_to_torch
    model, info = xgrad_to_torch.load("iris.npz")
    probabilities = model(torch.tensor(features, dtype=torch.float32))

As a script: xgrad_to_torch.py MODEL.npz DATA.csv [DROP_COLUMN] prints the
outputs for the CSV's columns (all but DROP_COLUMN) like `xgrad predict --proba`.
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
        else:
            raise ValueError(f"xgrad_to_torch: layer {i} has the unknown type '{kind}'")
    if arch["class_names"] and not logits:
        modules.append(torch.nn.Softmax(dim=-1))
    model = torch.nn.Sequential(*modules).to(dtype)
    model.eval()
    return model, arch


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    model, arch = load(sys.argv[1])
    drop = sys.argv[3] if len(sys.argv) == 4 else ""
    with open(sys.argv[2]) as f:
        header = f.readline().strip().split(",")
        keep = [i for i, name in enumerate(header) if name != drop]
        rows = [[float(line.split(",")[i]) for i in keep] for line in f if line.strip()]
    with torch.no_grad():
        out = model(torch.tensor(rows, dtype=torch.float32)).numpy()
    names = arch["class_names"] or ["prediction"]
    print(",".join(names))
    for row in out:
        print(",".join(f"{v:.9g}" for v in row))


if __name__ == "__main__":
    main()
