"""selu: Scaled ELU whose constants make activations self-normalizing."""

from __future__ import annotations

from .._exact import elu_family
from .._registry import Float32Kernels, Param, Spec
from ..kernels.df32 import Float32Context
from ..kernels.elu import elu_like, elu_like_d, elu_like_d2, neg_part
from ..kernels.fast32 import cheap_elu_ok, delu32, elu32

__all__ = ["SPEC", "SELU_ALPHA", "SELU_SCALE"]


#: SELU constants (Klambauer et al. 2017, eq. 14) at full double precision; the
#: exact values solve the fixed-point equations for zero mean and unit variance.
SELU_ALPHA = 1.6732632423543772848170429916717


SELU_SCALE = 1.0507009873554804934193349852946


# -- float32 without x64 (actfn.jax): one XLA exp (kernels.fast32.elu32), λ and λα as
# float32 pairs.
def _selu_f32(x, xp, *, alpha, scale):
    if cheap_elu_ok(scale, scale * alpha):
        return elu32(x, xp, scale, scale * alpha)
    return elu_like(x, Float32Context(xp), alpha, scale, 1.0)


def _selu_d_f32(x, xp, *, alpha, scale):
    if cheap_elu_ok(scale, scale * alpha):
        return delu32(x, xp, scale, scale * alpha)
    return elu_like_d(x, Float32Context(xp), alpha, scale, 1.0)


SPEC = Spec(
    name="selu",
    family="elu",
    summary="Scaled ELU whose constants make activations self-normalizing.",
    bench={"selu": {}},
    f=lambda x, xp, *, alpha, scale: elu_like(x, xp, alpha, scale, 1.0),
    df=lambda x, xp, *, alpha, scale: elu_like_d(x, xp, alpha, scale, 1.0),
    d2f=lambda x, xp, *, alpha, scale: elu_like_d2(x, xp, alpha, scale, 1.0),
    f32=Float32Kernels(f=_selu_f32, df=_selu_d_f32),
    params=(
        Param("alpha", SELU_ALPHA, "negative saturation -alpha before scaling", lower=0.0,
              lower_inclusive=True, learnable=True),
        Param("scale", SELU_SCALE, "overall scale λ", lower=0.0, learnable=True),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = scale·alpha (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's "
    "autograd",
    latex={
        "f": r"\lambda\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        "df": r"\lambda\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        "d2f": r"\lambda\begin{cases} 0 & x \ge 0 \\ \alpha e^{x} & x < 0 \end{cases}",
    },
    reference="Klambauer et al., Self-Normalizing Neural Networks (2017), arXiv:1706.02515",
    dparams={
        "alpha": lambda x, xp, *, alpha, scale: neg_part(x, xp, scale * xp.expm1(x)),
        "scale": lambda x, xp, *, alpha, scale: elu_like(x, xp, alpha, 1.0, 1.0),
    },
    dparams_df={
        "alpha": lambda x, xp, *, alpha, scale: neg_part(x, xp, scale * xp.exp(x)),
        "scale": lambda x, xp, *, alpha, scale: elu_like_d(x, xp, alpha, 1.0, 1.0),
    },
    exact=elu_family(alpha=lambda p: p["alpha"], scale=lambda p: p["scale"], inner=lambda p: 1),
)
