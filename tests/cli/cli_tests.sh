#!/usr/bin/env bash
# Drives the xgrad tool through every command, success and failure paths, and
# checks the exit status and what it prints. Run by CTest:
#   cli_tests.sh PATH/TO/xgrad PATH/TO/data
# Prints one line per failed case and "N passed, M failed" alone on the last line.
set -u
xgrad=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# check NAME STATUS STREAM REGEX COMMAND...
# Passes when COMMAND (stdin from /dev/null) exits with STATUS and STREAM
# (out or err) matches the extended regular expression REGEX. A failure
# (STATUS != 0) must also print exactly one line on stderr.
check() {
  local name=$1 status=$2 stream=$3 pattern=$4
  shift 4
  "$@" >"$work/out" 2>"$work/err" </dev/null
  local actual=$? problem=""
  local text
  text=$(cat "$work/$stream")
  if [[ $actual -ne $status ]]; then
    problem="exit status $actual, expected $status"
  elif ! [[ $text =~ $pattern ]]; then
    problem="std$stream does not match /$pattern/"
  elif [[ $status -ne 0 && $(wc -l <"$work/err") -ne 1 ]]; then
    problem="stderr has $(wc -l <"$work/err") lines, expected one"
  fi
  if [[ -z $problem ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name: $problem"
    echo "  command: $*"
    sed 's/^/  stdout: /' "$work/out" | head -5
    sed 's/^/  stderr: /' "$work/err" | head -5
  fi
}

# assert NAME CONDITION...: a plain condition (files, checksums).
assert() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name: '$*' is false"
  fi
}

nl=$'\n'
svg_check=$(dirname "$0")/svg_check.py
iris=$data/iris.csv
digits=$data/digits.csv
diabetes=$data/diabetes.csv

# --- the tool --------------------------------------------------------------
check "help lists the commands" 0 out "eval.*plot.*simulate.*train.*predict.*graph.*export" "$xgrad" --help
for command in eval plot simulate train predict graph export plot-boundary; do
  check "$command --help" 0 out "Usage: xgrad $command" "$xgrad" $command --help
done
check "no command" 2 err "^xgrad: a command is required" "$xgrad"
check "unknown command" 2 err "^xgrad: unknown command 'frobnicate'" "$xgrad" frobnicate
check "unknown option" 2 err "^xgrad eval: .*--bogus" "$xgrad" eval sigmoid 1 --bogus

# --- eval ------------------------------------------------------------------
check "eval sigmoid(0) = 0.5, f'(0) = 0.25" 0 out "^x,y,grad${nl}0,0\.5,0\.25$" "$xgrad" eval sigmoid 0
check "eval sigmoid at -2 0 2, 9 digits" 0 out \
  "^x,y,grad${nl}-2,0\.119202919,0\.104993582${nl}0,0\.5,0\.25${nl}2,0\.880797088,0\.104993582$" \
  "$xgrad" eval sigmoid -2 0 2
check "eval softmax of 1..5 is one vector" 0 out "^x,y,grad${nl}1,0\.0116562[0-9]*,.*${nl}5,0\.636408[0-9]*,[^${nl}]*$" \
  "$xgrad" eval softmax 1 2 3 4 5
check "eval float64 prints 17 digits" 0 out "${nl}1,0\.011656230956039607,.*${nl}5,0\.63640864655883078," \
  "$xgrad" eval softmax 1 2 3 4 5 --dtype float64
check "eval --upstream picks the first output" 0 out \
  "${nl}1,0\.090030573170380462,0\.08192506906499[0-9]*${nl}2,0\.24472847105479764,-0\.022033044520174[0-9]*${nl}" \
  "$xgrad" eval softmax 1 2 3 --upstream 1 0 0 --dtype float64
check "eval --upstream scales the gradient" 0 out "${nl}0,0\.5,0\.75${nl}0,0\.5,-0\.25$" \
  "$xgrad" eval sigmoid 0,0 --upstream 3,-1
check "eval reads standard input (whitespace and commas)" 0 out "^x,y,grad${nl}1,0\.761594176,.*${nl}2,.*${nl}3,0\.995054781,[0-9.e-]+$" \
  bash -c 'printf "1, 2\n  3\n" | "$0" eval tanh' "$xgrad"
check "eval accepts nan, inf and -inf" 0 out "${nl}-inf,0,0${nl}inf,inf,1${nl}nan,nan,nan${nl}-0\.5,0,0$" \
  "$xgrad" eval relu -inf inf nan -.5
check "eval tanh(0)" 0 out "${nl}0,0,1$" "$xgrad" eval tanh 0
check "eval --order 2 adds grad2 = f''(x) by double backward" 0 out \
  "^x,y,grad,grad2${nl}1,0\.76159415595576[0-9]*,0\.41997434161402[0-9]*,-0\.63970000844922[0-9]*$" \
  "$xgrad" eval tanh 1 --order 2 --dtype float64
check "eval --order 2: relu'' = 0, at 0 too (as PyTorch)" 0 out "^x,y,grad,grad2${nl}-1,0,0,0${nl}0,0,0,0${nl}2,2,1,0$" \
  "$xgrad" eval relu -1 0 2 --order 2
check "eval --order 2 of linear: grad2 0" 0 out "${nl}3,3,1,0$" "$xgrad" eval linear 3 --order 2
check "eval --order 2 of sigmoid(2) in float32" 0 out "${nl}2,0\.880797088,0\.104993582,-0\.0799624994$" \
  "$xgrad" eval sigmoid 2 --order 2
check "eval --order 3 is refused" 2 err "order" "$xgrad" eval tanh 1 --order 3
check "eval leaky_relu --negative-slope" 0 out "${nl}-1,-0\.200000003,0\.200000003${nl}2,2,1$" "$xgrad" eval leaky_relu --negative-slope 0.2 -1 2
check "eval prelu's default alpha 0.25" 0 out "${nl}-2,-0\.5,0\.25$" "$xgrad" eval prelu -2
check "eval elu(-1) = e^-1 - 1" 0 out "${nl}-1,-0\.63212055882855767,0\.36787944117144233$" \
  "$xgrad" eval elu -1 --dtype float64
check "eval softplus(0) = ln 2" 0 out "${nl}0,0\.693147182,0\.5$" "$xgrad" eval softplus 0
check "eval softplus --beta 2" 0 out "${nl}0,0\.346573591,0\.5$" "$xgrad" eval softplus 0 --beta 2
check "eval gelu(0)" 0 out "${nl}0,0,0\.5$" "$xgrad" eval gelu 0
check "eval gelu_tanh" 0 out "${nl}1,0\.8411919906082[0-9]*,1\.08296408384578[0-9]*$" \
  "$xgrad" eval gelu_tanh 1 --dtype float64
check "eval gelu_tanh" 0 out "${nl}1,0\.8411919906082[0-9]*,1\.08296408384578[0-9]*$" "$xgrad" eval gelu_tanh 1 --dtype float64
check "eval log_softmax" 0 out "${nl}0,-0\.693147182,.*${nl}0,-0\.693147182," "$xgrad" eval log_softmax 0 0
check "eval linear" 0 out "${nl}3,3,1$" "$xgrad" eval linear 3
check "eval selu(1)" 0 out "${nl}1,1\.05070102,1\.05070102$" "$xgrad" eval selu 1
check "eval swish is silu" 0 out "${nl}1,0\.731058598,0\.927670538$" "$xgrad" eval swish 1
check "eval hardswish at its kinks (PyTorch's values)" 0 out "${nl}-3,-0,-0\.5${nl}3,3,1\.5$" "$xgrad" eval hardswish -- -3 3
check "eval hardtanh --min-val --max-val" 0 out "${nl}-5,-2,0${nl}0\.5,0\.5,1${nl}5,3,0$" \
  "$xgrad" eval hardtanh --min-val -2 --max-val 3 -- -5 0.5 5
check "eval threshold --threshold --value" 0 out "${nl}0\.5,-7,0${nl}2,2,1$" "$xgrad" eval threshold --threshold 1 --value -7 0.5 2
check "eval glu: a_i sigmoid(b_i)" 0 out "${nl}1,0\.952574134,0\.952574134${nl}2,1\.96402752,0\.982013762${nl}3,,0\.0451766588${nl}4,,0\.0353254117$" \
  "$xgrad" eval glu 1 2 3 4
check "eval softmin" 0 out "${nl}0,0\.5,0${nl}0,0\.5,0$" "$xgrad" eval softmin 0 0
check "eval: threshold needs its parameters" 2 err "threshold needs --threshold" "$xgrad" eval threshold 1
check "eval: glu of an odd length" 2 err "glu: the length along axis -1 of shape \[3\] must be even" "$xgrad" eval glu 1 2 3
check "eval: hardtanh bounds in the wrong order" 2 err "hardtanh: min_val \(2\) must be less than max_val \(1\)" \
  "$xgrad" eval hardtanh --min-val 2 --max-val 1 0
check "eval: softshrink's lambd >= 0" 2 err "softshrink: lambd must be a finite number >= 0, got -1" "$xgrad" eval softshrink --lambd -1 0
check "eval: rrelu lower > upper" 2 err "rrelu: lower \(0\.5\) must not exceed upper \(0\.25\)" "$xgrad" eval rrelu --lower 0.5 --upper 0.25 0
# Every function of the catalogue evaluates (threshold with its required parameters).
for f in $("$xgrad" eval --help | sed -n 's/.*One of: //p' | tr -d ',' | sed 's/([^)]*)//g'); do
  extra=()
  [ "$f" = threshold ] && extra=(--threshold 0 --value 0)
  check "eval $f" 0 out "^x,y,grad${nl}" "$xgrad" eval "$f" 1 2 "${extra[@]}"
done

check "eval: unknown function" 2 err "unknown function 'softmaxx' \(known: linear, sigmoid, " "$xgrad" eval softmaxx 1
check "eval: non-numeric argument" 2 err "^xgrad eval: X: 'abc' is not a number$" "$xgrad" eval sigmoid 1 abc
check "eval: non-numeric standard input names line and column" 1 err \
  "^xgrad eval: standard input, line 2, column 4: 'x1' is not a number$" bash -c 'printf "1 2\n3, x1\n" | "$0" eval tanh' "$xgrad"
check "eval: a hole between commas" 1 err "line 1, column 3: a number is missing" bash -c 'printf "1,,2" | "$0" eval tanh' "$xgrad"
check "eval: no input at all" 2 err "no input: give X values" "$xgrad" eval sigmoid
check "eval: blank standard input" 2 err "no input" bash -c 'printf " \n\n" | "$0" eval sigmoid' "$xgrad"
check "eval: beta = 0" 2 err "softplus: beta must be a finite number > 0" "$xgrad" eval softplus 1 --beta 0
check "eval: negative threshold" 2 err "softplus: threshold must be a finite number >= 0, got -1" "$xgrad" eval softplus 1 --threshold -1
check "eval: elu alpha = 0" 2 err "elu: alpha must be a finite number > 0" "$xgrad" eval elu 1 --alpha 0
check "eval: negative_slope = nan" 2 err "leaky_relu: negative_slope must be a finite number, got NaN" "$xgrad" eval leaky_relu 1 --negative-slope nan
check "eval: --alpha is not leaky_relu's" 2 err "--alpha applies to prelu, elu and celu only, not to leaky_relu" "$xgrad" eval leaky_relu 1 --alpha 0.2
check "eval: a parameter the function does not use" 2 err "--beta applies to softplus only, not to sigmoid" \
  "$xgrad" eval sigmoid 1 --beta 2
check "eval: upstream of the wrong length" 2 err "--upstream has 2 values but there are 3 outputs" \
  "$xgrad" eval softmax 1 2 3 --upstream 1 0
check "eval: bad upstream value" 2 err "--upstream: 'one' is not a number" "$xgrad" eval sigmoid 1 --upstream one
check "eval: unknown dtype" 2 err "--dtype: float16 not in" "$xgrad" eval sigmoid 1 --dtype float16
check "eval: one spelling of gelu_tanh" 2 err "not expected: --approximate" "$xgrad" eval gelu 1 --approximate tanh
check "eval: beyond float32" 2 err "'1e39' is beyond the range of float32" "$xgrad" eval sigmoid 1e39
check "eval: a failure prints nothing on stdout" 2 out "^$" "$xgrad" eval softmax 1 2 --upstream 1

# --- plot ------------------------------------------------------------------
plots=$work/plots
check "plot writes one svg per function" 0 out "^$plots/sigmoid\.svg${nl}$plots/leaky_relu\.svg$" \
  "$xgrad" plot sigmoid leaky_relu --negative-slope 0.2 --out "$plots"
assert "the sigmoid svg is not empty" test -s "$plots/sigmoid.svg"
assert "the svg names the function" grep -q "sigmoid(x)" "$plots/sigmoid.svg"
assert "the svg is an svg" grep -q "<svg" "$plots/sigmoid.svg"
assert "the svg has the legend's derivative" grep -q "f' (autograd)" "$plots/leaky_relu.svg"
assert "the title shows the slope" grep -q "negative_slope = 0.2" "$plots/leaky_relu.svg"
assert "the title shows the slope in its shortest form" grep -q "leaky_relu (negative_slope = 0\.2): " "$plots/leaky_relu.svg"
assert "axis labels say what they show" bash -c 'grep -q "x (the input)" "$0" && grep -q "f(x) and f'"'"'(x)" "$0"' "$plots/leaky_relu.svg"
assert "the plot svg parses and holds f and f'" python3 "$svg_check" "$plots/sigmoid.svg" "f = sigmoid(x)" "f' (autograd)"
check "plot relu" 0 out "relu\.svg$" "$xgrad" plot relu --out "$plots"
assert "relu's step in f' has no vertical segment" python3 "$svg_check" "$plots/relu.svg" --no-vertical "f' (autograd)"
assert "leaky_relu's step in f' has no vertical segment" python3 "$svg_check" "$plots/leaky_relu.svg" --no-vertical "f' (autograd)"
check "plot png with a range" 0 out "softmax\.png$" "$xgrad" plot softmax --format png --range=-3:3 --out "$plots"
assert "the png is a png" bash -c 'head -c 4 "$0" | grep -q PNG' "$plots/softmax.png"
check "plot --order 2 draws f'' too" 0 out "silu\.svg$" "$xgrad" plot silu --order 2 --out "$plots"
assert "the order-2 svg holds f, f' and f''" python3 "$svg_check" "$plots/silu.svg" "f = silu(x)" "f' (autograd)" "f'' (double backward)"
assert "no partial files are left" bash -c '! ls -A "$0" | grep -q partial' "$plots"
check "plot: gnuplot missing" 1 err "gnuplot is not installed .*gnuplot-nox" env PATH=/nonexistent "$xgrad" plot tanh --out "$plots"
assert "plot: nothing drawn without gnuplot" test ! -e "$plots/tanh.svg"
check "plot: reversed range" 2 err "--range: '5:-5' must be finite numbers with LOW < HIGH" "$xgrad" plot tanh --range=5:-5
check "plot: unparsable range" 2 err "--range: 'a:b' is not LOW:HIGH" "$xgrad" plot tanh --range a:b
check "plot: unknown function" 2 err "unknown function 'sigmod'" "$xgrad" plot sigmoid sigmod --out "$plots"
check "plot: --out is a file" 2 err "it is a file, not a directory" "$xgrad" plot tanh --out "$plots/sigmoid.svg"
check "plot: unknown format" 2 err "--format: pdf not in" "$xgrad" plot tanh --format pdf
check "plot: no function" 2 err "FUNCTION is required" "$xgrad" plot

# --- simulate --------------------------------------------------------------
check "simulate runs every function and the neuron" 0 out \
  "^sigmoid  function:${nl}-?[0-9]+\.0   =>   0\.[0-9]+${nl}.*${nl}Dense\(5 -> 1\), input \. weight \+ .*${nl}softmax 1$" \
  "$xgrad" simulate --seed 4
check "simulate reproduces the seed's printed values" 0 out \
  "^sigmoid  function:${nl}-11\.0   =>   0\.8182085255905602${nl}31\.0   =>   0\.1681421926415923${nl}" \
  "$xgrad" simulate --input=-11,31,44,-58,-34 --weight 0,0,0,0,0 \
  --bias 1.504256940169569,-1.5988515154050215,1.6788964853893629,0.4278178624878862,0.7140954189784394
check "simulate: lengths differ" 2 err "must have the same length .* got 2, 5 and 5" "$xgrad" simulate --input 1,2
check "simulate: not a number" 2 err "--weight: 'w' is not a number" "$xgrad" simulate --weight 1,w,3,4,5
check "simulate: not finite" 2 err "--input: the values must be finite, got inf" "$xgrad" simulate --input inf,1,2,3,4
check "simulate: negative seed" 2 err "--seed: must be a whole number >= 0, got -1" "$xgrad" simulate --seed -1

# --- train -----------------------------------------------------------------
model=$work/iris.npz
check "train: summary, one line per epoch, the test accuracy last" 0 out \
  "150 rows, 4 features, 3 classes \(setosa, versicolor, virginica\).*Total params: 515.*${nl}epoch 20/20 loss=[0-9.]+ accuracy=[0-9.]+ val_loss=[0-9.]+ val_accuracy=[0-9.]+ .*${nl}saved the model to $model${nl}${nl}test confusion matrix .*${nl}test_accuracy=[01]\.[0-9]{4}$" \
  "$xgrad" train --data "$iris" --target species --epochs 20 --save "$model"
assert "train --save wrote the model" test -s "$model"
check "train: the defaults reach scikit-learn's 0.947 on iris" 0 out "${nl}test_accuracy=(0\.9(4[7-9]|[5-9])[0-9]*|1\.0000)$" \
  "$xgrad" train --data "$iris" --target species
check "train: prelu and sgd" 0 out "PReLU.*test_accuracy=" "$xgrad" train --data "$iris" --target species --layers 8:prelu \
  --optimizer sgd --lr 0.1 --epochs 5
check "train: missing file" 1 err "cannot open '$work/none\.csv': no such file" "$xgrad" train --data "$work/none.csv" --target species
check "train: a directory" 1 err "it is a directory, not a file" "$xgrad" train --data "$work" --target species
printf 'a,b,c\n1,2,x\n3,4\n' >"$work/short_row.csv"
check "train: malformed CSV names file and line" 1 err "short_row\.csv, line 3: the row has 2 fields, but the header has 3" \
  "$xgrad" train --data "$work/short_row.csv" --target c
printf 'a,b,c\n1,2,x\n3,four,y\n' >"$work/text_cell.csv"
check "train: --missing error with a text column in two rows" 1 err "train_test_split: 2 rows" \
  "$xgrad" train --data "$work/text_cell.csv" --target c
check "train: no such target column" 1 err "there is no column 'colour'" "$xgrad" train --data "$iris" --target colour
check "train: unparsable layer spec" 2 err "--layers: layer spec '64:relu,x'" "$xgrad" train --data "$iris" --target species --layers 64:relu,x
check "train: unknown activation in the layers" 2 err "unknown activation 'relu7'" "$xgrad" train --data "$iris" --target species --layers 8:relu7
check "train: activation parameters by PyTorch's names in --layers" 0 out "test_accuracy=" \
  "$xgrad" train --data "$iris" --target species --epochs 3 --save "$work/params.npz" \
  --layers "16:threshold(threshold=0.1, value=0),8:leaky_relu(negative_slope=0.2),8:prelu(alpha=0.1)"
check "train: a model with activation parameters predicts" 0 err "^accuracy=" "$xgrad" predict --model "$work/params.npz" --data "$iris" --target species
check "train: threshold without its required parameters" 2 err "threshold: threshold must be a number .*it is required" \
  "$xgrad" train --data "$iris" --target species --layers 8:threshold
check "train: an unknown activation parameter" 2 err "relu has no parameter 'x' \\(it takes none\\)" \
  "$xgrad" train --data "$iris" --target species --layers "8:relu(x=1)"
check "train: an activation parameter out of its domain" 2 err "softplus: beta must be a finite number > 0, got 0" \
  "$xgrad" train --data "$iris" --target species --layers "8:softplus(beta=0)"
check "train: batch size 0" 2 err "--batch-size: Value 0 not in range" "$xgrad" train --data "$iris" --target species --batch-size 0
check "train: negative epochs" 2 err "--epochs: Value -5 not in range" "$xgrad" train --data "$iris" --target species --epochs -5
check "train: NaN learning rate" 2 err "--lr: must be a finite number > 0, got nan" "$xgrad" train --data "$iris" --target species --lr nan
check "train: unknown optimizer" 2 err "--optimizer: adagrad not in" "$xgrad" train --data "$iris" --target species --optimizer adagrad
for optimizer in adamw rmsprop; do
  check "train --optimizer $optimizer --weight-decay" 0 out "$optimizer, lr 0\.01.*test_accuracy=" \
    "$xgrad" train --data "$iris" --target species --optimizer $optimizer --weight-decay 0.001 --epochs 5
done
check "train --dropout --batch-norm: in the summary, kept in the model" 0 out "BatchNorm1d.*Dropout.*test_accuracy=" \
  "$xgrad" train --data "$iris" --target species --dropout 0.2 --batch-norm --epochs 5 --save "$work/bn.npz"
check "predict with dropout and batch norm" 0 err "^accuracy=" "$xgrad" predict --model "$work/bn.npz" --data "$iris" --target species
for schedule in step cosine plateau; do
  check "train --schedule $schedule --history: one row per epoch with the learning rate" 0 out "test_accuracy=" \
    "$xgrad" train --data "$iris" --target species --schedule $schedule --epochs 6 --history "$work/history_$schedule.csv"
done
assert "--history: a header and 6 rows" test "$(wc -l <"$work/history_step.csv")" -eq 7
assert "--history: the columns" grep -q "^epoch,accuracy,loss,lr,val_accuracy,val_loss" "$work/history_step.csv"
assert "--schedule step: lr 0.001 from the third epoch" grep -q "^2,[^,]*,[^,]*,0\.001," "$work/history_step.csv"
awk -F, 'NR == 1 || $5 !~ /setosa/ || NR % 5 == 0' "$iris" >"$work/unbalanced.csv"
check "train --class-weight balanced" 0 out "test_accuracy=" "$xgrad" train --data "$work/unbalanced.csv" --target species --class-weight balanced --epochs 5
check "train --class-weight foo" 2 err "--class-weight: foo not in" "$xgrad" train --data "$iris" --target species --class-weight foo
check "train: the test confusion matrix and scikit-learn's report before the accuracy" 0 out \
  "test confusion matrix \(rows: true class, columns: predicted\)${nl}true \\\\ predicted +setosa +versicolor +virginica${nl}setosa +[0-9]+ +[0-9]+ +[0-9]+${nl}.*${nl} +precision +recall +f1-score +support${nl}${nl} +setosa +[01]\.[0-9]{2} .*${nl} +accuracy +[01]\.[0-9]{2} +30${nl} +macro avg .*${nl}weighted avg +[01]\.[0-9]{2} +[01]\.[0-9]{2} +[01]\.[0-9]{2} +30${nl}${nl}test_accuracy=" \
  "$xgrad" train --data "$iris" --target species --epochs 20
check "train --schedule foo" 2 err "--schedule: foo not in" "$xgrad" train --data "$iris" --target species --schedule foo
check "train --dropout 1.5" 2 err "--dropout: must be a number in \[0, 1\), got 1\.5" "$xgrad" train --data "$iris" --target species --dropout 1.5
check "train --weight-decay -1" 2 err "--weight-decay: must be a finite number >= 0, got -1" "$xgrad" train --data "$iris" --target species --weight-decay -1
check "train --weight-decay nan" 2 err "--weight-decay: must be a finite number >= 0, got nan" "$xgrad" train --data "$iris" --target species --weight-decay nan
check "train: test fraction 1" 2 err "--test-fraction: must be a number in \[0, 1\), got 1" \
  "$xgrad" train --data "$iris" --target species --test-fraction 1
check "train: --data is required" 2 err "--data is required" "$xgrad" train --target species
check "train: --save into a missing directory" 2 err "the directory $work/nowhere does not exist" \
  "$xgrad" train --data "$iris" --target species --save "$work/nowhere/m.npz"
before=$(md5sum <"$model")
check "train: a diverging run fails" 1 err "the loss became .* \(try a smaller learning rate\)" \
  "$xgrad" train --data "$iris" --target species --lr 1e30 --save "$model"
assert "a failed train leaves the --save file intact" test "$(md5sum <"$model")" = "$before"
check "train: a failed load fails" 1 err "short_row\.csv" "$xgrad" train --data "$work/short_row.csv" --target c --save "$model"
assert "a failed train leaves the --save file intact (bad data)" test "$(md5sum <"$model")" = "$before"

# --- predict ---------------------------------------------------------------
check "predict with --target: one class per row" 0 out "^prediction${nl}setosa${nl}((setosa|versicolor|virginica)${nl}){148}(setosa|versicolor|virginica)$" \
  "$xgrad" predict --model "$model" --data "$iris" --target species
check "predict with --target: the accuracy on stderr" 0 err "^accuracy=0\.9[0-9]{3} \(1[0-9]{2} of 150 rows\)$" \
  "$xgrad" predict --model "$model" --data "$iris" --target species
cut -d, -f1-4 "$iris" >"$work/iris_features.csv"
check "predict without a target" 0 out "^prediction${nl}setosa${nl}.*virginica$" \
  "$xgrad" predict --model "$model" --data "$work/iris_features.csv"
check "predict without a target prints nothing on stderr" 0 err "^$" \
  "$xgrad" predict --model "$model" --data "$work/iris_features.csv"
check "predict: missing model" 1 err "cannot open '$work/none\.npz': no such file" \
  "$xgrad" predict --model "$work/none.npz" --data "$iris" --target species
head -c 300 "$model" >"$work/truncated.npz"
check "predict: truncated model" 1 err "truncated\.npz.*truncated or corrupt" \
  "$xgrad" predict --model "$work/truncated.npz" --data "$iris" --target species
check "predict: foreign model file" 1 err "iris\.csv.*not an \.npz archive" \
  "$xgrad" predict --model "$iris" --data "$iris" --target species
check "predict: a directory as model" 1 err "it is a directory" "$xgrad" predict --model "$work" --data "$iris"
check "predict: features do not match" 1 err "there is no column 'sepal_length', a feature of the model" \
  "$xgrad" predict --model "$model" --data "$digits"
check "predict: the target column without --target" 1 err "'species' is not a feature of the model" \
  "$xgrad" predict --model "$model" --data "$iris"
sed 's/setosa/rosa/' "$iris" >"$work/new_class.csv"
check "predict: a class the model does not know" 1 err "new_class\.csv, line 2.*'rosa'" \
  "$xgrad" predict --model "$model" --data "$work/new_class.csv" --target species
check "predict: malformed CSV" 1 err "short_row\.csv, line 3" "$xgrad" predict --model "$model" --data "$work/short_row.csv"
check "predict: --model is required" 2 err "--model is required" "$xgrad" predict --data "$iris"

# --- regression ------------------------------------------------------------
regressor=$work/diabetes.npz
cut -d, -f1-4 "$iris" >"$work/iris_numbers.csv"
check "train: auto picks regression for a non-integer target, says why first" 0 out \
  "^task: regression \(the target 'petal_width' is numeric with non-integer values\)${nl}.*${nl}test_mae=[0-9.]+${nl}test_rmse=[0-9.]+${nl}test_r2=0\.[89][0-9]{3}$" \
  "$xgrad" train --data "$work/iris_numbers.csv" --target petal_width
check "train: the diabetes defaults beat MLPRegressor's 0.390 (seed 0)" 0 out \
  "^task: regression \(the target 'progression' is numeric with 214 distinct values \(more than 20\)\).*lr 0\.001, batch 16, loss mse, early stopping after 20 epochs.*early stopping: stopped after epoch [0-9]+; restored the weights of epoch [0-9]+.*${nl}test_r2=0\.(39|[4-9][0-9])[0-9]*$" \
  "$xgrad" train --data "$diabetes" --target progression --save "$regressor"
check "train: auto picks classification for few integers" 0 out "^task: classification \(the target 'digit' holds integers with 10 distinct values" \
  "$xgrad" train --data "$digits" --target digit --epochs 1
check "train --task classification on a numeric target" 0 out "^task: classification \(as asked.*22 classes.*test_accuracy=" \
  "$xgrad" train --data "$work/iris_numbers.csv" --target petal_width --task classification --epochs 2
check "train --loss mae" 0 out "loss mae.*${nl}test_r2=" "$xgrad" train --data "$work/iris_numbers.csv" --target petal_width --loss mae --epochs 5
check "train --loss huber" 0 out "loss huber.*${nl}test_r2=" "$xgrad" train --data "$work/iris_numbers.csv" --target petal_width --loss huber --epochs 5
check "train --task regression on text names the cell" 1 err "iris\.csv, line 2, column 5 'species': 'setosa' is not a number; a regression target must be numeric" \
  "$xgrad" train --data "$iris" --target species --task regression
check "train --task foo" 2 err "--task: foo not in" "$xgrad" train --data "$iris" --target species --task foo
check "train --loss for classes" 2 err "--loss mae: the target is classes" "$xgrad" train --data "$iris" --target species --loss mae
check "train --loss foo" 2 err "--loss: foo not in" "$xgrad" train --data "$work/iris_numbers.csv" --target petal_width --loss foo
printf 'a,b,y\n1,2,1.5\n3,4,1.5\n5,6,1.5\n' >"$work/constant.csv"
check "train: a constant regression target" 1 err "constant.csv: the target 'y' is constant \(every row holds 1\.5\)" \
  "$xgrad" train --data "$work/constant.csv" --target y
check "train --plot-confusion on a regression" 2 err "--plot-confusion draws classes" \
  "$xgrad" train --data "$work/iris_numbers.csv" --target petal_width --plot-confusion "$work/c.svg"
check "train --early-stopping: says where it stopped" 0 out "early stopping: stopped after epoch [0-9]+; restored the weights of epoch [0-9]+ \(val_loss [0-9.e-]+\)${nl}.*${nl}test_accuracy=" \
  "$xgrad" train --data "$iris" --target species --early-stopping 2
check "train --early-stopping 0" 2 err "--early-stopping: Value 0 not in range" "$xgrad" train --data "$iris" --target species --early-stopping 0
check "train --early-stopping without validation rows" 2 err "--early-stopping watches the validation loss; --validation-fraction 0" \
  "$xgrad" train --data "$iris" --target species --early-stopping 5 --validation-fraction 0
check "predict a regressor: one full-precision number per row" 0 out "^prediction${nl}(-?[0-9]+\.[0-9]{6,}(e[-+][0-9]+)?${nl}){441}-?[0-9.e+-]+$" \
  "$xgrad" predict --model "$regressor" --data "$diabetes" --target progression
check "predict a regressor --target: r2, mae, rmse on stderr" 0 err "^r2=0\.[0-9]{4}${nl}mae=[0-9.]+${nl}rmse=[0-9.]+ \(442 rows\)$" \
  "$xgrad" predict --model "$regressor" --data "$diabetes" --target progression
cut -d, -f1-10 "$diabetes" >"$work/diabetes_features.csv"
check "predict a regressor without a target" 0 out "^prediction${nl}[0-9]" "$xgrad" predict --model "$regressor" --data "$work/diabetes_features.csv"
sed '3s/,[^,]*$/,lots/' "$diabetes" >"$work/diabetes_text.csv"
check "predict a regressor: a target cell that is not a number" 1 err "diabetes_text\.csv, line 3, column 11 'progression': 'lots' is not a finite number" \
  "$xgrad" predict --model "$regressor" --data "$work/diabetes_text.csv" --target progression

# --- text columns, missing cells, --ignore --------------------------------
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, "") } NR == 1 { print "id", $0, "color"; next }
  { c = NR % 3 == 0 ? "red" : NR % 3 == 1 ? "green" : "blue"; if (NR % 7 == 0) c = ""; if (NR % 10 == 0) $1 = "NA";
    print "row" NR, $0, c }' "$iris" >"$work/mixed.csv"
