"""softshrink: Soft thresholding: move x towards 0 by λ, zero inside [-λ, λ]."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import INF, Equivalent, Properties, Prose, Spec
from ..kernels.elementary import zero
from ..kernels.shrink import LAMBD, outside

__all__ = ["SPEC"]


# PyTorch: softshrink keeps the sign of zero inside the dead zone (x·0).
def _softshrink(x, xp, *, lambd):
    return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, x * 0.0))


SPEC = Spec(
    name="softshrink",
    aliases=("soft_shrink",),
    family="shrink",
    summary="Soft thresholding: move x towards 0 by λ, zero inside [-λ, λ].",
    f=_softshrink,
    df=outside,
    d2f=zero,
    params=(LAMBD,),
    kinks=lambda p: (-p["lambd"], p["lambd"]),
    kink_convention="f'(±λ) = 0 (PyTorch)",
    latex={
        "f": r"\begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\ 0 & \text{otherwise} \end{cases}",
        "df": r"\begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
        "d2f": r"0",
    },
    reference="Donoho, De-noising by soft-thresholding (1995)",
    cases=({"lambd": 1.0},),
    exact=Exact(
        f=lambda x, m, *, lambd: (x - lambd if x > lambd
                                  else (x + lambd if x < -lambd else m.mpf(0))),
        df=lambda x, m, *, lambd: m.mpf(1) if abs(x) > lambd else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
    info={
        "properties": Properties(range=(-INF, INF), smoothness=0, zero_centred=True,
                                 sparse=True),
        "frameworks": (
            Equivalent("PyTorch", "torch.nn.functional.softshrink(x, lambd=0.5)",
                       "torch.nn.Softshrink(lambd=0.5)", "lambd → lambd (default 0.5)",
                       kink_grad=(0.0, 0.0)),
            Equivalent("Keras", "keras.activations.soft_shrink(x, threshold=0.5)", "",
                       "lambd → threshold (default 0.5)"),
            Equivalent("JAX", "jax.numpy.sign(x) * jax.numpy.maximum(jax.numpy.abs(x) - 0.5, 0.0)",
                       "", "lambd → the 0.5", "No built-in."),
        ),
        "en": Prose(
            strengths=(
                "The proximal operator of the L1 norm: exactly the soft-thresholding step "
                "of ISTA, so it yields sparse outputs.",
                "Continuous and cheap.",
            ),
            weaknesses=(
                "Zero gradient inside the dead zone [−λ, λ].",
                "Shrinks large values by λ (a bias).",
            ),
            use="Sparse coding, unrolled optimization (LISTA) and wavelet denoising.",
        ),
        "zh": Prose(
            strengths=(
                "L1 范数的近端算子,正是 ISTA 中的软阈值步骤,输出稀疏。",
                "连续且便宜。",
            ),
            weaknesses=(
                "死区 [−λ, λ] 内梯度为 0。",
                "大值也被缩小 λ(产生偏差)。",
            ),
            use="稀疏编码、展开优化(LISTA)和小波去噪。",
        ),
    },
)
