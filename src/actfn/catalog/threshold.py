"""threshold: x where x > threshold, otherwise a constant value."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- threshold -----------------------------------------------------------------------
def _threshold(x, xp, *, threshold, value):
    return xp.where(x <= threshold, value, x)


def _threshold_d(x, xp, *, threshold, value):
    return xp.where(x > threshold, 1.0, xp.zeros_like(x))


SPEC = Spec(
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
    cases=({"threshold": 0.5, "value": -1.0},),
    exact=Exact(
        f=lambda x, m, *, threshold, value: x if x > threshold else value,
        df=lambda x, m, *, threshold, value: m.mpf(1) if x > threshold else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
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
