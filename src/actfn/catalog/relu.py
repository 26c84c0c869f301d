"""Rectifiers and other piecewise-linear units: relu, relu6, leaky_relu, prelu,
rrelu, threshold, identity."""

from __future__ import annotations

from fractions import Fraction

from .._math import is_f64, zero
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec, register


def _one(x, xp, **_):
    return xp.ones_like(x)


# -- relu ------------------------------------------------------------------------
# PyTorch keeps the sign of zero (relu(-0.0) = -0.0) and sends negatives to +0.
def _relu(x, xp):
    return xp.where(x < 0, 0.0, x)


def _step(x, xp):
    # One operand must be an array: torch.where of two Python floats is float32, and
    # array-api-strict refuses two scalars.
    return xp.where(x > 0, 1.0, xp.zeros_like(x))


register(
    Spec(
        name="relu",
        family="relu",
        summary="Rectified linear unit max(0, x).",
        f=_relu,
        df=_step,
        d2f=zero,
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = 0 (PyTorch, JAX)",
        latex={
            "f": r"\max(0, x)",
            "df": r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
            "d2f": r"0",
        },
        reference="Nair & Hinton (2010); Glorot, Bordes & Bengio (2011)",
        info={
            "properties": Properties(
                range=(0.0, INF), attained=(True, False), smoothness=0, saturates=("-",),
                sparse=True,
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.relu(x)", "torch.nn.ReLU()", "none",
                           kink_grad=(0.0,)),
                Equivalent("Keras", "keras.activations.relu(x)", "keras.layers.ReLU()",
                           "none at the defaults",
                           "keras.activations.relu also takes negative_slope, max_value and "
                           "threshold, so it covers leaky ReLU and ReLU6 as well."),
                Equivalent("JAX", "jax.nn.relu(x)", "", "none",
                           "A custom JVP fixes grad relu(0) = 0.", kink_grad=(0.0,)),
            ),
            "en": Prose(
                strengths=(
                    "The cheapest nonlinearity: one comparison; the derivative is 0 or 1.",
                    "No saturation for x > 0, so gradients pass unchanged through active units.",
                    "Exactly zero for x ≤ 0, which gives sparse activations.",
                ),
                weaknesses=(
                    "Dead units: a unit whose input stays negative gets zero gradient and may "
                    "never recover.",
                    "Not zero-centred (E[relu(Z)] = 1/√(2π) ≈ 0.40) and not differentiable at 0 "
                    "(actfn, PyTorch and JAX use f′(0) = 0).",
                    "Unbounded above.",
                ),
                use="The default hidden-layer activation of CNNs and MLPs.",
                corrections=(
                    "An output range of [0, ∞) does not prevent exploding activations or "
                    "gradients: the output is unbounded above.",
                    "Zero outputs make activations sparse; they do not reduce the number of "
                    "parameters.",
                    "ReLU does not 'solve' vanishing gradients: its gradient is exactly 0 for "
                    "every negative input; it only avoids saturation on the positive side.",
                ),
            ),
            "zh": Prose(
                strengths=(
                    "最便宜的非线性:一次比较,导数只取 0 或 1。",
                    "x > 0 时不饱和,梯度原样穿过激活的单元。",
                    "x ≤ 0 时输出恰为 0,激活是稀疏的。",
                ),
                weaknesses=(
                    "神经元死亡:输入一直为负的单元梯度为 0,可能再也恢复不了。",
                    "不以 0 为中心(E[relu(Z)] = 1/√(2π) ≈ 0.40),在 0 处不可导"
                    "(actfn、PyTorch、JAX 取 f′(0) = 0)。",
                    "上方无界。",
                ),
                use="CNN 与 MLP 隐藏层的默认激活函数。",
                corrections=(
                    "输出范围为 [0, ∞) 并不能防止激活或梯度爆炸:输出上方无界。",
                    "输出为零让激活变稀疏,但参数数量并不会因此减少。",
                    "ReLU 并没有“解决”梯度消失:所有负输入的梯度都恰为 0;它只是在正半轴不饱和。",
                ),
            ),
        },
    )
)


# -- relu6 -------------------------------------------------------------------------
def _relu6(x, xp):
    return xp.where(x < 0, 0.0, xp.where(x > 6.0, 6.0, x))


