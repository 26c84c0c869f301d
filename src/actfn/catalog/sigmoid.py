"""sigmoid: Logistic function squashing the real line onto (0, 1)."""

from __future__ import annotations

from .._exact import Exact, d2sigmoid, dsigmoid, sigmoid
from .._registry import Float32Kernels, Native32, Spec
from ..kernels.fast32 import dsigmoid32, sigmoid32
from ..kernels.sigmoid import sigmoid_parts, sigmoid_second

__all__ = ["SPEC"]


# -- sigmoid -----------------------------------------------------------------
# σ(x) = 1/(1+exp(-x)); σ' = σ(1-σ) is evaluated as e/(1+e)² with e = exp(-|x|), which
# stays exact where the textbook s·(1-s) underflows to 0 (x ≳ 16.6 in float32).
def _sigmoid(x, xp):
    return sigmoid_parts(x, xp)[0]


def _sigmoid_d(x, xp):
    return sigmoid_parts(x, xp)[2]


def _sigmoid_d2(x, xp):
    return sigmoid_second(x, xp, sigmoid_parts(x, xp)[2])


def _sigmoid_fd(x, xp):
    s, _, ds = sigmoid_parts(x, xp)
    return s, ds


SPEC = Spec(
    name="sigmoid",
    aliases=("logistic",),
    family="sigmoid",
    summary="Logistic function squashing the real line onto (0, 1).",
    bench={"sigmoid": {}},
    overview=True,
    f=_sigmoid,
    df=_sigmoid_d,
    d2f=_sigmoid_d2,
    f_df=_sigmoid_fd,
    f32=Float32Kernels(f=sigmoid32, df=dsigmoid32),  # kernels.fast32: one XLA exp each,
    # the compiled float32 loops: σ and σ′ in float32 arithmetic (actfn._fast._vmath32)
    native32=Native32(f="sigmoid_f32", df="dsigmoid_f32", f_df="sigmoid_fd_f32"),
    latex={
        "f": r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        "df": r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
        "d2f": r"\sigma''(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)\,\bigl(1 - 2\sigma(x)\bigr)",
    },
    reference="Verhulst (1845); used in neural networks since Rumelhart, Hinton & Williams (1986)",
    exact=Exact(
        f=lambda x, m: sigmoid(x, m),
        df=lambda x, m: dsigmoid(x, m),
        d2f=lambda x, m: d2sigmoid(x, m),
    ),
)
