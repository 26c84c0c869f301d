"""leaky_relu: ReLU with a small slope for negative inputs."""

from __future__ import annotations

from .._exact import leaky_family
from .._registry import Param, Spec
from ..kernels.elementary import zero
from ..kernels.leaky import leaky, leaky_d

__all__ = ["SPEC"]


SPEC = Spec(
    name="leaky_relu",
    aliases=("leakyrelu",),
    family="relu",
    summary="ReLU with a small slope for negative inputs.",
    bench={"leaky_relu": {}},
    f=lambda x, xp, *, negative_slope: leaky(x, xp, negative_slope),
    df=lambda x, xp, *, negative_slope: leaky_d(x, xp, negative_slope),
    d2f=zero,
    params=(
        Param(
            "negative_slope",
            0.01,
            "slope for x < 0 (PyTorch and JAX default 0.01; Keras uses 0.2 or 0.3)",
        ),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = negative_slope (PyTorch)",
    # torch's op is exact with this kink convention: actfn.torch delegates to it
    torch_exact="leaky_relu",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        "d2f": r"0",
    },
    reference="Maas, Hannun & Ng (2013)",
    cases=({"negative_slope": 0.2},),
    exact=leaky_family(lambda p: p["negative_slope"]),
)
