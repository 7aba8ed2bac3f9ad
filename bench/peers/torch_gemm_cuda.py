"""cuBLAS SGEMM through PyTorch on the GPU: the peer of `kiln bench gemm --device cuda`.

Square float32 products C = A·B (N×N, row-major, random in [-1, 1)), TF32 off (plain float32
arithmetic, as Kiln's kernels do), timed with CUDA events: warm-up calls, then --repeats samples,
each the mean of back-to-back calls lasting at least --sample-ms. Prints one JSON line per size:
  {"bench": "sgemm_cuda", "lib": "torch", "n": N, "gflops": {"min", "median", "max", "n"}, "device": ..., "torch": ...}
Without a usable GPU it prints one line to stderr, "CUDA unavailable: <reason>", and exits with 2.
"""
import argparse
import json
import statistics
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1024,2048,4096")
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--sample-ms", type=float, default=20.0)
    args = p.parse_args()

    try:
        import torch
    except ImportError as e:
        print(f"CUDA unavailable: cannot import torch ({e})", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print(f"CUDA unavailable: torch {torch.__version__} sees no CUDA device", file=sys.stderr)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda", 0)
    name = torch.cuda.get_device_name(device)

    for n in [int(s) for s in args.sizes.split(",")]:
        g = torch.Generator(device=device).manual_seed(n)
        a = torch.rand((n, n), device=device, generator=g) * 2 - 1
        b = torch.rand((n, n), device=device, generator=g) * 2 - 1
        c = torch.empty((n, n), device=device)
        for _ in range(args.warmup):
            torch.mm(a, b, out=c)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        torch.mm(a, b, out=c)
        end.record()
        end.synchronize()
        calls = max(1, round(args.sample_ms / max(start.elapsed_time(end), 1e-3)))
        flops = 2.0 * n ** 3
        samples = []
        for _ in range(args.repeats):
            start.record()
            for _ in range(calls):
                torch.mm(a, b, out=c)
            end.record()
            end.synchronize()
            seconds = start.elapsed_time(end) / 1e3 / calls
            samples.append(flops / seconds / 1e9)
        # A spot check against float64 on a few rows: a wrong product must not be timed as a fast one.
        rows = torch.arange(0, n, max(1, n // 8), device=device)
        exact = a[rows].double() @ b.double()
        err = ((c[rows].double() - exact).norm() / exact.norm()).item()
        if not err < 1e-4:
            print(f"torch_gemm_cuda: N={n}: relative error {err} against float64", file=sys.stderr)
            return 1
        print(json.dumps({"bench": "sgemm_cuda", "lib": "torch", "n": n,
                          "gflops": {"min": min(samples), "median": statistics.median(samples), "max": max(samples),
                                     "n": len(samples)},
                          "calls": calls, "device": name, "torch": torch.__version__}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