def _relu6_d(x, xp):
    return xp.where((x > 0) & (x < 6.0), 1.0, xp.zeros_like(x))


register(
    Spec(
        name="relu6",
        family="relu",
        summary="ReLU capped at 6: min(max(0, x), 6).",
        f=_relu6,
        df=_relu6_d,
        d2f=zero,
        kinks=lambda p: (0.0, 6.0),
        kink_convention="f'(0) = f'(6) = 0 (PyTorch implements relu6 as hardtanh(x, 0, 6))",
        latex={
            "f": r"\min(\max(0, x), 6)",
            "df": r"\begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        reference="Krizhevsky, Convolutional Deep Belief Networks on CIFAR-10 (2010)",
        info={
            "properties": Properties(
                range=(0.0, 6.0), attained=(True, True), smoothness=0, saturates=("-", "+"),
                sparse=True,
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.relu6(x)", "torch.nn.ReLU6()", "none",
                           kink_grad=(0.0, 0.0)),
                Equivalent("Keras", "keras.activations.relu6(x)", "keras.layers.ReLU(max_value=6.0)",
                           "none"),
                Equivalent("JAX", "jax.nn.relu6(x)", "", "none", kink_grad=(0.0, 0.0)),
            ),
            "en": Prose(
                strengths=(
                    "Bounded output, convenient for fixed-point and int8 inference.",
                    "As cheap as ReLU, and sparse.",
                ),
                weaknesses=(
                    "Zero gradient above 6 as well as below 0.",
                    "The cap of 6 is a convention, not derived from anything.",
                ),
                use="Mobile CNNs (MobileNet v1 and v2) and quantized models.",
            ),
            "zh": Prose(
                strengths=(
                    "输出有界,便于定点与 int8 推理。",
                    "与 ReLU 一样便宜,也是稀疏的。",
                ),
                weaknesses=(
                    "大于 6 和小于 0 时梯度都为 0。",
                    "上限 6 只是惯例,并非推导得出。",
                ),
                use="移动端 CNN(MobileNet v1、v2)和量化模型。",
            ),
        },
    )
)


# -- leaky_relu / prelu / rrelu: one kernel with slope `a` for x <= 0 ---------------------
def _leaky(x, xp, a):
    # With slope 0 the limit at -inf is 0, but -inf·0 is NaN: inputs that are infinite
    # take a·sign(x)·inf only where a ≠ 0 (``a`` is a float or a per-channel array).
    neg = x * a
    return xp.where(x > 0, x, xp.where(xp.isinf(x) & (a == 0), 0.0 * a, neg))


def _leaky_d(x, xp, a):
    return xp.where(x > 0, xp.ones_like(x), a)


