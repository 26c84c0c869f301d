"""Tanh-shaped activations: tanh, tanhshrink, hardtanh, softsign."""

from __future__ import annotations

from .._math import clip, zero
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec, register


def _sech2(x, xp):
    # sech²(x) = 4e/(1+e)² with e = exp(-2|x|): no cancellation, unlike 1 - tanh².
    e = xp.exp(-2.0 * xp.abs(x))
    d = 1.0 + e
    return 4.0 * e / (d * d)


def _tanh(x, xp):
    return xp.tanh(x)


def _tanh_d2(x, xp):
    return -2.0 * xp.tanh(x) * _sech2(x, xp)


def _tanh_fd(x, xp):
    return xp.tanh(x), _sech2(x, xp)


register(
    Spec(
        name="tanh",
        family="tanh",
        summary="Hyperbolic tangent: a zero-centred sigmoid onto (-1, 1).",
        f=_tanh,
        df=_sech2,
        d2f=_tanh_d2,
        f_df=_tanh_fd,
        latex={
            "f": r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            "df": r"1 - \tanh^2 x = \operatorname{sech}^2 x",
            "d2f": r"-2\tanh x\,\operatorname{sech}^2 x",
        },
        reference="LeCun et al., Efficient BackProp (1998)",
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
)


# -- tanhshrink ------------------------------------------------------------------
# x - tanh(x) cancels badly for small |x| (the result is ≈ x³/3). Lambert's continued
# fraction tanh x = x/(1 + r), r = x²/(3 + x²/(5 + x²/(7 + …))) gives
# x - tanh x = x·r/(1 + r) with every term positive, so nothing cancels. Depth 28
# is exact to double precision for |x| < 4; beyond that the subtraction loses at
# most a factor 4/3.
_CF_DEPTH = 28
_CF_LIMIT = 4.0


def _tanhshrink(x, xp):
    xc = clip(x, xp, -_CF_LIMIT, _CF_LIMIT)
    x2 = xc * xc
    a = xp.full_like(xc, 2.0 * _CF_DEPTH + 3.0)
    for k in range(_CF_DEPTH, 0, -1):
        a = (2.0 * k + 1.0) + x2 / a
    r = x2 / a
    small = xc * r / (1.0 + r)
    small = xp.where(x == 0, 0.0, small)  # f(-0) = +0, as PyTorch's x - tanh(x)
    return xp.where(xp.abs(x) < _CF_LIMIT, small, x - xp.tanh(x))


def _tanhshrink_d(x, xp):
    t = xp.tanh(x)
    return t * t


def _tanhshrink_d2(x, xp):
    return 2.0 * xp.tanh(x) * _sech2(x, xp)


register(
    Spec(
        name="tanhshrink",
        aliases=("tanh_shrink",),
        family="shrink",
        summary="x - tanh(x): near-cubic around 0, linear with unit slope far out.",
        f=_tanhshrink,
        df=_tanhshrink_d,
        d2f=_tanhshrink_d2,
        latex={
            "f": r"x - \tanh x",
            "df": r"\tanh^2 x",
            "d2f": r"2\tanh x\,\operatorname{sech}^2 x",
        },
        info={
            "properties": Properties(range=(-INF, INF), zero_centred=True),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.tanhshrink(x)", "torch.nn.Tanhshrink()",
                           "none"),
                Equivalent("Keras", "keras.activations.tanh_shrink(x)", "", "none"),
                Equivalent("JAX", "x - jax.numpy.tanh(x)", "", "none", "No built-in."),
            ),
            "en": Prose(
                strengths=(
                    "Smooth, flat near 0 (≈ x³/3) and with slope 1 far out.",
                ),
                weaknesses=(
                    "Rarely used.",
                    "The naive x − tanh(x) loses every digit near 0 (actfn avoids this).",
                ),
                use="Smooth shrinkage in sparse coding; niche.",
            ),
            "zh": Prose(
                strengths=(
                    "光滑,0 附近很平(约 x³/3),远处斜率为 1。",
                ),
                weaknesses=(
                    "很少使用。",
                    "直接计算 x − tanh(x) 在 0 附近会丢失全部有效数字(actfn 避免了这一点)。",
                ),
                use="稀疏编码中的光滑收缩;较小众。",
            ),
        },
    )
)


# -- hardtanh ------------------------------------------------------------------
def _hardtanh(x, xp, *, min_val, max_val):
    return clip(x, xp, min_val, max_val)


def _hardtanh_d(x, xp, *, min_val, max_val):
    return xp.where((x > min_val) & (x < max_val), 1.0, xp.zeros_like(x))


def _hardtanh_check(p):
    if not p["min_val"] < p["max_val"]:
        raise ValueError(
            f"hardtanh: min_val={p['min_val']!r} must be smaller than max_val={p['max_val']!r}"
        )


