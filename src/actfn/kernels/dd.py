"""Double-double ("dd") arithmetic and exact constants derived from parameters.

For float64 the kernels keep the arguments of exponentials exact: an argument ``z``
with a rounding error ``δ`` gives ``exp(z)`` a relative error ``|z|·δ``, which is
hundreds of ulps in the tails; carrying ``δ`` explicitly and applying
``exp(z + δ) ≈ exp(z)·(1 + δ)`` removes it. Parameters are Python floats bound before
tracing, so constants derived from them are computed here once, exactly (fractions) or
to ~40 digits (decimal), and enter the kernels as double-doubles or exact powers of two.
"""

from __future__ import annotations

import decimal
import math
from fractions import Fraction
from typing import Any

from .df32 import const_operand, is_f32, is_jax_float, opaque, pair, split
from .elementary import is_f64

__all__ = ["LN2_128", "TWO_M128", "two_sum", "two_prod", "frexp2", "scale2", "dd", "log_dd", "exp_shifted"]


#: 128·ln 2, used to keep exp(-x²/2) normal until a final exact scaling by 2**-128.
LN2_128 = (88.722839111673, 2.9683799217232634e-15)


TWO_M128 = 2.0**-128


def _split_const(x: Any, xp: Any) -> float:
    # Veltkamp splitting constant 2**ceil(p/2) + 1 for a p-bit significand.
    return 134217729.0 if is_f64(x, xp) else 4097.0


def two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """Knuth's error-free sum: a + b = s + err exactly (operands made :func:`opaque`,
    so that XLA cannot fuse a product operand into the sum)."""
    a, b = opaque(a), opaque(b)
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod(a: Any, b: Any, xp: Any) -> tuple[Any, Any]:
    """Dekker's error-free product (``a`` an array): a·b = p + err exactly.

    Requires |a|, |b| well below the overflow threshold / 2**27 (callers clip).
    """
    p = a * b
    if is_f32(a, xp):  # float32: split by masking bits (:func:`actfn.kernels.df32.split`)
        p = opaque(p)
        ah, al = split(a, xp)
        bh, bl = split(b, xp)
        err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        # below |p| = 2**-100 the partial products fall under 2**-126, where XLA flushes
        # them to zero and the error term would be garbage: there it is dropped
        return p, xp.where(xp.abs(p) < 2.0**-100, 0.0 * err, err)
    c = _split_const(a, xp)
    if is_jax_float(a):
        # float64 under jax_enable_x64: XLA would contract c·a - a (Veltkamp's split) and
        # the consumers of p into fused multiply-adds, as in float32 (:func:`opaque`)
        p = opaque(p)
        t = opaque(c * a)
        ah = t - (t - a)
        al = a - ah
        t = opaque(c * b)
        bh = t - (t - b)
        bl = b - bh
        err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        # XLA on CPU flushes float64 subnormals too: below |p| = 2**-960 the partial
        # products fall under 2**-1022 and the error term would be garbage (as in float32)
        return p, xp.where(xp.abs(p) < 2.0**-960, 0.0 * err, err)
    t = c * a
    ah = t - (t - a)
    al = a - ah
    t = c * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def frexp2(v: float) -> tuple[float, int]:
    """``v = m·2**e`` with ``1 <= m < 2`` (``v > 0`` finite, subnormals included)."""
    f, e = math.frexp(v)
    return 2.0 * f, e - 1


def scale2(x: Any, e: int) -> Any:
    """``x·2**e``, exact unless the result over- or underflows (a few products, so ``e``
    may lie outside the exponent range of a single double or float)."""
    lim = 100 if str(getattr(x, "dtype", "")).endswith("float32") else 1000
    while e:
        step = max(-lim, min(lim, e))
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
    c = pair(c, q, xp)  # float32: c split into float32 halves
    s, serr = two_sum(q, const_operand(c[0], q, xp))
    lo = serr + c[1] if qlo is None else serr + (c[1] + qlo)
    e = xp.exp(s)
    return xp.where(xp.isinf(e), e, e + e * lo)  # inf·lo with lo < 0 would give NaN
