"""swiglu: SiLU-gated linear unit silu(gate)·up (Llama, Qwen, Mistral, DeepSeek)."""

from __future__ import annotations

from .._gated import GatedSpec
from ..kernels.swish import silu_dd
from .silu import SPEC as SILU

__all__ = ["SPEC", "silu_gate_dd"]


def silu_gate_dd(x, xp, *, beta, beta_lo=0.0):
    """silu_dd (h, l, 1/k), except below the kernel's clip x < −800/β, where it would
    give a(−800/β) for every smaller x: there a(x) = x·e^{βx} is below 2⁻¹⁰⁷⁴ (−0 in
    float64) and h = l = a(x), 1/k = 1, so a(gate)·up is ±0, or NaN for up = ±inf (IEEE:
    a(−inf)·inf = (−0)·inf). Issue 13 re-review item 4."""
    h, lo, inv_k = silu_dd(x, xp, beta=beta, beta_lo=beta_lo)
    far = x < -(800.0 / beta)
    tiny = -xp.zeros_like(x)  # a(x) = -0 there
    return (xp.where(far, tiny, h), xp.where(far, tiny, lo),
            xp.where(far, xp.ones_like(x), inv_k * xp.ones_like(x)))

SPEC = GatedSpec(
    name="swiglu",
    gate=SILU,
    gate_dd=silu_gate_dd,
    family="glu",
    summary="SiLU-gated linear unit silu(gate)·up = gate·σ(gate)·up.",
    latex={
        "f": r"g\,\sigma(g)\,u",
        "dg": r"\bigl(\sigma(g) + g\,\sigma(g)(1 - \sigma(g))\bigr)\,u",
        "du": r"g\,\sigma(g)",
    },
    reference="Shazeer, GLU Variants Improve Transformer (2020), arXiv:2002.05202",
)