mixed=$work/mixed_model.npz
check "train: an id column is refused, naming --ignore" 1 err "column 1 'id' holds a different text in every training row \(an id\?\); leave it out with --ignore id" \
  "$xgrad" train --data "$work/mixed.csv" --target species
check "train: text and missing cells are encoded and imputed, the summary names them" 0 out \
  "one-hot encoded: color \(4 categories\); imputed: sepal_length \([0-9]+ cells, mean 5\.[0-9]+\), color \([0-9]+ cells, as a category\).*${nl}test_accuracy=(0\.9[0-9]{3}|1\.0000)$" \
  "$xgrad" train --data "$work/mixed.csv" --target species --ignore id --save "$mixed"
check "predict: the model's encoding and imputation" 0 err "^accuracy=0\.9[0-9]{3} \(1[0-9]{2} of 150 rows\)$" \
  "$xgrad" predict --model "$mixed" --data "$work/mixed.csv" --target species
sed 's/,red$/,purple/' "$work/mixed.csv" >"$work/purple.csv"
check "predict: an unseen category warns once, naming the column and value" 0 err \
  "^warning: [^${nl}]*purple\.csv: column 'color' has the category 'purple', unseen in training; it encodes as all zeros${nl}accuracy=" \
  "$xgrad" predict --model "$mixed" --data "$work/purple.csv" --target species
