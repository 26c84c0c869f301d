"""Max-ulp table of actfn's compensated float32 path (JAX without ``jax_enable_x64``).

For each activation (defaults and ``Spec.cases``) and each of f, f′, f″, evaluated by
``actfn.jax`` under ``jit`` with x64 off (so every step is float32 arithmetic): float32
on the underflow/overflow bands found from the kernels (tests/f64sweep.py) plus seeded
random inputs (log-uniform over the whole float32 range, both signs, and uniform
[-40, 40]) plus ±0, ±inf, ±largest, ±smallest; float16 and bfloat16 exhaustively (all
65,536 inputs, computed in float32 and rounded). Reference: ``actfn.reference``
(python-flint ball arithmetic, correctly rounded). Where XLA flushes subnormals (CPU),
the reference is taken at the flushed input and distances are counted on the
flush-to-zero number line (tests/f32sweep.py). Bound (issue 10 item 3): 2 ulp.

    python tools/f32_sweep.py                   # 20,000 random float32 per function
    python tools/f32_sweep.py --full            # 100,000 random + 2,000 per band edge
    python tools/f32_sweep.py --only gelu,mish --dtypes float32
    python tools/f32_sweep.py --x64 --n 20000   # actfn.jax with jax_enable_x64, float64

``--x64`` measures the other JAX configuration: ``jax_enable_x64`` on, float64 inputs, the
double-double float64 code under ``jit`` (band points of float64 and random float64
inputs), bounds f ≤ 2, f′/f″ ≤ 4 ulp on the flush-to-zero number line
(tests/test_jax_x64_arith.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import f32sweep as F  # noqa: E402
from tests import f64sweep as S  # noqa: E402

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="random float32 inputs per function")
    ap.add_argument("--full", action="store_true",
                    help="100,000 random inputs and 2,000 per band edge per function")
    ap.add_argument("--per-edge", type=int, default=64, help="random inputs per band edge")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--only", default="", help="comma-separated case ids (default: all)")
    ap.add_argument("--dtypes", default="float32,float16,bfloat16")
    ap.add_argument("--x64", action="store_true",
                    help="actfn.jax with jax_enable_x64 on float64 inputs instead")
    args = ap.parse_args(argv)
    if args.x64:
        return _x64(args)
    n = 100_000 if args.full else args.n
    per_edge = 2000 if args.full else args.per_edge
    dtypes = args.dtypes.split(",")
    only = set(filter(None, args.only.split(",")))
    print(f"actfn.jax, x64 off (float32 arithmetic), jit; reference: actfn.reference (flint); "
          f"float32: {n} random + bands ({per_edge} per edge); float16/bfloat16: all 65,536; "
          f"subnormals flushed: {F.flushes_subnormals()}; seed {args.seed}\n")
    print("| activation | " + " | ".join(f"{d} f/f′/f″ (points)" for d in dtypes) + " |")
    print("|---" * (len(dtypes) + 1) + "|")
    beyond = []
    for case in S.sweep_cases():
        cid = S.case_id(case)
        if only and cid not in only and case[0] not in only:
            continue
        cells = []
        for dt in dtypes:
            us, count = [], 0
            for which in S.WHICH:
                if dt == "float32":
                    e = S.edges(case, which, ("float32",))
                    x = np.concatenate([S.band_points(e, dt, per_edge, args.seed),
                                        F.random_f32(n, args.seed), S.specials(dt)])
                else:
                    x = S.all_16bit(dt)
                u, xi, pts = F.worst_f32(case, which, x)
                us.append(str(u))
                count = max(count, pts)
                if u > F.BOUNDS[which]:
                    beyond.append((cid, dt, which, u, xi))
            cells.append("/".join(us) + f" ({count})")
        print(f"| {cid} | " + " | ".join(cells) + " |", flush=True)
    print("\nbeyond the bound (case, dtype, function, ulps, x):")
    for b in beyond:
        print("  ", b)
    return 1 if beyond else 0


def _x64(args: argparse.Namespace) -> int:
    """The ``--x64`` table (float64 under jax_enable_x64, jit)."""
    from tests import test_jax_x64_arith as X

    n = 100_000 if args.full else args.n
    per_edge = 2000 if args.full else args.per_edge
    only = set(filter(None, args.only.split(",")))
    print(f"actfn.jax, jax_enable_x64 (float64 double-double), jit; reference: actfn.reference "
          f"(flint); float64: {n} random + bands ({per_edge} per edge), flush-to-zero line; "
          f"seed {args.seed}\n")
    print("| activation | float64 f/f′/f″ (points) |\n|---|---|")
    beyond = []
    for case in S.sweep_cases():
        cid = S.case_id(case)
        if only and cid not in only and case[0] not in only:
            continue
        us, count = [], 0
        for which in S.WHICH:
            x = np.concatenate([S.band_points(S.edges(case, which), "float64", per_edge,
                                              args.seed),
                                S.specials("float64"), S.random_points(n, args.seed)])
            u, xi = X._worst_x64(case, which, x)
            us.append(str(int(u)))
            count = max(count, x.size)
            if u > X.BOUNDS[which]:
                beyond.append((cid, which, int(u), float(xi)))
        print(f"| {cid} | {'/'.join(us)} ({count}) |", flush=True)
    print("\nbeyond the bound (case, function, ulps, x):")
    for b in beyond:
        print("  ", b)
    return 1 if beyond else 0


if __name__ == "__main__":
    t0 = time.time()
    rc = main()
    print(f"\n{time.time() - t0:.0f} s")
    raise SystemExit(rc)
