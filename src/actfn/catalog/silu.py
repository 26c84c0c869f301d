"""silu: Sigmoid-weighted linear unit x·σ(βx) (β = 1: SiLU; learnable β: Swish)."""

from __future__ import annotations

from .._exact import swish_family
from .._registry import Float32Kernels, Param, Spec
from ..kernels.df32 import Float32Context
from ..kernels.fast32 import dsilu32, silu32
from ..kernels.sigmoid import BETA_MAX, BETA_MIN, BETA_WHY, scaled_sigmoid_parts
from ..kernels.swish import silu, silu_arg, silu_d, silu_d2, silu_fd

__all__ = ["SPEC"]


# ∂f/∂β = x²·σ'(βx);  ∂f'/∂β = 2x·σ'(βx) + βx²·σ''(βx).
def _silu_dbeta(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = silu_arg(x, xp, beta, beta_lo)
    _, ds, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    return (xc * xc * ds) * inv_k


def _silu_dbeta_df(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = silu_arg(x, xp, beta, beta_lo)
    _, ds, d2s, inv_k = scaled_sigmoid_parts(z, xp, ze)
    return (xc * (2.0 * ds + (beta * xc) * d2s)) * inv_k


# -- float32 without x64 (actfn.jax): β = 1 from one XLA exp each (kernels.fast32); other
# β round βx, whose error the exponential amplifies: the compensated kernels.
def _silu_f32(x, xp, *, beta, beta_lo=0.0):
    if beta == 1.0 and beta_lo == 0.0:
        return silu32(x, xp)
    return silu(x, Float32Context(xp), beta=beta, beta_lo=beta_lo)


def _silu_d_f32(x, xp, *, beta, beta_lo=0.0):
    if beta == 1.0 and beta_lo == 0.0:
        return dsilu32(x, xp)
    return silu_d(x, Float32Context(xp), beta=beta, beta_lo=beta_lo)


#: Interior zeros of f' and f''/β in z = βx (the kernels of actfn.kernels.swish, shared
#: with gelu_sigmoid), expanded in Taylor series at β = 1 (generated into
#: catalog/_zeros/silu.py by tools/gen_zeros.py): key → (derivative order, parameters,
#: a starting guess per zero).
ZERO_SERIES = {"d": (1, {"beta": 1.0}, (-1.28,)), "d2": (2, {"beta": 1.0}, (-2.4, 2.4))}


SPEC = Spec(
    name="silu",
    aliases=("swish",),
    family="gated",
    summary="Sigmoid-weighted linear unit x·σ(βx) (β = 1: SiLU; learnable β: Swish).",
    overview=True,
    f=silu,
    df=silu_d,
    d2f=silu_d2,
    f_df=silu_fd,
    f32=Float32Kernels(f=_silu_f32, df=_silu_d_f32),
    params=(Param("beta", 1.0, "gate sharpness β; β → ∞ gives ReLU", lower=BETA_MIN,
                  upper=BETA_MAX, lower_inclusive=True, upper_inclusive=True,
                  learnable=True, why=BETA_WHY),),
    latex={
        "f": r"x\,\sigma(\beta x)",
        "df": r"\sigma(\beta x) + \beta x\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
        "d2f": r"\beta\,\sigma'(\beta x)\,\bigl(2 + \beta x\,(1 - 2\sigma(\beta x))\bigr)",
    },
    reference="Elfwing, Uchibe & Doya (2017); Ramachandran, Zoph & Le, Searching for "
    "Activation Functions (2017)",
    dparams={"beta": _silu_dbeta},
    dparams_df={"beta": _silu_dbeta_df},
    cases=({"beta": 1.5},),
    exact=swish_family(lambda p, m: p["beta"]),
)