cut -d, -f1-5 "$work/mixed.csv" >"$work/no_color.csv"
check "predict: a column the model needs" 1 err "no_color\.csv: there is no column 'color', a feature of the model" \
  "$xgrad" predict --model "$mixed" --data "$work/no_color.csv"
sed '3s/^row3,4\.9/row3,four/' "$work/mixed.csv" >"$work/mixed_text.csv"
check "predict: text in a numeric column names the cell" 1 err "mixed_text\.csv, line 3, column 2 'sepal_length': 'four' is not a number" \
  "$xgrad" predict --model "$mixed" --data "$work/mixed_text.csv" --target species
check "train --missing error" 1 err "mixed\.csv, line [0-9]+, column [0-9] '[a-z_]+': the cell is missing" \
  "$xgrad" train --data "$work/mixed.csv" --target species --ignore id --missing error
check "train --missing foo" 2 err "--missing: foo not in" "$xgrad" train --data "$iris" --target species --missing foo
check "train --ignore an unknown column" 1 err "there is no column 'nope'" "$xgrad" train --data "$iris" --target species --ignore nope
check "train --ignore the target" 1 err "the target 'species' cannot be ignored" "$xgrad" train --data "$iris" --target species --ignore species
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, "") } NR % 50 == 7 { $5 = "" } { print }' "$iris" >"$work/no_target.csv"
check "train: rows without a target are dropped with a count" 0 err "^dropped 3 rows whose target 'species' is missing$" \
  "$xgrad" train --data "$work/no_target.csv" --target species --epochs 2
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, "") } { print $0, NR == 1 ? "blank" : "n/a" }' "$iris" >"$work/all_missing.csv"
check "train: a column missing in every row" 1 err "column 6 'blank' is missing in every row; leave it out with --ignore blank" \
  "$xgrad" train --data "$work/all_missing.csv" --target species

