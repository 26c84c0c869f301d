"""prelu: Parametric ReLU: leaky ReLU whose negative slope is learned (per channel)."""

from __future__ import annotations

from .._exact import leaky_family
from .._registry import Param, Spec
from ..kernels.elementary import zero
from ..kernels.leaky import leaky, leaky_d

__all__ = ["SPEC"]


SPEC = Spec(
    name="prelu",
    family="relu",
    summary="Parametric ReLU: leaky ReLU whose negative slope is learned (per channel).",
    bench={"prelu": {}},
    f=lambda x, xp, *, weight: leaky(x, xp, weight),
    df=lambda x, xp, *, weight: leaky_d(x, xp, weight),
    d2f=zero,
    params=(
        Param(
            "weight",
            0.25,
            "slope for x < 0: one value, or one per channel (dim 1 of the input)",
            vector=True,
            learnable=True,
        ),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = weight (PyTorch)",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ a_c x & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ a_c & x \le 0 \end{cases}",
        "d2f": r"0",
    },
    reference="He et al., Delving Deep into Rectifiers (2015)",
    dparams={"weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), x)},
    dparams_df={
        "weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), xp.ones_like(x))
    },
    cases=({"weight": 0.1},),
    exact=leaky_family(lambda p: p["weight"]),
)
