"""Generate the coefficients ERFCX_C and ERFCX_P of actfn._fast._vmath's erfcx.

erfcx(x) = exp(x²)·erfc(x) for x ≥ 0 is expanded as one Chebyshev series in
y = (x - K)/(x + K) (Schonfelder's substitution, K = 3.75, which maps [0, ∞) onto
[-1, 1)):  erfcx(x)·(x + K) = Σ_j c_j T_j(y), a bounded function (K at x = 0, 1/√π at
infinity), so erfcx = Σ·r and y = 1 - 2K·r share the one division r = 1/(x + K).
The c_j are the discrete cosine transform of the values at N = 80 Chebyshev nodes
y_k = cos(π(k + ½)/N), computed with mpmath at 40 digits; the 26 kept terms leave a
tail below 1e-17 of the value. ERFCX_C: the c_j rounded to doubles. ERFCX_P: the same
polynomial in the power basis, Σ_k p_k y^k (converted at 40 digits, then rounded), which
the compiled loops evaluate with Estrin's scheme: a dependency chain of ~6 operations
instead of Clenshaw's 50 (latency, not arithmetic, limited the loop). Σ|p_k| is about
5, so the power basis costs at most a few float64 ulps.

ERFCX_PB (the float32-and-narrower loops' erfcx, budget 2⁻⁴⁰ relative): the series cut
to BUDGET_TERMS terms, Σ|c_j| ≈ 2e-13 beyond it against values ≥ 0.56 (the fit and its
max error: tools/gen_vmath_budget.py).

``python tools/gen_erfcx.py`` prints the tuples to paste into _vmath.py;
``--check`` exits 1 if the shipped coefficients differ (tests/test_generated.py).
"""

from __future__ import annotations

import argparse
import sys

import mpmath as mp

__all__ = ["BUDGET_TERMS", "coefficients", "main", "power_coefficients"]

K = "3.75"
NODES = 80
TERMS = 26
BUDGET_TERMS = 18
DPS = 40


def _chebyshev() -> list[mp.mpf]:
    """The TERMS Chebyshev coefficients at DPS digits."""
    with mp.workdps(DPS):
        k_ = mp.mpf(K)
        half = mp.mpf(1) / 2
        ys = [mp.cos(mp.pi * (k + half) / NODES) for k in range(NODES)]
        values = []
        for y in ys:
            x = k_ * (1 + y) / (1 - y)
            values.append(mp.exp(x * x) * mp.erfc(x) * (x + k_))
        out = []
        for j in range(TERMS):
            c = sum(values[k] * mp.cos(mp.pi * j * (k + half) / NODES)
                    for k in range(NODES)) * 2 / NODES
            out.append(c / 2 if j == 0 else c)
    return out


def coefficients() -> tuple[float, ...]:
    """The TERMS Chebyshev coefficients c_0 … c_{TERMS-1}, rounded to doubles."""
    return tuple(float(c) for c in _chebyshev())


def power_coefficients(terms: int = TERMS) -> tuple[float, ...]:
    """p_0 … p_{terms-1} with Σ p_k y^k = Σ_{j<terms} c_j T_j(y), converted exactly, then
    rounded (``terms`` < TERMS: the series truncated first)."""
    c = _chebyshev()[:terms]
    with mp.workdps(DPS):
        t_prev, t_cur = [mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]  # T_0, T_1 in the power basis
        p = [mp.mpf(0)] * terms
        p[0] += c[0]
        for j in range(1, terms):
            for k, v in enumerate(t_cur):
                p[k] += c[j] * v
            nxt = [mp.mpf(0)] + [2 * v for v in t_cur]
            for k, v in enumerate(t_prev):
                nxt[k] -= v
            t_prev, t_cur = t_cur, nxt
    return tuple(float(v) for v in p)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if actfn._fast._vmath.ERFCX_C or ERFCX_P differ from the "
                    "generated ones")
    args = ap.parse_args(argv)
    c = coefficients()
    if args.check:
        from actfn._fast._vmath import ERFCX_C, ERFCX_K, ERFCX_P

        if ERFCX_C != c or ERFCX_P != power_coefficients() or ERFCX_K != float(K):
            print("actfn._fast._vmath.ERFCX_C is out of date: run python tools/gen_erfcx.py")
            return 1
        return 0
    for name, vals in (("ERFCX_C", c), ("ERFCX_P", power_coefficients())):
        print(f"{name} = (")
        for i in range(0, len(vals), 3):
            print("    " + " ".join(f"{v!r}," for v in vals[i:i + 3]))
        print(")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
