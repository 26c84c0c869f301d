"""selu: Scaled ELU whose constants make activations self-normalizing."""

from __future__ import annotations

from .._exact import elu_family
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec
from ..kernels.elu import elu_like, elu_like_d, elu_like_d2, neg_part

__all__ = ["SPEC", "SELU_ALPHA", "SELU_SCALE"]


#: SELU constants (Klambauer et al. 2017, eq. 14) at full double precision; the
#: exact values solve the fixed-point equations for zero mean and unit variance.
SELU_ALPHA = 1.6732632423543772848170429916717


SELU_SCALE = 1.0507009873554804934193349852946


SPEC = Spec(
    name="selu",
    family="elu",
    summary="Scaled ELU whose constants make activations self-normalizing.",
    f=lambda x, xp, *, alpha, scale: elu_like(x, xp, alpha, scale, 1.0),
    df=lambda x, xp, *, alpha, scale: elu_like_d(x, xp, alpha, scale, 1.0),
    d2f=lambda x, xp, *, alpha, scale: elu_like_d2(x, xp, alpha, scale, 1.0),
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
        "alpha": lambda x, xp, *, alpha, scale: neg_part(x, xp, scale * xp.expm1(x)),
        "scale": lambda x, xp, *, alpha, scale: elu_like(x, xp, alpha, 1.0, 1.0),
    },
    dparams_df={
        "alpha": lambda x, xp, *, alpha, scale: neg_part(x, xp, scale * xp.exp(x)),
        "scale": lambda x, xp, *, alpha, scale: elu_like_d(x, xp, alpha, 1.0, 1.0),
    },
    exact=elu_family(alpha=lambda p: p["alpha"], scale=lambda p: p["scale"], inner=lambda p: 1),
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
