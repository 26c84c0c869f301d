"""geglu: GELU-gated linear unit gelu(gate)·up (Gemma: with the tanh GELU)."""

from __future__ import annotations

from .._gated import GatedSpec
from .._registry import Param
from .gelu import SPEC as GELU

__all__ = ["SPEC"]

SPEC = GatedSpec(
    name="geglu",
    gate=GELU,
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
