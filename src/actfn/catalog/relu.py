"""relu: Rectified linear unit max(0, x)."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import INF, Equivalent, Properties, Prose, Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- relu ------------------------------------------------------------------------
# PyTorch keeps the sign of zero (relu(-0.0) = -0.0) and sends negatives to +0.
def _relu(x, xp):
    return xp.where(x < 0, 0.0, x)


def _step(x, xp):
    # One operand must be an array: torch.where of two Python floats is float32, and
    # array-api-strict refuses two scalars.
    return xp.where(x > 0, 1.0, xp.zeros_like(x))


SPEC = Spec(
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
    exact=Exact(
        f=lambda x, m: max(x, m.mpf(0)),
        df=lambda x, m: m.mpf(1) if x > 0 else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
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
