"""Exponential-linear units: elu, selu, celu, and the plain exponential."""

from __future__ import annotations

import functools
from fractions import Fraction

from .._math import clip, dd, exp_shifted, frexp2, log_dd, scale2, two_prod
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec, register

#: SELU constants (Klambauer et al. 2017, eq. 14) at full double precision; the
#: exact values solve the fixed-point equations for zero mean and unit variance.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ELU family kernel: x > 0 → s·x; x ≤ 0 → s·α·(exp(x/α_in) - 1) with the input scale
# used by CELU. At the kink f' takes the x ≤ 0 branch, as PyTorch's elu_backward does,
# and f'' the x ≥ 0 one (0), as PyTorch's elu double backward (x < 0 strictly) does.
#
# Parameters anywhere in (0, 1.8e308]: x/α_in is formed from the exact scalings
# x·2**-e and m = α_in·2**-e (1 ≤ m < 2), so neither α_in's Veltkamp split nor x/α_in
# overflows or underflows; the coefficients k of k·exp(q) in f' and f'' (s·α, s·α/α_in,
# s·α/α_in², possibly beyond the double range) enter as ln k inside the exponential, and
# s·α in f as an exact power of two times a double-double.

#: exp(q) is 0 long before: |ln k| ≤ 1420 for every k formed from two doubles.
_Q_MIN = -3000.0


def _scaled_arg(x, xp, inv):
    """x/inv as (q, qlo) with q + qlo = x/inv to ~2 ulps, q clipped to [-3000, 0]
    (``inv = 1`` gives q = x unclipped and qlo = None)."""
    if inv == 1.0:
        return x, None
    m, e = frexp2(inv)
    xs = clip(scale2(x, -e), xp, _Q_MIN * m, 0.0)
    if m == 1.0:
        return xs, None
    q = xs / m
    p, pe = two_prod(q, xp.full_like(q, m), xp)
    return q, ((xs - p) - pe) / m


def _expm1_dd(q, qlo, xp):
    e = xp.expm1(q)
    # q == 0 returns q itself so that f(-0) = -0 (as PyTorch), which e + 0 would lose.
    return e if qlo is None else xp.where(q == 0, q, e + (e + 1.0) * qlo)


def _exp_dd(q, qlo, xp):
    e = xp.exp(q)
    return e if qlo is None else e + e * qlo


@functools.lru_cache(maxsize=256)
def _coef(s, a, ain, power):
    """s·a/ain**power as (m_hi, m_lo, e) with value (m_hi + m_lo)·2**e, and its log as a
    double-double; exact rational arithmetic (the float product may overflow)."""
    k = Fraction(s) * Fraction(a) / Fraction(ain) ** power
    if k == 0:
        return 0.0, 0.0, 0, (0.0, 0.0)
    e = k.numerator.bit_length() - k.denominator.bit_length()
    m = k / Fraction(2) ** e
    if m < 1:
        m, e = m * 2, e - 1
    hi, lo = dd(m)
    return hi, lo, e, log_dd(k)


def _k_exp(x, xp, a, s, ain, power):
    """s·a/ain**power · exp(x/ain) on x ≤ 0, as exp(x/ain + ln k)."""
    hi, _, e, lnk = _coef(s, a, ain, power)
    if hi == 0.0:
        return xp.zeros_like(x)
    q, qlo = _scaled_arg(x, xp, ain)
    if hi == 1.0 and e == 0:
        return _exp_dd(q, qlo, xp)
    if ain == 1.0:  # q = x is not clipped: keep exp's argument finite
        q = clip(q, xp, _Q_MIN, 0.0)
    return exp_shifted(q, qlo, lnk, xp)


def _elu_like(x, xp, a, s, ain):
    # f(±0) = ±0 for every parameter (as PyTorch): the branches below may lose the sign of
    # a zero (x + x·c with x = -0 and c = -0 is +0), so zeros are passed through.
    return xp.where(x == 0, x, _elu_like_nonzero(x, xp, a, s, ain))


