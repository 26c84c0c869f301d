"""The normal tail Φ(-a), a ≥ 0, in float64 without SciPy: W(a) = Φ(-a)·exp(a²/2).

Φ(-a) = erfc(a/√2)/2 is written as W(a)·exp(-a²/2), where W (the Mills ratio over
√(2π)) is smooth and bounded: W(0) = 1/2, a·W(a) → 1/√(2π). It is evaluated from the
piecewise polynomials that tools/gen_erfc.py derives with mpmath (Chebyshev
interpolants, each within 2^-55 relative on its piece; tables in ``_erfc_tables``):

* 0 ≤ a < 6: W(a) = Σ c_j (a - m)^j on pieces of width 1/2 or 1 (m: the midpoint);
* 6 ≤ a ≤ 40: a·W(a) = Σ c_j (1/a - m)^j on four pieces in t = 1/a.

c_0 is a double-double, so the Horner sum ends with one rounding of a value whose other
terms are at most a third of it: W to ~0.6 ulp. The argument a is used exactly (no
a/√2 rounding amplified by the tail's slope, unlike erfc(x/√2)).
Pieces are selected branch-free (``xp.where`` on the coefficients), so the compiled
path vectorizes it.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ._erfc_tables import A_PIECES, T_PIECES
from .dd import two_prod
from .df32 import is_f32

__all__ = ["TAIL_SWITCH", "tail_w", "tail_aw"]

#: W is tabulated in a below this, a·W in 1/a above it.
TAIL_SWITCH = 6.0


@functools.cache
def _pieces32(pieces: tuple) -> tuple:
    """``pieces`` for float32 work: c_0 = hi + lo split again as float32 hi + float32 lo
    (hi rounded to float32 alone is 2^-25 off, which the float64 lo cannot hold: W
    reached ~1 float32 ulp and gelu's f 3 without x64); midpoints are float32 already."""
    out = []
    for lo, hi, m, c in pieces:
        c0 = float(np.float32(c[0]))
        out.append((lo, hi, m, (c0, float(np.float32((c[0] - c0) + c[1])), *c[2:])))
    return tuple(out)


def _horner(v: Any, pieces: tuple, xp: Any) -> Any:
    """Σ c_j (v - m)^j with the coefficients of the piece that holds v (v ≥ first lo)."""
    if is_f32(v, xp):
        pieces = _pieces32(pieces)
    ncoef = len(pieces[0][3])
    # arrays of v's dtype from the start (torch.where of two Python floats is float32)
    coeffs = [xp.full_like(v, c) for c in pieces[0][3]]
    m = xp.full_like(v, pieces[0][2])
    for lo, _hi, mk, ck in pieces[1:]:
        cond = v >= lo
        m = xp.where(cond, mk, m)
        coeffs = [xp.where(cond, ck[j], coeffs[j]) for j in range(ncoef)]
    s = v - m
    p = coeffs[-1] + 0.0 * s
    for c in reversed(coeffs[3:-1]):
        p = p * s + c
    # c_0 = coeffs[0] + coeffs[1] (double-double): the low part joins the small terms.
    return coeffs[0] + (coeffs[1] + (p * s + coeffs[2]) * s)


def _tail_parts(a: Any, xp: Any) -> tuple[Any, Any, Any, Any, Any]:
    """(a < 6, a clamped to 6, t = 1/a clamped, W(a) for the small lanes, a·W(a) for the
    others). The compiled path's tracing namespace has ``tail_horner``: one table lookup
    serves both (``actfn._fast._vmath.tail_horner_v``, the same roundings)."""
    small = a < TAIL_SWITCH
    aa = xp.where(small, a, TAIL_SWITCH)
    t = 1.0 / xp.where(small, TAIL_SWITCH, a)
    lookup = getattr(xp, "tail_horner", None)
    if lookup is not None:
        s = lookup(a)
        return small, aa, t, s, s
    return small, aa, t, _horner(aa, A_PIECES, xp), _horner(t, T_PIECES, xp)


def tail_w(a: Any, xp: Any) -> Any:
    """W(a) = Φ(-a)·exp(a²/2) for 0 ≤ a ≤ 40 (float64 working precision)."""
    small, _, t, w_small, aw_big = _tail_parts(a, xp)
    return xp.where(small, w_small, aw_big * t)


def tail_aw(a: Any, xp: Any) -> tuple[Any, Any]:
    """a·W(a) = a·Φ(-a)·exp(a²/2) for 0 ≤ a ≤ 40 as (hi, lo) with hi + lo = a·W(a) to
    ~0.6 ulp (the product a·W is exact below 6; beyond, the tabulated a·W has lo = 0)."""
    small, aa, _, w_small, aw_big = _tail_parts(a, xp)
    h, lo = two_prod(aa, w_small, xp)
    return xp.where(small, h, aw_big), xp.where(small, lo, 0.0 * aw_big)
