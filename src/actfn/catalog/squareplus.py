"""squareplus: Algebraic softplus (x + sqrt(x² + b))/2: no exponentials."""

from __future__ import annotations

import math
from fractions import Fraction

from .._exact import Exact
from .._registry import Float32Kernels, Param, Spec
from ..kernels.dd import two_prod, two_sum
from ..kernels.df32 import Float32Context, compensated, is_f32, split32
from ..kernels.elementary import is_f64
from ..kernels.fast32 import cheap_squareplus_ok, dsquareplus32, squareplus32

__all__ = ["SPEC"]


# -- squareplus --------------------------------------------------------------------------
# (x + sqrt(x² + b))/2 with h = hypot(x, √b) (no overflow); for x < 0 the sum cancels, so
# use the conjugate b/(2(h - x)). Likewise f' = (1 + x/h)/2 = b/(2h(h - x)) for x < 0.
# Products are ordered so that nothing overflows before the result would: (b/2h)/(1 - x/h)
# instead of b/(2(h - x)), and 1/h³ as ((b/2)/h)/h/h. x/h is taken as ±1 at ±inf.
# For b < 2**-200 (subnormal b included) (b/2)/h can be subnormal while the result,
# divided further by an h < 1, is not: there b/h² and b/h³ are formed from r = √b/h ≤ 1 as
# r·r and r·(r/h), whose factors are normal whenever the result is.
_TINY_B = 2.0**-200


def _sp_parts(x, xp, b):
    h = xp.hypot(x, math.sqrt(b) + 0.0 * x)
    ratio = xp.where(xp.isinf(x), xp.sign(x), x / h)
    return h, ratio


def _sp_scale(b):
    """(m, B, k, c2): b = B·4**m exactly with B in [1, 4); k = b·2**-m, c2 = b·2**-3m/2.

    In float64 the kernels work on X = x·2**-m, where √B ∈ [1, 2): h = hypot(X, √B) ≥ 1
    and every constant is normal (subnormal b included), and fold the scale into k and
    c2 so that nothing is rescaled after a rounding.
    """
    m = (math.frexp(b)[1] - 1) // 2
    fb = Fraction(b)
    two = Fraction(2)
    return m, float(fb / two ** (2 * m)), float(fb / two**m), float(fb / two ** (3 * m) / 2)


def _sp_scaled(x, xp, b):
    """(X, h, q, small, m, B, k, c2) with h = √(X² + B) to about half an ulp (float64)."""
    m, big_b, k, c2 = _sp_scale(b)
    sb = math.sqrt(big_b)
    xs = x * 2.0**-m
    h0 = xp.hypot(xs, sb + 0.0 * xs)
    # One Newton step on h² = X² + B with the residual formed exactly (Dekker products)
    # removes the error of hypot and of √B; beyond |X| = 2**30 it is below 2**-60.
    small = xp.abs(xs) <= 2.0**30
    xc = xp.where(small, xs, 0.0 * xs)
    hc = xp.where(small, h0, 1.0 + 0.0 * xs)
    p, e = two_prod(xc, xc, xp)
    pp, ee = two_prod(hc, hc, xp)
    s1, s1e = two_sum(p, big_b)
    r = (s1 - pp) + ((s1e + e) - ee)
    h = xp.where(small, h0 + r / (2.0 * hc), h0)
    # h² = X² + B rounded once (for |X| <= 2**30; 1.0 elsewhere, unused there)
    q = xp.where(small, s1 + (s1e + e), 1.0 + 0.0 * xs)
    return xs, h, q, small, m, big_b, k, c2


def _squareplus(x, xp, *, b):
    if is_f64(x, xp) or compensated(x, xp):
        xs, h, _, small, m, _, k, _ = _sp_scaled(x, xp, b)
        # beyond |X| = 2**30, (X + h)/2 = X + B/(4X) rounds to X; taking X there also keeps
        # XLA from overflowing (it folds 0.5·X + 0.5·h into 0.5·(X + h))
        pos = xp.where(small, 0.5 * xs + 0.5 * h, xs) * 2.0**m
        # f = k/(2(h - X)) for X < 0. Where X overflowed (b < 1, |x| > 2**(1024+m)) f is x
        # for x > 0 and b/(4|x|) for x < 0 (relative error below b/(4x²) < 2**-1000);
        # for a subnormal b that quotient is far below the smallest subnormal.
        neg = (0.25 * k) / (0.5 * h - 0.5 * xs)
        out = xp.where(x >= 0, pos, neg)
        far = (0.25 * b) / (-x) if b >= 2.0**-1020 else 0.0 * x
        return xp.where(xp.isinf(xs) & xp.isfinite(x), xp.where(x > 0, x, far), out)
    h, ratio = _sp_parts(x, xp, b)
    half_b_h = 0.5 * b / h if b >= 2.0**-1021 else (b / h) * 0.5
    neg = half_b_h / (1.0 - ratio)
    return xp.where(x >= 0, 0.5 * x + 0.5 * h, neg)


def _half_b_over_h2(h, xp, b):
    if b >= _TINY_B:
        return (0.5 * b / h) / h
    r = math.sqrt(b) / h
    return (0.5 * r) * r


