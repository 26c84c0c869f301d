"""mish: x·tanh(softplus(x)): smooth, non-monotonic, unbounded above."""

from __future__ import annotations

from .._exact import Exact, dsigmoid, sigmoid
from .._registry import Float32Kernels, Spec
from ..kernels.dd import two_prod, two_sum
from ..kernels.df32 import (
    compensated,
    div_pair,
    exp_neg_abs_pair,
    is_f32,
    mul_pair,
    poly_pair,
    precise_exp,
)
from ..kernels.elementary import clip, is_f64
from ..kernels.fast32 import mish32
from ..kernels.series import near_zeros
from ..kernels.sigmoid import (
    exp_neg_abs,
    scale_below,
    scaled_exp_neg_abs,
    scaled_sigmoid_parts,
    sigmoid_parts,
)

__all__ = ["SPEC"]


# -- mish ---------------------------------------------------------------------------------
# f = x·g with g = tanh(softplus(x)). With e = exp(-|x|), one exponential gives
#   x > 0: g = (1 + 2e)/(1 + 2e + 2e²),        h = 1 - g² = 4e²(1+e)²/((1+e)² + e²)²
#   x ≤ 0: g = e(2 + e)/(e(2 + e) + 2),        h = 4(1+e)²/((1+e)² + 1)²
# f' = g + x·h·σ(x),  f'' = h·σ·(2 + x·(σ(-x) - 2gσ)).
# To avoid cancellation away from the zeros (handled by near_zeros):
#   x ≤ 0:  g = σ·(1 + e/(2 + 2e + e²)) and 1 - h = (e(2 + e))²/((1+e)² + 1)², so
#           f'  = σ·((1 + x) + e/(2 + 2e + e²) - x(1 - h))
#           f'' = hσ·((2 + x) - xσ(1 + 2g))
#   x > 0:  1 - g = 2e²/(1 + 2e + 2e²), and
#           f'' = hσ·(2(1 - x) + 2x((1 - g) + g·σ(-x)) + x·σ(-x)).
#: Interior zeros of f' and f'' expanded in Taylor series (generated into
#: catalog/_zeros/mish.py by tools/gen_zeros.py): key → (derivative order, parameters,
#: a starting guess per zero).
ZERO_SERIES = {"d": (1, {}, (-1.19,)), "d2": (2, {}, (-2.2, 1.5))}


def _zeros(key):
    from ._zeros.mish import ZEROS  # generated; imported on first use

    return ZEROS[key]


def _mish_parts(x, xp):
    xc = clip(x, xp, -800.0, 800.0)
    a = xp.abs(xc)
    e = exp_neg_abs(xc, xp)
    e2 = xp.exp(-2.0 * a)  # e² with one rounding (2|x| is exact)
    # e² is subnormal for x > 354: h = 1 - g ≈ 2e² is then taken scaled by k = 2**128
    # (h_s = h·k; 1/k is returned as inv_k2) so f'' = h·σ·(…) rounds once at the end.
    e2s, inv_k2 = scaled_exp_neg_abs(2.0 * a, e2, 2.0 * a > -scale_below(a, xp), xp)
    pos = xc > 0
    w = (1.0 + e) * (1.0 + e)
    d_pos = 1.0 + 2.0 * e + 2.0 * e2
    n_neg = e * (2.0 + e)
    g = xp.where(pos, (1.0 + 2.0 * e) / d_pos, n_neg / (n_neg + 2.0))
    omg_pos = 2.0 * e2 / d_pos
    omg_pos_s = 2.0 * e2s / d_pos
    one_minus_g = xp.where(pos, omg_pos, 1.0 - g)
    den_neg = w + 1.0
    # h = sech²(softplus x) = 1 - g² = (1 - g)(2 - (1 - g))
    one_minus_h_neg = (n_neg / den_neg) * (n_neg / den_neg)
    # x ≤ 0: h = 1 - (1 - h) with 1 - h ≤ 0.36 (one rounding where 4w/(w + 1)² had four)
    h = xp.where(pos, omg_pos * (2.0 - omg_pos), 1.0 - one_minus_h_neg)
    h_s = xp.where(pos, omg_pos_s * (2.0 - omg_pos), h)
    inv_k2 = xp.where(pos, inv_k2, xp.ones_like(xc))
    s, sm, _ = sigmoid_parts(xc, xp)
    return xc, e, g, one_minus_g, h, one_minus_h_neg, s, sm, h_s, inv_k2


