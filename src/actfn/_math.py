"""Numerical building blocks shared by the kernels.

Every helper works on any array-API namespace ``xp``. Kernels receive arrays in the
working dtype (float64 wherever the library has it), so the float16/bfloat16/float32
results are a float64 value rounded once. For float64 itself the helpers below keep
the arguments of exponentials exact with double-double ("dd") arithmetic: an
argument ``z`` that has a rounding error ``δ`` gives ``exp(z)`` a relative error
``|z|·δ``, which is hundreds of ulps in the tails; carrying ``δ`` explicitly and
applying ``exp(z + δ) ≈ exp(z)·(1 + δ)`` removes it.
"""

from __future__ import annotations

import decimal
import math
from fractions import Fraction
from typing import Any

# Full-precision constants as (hi, lo) pairs: value = hi + lo to ~106 bits.
SQRT_2_OVER_PI = (0.7978845608028654, -4.98465440455546e-17)
INV_SQRT_2PI = 0.3989422804014327
SQRT_PI_OVER_2 = 1.2533141373155003
INV_SQRT2 = 0.7071067811865476
#: 128·ln 2, used to keep exp(-x²/2) normal until a final exact scaling by 2**-128.
LN2_128 = (88.722839111673, 2.9683799217232634e-15)
TWO_M128 = 2.0**-128


def is_f64(x: Any, xp: Any) -> bool:
    return x.dtype == xp.float64


def _split_const(x: Any, xp: Any) -> float:
    # Veltkamp splitting constant 2**ceil(p/2) + 1 for a p-bit significand.
    return 134217729.0 if is_f64(x, xp) else 4097.0


