#!/usr/bin/env bash
# Builds the fake CUDA driver (fake_cuda.c) as OUTPUT_DIR/libcuda.so.1 for the binding's tests:
#   build-fake-cuda.sh SOURCE_DIR OUTPUT_DIR
# Without a C compiler it says so in one line and exits 0; the tests that need the fake then skip.
set -euo pipefail
src="$1"
out="$2"
cc="$(command -v gcc || command -v cc || true)"
if [ -z "$cc" ]; then
  echo "kiln-kernels: no C compiler (gcc, cc): the fake CUDA driver is not built; its tests will skip"
  exit 0
fi
mkdir -p "$out"
if [ -f "$out/libcuda.so.1" ] && [ "$out/libcuda.so.1" -nt "$src/fake_cuda.c" ]; then
  exit 0
fi
"$cc" -std=c11 -O1 -Wall -Wextra -Werror -shared -fPIC -o "$out/libcuda.so.1" "$src/fake_cuda.c" -lm
