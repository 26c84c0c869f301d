"""glu: gated linear unit σ(gate)·up (Dauphin et al. 2017; torch.nn.functional.glu)."""

from __future__ import annotations

from .._gated import GatedSpec
from .sigmoid import SPEC as SIGMOID

__all__ = ["SPEC"]

SPEC = GatedSpec(
    name="glu",
    gate=SIGMOID,
    family="glu",
    summary="Gated linear unit σ(gate)·up.",
    latex={
        "f": r"\sigma(g)\,u",
        "dg": r"\sigma(g)\bigl(1 - \sigma(g)\bigr)\,u",
        "du": r"\sigma(g)",
    },
    reference="Dauphin, Fan, Auli & Grangier, Language Modeling with Gated Convolutional "
    "Networks (2017), arXiv:1612.08083",
)