tr ',' ';' <"$work/mixed.csv" >"$work/semicolons.csv"
check "train --delimiter ';'" 0 out "one-hot encoded: color.*test_accuracy=" \
  "$xgrad" train --data "$work/semicolons.csv" --target species --ignore id --delimiter ';' --epochs 5 --save "$work/semi.npz"
check "predict --delimiter ';'" 0 err "^accuracy=" "$xgrad" predict --model "$work/semi.npz" --data "$work/semicolons.csv" --target species --delimiter ';'
check "train --dtype float64" 0 out "test_accuracy=" \
  "$xgrad" train --data "$iris" --target species --dtype float64 --epochs 5 --quiet --save "$work/iris64.npz"
check "predict a float64 model: its probabilities in float64 (17 digits)" 0 out "${nl}[0-9.e-]{18,},[0-9.e-]{18,},[0-9.e-]{18,}${nl}" \
  "$xgrad" predict --model "$work/iris64.npz" --data "$iris" --target species --proba
check "predict a float64 model: classes and accuracy" 0 err "^accuracy=0\.[0-9]+ \(" \
  "$xgrad" predict --model "$work/iris64.npz" --data "$iris" --target species
check "export a float64 model (converted to float32)" 0 out "iris64\.onnx" \
  "$xgrad" export --model "$work/iris64.npz" --onnx "$work/iris64.onnx"
