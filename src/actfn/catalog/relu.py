"""Rectifiers and other piecewise-linear units: relu, relu6, leaky_relu, prelu,
rrelu, threshold, identity."""

from __future__ import annotations

from .._math import zero
from .._registry import Param, Spec, register


def _one(x, xp, **_):
    return xp.ones_like(x)


# -- relu ------------------------------------------------------------------------
# PyTorch keeps the sign of zero (relu(-0.0) = -0.0) and sends negatives to +0.
def _relu(x, xp):
    return xp.where(x < 0, 0.0, x)


def _step(x, xp):
    return xp.where(x > 0, 1.0, 0.0)


register(
    Spec(
        name="relu",
        family="relu",
        summary="Rectified linear unit max(0, x).",
        f=_relu,
        df=_step,
        d2f=zero,
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = 0 (PyTorch, JAX)",
        latex={
            "f": r"\max(0, x)",
            "df": r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
            "d2f": r"0",
        },
        reference="Nair & Hinton (2010); Glorot, Bordes & Bengio (2011)",
    )
)


# -- relu6 -------------------------------------------------------------------------
def _relu6(x, xp):
    return xp.where(x < 0, 0.0, xp.where(x > 6.0, 6.0, x))


def _relu6_d(x, xp):
    return xp.where((x > 0) & (x < 6.0), 1.0, 0.0)


register(
    Spec(
        name="relu6",
        family="relu",
        summary="ReLU capped at 6: min(max(0, x), 6).",
        f=_relu6,
        df=_relu6_d,
        d2f=zero,
        kinks=lambda p: (0.0, 6.0),
        kink_convention="f'(0) = f'(6) = 0 (PyTorch implements relu6 as hardtanh(x, 0, 6))",
        latex={
            "f": r"\min(\max(0, x), 6)",
            "df": r"\begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        reference="Krizhevsky, Convolutional Deep Belief Networks on CIFAR-10 (2010)",
    )
)


# -- leaky_relu / prelu / rrelu: one kernel with slope `a` for x <= 0 ---------------------
def _leaky(x, xp, a):
    return xp.where(x > 0, x, x * a)


def _leaky_d(x, xp, a):
    return xp.where(x > 0, 1.0, a)


register(
    Spec(
        name="leaky_relu",
        aliases=("leakyrelu",),
        family="relu",
        summary="ReLU with a small slope for negative inputs.",
        f=lambda x, xp, *, negative_slope: _leaky(x, xp, negative_slope),
        df=lambda x, xp, *, negative_slope: _leaky_d(x, xp, negative_slope),
        d2f=zero,
        params=(
            Param(
                "negative_slope",
                0.01,
                "slope for x < 0 (PyTorch and JAX default 0.01; Keras uses 0.2 or 0.3)",
            ),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = negative_slope (PyTorch)",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
            "d2f": r"0",
        },
        reference="Maas, Hannun & Ng (2013)",
    )
)

register(
    Spec(
        name="prelu",
        family="relu",
        summary="Parametric ReLU: leaky ReLU whose negative slope is learned (per channel).",
        f=lambda x, xp, *, weight: _leaky(x, xp, weight),
        df=lambda x, xp, *, weight: _leaky_d(x, xp, weight),
        d2f=zero,
        params=(
            Param(
                "weight",
                0.25,
                "slope for x < 0: one value, or one per channel (dim 1 of the input)",
                vector=True,
                learnable=True,
            ),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = weight (PyTorch)",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ a_c x & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ a_c & x \le 0 \end{cases}",
            "d2f": r"0",
        },
        reference="He et al., Delving Deep into Rectifiers (2015)",
        dparams={"weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), x)},
        dparams_df={
            "weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), xp.ones_like(x))
        },
    )
)


def _rrelu_slope(p):
    return 0.5 * (p["lower"] + p["upper"])


def _rrelu_check(p):
    if not p["lower"] <= p["upper"]:
        raise ValueError(
            f"rrelu: lower={p['lower']!r} must not exceed upper={p['upper']!r}"
        )


register(
    Spec(
        name="rrelu",
        family="relu",
        summary="Randomized leaky ReLU, evaluated as at inference: slope (lower + upper)/2.",
        f=lambda x, xp, *, lower, upper: _leaky(x, xp, 0.5 * (lower + upper)),
        df=lambda x, xp, *, lower, upper: _leaky_d(x, xp, 0.5 * (lower + upper)),
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
    )
)


# -- threshold -----------------------------------------------------------------------
def _threshold(x, xp, *, threshold, value):
    return xp.where(x <= threshold, value, x)


def _threshold_d(x, xp, *, threshold, value):
    return xp.where(x > threshold, 1.0, 0.0)


register(
    Spec(
        name="threshold",
        family="relu",
        summary="x where x > threshold, otherwise a constant value.",
        f=_threshold,
        df=_threshold_d,
        d2f=zero,
        params=(
            Param("threshold", 0.0, "inputs at or below it are replaced"),
            Param("value", 0.0, "the replacement value"),
        ),
        kinks=lambda p: (p["threshold"],),
        kink_convention="f'(threshold) = 0 (PyTorch)",
        latex={
            "f": r"\begin{cases} x & x > \theta \\ v & x \le \theta \end{cases}",
            "df": r"\begin{cases} 1 & x > \theta \\ 0 & x \le \theta \end{cases}",
            "d2f": r"0",
        },
    )
)


# -- identity --------------------------------------------------------------------------
register(
    Spec(
        name="identity",
        aliases=("linear",),
        family="linear",
        summary="The identity f(x) = x (Keras calls it linear).",
        f=lambda x, xp: x,
        df=_one,
        d2f=zero,
        latex={"f": r"x", "df": r"1", "d2f": r"0"},
    )
)
