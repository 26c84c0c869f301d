"""mish: x·tanh(softplus(x)): smooth, non-monotonic, unbounded above."""

from __future__ import annotations

from .._exact import Exact, dsigmoid, sigmoid
from .._registry import Spec
from ..kernels.elementary import clip
from ..kernels.series import near_zeros
from ..kernels.sigmoid import exp_neg_abs, sigmoid_parts

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
    e = exp_neg_abs(xc, xp)
    e2 = xp.exp(-2.0 * xp.abs(xc))  # e² with one rounding (2|x| is exact)
    pos = xc > 0
    w = (1.0 + e) * (1.0 + e)
    d_pos = 1.0 + 2.0 * e + 2.0 * e2
    n_neg = e * (2.0 + e)
    g = xp.where(pos, (1.0 + 2.0 * e) / d_pos, n_neg / (n_neg + 2.0))
    omg_pos = 2.0 * e2 / d_pos
    one_minus_g = xp.where(pos, omg_pos, 1.0 - g)
    den_neg = w + 1.0
    # h = sech²(softplus x) = 1 - g² = (1 - g)(2 - (1 - g))
    h = xp.where(pos, omg_pos * (2.0 - omg_pos), 4.0 * w / (den_neg * den_neg))
    one_minus_h_neg = (n_neg / den_neg) * (n_neg / den_neg)
    s, sm, _ = sigmoid_parts(xc, xp)
    return xc, e, g, one_minus_g, h, one_minus_h_neg, s, sm


def _mish(x, xp):
    xc, _, g, *_ = _mish_parts(x, xp)
    return xp.where(x > 0, x, xc) * g


def _mish_df(xp, parts):
    xc, e, g, _, h, omh, s, _ = parts
    neg = s * ((1.0 + xc) + e / (2.0 + 2.0 * e + e * e) - xc * omh)
    return near_zeros(xp.where(xc > 0, g + xc * h * s, neg), xc, xp, _zeros("d"))


def _mish_d(x, xp):
    return _mish_df(xp, _mish_parts(x, xp))


def _mish_d2(x, xp):
    xc, _, g, omg, h, _, s, sm = _mish_parts(x, xp)
    pos = 2.0 * (1.0 - xc) + 2.0 * xc * (omg + g * sm) + xc * sm
    neg = (2.0 + xc) - xc * s * (1.0 + 2.0 * g)
    return near_zeros(h * s * xp.where(xc > 0, pos, neg), xc, xp, _zeros("d2"))


def _mish_fd(x, xp):
    parts = _mish_parts(x, xp)
    xc, g = parts[0], parts[2]
    return xp.where(x > 0, x, xc) * g, _mish_df(xp, parts)


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
    latex={
        "f": r"x\,\tanh\bigl(\operatorname{softplus}(x)\bigr)",
        "df": r"\tanh(\operatorname{sp}(x)) + x\,\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)",
        "d2f": r"\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)\,\bigl(2 + x\,(1 - \sigma(x) - 2\tanh(\operatorname{sp}(x))\,\sigma(x))\bigr)",
    },
    reference="Misra, Mish: A Self Regularized Non-Monotonic Activation Function (2019), "
    "arXiv:1908.08681",
    exact=Exact(lambda x, m: x * _exact_parts(x, m)[0], _exact_df, _exact_d2f),
)
