"""The leaky core shared by leaky_relu, prelu and rrelu.

f(x) = x for x > 0 and a·x for x ≤ 0, f'(x) = 1 or a (f'(0) = a, as PyTorch), where the
slope ``a`` is a float or a per-channel array.
"""

from __future__ import annotations

__all__ = ["leaky", "leaky_d"]


# -- leaky_relu / prelu / rrelu: one kernel with slope `a` for x <= 0 ---------------------
def leaky(x, xp, a):
    # With slope 0 the limit at -inf is 0, but -inf·0 is NaN: inputs that are infinite
    # take a·sign(x)·inf only where a ≠ 0 (``a`` is a float or a per-channel array).
    neg = x * a
    return xp.where(x > 0, x, xp.where(xp.isinf(x) & (a == 0), 0.0 * a, neg))


def leaky_d(x, xp, a):
    return xp.where(x > 0, xp.ones_like(x), a)
