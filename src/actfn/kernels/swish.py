"""The Swish core shared by silu and gelu_sigmoid: f(x) = x·σ(βx).

With z = βx (a double-double where β is not exact): f' = σ(z) + z·σ'(z) and
f'' = β·(2σ'(z) + z·σ''(z)), the products taken with the scaled σ tails of
:mod:`actfn.kernels.sigmoid`, and Taylor series near the zeros of f' and f''
(tables in catalog/_zeros/silu.py, generated from silu's reference formula).
"""

from __future__ import annotations

from .dd import two_prod, two_sum
from .df32 import compensated, exp_neg_abs_pair, is_f32, split32
from .elementary import clip
from .series import near_zeros
from .sigmoid import (
    scale_below,
    scaled_dsigmoid,
    scaled_sigmoid_parts,
    sigmoid_parts,
    times_sigmoid,
    times_sigmoid_dd,
)

__all__ = [
    "zeros", "silu_arg", "silu_f", "silu_df", "silu", "silu_d", "silu_d2", "silu_fd", "silu_dd",
]



def zeros(key):
    """The Taylor tables of silu's f' (key "d") and f''/β ("d2") in z = βx, generated
    from silu's ZERO_SERIES into catalog/_zeros/silu.py (imported on first use)."""
    from ..catalog._zeros.silu import ZEROS

    return ZEROS[key]

def _scaled_zeros(key, beta, beta_lo=0.0):
    """:func:`zeros` with the Taylor coefficients multiplied by β (in float64, before
    near_zeros rounds them to float32): f″ = β·(f″/β) near its zeros with no separate
    rounded product by β."""
    b = beta + beta_lo
    if b == 1.0:
        return zeros(key)
    return tuple((x0h, x0l, tuple(c * b for c in cs)) for x0h, x0l, cs in zeros(key))


# -- silu / swish and gelu_sigmoid: x·σ(βx) ------------------------------------------------
def silu_arg(x, xp, beta, beta_lo=0.0):
    """(x clipped, z, z_lo) with z + z_lo = (beta + beta_lo)·x to ~106 bits."""
    lim = 800.0 / beta
    xc = clip(x, xp, -lim, lim)
    if beta == 1.0 and beta_lo == 0.0:
        return xc, xc, None
    if is_f32(xc, xp):  # β as a float32 pair (a float64 β would be rounded silently)
        beta, beta_lo = split32(beta, beta_lo)
    z, ze = two_prod(xc, xp.full_like(xc, beta), xp)
    return xc, z, ze + beta_lo * xc


# With z = βx: f' = σ(z)·(1 + z·σ(-z)) and f''/β = σ'(z)·(2 + z·(1 - 2σ(z))). The brackets
# are rewritten so that the term that is subtracted is the small one on each side,
#   1 + zσ(-z)        = (1 + z) - z·σ(z)          for z < 0,
#   2 + z(1 - 2σ(z))  = (2 + z) - 2z·σ(z)  (z < 0)  or  (2 - z) + 2z·σ(-z)  (z ≥ 0),
# and near their zeros (z ≈ -1.278 and ±2.399) near_zeros takes over.
def silu_f(x, xp, xc, z, ze):
    f, inv_k = times_sigmoid(xp.where(x > 0, x, xc), z, xp, ze)
    return f * inv_k


def _d_parts(e, el):
    """(d, dl) = 1 + e + el: 1 + e exactly, el added to the low part."""
    d, dl = two_sum(1.0 + 0.0 * e, e)
    return d, dl + el


def silu_df_f32(xp, z, ze):
    """f′/… = σ(z)(1 + zσ(-z)) in compensated float32 as one corrected quotient (the
    product of σ and the bracket reached 3–4 ulp): with e = e^{-|z|} and d = 1 + e,
    f′ = e·(d + z)/d² for z < 0 and (d + z·e)/d² for z ≥ 0, e, numerators and d² exact
    pairs; e is scaled by 2**64 in the far left tail."""
    es, esl, inv_k = exp_neg_abs_pair(z, xp, ze)
    e, el = es * inv_k, esl * inv_k
    d, dl = _d_parts(e, el)
    zl = 0.0 * z if ze is None else ze
    neg = z < 0
    # z < 0: N = d + z (+ dl + zl), numerator e·N (e scaled)
    nh, nl = two_sum(d, z)
    nl = nl + (dl + zl)
    a1, a1l = two_prod(es, nh, xp)
    a1l = a1l + (es * nl + esl * nh)
    # z ≥ 0: numerator d + z·e (the tail e is small there: unscaled e)
    ze_h, ze_l = two_prod(z, e, xp)
    ze_l = ze_l + (zl * e + z * el)
    ph, pl = two_sum(d, ze_h)
    pl = pl + (dl + ze_l)
    num = xp.where(neg, a1, ph)
    num_l = xp.where(neg, a1l, pl)
    den, den_l = two_prod(d, d, xp)
    den_l = den_l + 2.0 * d * dl
    q = num / den
    safe = xp.where(num == 0, 1.0 + 0.0 * num, num)
    q = xp.where(q == 0, q, q + q * (num_l / safe - den_l / den))
    return q * xp.where(neg, inv_k, 1.0 + 0.0 * q)