# f = x·g for x ≤ 0 with w = e^x: g = n/(n + 2), n = w(2 + w) = 2w + w². n is carried as a
# double-double (nh + nl), 2 + nh is summed exactly (dh + dl) and x·nh is an exact
# product (p + pl); the quotient q = p/dh then takes every low part in one correction
#   f = q + q·(pl/p + nl/nh - (dl + nl)/dh),
# which leaves the rounding of w and of the division (≤ ~1.1 ulp; the three-step
# x·(n/(n + 2)) reached 4). Below x = -600 (w close to subnormal) w is scaled by 2**128
# and f = (x·w_s)·2**-128 (n ≪ 2 there): one rounding of a subnormal result.
def _mish_neg(x, xp):
    xp = precise_exp(x, xp)  # float64 JAX: actfn's exp (XLA's: 3 ulp at x = -712.9)
    xc = clip(x, xp, -800.0, 0.0)
    a = -xc
    w = xp.exp(xc)
    ws, inv_k = scaled_exp_neg_abs(a, w, xc < scale_below(xc, xp), xp)
    w2, w2l = two_prod(w, w, xp)
    nh, nl = two_sum(2.0 * w, w2)
    nl = nl + w2l
    dh, dl = two_sum(2.0 + 0.0 * nh, nh)
    p, pl = two_prod(xc, nh, xp)
    q = p / dh
    tiny = (p == 0.0) | (nh == 0.0)
    safe_p = xp.where(tiny, xp.ones_like(p), p)
    safe_nh = xp.where(tiny, xp.ones_like(nh), nh)
    corr = pl / safe_p + nl / safe_nh - (dl + nl) / dh
    body = q + q * corr
    tail = (xc * ws) * inv_k
    return xp.where(xc < scale_below(xc, xp), tail, xp.where(tiny, q, body))


def _mish(x, xp):
    xc, _, g, *_ = _mish_parts(x, xp)
    if not compensated(xc, xp):
        return xp.where(x > 0, x, xc) * g
    return xp.where(x > 0, x * g, _mish_neg_or_tiny(x, xc, g, xp))


def _mish_neg_or_tiny(x, xc, g, xp):
    """f for x ≤ 0; in float32 x·g itself where |x| < 2**-20: the error-free products
    of :func:`_mish_neg` lose their low parts to underflow for |x| ≲ 1e-33 (and XLA
    flushes them), while x·g is within an ulp there."""
    neg = _mish_neg(x, xp)
    return neg if is_f64(xc, xp) else xp.where(xc > -(2.0**-20), xc * g, neg)


# -- compensated float32 f′ and f″: one corrected quotient each -------------------------
# With u = e^{-|x|} (w = e^x for x ≤ 0, e = e^{-x} for x > 0), D = 2 + 2w + w² and
# Q = 1 + 2e + 2e² (= e²·D at w = 1/e):
#   x ≤ 0:  f′ = w·B/D²,  B = 4(1 + x) + (6 + 4x)·w + 4w² + w³,
#           f″ = w·C/D³,  C = 8[(x + 2) + (x + 4)·w + (3 - 1.5x)·w² + (1 - x)·w³];
#   x > 0:  f′ = P/Q²,    P = 1 + 4e + (6 + 4x)·e² + 4(1 + x)·e³,
#           f″ = e²·R/Q³, R = 8[(1 - x) + (3 - 1.5x)·e + (x + 4)·e² + (x + 2)·e³]
# (each x > 0 polynomial is the x ≤ 0 one with its coefficients reversed). u is an
# unrounded pair (exp_neg_abs_pair, scaled by 2**64 beyond |x| = 40), the coefficients
# exact pairs, the polynomials evaluated in pair arithmetic (they cancel near the zeros
# of f′ and f″), and the quotient rounded once: ≲ 1.5 ulp, where the product of g, h, σ
# and a bracket, each rounded, reached 3–4. Within 0.03 of a zero near_zeros takes over.
_R32 = 0.03


def _mish_f32_parts(x, xp):
    xc = clip(x, xp, -800.0, 800.0)
    es, esl, inv_k = exp_neg_abs_pair(xc, xp)
    u, ul = es * inv_k, esl * inv_k
    pos = xc > 0
    one = 1.0 + 0.0 * xc
    return xc, pos, one, es, esl, inv_k, u, ul


def _sum_exact(a, b):
    from ..kernels.dd import two_sum

    return two_sum(a, b)


