#!/usr/bin/env bash
# plot-boundary on a model without classes: its prediction as a heat map with
# the data rows on top (the regression model of tools/make_regression_model).
#   regression_picture.sh XGRAD MAKE_REGRESSION_MODEL
set -euo pipefail
xgrad=$1
make_regression=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$make_regression" "$work/regression.npz" "$work/regression.csv" >/dev/null
"$xgrad" plot-boundary --model "$work/regression.npz" --data "$work/regression.csv" --features a,b --resolution 50 \
  --out "$work/heat.svg" >/dev/null
python3 "$here/svg_check.py" "$work/heat.svg" prediction "data rows"
grep -q "Prediction of regression.npz, the other features at their training means" "$work/heat.svg"
if "$xgrad" plot-boundary --model "$work/regression.npz" --data "$work/regression.csv" --target a --out "$work/x.svg" 2>"$work/err"; then
  echo "FAILED: --target accepted for a regression model"; exit 1
fi
grep -q "the model has no classes" "$work/err"
echo "regression heat map checked"
