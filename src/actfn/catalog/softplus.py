"""Smooth rectifiers: softplus, squareplus, sparse_plus."""

from __future__ import annotations

from .._math import clip, exp_neg_abs, sigmoid_parts, two_prod
from .._registry import Param, Spec, register


# -- softplus --------------------------------------------------------------------------
# (1/β)·log(1 + exp(βx)) = max(x, 0) + log1p(exp(-|βx|))/β, exact everywhere: no linear
# switch-over at a threshold (PyTorch returns x itself once βx > 20).
def _softplus_arg(x, xp, beta):
    xc = clip(x, xp, -800.0 / beta, 800.0 / beta)
    if beta == 1.0:
        return xc, None
    return two_prod(xc, xp.full_like(xc, beta), xp)


def _softplus(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    lp = xp.log1p(exp_neg_abs(z, xp, ze)) / beta
    return xp.where(x > 0, x + lp, lp)


def _softplus_d(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    return sigmoid_parts(z, xp, ze)[0]


def _softplus_d2(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    return beta * sigmoid_parts(z, xp, ze)[2]


# ∂f/∂β = (x·σ(βx) - f)/β = -(|x|·σ(-|βx|) + log1p(exp(-|βx|))/β)/β: both terms have
# the same sign, so nothing cancels. ∂f'/∂β = x·σ'(βx).
def _softplus_dbeta(x, xp, *, beta):
    xc = clip(x, xp, -800.0 / beta, 800.0 / beta)
    z, ze = _softplus_arg(x, xp, beta)
    e = exp_neg_abs(z, xp, ze)
    return -(xp.abs(xc) * (e / (1.0 + e)) + xp.log1p(e) / beta) / beta


def _softplus_dbeta_df(x, xp, *, beta):
    xc = clip(x, xp, -800.0 / beta, 800.0 / beta)
    z, ze = _softplus_arg(x, xp, beta)
    return xc * sigmoid_parts(z, xp, ze)[2]


register(
    Spec(
        name="softplus",
        family="softplus",
        summary="Smooth ReLU (1/β)·log(1 + exp(βx)), computed exactly with no threshold.",
        f=_softplus,
        df=_softplus_d,
        d2f=_softplus_d2,
        params=(Param("beta", 1.0, "sharpness β (β → ∞ gives ReLU)", lower=0.0,
                      learnable=True),),
        latex={
            "f": r"\frac{1}{\beta}\log\bigl(1 + e^{\beta x}\bigr)",
            "df": r"\sigma(\beta x)",
            "d2f": r"\beta\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
        },
        reference="Dugas et al., Incorporating Second-Order Functional Knowledge (2001)",
        dparams={"beta": _softplus_dbeta},
        dparams_df={"beta": _softplus_dbeta_df},
    )
)


# -- squareplus --------------------------------------------------------------------------
# (x + sqrt(x² + b))/2 with h = hypot(x, √b) (no overflow); for x < 0 the sum cancels, so
# use the conjugate b/(2(h - x)). Likewise f' = (1 + x/h)/2 = b/(2h(h - x)) for x < 0.
def _squareplus(x, xp, *, b):
    h = xp.hypot(x, b**0.5 + 0.0 * x)
    return xp.where(x >= 0, 0.5 * (x + h), b / (2.0 * (h - x)))


def _squareplus_d(x, xp, *, b):
    x = clip(x, xp, -1e300, 1e300)  # keeps x/h finite at ±inf
    h = xp.hypot(x, b**0.5 + 0.0 * x)
    return xp.where(x >= 0, 0.5 * (1.0 + x / h), b / (2.0 * h * (h - x)))


def _squareplus_d2(x, xp, *, b):
    h = xp.hypot(x, b**0.5 + 0.0 * x)
    return 0.5 * b / (h * h * h)


register(
    Spec(
        name="squareplus",
        family="softplus",
        summary="Algebraic softplus (x + sqrt(x² + b))/2: no exponentials.",
        f=_squareplus,
        df=_squareplus_d,
        d2f=_squareplus_d2,
        params=(Param("b", 4.0, "curvature at 0 (b → 0 gives ReLU)", lower=0.0),),
        latex={
            "f": r"\frac{x + \sqrt{x^2 + b}}{2}",
            "df": r"\frac12\Bigl(1 + \frac{x}{\sqrt{x^2 + b}}\Bigr)",
            "d2f": r"\frac{b}{2\,(x^2 + b)^{3/2}}",
        },
        reference="Barron, Squareplus: A Softplus-Like Algebraic Rectifier (2021), "
        "arXiv:2112.11687",
    )
)


# -- sparse_plus ------------------------------------------------------------------------
def _sparse_plus(x, xp):
    t = x + 1.0
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, x, 0.25 * t * t))


def _sparse_plus_d(x, xp):
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, 1.0, 0.5 * (x + 1.0)))


def _sparse_plus_d2(x, xp):
    return xp.where((x > -1.0) & (x < 1.0), 0.5, 0.0)


register(
    Spec(
        name="sparse_plus",
        family="softplus",
        summary="Piecewise-quadratic softplus: 0, (x + 1)²/4, x (JAX/Keras).",
        f=_sparse_plus,
        df=_sparse_plus_d,
        d2f=_sparse_plus_d2,
        kinks=lambda p: (-1.0, 1.0),
        kink_convention="f''(±1) = 0 (f' is continuous; f'' jumps)",
        latex={
            "f": r"\begin{cases} 0 & x \le -1 \\ (x+1)^2/4 & -1 < x < 1 \\ x & x \ge 1 \end{cases}",
            "df": r"\begin{cases} 0 & x \le -1 \\ (x+1)/2 & -1 < x < 1 \\ 1 & x \ge 1 \end{cases}",
            "d2f": r"\begin{cases} 1/2 & -1 < x < 1 \\ 0 & \text{otherwise} \end{cases}",
        },
        reference="Martins & Astudillo (2016); Blondel et al., Learning with Fenchel-Young "
        "Losses (2020)",
    )
)
