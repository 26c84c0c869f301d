"""The standard normal density φ(x) = exp(-x²/2)/√(2π), scaled to stay normal, and
full-precision constants of the Gaussian kernels (gelu)."""

from __future__ import annotations

from typing import Any

from . import narrow_output
from .dd import two_prod, two_sum
from .df32 import const_operand, tail_scaling
from .elementary import is_f64

__all__ = ["SQRT_2_OVER_PI", "INV_SQRT_2PI", "INV_SQRT_2PI_DD", "SQRT_PI_OVER_2", "INV_SQRT2", "scaled_gaussian", "unscale"]


# Full-precision constants as (hi, lo) pairs: value = hi + lo to ~106 bits.
SQRT_2_OVER_PI = (0.7978845608028654, -4.98465440455546e-17)


INV_SQRT_2PI = 0.3989422804014327


#: 1/√(2π) as a double-double.
INV_SQRT_2PI_DD = (0.3989422804014327, -2.49232720227773e-17)


SQRT_PI_OVER_2 = 1.2533141373155003


INV_SQRT2 = 0.7071067811865476


def scaled_gaussian(x: Any, xp: Any) -> Any:
    """φ(x)·k with φ the standard normal density, for |x| ≤ 40: k = 2**128 in float64,
    2**64 in float32 (:func:`actfn.kernels.df32.tail_scaling`).

    x² is split exactly into p + e, and exp(-p/2 + ln k)·(1 - e/2) keeps the
    result normal where φ itself would be subnormal, so the caller's products lose
    nothing before the final (single-rounding) scaling by 1/k (:func:`unscale`).
    Narrower working precision is not scaled (the factor returned is 1 instead).
    """
    if is_f64(x, xp) and narrow_output(xp):
        # float64 rounded to float32 or narrower at the end: x² rounds with a relative
        # error 2**-53·x²/2 in the exponent, ≤ 2e-14 for |x| ≤ 40 (10⁻⁶ of a float32
        # ulp), and no scaling is needed above float32's subnormals
        return xp.exp(-0.5 * (x * x)) * INV_SQRT_2PI
    p, pe = two_prod(x, x, xp)
    ts = tail_scaling(x, xp)
    if ts is None:
        return xp.exp(-0.5 * p) * (1.0 - 0.5 * pe) * INV_SQRT_2PI
    s, serr = two_sum(-0.5 * p, const_operand(ts.ln_k[0], p, xp))
    lo = serr + (ts.ln_k[1] - 0.5 * pe)
    return xp.exp(s) * (1.0 + lo) * INV_SQRT_2PI


def unscale(x: Any, xp: Any) -> float:
    """The factor that undoes :func:`scaled_gaussian`'s scaling."""
    if is_f64(x, xp) and narrow_output(xp):
        return 1.0  # (scaled_gaussian's narrow-output branch is not scaled)
    ts = tail_scaling(x, xp)
    return 1.0 if ts is None else ts.inv_k