check "train --dtype float64 regression" 0 out "test_r2=" \
  "$xgrad" train --data "$diabetes" --target progression --dtype float64 --epochs 20 --quiet --save "$work/dia64.npz"
check "predict a float64 regressor" 0 err "^r2=" "$xgrad" predict --model "$work/dia64.npz" --data "$diabetes" --target progression
check "train --dtype float16" 2 err "--dtype: float16 not in \{float32,float64\}" \
  "$xgrad" train --data "$iris" --target species --dtype float16
tr ',' '\t' <"$iris" >"$work/iris.tsv"
check "train --delimiter tab" 0 out "4 features, 3 classes.*test_accuracy=" "$xgrad" train --data "$work/iris.tsv" --target species --delimiter tab --epochs 5
check "train --delimiter ab" 2 err "--delimiter: must be one character \(, ; or tab\), got 'ab'" "$xgrad" train --data "$iris" --target species --delimiter ab
awk '{ print } NR % 40 == 1 { print "" }' "$iris" >"$work/blank_lines.csv"
check "train: blank lines anywhere are skipped" 0 out "150 rows, 4 features" "$xgrad" train --data "$work/blank_lines.csv" --target species --epochs 2
head -1 "$iris" >"$work/header_only.csv"
check "train: a header-only file" 1 err "header_only\.csv: the file has a header but no data rows" "$xgrad" train --data "$work/header_only.csv" --target species
head -20 "$iris" >"$work/one_class.csv"
check "train: one class" 1 err "the target has 1 class; a classifier needs at least 2" "$xgrad" train --data "$work/one_class.csv" --target species

