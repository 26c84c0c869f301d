"""glu: gated linear unit σ(gate)·up (Dauphin et al. 2017; torch.nn.functional.glu)."""

from __future__ import annotations

from .._gated import GatedSpec
from ..kernels.sigmoid import times_sigmoid_dd
from .sigmoid import SPEC as SIGMOID

__all__ = ["SPEC"]


def _sigmoid_dd(x, xp):
    """σ(x) as an unrounded double-double (h, l, 1/k): :func:`times_sigmoid_dd` of 1, so
    that σ(gate)·up is rounded once (float64 f within 2 ulp; the plain σ, itself within
    ~1 ulp, then rounded product reached 2.6)."""
    return times_sigmoid_dd(xp.ones_like(x), x, xp)


def _sigmoid_tail(x, xp, k):
    """(z, z_lo, F, F_lo) = (x, 0, 1, 0): σ, σ′ and σ″ are e^x·(1 + O(e^x)) for x ≪ 0
    (:mod:`actfn._gated_tail`: σ⁽ᵏ⁾(gate)·up where σ⁽ᵏ⁾(gate) underflows)."""
    if k not in (0, 1, 2):
        raise ValueError(f"glu: no tail for order {k!r}")
    return x, xp.zeros_like(x), xp.ones_like(x), xp.zeros_like(x)


SPEC = GatedSpec(
    name="glu",
    gate=SIGMOID,
    gate_dd=_sigmoid_dd,
    gate_tail=_sigmoid_tail,
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
