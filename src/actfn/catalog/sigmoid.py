"""Sigmoid-shaped activations: sigmoid, logsigmoid, hardsigmoid, sparse_sigmoid."""

from __future__ import annotations

from .._math import exp_neg_abs, sigmoid_parts, sigmoid_second, zero
from .._registry import INF, Equivalent, Properties, Prose, Spec, register


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


register(
    Spec(
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
)


# -- logsigmoid ----------------------------------------------------------------
# log σ(x) = min(x, 0) - log1p(exp(-|x|)); its derivative is σ(-x).
def _logsigmoid(x, xp):
    lp = xp.log1p(exp_neg_abs(x, xp))
    return xp.where(x < 0, x - lp, -lp)


def _logsigmoid_d(x, xp):
    return sigmoid_parts(x, xp)[1]


def _logsigmoid_d2(x, xp):
    return -sigmoid_parts(x, xp)[2]


register(
    Spec(
        name="logsigmoid",
        aliases=("log_sigmoid",),
        family="sigmoid",
        summary="Logarithm of the sigmoid, log σ(x) = -softplus(-x).",
        f=_logsigmoid,
        df=_logsigmoid_d,
        d2f=_logsigmoid_d2,
        latex={
            "f": r"\log\sigma(x) = -\log\bigl(1 + e^{-x}\bigr)",
            "df": r"\sigma(-x) = \frac{1}{1 + e^{x}}",
            "d2f": r"-\sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
        },
        info={
            "properties": Properties(range=(-INF, 0.0), saturates=("+",)),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.logsigmoid(x)", "torch.nn.LogSigmoid()",
                           "none"),
                Equivalent("Keras", "keras.activations.log_sigmoid(x)", "", "none"),
                Equivalent("JAX", "jax.nn.log_sigmoid(x)", "", "none"),
            ),
            "en": Prose(
                strengths=(
                    "A numerically stable log-probability of a sigmoid output.",
                    "Smooth and monotone; its derivative is σ(−x).",
                ),
                weaknesses=(
                    "Unbounded below, so it is not used as a hidden activation.",
                ),
                use="Inside losses: binary cross-entropy on logits, log-likelihoods, DPO-style "
                "preference losses.",
            ),
            "zh": Prose(
                strengths=(
                    "数值稳定地给出 sigmoid 输出的对数概率。",
                    "光滑、单调,导数为 σ(−x)。",
                ),
                weaknesses=(
                    "下方无界,一般不用作隐藏层激活。",
                ),
                use="损失函数内部:基于 logits 的二元交叉熵、对数似然、DPO 类偏好损失。",
            ),
        },
    )
)


# -- hardsigmoid ---------------------------------------------------------------
# Piecewise-linear σ: relu6(x + 3)/6. PyTorch's backward is 1/6 on the open interval
# (-3, 3) and 0 at the kinks.
def _hardsigmoid(x, xp):
    return xp.where(x <= -3.0, 0.0, xp.where(x >= 3.0, 1.0, (x + 3.0) / 6.0))


def _hardsigmoid_d(x, xp):
    return xp.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, xp.zeros_like(x))


