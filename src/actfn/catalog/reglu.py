"""reglu: ReLU-gated linear unit max(0, gate)·up."""

from __future__ import annotations

from .._gated import GatedSpec
from .relu import SPEC as RELU

__all__ = ["SPEC"]

SPEC = GatedSpec(
    name="reglu",
    gate=RELU,
    family="glu",
    summary="ReLU-gated linear unit max(0, gate)·up.",
    kink_convention="∂f/∂gate at gate = 0 is 0 (ReLU's f'(0) = 0, PyTorch)",
    latex={
        "f": r"\max(0, g)\,u",
        "dg": r"[g > 0]\,u",
        "du": r"\max(0, g)",
    },
    reference="Shazeer, GLU Variants Improve Transformer (2020), arXiv:2002.05202",
)
