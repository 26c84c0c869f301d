"""Measure actfn.reference's throughput (elements/s) for the seed activations.

    PYTHONPATH=src python3 tools/reference_throughput.py [--n 1000000] [--n64 20000]

Inputs: float32 (resp. float64) samples of N(0, 3²), seeded; f and f' each; the
fraction the float64 pre-pass decided is printed too (it is 1.0 minus what went to Arb).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import actfn
from actfn import bench
from actfn.reference import _core

__all__ = ["SEED", "measure", "main"]

#: The seed activations: the benchmark's labels (each spec's ``bench``), from the registry.
SEED = bench._cases()


def measure(label: str, n: int, dtype: type, derivative: int) -> tuple[float, float]:
    """(elements/s, fraction decided by the pre-pass) of one call on n elements."""
    name, params = SEED[label][0], dict(SEED[label][1])
    x = (np.random.default_rng(1).standard_normal(n) * 3).astype(dtype)
    act = actfn.get(name, **params)
    _, ok = _core._prepass(act, derivative, x.astype(np.float64),
                           _core.format_of(np.dtype(dtype)))
    actfn.reference(name, x[:1000], derivative=derivative, **params)  # warm-up
    t = time.perf_counter()
    actfn.reference(name, x, derivative=derivative, **params)
    return n / (time.perf_counter() - t), float(ok.mean())


def main() -> None:
    """Print the table (Markdown)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="float32 elements per call")
    ap.add_argument("--n64", type=int, default=20_000, help="float64 elements per call")
    a = ap.parse_args()
    print("| activation | f32 f el/s | f32 f' el/s | f32 pre-pass f/f' | f64 f el/s | f64 f' el/s |")
    print("|---|---|---|---|---|---|")
    for label in SEED:
        r32 = [measure(label, a.n, np.float32, d) for d in (0, 1)]
        r64 = [measure(label, a.n64, np.float64, d) for d in (0, 1)]
        print(f"| {label} | {r32[0][0]:.3g} | {r32[1][0]:.3g} | {r32[0][1]:.5f} / "
              f"{r32[1][1]:.5f} | {r64[0][0]:.3g} | {r64[1][0]:.3g} |", flush=True)


if __name__ == "__main__":
    main()
