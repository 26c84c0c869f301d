"""star_relu: StarReLU s·max(0, x)² + b with learnable scale s and bias b (Yu et al. 2022).

.. math::

    f(x) = s\\,\\max(0, x)^2 + b, \\qquad f'(x) = 2s\\max(0, x), \\qquad
    f''(x) = \\begin{cases} 2s & x > 0 \\\\ 0 & x \\le 0 \\end{cases}

MetaFormer Baselines for Vision (Yu et al. 2022, arXiv:2210.13452) derive the
defaults from a standard normal input: E[relu(Z)²] = 1/2 and Var[relu(Z)²] = 5/4, so
s = 1/√(5/4) ≈ 0.8944 and b = −(1/2)/√(5/4) ≈ −0.4472 make the output zero-mean with
unit variance; the paper prints the rounded values 0.8944 and −0.4472, which actfn uses
(with them E[f(Z)] = 0 exactly, E[f(Z)²] = 0.99993). Their reference code
(sail-sg/metaformer) instead starts the learnable s and b at 1 and 0: pass
``scale=1.0, bias=0.0`` for that.

f is C¹ with f′(0) = 0; f″(0) = 0 (the x ≤ 0 branch). f crosses zero at x = √(−b/s)
where s·x² and b cancel: x² is formed exactly (Dekker's product), s·x² as a
double-double and b added with an error-free sum, so f keeps full relative precision
there too. ∂f/∂s = max(0, x)², ∂f/∂b = 1 (learnable in the framework layers).
"""

from __future__ import annotations

import math

import numpy as np

from .._exact import Exact
from .._registry import Param, Spec
from ..kernels.dd import frexp2, two_prod, two_sum
from ..kernels.df32 import is_f32, opaque, split32
from ..kernels.elementary import is_f64

__all__ = ["SPEC"]

#: Per working precision: inputs at or above ``big`` are scaled by 2**-shift before
#: squaring (exact), so that Dekker's splitting of x and x² cannot overflow; the square
#: is scaled back by 2**(2·shift) in steps of at most 2**step (a representable factor).
_RANGE = {True: (2.0**480, 600, 1000), False: (2.0**40, 88, 88)}


def _scale(v, e: int, step: int):
    """v·2**e in exact steps of at most 2**step (each factor representable; each step
    :func:`~actfn.kernels.df32.opaque`, so that XLA cannot fold the factors into one
    2**e that overflows float32)."""
    while e:
        s = max(-step, min(step, e))
        v = opaque(v * 2.0**s)
        e -= s
    return v


def _pair32(v: float) -> tuple[float, float]:
    """``v`` as a float32 pair (hi, lo) with hi + lo = v to ~48 bits; (v, 0) where v is
    beyond float32's range (the rounding is then the caller's overflow)."""
    with np.errstate(over="ignore", invalid="ignore"):
        h, lo = split32(v)
    return (h, lo) if math.isfinite(h) and math.isfinite(lo) else (v, 0.0)


def _scaled_square(x, xp, scale):
    """s·max(0, x)² as a double-double (hi, lo) (hi may be ±inf on overflow; s ≠ 0)."""
    big_at, shift, step = _RANGE[is_f64(x, xp)]
    m, k = frexp2(abs(scale))
    sign = 1.0 if scale > 0 else -1.0
    pos = xp.where(x > 0, x, xp.zeros_like(x))
    big = pos >= big_at
    xs = xp.where(big, _scale(pos, -shift, step), pos)
    p, pe = two_prod(xs, xs, xp)                    # xs² = p + pe exactly
    # m·p = q + qe exactly; in float32 working precision m is a float32 pair (m rounded to
    # float32 alone put 7 ulp into f near its zero at s = 3e-5, b = -7, x = 495.18)
    mh, ml = _pair32(m) if is_f32(x, xp) else (m, 0.0)
    q, qe = two_prod(p, xp.full_like(p, mh), xp)
    lo = qe + mh * pe
    if ml:
        lo = lo + ml * p
    hi = sign * xp.where(big, _scale(q, k + 2 * shift, step), _scale(q, k, step))
    lo = sign * xp.where(big, _scale(lo, k + 2 * shift, step), _scale(lo, k, step))
    return hi, lo


