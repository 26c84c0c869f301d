"""bilinear: the ungated product gate·up (identity gate)."""

from __future__ import annotations

from .._gated import GatedSpec
from .identity import SPEC as IDENTITY

__all__ = ["SPEC"]

SPEC = GatedSpec(
    name="bilinear",
    gate=IDENTITY,
    family="glu",
    summary="Bilinear unit gate·up (a GLU with the identity as its gate).",
    latex={"f": r"g\,u", "dg": r"u", "du": r"g"},
    reference="Shazeer, GLU Variants Improve Transformer (2020), arXiv:2002.05202; "
    "Dauphin et al. (2017)",
)