def _elu_like_nonzero(x, xp, a, s, ain):
    q, qlo = _scaled_arg(x, xp, ain)
    neg = _expm1_dd(q, qlo, xp)
    if ain != 1.0:
        # CELU: |x| ≪ α gives x·(1 + q/2 + q²/6) directly (α·expm1(q) would lose x's bits
        # where q is subnormal); a ≤ 1.8e308 and |expm1| ≤ 1, so a·neg cannot overflow.
        small = x + x * (q * (0.5 + q / 6.0))
        return xp.where(x > 0, x, xp.where(xp.abs(q) < 2.0**-30, small, a * neg))
    if s != 1.0:
        # (s·a)·expm1 with s·a = (hi + lo)·2**e exactly to ~106 bits (it may exceed the
        # double range while s·a·expm1(x) does not).
        # The power of two goes first when it enlarges (a subnormal expm1 becomes exact
        # and normal), last when it shrinks. When it enlarges, the last factor 2 is kept
        # for the end so that hi·v cannot round to inf where hi·v + lo·v rounds to max.
        hi, lo, e, _ = _coef(s, a, ain, 0)
        if e > 0:
            v = scale2(neg, e - 1)
            t = hi * v
            r = xp.where(xp.isinf(t), t, t + lo * v)
            return xp.where(x > 0, s * x, r * 2.0)
        return xp.where(x > 0, s * x, scale2(hi * neg + lo * neg, e))
    return xp.where(x > 0, x, a * neg)


def _elu_like_d(x, xp, a, s, ain):
    return xp.where(x > 0, s, _k_exp(x, xp, a, s, ain, 1))


def _elu_like_d2(x, xp, a, s, ain):
    return xp.where(x < 0, _k_exp(x, xp, a, s, ain, 2), 0.0)


# Parameter derivatives (framework layers with learnable alpha/scale). With u = x/α
# on x ≤ 0: ∂elu/∂α = expm1(x), ∂selu/∂α = λ·expm1(x), ∂selu/∂λ = selu/λ and
# ∂celu/∂α = expm1(u) - u·e^u. The last one cancels for small |u| (it is ≈ -u²/2), so
# there the series -Σ_{n≥2} (n-1)·u^n/n! is summed instead (24 terms: exact for |u| < 1).
def _neg_part(x, xp, v):
    return xp.where(x > 0, xp.zeros_like(x), v)


def _celu_q(x, xp, alpha):
    # u = x/α as (q, qlo) on x ≤ 0, clipped at -800 (e^u underflows long before).
    q, qlo = _scaled_arg(x, xp, alpha)
    return xp.where(x > 0, xp.zeros_like(q), xp.where(q < -800.0, -800.0, q)), qlo


