"""softshrink: Soft thresholding: move x towards 0 by λ, zero inside [-λ, λ]."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Spec
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
)
