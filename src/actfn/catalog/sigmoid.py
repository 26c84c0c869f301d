"""sigmoid: Logistic function squashing the real line onto (0, 1)."""

from __future__ import annotations

from .._exact import Exact, d2sigmoid, dsigmoid, sigmoid
from .._registry import Equivalent, Properties, Prose, Spec
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
    f=_sigmoid,
    df=_sigmoid_d,
    d2f=_sigmoid_d2,
    f_df=_sigmoid_fd,
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
    info={
        "properties": Properties(range=(0.0, 1.0), saturates=("-", "+")),
        "frameworks": (
            Equivalent("PyTorch", "torch.sigmoid(x)", "torch.nn.Sigmoid()", "none",
                       "torch.nn.functional.sigmoid is deprecated in favour of torch.sigmoid."),
            Equivalent("Keras", "keras.activations.sigmoid(x)",
                       'keras.layers.Activation("sigmoid")', "none"),
            Equivalent("JAX", "jax.nn.sigmoid(x)", "", "none"),
        ),
        "en": Prose(
            strengths=(
                "Output in (0, 1) reads as a probability: the natural output for binary "
                "and multi-label classification and for gates (LSTM, GRU).",
                "Smooth and monotone, with derivative σ(1 − σ).",
            ),
            weaknesses=(
                "Saturates on both sides: f′ ≤ 1/4 and decays like e^{−|x|}, so gradients "
                "vanish through stacked sigmoid layers.",
                "Not zero-centred: E[σ(Z)] = 1/2.",
            ),
            use="Output layer for binary or multi-label classification (best fused into "
            "the loss as BCE-with-logits) and gates.",
            corrections=(
                "The range is the open interval (0, 1): 0 and 1 are never reached, "
                "although float rounding can return them.",
                "1/(1 + exp(−x)) overflows inside exp for very negative x; the two-branch "
                "form used by actfn does not.",
            ),
        ),
        "zh": Prose(
            strengths=(
                "输出在 (0, 1) 内,可解释为概率:二分类、多标签分类的输出以及门控(LSTM、GRU)"
                "的自然选择。",
                "光滑、单调,导数为 σ(1 − σ)。",
            ),
            weaknesses=(
                "两侧饱和:f′ ≤ 1/4 且按 e^{−|x|} 衰减,多层叠加时梯度消失。",
                "不以 0 为中心:E[σ(Z)] = 1/2。",
            ),
            use="二分类或多标签分类的输出层(最好与损失合并为 BCE-with-logits)以及门控。",
            corrections=(
                "值域是开区间 (0, 1):函数永远取不到 0 和 1,只是浮点舍入可能得到它们。",
                "直接算 1/(1 + exp(−x)) 在 x 很负时 exp 会溢出;actfn 使用的双分支公式不会。",
            ),
        ),
    },
)
