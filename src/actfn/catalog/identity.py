"""identity: The identity f(x) = x (Keras calls it linear)."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import INF, Equivalent, Properties, Prose, Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


def _one(x, xp, **_):
    return xp.ones_like(x)


# -- identity --------------------------------------------------------------------------
SPEC = Spec(
    name="identity",
    aliases=("linear",),
    family="linear",
    summary="The identity f(x) = x (Keras calls it linear).",
    f=lambda x, xp: x,
    df=_one,
    d2f=zero,
    latex={"f": r"x", "df": r"1", "d2f": r"0"},
    exact=Exact(
        f=lambda x, m: x, df=lambda x, m: m.mpf(1), d2f=piecewise_linear_zero
    ),
    info={
        "properties": Properties(range=(-INF, INF), zero_centred=True),
        "frameworks": (
            Equivalent("PyTorch", "torch.nn.Identity()(x)", "torch.nn.Identity()", "none"),
            Equivalent("Keras", "keras.activations.linear(x)", 'keras.layers.Activation("linear")',
                       "none", "Keras calls it linear; it is what activation=None means."),
            Equivalent("JAX", "jax.nn.identity(x)", "", "none"),
        ),
        "en": Prose(
            strengths=(
                "Passes values and gradients through unchanged.",
            ),
            weaknesses=(
                "Adds no nonlinearity: stacked linear layers collapse into one.",
            ),
            use="Regression outputs, logits that a loss turns into probabilities, and "
            "skip connections.",
        ),
        "zh": Prose(
            strengths=(
                "数值和梯度原样通过。",
            ),
            weaknesses=(
                "不引入任何非线性:多个线性层叠起来仍等于一层。",
            ),
            use="回归输出、交给损失函数处理的 logits,以及跳跃连接。",
        ),
    },
)
