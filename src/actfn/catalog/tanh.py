"""tanh: Hyperbolic tangent: a zero-centred sigmoid onto (-1, 1)."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Equivalent, Properties, Prose, Spec
from ..kernels.tanh import sech2

__all__ = ["SPEC"]


def _tanh(x, xp):
    return xp.tanh(x)


def _tanh_d2(x, xp):
    return -2.0 * xp.tanh(x) * sech2(x, xp)


def _tanh_fd(x, xp):
    return xp.tanh(x), sech2(x, xp)


SPEC = Spec(
    name="tanh",
    family="tanh",
    summary="Hyperbolic tangent: a zero-centred sigmoid onto (-1, 1).",
    f=_tanh,
    df=sech2,
    d2f=_tanh_d2,
    f_df=_tanh_fd,
    latex={
        "f": r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        "df": r"1 - \tanh^2 x = \operatorname{sech}^2 x",
        "d2f": r"-2\tanh x\,\operatorname{sech}^2 x",
    },
    reference="LeCun et al., Efficient BackProp (1998)",
    exact=Exact(
        f=lambda x, m: m.tanh(x),
        df=lambda x, m: m.sech(x) ** 2,
        d2f=lambda x, m: -2 * m.tanh(x) * m.sech(x) ** 2,
    ),
    info={
        "properties": Properties(range=(-1.0, 1.0), saturates=("-", "+"), zero_centred=True),
        "frameworks": (
            Equivalent("PyTorch", "torch.tanh(x)", "torch.nn.Tanh()", "none",
                       "torch.nn.functional.tanh is deprecated in favour of torch.tanh."),
            Equivalent("Keras", "keras.activations.tanh(x)", 'keras.layers.Activation("tanh")',
                       "none"),
            Equivalent("JAX", "jax.nn.tanh(x)", "", "none", "Same as jax.numpy.tanh."),
        ),
        "en": Prose(
            strengths=(
                "Zero-centred and odd: the outputs of a symmetric input average to zero.",
                "Slope 1 at 0, steeper than the sigmoid; tanh(x) = 2σ(2x) − 1.",
            ),
            weaknesses=(
                "Saturates on both sides; gradients vanish for |x| beyond about 3.",
                "Needs exponentials.",
            ),
            use="Recurrent cells (LSTM, GRU), outputs bounded to (−1, 1), policy heads "
            "in reinforcement learning.",
            corrections=(
                "The range is the open interval (−1, 1).",
                "Being zero-centred does not stop vanishing gradients: tanh saturates like "
                "the sigmoid; it only avoids all-positive outputs.",
            ),
        ),
        "zh": Prose(
            strengths=(
                "以 0 为中心的奇函数:对称输入的输出均值为 0。",
                "0 处斜率为 1,比 sigmoid 陡;tanh(x) = 2σ(2x) − 1。",
            ),
            weaknesses=(
                "两侧饱和;|x| 大于约 3 时梯度消失。",
                "需要指数运算。",
            ),
            use="循环单元(LSTM、GRU)、限制在 (−1, 1) 内的输出、强化学习的策略输出。",
            corrections=(
                "值域是开区间 (−1, 1)。",
                "以 0 为中心并不能阻止梯度消失:tanh 和 sigmoid 一样会饱和,它只是避免输出全为正。",
            ),
        ),
    },
)
