"""rrelu: Randomized leaky ReLU, evaluated as at inference: slope (lower + upper)/2."""

from __future__ import annotations

from fractions import Fraction

from .._exact import leaky_family
from .._registry import Param, Spec
from ..kernels.elementary import is_f64, zero
from ..kernels.leaky import leaky, leaky_d

__all__ = ["SPEC"]


def _mean(lower, upper):
    # (lower + upper)/2 correctly rounded: the float sum overflows for bounds near the
    # largest double, and 0.5·lower + 0.5·upper loses the last bit of subnormals.
    return float((Fraction(lower) + Fraction(upper)) / 2)


#: Slopes below this are kept as slope·2**_RRELU_K (a normal float) and applied as
#: (x·that)·2**-_RRELU_K, so that a subnormal slope keeps all 53 bits.
_RRELU_SMALL = 2.0**-1000


_RRELU_K = 600


def _rrelu_scaled(lower, upper):
    """(a, scale) with a·scale = (lower + upper)/2 to 53 bits and a normal (or 0)."""
    s = (Fraction(lower) + Fraction(upper)) / 2
    if s == 0 or s >= _RRELU_SMALL:
        return float(s), 1.0
    # s < 2**-1000: a = s·2**600 < 2**-400, so x·a never overflows and the final exact
    # power-of-two scaling rounds once into the subnormal range.
    return float(s * 2**_RRELU_K), 2.0**-_RRELU_K


def _rrelu(x, xp, *, lower, upper):
    a, scale = _rrelu_scaled(lower, upper)
    if scale == 1.0:
        return leaky(x, xp, a)
    if not is_f64(x, xp):  # a working dtype without float64 (JAX without x64): s·x is ±0
        return xp.where(x > 0, x, xp.where(xp.isinf(x), x, x * 0.0))
    # a > 0 here, so f(-inf) = -inf (the slope is positive even where it rounds to 0).
    return xp.where(x > 0, x, (x * a) * scale)


def _rrelu_check(p):
    if not p["lower"] <= p["upper"]:
        raise ValueError(
            f"rrelu: lower={p['lower']!r} must not exceed upper={p['upper']!r}"
        )


SPEC = Spec(
    name="rrelu",
    family="relu",
    summary="Randomized leaky ReLU, evaluated as at inference: slope (lower + upper)/2.",
    f=_rrelu,
    df=lambda x, xp, *, lower, upper: leaky_d(x, xp, _mean(lower, upper)),
    d2f=zero,
    params=(
        Param("lower", 1.0 / 8.0, "lower bound of the random slope", lower=0.0,
              lower_inclusive=True),
        Param("upper", 1.0 / 3.0, "upper bound of the random slope", lower=0.0,
              lower_inclusive=True),
    ),
    check=_rrelu_check,
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = (lower + upper)/2 (PyTorch in eval mode)",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ \tfrac{l + u}{2}\, x & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ \tfrac{l + u}{2} & x \le 0 \end{cases}",
        "d2f": r"0",
    },
    reference="Xu et al., Empirical Evaluation of Rectified Activations (2015)",
    exact=leaky_family(lambda p: (p["lower"] + p["upper"]) / 2),
)