register(
    Spec(
        name="leaky_relu",
        aliases=("leakyrelu",),
        family="relu",
        summary="ReLU with a small slope for negative inputs.",
        f=lambda x, xp, *, negative_slope: _leaky(x, xp, negative_slope),
        df=lambda x, xp, *, negative_slope: _leaky_d(x, xp, negative_slope),
        d2f=zero,
        params=(
            Param(
                "negative_slope",
                0.01,
                "slope for x < 0 (PyTorch and JAX default 0.01; Keras uses 0.2 or 0.3)",
            ),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = negative_slope (PyTorch)",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
            "d2f": r"0",
        },
        reference="Maas, Hannun & Ng (2013)",
        info={
            "properties": Properties(range=(-INF, INF), smoothness=0),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.leaky_relu(x, negative_slope=0.01)",
                           "torch.nn.LeakyReLU(negative_slope=0.01)",
                           "negative_slope → negative_slope (default 0.01)",
                           "Autograd gives f′(0) = negative_slope.", kink_grad=(0.01,)),
                Equivalent("Keras", "keras.activations.leaky_relu(x, negative_slope=0.01)",
                           "keras.layers.LeakyReLU(negative_slope=0.01)",
                           "negative_slope → negative_slope",
                           "Different defaults: keras.activations.leaky_relu uses 0.2 and "
                           "keras.layers.LeakyReLU uses 0.3 (its argument was alpha before "
                           "Keras 3); tf.nn.leaky_relu uses alpha=0.2. Pass 0.01 to match "
                           "PyTorch, JAX and actfn."),
                Equivalent("JAX", "jax.nn.leaky_relu(x, negative_slope=0.01)", "",
                           "negative_slope → negative_slope (default 0.01)",
                           "JAX takes the linear branch for x >= 0, so its autodiff gives "
                           "f′(0) = 1 where PyTorch and actfn give negative_slope.",
                           kink_grad=(1.0,)),
            ),
            "en": Prose(
                strengths=(
                    "A small slope for x < 0 keeps a gradient, so units cannot die.",
                    "As cheap as ReLU.",
                ),
                weaknesses=(
                    "The slope is one more hyperparameter, and frameworks default to "
                    "different values (0.01, 0.2, 0.3).",
                    "Not zero-centred, unbounded, and not differentiable at 0.",
                ),
                use="A ReLU replacement when dead units are a problem; GAN discriminators "
                "(usually with slope 0.2).",
                corrections=(
                    "max(αx, x) equals leaky ReLU only for 0 ≤ α ≤ 1.",
                    "0.01 is the PyTorch and JAX default, not a universal one: Keras uses 0.2 "
                    "(function) and 0.3 (layer).",
                    "Leaky ReLU is not zero-centred: its mean under a standard normal input is "
                    "about 0.39.",
                ),
            ),
            "zh": Prose(
                strengths=(
                    "x < 0 时保留一个小斜率,梯度不为零,神经元不会死亡。",
                    "和 ReLU 一样便宜。",
                ),
                weaknesses=(
                    "斜率是额外的超参数,而且各框架默认值不同(0.01、0.2、0.3)。",
                    "不以 0 为中心,无界,在 0 处不可导。",
                ),
                use="神经元死亡成为问题时替换 ReLU;GAN 判别器(常用斜率 0.2)。",
                corrections=(
                    "只有 0 ≤ α ≤ 1 时 max(αx, x) 才等于 Leaky ReLU。",
                    "0.01 是 PyTorch 与 JAX 的默认值,并非通用:Keras 函数用 0.2,层用 0.3。",
                    "Leaky ReLU 也不以 0 为中心:标准正态输入下均值约为 0.39。",
                ),
            ),
        },
    )
)

