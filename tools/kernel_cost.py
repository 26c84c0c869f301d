"""Cost of the compiled fused f-and-f′ loops per element, and of one out= call at 2^10.

For every seed activation (the registry's bench labels) and dtype, runs the serial
compiled loop of ``value_and_derivative`` on 2^12 elements (in cache) many times and
prints the *minimum* time per element, then the minimum time of one
``value_and_derivative(x, out=(f, df))`` call at 2^10 elements (the per-call target of
issue 10 is ≤ 5 µs). The minimum over many short calls is what an otherwise idle core
does: on a loaded machine (other jobs sharing the cores) it moves far less than medians
or throughput at 2^24, which is why it is the figure to compare before and after a
kernel change (``actfn bench`` gives the throughput and the framework ratios)::

    python tools/kernel_cost.py                       # float32 and float64
    python tools/kernel_cost.py --dtype float32 --calls 5000 gelu gelu_tanh
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

__all__ = ["main", "measure"]


def measure(label: str, dtype: str, calls: int = 3000) -> tuple[float, float]:
    """(ns per element of the serial loop at 2^12, µs per out= call at 2^10), minima."""
    from actfn import _fast
    from actfn.bench import _activation

    act = _activation(label)
    spec = act.spec
    kernels, fused = ((spec.f_df,), True) if spec.f_df is not None else ((spec.f, spec.df), False)
    x = (np.random.default_rng(0).standard_normal(1 << 12) * 3).astype(dtype)
    a, b = np.empty_like(x), np.empty_like(x)
    entry = _fast.compiled_kernel(act, kernels, fused, dtype)
    if entry is None:
        raise SystemExit(f"{label}: no compiled loop (numba missing or disabled)")
    entry.ser(x, a, b)
    best = float("inf")
    for _ in range(calls):
        t = time.perf_counter_ns()
        entry.ser(x, a, b)
        best = min(best, time.perf_counter_ns() - t)
    xs = x[:1024].copy()
    out = (np.empty_like(xs), np.empty_like(xs))
    act.value_and_derivative(xs, out=out)
    call = float("inf")
    for _ in range(calls):
        t = time.perf_counter_ns()
        act.value_and_derivative(xs, out=out)
        call = min(call, time.perf_counter_ns() - t)
    return best / x.size, call / 1e3


def main(argv: list[str] | None = None) -> int:
    from actfn.bench import _cases

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labels", nargs="*", help="bench labels (default: the seed set)")
    ap.add_argument("--dtype", action="append", choices=["float32", "float64"])
    ap.add_argument("--calls", type=int, default=3000)
    args = ap.parse_args(argv)
    labels = args.labels or list(_cases())
    print("| activation | dtype | loop ns/element (2^12, min) | out= call µs (2^10, min) |")
    print("|---|---|---|---|")
    for dtype in args.dtype or ["float32", "float64"]:
        for label in labels:
            ns, us = measure(label, dtype, args.calls)
            print(f"| {label} | {dtype} | {ns:.2f} | {us:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
