"""Generate the Chebyshev coefficients ERFCX_C of actfn._fast._vmath's erfcx.

erfcx(x) = exp(x²)·erfc(x) for x ≥ 0 is expanded as one Chebyshev series in
y = (x - K)/(x + K) (Schonfelder's substitution, K = 3.75, which maps [0, ∞) onto
[-1, 1)):  erfcx(x)·(1 + 2x) = Σ_j c_j T_j(y).  The c_j are the discrete cosine
transform of the values at N = 80 Chebyshev nodes y_k = cos(π(k + ½)/N), computed with
mpmath at 40 digits and rounded to doubles; the 26 kept terms leave a tail below 3e-18.

``python tools/gen_erfcx.py`` prints the tuple to paste into _vmath.py;
``--check`` exits 1 if the shipped coefficients differ (tests/test_generated.py).
"""

from __future__ import annotations

import argparse
import sys

import mpmath as mp

__all__ = ["coefficients", "main"]

K = "3.75"
NODES = 80
TERMS = 26
DPS = 40


def coefficients() -> tuple[float, ...]:
    """The TERMS Chebyshev coefficients c_0 … c_{TERMS-1}, rounded to doubles."""
    with mp.workdps(DPS):
        k_ = mp.mpf(K)
        half = mp.mpf(1) / 2
        ys = [mp.cos(mp.pi * (k + half) / NODES) for k in range(NODES)]
        values = []
        for y in ys:
            x = k_ * (1 + y) / (1 - y)
            values.append(mp.exp(x * x) * mp.erfc(x) * (1 + 2 * x))
        out = []
        for j in range(TERMS):
            c = sum(values[k] * mp.cos(mp.pi * j * (k + half) / NODES)
                    for k in range(NODES)) * 2 / NODES
            out.append(float(c / 2 if j == 0 else c))
    return tuple(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if actfn._fast._vmath.ERFCX_C differs from the generated ones")
    args = ap.parse_args(argv)
    c = coefficients()
    if args.check:
        from actfn._fast._vmath import ERFCX_C, ERFCX_K

        if ERFCX_C != c or ERFCX_K != float(K):
            print("actfn._fast._vmath.ERFCX_C is out of date: run python tools/gen_erfcx.py")
            return 1
        return 0
    print("ERFCX_C = (")
    for i in range(0, len(c), 3):
        print("    " + " ".join(f"{v!r}," for v in c[i:i + 3]))
    print(")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
