"""relu6: ReLU capped at 6: min(max(0, x), 6)."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Equivalent, Properties, Prose, Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- relu6 -------------------------------------------------------------------------
def _relu6(x, xp):
    return xp.where(x < 0, 0.0, xp.where(x > 6.0, 6.0, x))


def _relu6_d(x, xp):
    return xp.where((x > 0) & (x < 6.0), 1.0, xp.zeros_like(x))


SPEC = Spec(
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
    exact=Exact(
        f=lambda x, m: min(max(x, m.mpf(0)), m.mpf(6)),
        df=lambda x, m: m.mpf(1) if 0 < x < 6 else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
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