register(
    Spec(
        name="hardtanh",
        aliases=("hard_tanh",),
        family="tanh",
        summary="Clip x to [min_val, max_val] (default [-1, 1]).",
        f=_hardtanh,
        df=_hardtanh_d,
        d2f=zero,
        params=(
            Param("min_val", -1.0, "lower end of the linear region"),
            Param("max_val", 1.0, "upper end of the linear region (> min_val)"),
        ),
        check=_hardtanh_check,
        kinks=lambda p: (p["min_val"], p["max_val"]),
        kink_convention="f'(min_val) = f'(max_val) = 0 (PyTorch)",
        latex={
            "f": r"\begin{cases} m & x < m \\ x & m \le x \le M \\ M & x > M \end{cases}",
            "df": r"\begin{cases} 1 & m < x < M \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        info={
            "properties": Properties(
                range=(-1.0, 1.0), attained=(True, True), smoothness=0, saturates=("-", "+"),
                zero_centred=True, range_text="[min_val, max_val]",
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.hardtanh(x, min_val=-1.0, max_val=1.0)",
                           "torch.nn.Hardtanh(min_val=-1.0, max_val=1.0)",
                           "min_val → min_val, max_val → max_val", kink_grad=(0.0, 0.0)),
                Equivalent("Keras", "keras.activations.hard_tanh(x)", "", "fixed to [-1, 1]"),
                Equivalent("JAX", "jax.nn.hard_tanh(x)", "", "fixed to [-1, 1]",
                           "JAX's autodiff gives 1 at ±1 (closed interval); PyTorch and actfn "
                           "give 0.", kink_grad=(1.0, 1.0)),
            ),
            "en": Prose(
                strengths=(
                    "Cheap, bounded, and exactly linear inside the range.",
                ),
                weaknesses=(
                    "Zero gradient outside the linear region.",
                    "Kinks at both ends.",
                ),
                use="Quantization-aware training and binarized networks (straight-through "
                "estimator).",
            ),
            "zh": Prose(
                strengths=(
                    "便宜、有界,区间内严格线性。",
                ),
                weaknesses=(
                    "线性区之外梯度为 0。",
                    "两端都有折点。",
                ),
                use="量化感知训练与二值化网络(直通估计器)。",
            ),
        },
    )
)


# -- softsign ------------------------------------------------------------------
def _softsign(x, xp):
    return xp.where(xp.isinf(x), xp.sign(x), x / (1.0 + xp.abs(x)))


def _softsign_d(x, xp):
    r = 1.0 / (1.0 + xp.abs(x))  # (1+|x|)^-k as powers of r: (1+|x|)^k would overflow
    return r * r


def _softsign_d2(x, xp):
    r = 1.0 / (1.0 + xp.abs(x))
    return (-2.0 * xp.sign(x)) * (r * r * r)


register(
    Spec(
        name="softsign",
        aliases=("soft_sign",),
        family="tanh",
        summary="x / (1 + |x|): a tanh-like curve with polynomial (not exponential) tails.",
        f=_softsign,
        df=_softsign_d,
        d2f=_softsign_d2,
        kinks=lambda p: (0.0,),
        kink_convention="f''(0) = 0 (f'' jumps from 2 to -2 at 0; sign(0) = 0)",
        latex={
            "f": r"\frac{x}{1 + |x|}",
            "df": r"\frac{1}{(1 + |x|)^2}",
            "d2f": r"-\frac{2\,\operatorname{sign}(x)}{(1 + |x|)^3}",
        },
        reference="Bergstra et al. (2009); Glorot & Bengio (2010)",
        info={
            "properties": Properties(
                range=(-1.0, 1.0), smoothness=1, saturates=("-", "+"), zero_centred=True
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.softsign(x)", "torch.nn.Softsign()",
                           "none", kink_grad=(1.0,)),
                Equivalent("Keras", "keras.activations.softsign(x)",
                           'keras.layers.Activation("softsign")', "none"),
                Equivalent("JAX", "jax.nn.soft_sign(x)", "", "none", kink_grad=(1.0,)),
            ),
            "en": Prose(
                strengths=(
                    "Tanh-like but with polynomial tails: it saturates more slowly, so "
                    "gradients vanish later.",
                    "No exponential.",
                ),
                weaknesses=(
                    "Still saturates on both sides.",
                    "f″ jumps at 0, so it is only C¹.",
                ),
                use="A cheap tanh substitute, occasionally in recurrent networks.",
            ),
            "zh": Prose(
                strengths=(
                    "形状像 tanh,但尾部是多项式衰减:饱和更慢,梯度消失来得更晚。",
                    "无需指数。",
                ),
                weaknesses=(
                    "两侧仍会饱和。",
                    "二阶导数在 0 处跳变,只是 C¹。",
                ),
                use="tanh 的廉价替代,偶尔用于循环网络。",
            ),
        },
    )
)
