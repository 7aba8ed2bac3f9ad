#!/usr/bin/env bash
# Builds the fake CUDA driver as OUTPUT_DIR/libcuda.so.1 for the binding's and GPU tensors' tests:
#   build-fake-cuda.sh SOURCE_DIR KERNELS_DIR OUTPUT_DIR
# fake_cuda.c carries out the driver calls; cuda_emulator.cpp runs Kiln's kernels (KERNELS_DIR/kiln.cu,
# compiled by g++) on the CPU. Without gcc and g++ it says so in one line and exits 0; the tests that
# need the fake then skip.
set -euo pipefail
src="$1"
kernels="$2"
out="$3"
cc="$(command -v gcc || true)"
cxx="$(command -v g++ || true)"
if [ -z "$cc" ] || [ -z "$cxx" ]; then
  echo "kiln: no C and C++ compilers (gcc, g++): the fake CUDA driver is not built; its tests will skip"
  exit 0
fi
mkdir -p "$out"
library="$out/libcuda.so.1"
if [ -f "$library" ] && [ -z "$(find "$src" "$kernels" -newer "$library" -type f)" ]; then
  exit 0                                         # up to date
fi
# The emulator's table of kernels: every extern "C" __global__ function of the files kiln.cu includes.
sources=$(sed -n 's/^#include "\(.*\)"$/\1/p' "$kernels/kiln.cu")
(cd "$kernels" && sed -n 's/^extern "C" __global__ void\( __launch_bounds__([0-9, ]*)\)\? \(kiln_[a-z0-9_]*\)(.*/KILN_KERNEL(\2)/p' $sources) \
  > "$out/kernels.inc"
"$cc" -std=c11 -O1 -Wall -Wextra -Werror -fPIC -c -o "$out/fake_cuda.o" "$src/fake_cuda.c"
"$cxx" -std=c++17 -O1 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -fPIC -c -o "$out/cuda_emulator.o" \
  -I "$src" -I "$kernels" -I "$out" "$src/cuda_emulator.cpp"
"$cxx" -shared -o "$library.tmp" "$out/fake_cuda.o" "$out/cuda_emulator.o" -lm
mv "$library.tmp" "$library"