def _squareplus_d(x, xp, *, b):
    if is_f64(x, xp) or compensated(x, xp):
        xs, h, q, small, _, big_b, _, _ = _sp_scaled(x, xp, b)
        ratio = xp.where(xp.isinf(xs), xp.sign(xs), xs / h)
        # f' = B/(2h(h - X)) = (B/2)/(q + |X|·h) for X < 0 (all terms positive, one
        # division); beyond |X| = 2**30 (q unavailable) the two-division form.
        neg = xp.where(small, (0.5 * big_b) / (q - xs * h),
                       (0.25 * big_b / h) / (0.5 * h - 0.5 * xs))
        return xp.where(x >= 0, 0.5 * (1.0 + ratio), neg)
    h, ratio = _sp_parts(x, xp, b)
    return xp.where(x >= 0, 0.5 * (1.0 + ratio), _half_b_over_h2(h, xp, b) / (1.0 - ratio))


def _sp_d2_f32(x, xp, b):
    """f'' = c2/(q·h) in compensated float32 (the two rounded divisions reached 3 ulp):
    q = X² + B and h = √q as float32 pairs (q's exact sum, h's Newton correction kept as
    a low part), their product exact, and the quotient corrected by its exact residual."""
    m, big_b, _, c2 = _sp_scale(b)
    xs = x * 2.0**-m
    h0 = xp.hypot(xs, math.sqrt(big_b) + 0.0 * xs)
    small = xp.abs(xs) <= 2.0**30
    xc = xp.where(small, xs, 0.0 * xs)
    hc = xp.where(small, h0, 1.0 + 0.0 * xs)
    p, e = two_prod(xc, xc, xp)
    pp, ee = two_prod(hc, hc, xp)
    s1, s1e = two_sum(p, big_b + 0.0 * p)
    r = (s1 - pp) + ((s1e + e) - ee)
    corr = r / (2.0 * hc)
    hh, hl = two_sum(hc, corr)
    qh, ql = two_sum(s1, s1e + e)
    dh, dl = two_prod(qh, hh, xp)
    dl = dl + (qh * hl + ql * hh)
    res = c2 / dh
    pr, prl = two_prod(res, dh, xp)
    res = res + (((c2 - pr) - prl) - res * dl) / dh
    return xp.where(small, res, ((c2 / h0) / h0) / h0)


def _squareplus_d2(x, xp, *, b):
    if is_f32(x, xp) and compensated(x, xp):
        return _sp_d2_f32(x, xp, b)
    if is_f64(x, xp) or compensated(x, xp):
        _, h, q, small, _, _, _, c2 = _sp_scaled(x, xp, b)
        # f'' = b/(2h³) in x = (B·2**-m/2)/H³ in X = c2/(q·h); h ≥ 1, so only the result
        # underflows. Beyond |X| = 2**30, q would overflow: there h is |X| to 2**-60.
        return xp.where(small, (c2 / q) / h, ((c2 / h) / h) / h)
    h = _sp_parts(x, xp, b)[0]
    if b >= _TINY_B:
        return ((0.5 * b / h) / h) / h
    r = math.sqrt(b) / h
    return (0.5 * r) * (r / h)


# float32 without x64 (actfn.jax): √ of an exact-enough pair x² + b and one corrected
# quotient (kernels.fast32) for 2^-60 ≤ b ≤ 2^60; other b: the compensated kernels.
def _squareplus_f32(x, xp, *, b):
    if cheap_squareplus_ok(b):
        return squareplus32(x, xp, split32(b))
    return _squareplus(x, Float32Context(xp), b=b)


def _squareplus_d_f32(x, xp, *, b):
    if cheap_squareplus_ok(b):
        return dsquareplus32(x, xp, split32(b))
    return _squareplus_d(x, Float32Context(xp), b=b)


def _exact_f(x, m, *, b):
    # conjugate form for x < 0: (x + h)/2 = b/(2(h - x)), h = √(x² + b)
    h = m.sqrt(x * x + b)
    return (x + h) / 2 if x >= 0 else b / (2 * (h - x))


def _exact_df(x, m, *, b):
    h = m.sqrt(x * x + b)
    return (1 + x / h) / 2 if x >= 0 else b / (2 * h * (h - x))


SPEC = Spec(
    name="squareplus",
    family="softplus",
    summary="Algebraic softplus (x + sqrt(x² + b))/2: no exponentials.",
    f=_squareplus,
    df=_squareplus_d,
    d2f=_squareplus_d2,
    f32=Float32Kernels(f=_squareplus_f32, df=_squareplus_d_f32),
    params=(Param("b", 4.0, "curvature at 0 (b → 0 gives ReLU)", lower=0.0),),
    latex={
        "f": r"\frac{x + \sqrt{x^2 + b}}{2}",
        "df": r"\frac12\Bigl(1 + \frac{x}{\sqrt{x^2 + b}}\Bigr)",
        "d2f": r"\frac{b}{2\,(x^2 + b)^{3/2}}",
    },
    reference="Barron, Squareplus: A Softplus-Like Algebraic Rectifier (2021), "
    "arXiv:2112.11687",
    cases=({"b": 1.0},),
    exact=Exact(_exact_f, _exact_df, lambda x, m, *, b: b / (2 * m.sqrt(x * x + b) ** 3)),
)
