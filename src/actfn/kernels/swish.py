"""The Swish core shared by silu and gelu_sigmoid: f(x) = x·σ(βx).

With z = βx (a double-double where β is not exact): f' = σ(z) + z·σ'(z) and
f'' = β·(2σ'(z) + z·σ''(z)), the products taken with the scaled σ tails of
:mod:`actfn.kernels.sigmoid`, and Taylor series near the zeros of f' and f''
(tables in catalog/_zeros/silu.py, generated from silu's reference formula).
"""

from __future__ import annotations

from .dd import two_prod, two_sum
from .df32 import (
    add_pair,
    compensated,
    div_pair,
    exp_neg_abs_pair,
    is_f32,
    mul_pair,
    split32,
)
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
    "gate_d2_f32", "gate_df_f32", "zeros", "silu_arg", "silu_f", "silu_df", "silu", "silu_d", "silu_d2", "silu_fd", "silu_dd",
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


def gate_df_f32(xp, z, ze, t, tl):
    """σ(v) + t·σ′(v) for v = z + ze and a pair t + tl, in compensated float32 as one
    corrected quotient (the product of σ and a bracket reached 3–4 ulp): with
    e = e^{-|v|} and d = 1 + e, it is e·(d + t)/d² for v < 0 and (d + t·e)/d² for v ≥ 0,
    e, numerators and d² exact pairs; e is scaled by 2**64 in the far left tail.
    silu's f′ is t = z (f′ = σ(z)(1 + zσ(-z))), gelu's tanh form t = x·v′."""
    es, esl, inv_k = exp_neg_abs_pair(z, xp, ze)
    e, el = es * inv_k, esl * inv_k
    d, dl = _d_parts(e, el)
    neg = z < 0
    # v < 0: N = d + t, numerator e·N (e scaled)
    nh, nl = add_pair(d, dl, t, tl)
    a1, a1l = mul_pair(es, esl, nh, nl, xp)
    # v ≥ 0: numerator d + t·e (the tail e is small there: unscaled e)
    te, tel = mul_pair(t, tl, e, el, xp)
    ph, pl = add_pair(d, dl, te, tel)
    den, den_l = mul_pair(d, dl, d, dl, xp)
    q = div_pair(xp.where(neg, a1, ph), xp.where(neg, a1l, pl), den, den_l, xp)
    return q * xp.where(neg, inv_k, 1.0 + 0.0 * q)


def silu_df_f32(xp, z, ze):
    """f′ = σ(z)(1 + zσ(-z)) in compensated float32 (:func:`gate_df_f32` with t = z)."""
    return gate_df_f32(xp, z, ze, z, 0.0 * z if ze is None else ze)


#: Radius of f″'s zero series in float32: the quotient is accurate beyond it, and the
#: series, evaluated in float32, loses ulps towards radius 1.
_R32 = 0.03


def gate_d2_f32(xp, z, ze, a, al, b, bl, beta=None):
    """σ′(v)·(A + B·(1 - 2σ(v))) for v = z + ze and pairs A = a + al, B = b + bl (B of
    the sign of v), in compensated float32 as one corrected quotient (σ′ times the
    bracket reached 3–4 ulp): e·(A·d - |B|·(1 - e))/d³ with e = e^{-|v|}, d = 1 + e
    (1 - 2σ(v) = -sign(v)·(1 - e)/d), e scaled by 2**64 in both tails. ``a`` may be a
    Python power of two (silu: A = 2). ``beta``: a float32 pair (hi, lo) multiplied into
    the numerator exactly (silu's β: rounded to float32 alone it is up to ½ ulp off)."""
    es, esl, inv_k = exp_neg_abs_pair(z, xp, ze)
    e, el = es * inv_k, esl * inv_k
    d, dl = _d_parts(e, el)
    sgn = xp.where(z < 0, -1.0 + 0.0 * z, 1.0 + 0.0 * z)
    m, ml = two_sum(1.0 + 0.0 * e, -e)
    bm, bml = mul_pair(sgn * b, sgn * bl, m, ml - el, xp)
    if isinstance(a, float):
        ad, adl = a * d, a * dl + al * d
    else:
        ad, adl = mul_pair(a, al, d, dl, xp)
    c, cl = add_pair(ad, adl, -bm, -bml)
    n, nl = mul_pair(es, esl, c, cl, xp)
    if beta is not None:
        n, nl = mul_pair(n, nl, beta[0] + 0.0 * n, beta[1], xp)
    p2, p2l = mul_pair(d, dl, d, dl, xp)
    p3, p3l = mul_pair(p2, p2l, d, dl, xp)
    return div_pair(n, nl, p3, p3l, xp) * inv_k


def silu_d2_f32(xp, z, ze, beta=None):
    """f″ = β·σ′(z)·(2 + z(1 - 2σ(z))) in compensated float32 (:func:`gate_d2_f32` with
    A = 2, B = z)."""
    return gate_d2_f32(xp, z, ze, 2.0, 0.0, z, 0.0 * z if ze is None else ze, beta)


def silu_df(xp, z, ze):
    if is_f32(z, xp) and compensated(z, xp):
        return near_zeros(silu_df_f32(xp, z, ze), z, xp, zeros("d"), ze)
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ss, _, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    inner = xp.where(z < 0, (1.0 + z) - z * s, 1.0 + z * sm)
    if compensated(z, xp):
        # float64: the bracket as (1 + min(z, 0)) + z·c, c = -σ(z) or σ(-z), in
        # double-double, with z's low part moving it by z_lo·d/dz(1 + zσ(-z)) =
        # z_lo·σ(-z)·(1 - zσ(z)) (left out, z_lo alone cost up to 3.5 ulp where the bracket
        # is ~4× f′'s size: gelu_sigmoid's f′ reached 5 ulp at x = -2.85, z = -4.85)
        neg = z < 0
        w, wl = two_sum(1.0 + 0.0 * z, xp.where(neg, z, 0.0 * z))
        u, ul = two_prod(z, xp.where(neg, -s, sm), xp)
        i, il = two_sum(w, u)
        low = il + (wl + ul)
        if ze is not None:
            low = low + ze * (sm * (1.0 - z * s))
        inner = i + low
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