register(
    Spec(
        name="prelu",
        family="relu",
        summary="Parametric ReLU: leaky ReLU whose negative slope is learned (per channel).",
        f=lambda x, xp, *, weight: _leaky(x, xp, weight),
        df=lambda x, xp, *, weight: _leaky_d(x, xp, weight),
        d2f=zero,
        params=(
            Param(
                "weight",
                0.25,
                "slope for x < 0: one value, or one per channel (dim 1 of the input)",
                vector=True,
                learnable=True,
            ),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = weight (PyTorch)",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ a_c x & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ a_c & x \le 0 \end{cases}",
            "d2f": r"0",
        },
        reference="He et al., Delving Deep into Rectifiers (2015)",
        dparams={"weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), x)},
        dparams_df={
            "weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), xp.ones_like(x))
        },
        info={
            "properties": Properties(range=(-INF, INF), smoothness=0),
            "frameworks": (
                Equivalent("PyTorch",
                           "torch.nn.functional.prelu(x, torch.tensor([0.25], dtype=x.dtype))",
                           "torch.nn.PReLU(num_parameters=1, init=0.25)",
                           "weight → weight; num_parameters=C learns one slope per channel (dim 1)",
                           "Initial slope 0.25.", kink_grad=(0.25,)),
                Equivalent("Keras",
                           "keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))(x)",
                           "keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))",
                           "weight → alpha",
                           "The Keras layer starts from alpha = 0 (a plain ReLU) and by default "
                           "learns one slope per input element; shared_axes shares them."),
                Equivalent("JAX", "jax.numpy.where(x > 0, x, 0.25 * x)", "",
                           "weight → the slope array",
                           "No jax.nn.prelu; Flax has flax.linen.PReLU (initial slope 0.01).",
                           kink_grad=(0.25,)),
            ),
            "en": Prose(
                strengths=(
                    "The network learns how leaky each channel should be, for one parameter "
                    "per channel.",
                    "Cheap; no dead units while the slope stays positive.",
                ),
                weaknesses=(
                    "The extra parameters can overfit small data sets; weight decay on the "
                    "slope pulls it towards ReLU.",
                    "A learned slope below 0 or above 1 makes the function non-monotone or no "
                    "longer a rectifier.",
                ),
                use="Deep image-classification CNNs (He et al. 2015) and super-resolution "
                "networks.",
                corrections=(
                    "The slope is learned by backpropagation together with the weights, and its "
                    "initial value differs between frameworks: 0.25 in PyTorch, 0 in Keras.",
                ),
            ),
            "zh": Prose(
                strengths=(
                    "网络自己学习每个通道的负斜率,每个通道只多一个参数。",
                    "计算便宜;斜率保持为正时不会出现死亡神经元。",
                ),
                weaknesses=(
                    "额外参数在小数据集上可能过拟合;对斜率做权重衰减会把它推向 ReLU。",
                    "学到的斜率小于 0 或大于 1 时,函数不再单调或不再是整流函数。",
                ),
                use="深层图像分类 CNN(He 等,2015)和超分辨率网络。",
                corrections=(
                    "斜率与权重一起通过反向传播学习,初始值因框架而异:PyTorch 为 0.25,Keras 为 0。",
                ),
            ),
        },
    )
)


def _rrelu_slope(p):
    return _mean(p["lower"], p["upper"])


def _mean(lower, upper):
    # (lower + upper)/2 correctly rounded: the float sum overflows for bounds near the
    # largest double, and 0.5·lower + 0.5·upper loses the last bit of subnormals.
    return float((Fraction(lower) + Fraction(upper)) / 2)


#: Slopes below this are kept as slope·2**_RRELU_K (a normal float) and applied as
#: (x·that)·2**-_RRELU_K, so that a subnormal slope keeps all 53 bits.
_RRELU_SMALL = 2.0**-1000
_RRELU_K = 600


def _rrelu_scaled(lower, upper):
    """(a, scale) with a·scale = (lower + upper)/2 to 53 bits and a normal (or 0)."""
    s = (Fraction(lower) + Fraction(upper)) / 2
    if s == 0 or s >= _RRELU_SMALL:
        return float(s), 1.0
    # s < 2**-1000: a = s·2**600 < 2**-400, so x·a never overflows and the final exact
    # power-of-two scaling rounds once into the subnormal range.
    return float(s * 2**_RRELU_K), 2.0**-_RRELU_K


def _rrelu(x, xp, *, lower, upper):
    a, scale = _rrelu_scaled(lower, upper)
    if scale == 1.0:
        return _leaky(x, xp, a)
    if not is_f64(x, xp):  # a working dtype without float64 (JAX without x64): s·x is ±0
        return xp.where(x > 0, x, xp.where(xp.isinf(x), x, x * 0.0))
    # a > 0 here, so f(-inf) = -inf (the slope is positive even where it rounds to 0).
    return xp.where(x > 0, x, (x * a) * scale)


def _rrelu_check(p):
    if not p["lower"] <= p["upper"]:
        raise ValueError(
            f"rrelu: lower={p['lower']!r} must not exceed upper={p['upper']!r}"
        )


register(
    Spec(
        name="rrelu",
        family="relu",
        summary="Randomized leaky ReLU, evaluated as at inference: slope (lower + upper)/2.",
        f=_rrelu,
        df=lambda x, xp, *, lower, upper: _leaky_d(x, xp, _mean(lower, upper)),
        d2f=zero,
        params=(
            Param("lower", 1.0 / 8.0, "lower bound of the random slope", lower=0.0,
                  lower_inclusive=True),
            Param("upper", 1.0 / 3.0, "upper bound of the random slope", lower=0.0,
                  lower_inclusive=True),
        ),
        check=_rrelu_check,
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = (lower + upper)/2 (PyTorch in eval mode)",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ \tfrac{l + u}{2}\, x & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ \tfrac{l + u}{2} & x \le 0 \end{cases}",
            "d2f": r"0",
        },
        reference="Xu et al., Empirical Evaluation of Rectified Activations (2015)",
        info={
            "properties": Properties(range=(-INF, INF), smoothness=0),
            "frameworks": (
                Equivalent("PyTorch",
                           "torch.nn.functional.rrelu(x, lower=1/8, upper=1/3, training=False)",
                           "torch.nn.RReLU(lower=1/8, upper=1/3)  # call .eval() for inference",
                           "lower → lower, upper → upper",
                           "In training mode PyTorch draws a random slope per element from "
                           "U(lower, upper); actfn is the evaluation-mode function with slope "
                           "(lower + upper)/2.", kink_grad=(11 / 48,)),
                Equivalent("Keras", "keras.activations.leaky_relu(x, negative_slope=11/48)", "",
                           "(lower + upper)/2 → negative_slope",
                           "No randomized version; this is the inference-time function."),
                Equivalent("JAX", "jax.nn.leaky_relu(x, negative_slope=11/48)", "",
                           "(lower + upper)/2 → negative_slope",
                           "No randomized version; JAX's leaky_relu gives f′(0) = 1.",
                           kink_grad=(1.0,)),
            ),
            "en": Prose(
                strengths=(
                    "Random negative slopes during training act as a regularizer.",
                    "At inference it is just a leaky ReLU: cheap.",
                ),
                weaknesses=(
                    "Training and inference compute different functions.",
                    "The randomness makes runs harder to reproduce.",
                ),
                use="Small image-classification networks where the extra regularization "
                "helps (Xu et al. 2015).",
            ),
            "zh": Prose(
                strengths=(
                    "训练时随机的负斜率起到正则化作用。",
                    "推理时就是 Leaky ReLU,计算便宜。",
                ),
                weaknesses=(
                    "训练与推理计算的是不同的函数。",
                    "随机性让实验更难复现。",
                ),
                use="需要额外正则化的小型图像分类网络(Xu 等,2015)。",
            ),
        },
    )
)


