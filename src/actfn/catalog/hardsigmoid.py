"""hardsigmoid: Piecewise-linear sigmoid: 0 below -3, 1 above 3, x/6 + 1/2 between."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- hardsigmoid ---------------------------------------------------------------
# Piecewise-linear σ: relu6(x + 3)/6. PyTorch's backward is 1/6 on the open interval
# (-3, 3) and 0 at the kinks.
def _hardsigmoid(x, xp):
    return xp.where(x <= -3.0, 0.0, xp.where(x >= 3.0, 1.0, (x + 3.0) / 6.0))


def _hardsigmoid_d(x, xp):
    return xp.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, xp.zeros_like(x))


SPEC = Spec(
    name="hardsigmoid",
    aliases=("hard_sigmoid",),
    family="sigmoid",
    summary="Piecewise-linear sigmoid: 0 below -3, 1 above 3, x/6 + 1/2 between.",
    f=_hardsigmoid,
    df=_hardsigmoid_d,
    d2f=zero,
    kinks=lambda p: (-3.0, 3.0),
    kink_convention="f'(±3) = 0 (PyTorch: the slope 1/6 holds on the open interval)",
    latex={
        "f": r"\begin{cases} 0 & x \le -3 \\ x/6 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
        "df": r"\begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
        "d2f": r"0",
    },
    reference="Howard et al., Searching for MobileNetV3 (2019)",
    exact=Exact(
        f=lambda x, m: m.mpf(0) if x <= -3 else (m.mpf(1) if x >= 3 else x / 6 + m.mpf(1) / 2),
        df=lambda x, m: m.mpf(1) / 6 if -3 < x < 3 else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
)
