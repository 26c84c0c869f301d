"""Seeded hunt for accuracy failures at random (also extreme) parameter values.

For every activation with real parameters (``actfn.names()``; ``Spec.params`` and their
valid ranges), ``--sets`` parameter sets are drawn: each real parameter log-uniform over
its whole valid range (both signs where allowed; 1e-300…1e300 where unbounded),
sometimes near 1, at a bound or at its default; categorical ones uniformly. For each set,
``--n`` inputs: log-uniform |x| in 1e-320…1e308 of both signs, uniform [-800, 800], and
dense points around the edges where f, f′, f″ or an exponential inside the kernel crosses
float64's/float32's smallest normal, smallest subnormal or largest value
(tests/f64sweep.py: which covers βx or x/α crossing the exp underflow/overflow
thresholds). Checked in float64 (f ≤ 2 ulp, f′/f″ ≤ 4) and float32 (≤ 1 ulp) on both
NumPy paths (compiled loops and ``actfn._fast.disabled()``) against ``actfn.reference``
(python-flint ball arithmetic, correctly rounded). A result beyond its bound whose
absolute error is ≤ 2 eps of the dtype, where |f| < 1/16 and |x| > 2^-10, is counted
apart ("near a zero": the interior-zero allowance of tests/test_single_units.py).

    python tools/param_hunt.py                         # 6 sets × 2,000 inputs each
    python tools/param_hunt.py --only softplus,silu --sets 20 --n 4000 --seed 7
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import actfn  # noqa: E402
from tests import f64sweep as S  # noqa: E402

__all__ = ["main"]


def _measure(case, which, x, dt):
    with np.errstate(all="ignore"):
        x = x.astype(S.DTYPES[dt])
        want = S.reference(case, which, x)
    keep = S.decided(want, x)
    x, want = x[keep], want[keep]
    bound = S.BOUNDS[dt][which]
    eps = float(np.finfo(S.DTYPES[dt]).eps)
    out = {}
    for path in ("compiled", "numpy"):
        with np.errstate(all="ignore"):
            got = S.evaluate(case, which, x, path)
            u = S.ulps(got, want)
            err = np.abs(got.astype(np.float64) - want.astype(np.float64))
        near_zero = ((err <= 2 * eps) & (np.abs(want.astype(np.float64)) < 0.0625)
                     & (np.abs(x.astype(np.float64)) > 2.0**-10))
        bad = (u > bound) & ~near_zero
        i = int(np.argmax(np.where(near_zero, 0, u))) if u.size else 0
        out[path] = (int(u[i]) if u.size else 0, float(x[i]) if u.size else 0.0,
                     int(bad.sum()), int(((u > bound) & near_zero).sum()), x.size)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="inputs per parameter set and function")
    ap.add_argument("--sets", type=int, default=6, help="parameter sets per activation")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--only", default="", help="comma-separated activation names")
    ap.add_argument("--dtypes", default="float64,float32")
    args = ap.parse_args(argv)
    only = set(filter(None, args.only.split(",")))
    dtypes = args.dtypes.split(",")
    rng = np.random.default_rng(args.seed)
    failures = 0
    print("| activation | params | function | dtype | max ulp compiled / numpy (x) | "
          "beyond bound (near a zero) / points |")
    print("|---|---|---|---|---|---|")
    for name in actfn.names():
        if only and name not in only:
            continue
        for _ in range(args.sets):
            params = S.random_params(name, rng)
            if params is None:
                break
            case = (name, params)
            for which in S.WHICH:
                t0 = time.perf_counter()
                x = S.hunt_points(case, which, args.n, int(rng.integers(1 << 62)))
                for dt in dtypes:
                    r = _measure(case, which, x, dt)
                    c, p = r["compiled"], r["numpy"]
                    failures += c[2] + p[2]
                    flag = " **" if c[2] + p[2] else ""
                    print(f"| {name} | {params} | {which} | {dt} | {c[0]} ({c[1]!r}) / "
                          f"{p[0]} ({p[1]!r}) | {c[2]}+{p[2]} ({c[3]}+{p[3]}) / {c[4]}{flag} "
                          f"| {time.perf_counter() - t0:.1f}s", flush=True)
    print(f"\n{failures} results beyond their bound (not near a zero)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
