#!/usr/bin/env bash
# ONNX export end to end: trains iris and digits classifiers, a classifier on a
# table with a text column and missing cells, and regressors on
# data/diabetes.csv (as it is, and with a text column and missing cells) with
# the xgrad tool; makes a regression model and one model per activation of the
# catalogue (tools/make_regression_model); exports them all, checks them with
# onnx.checker (Debian's python3-onnx) and runs them in ONNX Runtime
# (onnxruntime-node from npm, installed into a cache when missing), whose
# outputs must equal `xgrad predict --proba` within 1e-5 (relative for
# predictions in a target's units). Run by CTest:
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

run() {  # run NAME MODEL DATA DROP_COLUMN INPUTS OUTPUT_NAME [--relative]
  local name=$1 model=$2 csv=$3 drop=$4 inputs=$5 output=$6 relative=${7:-}
  "$xgrad" export --model "$model" --onnx "$work/$name.onnx" >/dev/null
  /usr/bin/python3 "$here/check_onnx.py" "$work/$name.onnx" "$inputs" "$output"
  "$xgrad" predict --model "$model" --data "$csv" ${drop:+--target "$drop"} --proba >"$work/$name.xgrad.csv" 2>"$work/$name.warnings"
  node "$here/ort_run.js" "$work/$name.onnx" "$csv" "$drop" >"$work/$name.ort.csv"
  echo -n "$name: "
  /usr/bin/python3 "$here/compare.py" "$work/$name.xgrad.csv" "$work/$name.ort.csv" $relative
}

"$xgrad" train --data "$data/iris.csv" --target species --layers 16:elu,8:prelu --epochs 40 --save "$work/iris.npz" >/dev/null
run iris "$work/iris.npz" "$data/iris.csv" species input probabilities
"$xgrad" train --data "$data/digits.csv" --target digit --layers 32:gelu,16:leaky_relu --epochs 8 --save "$work/digits.npz" >/dev/null
run digits "$work/digits.npz" "$data/digits.csv" digit input probabilities

# A table with a text column between numeric ones and missing cells of both
# kinds; predicted on the same rows plus rows with an unseen category and
# other spellings of a missing cell.
awk -F, -v OFS=, 'NR == 1 { print $1, $2, "color", $3, $4, $5; next }
  { n = NR - 1; color = (n % 3 == 0) ? "red" : (n % 3 == 1) ? "green" : "blue"
    if ($5 == "virginica" && n % 2 == 0) color = "violet"
    if (n % 17 == 0) color = ""; if (n % 23 == 0) color = "NA"
    if (n % 13 == 0) $2 = ""; if (n % 29 == 0) $3 = "NA"
    print $1, $2, color, $3, $4, $5 }' "$data/iris.csv" >"$work/mixed.csv"
{ cat "$work/mixed.csv"
  echo "5.0,3.4,purple,1.5,0.2,setosa"
  echo "6.1,?,null,4.7,1.4,versicolor"
  echo "N/A,2.8,Red,5.1,2.0,virginica"; } >"$work/mixed_predict.csv"
"$xgrad" train --data "$work/mixed.csv" --target species --layers 16:silu,8:mish --batch-norm --dropout 0.1 --epochs 30 \
  --save "$work/mixed.npz" >/dev/null
run mixed "$work/mixed.npz" "$work/mixed_predict.csv" species input,color probabilities
grep -q "unseen in training" "$work/mixed.warnings" || { echo "FAILED: xgrad predict did not warn of 'purple'"; exit 1; }

# Regression: the prediction in the target's units.
"$xgrad" train --data "$data/diabetes.csv" --target progression --layers 32:relu,16:tanh --epochs 60 --save "$work/diabetes.npz" >/dev/null
run diabetes "$work/diabetes.npz" "$data/diabetes.csv" progression input prediction --relative
awk -F, -v OFS=, 'NR == 1 { print; next } { n = NR - 1; $2 = ($2 > 0) ? "M" : "F"
    if (n % 11 == 0) $2 = ""; if (n % 7 == 0) $3 = ""; if (n % 19 == 0) $9 = "NaN"; print }' \
  "$data/diabetes.csv" >"$work/diabetes_mixed.csv"
"$xgrad" train --data "$work/diabetes_mixed.csv" --target progression --layers 32:selu --epochs 40 --save "$work/diabetes_mixed.npz" >/dev/null
run diabetes_mixed "$work/diabetes_mixed.npz" "$work/diabetes_mixed.csv" progression input,sex prediction --relative

# Every activation of the catalogue, each in a model of its own, and a trained regression model chaining ten.
mkdir "$work/activations"
"$make_regression" "$work/regression.npz" "$work/regression.csv" "$work/activations" >/dev/null
run regression "$work/regression.npz" "$work/regression.csv" "" input prediction
count=0  # the activations, and layer_norm
for model in "$work"/activations/*.npz; do
  name=$(basename "$model" .npz)
  run "$name" "$model" "$work/regression.csv" "" input prediction
  count=$((count + 1))
done
echo "$count models of one activation or layer checked"

# A model ONNX cannot take is a clear error, and no file is left behind.
if "$xgrad" export --model "$work/iris.npz" --onnx "$work/bad.txt" 2>"$work/err"; then
  echo "FAILED: export to .txt succeeded"; exit 1
fi
grep -q "must end in .onnx" "$work/err" || { echo "FAILED: $(cat "$work/err")"; exit 1; }
echo "all ONNX checks passed"
