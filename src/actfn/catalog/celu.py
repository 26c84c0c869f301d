"""celu: Continuously differentiable ELU: x for x > 0, alpha·(exp(x/alpha) - 1) otherwise."""

from __future__ import annotations

from .._exact import elu_family
from .._registry import Float32Kernels, Param, Spec
from ..kernels.df32 import Float32Context
from ..kernels.elu import elu_like, elu_like_d, elu_like_d2, exp_dd, expm1_dd, neg_part, scaled_arg
from ..kernels.fast32 import delu32, elu32

__all__ = ["SPEC"]


def _celu_q(x, xp, alpha):
    # u = x/α as (q, qlo) on x ≤ 0, clipped at -800 (e^u underflows long before).
    q, qlo = scaled_arg(x, xp, alpha)
    return xp.where(x > 0, xp.zeros_like(q), xp.where(q < -800.0, -800.0, q)), qlo


def _celu_dalpha(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    direct = expm1_dd(q, qlo, xp) - q * exp_dd(q, qlo, xp)
    t, series = q, 0.0 * q
    for n in range(2, 26):
        t = t * q / n
        series = series - (n - 1) * t
    return neg_part(x, xp, xp.where(q > -1.0, series, direct))


def _celu_dalpha_df(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    return neg_part(x, xp, -(q / alpha) * exp_dd(q, qlo, xp))


# -- float32 without x64 (actfn.jax): α = 1 is elu's cheap kernel (kernels.fast32.elu32);
# other α round x/α, whose error the exponential amplifies: the compensated kernels.
def _celu_f32(x, xp, *, alpha):
    if alpha == 1.0:
        return elu32(x, xp, 1.0, 1.0)
    return elu_like(x, Float32Context(xp), alpha, 1.0, alpha)


def _celu_d_f32(x, xp, *, alpha):
    if alpha == 1.0:
        return delu32(x, xp, 1.0, 1.0)
    return elu_like_d(x, Float32Context(xp), alpha, 1.0, alpha)


SPEC = Spec(
    name="celu",
    family="elu",
    summary="Continuously differentiable ELU: x for x > 0, alpha·(exp(x/alpha) - 1) otherwise.",
    bench={"celu": {}},
    f=lambda x, xp, *, alpha: elu_like(x, xp, alpha, 1.0, alpha),
    df=lambda x, xp, *, alpha: elu_like_d(x, xp, alpha, 1.0, alpha),
    d2f=lambda x, xp, *, alpha: elu_like_d2(x, xp, alpha, 1.0, alpha),
    f32=Float32Kernels(f=_celu_f32, df=_celu_d_f32),
    params=(
        Param("alpha", 1.0, "scale of the negative part; CELU → ReLU as alpha → 0⁺",
              lower=0.0, learnable=True),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = 1 (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x/\alpha} - 1) & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        "d2f": r"\begin{cases} 0 & x \ge 0 \\ e^{x/\alpha}/\alpha & x < 0 \end{cases}",
    },
    reference="Barron, Continuously Differentiable Exponential Linear Units (2017), "
    "arXiv:1704.07483",
    dparams={"alpha": _celu_dalpha},
    dparams_df={"alpha": _celu_dalpha_df},
    cases=({"alpha": 0.5}, {"alpha": 3.0}),
    exact=elu_family(alpha=lambda p: p["alpha"], scale=lambda p: 1, inner=lambda p: p["alpha"]),
)
