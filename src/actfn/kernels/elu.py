"""The ELU core shared by elu, selu and celu.

f(x) = s·x for x > 0 and s·α·(e^{x/c} - 1) for x ≤ 0 (elu: s = c = 1; selu: s = λ,
c = 1; celu: s = 1, c = α), with f' and f'' of the same form. The argument x/c is a
double-double and expm1/exp are corrected for its low part, so parameters far from 1
keep full precision; parameter-derived constants are exact (fractions, decimal).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from . import narrow_output
from .dd import dd, exp_shifted, frexp2, log_dd, scale2, two_prod
from .elementary import clip, is_f64

__all__ = ["Q_MIN", "scaled_arg", "expm1_dd", "exp_dd", "coef", "k_exp", "elu_like", "elu_like_nonzero", "elu_like_d", "elu_like_d2", "neg_part"]


#: exp(q) is 0 long before: |ln k| ≤ 1420 for every k formed from two doubles.
Q_MIN = -3000.0


def scaled_arg(x, xp, inv):
    """x/inv as (q, qlo) with q + qlo = x/inv to ~2 ulps, q clipped to [-3000, 0]
    (``inv = 1`` gives q = x unclipped and qlo = None)."""
    if inv == 1.0:
        return x, None
    m, e = frexp2(inv)
    xs = clip(scale2(x, -e), xp, Q_MIN * m, 0.0)
    if m == 1.0:
        return xs, None
    q = xs / m
    p, pe = two_prod(q, xp.full_like(q, m), xp)
    return q, ((xs - p) - pe) / m


def expm1_dd(q, qlo, xp):
    e = xp.expm1(q)
    # q == 0 returns q itself so that f(-0) = -0 (as PyTorch), which e + 0 would lose.
    return e if qlo is None else xp.where(q == 0, q, e + (e + 1.0) * qlo)


def exp_dd(q, qlo, xp):
    e = xp.exp(q)
    return e if qlo is None else e + e * qlo


@functools.lru_cache(maxsize=256)
def coef(s, a, ain, power):
    """s·a/ain**power as (m_hi, m_lo, e) with value (m_hi + m_lo)·2**e, and its log as a
    double-double; exact rational arithmetic (the float product may overflow)."""
    k = Fraction(s) * Fraction(a) / Fraction(ain) ** power
    if k == 0:
        return 0.0, 0.0, 0, (0.0, 0.0)
    e = k.numerator.bit_length() - k.denominator.bit_length()
    m = k / Fraction(2) ** e
    if m < 1:
        m, e = m * 2, e - 1
    hi, lo = dd(m)
    return hi, lo, e, log_dd(k)


def k_exp(x, xp, a, s, ain, power):
    """s·a/ain**power · exp(x/ain) on x ≤ 0, as exp(x/ain + ln k)."""
    hi, _, e, lnk = coef(s, a, ain, power)
    if hi == 0.0:
        return xp.zeros_like(x)
    q, qlo = scaled_arg(x, xp, ain)
    if hi == 1.0 and e == 0:
        return exp_dd(q, qlo, xp)
    if -200 < e < 200 and is_f64(x, xp) and narrow_output(xp):
        # rounded to float32 or narrower at the end: k·exp(q) with k rounded to a double
        # (one more float64 rounding) and the exponential that f's expm1 shares (the
        # compiled loops reduce the argument once); with 2**-200 < k < 2**200 the product
        # neither overflows nor loses bits where the result is within float32's range
        return math.ldexp(hi, e) * exp_dd(q, qlo, xp)
    kexp = getattr(xp, "kexp", None)  # the compiled path's tracing namespace
    if (kexp is not None and ain == 1.0 and -60 <= e <= 0 and is_f64(x, xp)
            and not narrow_output(xp)):
        # compiled float64 loops: k·e^x from the argument reduction f's expm1(x) also
        # does, rounded once at the end (no subnormal intermediate, so no double rounding
        # below 2^-1022), instead of a second exponential at x + ln k (twice the cost)
        hi, lo, _, _ = coef(s, a, ain, power)
        return kexp(q, math.ldexp(hi, e), math.ldexp(lo, e))
    if ain == 1.0:  # q = x is not clipped: keep exp's argument finite
        q = clip(q, xp, Q_MIN, 0.0)
    return exp_shifted(q, qlo, lnk, xp)


def elu_like(x, xp, a, s, ain):
    # f(±0) = ±0 for every parameter (as PyTorch): the branches below may lose the sign of
    # a zero (x + x·c with x = -0 and c = -0 is +0), so zeros are passed through.
    return xp.where(x == 0, x, elu_like_nonzero(x, xp, a, s, ain))


def elu_like_nonzero(x, xp, a, s, ain):
    q, qlo = scaled_arg(x, xp, ain)
    neg = expm1_dd(q, qlo, xp)
    if ain != 1.0:
        # CELU: |x| ≪ α gives x·(1 + q/2 + q²/6) directly (α·expm1(q) would lose x's bits
        # where q is subnormal); a ≤ 1.8e308 and |expm1| ≤ 1, so a·neg cannot overflow.
        small = x + x * (q * (0.5 + q / 6.0))
        return xp.where(x > 0, x, xp.where(xp.abs(q) < 2.0**-30, small, a * neg))
    if s != 1.0:
        # (s·a)·expm1 with s·a = (hi + lo)·2**e exactly to ~106 bits (it may exceed the
        # double range while s·a·expm1(x) does not).
        # The power of two goes first when it enlarges (a subnormal expm1 becomes exact
        # and normal), last when it shrinks. When it enlarges, the last factor 2 is kept
        # for the end so that hi·v cannot round to inf where hi·v + lo·v rounds to max.
        hi, lo, e, _ = coef(s, a, ain, 0)
        if e > 0:
            v = scale2(neg, e - 1)
            t = hi * v
            r = xp.where(xp.isinf(t), t, t + lo * v)
            return xp.where(x > 0, s * x, r * 2.0)
        return xp.where(x > 0, s * x, scale2(hi * neg + lo * neg, e))
    return xp.where(x > 0, x, a * neg)


def elu_like_d(x, xp, a, s, ain):
    return xp.where(x > 0, s, k_exp(x, xp, a, s, ain, 1))


def elu_like_d2(x, xp, a, s, ain):
    return xp.where(x < 0, k_exp(x, xp, a, s, ain, 2), 0.0)


# Parameter derivatives (framework layers with learnable alpha/scale). With u = x/α
# on x ≤ 0: ∂elu/∂α = expm1(x), ∂selu/∂α = λ·expm1(x), ∂selu/∂λ = selu/λ and
# ∂celu/∂α = expm1(u) - u·e^u. The last one cancels for small |u| (it is ≈ -u²/2), so
# there the series -Σ_{n≥2} (n-1)·u^n/n! is summed instead (24 terms: exact for |u| < 1).
def neg_part(x, xp, v):
    return xp.where(x > 0, xp.zeros_like(x), v)
