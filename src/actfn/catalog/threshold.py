"""threshold: x where x > threshold, otherwise a constant value."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Param, Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- threshold -----------------------------------------------------------------------
def _threshold(x, xp, *, threshold, value):
    return xp.where(x <= threshold, value, x)


def _threshold_d(x, xp, *, threshold, value):
    return xp.where(x > threshold, 1.0, xp.zeros_like(x))


SPEC = Spec(
    name="threshold",
    family="relu",
    summary="x where x > threshold, otherwise a constant value.",
    f=_threshold,
    df=_threshold_d,
    d2f=zero,
    params=(
        Param("threshold", 0.0, "inputs at or below it are replaced"),
        Param("value", 0.0, "the replacement value"),
    ),
    kinks=lambda p: (p["threshold"],),
    kink_convention="f'(threshold) = 0 (PyTorch)",
    # torch's op is exact with this kink convention: actfn.torch delegates to it
    torch_exact="threshold",
    latex={
        "f": r"\begin{cases} x & x > \theta \\ v & x \le \theta \end{cases}",
        "df": r"\begin{cases} 1 & x > \theta \\ 0 & x \le \theta \end{cases}",
        "d2f": r"0",
    },
    cases=({"threshold": 0.5, "value": -1.0},),
    exact=Exact(
        f=lambda x, m, *, threshold, value: x if x > threshold else value,
        df=lambda x, m, *, threshold, value: m.mpf(1) if x > threshold else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
)
