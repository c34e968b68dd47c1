#!/usr/bin/env bash
# tools/xgrad_to_torch.py: a saved model loaded into torch.nn.Sequential gives
# `xgrad predict --proba`'s outputs within 1e-5 (iris, and the regression model
# with every activation). Registered by CTest only where PyTorch is importable.
#   torch_test.sh XGRAD MAKE_REGRESSION_MODEL DATA_DIR
set -euo pipefail
xgrad=$1
make_regression=$2
data=$3
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/../../tools/xgrad_to_torch.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$xgrad" train --data "$data/iris.csv" --target species --layers 16:gelu_tanh,8:prelu --epochs 30 --save "$work/iris.npz" >/dev/null
"$xgrad" predict --model "$work/iris.npz" --data "$data/iris.csv" --target species --proba >"$work/iris.xgrad.csv"
/usr/bin/python3 "$tool" "$work/iris.npz" "$data/iris.csv" species >"$work/iris.torch.csv"
echo -n "iris: "
/usr/bin/python3 "$here/compare.py" "$work/iris.xgrad.csv" "$work/iris.torch.csv"

"$make_regression" "$work/regression.npz" "$work/regression.csv" >/dev/null
"$xgrad" predict --model "$work/regression.npz" --data "$work/regression.csv" --proba >"$work/regression.xgrad.csv"
/usr/bin/python3 "$tool" "$work/regression.npz" "$work/regression.csv" >"$work/regression.torch.csv"
echo -n "regression: "
/usr/bin/python3 "$here/compare.py" "$work/regression.xgrad.csv" "$work/regression.torch.csv"
echo "all torch checks passed"
