"""elu: Exponential linear unit: x for x > 0, alpha·(exp(x) - 1) otherwise."""

from __future__ import annotations

from .._exact import elu_family
from .._registry import Float32Kernels, Param, Spec
from ..kernels.df32 import Float32Context
from ..kernels.elu import elu_like, elu_like_d, elu_like_d2, neg_part
from ..kernels.fast32 import cheap_elu_ok, delu32, elu32

__all__ = ["SPEC"]


_ALPHA_ELU = Param(
    "alpha", 1.0, "saturation value -alpha for x → -∞", lower=0.0, lower_inclusive=True,
    learnable=True,
)


# -- float32 without x64 (actfn.jax): one XLA exp (kernels.fast32.elu32), α as a float32 pair.
def _elu_f32(x, xp, *, alpha):
    if cheap_elu_ok(1.0, alpha):
        return elu32(x, xp, 1.0, alpha)
    return elu_like(x, Float32Context(xp), alpha, 1.0, 1.0)


def _elu_d_f32(x, xp, *, alpha):
    if cheap_elu_ok(1.0, alpha):
        return delu32(x, xp, 1.0, alpha)
    return elu_like_d(x, Float32Context(xp), alpha, 1.0, 1.0)


SPEC = Spec(
    name="elu",
    family="elu",
    summary="Exponential linear unit: x for x > 0, alpha·(exp(x) - 1) otherwise.",
    bench={"elu": {}},
    overview=True,
    f=lambda x, xp, *, alpha: elu_like(x, xp, alpha, 1.0, 1.0),
    df=lambda x, xp, *, alpha: elu_like_d(x, xp, alpha, 1.0, 1.0),
    d2f=lambda x, xp, *, alpha: elu_like_d2(x, xp, alpha, 1.0, 1.0),
    params=(_ALPHA_ELU,),
    f32=Float32Kernels(f=_elu_f32, df=_elu_d_f32),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = alpha (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        "d2f": r"\begin{cases} 0 & x \ge 0 \\ \alpha e^{x} & x < 0 \end{cases}",
    },
    reference="Clevert, Unterthiner & Hochreiter (2015), arXiv:1511.07289",
    dparams={"alpha": lambda x, xp, *, alpha: neg_part(x, xp, xp.expm1(x))},
    dparams_df={"alpha": lambda x, xp, *, alpha: neg_part(x, xp, xp.exp(x))},
    cases=({"alpha": 0.7},),
    exact=elu_family(alpha=lambda p: p["alpha"], scale=lambda p: 1, inner=lambda p: 1),
)
