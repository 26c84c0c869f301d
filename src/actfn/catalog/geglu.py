"""geglu: GELU-gated linear unit gelu(gate)·up (Gemma: with the tanh GELU)."""

from __future__ import annotations

from .._gated import GatedSpec
from .._registry import Param
from ..kernels.sigmoid import times_sigmoid_dd
from .gelu import SPEC as GELU
from .gelu import gelu_tanh_arg

__all__ = ["SPEC"]


def _gate_dd(x, xp, *, approximate):
    """The tanh GELU x·σ(2u) as an unrounded double-double (h, l, 1/k), 2u carried as a
    double-double too (times_sigmoid_dd); None for the exact GELU (its own kernel)."""
    if approximate != "tanh":
        return None
    xc, z, ze, _, _ = gelu_tanh_arg(x, xp)
    return times_sigmoid_dd(xp.where(x >= 0, x, xc), z, xp, ze)

SPEC = GatedSpec(
    name="geglu",
    gate=GELU,
    gate_dd=_gate_dd,
    gate_params=lambda p: {"approximate": p["approximate"]},
    params=(
        Param("approximate", "none", "the gate's GELU: 'none' for the exact x·Φ(x) (the "
              "paper's), 'tanh' for the tanh approximation (Gemma)", choices=("none", "tanh")),
    ),
    family="glu",
    summary="GELU-gated linear unit gelu(gate)·up.",
    latex={
        "f": r"g\,\Phi(g)\,u",
        "dg": r"\bigl(\Phi(g) + g\,\varphi(g)\bigr)\,u",
        "du": r"g\,\Phi(g)",
    },
    reference="Shazeer, GLU Variants Improve Transformer (2020), arXiv:2002.05202",
    cases=({"approximate": "tanh"},),
)