check "train --quiet: only the final metrics" 0 out "^test_accuracy=[01]\.[0-9]{4}$" "$xgrad" train --data "$iris" --target species --quiet
check "train --quiet on a regression: the three metrics" 0 out "^test_mae=[0-9.]+${nl}test_rmse=[0-9.]+${nl}test_r2=0\.[0-9]{4}$" \
  "$xgrad" train --data "$diabetes" --target progression --quiet

# --- predict --proba, anomalies -------------------------------------------
check "predict --proba: a column per class, 9 digits" 0 out \
  "^setosa,versicolor,virginica${nl}0\.9[0-9]*,[0-9.e-]+,[0-9.e-]+${nl}" \
  "$xgrad" predict --model "$model" --data "$iris" --target species --proba
check "predict --proba without a target column" 0 out "^setosa,versicolor,virginica${nl}" \
  "$xgrad" predict --model "$model" --data "$work/iris_features.csv" --proba
check "train: a NaN loss names the epoch and the step" 1 err "the loss became (NaN|inf|-inf) at epoch 1, batch [0-9]+" \
  "$xgrad" train --data "$iris" --target species --optimizer sgd --lr 1e30 --save "$model"
check "train --detect-anomaly: the first non-finite op, its layer and shapes" 1 err \
  "anomaly detected in (forward|backward): op '[a-z_]+' in layer [0-9]+ \((Dense|PReLU)\) produced (nan|inf|-inf) .*input shapes \[16, " \
  "$xgrad" train --data "$iris" --target species --optimizer sgd --lr 1e30 --detect-anomaly --save "$model"
