"""sparse_plus: Piecewise-quadratic softplus: 0, (x + 1)²/4, x (JAX/Keras)."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Spec

__all__ = ["SPEC"]


# -- sparse_plus ------------------------------------------------------------------------
def _sparse_plus(x, xp):
    t = x + 1.0
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, x, 0.25 * t * t))


def _sparse_plus_d(x, xp):
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, 1.0, 0.5 * (x + 1.0)))


def _sparse_plus_d2(x, xp):
    return xp.where((x > -1.0) & (x < 1.0), 0.5, xp.zeros_like(x))


SPEC = Spec(
    name="sparse_plus",
    family="softplus",
    summary="Piecewise-quadratic softplus: 0, (x + 1)²/4, x (JAX/Keras).",
    f=_sparse_plus,
    df=_sparse_plus_d,
    d2f=_sparse_plus_d2,
    kinks=lambda p: (-1.0, 1.0),
    kink_convention="f''(±1) = 0 (f' is continuous; f'' jumps)",
    latex={
        "f": r"\begin{cases} 0 & x \le -1 \\ (x+1)^2/4 & -1 < x < 1 \\ x & x \ge 1 \end{cases}",
        "df": r"\begin{cases} 0 & x \le -1 \\ (x+1)/2 & -1 < x < 1 \\ 1 & x \ge 1 \end{cases}",
        "d2f": r"\begin{cases} 1/2 & -1 < x < 1 \\ 0 & \text{otherwise} \end{cases}",
    },
    reference="Martins & Astudillo (2016); Blondel et al., Learning with Fenchel-Young "
    "Losses (2020)",
    exact=Exact(
        f=lambda x, m: m.mpf(0) if x <= -1 else (x if x >= 1 else (x + 1) ** 2 / 4),
        df=lambda x, m: m.mpf(0) if x <= -1 else (m.mpf(1) if x >= 1 else (x + 1) / 2),
        d2f=lambda x, m: m.mpf(1) / 2 if -1 < x < 1 else m.mpf(0),
    ),
)
