"""hardswish: Piecewise-quadratic swish: x·relu6(x + 3)/6."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Spec

__all__ = ["SPEC"]


# -- hardswish ---------------------------------------------------------------------------
# x·relu6(x + 3)/6. PyTorch's backward (and JAX's autodiff): 0 for x ≤ -3, x/3 + 1/2 for
# -3 < x < 3, 1 for x ≥ 3.
def _hardswish(x, xp):
    return xp.where(x <= -3.0, -0.0, xp.where(x >= 3.0, x, x * (x + 3.0) / 6.0))


def _hardswish_d(x, xp):
    return xp.where(x <= -3.0, 0.0, xp.where(x < 3.0, (2.0 * x + 3.0) / 6.0, 1.0))


def _hardswish_d2(x, xp):
    return xp.where((x > -3.0) & (x < 3.0), 1.0 / 3.0, xp.zeros_like(x))


SPEC = Spec(
    name="hardswish",
    aliases=("hard_swish", "hard_silu", "hardsilu"),
    family="gated",
    summary="Piecewise-quadratic swish: x·relu6(x + 3)/6.",
    f=_hardswish,
    df=_hardswish_d,
    d2f=_hardswish_d2,
    kinks=lambda p: (-3.0, 3.0),
    kink_convention="f'(-3) = 0 and f'(3) = 1 (PyTorch autograd and JAX: the quadratic "
    "piece is the open interval); f''(±3) = 0",
    latex={
        "f": r"\begin{cases} 0 & x \le -3 \\ x(x+3)/6 & -3 < x < 3 \\ x & x \ge 3 \end{cases}",
        "df": r"\begin{cases} 0 & x \le -3 \\ x/3 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
        "d2f": r"\begin{cases} 1/3 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
    },
    reference="Howard et al., Searching for MobileNetV3 (2019)",
    exact=Exact(
        f=lambda x, m: m.mpf(0) if x <= -3 else (x if x >= 3 else x * (x + 3) / 6),
        df=lambda x, m: m.mpf(0) if x <= -3 else (x / 3 + m.mpf(1) / 2 if x < 3 else m.mpf(1)),
        d2f=lambda x, m: m.mpf(1) / 3 if -3 < x < 3 else m.mpf(0),
    ),
)