assert "no model is saved after an anomaly" test "$(md5sum <"$model")" = "$before"
check "train: non-finite weights are never saved" 1 err "the trained weights '0\.weight' hold (inf|-inf|nan) at element [0-9]+; the model was not saved" \
  "$xgrad" train --data "$iris" --target species --epochs 1 --batch-size 1000 --validation-fraction 0 --optimizer sgd \
  --lr 1e39 --save "$work/inf.npz"
assert "no model file after non-finite weights" test ! -e "$work/inf.npz"
check "train --detect-anomaly: silent on a healthy run" 0 out "test_accuracy=" \
  "$xgrad" train --data "$iris" --target species --epochs 2 --detect-anomaly

# --- pictures of training -------------------------------------------------
check "train --plot-history --plot-confusion" 0 out "drew the history in $work/history\.svg${nl}drew the confusion matrix in $work/confusion\.svg${nl}" \
  "$xgrad" train --data "$iris" --target species --epochs 5 --plot-history "$work/history.svg" --plot-confusion "$work/confusion.svg"
assert "history: loss and accuracy, training and validation" python3 "$svg_check" "$work/history.svg" \
  "training loss" "validation loss" "training accuracy" "validation accuracy"
assert "history: the panels' axis labels" bash -c 'grep -q "epoch" "$0" && grep -q "accuracy (fraction of rows)" "$0"' "$work/history.svg"
assert "confusion: the counts and the class names" python3 "$svg_check" "$work/confusion.svg" "counts" "counts (light cells)"
assert "confusion: axis labels and classes" bash -c 'grep -q "predicted class" "$0" && grep -q "true class" "$0" && grep -q virginica "$0"' "$work/confusion.svg"
assert "history: no learning-rate panel or restore mark when neither applies" \
  bash -c '! grep -q "learning rate" "$0" && ! grep -q "weights restored" "$0"' "$work/history.svg"
check "train --plot-history with a step schedule and early stopping" 0 out \
  "early stopping: stopped after epoch [0-9]+; restored the weights of epoch ([0-9]+) .*drew the history in $work/history_lr\.svg" \
  "$xgrad" train --data "$iris" --target species --epochs 60 --schedule step --early-stopping 4 --plot-history "$work/history_lr.svg"
restored=$(sed -n 's/.*restored the weights of epoch \([0-9]*\).*/\1/p' "$work/out")
assert "history: the learning rate series (a schedule changed it)" python3 "$svg_check" "$work/history_lr.svg" \
  "training loss" "validation loss" "learning rate"
assert "history: the restored epoch is marked (epoch $restored)" grep -q "weights restored (epoch $restored)" "$work/history_lr.svg"
check "train --plot-history: a cosine schedule without early stopping" 0 out "drew the history in $work/history_cos\.svg" \
  "$xgrad" train --data "$iris" --target species --epochs 8 --schedule cosine --plot-history "$work/history_cos.svg"
