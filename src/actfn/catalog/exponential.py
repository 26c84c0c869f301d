"""exponential: The exponential function (keras.activations.exponential)."""

from __future__ import annotations

from .._exact import Exact
from .._registry import INF, Equivalent, Properties, Prose, Spec

__all__ = ["SPEC"]


def _exp(x, xp):
    return xp.exp(x)


SPEC = Spec(
    name="exponential",
    family="exponential",
    summary="The exponential function (keras.activations.exponential).",
    f=_exp,
    df=_exp,
    d2f=_exp,
    latex={"f": r"e^{x}", "df": r"e^{x}", "d2f": r"e^{x}"},
    exact=Exact(
        f=lambda x, m: m.exp(x), df=lambda x, m: m.exp(x), d2f=lambda x, m: m.exp(x)
    ),
    info={
        "properties": Properties(range=(0.0, INF), saturates=("-",)),
        "frameworks": (
            Equivalent("PyTorch", "torch.exp(x)", "", "none"),
            Equivalent("Keras", "keras.activations.exponential(x)",
                       'keras.layers.Activation("exponential")', "none"),
            Equivalent("JAX", "jax.numpy.exp(x)", "", "none"),
        ),
        "en": Prose(
            strengths=(
                "Strictly positive output, natural for rates and scales (a Poisson rate, "
                "the standard deviation head of a Gaussian output).",
                "Smooth, and its own derivative.",
            ),
            weaknesses=(
                "Overflows to inf beyond x ≈ 88.7 in float32 (709.8 in float64), and the "
                "gradient grows with the output.",
                "Not a hidden-layer activation.",
            ),
            use="Output layers that predict a positive quantity; softplus is the safer "
            "choice when overflow is a risk.",
        ),
        "zh": Prose(
            strengths=(
                "输出严格为正,适合表示速率或尺度(泊松分布的速率、高斯输出的标准差)。",
                "光滑,导数就是它自己。",
            ),
            weaknesses=(
                "float32 中 x 超过约 88.7(float64 中约 709.8)就溢出为 inf,梯度随输出一起增大。",
                "不适合作隐藏层激活函数。",
            ),
            use="预测正数的输出层;担心溢出时 softplus 更稳妥。",
        ),
    },
)
