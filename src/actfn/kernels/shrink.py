"""What hardshrink and softshrink share: the dead-zone half-width λ and
f'(x) = 1 for |x| > λ, else 0 (f'(±λ) = 0, as PyTorch)."""

from __future__ import annotations

from .._registry import Param

__all__ = ["LAMBD", "outside"]


LAMBD = Param("lambd", 0.5, "half-width λ of the dead zone [-λ, λ]", lower=0.0,
               lower_inclusive=True)


def outside(x, xp, *, lambd):
    return xp.where((x > lambd) | (x < -lambd), 1.0, xp.zeros_like(x))
