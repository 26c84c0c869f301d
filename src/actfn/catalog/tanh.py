"""tanh: Hyperbolic tangent: a zero-centred sigmoid onto (-1, 1)."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Float32Kernels, Native32, Spec
from ..kernels.fast32 import dtanh32, tanh32
from ..kernels.tanh import sech2, tanh, tanh_d2, tanh_sech2

__all__ = ["SPEC"]


def _tanh(x, xp):
    return tanh(x, xp)


def _tanh_d2(x, xp):
    return tanh_d2(x, xp)


def _tanh_fd(x, xp):
    return tanh_sech2(x, xp)


SPEC = Spec(
    name="tanh",
    family="tanh",
    summary="Hyperbolic tangent: a zero-centred sigmoid onto (-1, 1).",
    bench={"tanh": {}},
    overview=True,
    f=_tanh,
    df=sech2,
    d2f=_tanh_d2,
    f_df=_tanh_fd,
    f32=Float32Kernels(f=tanh32, df=dtanh32),  # kernels.fast32: one XLA exp each
    # the compiled float32 loops: tanh and tanh′ in float32 arithmetic (actfn._fast._vmath32)
    native32=Native32(f="tanh_f32", df="dtanh_f32", f_df="tanh_fd_f32"),
    latex={
        "f": r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        "df": r"1 - \tanh^2 x = \operatorname{sech}^2 x",
        "d2f": r"-2\tanh x\,\operatorname{sech}^2 x",
    },
    reference="LeCun et al., Efficient BackProp (1998)",
    exact=Exact(
        f=lambda x, m: m.tanh(x),
        df=lambda x, m: m.sech(x) ** 2,
        d2f=lambda x, m: -2 * m.tanh(x) * m.sech(x) ** 2,
    ),
)
