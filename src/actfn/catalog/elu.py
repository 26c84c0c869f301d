"""elu: Exponential linear unit: x for x > 0, alpha·(exp(x) - 1) otherwise."""

from __future__ import annotations

from .._exact import elu_family
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec
from ..kernels.elu import elu_like, elu_like_d, elu_like_d2, neg_part

__all__ = ["SPEC"]


_ALPHA_ELU = Param(
    "alpha", 1.0, "saturation value -alpha for x → -∞", lower=0.0, lower_inclusive=True,
    learnable=True,
)


SPEC = Spec(
    name="elu",
    family="elu",
    summary="Exponential linear unit: x for x > 0, alpha·(exp(x) - 1) otherwise.",
    f=lambda x, xp, *, alpha: elu_like(x, xp, alpha, 1.0, 1.0),
    df=lambda x, xp, *, alpha: elu_like_d(x, xp, alpha, 1.0, 1.0),
    d2f=lambda x, xp, *, alpha: elu_like_d2(x, xp, alpha, 1.0, 1.0),
    params=(_ALPHA_ELU,),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = alpha (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
        "d2f": r"\begin{cases} 0 & x \ge 0 \\ \alpha e^{x} & x < 0 \end{cases}",
    },
    reference="Clevert, Unterthiner & Hochreiter (2015), arXiv:1511.07289",
    dparams={"alpha": lambda x, xp, *, alpha: neg_part(x, xp, xp.expm1(x))},
    dparams_df={"alpha": lambda x, xp, *, alpha: neg_part(x, xp, xp.exp(x))},
    cases=({"alpha": 0.7},),
    exact=elu_family(alpha=lambda p: p["alpha"], scale=lambda p: 1, inner=lambda p: 1),
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
