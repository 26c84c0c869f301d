"""Sigmoid-shaped activations: sigmoid, logsigmoid, hardsigmoid, sparse_sigmoid."""

from __future__ import annotations

from .._math import exp_neg_abs, sigmoid_parts, sigmoid_second, zero
from .._registry import Spec, register


# -- sigmoid -----------------------------------------------------------------
# σ(x) = 1/(1+exp(-x)); σ' = σ(1-σ) is evaluated as e/(1+e)² with e = exp(-|x|), which
# stays exact where the textbook s·(1-s) underflows to 0 (x ≳ 16.6 in float32).
def _sigmoid(x, xp):
    return sigmoid_parts(x, xp)[0]


def _sigmoid_d(x, xp):
    return sigmoid_parts(x, xp)[2]


def _sigmoid_d2(x, xp):
    return sigmoid_second(x, xp, sigmoid_parts(x, xp)[2])


def _sigmoid_fd(x, xp):
    s, _, ds = sigmoid_parts(x, xp)
    return s, ds


register(
    Spec(
        name="sigmoid",
        aliases=("logistic",),
        family="sigmoid",
        summary="Logistic function squashing the real line onto (0, 1).",
        f=_sigmoid,
        df=_sigmoid_d,
        d2f=_sigmoid_d2,
        f_df=_sigmoid_fd,
        latex={
            "f": r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            "df": r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
            "d2f": r"\sigma''(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)\,\bigl(1 - 2\sigma(x)\bigr)",
        },
        reference="Verhulst (1845); used in neural networks since Rumelhart, Hinton & Williams (1986)",
    )
)


# -- logsigmoid ----------------------------------------------------------------
# log σ(x) = min(x, 0) - log1p(exp(-|x|)); its derivative is σ(-x).
def _logsigmoid(x, xp):
    lp = xp.log1p(exp_neg_abs(x, xp))
    return xp.where(x < 0, x - lp, -lp)


def _logsigmoid_d(x, xp):
    return sigmoid_parts(x, xp)[1]


def _logsigmoid_d2(x, xp):
    return -sigmoid_parts(x, xp)[2]


register(
    Spec(
        name="logsigmoid",
        aliases=("log_sigmoid",),
        family="sigmoid",
        summary="Logarithm of the sigmoid, log σ(x) = -softplus(-x).",
        f=_logsigmoid,
        df=_logsigmoid_d,
        d2f=_logsigmoid_d2,
        latex={
            "f": r"\log\sigma(x) = -\log\bigl(1 + e^{-x}\bigr)",
            "df": r"\sigma(-x) = \frac{1}{1 + e^{x}}",
            "d2f": r"-\sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
        },
    )
)


# -- hardsigmoid ---------------------------------------------------------------
# Piecewise-linear σ: relu6(x + 3)/6. PyTorch's backward is 1/6 on the open interval
# (-3, 3) and 0 at the kinks.
def _hardsigmoid(x, xp):
    return xp.where(x <= -3.0, 0.0, xp.where(x >= 3.0, 1.0, x / 6.0 + 0.5))


def _hardsigmoid_d(x, xp):
    return xp.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0)


register(
    Spec(
        name="hardsigmoid",
        aliases=("hard_sigmoid",),
        family="sigmoid",
        summary="Piecewise-linear sigmoid: 0 below -3, 1 above 3, x/6 + 1/2 between.",
        f=_hardsigmoid,
        df=_hardsigmoid_d,
        d2f=zero,
        kinks=lambda p: (-3.0, 3.0),
        kink_convention="f'(±3) = 0 (PyTorch: the slope 1/6 holds on the open interval)",
        latex={
            "f": r"\begin{cases} 0 & x \le -3 \\ x/6 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
            "df": r"\begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        reference="Howard et al., Searching for MobileNetV3 (2019)",
    )
)


# -- sparse_sigmoid --------------------------------------------------------------
# JAX/Keras: 0 for x <= -1, (x + 1)/2 on (-1, 1), 1 for x >= 1.
def _sparse_sigmoid(x, xp):
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, 1.0, 0.5 * (x + 1.0)))


def _sparse_sigmoid_d(x, xp):
    # jax.nn.sparse_sigmoid is 0.5·clip(x + 1, 0, 2); JAX splits the gradient of clip's
    # min/max evenly at a tie, so its autodiff gives 1/4 at x = ±1 (the mean of the
    # one-sided slopes).
    at_kink = (x == -1.0) | (x == 1.0)
    return xp.where((x > -1.0) & (x < 1.0), 0.5, xp.where(at_kink, 0.25, 0.0))


register(
    Spec(
        name="sparse_sigmoid",
        family="sigmoid",
        summary="Sparse (piecewise-linear) sigmoid: clip((x + 1)/2, 0, 1).",
        f=_sparse_sigmoid,
        df=_sparse_sigmoid_d,
        d2f=zero,
        kinks=lambda p: (-1.0, 1.0),
        kink_convention="f'(±1) = 1/4 (the mean of the one-sided slopes), as "
        "jax.nn.sparse_sigmoid's autodiff gives",
        latex={
            "f": r"\begin{cases} 0 & x \le -1 \\ (x+1)/2 & -1 < x < 1 \\ 1 & x \ge 1 \end{cases}",
            "df": r"\begin{cases} 1/2 & -1 < x < 1 \\ 1/4 & x = \pm 1 \\ 0 & \text{otherwise} \end{cases}",
            "d2f": r"0",
        },
        reference="Martins & Astudillo, From Softmax to Sparsemax (2016)",
    )
)
