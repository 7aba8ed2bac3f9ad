#!/usr/bin/env bash
# Compiles Kiln's CUDA C kernels into one fatbin: sm_90 machine code (H100, H200) and compute_80 PTX,
# which the driver compiles for any later GPU. Called by the Maven build (native/pom.xml):
#   build-fatbin.sh SOURCE_DIR OUTPUT_DIR
# Without nvcc it says so in one line and exits 0: the CPU build does not need the GPU kernels.
set -euo pipefail
src="$1"
out="$2"
nvcc="$(command -v nvcc || true)"
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then
  nvcc=/usr/local/cuda/bin/nvcc
fi
if [ -z "$nvcc" ]; then
  echo "kiln-native: nvcc not found (PATH, /usr/local/cuda/bin): the CUDA kernels are not built; the CPU build goes on"
  exit 0
fi
mkdir -p "$out"
fatbin="$out/kiln.fatbin"
# Rebuild only when a source is newer than the fatbin (nvcc takes a while for two targets).
if [ -f "$fatbin" ] && [ -z "$(find "$src" -newer "$fatbin" -type f -print -quit)" ]; then
  exit 0
fi
# kiln.cu includes each op family's file: one translation unit, so one fatbin and one module to load.
"$nvcc" -fatbin -O3 -std=c++17 \
  -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_80,code=compute_80 \
  -o "$fatbin.tmp" "$src/kiln.cu"
mv "$fatbin.tmp" "$fatbin"
echo "kiln-native: built $(basename "$fatbin") ($(stat -c %s "$fatbin") bytes) with $("$nvcc" --version | tail -n 1)"