register(
    Spec(
        name="hardsigmoid",
        aliases=("hard_sigmoid",),
        family="sigmoid",
        summary="Piecewise-linear sigmoid: 0 below -3, 1 above 3, x/6 + 1/2 between.",
        f=_hardsigmoid,
        df=_hardsigmoid_d,
        d2f=zero,
        kinks=lambda p: (-3.0, 3.0),
        kink_convention="f'(±3) = 0 (PyTorch: the slope 1/6 holds on the open interval)",
        latex={
            "f": r"\begin{cases} 0 & x \le -3 \\ x/6 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
            "df": r"\begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        reference="Howard et al., Searching for MobileNetV3 (2019)",
        info={
            "properties": Properties(
                range=(0.0, 1.0), attained=(True, True), smoothness=0, saturates=("-", "+"),
                sparse=True,
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.hardsigmoid(x)", "torch.nn.Hardsigmoid()",
                           "none", kink_grad=(0.0, 0.0)),
                Equivalent("Keras", "keras.activations.hard_sigmoid(x)",
                           'keras.layers.Activation("hard_sigmoid")', "none",
                           "Keras 3 uses relu6(x + 3)/6 like PyTorch; Keras 2 and tf.keras used "
                           "clip(0.2x + 0.5, 0, 1), which saturates at ±2.5."),
                Equivalent("JAX", "jax.nn.hard_sigmoid(x)", "", "none", kink_grad=(0.0, 0.0)),
            ),
            "en": Prose(
                strengths=(
                    "No exponential; exactly 0 and 1 outside [−3, 3].",
                    "Cheap in fixed-point arithmetic.",
                ),
                weaknesses=(
                    "Zero gradient outside (−3, 3).",
                    "A coarse approximation of σ; different libraries have used different "
                    "slopes.",
                ),
                use="Gates in mobile networks (MobileNetV3 squeeze-and-excitation).",
            ),
            "zh": Prose(
                strengths=(
                    "无需指数;在 [−3, 3] 之外恰为 0 或 1。",
                    "定点运算中很便宜。",
                ),
                weaknesses=(
                    "(−3, 3) 之外梯度为 0。",
                    "对 σ 的粗略近似;不同库曾使用不同的斜率。",
                ),
                use="移动端网络中的门控(MobileNetV3 的 squeeze-and-excitation)。",
            ),
        },
    )
)


# -- sparse_sigmoid --------------------------------------------------------------
# JAX/Keras: 0 for x <= -1, (x + 1)/2 on (-1, 1), 1 for x >= 1.
def _sparse_sigmoid(x, xp):
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, 1.0, 0.5 * (x + 1.0)))


def _sparse_sigmoid_d(x, xp):
    # jax.nn.sparse_sigmoid is 0.5·clip(x + 1, 0, 2); JAX splits the gradient of clip's
    # min/max evenly at a tie, so its autodiff gives 1/4 at x = ±1 (the mean of the
    # one-sided slopes).
    at_kink = (x == -1.0) | (x == 1.0)
    return xp.where((x > -1.0) & (x < 1.0), 0.5, xp.where(at_kink, 0.25, xp.zeros_like(x)))


register(
    Spec(
        name="sparse_sigmoid",
        family="sigmoid",
        summary="Sparse (piecewise-linear) sigmoid: clip((x + 1)/2, 0, 1).",
        f=_sparse_sigmoid,
        df=_sparse_sigmoid_d,
        d2f=zero,
        kinks=lambda p: (-1.0, 1.0),
        kink_convention="f'(±1) = 1/4 (the mean of the one-sided slopes), as "
        "jax.nn.sparse_sigmoid's autodiff gives",
        latex={
            "f": r"\begin{cases} 0 & x \le -1 \\ (x+1)/2 & -1 < x < 1 \\ 1 & x \ge 1 \end{cases}",
            "df": r"\begin{cases} 1/2 & -1 < x < 1 \\ 1/4 & x = \pm 1 \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        reference="Martins & Astudillo, From Softmax to Sparsemax (2016)",
        info={
            "properties": Properties(
                range=(0.0, 1.0), attained=(True, True), smoothness=0, saturates=("-", "+"),
                sparse=True,
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.clamp((x + 1) / 2, 0.0, 1.0)", "", "none",
                           "No built-in."),
                Equivalent("Keras", "keras.activations.sparse_sigmoid(x)", "", "none"),
                Equivalent("JAX", "jax.nn.sparse_sigmoid(x)", "", "none",
                           "JAX's autodiff returns 1/4 at x = ±1 (half of the interior slope).",
                           kink_grad=(0.25, 0.25)),
            ),
            "en": Prose(
                strengths=(
                    "Reaches exactly 0 and 1, so probabilities can be sparse.",
                    "Piecewise linear: cheap.",
                ),
                weaknesses=(
                    "Zero gradient outside (−1, 1).",
                ),
                use="Sparse gating and attention (the one-dimensional case of sparsemax).",
            ),
            "zh": Prose(
                strengths=(
                    "能恰好取到 0 和 1,概率可以是稀疏的。",
                    "分段线性,计算便宜。",
                ),
                weaknesses=(
                    "(−1, 1) 之外梯度为 0。",
                ),
                use="稀疏门控与注意力(sparsemax 的一维情形)。",
            ),
        },
    )
)
