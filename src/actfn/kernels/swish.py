"""The Swish core shared by silu and gelu_sigmoid: f(x) = x·σ(βx).

With z = βx (a double-double where β is not exact): f' = σ(z) + z·σ'(z) and
f'' = β·(2σ'(z) + z·σ''(z)), the products taken with the scaled σ tails of
:mod:`actfn.kernels.sigmoid`, and Taylor series near the zeros of f' and f''
(tables in catalog/_zeros/silu.py, generated from silu's reference formula).
"""

from __future__ import annotations

from . import narrow_output
from .dd import two_prod, two_sum
from .elementary import clip, is_f64
from .series import near_zeros
from .sigmoid import (
    SIG_SCALE_BELOW,
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

# -- silu / swish and gelu_sigmoid: x·σ(βx) ------------------------------------------------
def silu_arg(x, xp, beta, beta_lo=0.0):
    """(x clipped, z, z_lo) with z + z_lo = (beta + beta_lo)·x to ~106 bits."""
    lim = 800.0 / beta
    xc = clip(x, xp, -lim, lim)
    if beta == 1.0 and beta_lo == 0.0:
        return xc, xc, None
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


def silu_df(xp, z, ze):
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
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ds, inv_k = scaled_dsigmoid(z, xp, ze)
    inner = xp.where(z < 0, (2.0 + z) - 2.0 * z * s, (2.0 - z) + 2.0 * z * sm)
    if is_f64(z, xp) and not narrow_output(xp):
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
    return xp.where(xp.abs(z) > -SIG_SCALE_BELOW, (v * beta) * inv_k,
                    beta * near_zeros(v * inv_k, z, xp, zeros("d2"), ze))


def silu_fd(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = silu_arg(x, xp, beta, beta_lo)
    return silu_f(x, xp, xc, z, ze), silu_df(xp, z, ze)


def silu_dd(x, xp, *, beta, beta_lo=0.0):
    """x·σ(βx) as an unrounded double-double (h, l, 1/k) (:func:`times_sigmoid_dd`): the
    gate of swiglu/swiglu_clamped, whose product with b(up) is then rounded once."""
    xc, z, ze = silu_arg(x, xp, beta, beta_lo)
    return times_sigmoid_dd(xp.where(x > 0, x, xc), z, xp, ze)
