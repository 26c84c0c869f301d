"""Taylor series around the interior zeros of a derivative.

Where a derivative crosses zero away from the origin its formula is a sum of terms of
opposite sign whose rounding becomes a large *relative* error of the small result;
within a radius of each zero x0 the polynomial in d = x - x0 (x0 a double-double, so d
is exact) is used instead. The tables are generated beside each activation
(``actfn/catalog/_zeros/<name>.py``) by ``tools/gen_zeros.py``.
"""

from __future__ import annotations

from typing import Any

from . import narrow_output
from .df32 import compensated, const_operand, is_f32, split32
from .elementary import is_f64

__all__ = ["RADIUS", "estrin", "near_zeros", "truncate"]

#: Half-width of the interval around each zero where its series replaces the formula.
RADIUS = 1.0


def near_zeros(value: Any, z: Any, xp: Any,
               zeros: tuple[tuple[float, float, tuple[float, ...]], ...],
               zlo: Any = None, radius: float = RADIUS) -> Any:
    """Replace ``value`` near the interior ``zeros`` (a generated table: one
    ``(x0_hi, x0_lo, (c1, c2, ...))`` per zero, from ``catalog/_zeros/<name>.py``).

    ``value`` is a derivative computed by its general formula, which cancels near a zero
    crossing; within ``RADIUS`` of a zero x0 the Taylor polynomial in d = z - x0 (with x0
    as a double-double, so d is exact) is used instead: it has a small relative error
    all the way down to the zero (``radius`` ≤ RADIUS narrows the interval where the
    general formula is accurate closer to the zero). In float64 working precision, and
    in compensated float32 (:mod:`.df32`: x0 split into a float32 pair, the coefficients
    rounded to float32, which leaves the polynomial within ~1e-7 relative).
    """
    f32 = is_f32(z, xp)
    if not (is_f64(z, xp) or (f32 and compensated(z, xp))):
        return value
    narrow = narrow_output(xp)
    wide = radius
    for x0_hi, x0_lo, coeffs in zeros:
        radius = wide
        if f32:
            x0_hi, x0_lo = split32(x0_hi, x0_lo)
            coeffs = truncate(coeffs, radius, 2.0**-30)
        else:
            # float64: only the terms that matter within this radius (the tables are
            # generated for RADIUS; gelu's tanh form uses 19 of 45 terms at 0.25)
            coeffs = truncate(coeffs, radius)
        if narrow:
            # The result will be rounded to float32 or narrower: the general formula's
            # relative error eps64·|terms|/|value| stays far below half a float32 ulp
            # beyond 1e-4 of the zero, and inside it a few terms of the series suffice.
            radius, coeffs = _NARROW_RADIUS, truncate(coeffs, _NARROW_RADIUS)
        d = z - x0_hi
        # (float32: x0_lo + 0·z, a constant alone would let XLA fold (z - hi) - lo into
        # z - (hi + lo); const_operand)
        d = d - const_operand(x0_lo, z, xp) if zlo is None else d + (zlo - x0_lo)
        p = coeffs[-1] + 0.0 * d
        for c in reversed(coeffs[:-1]):
            p = p * d + c
        value = xp.where(xp.abs(d) < radius, p * d, value)
    return value


_NARROW_RADIUS = 1e-4


def estrin(coeffs: tuple[float, ...], d: Any) -> Any:
    """Σ c_k d^k by Estrin's scheme: (c0 + c1·d) + d²·(c2 + c3·d) + d⁴·(…) …, a tree of
    depth log2(n) instead of Horner's chain of n dependent steps (the compiled float64
    loops have no FMA contraction, so Horner's chain is twice as long). Its roundings
    differ from Horner's: at the edge of a zero's series (gelu's tanh-form f′ at 0.25)
    it reached 4 ulp where Horner stays within 2, so :func:`near_zeros` keeps Horner."""
    terms = [coeffs[i] + coeffs[i + 1] * d if i + 1 < len(coeffs) else coeffs[i] + 0.0 * d
             for i in range(0, len(coeffs), 2)]
    power = d * d
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] * power if i + 1 < len(terms) else terms[i]
                 for i in range(0, len(terms), 2)]
        power = power * power
    return terms[0]


def truncate(coeffs: tuple[float, ...], radius: float,
              tol: float = 2.0**-60) -> tuple[float, ...]:
    """Leading coefficients whose omitted tail is below ``tol`` relative at ``radius``."""
    c1 = abs(coeffs[0])
    for n in range(2, len(coeffs)):
        if abs(coeffs[n]) * radius**n <= c1 * tol:
            return coeffs[:n]
    return coeffs
