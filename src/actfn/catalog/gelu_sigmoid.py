"""gelu_sigmoid: Sigmoid approximation of GELU: x·σ(1.702x)."""

from __future__ import annotations

from .._exact import swish_family
from .._registry import Float32Kernels, Spec
from ..kernels.df32 import split32
from ..kernels.fast32 import dswish32, swish32
from ..kernels.swish import silu, silu_d, silu_d2, silu_fd

__all__ = ["SPEC"]


#: 1.702 as a double-double: the decimal constant of the definition, not its double.
_QUICK = dict(beta=1.702, beta_lo=4.263256414560601e-17)
#: The same as a float32 pair (the cheap float32 kernels of actfn.jax without x64).
_QUICK32 = split32(_QUICK["beta"], _QUICK["beta_lo"])


SPEC = Spec(
    name="gelu_sigmoid",
    aliases=("quick_gelu",),
    family="gelu",
    summary="Sigmoid approximation of GELU: x·σ(1.702x).",
    f=lambda x, xp: silu(x, xp, **_QUICK),
    df=lambda x, xp: silu_d(x, xp, **_QUICK),
    d2f=lambda x, xp: silu_d2(x, xp, **_QUICK),
    f_df=lambda x, xp: silu_fd(x, xp, **_QUICK),
    # float32 without x64 (actfn.jax): one XLA exp each, βx as an exact pair (kernels.fast32)
    f32=Float32Kernels(f=lambda x, xp: swish32(x, xp, _QUICK32),
                       df=lambda x, xp: dswish32(x, xp, _QUICK32)),
    latex={
        "f": r"x\,\sigma(1.702\,x)",
        "df": r"\sigma(1.702x) + 1.702\,x\,\sigma'(1.702x)",
        "d2f": r"1.702\,\sigma'(1.702x)\,\bigl(2 + 1.702x\,(1 - 2\sigma(1.702x))\bigr)",
    },
    reference="Hendrycks & Gimpel (2016), section 2; used as QuickGELU in CLIP",
    exact=swish_family(lambda p, m: m.mpf("1.702")),
)