def _f(x, xp, *, scale, bias):
    """s·max(0, x)² + b: the double-double s·x² plus b with an error-free sum."""
    if scale == 0.0:
        return xp.full_like(x, bias)
    hi, lo = _scaled_square(x, xp, scale)
    # b as a float32 pair in float32 working precision (its rounding would be relative
    # to f, not to b, where s·x² + b cancels)
    bh, bl = _pair32(bias) if is_f32(x, xp) else (bias, 0.0)
    s, e = two_sum(hi, xp.full_like(hi, bh))
    r = s + ((e + bl) + lo) if bl else s + (e + lo)
    # e is not finite when the sum overflows, or when b is near the largest float and
    # s − a rounds past it (b = −max, s·x² = 7e306): s is then the rounded sum already
    r = xp.where(xp.isfinite(e), r, s)
    r = xp.where(xp.isinf(hi), hi, r)
    return xp.where(x > 0, xp.where(xp.isinf(x), (scale * x) * x + bias, r), r)  # f(+inf)


def _df(x, xp, *, scale, bias):
    """2s·max(0, x) as (s·x)·2 (one rounding; f′(0) = 0)."""
    if scale == 0.0:
        return xp.zeros_like(x)
    return xp.where(x > 0, (scale * x) * 2.0, xp.zeros_like(x))


def _d2f(x, xp, *, scale, bias):
    """2s for x > 0, else 0 (f″(0) = 0)."""
    return xp.where(x > 0, 2.0 * scale, xp.zeros_like(x))


def _f_df(x, xp, *, scale, bias):
    return _f(x, xp, scale=scale, bias=bias), _df(x, xp, scale=scale, bias=bias)


def _dscale(x, xp, *, scale, bias):
    """∂f/∂s = max(0, x)²."""
    r = xp.where(x > 0, x, xp.zeros_like(x))
    return r * r


def _dbias(x, xp, *, scale, bias):
    """∂f/∂b = 1."""
    return xp.ones_like(x)


def _dscale_df(x, xp, *, scale, bias):
    """∂f′/∂s = 2·max(0, x)."""
    return xp.where(x > 0, 2.0 * x, xp.zeros_like(x))


def _dbias_df(x, xp, *, scale, bias):
    """∂f′/∂b = 0."""
    return xp.zeros_like(x)


def _exact_f(x, m, *, scale, bias):
    r = max(x, m.mpf(0))
    return scale * r * r + bias


SPEC = Spec(
    name="star_relu",
    aliases=("starrelu",),
    family="relu",
    summary="StarReLU s·max(0, x)² + b: squared ReLU with a learnable scale and bias.",
    f=_f,
    df=_df,
    d2f=_d2f,
    f_df=_f_df,
    params=(
        Param("scale", 0.8944, "scale s of the squared ReLU (published default ≈ 1/√1.25; "
              "the MetaFormer code starts it at 1.0)", learnable=True),
        Param("bias", -0.4472, "bias b added everywhere (published default ≈ −0.5/√1.25; "
              "the MetaFormer code starts it at 0.0)", learnable=True),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = 0 and f''(0) = 0 (the x ≤ 0 branch), as PyTorch's autograd",
    latex={
        "f": r"s\,\max(0, x)^2 + b",
        "df": r"2s\max(0, x)",
        "d2f": r"\begin{cases} 2s & x > 0 \\ 0 & x \le 0 \end{cases}",
    },
    reference="Yu et al., MetaFormer Baselines for Vision (2022), arXiv:2210.13452",
    dparams={"scale": _dscale, "bias": _dbias},
    dparams_df={"scale": _dscale_df, "bias": _dbias_df},
    cases=({"scale": 1.0, "bias": 0.0}, {"scale": -1.5, "bias": 2.25}, {"scale": 3e-5, "bias": -7.0}),
    exact=Exact(
        f=_exact_f,
        df=lambda x, m, *, scale, bias: 2 * scale * max(x, m.mpf(0)),
        d2f=lambda x, m, *, scale, bias: 2 * m.mpf(scale) if x > 0 else m.mpf(0),
    ),
)
