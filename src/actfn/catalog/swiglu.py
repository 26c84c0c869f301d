"""swiglu: SiLU-gated linear unit silu(gate)·up (Llama, Qwen, Mistral, DeepSeek)."""

from __future__ import annotations

from .._gated import GatedSpec
from ..kernels.dd import two_prod
from ..kernels.swish import silu_dd
from .silu import SPEC as SILU

__all__ = ["SPEC", "silu_gate_dd", "silu_gate_tail"]


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


def silu_gate_tail(x, xp, k, *, beta, beta_lo=0.0):
    r"""(z, z_lo, F, F_lo) with a⁽ᵏ⁾(x) = (F + F_lo)·e^{z + z_lo}·(1 + O(e^z)) for
    a(x) = x·σ(βx), z + z_lo = βx (double-double): σ(z) = e^z/(1 + e^z), so for z ≪ 0
    a = x·e^z, a' = (1 + z)·e^z, a'' = β(2 + z)·e^z and ∂a/∂β = x²·e^z (k = 0, 1, 2,
    "beta"). Used by :mod:`actfn._gated_tail` where a⁽ᵏ⁾ underflows but a⁽ᵏ⁾·up does not
    (gated leftovers item 1)."""
    if beta == 1.0 and beta_lo == 0.0:
        z, zl = x, xp.zeros_like(x)
    else:
        z, zl = two_prod(x, xp.full_like(x, beta), xp)
        zl = zl + beta_lo * x
    if k == 0:
        return z, zl, x, xp.zeros_like(x)
    if k == 1:
        return z, zl, 1.0 + z, zl  # 1 + z exact for |z| ≥ 1
    if k == 2:
        w = 2.0 + z  # exact
        f, fl = two_prod(w, xp.full_like(w, beta), xp)
        return z, zl, f, fl + (beta * zl + beta_lo * w)
    if k == "beta":
        f, fl = two_prod(x, x, xp)
        return z, zl, f, fl
    raise ValueError(f"silu_gate_tail: no tail for order {k!r}")


SPEC = GatedSpec(
    name="swiglu",
    gate=SILU,
    gate_dd=silu_gate_dd,
    gate_tail=silu_gate_tail,
    family="glu",
    summary="SiLU-gated linear unit silu(gate)·up = gate·σ(gate)·up.",
    latex={
        "f": r"g\,\sigma(g)\,u",
        "dg": r"\bigl(\sigma(g) + g\,\sigma(g)(1 - \sigma(g))\bigr)\,u",
        "du": r"g\,\sigma(g)",
    },
    reference="Shazeer, GLU Variants Improve Transformer (2020), arXiv:2002.05202",
)