assert "history: cosine's learning rate drawn, no restore mark" bash -c \
  'python3 "$1" "$0" "learning rate" && ! grep -q "weights restored" "$0"' "$work/history_cos.svg" "$svg_check"
check "train --plot-history png without validation" 0 out "drew the history in $work/history\.png" \
  "$xgrad" train --data "$iris" --target species --epochs 3 --validation-fraction 0 --plot-history "$work/history.png"
assert "history png is a png" bash -c 'head -c 8 "$0" | grep -q PNG' "$work/history.png"
check "train: --plot-history needs .svg or .png" 2 err "--plot-history $work/h\.pdf: the extension must be \.svg or \.png" \
  "$xgrad" train --data "$iris" --target species --plot-history "$work/h.pdf"
check "train: --plot-confusion needs test rows" 2 err "--plot-confusion needs test rows" \
  "$xgrad" train --data "$iris" --target species --test-fraction 0 --plot-confusion "$work/c.svg"
check "plot-boundary: decision regions with the points by class" 0 out "^$work/regions\.svg$" \
  "$xgrad" plot-boundary --model "$model" --data "$iris" --target species --features petal_length,petal_width \
  --resolution 40 --out "$work/regions.svg"
assert "plot-boundary: regions and one series per class" python3 "$svg_check" "$work/regions.svg" \
  "decision regions" setosa versicolor virginica
assert "plot-boundary: the features label the axes" bash -c 'grep -q petal_length "$0" && grep -q petal_width "$0"' "$work/regions.svg"
check "plot-boundary png, default features, no target" 0 out "regions\.png$" \
  "$xgrad" plot-boundary --model "$model" --data "$work/iris_features.csv" --out "$work/regions.png"
assert "plot-boundary png is a png" bash -c 'head -c 8 "$0" | grep -q PNG' "$work/regions.png"
check "plot-boundary: unknown feature" 2 err "--features: 'petal' is not a feature of the model" \
  "$xgrad" plot-boundary --model "$model" --data "$iris" --features petal,sepal_width --out "$work/r.svg"
check "plot-boundary: one feature" 2 err "--features: 'petal_length' is not two feature names" \
  "$xgrad" plot-boundary --model "$model" --data "$iris" --features petal_length --out "$work/r.svg"
check "plot-boundary: gnuplot missing" 1 err "gnuplot is not installed" \
  env PATH=/nonexistent "$xgrad" plot-boundary --model "$model" --data "$work/iris_features.csv" --out "$work/r.svg"
assert "plot-boundary: nothing left behind" test ! -e "$work/r.svg"

# --- graph -----------------------------------------------------------------
check "graph: DOT of one training step" 0 out "^$work/step\.dot$" \
  "$xgrad" graph --model "$model" --data "$iris" --target species --out "$work/step.dot"
assert "graph: the parameters by name with their gradient norms" grep -q '0.weight\\n\[4, 64\]\\n|grad| = ' "$work/step.dot"
assert "graph: ops with shape and layer" grep -q 'label="linear\\nlayer 0 (Dense)\\n\[4, 64\]' "$work/step.dot"
assert "graph: the loss at the root" grep -q 'label="cross_entropy\\n\[\]\\n|grad| = 1"' "$work/step.dot"
check "graph: svg drawn by Graphviz" 0 out "step\.svg$" "$xgrad" graph --model "$model" --out "$work/step.svg"
assert "graph: the svg parses" xmllint --noout "$work/step.svg"
assert "graph: the svg shows the parameters" grep -q "1.weight" "$work/step.svg"
check "graph: png" 0 out "step\.png$" "$xgrad" graph --model "$model" --out "$work/step.png"
assert "graph: the png is a png" bash -c 'head -c 8 "$0" | grep -q PNG' "$work/step.png"
check "graph: unknown extension" 2 err "--out $work/step\.gif: the extension must be \.dot, \.svg, \.png or \.pdf" \
  "$xgrad" graph --model "$model" --out "$work/step.gif"
check "graph: Graphviz missing" 1 err "Graphviz's dot is not installed .*apt-get install graphviz" \
  env PATH=/nonexistent "$xgrad" graph --model "$model" --out "$work/nodot.svg"
assert "graph: nothing left without Graphviz" bash -c '! ls -A "$0" | grep -q "nodot"' "$work"
check "graph: --target needs --data" 2 err "--target needs --data" "$xgrad" graph --model "$model" --target species --out "$work/x.dot"
check "graph: missing model" 1 err "cannot open '$work/none\.npz'" "$xgrad" graph --model "$work/none.npz" --out "$work/x.dot"

# --- export ----------------------------------------------------------------
check "export: ONNX" 0 out "^$work/iris\.onnx$" "$xgrad" export --model "$model" --onnx "$work/iris.onnx"
assert "export: the file holds the input and output names" bash -c 'grep -q probabilities "$0" && grep -q input "$0"' "$work/iris.onnx"
check "export: the name must end in .onnx" 2 err "--onnx $work/iris\.txt: the file name must end in \.onnx" \
  "$xgrad" export --model "$model" --onnx "$work/iris.txt"
check "export: missing model" 1 err "cannot open '$work/none\.npz'" "$xgrad" export --model "$work/none.npz" --onnx "$work/n.onnx"
awk -F, -v OFS=, '{ sub(/\r$/, "") } NR == 1 { print $0, "input"; next } { print $0, (NR % 2 ? "a" : "b") }' "$iris" \
  >"$work/named_input.csv"
"$xgrad" train --data "$work/named_input.csv" --target species --epochs 2 --save "$work/named_input.npz" >/dev/null
check "export: a text column named like the numeric input" 1 err \
  "the text column 'input' cannot name a graph input \(the name is taken or reserved\); rename the column" \
  "$xgrad" export --model "$work/named_input.npz" --onnx "$work/named_input.onnx"
assert "export: no file after the error" test ! -e "$work/named_input.onnx"
check "export: into a missing directory" 2 err "the directory $work/nowhere does not exist" \
  "$xgrad" export --model "$model" --onnx "$work/nowhere/m.onnx"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
