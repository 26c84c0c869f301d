"""hardtanh: Clip x to [min_val, max_val] (default [-1, 1])."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Param, Spec
from ..kernels.elementary import clip, zero

__all__ = ["SPEC"]


# -- hardtanh ------------------------------------------------------------------
def _hardtanh(x, xp, *, min_val, max_val):
    return clip(x, xp, min_val, max_val)


def _hardtanh_d(x, xp, *, min_val, max_val):
    return xp.where((x > min_val) & (x < max_val), 1.0, xp.zeros_like(x))


def _hardtanh_check(p):
    if not p["min_val"] < p["max_val"]:
        raise ValueError(
            f"hardtanh: min_val={p['min_val']!r} must be smaller than max_val={p['max_val']!r}"
        )


SPEC = Spec(
    name="hardtanh",
    aliases=("hard_tanh",),
    family="tanh",
    summary="Clip x to [min_val, max_val] (default [-1, 1]).",
    f=_hardtanh,
    df=_hardtanh_d,
    d2f=zero,
    params=(
        Param("min_val", -1.0, "lower end of the linear region"),
        Param("max_val", 1.0, "upper end of the linear region (> min_val)"),
    ),
    check=_hardtanh_check,
    kinks=lambda p: (p["min_val"], p["max_val"]),
    kink_convention="f'(min_val) = f'(max_val) = 0 (PyTorch)",
    # torch's op is exact with this kink convention: actfn.torch delegates to it
    torch_exact="hardtanh",
    latex={
        "f": r"\begin{cases} m & x < m \\ x & m \le x \le M \\ M & x > M \end{cases}",
        "df": r"\begin{cases} 1 & m < x < M \\ 0 & \text{otherwise} \end{cases}",
        "d2f": r"0",
    },
    cases=({"min_val": -2.0, "max_val": 3.0},),
    exact=Exact(
        f=lambda x, m, *, min_val, max_val: min(max(x, min_val), max_val),
        df=lambda x, m, *, min_val, max_val: m.mpf(1) if min_val < x < max_val else m.mpf(0),
        d2f=piecewise_linear_zero,
    ),
)
