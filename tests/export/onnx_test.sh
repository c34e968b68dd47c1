#!/usr/bin/env bash
# ONNX export end to end: trains iris and digits classifiers with the xgrad
# tool, makes a regression model (tools/make_regression_model, one layer per
# exportable activation), exports all three, checks them with onnx.checker
# (Debian's python3-onnx) and runs them in ONNX Runtime (onnxruntime-node from
# npm, installed into a cache when missing), whose outputs must equal
# `xgrad predict --proba` within 1e-5. Run by CTest:
#   onnx_test.sh XGRAD MAKE_REGRESSION_MODEL DATA_DIR
set -euo pipefail
xgrad=$1
make_regression=$2
data=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ONNX Runtime: the CPU runtime is inside the npm package; its install script
# only fetches optional extras (and fails offline), hence --ignore-scripts.
ort_dir=${XGRAD_ORT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/onnxruntime}
if ! (cd "$ort_dir" 2>/dev/null && node -e "require('onnxruntime-node')" 2>/dev/null); then
  echo "installing onnxruntime-node into $ort_dir"
  mkdir -p "$ort_dir"
  (cd "$ort_dir" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node >/dev/null)
fi
export NODE_PATH=$ort_dir/node_modules

run() {  # run NAME MODEL DATA DROP_COLUMN OUTPUT_NAME
  local name=$1 model=$2 csv=$3 drop=$4 output=$5
  "$xgrad" export --model "$model" --onnx "$work/$name.onnx" >/dev/null
  /usr/bin/python3 "$here/check_onnx.py" "$work/$name.onnx" input "$output"
  "$xgrad" predict --model "$model" --data "$csv" ${drop:+--target "$drop"} --proba >"$work/$name.xgrad.csv"
  node "$here/ort_run.js" "$work/$name.onnx" "$csv" "$drop" >"$work/$name.ort.csv"
  echo -n "$name: "
  /usr/bin/python3 "$here/compare.py" "$work/$name.xgrad.csv" "$work/$name.ort.csv"
}

"$xgrad" train --data "$data/iris.csv" --target species --layers 16:elu,8:prelu --epochs 40 --save "$work/iris.npz" >/dev/null
run iris "$work/iris.npz" "$data/iris.csv" species probabilities
"$xgrad" train --data "$data/digits.csv" --target digit --layers 32:gelu,16:leaky_relu --epochs 8 --save "$work/digits.npz" >/dev/null
run digits "$work/digits.npz" "$data/digits.csv" digit probabilities
"$make_regression" "$work/regression.npz" "$work/regression.csv" >/dev/null
run regression "$work/regression.npz" "$work/regression.csv" "" prediction

# A model ONNX cannot take is a clear error, and no file is left behind.
if "$xgrad" export --model "$work/iris.npz" --onnx "$work/bad.txt" 2>"$work/err"; then
  echo "FAILED: export to .txt succeeded"; exit 1
fi
grep -q "must end in .onnx" "$work/err" || { echo "FAILED: $(cat "$work/err")"; exit 1; }
echo "all ONNX checks passed"
