"""swiglu_clamped: gpt-oss's clamped SwiGLU g·σ(αg)·(u + 1), g = min(gate, limit),
u = clamp(up, −limit, limit)."""

from __future__ import annotations

import math

from .._gated import GatedSpec
from .._registry import Param
from ..kernels.sigmoid import BETA_MAX, BETA_MIN, BETA_WHY
from .silu import SPEC as SILU
from .swiglu import silu_gate_dd, silu_gate_tail

__all__ = ["SPEC"]


def _check(p):
    if not math.isfinite(p["limit"]):
        raise ValueError(f"swiglu_clamped: parameter limit={p['limit']!r} must be finite")


SPEC = GatedSpec(
    name="swiglu_clamped",
    gate=SILU,
    gate_dd=silu_gate_dd,
    gate_tail=silu_gate_tail,
    gate_params=lambda p: {"beta": p["alpha"]},
    params=(
        Param("alpha", 1.702, "sharpness α of the gate g·σ(αg) (1.702: the sigmoid "
              "approximation of GELU)", lower=BETA_MIN, upper=BETA_MAX, lower_inclusive=True,
              upper_inclusive=True, why=BETA_WHY),
        Param("limit", 7.0, "the clamp: gate ≤ limit, −limit ≤ up ≤ limit", lower=0.0),
    ),
    gate_limit=lambda p: p["limit"],
    up_limit=lambda p: p["limit"],
    up_offset=1.0,
    param_map={"alpha": "beta"},
    gate_limit_param="limit",
    up_limit_param="limit",
    check=_check,
    family="glu",
    summary="gpt-oss's clamped SwiGLU g·σ(αg)·(u + 1) with g = min(gate, limit), "
    "u = clamp(up, −limit, limit).",
    kink_convention="at gate = limit and up = ±limit the partials take the inside branch "
    "(PyTorch's clamp backward passes the gradient for min ≤ x ≤ max)",
    latex={
        "f": r"\min(g, L)\,\sigma(\alpha\,\min(g, L))\,\bigl(\max(-L, \min(u, L)) + 1\bigr)",
        "dg": r"[g \le L]\,\bigl(\sigma(\alpha g) + \alpha g\,\sigma(\alpha g)(1 - \sigma(\alpha g))"
        r"\bigr)\,\bigl(\max(-L, \min(u, L)) + 1\bigr)",
        "du": r"[|u| \le L]\,\min(g, L)\,\sigma(\alpha\,\min(g, L))",
    },
    reference="OpenAI, gpt-oss-120b & gpt-oss-20b Model Card (2025); the reference "
    "implementation's swiglu(x, alpha=1.702, limit=7.0)",
    cases=({"alpha": 1.0, "limit": 3.0},),
)
