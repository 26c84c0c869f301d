"""swiglu: SiLU-gated linear unit silu(gate)·up (Llama, Qwen, Mistral, DeepSeek)."""

from __future__ import annotations

from .._gated import GatedSpec
from ..kernels.swish import silu_dd
from .silu import SPEC as SILU

__all__ = ["SPEC"]

SPEC = GatedSpec(
    name="swiglu",
    gate=SILU,
    gate_dd=silu_dd,
    family="glu",
    summary="SiLU-gated linear unit silu(gate)·up = gate·σ(gate)·up.",
    latex={
        "f": r"g\,\sigma(g)\,u",
        "dg": r"\bigl(\sigma(g) + g\,\sigma(g)(1 - \sigma(g))\bigr)\,u",
        "du": r"g\,\sigma(g)",
    },
    reference="Shazeer, GLU Variants Improve Transformer (2020), arXiv:2002.05202",
)
