"""Tanh-shaped activations: tanh, tanhshrink, hardtanh, softsign."""

from __future__ import annotations

from .._math import clip, zero
from .._registry import Param, Spec, register


def _sech2(x, xp):
    # sech²(x) = 4e/(1+e)² with e = exp(-2|x|): no cancellation, unlike 1 - tanh².
    e = xp.exp(-2.0 * xp.abs(x))
    d = 1.0 + e
    return 4.0 * e / (d * d)


def _tanh(x, xp):
    return xp.tanh(x)


def _tanh_d2(x, xp):
    return -2.0 * xp.tanh(x) * _sech2(x, xp)


def _tanh_fd(x, xp):
    return xp.tanh(x), _sech2(x, xp)


register(
    Spec(
        name="tanh",
        family="tanh",
        summary="Hyperbolic tangent: a zero-centred sigmoid onto (-1, 1).",
        f=_tanh,
        df=_sech2,
        d2f=_tanh_d2,
        f_df=_tanh_fd,
        latex={
            "f": r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            "df": r"1 - \tanh^2 x = \operatorname{sech}^2 x",
            "d2f": r"-2\tanh x\,\operatorname{sech}^2 x",
        },
        reference="LeCun et al., Efficient BackProp (1998)",
    )
)


# -- tanhshrink ------------------------------------------------------------------
# x - tanh(x) cancels badly for small |x| (the result is ≈ x³/3). Lambert's continued
# fraction tanh x = x/(1 + r), r = x²/(3 + x²/(5 + x²/(7 + …))) gives
# x - tanh x = x·r/(1 + r) with every term positive, so nothing cancels. Depth 28
# is exact to double precision for |x| < 4; beyond that the subtraction loses at
# most a factor 4/3.
_CF_DEPTH = 28
_CF_LIMIT = 4.0


def _tanhshrink(x, xp):
    xc = clip(x, xp, -_CF_LIMIT, _CF_LIMIT)
    x2 = xc * xc
    a = xp.full_like(xc, 2.0 * _CF_DEPTH + 3.0)
    for k in range(_CF_DEPTH, 0, -1):
        a = (2.0 * k + 1.0) + x2 / a
    r = x2 / a
    small = xc * r / (1.0 + r)
    small = xp.where(x == 0, 0.0, small)  # f(-0) = +0, as PyTorch's x - tanh(x)
    return xp.where(xp.abs(x) < _CF_LIMIT, small, x - xp.tanh(x))


def _tanhshrink_d(x, xp):
    t = xp.tanh(x)
    return t * t


def _tanhshrink_d2(x, xp):
    return 2.0 * xp.tanh(x) * _sech2(x, xp)


register(
    Spec(
        name="tanhshrink",
        aliases=("tanh_shrink",),
        family="shrink",
        summary="x - tanh(x): near-cubic around 0, linear with unit slope far out.",
        f=_tanhshrink,
        df=_tanhshrink_d,
        d2f=_tanhshrink_d2,
        latex={
            "f": r"x - \tanh x",
            "df": r"\tanh^2 x",
            "d2f": r"2\tanh x\,\operatorname{sech}^2 x",
        },
    )
)


# -- hardtanh ------------------------------------------------------------------
def _hardtanh(x, xp, *, min_val, max_val):
    return clip(x, xp, min_val, max_val)


def _hardtanh_d(x, xp, *, min_val, max_val):
    return xp.where((x > min_val) & (x < max_val), 1.0, 0.0)


def _hardtanh_check(p):
    if not p["min_val"] < p["max_val"]:
        raise ValueError(
            f"hardtanh: min_val={p['min_val']!r} must be smaller than max_val={p['max_val']!r}"
        )


register(
    Spec(
        name="hardtanh",
        aliases=("hard_tanh",),
        family="tanh",
        summary="Clip x to [min_val, max_val] (default [-1, 1]).",
        f=_hardtanh,
        df=_hardtanh_d,
        d2f=zero,
        params=(
            Param("min_val", -1.0, "lower end of the linear region"),
            Param("max_val", 1.0, "upper end of the linear region (> min_val)"),
        ),
        check=_hardtanh_check,
        kinks=lambda p: (p["min_val"], p["max_val"]),
        kink_convention="f'(min_val) = f'(max_val) = 0 (PyTorch)",
        latex={
            "f": r"\begin{cases} m & x < m \\ x & m \le x \le M \\ M & x > M \end{cases}",
            "df": r"\begin{cases} 1 & m < x < M \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
    )
)


# -- softsign ------------------------------------------------------------------
def _softsign(x, xp):
    return xp.where(xp.isinf(x), xp.sign(x), x / (1.0 + xp.abs(x)))


def _softsign_d(x, xp):
    d = 1.0 + xp.abs(x)
    return 1.0 / (d * d)


def _softsign_d2(x, xp):
    d = 1.0 + xp.abs(x)
    return -2.0 * xp.sign(x) / (d * d * d)


register(
    Spec(
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
    )
)
