"""softsign: x / (1 + |x|): a tanh-like curve with polynomial (not exponential) tails."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Spec

__all__ = ["SPEC"]


# -- softsign ------------------------------------------------------------------
def _softsign(x, xp):
    return xp.where(xp.isinf(x), xp.sign(x), x / (1.0 + xp.abs(x)))


def _softsign_d(x, xp):
    r = 1.0 / (1.0 + xp.abs(x))  # (1+|x|)^-k as powers of r: (1+|x|)^k would overflow
    return r * r


def _softsign_d2(x, xp):
    r = 1.0 / (1.0 + xp.abs(x))
    return (-2.0 * xp.sign(x)) * (r * r * r)


SPEC = Spec(
    name="softsign",
    aliases=("soft_sign",),
    family="tanh",
    summary="x / (1 + |x|): a tanh-like curve with polynomial (not exponential) tails.",
    f=_softsign,
    df=_softsign_d,
    d2f=_softsign_d2,
    kinks=lambda p: (0.0,),
    kink_convention="f''(0) = 0 (f'' jumps from 2 to -2 at 0; sign(0) = 0)",
    latex={
        "f": r"\frac{x}{1 + |x|}",
        "df": r"\frac{1}{(1 + |x|)^2}",
        "d2f": r"-\frac{2\,\operatorname{sign}(x)}{(1 + |x|)^3}",
    },
    reference="Bergstra et al. (2009); Glorot & Bengio (2010)",
    exact=Exact(
        f=lambda x, m: x / (1 + abs(x)),
        df=lambda x, m: 1 / (1 + abs(x)) ** 2,
        d2f=lambda x, m: -2 * m.sign(x) / (1 + abs(x)) ** 3,
    ),
)
