"""What tanh and tanhshrink share: tanh itself in float64 (:func:`tanh`) and
sech²(x) = 1 - tanh²(x) without the cancellation of the latter (4e^{-2|x|}/(1 + e^{-2|x|})²).

float64 (working precision, not narrow output) takes its own tanh instead of the array
library's (the compiled path's was 2 ulp): with e = exp(-2|x|),

* |x| ≥ 0.55 (e < 1/3): tanh|x| = (1 - e)/(1 + e), numerator and denominator summed
  exactly and their low parts folded into one correction of the quotient;
* |x| < 0.55: tanh x = x/(1 + r) with Lambert's continued fraction
  r = x²/(3 + x²/(5 + x²/(7 + …))) (depth 12, exact to double precision there): r ≤ 0.1,
  so its rounding hardly reaches the result.
"""

from __future__ import annotations

from typing import Any

from . import narrow_output
from .dd import two_prod, two_sum
from .df32 import compensated, is_f32, is_jax_float
from .elementary import is_f64

__all__ = ["sech2", "tanh", "tanh_d2", "tanh_sech2"]

_SMALL = 0.55
_CF_DEPTH = 12


def _accurate(x: Any, xp: Any) -> bool:
    return compensated(x, xp)


def _narrow_parts(x: Any, xp: Any) -> tuple[Any, Any]:
    """(tanh x, sech² x) from one exponential and one division, for float64 work rounded
    to float32 or narrower (the compiled 16/32-bit loops): e = exp(-2|x|), r = 1/(1 + e),
    tanh|x| = (1 - e)·r and sech² = 4e·r²; below |x| = 10⁻³, where 1 - e would lose
    up to 2**-53/(2|x|) relatively, tanh x = x·(1 - x²/3 + 2x⁴/15) (error < x⁶/20)."""
    a = xp.abs(x)
    e = xp.exp(-2.0 * a)
    r = 1.0 / (1.0 + e)
    x2 = x * x
    small = x * (1.0 - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0)))  # (keeps the sign of ±0)
    t = xp.where(a < 1e-3, small, xp.copysign((1.0 - e) * r, x))
    return t, (4.0 * e) * (r * r)


def _narrow64(x: Any, xp: Any) -> bool:
    return is_f64(x, xp) and narrow_output(xp)


def tanh_sech2(x: Any, xp: Any) -> tuple[Any, Any]:
    """(tanh x, sech² x) together (the fused f and f′ of tanh)."""
    if _narrow64(x, xp):
        return _narrow_parts(x, xp)
    return tanh(x, xp), sech2(x, xp)


def tanh(x: Any, xp: Any) -> Any:
    """tanh(x), in float64 to ~1 ulp (see the module docstring); xp.tanh otherwise."""
    if _narrow64(x, xp):
        return _narrow_parts(x, xp)[0]
    if not _accurate(x, xp):
        return xp.tanh(x)
    a = xp.abs(x)
    e = xp.exp(-2.0 * a)
    n, nl = two_sum(1.0 + 0.0 * e, -e)
    d, dl = two_sum(1.0 + 0.0 * e, e)
    q = n / d
    big = q + q * (nl / n - dl / d)
    xs = xp.where(a < _SMALL, x, 0.0 * x)
    x2 = xs * xs
    c = xp.full_like(xs, 2.0 * _CF_DEPTH + 3.0)
    for k in range(_CF_DEPTH, 0, -1):
        c = (2.0 * k + 1.0) + x2 / c
    small = xs / (1.0 + x2 / c)
    return xp.where(a < _SMALL, small, xp.where(x < 0, -big, big))


def sech2(x: Any, xp: Any) -> Any:
    """sech²(x) = 4e/(1 + e)², e = exp(-2|x|): no cancellation, unlike 1 - tanh².

    In float64, (1 + e)² is exact as d² + 2d·dl (d + dl = 1 + e) and corrects the one
    quotient."""
    if _narrow64(x, xp):
        return _narrow_parts(x, xp)[1]
    if _accurate(x, xp) and (is_f32(x, xp) or is_jax_float(x)):
        # float32: 4·σ'(2x) with σ' scaled by 2**64 in the tails, so 4e is not lost where
        # e = e^{-2|x|} alone falls below float32's smallest normal (|x| ≈ 43.67…44.36);
        # float64 JAX arrays too (2**128 beyond |2x| = 600): XLA on CPU flushes the
        # subnormal e at |x| ≈ 354.0…354.4, where 4e is normal
        from .sigmoid import scaled_dsigmoid

        lim = 60.0 if is_f32(x, xp) else 400.0
        xc = xp.where(x < -lim, -lim, xp.where(x > lim, lim, x))  # 2x stays finite
        ds, inv_k = scaled_dsigmoid(2.0 * xc, xp)
        return (4.0 * ds) * inv_k
    e = xp.exp(-2.0 * xp.abs(x))
    if not _accurate(x, xp):
        d = 1.0 + e
        return 4.0 * e / (d * d)
    d, dl = two_sum(1.0 + 0.0 * e, e)
    p, pl = two_prod(d, d, xp)
    q = 4.0 * e / p
    return xp.where(q == 0, q, q + q * (-(pl + 2.0 * d * dl) / p))


def tanh_d2(x: Any, xp: Any) -> Any:
    """tanh''(x) = -2·tanh(x)·sech²(x). In float64 it is 8·σ''(2x) (σ the logistic
    function: -8·sign(x)·e(1 - e)/(1 + e)³, e = exp(-2|x|)), one corrected quotient
    (:func:`~actfn.kernels.sigmoid.sigmoid_second`) instead of three rounded factors."""
    if not _accurate(x, xp):
        return -2.0 * xp.tanh(x) * sech2(x, xp)
    from .sigmoid import sigmoid_second

    return sigmoid_second(2.0 * x, xp, None, factor=8.0)
