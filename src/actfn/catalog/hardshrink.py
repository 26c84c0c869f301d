"""hardshrink: Hard thresholding: x where |x| > λ, 0 inside [-λ, λ]."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Spec
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
    # torch's op is exact with this kink convention: actfn.torch delegates to it
    torch_exact="hardshrink",
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
)
