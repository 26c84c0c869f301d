"""relu: Rectified linear unit max(0, x)."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- relu ------------------------------------------------------------------------
# PyTorch keeps the sign of zero (relu(-0.0) = -0.0) and sends negatives to +0.
def _relu(x, xp):
    return xp.where(x < 0, 0.0, x)


def _step(x, xp):
    # One operand must be an array: torch.where of two Python floats is float32, and
    # array-api-strict refuses two scalars.
    return xp.where(x > 0, 1.0, xp.zeros_like(x))


SPEC = Spec(
    name="relu",
    family="relu",
    summary="Rectified linear unit max(0, x).",
    bench={"relu": {}},
    overview=True,
    f=_relu,
    df=_step,
    d2f=zero,
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = 0 (PyTorch, JAX)",
    # torch's op is exact with this kink convention: actfn.torch delegates to it
    torch_exact="relu",
    latex={
        "f": r"\max(0, x)",
        "df": r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        "d2f": r"0",
    },
    reference="Nair & Hinton (2010); Glorot, Bordes & Bengio (2011)",
    exact=Exact(
        f=lambda x, m: max(x, m.mpf(0)),
        df=lambda x, m: m.mpf(1) if x > 0 else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
)
