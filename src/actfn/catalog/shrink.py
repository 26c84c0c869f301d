"""Shrinkage operators: softshrink, hardshrink (tanhshrink lives with tanh)."""

from __future__ import annotations

from .._math import zero
from .._registry import Param, Spec, register

_LAMBD = Param("lambd", 0.5, "half-width λ of the dead zone [-λ, λ]", lower=0.0,
               lower_inclusive=True)


# PyTorch: softshrink keeps the sign of zero inside the dead zone (x·0).
def _softshrink(x, xp, *, lambd):
    return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, x * 0.0))


def _outside(x, xp, *, lambd):
    return xp.where((x > lambd) | (x < -lambd), 1.0, 0.0)


register(
    Spec(
        name="softshrink",
        aliases=("soft_shrink",),
        family="shrink",
        summary="Soft thresholding: move x towards 0 by λ, zero inside [-λ, λ].",
        f=_softshrink,
        df=_outside,
        d2f=zero,
        params=(_LAMBD,),
        kinks=lambda p: (-p["lambd"], p["lambd"]),
        kink_convention="f'(±λ) = 0 (PyTorch)",
        latex={
            "f": r"\begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\ 0 & \text{otherwise} \end{cases}",
            "df": r"\begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        reference="Donoho, De-noising by soft-thresholding (1995)",
    )
)


def _hardshrink(x, xp, *, lambd):
    return xp.where((x > lambd) | (x < -lambd), x, 0.0)


register(
    Spec(
        name="hardshrink",
        aliases=("hard_shrink",),
        family="shrink",
        summary="Hard thresholding: x where |x| > λ, 0 inside [-λ, λ].",
        f=_hardshrink,
        df=_outside,
        d2f=zero,
        params=(_LAMBD,),
        kinks=lambda p: (-p["lambd"], p["lambd"]),
        kink_convention="f'(±λ) = 0 (PyTorch)",
        latex={
            "f": r"\begin{cases} x & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
            "df": r"\begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
    )
)