# -- threshold -----------------------------------------------------------------------
def _threshold(x, xp, *, threshold, value):
    return xp.where(x <= threshold, value, x)


def _threshold_d(x, xp, *, threshold, value):
    return xp.where(x > threshold, 1.0, xp.zeros_like(x))


register(
    Spec(
        name="threshold",
        family="relu",
        summary="x where x > threshold, otherwise a constant value.",
        f=_threshold,
        df=_threshold_d,
        d2f=zero,
        params=(
            Param("threshold", 0.0, "inputs at or below it are replaced"),
            Param("value", 0.0, "the replacement value"),
        ),
        kinks=lambda p: (p["threshold"],),
        kink_convention="f'(threshold) = 0 (PyTorch)",
        latex={
            "f": r"\begin{cases} x & x > \theta \\ v & x \le \theta \end{cases}",
            "df": r"\begin{cases} 1 & x > \theta \\ 0 & x \le \theta \end{cases}",
            "d2f": r"0",
        },
        info={
            "properties": Properties(
                range=(0.0, INF), attained=(True, False), smoothness=0, saturates=("-",),
                sparse=True, range_text="[0, ∞) at the defaults; (θ, ∞) ∪ {v} in general",
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.threshold(x, threshold=0.0, value=0.0)",
                           "torch.nn.Threshold(threshold=0.0, value=0.0)",
                           "threshold → threshold, value → value",
                           "Both arguments are required in PyTorch; actfn defaults them to 0, "
                           "which makes it ReLU.", kink_grad=(0.0,)),
                Equivalent("Keras",
                           "keras.activations.threshold(x, threshold=0.0, default_value=0.0)", "",
                           "threshold → threshold, value → default_value"),
                Equivalent("JAX", "jax.numpy.where(x > 0.0, x, 0.0)", "",
                           "threshold and value go into the where", "No built-in.",
                           kink_grad=(0.0,)),
            ),
            "en": Prose(
                strengths=(
                    "General form of ReLU: any cut-off and any replacement value.",
                    "Cheap and sparse.",
                ),
                weaknesses=(
                    "Discontinuous unless value equals threshold.",
                    "Zero gradient at and below the threshold.",
                ),
                use="Clamping with a custom cut-off, e.g. suppressing small activations.",
            ),
            "zh": Prose(
                strengths=(
                    "ReLU 的一般形式:阈值和替换值都可以任意设定。",
                    "便宜且稀疏。",
                ),
                weaknesses=(
                    "除非 value 等于 threshold,否则函数不连续。",
                    "阈值及以下梯度为 0。",
                ),
                use="自定义阈值的截断,例如抑制较小的激活。",
            ),
        },
    )
)


# -- identity --------------------------------------------------------------------------
register(
    Spec(
        name="identity",
        aliases=("linear",),
        family="linear",
        summary="The identity f(x) = x (Keras calls it linear).",
        f=lambda x, xp: x,
        df=_one,
        d2f=zero,
        latex={"f": r"x", "df": r"1", "d2f": r"0"},
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
)
