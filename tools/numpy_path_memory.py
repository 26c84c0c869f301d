"""Peak memory of the pure-NumPy path (tracemalloc), as a multiple of the input's size.

Usage: PYTHONPATH=src python3 tools/numpy_path_memory.py [MiB] [name ...]
"""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np

import actfn
from actfn import _fast


def peak_ratio(name: str, dtype: str, mib: float) -> float:
    """Largest tracemalloc peak over f, f', f'' and (f, f') divided by the input's bytes."""
    act = actfn.get(name)
    x = np.linspace(-30, 30, int(mib * 2**20) // np.dtype(dtype).itemsize).astype(dtype)
    worst = 0
    with _fast.disabled():
        for method in ("__call__", "derivative", "second_derivative", "value_and_derivative"):
            getattr(act, method)(x[:100])  # lazy imports and tables, not measured
            tracemalloc.start()
            try:
                res = getattr(act, method)(x)
                worst = max(worst, tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
            del res
    return worst / x.nbytes


def main() -> None:
    mib = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    names = sys.argv[2:] or actfn.names()
    print(f"{'activation':<14}{'float32':>9}{'float64':>9}   (peak / input bytes, {mib:g} MiB)")
    for n in names:
        print(f"{n:<14}" + "".join(f"{peak_ratio(n, d, mib):>9.2f}" for d in ("float32", "float64")))


if __name__ == "__main__":
    main()
