"""Max-ulp table of f, f′, f″ for every activation × dtype from the dense sweeps.

For each activation (defaults and ``Spec.cases``) and each of f, f′, f″: float64 on
random inputs (log-uniform 1e-300…1e300 both signs, uniform [-40, 40]) and on the
underflow/overflow bands found from the kernels (tests/f64sweep.py); float32 on its
bands; float16 and bfloat16 exhaustively (all 65,536 inputs). Reference:
``actfn.reference`` (python-flint ball arithmetic, correctly rounded). Each cell is the
worst of both NumPy paths (compiled numba loops and ACTFN_DISABLE_NUMBA fallback).

    python tools/f64_sweep.py                    # 2,000 random float64 per function
    python tools/f64_sweep.py --full             # 1,000,000 random float64 per function
    python tools/f64_sweep.py --n 100000 --only gelu,mish --dtypes float64
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import f64sweep as S  # noqa: E402

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="random float64 inputs per function")
    ap.add_argument("--full", action="store_true", help="1,000,000 random inputs per function")
    ap.add_argument("--per-edge", type=int, default=64, help="random inputs per band edge")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--only", default="", help="comma-separated case ids (default: all)")
    ap.add_argument("--dtypes", default="float64,float32,float16,bfloat16")
    args = ap.parse_args(argv)
    n = 1_000_000 if args.full else args.n
    dtypes = args.dtypes.split(",")
    only = set(filter(None, args.only.split(",")))
    print(f"reference: actfn.reference (flint ball arithmetic); float64: {n} random + bands "
          f"({args.per_edge} per edge); float32: bands; float16/bfloat16: all 65,536; "
          f"seed {args.seed}\n")
    print("| activation | " + " | ".join(f"{d} f/f′/f″ (points)" for d in dtypes) + " |")
    print("|---" * (len(dtypes) + 1) + "|")
    worst_points = []
    for case in S.sweep_cases():
        cid = S.case_id(case)
        if only and cid not in only and case[0] not in only:
            continue
        cells = []
        for dt in dtypes:
            us, count = [], 0
            for which in S.WHICH:
                if dt in ("float16", "bfloat16"):
                    x = S.all_16bit(dt)
                else:
                    e = S.edges(case, which)
                    x = S.band_points(e, dt, args.per_edge, args.seed)
                    if dt == "float64":
                        x = np.concatenate([x, S.random_points(n, args.seed)])
                r = S.worst(case, which, x)
                u = max(v[0] for v in r.values())
                us.append(str(u))
                count = max(count, x.size)
                if u > S.BOUNDS[dt][which]:
                    worst_points += [(cid, dt, which, p, v) for p, v in r.items()
                                     if v[0] > S.BOUNDS[dt][which]]
            cells.append("/".join(us) + f" ({count})")
        print(f"| {cid} | " + " | ".join(cells) + " |", flush=True)
    print("\nbeyond the bounds (case, dtype, function, path, (ulps, x)):")
    for w in worst_points:
        print("  ", w)
    return 1 if worst_points else 0


if __name__ == "__main__":
    t0 = time.time()
    rc = main()
    print(f"\n{time.time() - t0:.0f} s")
    raise SystemExit(rc)
