"""What tanh and tanhshrink share: sech²(x) = 1 - tanh²(x), computed without the
cancellation of the latter (4e^{-2|x|}/(1 + e^{-2|x|})²)."""

from __future__ import annotations

__all__ = ["sech2"]


def sech2(x, xp):
    # sech²(x) = 4e/(1+e)² with e = exp(-2|x|): no cancellation, unlike 1 - tanh².
    e = xp.exp(-2.0 * xp.abs(x))
    d = 1.0 + e
    return 4.0 * e / (d * d)