def _mish_den_f32(u, ul, pos, one, xp):
    """(D, D²) as pairs, D = the denominator polynomial in u shared by f′ and f″
    (1 + 2u + 2u² for x > 0, 2 + 2u + u² otherwise)."""
    two = 2.0 * one
    dh, dl = poly_pair(u, ul, [(xp.where(pos, one, two), 0.0), (two, 0.0),
                               (xp.where(pos, two, one), 0.0)], xp)
    d2h, d2l = mul_pair(dh, dl, dh, dl, xp)
    return dh, dl, d2h, d2l


def _mish_df_f32(x, xp):
    xc, pos, one, es, esl, inv_k, u, ul = _mish_f32_parts(x, xp)
    c0 = _sum_exact(one, xc)
    c0 = (4.0 * c0[0], 4.0 * c0[1])  # 4(1 + x)
    c1 = _sum_exact(6.0 * one, 4.0 * xc)  # 6 + 4x
    four, unit = (4.0 * one, 0.0 * one), (one, 0.0 * one)
    sel = [(xp.where(pos, a[0], b[0]), xp.where(pos, a[1], b[1]))
           for a, b in ((unit, c0), (four, c1), (c1, four), (c0, unit))]
    nh, nl = poly_pair(u, ul, sel, xp)
    dh, dl, d2h, d2l = _mish_den_f32(u, ul, pos, one, xp)
    fh, fl = mul_pair(xp.where(pos, one, es), xp.where(pos, 0.0 * one, esl), nh, nl, xp)
    q = div_pair(fh, fl, d2h, d2l, xp)
    return near_zeros(q * xp.where(pos, one, inv_k), xc, xp, _zeros("d"), radius=_R32)


def _mish_d2_f32(x, xp):
    xc, pos, one, es, esl, inv_k, u, ul = _mish_f32_parts(x, xp)
    a0 = _sum_exact(xc, 2.0 * one)  # x + 2
    a1 = _sum_exact(xc, 4.0 * one)  # x + 4
    a3 = _sum_exact(one, -xc)  # 1 - x
    t, tl = _sum_exact(xc, 0.5 * xc)  # 1.5x exactly
    a2 = _sum_exact(3.0 * one, -t)
    a2 = (a2[0], a2[1] - tl)  # 3 - 1.5x
    sel = [(xp.where(pos, a[0], b[0]), xp.where(pos, a[1], b[1]))
           for a, b in ((a3, a0), (a2, a1), (a1, a2), (a0, a3))]
    nh, nl = poly_pair(u, ul, sel, xp)
    dh, dl, d2h, d2l = _mish_den_f32(u, ul, pos, one, xp)
    d3h, d3l = mul_pair(d2h, d2l, dh, dl, xp)
    e2h, e2l = mul_pair(es, esl, es, esl, xp)  # x > 0: e²·k² (k² = 2**128 beyond 40)
    fh, fl = mul_pair(xp.where(pos, e2h, es), xp.where(pos, e2l, esl), nh, nl, xp)
    q = div_pair(8.0 * fh, 8.0 * fl, d3h, d3l, xp)
    v = xp.where(pos, (q * inv_k) * inv_k, q * inv_k)
    return near_zeros(v, xc, xp, _zeros("d2"), radius=_R32)


def _f32(x, xp):
    """Whether ``x`` takes the compensated float32 kernels above."""
    return is_f32(x, xp) and compensated(x, xp)


def _mish_df(xp, parts):
    xc, e, g, _, h, omh, s, *_ = parts
    # Below x = -600, f' = σ·(…) has a subnormal σ: take σ scaled (σ_s·inv_k).
    ss, _, _, inv_k = scaled_sigmoid_parts(xc, xp)
    neg = ss * ((1.0 + xc) + e / (2.0 + 2.0 * e + e * e) - xc * omh)
    return near_zeros(xp.where(xc > 0, g + xc * h * s, neg * inv_k), xc, xp, _zeros("d"))


def _mish_d(x, xp):
    if _f32(x, xp):
        return _mish_df_f32(x, xp)
    return _mish_df(xp, _mish_parts(x, xp))


