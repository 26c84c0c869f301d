"""identity: The identity f(x) = x (Keras calls it linear)."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


def _one(x, xp, **_):
    return xp.ones_like(x)


# -- identity --------------------------------------------------------------------------
SPEC = Spec(
    name="identity",
    aliases=("linear",),
    family="linear",
    summary="The identity f(x) = x (Keras calls it linear).",
    f=lambda x, xp: x,
    df=_one,
    d2f=zero,
    latex={"f": r"x", "df": r"1", "d2f": r"0"},
    exact=Exact(
        f=lambda x, m: x, df=lambda x, m: m.mpf(1), d2f=piecewise_linear_zero
    ),
)
