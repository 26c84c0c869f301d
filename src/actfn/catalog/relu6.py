"""relu6: ReLU capped at 6: min(max(0, x), 6)."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- relu6 -------------------------------------------------------------------------
def _relu6(x, xp):
    return xp.where(x < 0, 0.0, xp.where(x > 6.0, 6.0, x))


def _relu6_d(x, xp):
    return xp.where((x > 0) & (x < 6.0), 1.0, xp.zeros_like(x))


SPEC = Spec(
    name="relu6",
    family="relu",
    summary="ReLU capped at 6: min(max(0, x), 6).",
    f=_relu6,
    df=_relu6_d,
    d2f=zero,
    kinks=lambda p: (0.0, 6.0),
    kink_convention="f'(0) = f'(6) = 0 (PyTorch implements relu6 as hardtanh(x, 0, 6))",
    # torch's op is exact with this kink convention: actfn.torch delegates to it
    torch_exact="relu6",
    latex={
        "f": r"\min(\max(0, x), 6)",
        "df": r"\begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
        "d2f": r"0",
    },
    reference="Krizhevsky, Convolutional Deep Belief Networks on CIFAR-10 (2010)",
    exact=Exact(
        f=lambda x, m: min(max(x, m.mpf(0)), m.mpf(6)),
        df=lambda x, m: m.mpf(1) if 0 < x < 6 else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
)