def _mish_d2_pos_f64(xc, xp, e, omg, g, sm):
    """f'' for x > 0 in float64: h·σ·B with h = 4e²(1 - (1 - g)/2)/(1 + 2e + 2e²),
    σ = 1/(1 + e) and B = 2(1 - x) + 2x((1 - g) + gσ(-x)) + xσ(-x), as one quotient
    4e²·B/((1 + 2e + 2e²)(1 + e)) whose denominators, 1 - x and the products are exact
    double-doubles folded into one correction (five rounded factors reached 5 ulp).
    e² is taken scaled by 2**128 beyond x = 300 (returned with its 1/k)."""
    a = xp.where(xc > 0, xc, 0.0 * xc)
    e2 = xp.exp(-2.0 * a)
    e2s, inv_k2 = scaled_exp_neg_abs(2.0 * a, e2, 2.0 * a > -scale_below(a, xp), xp)
    one = 1.0 + 0.0 * e
    d1, d1l = two_sum(one, e)
    t1, t1l = two_sum(one, 2.0 * e)
    t2, t2l = two_sum(t1, 2.0 * e2)
    dd_, ddl = two_prod(t2, d1, xp)
    ddl = ddl + t2 * d1l + (t1l + t2l) * d1
    u, ul = two_sum(one, -a)
    ph, pl = two_sum(2.0 * u, 2.0 * a * (omg + g * sm) + a * sm)
    pl = pl + 2.0 * ul
    n, nl = two_prod(e2s, ph, xp)
    q = 4.0 * n / dd_
    safe_n = xp.where(n == 0, one, n)
    safe_ph = xp.where(ph == 0, one, ph)
    corr = nl / safe_n + pl / safe_ph - ddl / dd_ - 0.5 * omg
    return xp.where(q == 0, q, q + q * corr), inv_k2


def _mish_d2(x, xp):
    if _f32(x, xp):
        return _mish_d2_f32(x, xp)
    xc, e, g, omg, h, _, s, sm, h_s, inv_k2 = _mish_parts(x, xp)
    ss, _, _, inv_k = scaled_sigmoid_parts(xc, xp)
    pos = 2.0 * (1.0 - xc) + 2.0 * xc * (omg + g * sm) + xc * sm
    neg = (2.0 + xc) - xc * s * (1.0 + 2.0 * g)
    if compensated(xc, xp):
        qp, kp = _mish_d2_pos_f64(xc, xp, e, omg, g, sm)
        val = xp.where(xc > 0, qp * kp, ((h * ss) * neg) * inv_k)
        return near_zeros(val, xc, xp, _zeros("d2"), radius=0.6)
    # Each side carries one 2**128 scaling (h_s for x > 354, σ_s for x < -600), undone
    # by one final rounding.
    val = xp.where(xc > 0, ((h_s * s) * pos) * inv_k2, ((h * ss) * neg) * inv_k)
    return near_zeros(val, xc, xp, _zeros("d2"), radius=0.6)


def _mish_fd(x, xp):
    parts = _mish_parts(x, xp)
    xc, g = parts[0], parts[2]
    if not compensated(xc, xp):
        return xp.where(x > 0, x, xc) * g, _mish_df(xp, parts)
    df = _mish_df_f32(x, xp) if _f32(x, xp) else _mish_df(xp, parts)
    return xp.where(x > 0, x * g, _mish_neg_or_tiny(x, xc, g, xp)), df


def _exact_parts(x, m):
    """g = tanh(softplus x), h = sech²(softplus x) = g' / σ(x)."""
    sp = m.log1p(m.exp(x))
    return m.tanh(sp), m.sech(sp) ** 2


def _exact_df(x, m):
    g, h = _exact_parts(x, m)
    return g + x * h * sigmoid(x, m)


def _exact_d2f(x, m):
    # d/dx [g + x h σ] with g' = hσ, h' = -2 g h σ, σ' = σ(1-σ)
    g, h = _exact_parts(x, m)
    s = sigmoid(x, m)
    return 2 * h * s + x * (-2 * g * h * s * s + h * dsigmoid(x, m))


SPEC = Spec(
    name="mish",
    family="gated",
    summary="x·tanh(softplus(x)): smooth, non-monotonic, unbounded above.",
    f=_mish,
    df=_mish_d,
    d2f=_mish_d2,
    f_df=_mish_fd,
    # float32 without x64 (actfn.jax): f from one XLA exp (kernels.fast32); f′ (whose zero
    # at x ≈ −1.19 needs its series) and f″ keep the compensated kernels
    f32=Float32Kernels(f=mish32),
    latex={
        "f": r"x\,\tanh\bigl(\operatorname{softplus}(x)\bigr)",
        "df": r"\tanh(\operatorname{sp}(x)) + x\,\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)",
        "d2f": r"\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)\,\bigl(2 + x\,(1 - \sigma(x) - 2\tanh(\operatorname{sp}(x))\,\sigma(x))\bigr)",
    },
    reference="Misra, Mish: A Self Regularized Non-Monotonic Activation Function (2019), "
    "arXiv:1908.08681",
    exact=Exact(lambda x, m: x * _exact_parts(x, m)[0], _exact_df, _exact_d2f),
)
