#!/usr/bin/env bash
# tools/xgrad_to_torch.py: a saved model loaded into torch.nn.Sequential gives
# `xgrad predict --proba`'s outputs within 1e-5 (relative for a regressor's
# predictions in the target's units): iris; iris with a text column, missing
# cells, BatchNorm1d and Dropout; a diabetes regressor with a text column and
# missing cells; the regression model and one model per activation of the
# catalogue (tools/make_regression_model). Registered by CTest only where
# PyTorch is importable.
#   torch_test.sh XGRAD MAKE_REGRESSION_MODEL DATA_DIR
set -euo pipefail
xgrad=$1
make_regression=$2
data=$3
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/../../tools/xgrad_to_torch.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # run NAME MODEL DATA DROP_COLUMN [--relative]
  local name=$1 model=$2 csv=$3 drop=$4 relative=${5:-}
  "$xgrad" predict --model "$model" --data "$csv" ${drop:+--target "$drop"} --proba >"$work/$name.xgrad.csv" 2>/dev/null
  /usr/bin/python3 "$tool" "$model" "$csv" $drop >"$work/$name.torch.csv"
  echo -n "$name: "
  /usr/bin/python3 "$here/compare.py" "$work/$name.xgrad.csv" "$work/$name.torch.csv" $relative
}

"$xgrad" train --data "$data/iris.csv" --target species --layers 16:gelu_tanh,8:prelu --epochs 30 --save "$work/iris.npz" >/dev/null
run iris "$work/iris.npz" "$data/iris.csv" species

awk -F, -v OFS=, '{ sub(/\r$/, "") } NR == 1 { print $1, $2, "color", $3, $4, $5; next }
  { n = NR - 1; color = (n % 3 == 0) ? "red" : (n % 3 == 1) ? "green" : "blue"
    if (n % 17 == 0) color = ""; if (n % 13 == 0) $2 = "NA"; print $1, $2, color, $3, $4, $5 }' "$data/iris.csv" >"$work/mixed.csv"
"$xgrad" train --data "$work/mixed.csv" --target species --layers 16:silu --batch-norm --dropout 0.1 --epochs 20 \
  --save "$work/mixed.npz" >/dev/null
run mixed "$work/mixed.npz" "$work/mixed.csv" species

awk -F, -v OFS=, 'NR == 1 { print; next } { n = NR - 1; $2 = ($2 > 0) ? "M" : "F"
    if (n % 11 == 0) $2 = ""; if (n % 7 == 0) $3 = ""; print }' "$data/diabetes.csv" >"$work/diabetes_mixed.csv"
"$xgrad" train --data "$work/diabetes_mixed.csv" --target progression --layers 32:tanh --epochs 30 \
  --save "$work/diabetes_mixed.npz" >/dev/null
run diabetes_mixed "$work/diabetes_mixed.npz" "$work/diabetes_mixed.csv" progression --relative

mkdir "$work/models"
"$make_regression" "$work/regression.npz" "$work/regression.csv" "$work/models" >/dev/null
run regression "$work/regression.npz" "$work/regression.csv" ""
/usr/bin/python3 "$tool" --each "$work/regression.csv" "$work" "$work"/models/*.npz
count=0
for model in "$work"/models/*.npz; do
  name=$(basename "$model" .npz)
  "$xgrad" predict --model "$model" --data "$work/regression.csv" --proba >"$work/$name.xgrad.csv"
  echo -n "$name: "
  /usr/bin/python3 "$here/compare.py" "$work/$name.xgrad.csv" "$work/$name.torch.csv"
  count=$((count + 1))
done
echo "$count models of one activation or layer checked"
echo "all torch checks passed"
