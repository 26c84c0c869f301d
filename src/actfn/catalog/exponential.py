"""exponential: The exponential function (keras.activations.exponential)."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Float32Kernels, Spec
from ..kernels.fast32 import exp32

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
    # float32 without x64 (actfn.jax): XLA's exp, rescaled by 2^±64 beyond |x| = 64
    # (kernels.fast32.exp32, 1 ulp; the compensated exp costs ~65 flops); f, f′ and f″ are
    # one kernel, so all take it.
    f32=Float32Kernels(f=exp32),
    latex={"f": r"e^{x}", "df": r"e^{x}", "d2f": r"e^{x}"},
    exact=Exact(
        f=lambda x, m: m.exp(x), df=lambda x, m: m.exp(x), d2f=lambda x, m: m.exp(x)
    ),
)
