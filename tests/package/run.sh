#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, builds tests/package
# against it with find_package(xgrad CONFIG REQUIRED) and runs it.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
test -f "$work/prefix/lib/cmake/xgrad/xgradConfigVersion.cmake"
echo "installed version file"
if [ -x "$build_dir/cli/xgrad" ]; then  # the tool is installed with the library
  "$work/prefix/bin/xgrad" --help >/dev/null
  echo "installed tool: bin/xgrad"
fi
