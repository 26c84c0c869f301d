"""exponential: The exponential function (keras.activations.exponential)."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Spec

__all__ = ["SPEC"]


def _exp(x, xp):
    return xp.exp(x)


SPEC = Spec(
    name="exponential",
    family="exponential",
    summary="The exponential function (keras.activations.exponential).",
    f=_exp,
    df=_exp,
    d2f=_exp,
    latex={"f": r"e^{x}", "df": r"e^{x}", "d2f": r"e^{x}"},
    exact=Exact(
        f=lambda x, m: m.exp(x), df=lambda x, m: m.exp(x), d2f=lambda x, m: m.exp(x)
    ),
)
