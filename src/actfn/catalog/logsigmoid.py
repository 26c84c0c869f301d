"""logsigmoid: Logarithm of the sigmoid, log σ(x) = -softplus(-x)."""

from __future__ import annotations

from .._exact import Exact, dsigmoid, sigmoid
from .._registry import Float32Kernels, Spec
from ..kernels.fast32 import logsigmoid32, sigmoid32
from ..kernels.sigmoid import exp_neg_abs, sigmoid_parts

__all__ = ["SPEC"]


# -- logsigmoid ----------------------------------------------------------------
# log σ(x) = min(x, 0) - log1p(exp(-|x|)); its derivative is σ(-x).
def _logsigmoid(x, xp):
    lp = xp.log1p(exp_neg_abs(x, xp))
    return xp.where(x < 0, x - lp, -lp)


def _logsigmoid_d(x, xp):
    return sigmoid_parts(x, xp)[1]


def _logsigmoid_d2(x, xp):
    return -sigmoid_parts(x, xp)[2]


# -- float32 without x64 (actfn.jax): kernels.fast32, one XLA exp (and log) each.
def _logsigmoid_d_f32(x, xp):
    return sigmoid32(-x, xp)


SPEC = Spec(
    name="logsigmoid",
    aliases=("log_sigmoid",),
    family="sigmoid",
    summary="Logarithm of the sigmoid, log σ(x) = -softplus(-x).",
    f=_logsigmoid,
    df=_logsigmoid_d,
    d2f=_logsigmoid_d2,
    f32=Float32Kernels(f=logsigmoid32, df=_logsigmoid_d_f32),
    latex={
        "f": r"\log\sigma(x) = -\log\bigl(1 + e^{-x}\bigr)",
        "df": r"\sigma(-x) = \frac{1}{1 + e^{x}}",
        "d2f": r"-\sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
    },
    exact=Exact(
        f=lambda x, m: -m.log1p(m.exp(-x)),
        df=lambda x, m: sigmoid(-x, m),
        d2f=lambda x, m: -dsigmoid(x, m),
    ),
)