#: Radius of f″'s zero series in float32: the quotient is accurate beyond it, and the
#: series, evaluated in float32, loses ulps towards radius 1.
_R32 = 0.03


def silu_d2_f32(xp, z, ze, beta=None):
    """f″ = β·e·(2d - |z|(1 - e))/d³ (e = e^{-|z|}, d = 1 + e) in compensated float32 as
    one corrected quotient (σ′ times the bracket reached 3–4 ulp); e scaled by 2**64 in
    both tails. ``beta``: β as a float32 pair (hi, lo), multiplied into the numerator
    exactly (β rounded to float32 alone is up to half an ulp off); None for β = 1."""
    es, esl, inv_k = exp_neg_abs_pair(z, xp, ze)
    e, el = es * inv_k, esl * inv_k
    d, dl = _d_parts(e, el)
    az = xp.abs(z)
    azl = 0.0 * z if ze is None else xp.sign(z) * ze
    m, ml = two_sum(1.0 + 0.0 * e, -e)
    ml = ml - el
    b, bl = two_prod(az, m, xp)
    bl = bl + (az * ml + azl * m)
    c, cl = two_sum(2.0 * d, -b)
    cl = cl + (2.0 * dl - bl)
    n, nl = two_prod(es, c, xp)
    nl = nl + (es * cl + esl * c)
    if beta is not None:
        n0 = n
        n, nb = two_prod(n0, beta[0] + 0.0 * n0, xp)
        nl = nb + (nl * beta[0] + n0 * beta[1])
    p2, p2l = two_prod(d, d, xp)
    p3, p3l = two_prod(p2, d, xp)
    p3l = p3l + p2l * d + 3.0 * p2 * dl
    q = n / p3
    safe = xp.where(n == 0, 1.0 + 0.0 * n, n)
    q = xp.where(q == 0, q, q + q * (nl / safe - p3l / p3))
    return q * inv_k


def silu_df(xp, z, ze):
    if is_f32(z, xp) and compensated(z, xp):
        return near_zeros(silu_df_f32(xp, z, ze), z, xp, zeros("d"), ze)
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ss, _, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    inner = xp.where(z < 0, (1.0 + z) - z * s, 1.0 + z * sm)
    return near_zeros((ss * inner) * inv_k, z, xp, zeros("d"), ze)


def silu(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = silu_arg(x, xp, beta, beta_lo)
    return silu_f(x, xp, xc, z, ze)


def silu_d(x, xp, *, beta, beta_lo=0.0):
    _, z, ze = silu_arg(x, xp, beta, beta_lo)
    return silu_df(xp, z, ze)


def silu_d2(x, xp, *, beta, beta_lo=0.0):
    _, z, ze = silu_arg(x, xp, beta, beta_lo)
    if is_f32(z, xp) and compensated(z, xp):
        bp = None if (beta == 1.0 and beta_lo == 0.0) else split32(beta, beta_lo)
        v = silu_d2_f32(xp, z, ze, bp)  # β folded in before the unscaling
        return near_zeros(v, z, xp, _scaled_zeros("d2", beta, beta_lo), ze, radius=_R32)
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ds, inv_k = scaled_dsigmoid(z, xp, ze)
    inner = xp.where(z < 0, (2.0 + z) - 2.0 * z * s, (2.0 - z) + 2.0 * z * sm)
    if compensated(z, xp):
        # the bracket 2 ± (z + z_lo)·(1 - 2σ(∓z)) in double-double (it cancels by up to
        # 10× near the zeros at z ≈ ±2.4; gelu_sigmoid's f″ reached 5 ulp)
        sgn = xp.where(z < 0, 1.0 + 0.0 * z, -1.0 + 0.0 * z)
        t = xp.where(z < 0, s, sm)
        zl = 0.0 * z if ze is None else ze
        w, wl = two_sum(2.0 + 0.0 * z, sgn * z)
        u, ul = two_prod(z, 2.0 * t, xp)
        i, il = two_sum(w, -(sgn * u))
        inner = i + (il + (wl + sgn * (zl - ul - 2.0 * zl * t)))
    # In the tails (|z| > 600, where ds carries the 2**128 scaling) β multiplies before
    # the unscaling, so a subnormal result is rounded once instead of being rounded to a
    # subnormal first and then multiplied by β (β·ds·inner ≤ β/2 cannot overflow).
    v = ds * inner
    return xp.where(xp.abs(z) > -scale_below(z, xp), (v * beta) * inv_k,
                    beta * near_zeros(v * inv_k, z, xp, zeros("d2"), ze))


def silu_fd(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = silu_arg(x, xp, beta, beta_lo)
    return silu_f(x, xp, xc, z, ze), silu_df(xp, z, ze)


def silu_dd(x, xp, *, beta, beta_lo=0.0):
    """x·σ(βx) as an unrounded double-double (h, l, 1/k) (:func:`times_sigmoid_dd`): the
    gate of swiglu/swiglu_clamped, whose product with b(up) is then rounded once."""
    xc, z, ze = silu_arg(x, xp, beta, beta_lo)
    return times_sigmoid_dd(xp.where(x > 0, x, xc), z, xp, ze)
