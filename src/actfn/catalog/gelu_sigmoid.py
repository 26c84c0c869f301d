"""gelu_sigmoid: Sigmoid approximation of GELU: x·σ(1.702x)."""

from __future__ import annotations

from .._exact import swish_family
from .._registry import Spec
from ..kernels.swish import silu, silu_d, silu_d2, silu_fd

__all__ = ["SPEC"]


#: 1.702 as a double-double: the decimal constant of the definition, not its double.
_QUICK = dict(beta=1.702, beta_lo=4.263256414560601e-17)


SPEC = Spec(
    name="gelu_sigmoid",
    aliases=("quick_gelu",),
    family="gelu",
    summary="Sigmoid approximation of GELU: x·σ(1.702x).",
    f=lambda x, xp: silu(x, xp, **_QUICK),
    df=lambda x, xp: silu_d(x, xp, **_QUICK),
    d2f=lambda x, xp: silu_d2(x, xp, **_QUICK),
    f_df=lambda x, xp: silu_fd(x, xp, **_QUICK),
    latex={
        "f": r"x\,\sigma(1.702\,x)",
        "df": r"\sigma(1.702x) + 1.702\,x\,\sigma'(1.702x)",
        "d2f": r"1.702\,\sigma'(1.702x)\,\bigl(2 + 1.702x\,(1 - 2\sigma(1.702x))\bigr)",
    },
    reference="Hendrycks & Gimpel (2016), section 2; used as QuickGELU in CLIP",
    exact=swish_family(lambda p, m: m.mpf("1.702")),
)
