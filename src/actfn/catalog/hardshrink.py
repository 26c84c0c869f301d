"""hardshrink: Hard thresholding: x where |x| > λ, 0 inside [-λ, λ]."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import INF, Equivalent, Properties, Prose, Spec
from ..kernels.elementary import zero
from ..kernels.shrink import LAMBD, outside

__all__ = ["SPEC"]


def _hardshrink(x, xp, *, lambd):
    return xp.where((x > lambd) | (x < -lambd), x, 0.0)


SPEC = Spec(
    name="hardshrink",
    aliases=("hard_shrink",),
    family="shrink",
    summary="Hard thresholding: x where |x| > λ, 0 inside [-λ, λ].",
    f=_hardshrink,
    df=outside,
    d2f=zero,
    params=(LAMBD,),
    kinks=lambda p: (-p["lambd"], p["lambd"]),
    kink_convention="f'(±λ) = 0 (PyTorch)",
    latex={
        "f": r"\begin{cases} x & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
        "df": r"\begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
        "d2f": r"0",
    },
    cases=({"lambd": 1.0},),
    exact=Exact(
        f=lambda x, m, *, lambd: x if abs(x) > lambd else m.mpf(0),
        df=lambda x, m, *, lambd: m.mpf(1) if abs(x) > lambd else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
    info={
        "properties": Properties(range=(-INF, INF), smoothness=-1, zero_centred=True,
                                 sparse=True),
        "frameworks": (
            Equivalent("PyTorch", "torch.nn.functional.hardshrink(x, lambd=0.5)",
                       "torch.nn.Hardshrink(lambd=0.5)", "lambd → lambd (default 0.5)",
                       kink_grad=(0.0, 0.0)),
            Equivalent("Keras", "keras.activations.hard_shrink(x, threshold=0.5)", "",
                       "lambd → threshold (default 0.5)"),
            Equivalent("JAX", "jax.numpy.where(jax.numpy.abs(x) > 0.5, x, 0.0)", "",
                       "lambd → the 0.5", "No built-in.", kink_grad=(0.0, 0.0)),
        ),
        "en": Prose(
            strengths=(
                "Keeps large values unchanged and zeroes small ones: hard thresholding, "
                "with no shrinkage bias.",
            ),
            weaknesses=(
                "Discontinuous at ±λ (jumps of size λ).",
                "Zero gradient inside the dead zone.",
            ),
            use="Sparse coding and denoising with hard thresholding.",
        ),
        "zh": Prose(
            strengths=(
                "大值保持不变、小值置零:硬阈值,没有收缩偏差。",
            ),
            weaknesses=(
                "在 ±λ 处不连续(跳变幅度为 λ)。",
                "死区内梯度为 0。",
            ),
            use="使用硬阈值的稀疏编码和去噪。",
        ),
    },
)
