"""Cheap float32 building blocks for the kernels of :class:`actfn._registry.Float32Kernels`
(``actfn.jax`` with ``jax_enable_x64`` off): plain float32 arithmetic around one
exponential from the array library, with only the compensation each result needs.

Measured facts they rest on (XLA CPU, float32, ``jit``, against float64 truth over
4·10⁶ points): XLA's ``exp`` is within 1.01 ulp; its expm1 (5.3 ulp), tanh (4.7) and
log1p (2.4) are not good enough for a 2-ulp result, so they are not used:

* :func:`expm1_small` is e^z − 1 for |z| ≤ 1 from its Taylor polynomial (no cancellation:
  z + z²·p(z) with z²·p(z) at most 0.72·|z|), and :func:`expm1_neg` is e^z − 1 for z ≤ 0:
  the polynomial above −1, ``exp(z) − 1`` below (where e^z ≤ 1/e, so the subtraction
  loses at most a factor 1/(1 − e^{-1}) ≈ 1.6 of the exponential's error);
* :func:`sigmoid_exp` gives t = e^{−|z|} and d = 1 + t, from which σ(z) = 1/d (z ≥ 0) or
  t/d (z < 0) and σ′(z) = t/d² follow with a few roundings each.

Where the arithmetic would be contracted into fused multiply-adds under ``jit`` (XLA
does on CPU), every formula here is as accurate with as without the contraction: no
step relies on a product being rounded before the following sum.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["expm1_neg", "expm1_small", "logistic32", "sigmoid_exp"]

#: 1/n! for n = 2 … 12: e^z − 1 = z + z²·Σ z^{n−2}/n!, truncated after z^12/12! (relative
#: remainder below 2^-28 for |z| ≤ 1).
_EXPM1 = tuple(1.0 / math.factorial(n) for n in range(2, 13))


def expm1_small(z: Any) -> Any:
    """e^z − 1 for float32 |z| ≤ 1 by its Taylor polynomial, z + z²·p(z) (Horner);
    signed zeros kept."""
    p = _EXPM1[-1] + 0.0 * z
    for c in reversed(_EXPM1[:-1]):
        p = p * z + c
    return z + (z * z) * p


def expm1_neg(z: Any, xp: Any) -> Any:
    """e^z − 1 for float32 z ≤ 0 (within ~1 ulp): the polynomial for z ≥ −1, the
    library's exp minus one below."""
    return xp.where(z >= -1.0, expm1_small(xp.maximum(z, -1.0)), xp.exp(z) - 1.0)


def sigmoid_exp(z: Any, xp: Any) -> tuple[Any, Any]:
    """(t, d) = (e^{−|z|}, 1 + e^{−|z|}) for the logistic σ(z) = 1/d (z ≥ 0), t/d (z < 0)
    and σ′(z) = t/d²."""
    t = xp.exp(-xp.abs(z))
    return t, 1.0 + t


def logistic32(z: Any, xp: Any) -> tuple[Any, Any, Any, Any]:
    """(σ(z), σ′(z), t, d) in float32, t = e^{−|z|} from the library's exp, d = fl(1 + t).

    σ = 1/d (z ≥ 0) or t/d (z < 0). σ′ = t/(1 + t)²: the square of the rounded d would
    double d's rounding error (4 ulp measured), so the denominator is rebuilt from the
    exact g = d − 1 and the exact error e = t − g of the sum (Fast2Sum, 1 ≥ t):
    (1 + t)² = 1 + (2g + g² + 2e·d) up to e², with the bracket rounded at a weight of at
    most 3/4 next to the leading 1. ``1 + 0·t`` stands for 1 so that XLA cannot refold
    (1 + t) − 1 into t."""
    t = xp.exp(-xp.abs(z))
    one = 1.0 + 0.0 * t
    d = one + t
    g = d - one
    e = t - g
    s = xp.where(z >= 0, 1.0 / d, t / d)
    ds = t / (1.0 + ((2.0 * g + g * g) + 2.0 * e * d))
    return s, ds, t, d