def two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """Knuth's error-free sum: a + b = s + err exactly."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod(a: Any, b: Any, xp: Any) -> tuple[Any, Any]:
    """Dekker's error-free product (``a`` an array): a·b = p + err exactly.

    Requires |a|, |b| well below the overflow threshold / 2**27 (callers clip).
    """
    c = _split_const(a, xp)
    p = a * b
    t = c * a
    ah = t - (t - a)
    al = a - ah
    t = c * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def exp_neg_abs(z: Any, xp: Any, zlo: Any = None) -> Any:
    """exp(-|z + zlo|), accurate to a few ulps even where |z| is large."""
    e = xp.exp(-xp.abs(z))
    if zlo is not None:
        e = e - e * (xp.sign(z) * zlo)
    return e


def sigmoid_parts(z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any, Any]:
    """Return (σ(z), σ(-z), σ'(z)) from the single exponential e = exp(-|z|).

    σ(z) = 1/(1+e) for z ≥ 0 and e/(1+e) for z < 0, so nothing overflows and the
    small tail is never computed as 1 minus something close to 1.
    """
    e = exp_neg_abs(z, xp, zlo)
    d = 1.0 + e
    big = 1.0 / d
    small = e / d
    pos = z >= 0
    return xp.where(pos, big, small), xp.where(pos, small, big), small / d


#: Valid range of the sharpness β of softplus and silu. Their kernels clip βx to ±800
#: before the exponentials (which keeps ±inf out of the double-double steps); that is
#: exact only while x·σ(βx), log1p(e^{-|βx|})/β and β·σ'(βx) all underflow beyond the
#: clip, i.e. for 1e-16 ≤ β ≤ 1e16. Outside, the function is ReLU (β → ∞) or its β → 0
#: limit to far below a float32 ulp over any practical input range.
BETA_MIN, BETA_MAX = 1e-16, 1e16
BETA_WHY = (
    "the kernels clip β·x at ±800 before exponentiating, which is exact only for "
    "1e-16 ≤ β ≤ 1e16; use relu for β → ∞"
)

#: Below this z, σ(z) ≈ e = exp(z) is close to subnormal: scaled_sigmoid_parts scales by 2**128.
_SIG_SCALE_BELOW = -600.0


def scaled_sigmoid_parts(z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any, Any, Any]:
    """(σ(z)·k, σ'(z)·k, σ''(z)·k, 1/k) with k = 2**128 where z < -600, else k = 1.

    Products such as x·σ'(z) whose true value is subnormal would otherwise start from
    a subnormal σ' that has already lost its precision; the caller multiplies its
    final result by 1/k (one rounding). In float32 working precision k = 1.
    """
    a = xp.abs(z)
    e = xp.exp(-a)
    if is_f64(z, xp):
        tail = z < _SIG_SCALE_BELOW
        s, serr = two_sum(-a, LN2_128[0])
        es = xp.exp(s) * (1.0 + (serr + LN2_128[1]))
        es = xp.where(tail, es, e)
        inv_k = xp.where(tail, TWO_M128, xp.ones_like(z))  # not two scalars (torch, strict)
    else:
        es, inv_k = e, 1.0
    if zlo is not None:
        corr = 1.0 - xp.sign(z) * zlo
        e, es = e * corr, es * corr
    d = 1.0 + e
    ds = es / (d * d)
    sig = xp.where(z >= 0, 1.0 / d, es / d)
    one_minus_e = -xp.expm1(-a)
    d2s = -xp.sign(z) * ds * (one_minus_e / (2.0 - one_minus_e))
    return sig, ds, d2s, inv_k


def times_sigmoid(x: Any, z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any]:
    """(x·σ(z)·k, 1/k) to ~1.5 ulp, with the scaling k of :func:`scaled_sigmoid_parts`.

    For z < 0, σ(z) = e/(1 + e): the product x·e, the exact sum 1 + e = d + d_lo and
    the correction of z's low part are folded into one final rounding,
    q + q·(c - d_lo/d) with q = (x·e)/d.
    """
    a = xp.abs(z)
    e = xp.exp(-a)
    if is_f64(z, xp):
        tail = z < _SIG_SCALE_BELOW
        s, serr = two_sum(-a, LN2_128[0])
        es = xp.where(tail, xp.exp(s) * (1.0 + (serr + LN2_128[1])), e)
        inv_k = xp.where(tail, TWO_M128, xp.ones_like(z))  # not two scalars (torch, strict)
    else:
        es, inv_k = e, 1.0
    d, d_lo = two_sum(1.0 + 0.0 * e, e)
    c = -(d_lo / d)
    if zlo is not None:
        # exp(-|z + zlo|) = e·(1 - sign(z)·zlo): all of σ for z < 0, only the e in 1 + e
        # for z ≥ 0.
        c = c + xp.where(z < 0, zlo, (e / d) * zlo)
    num = xp.where(z >= 0, x, x * es)
    q = num / d
    # q == 0 returns q itself: c can be -0.0, and q + q·c would turn -0 into +0
    # (silu(-0) and gelu_tanh(-inf) must be -0).
    return xp.where(xp.isinf(q) | (q == 0), q, q + q * c), inv_k


def sigmoid_second(z: Any, xp: Any, ds: Any) -> Any:
    """σ''(z) = σ'(z)·(1 - 2σ(z)) = -sign(z)·σ'(z)·(1 - e)/(1 + e), e = exp(-|z|)."""
    a = xp.abs(z)
    one_minus_e = -xp.expm1(-a)
    one_plus_e = 2.0 - one_minus_e
    return -xp.sign(z) * ds * (one_minus_e / one_plus_e)


def scaled_gaussian(x: Any, xp: Any) -> Any:
    """φ(x)·2**128 with φ the standard normal density, for |x| ≤ 40.

    x² is split exactly into p + e, and exp(-p/2 + 128 ln 2)·(1 - e/2) keeps the
    result normal where φ itself would be subnormal, so the caller's products lose
    nothing before the final (single-rounding) scaling by 2**-128. In float32
    working precision no scaling is applied (the factor returned is 1 instead).
    """
    p, pe = two_prod(x, x, xp)
    if not is_f64(x, xp):
        return xp.exp(-0.5 * p) * (1.0 - 0.5 * pe) * INV_SQRT_2PI
    s, serr = two_sum(-0.5 * p, LN2_128[0])
    lo = serr + (LN2_128[1] - 0.5 * pe)
    return xp.exp(s) * (1.0 + lo) * INV_SQRT_2PI


def unscale(x: Any, xp: Any) -> float:
    """The factor that undoes :func:`scaled_gaussian`'s scaling."""
    return TWO_M128 if is_f64(x, xp) else 1.0


def clip(x: Any, xp: Any, lo: float, hi: float) -> Any:
    """Clip with NaN propagating (kernels use it to keep exp/dd arguments finite)."""
    return xp.where(x < lo, lo, xp.where(x > hi, hi, x))


def zero(x: Any, xp: Any, **_: Any) -> Any:
    """The zero second derivative of piecewise-linear activations."""
    return xp.zeros_like(x)


def near_zeros(value: Any, z: Any, xp: Any, key: str, zlo: Any = None) -> Any:
    """Replace ``value`` near the interior zeros listed in ``_zeros.ZEROS[key]``.

    ``value`` is a derivative computed by its general formula, which cancels near a zero
    crossing; within ``RADIUS`` of a zero x0 the Taylor polynomial in d = z - x0 (with x0
    as a double-double, so d is exact) is used instead: it has a small relative error
    all the way down to the zero. Only in float64 working precision (float32 working
    precision keeps its formula: the polynomial constants assume doubles).
    """
    if not is_f64(z, xp):
        return value
    from ._zeros import RADIUS, ZEROS

    narrow = getattr(xp, "narrow_output", False)
    for x0_hi, x0_lo, coeffs in ZEROS[key]:
        radius = RADIUS
        if narrow:
            # The result will be rounded to float32 or narrower: the general formula's
            # relative error eps64·|terms|/|value| stays far below half a float32 ulp
            # beyond 1e-4 of the zero, and inside it a few terms of the series suffice.
            radius, coeffs = _NARROW_RADIUS, _truncate(coeffs, _NARROW_RADIUS)
        d = z - x0_hi
        d = d - x0_lo if zlo is None else d + (zlo - x0_lo)
        p = coeffs[-1] + 0.0 * d
        for c in reversed(coeffs[:-1]):
            p = p * d + c
        value = xp.where(xp.abs(d) < radius, p * d, value)
    return value


_NARROW_RADIUS = 1e-4


def _truncate(coeffs: tuple[float, ...], radius: float) -> tuple[float, ...]:
    """Leading coefficients whose omitted tail is below 2**-60 relative at ``radius``."""
    c1 = abs(coeffs[0])
    for n in range(2, len(coeffs)):
        if abs(coeffs[n]) * radius**n <= c1 * 2.0**-60:
            return coeffs[:n]
    return coeffs


# -- parameters far from 1 ------------------------------------------------------------------
# Parameters are Python floats bound before tracing, so constants derived from them are
# computed here once, exactly (fractions) or to ~40 digits (decimal), and enter the
# kernels as double-doubles or as exact powers of two.


def frexp2(v: float) -> tuple[float, int]:
    """``v = m·2**e`` with ``1 <= m < 2`` (``v > 0`` finite, subnormals included)."""
    f, e = math.frexp(v)
    return 2.0 * f, e - 1


def scale2(x: Any, e: int) -> Any:
    """``x·2**e``, exact unless the result over- or underflows (at most two products,
    so ``e`` may lie outside the exponent range of a single double)."""
    while e:
        step = max(-1000, min(1000, e))
        x = x * math.ldexp(1.0, step)
        e -= step
    return x


def dd(v: Fraction) -> tuple[float, float]:
    """``v`` as a double-double ``(hi, lo)`` (``hi`` correctly rounded; finite ``v``)."""
    hi = float(v)
    return hi, float(v - Fraction(hi))


def log_dd(v: Fraction) -> tuple[float, float]:
    """``ln v`` for an exact positive rational ``v`` as a double-double (~120 bits)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        ln = decimal.Decimal(v.numerator).ln() - decimal.Decimal(v.denominator).ln()
    return dd(Fraction(ln))


def exp_shifted(q: Any, qlo: Any, c: tuple[float, float], xp: Any) -> Any:
    """``exp(q + qlo + c_hi + c_lo)`` to a few ulps for a double-double constant ``c``.

    Multiplies by ``exp(c)`` inside the exponential, so a factor far from 1 (a huge or
    tiny parameter) neither overflows on its own nor leaves ``exp(q)`` subnormal where
    the product is normal.
    """
    s, serr = two_sum(q, c[0])
    lo = serr + c[1] if qlo is None else serr + (c[1] + qlo)
    e = xp.exp(s)
    return xp.where(xp.isinf(e), e, e + e * lo)  # inf·lo with lo < 0 would give NaN


def scaled_dsigmoid(z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any]:
    """(σ'(z)·k, 1/k) with k = 2**128 where |z| > 600 (both tails), else k = 1.

    Like :func:`scaled_sigmoid_parts`, but symmetric: σ'(z) = e/(1 + e)² with
    e = exp(-|z|) is subnormal for z > 708 as well as for z < -708, and a caller that
    multiplies it by a large factor (β) must not start from a subnormal.
    """
    a = xp.abs(z)
    e = xp.exp(-a)
    if is_f64(z, xp):
        tail = a > -_SIG_SCALE_BELOW
        s, serr = two_sum(-a, LN2_128[0])
        es = xp.where(tail, xp.exp(s) * (1.0 + (serr + LN2_128[1])), e)
        inv_k = xp.where(tail, TWO_M128, xp.ones_like(z))
    else:
        es, inv_k = e, 1.0
    if zlo is not None:
        corr = 1.0 - xp.sign(z) * zlo
        e, es = e * corr, es * corr
    d = 1.0 + e
    return es / (d * d), inv_k
