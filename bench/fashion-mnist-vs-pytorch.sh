#!/usr/bin/env bash
# Fashion-MNIST training, Kiln and PyTorch 1.13 back to back on the same cores (README: "Fashion-MNIST
# results"). Needs ../shared/peers and Debian's python3-torch. Usage: bench/fashion-mnist-vs-pytorch.sh [OUT]
# Writes each run's log (Kiln: the --json line last; PyTorch: JSON lines) under OUT (default runs/vs-pytorch).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-runs/vs-pytorch}"
peers="../shared/peers"
mkdir -p "$out"
export ANCHOR_IDLE_TIMEOUT="${ANCHOR_IDLE_TIMEOUT:-30}"   # the peer script waits for a quiet machine

kiln() { local name="$1"; shift; ./kiln train --epochs 10 --threads 2 --json --out "$out/$name" "$@" > "$out/$name.log" 2>&1; }
torch() { local name="$1"; shift; /usr/bin/python3 "$peers/train_fmnist.py" --epochs 10 --threads 2 --blas-threads 1 "$@" > "$out/$name.log" 2>&1; }

kiln kiln-mlp --model mlp
torch torch-mlp --model mlp
kiln kiln-mlp-peer --model mlp --schedule none --val-fraction 0
kiln kiln-lenet-peer --model lenet --schedule none --val-fraction 0
torch torch-lenet --model lenet
kiln kiln-cnn --model cnn
for seed in 1 2 3 4; do
  kiln "kiln-mlp-s$seed" --model mlp --seed "$seed"
  kiln "kiln-mlp-peer-s$seed" --model mlp --seed "$seed" --schedule none --val-fraction 0
  torch "torch-mlp-s$seed" --model mlp --seed "$seed"
done
echo "logs in $out"
