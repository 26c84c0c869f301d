"""Generate the budgeted polynomials of actfn._fast._vmath's ``*_v`` helpers.

The ``*_v`` helpers only ever feed results that are rounded once to float32 or a 16-bit
type (float64 loops use the full-accuracy ``*_d``/``*_a`` helpers), so they are sized to
a relative error budget of 2⁻⁴⁰ (≈ 9.1e-13, 2e-5 of a float32 ulp) instead of float64's
~1e-16. The polynomial part of each is fitted here to 2⁻⁴² (the rest of the budget, ≥ 3/4
of it, is for float64 rounding, ~2⁻⁵⁰, and the argument reductions):

* EXPM1_B: e^r - 1 ≈ r + r²·P(r) on |r| ≤ 0.35 (the reduced range of exp/expm1 is
  |r| ≤ ln 2 / 2 ≈ 0.3466), P = (e^r - 1 - r)/r² interpolated at Chebyshev nodes (mpmath
  ``chebyfit``, near-minimax), coefficients p_0 … p_d of P in the power basis of r.
* LOG_B: log(1 + f) = 2·atanh(s), s = f/(2 + f), written (fdlibm) 2s + s·z·p(z) with
  z = s² ≤ ((√2 - 1)/(√2 + 1))² ≈ 0.02944; p = (2·atanh(s) - 2s)/(s·z) fitted in z.
* erfcx: tools/gen_erfcx.py's Chebyshev series truncated to ``BUDGET_TERMS`` terms
  (``gen_erfcx.power_coefficients(BUDGET_TERMS)``, shipped as ERFCX_PB).

``python tools/gen_vmath_budget.py`` prints the tuples to paste into _vmath.py and, for
each, the maximum relative error of the approximation (double coefficients, exact
arithmetic, mpmath at 40 digits) on a dense grid; ``--check`` exits 1 if the shipped
coefficients differ or a fitted error exceeds 2⁻⁴² (tests/test_generated.py).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import mpmath as mp

__all__ = ["BUDGET_FIT", "EXPM1_DEGREE", "LOG_DEGREE", "errors", "expm1_coefficients",
           "log_coefficients", "main"]

DPS = 40
#: The error the fits must meet (the helpers' budget is 2⁻⁴⁰; rounding takes the rest).
BUDGET_FIT = 2.0**-42
EXPM1_R = "0.35"
EXPM1_DEGREE = 7  # P of degree 7: e^r - 1 to degree 9
LOG_DEGREE = 4  # p of degree 4: 2·atanh(s) to s¹¹
GRID = 4001


def _fit(fn, lo: mp.mpf, hi: mp.mpf, degree: int) -> tuple[float, ...]:
    with mp.workdps(DPS):
        poly, _err = mp.chebyfit(fn, [lo, hi], degree + 1, error=True)
    return tuple(float(c) for c in reversed(poly))  # p_0 first


def _g_expm1(r: mp.mpf) -> mp.mpf:
    return (mp.expm1(r) - r) / (r * r) if r != 0 else mp.mpf(1) / 2


def _zmax() -> mp.mpf:
    s = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    return s * s


def _p_log(z: mp.mpf) -> mp.mpf:
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) - 2 * s) / (s * z)


def expm1_coefficients() -> tuple[float, ...]:
    """p_0 … p_d of P, e^r - 1 ≈ r + r²·Σ p_k r^k on |r| ≤ 0.35."""
    with mp.workdps(DPS):
        r = mp.mpf(EXPM1_R)
        return _fit(_g_expm1, -r, r, EXPM1_DEGREE)


def log_coefficients() -> tuple[float, ...]:
    """p_0 … p_d of p, 2·atanh(s) ≈ 2s + s·z·Σ p_k z^k, z = s² ≤ 0.02944."""
    with mp.workdps(DPS):
        return _fit(_p_log, mp.mpf(0), _zmax() * (1 + mp.mpf(2)**-20), LOG_DEGREE)


def _horner(c: tuple[float, ...], t: mp.mpf) -> mp.mpf:
    acc = mp.mpf(0)
    for v in reversed(c):
        acc = acc * t + mp.mpf(v)
    return acc


def errors(erfcx_power: tuple[float, ...] | None = None) -> dict[str, float]:
    """Max relative error of each shipped approximation on a dense grid (exact arithmetic
    with the double coefficients, against mpmath at 40 digits)."""
    out: dict[str, float] = {}
    ce, cl = expm1_coefficients(), log_coefficients()
    with mp.workdps(DPS):
        r0 = mp.mpf(EXPM1_R)
        worst = mp.mpf(0)
        for i in range(GRID):
            r = -r0 + 2 * r0 * i / (GRID - 1)
            if r == 0:
                continue
            want = mp.expm1(r)
            worst = max(worst, abs((r + r * r * _horner(ce, r)) / want - 1))
        out["expm1"] = float(worst)
        smax = mp.sqrt(_zmax())
        worst = mp.mpf(0)
        for i in range(GRID):
            s = -smax + 2 * smax * i / (GRID - 1)
            if s == 0:
                continue
            want = 2 * mp.atanh(s)
            worst = max(worst, abs((2 * s + s * s * s * _horner(cl, s * s)) / want - 1))
        out["log"] = float(worst)
        if erfcx_power is not None:
            gx = _gen_erfcx()
            k_ = mp.mpf(gx.K)
            worst = mp.mpf(0)
            for i in range(GRID):
                y = -1 + mp.mpf(2) * i / GRID  # [-1, 1): x from 0 to ~2.4e4·K
                x = k_ * (1 + y) / (1 - y)
                want = mp.exp(x * x) * mp.erfc(x) if x < 10**6 else 1 / (x * mp.sqrt(mp.pi))
                got = _horner(erfcx_power, y) / (x + k_)
                worst = max(worst, abs(got / want - 1))
            out["erfcx"] = float(worst)
    return out


def _gen_erfcx():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import gen_erfcx

    return gen_erfcx


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if _vmath's EXPM1_B, LOG_B or ERFCX_PB differ from the "
                    "generated ones or a fit misses 2^-42")
    args = ap.parse_args(argv)
    gx = _gen_erfcx()
    ce, cl = expm1_coefficients(), log_coefficients()
    cx = gx.power_coefficients(gx.BUDGET_TERMS)
    err = errors(cx)
    if args.check:
        from actfn._fast._vmath import ERFCX_PB, EXPM1_B, LOG_B

        if (EXPM1_B, LOG_B, ERFCX_PB) != (ce, cl, cx):
            print("actfn._fast._vmath's budgeted coefficients are out of date: "
                  "run python tools/gen_vmath_budget.py")
            return 1
        bad = {k: v for k, v in err.items() if v > BUDGET_FIT}
        if bad:
            print(f"fits above 2^-42: {bad}")
            return 1
        return 0
    for name, vals in (("EXPM1_B", ce), ("LOG_B", cl), ("ERFCX_PB", cx)):
        print(f"{name} = (")
        for i in range(0, len(vals), 3):
            print("    " + " ".join(f"{v!r}," for v in vals[i:i + 3]))
        print(")")
    for k, v in err.items():
        print(f"# max relative error of the {k} fit: {v:.3g} (2^{math.log2(v):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