def _celu_dalpha(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    direct = _expm1_dd(q, qlo, xp) - q * _exp_dd(q, qlo, xp)
    t, series = q, 0.0 * q
    for n in range(2, 26):
        t = t * q / n
        series = series - (n - 1) * t
    return _neg_part(x, xp, xp.where(q > -1.0, series, direct))


def _celu_dalpha_df(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    return _neg_part(x, xp, -(q / alpha) * _exp_dd(q, qlo, xp))


_ALPHA_ELU = Param(
    "alpha", 1.0, "saturation value -alpha for x → -∞", lower=0.0, lower_inclusive=True,
    learnable=True,
)

register(
    Spec(
        name="elu",
        family="elu",
        summary="Exponential linear unit: x for x > 0, alpha·(exp(x) - 1) otherwise.",
        f=lambda x, xp, *, alpha: _elu_like(x, xp, alpha, 1.0, 1.0),
        df=lambda x, xp, *, alpha: _elu_like_d(x, xp, alpha, 1.0, 1.0),
        d2f=lambda x, xp, *, alpha: _elu_like_d2(x, xp, alpha, 1.0, 1.0),
        params=(_ALPHA_ELU,),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = alpha (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
            "d2f": r"\begin{cases} 0 & x \ge 0 \\ \alpha e^{x} & x < 0 \end{cases}",
        },
        reference="Clevert, Unterthiner & Hochreiter (2015), arXiv:1511.07289",
        dparams={"alpha": lambda x, xp, *, alpha: _neg_part(x, xp, xp.expm1(x))},
        dparams_df={"alpha": lambda x, xp, *, alpha: _neg_part(x, xp, xp.exp(x))},
        info={
            "properties": Properties(
                range=(-1.0, INF), smoothness=1, saturates=("-",), range_text="(-α, ∞)"
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.elu(x, alpha=1.0)",
                           "torch.nn.ELU(alpha=1.0)", "alpha → alpha (default 1.0)",
                           "At 0 autograd takes the x ≤ 0 branch: f′(0) = alpha.",
                           kink_grad=(1.0,)),
                Equivalent("Keras", "keras.activations.elu(x, alpha=1.0)",
                           "keras.layers.ELU(alpha=1.0)", "alpha → alpha (default 1.0)"),
                Equivalent("JAX", "jax.nn.elu(x, alpha=1.0)", "", "alpha → alpha (default 1.0)",
                           "Autodiff also gives f′(0) = alpha.", kink_grad=(1.0,)),
            ),
            "en": Prose(
                strengths=(
                    "Negative outputs pull the mean activation towards zero, which can speed "
                    "up training compared with ReLU.",
                    "Saturates smoothly at −α for very negative inputs.",
                    "Non-zero gradient for x < 0: no dead units.",
                ),
                weaknesses=(
                    "Exponential on the negative side costs more than ReLU.",
                    "For alpha ≠ 1 the derivative jumps at 0 (1 on the right, alpha on the "
                    "left); only alpha = 1 gives a C¹ function.",
                    "The mean is closer to zero but not zero: E[elu(Z)] ≈ 0.16 for Z ~ N(0, 1).",
                ),
                use="Hidden layers of MLPs and CNNs as a ReLU alternative, usually with alpha = 1.",
                corrections=(
                    "The derivative is continuous at 0 only when alpha = 1; otherwise the "
                    "one-sided slopes are 1 and alpha, and a library must choose (PyTorch, JAX "
                    "and actfn return alpha).",
                    "ELU moves the mean output towards zero but does not make it zero "
                    "(≈ 0.16 under a standard normal input).",
                ),
            ),
            "zh": Prose(
                strengths=(
                    "负半轴的输出把激活均值往 0 拉,与 ReLU 相比可能加快训练。",
                    "输入很负时平滑地饱和到 −α。",
                    "x < 0 时梯度不为零,不会出现“死亡”神经元。",
                ),
                weaknesses=(
                    "负半轴需要指数运算,比 ReLU 贵。",
                    "alpha ≠ 1 时导数在 0 处跳变(右侧为 1,左侧为 alpha);只有 alpha = 1 时才是 C¹。",
                    "均值更接近 0 但不等于 0:Z ~ N(0, 1) 时 E[elu(Z)] ≈ 0.16。",
                ),
                use="MLP、CNN 隐藏层中 ReLU 的替代品,通常取 alpha = 1。",
                corrections=(
                    "只有 alpha = 1 时导数在 0 处连续;否则左右斜率分别为 alpha 和 1,库必须选定一个"
                    "(PyTorch、JAX 与 actfn 都取 alpha)。",
                    "ELU 使输出均值更接近 0,但并不为 0(标准正态输入下约为 0.16)。",
                ),
            ),
        },
    )
)

register(
    Spec(
        name="selu",
        family="elu",
        summary="Scaled ELU whose constants make activations self-normalizing.",
        f=lambda x, xp, *, alpha, scale: _elu_like(x, xp, alpha, scale, 1.0),
        df=lambda x, xp, *, alpha, scale: _elu_like_d(x, xp, alpha, scale, 1.0),
        d2f=lambda x, xp, *, alpha, scale: _elu_like_d2(x, xp, alpha, scale, 1.0),
        params=(
            Param("alpha", SELU_ALPHA, "negative saturation -alpha before scaling", lower=0.0,
                  lower_inclusive=True, learnable=True),
            Param("scale", SELU_SCALE, "overall scale λ", lower=0.0, learnable=True),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = scale·alpha (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's "
        "autograd",
        latex={
            "f": r"\lambda\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
            "df": r"\lambda\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
            "d2f": r"\lambda\begin{cases} 0 & x \ge 0 \\ \alpha e^{x} & x < 0 \end{cases}",
        },
        reference="Klambauer et al., Self-Normalizing Neural Networks (2017), arXiv:1706.02515",
        dparams={
            "alpha": lambda x, xp, *, alpha, scale: _neg_part(x, xp, scale * xp.expm1(x)),
            "scale": lambda x, xp, *, alpha, scale: _elu_like(x, xp, alpha, 1.0, 1.0),
        },
        dparams_df={
            "alpha": lambda x, xp, *, alpha, scale: _neg_part(x, xp, scale * xp.exp(x)),
            "scale": lambda x, xp, *, alpha, scale: _elu_like_d(x, xp, alpha, 1.0, 1.0),
        },
        info={
            "properties": Properties(
                range=(-SELU_SCALE * SELU_ALPHA, INF), smoothness=0, saturates=("-",),
                zero_centred=True, self_normalizing=True, range_text="(-λα, ∞) ≈ (-1.7581, ∞)",
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.selu(x)", "torch.nn.SELU()",
                           "no parameters: alpha and scale are fixed to the paper's constants",
                           kink_grad=(SELU_SCALE * SELU_ALPHA,)),
                Equivalent("Keras", "keras.activations.selu(x)", 'keras.layers.Activation("selu")',
                           "no parameters",
                           "Keras recommends kernel_initializer='lecun_normal' and AlphaDropout "
                           "with it."),
                Equivalent("JAX", "jax.nn.selu(x)", "", "no parameters",
                           kink_grad=(SELU_SCALE * SELU_ALPHA,)),
            ),
            "en": Prose(
                strengths=(
                    "With LeCun-normal weights (variance 1/fan_in), mean 0 and variance 1 is an "
                    "attracting fixed point of each layer, so deep MLPs stay normalized "
                    "without batch normalization.",
                    "Negative inputs keep a gradient: no dead units.",
                ),
                weaknesses=(
                    "The guarantee needs the whole recipe: LeCun-normal initialization, "
                    "standardized inputs, AlphaDropout instead of dropout and plain "
                    "feed-forward layers; residual connections or other normalizations void it.",
                    "The slope jumps at 0, from λ ≈ 1.051 to λα ≈ 1.758.",
                    "Exponential on the negative side.",
                ),
                use="Deep fully connected networks (self-normalizing networks), e.g. on "
                "tabular data.",
                corrections=(
                    "Self-normalization assumes weights with mean 0 and variance 1/fan_in "
                    "(LeCun normal), not just 'normally distributed' weights.",
                    "α ≈ 1.6732632 and λ ≈ 1.0507010 are the solutions of E[f(Z)] = 0 and "
                    "E[f(Z)²] = 1 for Z ~ N(0, 1); rounding them to 1.6732 and 1.0507 moves "
                    "the fixed point slightly. actfn keeps them to full precision.",
                ),
            ),
            "zh": Prose(
                strengths=(
                    "权重采用 LeCun 正态初始化(方差 1/fan_in)时,均值 0、方差 1 是每层映射的吸引"
                    "不动点,深层 MLP 不用批归一化也能保持归一化。",
                    "负输入仍有梯度,不会出现“死亡”神经元。",
                ),
                weaknesses=(
                    "这一性质依赖整套条件:LeCun 正态初始化、标准化输入、用 AlphaDropout 代替 "
                    "dropout、纯前馈结构;加入残差连接或其他归一化后不再成立。",
                    "斜率在 0 处跳变:右侧 λ ≈ 1.051,左侧 λα ≈ 1.758。",
                    "负半轴需要指数运算。",
                ),
                use="深层全连接网络(自归一化网络),例如表格数据。",
                corrections=(
                    "自归一化要求权重均值为 0、方差为 1/fan_in(LeCun 正态),而不只是“权重服从正态"
                    "分布”。",
                    "α ≈ 1.6732632、λ ≈ 1.0507010 是方程 E[f(Z)] = 0、E[f(Z)²] = 1(Z ~ N(0, 1))"
                    "的解;截成 1.6732 和 1.0507 会让不动点略有偏移。actfn 使用全精度常数。",
                ),
            ),
        },
    )
)

register(
    Spec(
        name="celu",
        family="elu",
        summary="Continuously differentiable ELU: x for x > 0, alpha·(exp(x/alpha) - 1) otherwise.",
        f=lambda x, xp, *, alpha: _elu_like(x, xp, alpha, 1.0, alpha),
        df=lambda x, xp, *, alpha: _elu_like_d(x, xp, alpha, 1.0, alpha),
        d2f=lambda x, xp, *, alpha: _elu_like_d2(x, xp, alpha, 1.0, alpha),
        params=(
            Param("alpha", 1.0, "scale of the negative part; CELU → ReLU as alpha → 0⁺",
                  lower=0.0, learnable=True),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = 1 (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x/\alpha} - 1) & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
            "d2f": r"\begin{cases} 0 & x \ge 0 \\ e^{x/\alpha}/\alpha & x < 0 \end{cases}",
        },
        reference="Barron, Continuously Differentiable Exponential Linear Units (2017), "
        "arXiv:1704.07483",
        dparams={"alpha": _celu_dalpha},
        dparams_df={"alpha": _celu_dalpha_df},
        info={
            "properties": Properties(
                range=(-1.0, INF), smoothness=1, saturates=("-",), range_text="(-α, ∞)"
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.celu(x, alpha=1.0)",
                           "torch.nn.CELU(alpha=1.0)", "alpha → alpha (default 1.0)",
                           kink_grad=(1.0,)),
                Equivalent("Keras", "keras.activations.celu(x, alpha=1.0)",
                           'keras.layers.Activation("celu")', "alpha → alpha (default 1.0)",
                           "Keras 3 only; there is no dedicated layer class."),
                Equivalent("JAX", "jax.nn.celu(x, alpha=1.0)", "", "alpha → alpha (default 1.0)",
                           kink_grad=(1.0,)),
            ),
            "en": Prose(
                strengths=(
                    "f and f′ are continuous at 0 for every alpha > 0, so the slope never "
                    "jumps (ELU's does unless alpha = 1).",
                    "Negative inputs keep a gradient exp(x/α), so units do not die as with ReLU.",
                    "Bounded below by −α: large negative inputs cannot produce large outputs.",
                ),
                weaknesses=(
                    "Needs an exponential, so it costs more than ReLU.",
                    "f″ jumps at 0 (from 1/α to 0): CELU is C¹, not smooth.",
                    "With the default alpha = 1 it is exactly ELU.",
                ),
                use="A drop-in for ELU when alpha is tuned or learned and a continuous "
                "derivative matters.",
                corrections=(
                    "alpha = 0 is not a valid setting (x/α is undefined); CELU only tends to "
                    "ReLU in the limit alpha → 0⁺.",
                    "CELU is continuously differentiable but not smooth: its second derivative "
                    "jumps at 0.",
                    "ReLU itself is continuous at 0; what CELU removes is the jump in the "
                    "derivative.",
                    "np.where(x > 0, x, α·(exp(x/α) − 1)) evaluates exp on the positive side "
                    "too and overflows for large x; actfn clips the argument first.",
                ),
            ),
            "zh": Prose(
                strengths=(
                    "对任意 alpha > 0,f 与 f′ 在 0 处都连续,斜率不会突变(ELU 只有 alpha = 1 "
                    "时才这样)。",
                    "负输入仍有梯度 exp(x/α),不会像 ReLU 那样让神经元“死亡”。",
                    "输出下界为 −α,很负的输入不会得到很大的输出。",
                ),
                weaknesses=(
                    "要算指数,比 ReLU 慢。",
                    "二阶导数在 0 处从 1/α 跳到 0:CELU 属于 C¹,并不光滑。",
                    "默认 alpha = 1 时与 ELU 完全相同。",
                ),
                use="需要调节或学习 alpha、又希望导数连续时,用来替换 ELU。",
                corrections=(
                    "alpha 不能取 0(x/α 没有定义);只有在 alpha → 0⁺ 的极限下 CELU 才趋于 ReLU。",
                    "CELU 一阶连续可导,但不是光滑函数:二阶导数在 0 处跳变。",
                    "ReLU 在 0 处本身连续;CELU 消除的是导数的跳变。",
                    "np.where(x > 0, x, α·(exp(x/α) − 1)) 在正半轴也会计算 exp,x 很大时溢出;"
                    "actfn 先截断参数再求指数。",
                ),
            ),
        },
    )
)


def _exp(x, xp):
    return xp.exp(x)


register(
    Spec(
        name="exponential",
        family="exponential",
        summary="The exponential function (keras.activations.exponential).",
        f=_exp,
        df=_exp,
        d2f=_exp,
        latex={"f": r"e^{x}", "df": r"e^{x}", "d2f": r"e^{x}"},
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
)
