"""Self-gated activations x·g(x): gelu (exact and tanh), gelu_sigmoid, silu, mish,
hardswish."""

from __future__ import annotations

from .._math import (
    SQRT_2_OVER_PI,
    SQRT_PI_OVER_2,
    INV_SQRT2,
    clip,
    exp_neg_abs,
    scaled_gaussian,
    sigmoid_parts,
    sigmoid_second,
    two_prod,
    two_sum,
    unscale,
)
from .._registry import Param, Spec, register

# -- gelu, exact -------------------------------------------------------------------------
# f = x·Φ(x), f' = Φ(x) + x·φ(x), f'' = φ(x)·(2 - x²).
# For x < 0, Φ(x) = φ(x)·R(x) with the Mills ratio R(x) = sqrt(π/2)·erfcx(-x/√2): the
# naive 0.5·x·(1 + erf(x/√2)) cancels (PyTorch is ~7e5 ulps off at x = -5), and
# erfc(-x/√2) would inherit the rounding of x/√2 amplified by 2t² in the tail. φ is
# evaluated by scaled_gaussian with x² split exactly. Beyond |x| = 40 every output is
# at its limit, so x is clipped there (which also keeps ±inf away from the dd steps).
_GELU_CLIP = 40.0


def _gelu_parts(x, xp, special):
    xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
    phi_s = scaled_gaussian(xc, xp)  # φ(x)·2**128 (float64)
    u = unscale(xc, xp)
    mills = SQRT_PI_OVER_2 * special.erfcx(-xc * INV_SQRT2)
    cdf_pos = 0.5 * special.erfc(-xc * INV_SQRT2)
    return xc, phi_s, u, mills, cdf_pos


def _gelu_exact(x, xp, special):
    xc, phi_s, u, mills, cdf_pos = _gelu_parts(x, xp, special)
    neg = (xc * mills * phi_s) * u
    return xp.where(x >= 0, x * cdf_pos, neg)


def _gelu_exact_d(x, xp, special):
    xc, phi_s, u, mills, cdf_pos = _gelu_parts(x, xp, special)
    pos = cdf_pos + (xc * phi_s) * u
    neg = ((mills + xc) * phi_s) * u
    return xp.where(x >= 0, pos, neg)


def _gelu_exact_d2(x, xp, special):
    xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
    p, pe = two_prod(xc, xc, xp)
    return (((2.0 - p) - pe) * scaled_gaussian(xc, xp)) * unscale(xc, xp)


# -- gelu, tanh approximation -------------------------------------------------------------
# f = x·σ(2u) with u = sqrt(2/π)·(x + 0.044715 x³), identical to 0.5·x·(1 + tanh u) but
# without the cancellation for x < 0. 2u is carried as a double-double so exp(-|2u|)
# keeps full precision in the tail; |x| > 30 is at the limit (and x³ cannot overflow).
_GELU_A = 0.044715
_GELU_TANH_CLIP = 30.0


def _gelu_tanh_arg(x, xp):
    xc = clip(x, xp, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
    p, pe = two_prod(xc, xc, xp)
    q, qe = two_prod(p, xp.full_like(p, _GELU_A), xp)
    qe = qe + _GELU_A * pe
    r, re = two_sum(1.0 + 0.0 * q, q)
    re = re + qe
    m, me = two_prod(xc, r, xp)
    me = me + xc * re
    c2 = 2.0 * SQRT_2_OVER_PI[0]
    z, ze = two_prod(m, xp.full_like(m, c2), xp)
    ze = ze + c2 * me + 2.0 * SQRT_2_OVER_PI[1] * m
    dz = c2 * (1.0 + 3.0 * _GELU_A * p)  # d(2u)/dx
    d2z = c2 * 6.0 * _GELU_A * xc  # d²(2u)/dx²
    return xc, z, ze, dz, d2z


def _gelu_tanh(x, xp):
    xc, z, ze, _, _ = _gelu_tanh_arg(x, xp)
    s = sigmoid_parts(z, xp, ze)[0]
    return xp.where(x >= 0, x, xc) * s


def _gelu_tanh_d(x, xp):
    xc, z, ze, dz, _ = _gelu_tanh_arg(x, xp)
    s, _, ds = sigmoid_parts(z, xp, ze)
    return s + xc * dz * ds


def _gelu_tanh_d2(x, xp):
    xc, z, ze, dz, d2z = _gelu_tanh_arg(x, xp)
    _, _, ds = sigmoid_parts(z, xp, ze)
    d2s = sigmoid_second(z, xp, ds)
    return 2.0 * dz * ds + xc * d2z * ds + xc * dz * dz * d2s


def _gelu(x, xp, *, approximate, special):
    return _gelu_exact(x, xp, special) if approximate == "none" else _gelu_tanh(x, xp)


def _gelu_d(x, xp, *, approximate, special):
    return _gelu_exact_d(x, xp, special) if approximate == "none" else _gelu_tanh_d(x, xp)


def _gelu_d2(x, xp, *, approximate, special):
    return _gelu_exact_d2(x, xp, special) if approximate == "none" else _gelu_tanh_d2(x, xp)


register(
    Spec(
        name="gelu",
        family="gelu",
        summary="Gaussian error linear unit x·Φ(x) (or its tanh approximation).",
        f=_gelu,
        df=_gelu_d,
        d2f=_gelu_d2,
        needs_special=True,
        params=(
            Param(
                "approximate",
                "none",
                "'none' for the exact x·Φ(x), 'tanh' for 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))",
                choices=("none", "tanh"),
            ),
        ),
        latex={
            "f": r"x\,\Phi(x) = \frac{x}{2}\Bigl(1 + \operatorname{erf}\frac{x}{\sqrt2}\Bigr)",
            "df": r"\Phi(x) + x\,\varphi(x)",
            "d2f": r"\varphi(x)\,(2 - x^2)",
            "f_tanh": r"\frac{x}{2}\Bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\bigr)\Bigr)",
        },
        reference="Hendrycks & Gimpel, Gaussian Error Linear Units (2016), arXiv:1606.08415",
    )
)


# -- silu / swish and gelu_sigmoid: x·σ(βx) ------------------------------------------------
def _silu_arg(x, xp, beta):
    lim = 800.0 / beta
    xc = clip(x, xp, -lim, lim)
    if beta == 1.0:
        return xc, xc, None
    z, ze = two_prod(xc, xp.full_like(xc, beta), xp)
    return xc, z, ze


def _silu(x, xp, *, beta):
    xc, z, ze = _silu_arg(x, xp, beta)
    return xp.where(x > 0, x, xc) * sigmoid_parts(z, xp, ze)[0]


def _silu_d(x, xp, *, beta):
    xc, z, ze = _silu_arg(x, xp, beta)
    s, _, ds = sigmoid_parts(z, xp, ze)
    return s + (beta * xc) * ds


def _silu_d2(x, xp, *, beta):
    xc, z, ze = _silu_arg(x, xp, beta)
    _, _, ds = sigmoid_parts(z, xp, ze)
    return beta * (2.0 * ds + (beta * xc) * sigmoid_second(z, xp, ds))


# ∂f/∂β = x²·σ'(βx) and ∂f'/∂β = x·(2σ'(βx) + βx·σ''(βx)) = x·f''/β (learnable β).
def _silu_dbeta(x, xp, *, beta):
    xc, z, ze = _silu_arg(x, xp, beta)
    return xc * xc * sigmoid_parts(z, xp, ze)[2]


def _silu_dbeta_df(x, xp, *, beta):
    xc, z, ze = _silu_arg(x, xp, beta)
    _, _, ds = sigmoid_parts(z, xp, ze)
    return xc * (2.0 * ds + (beta * xc) * sigmoid_second(z, xp, ds))


def _silu_fd(x, xp, *, beta):
    xc, z, ze = _silu_arg(x, xp, beta)
    s, _, ds = sigmoid_parts(z, xp, ze)
    return xp.where(x > 0, x, xc) * s, s + (beta * xc) * ds


register(
    Spec(
        name="silu",
        aliases=("swish",),
        family="gated",
        summary="Sigmoid-weighted linear unit x·σ(βx) (β = 1: SiLU; learnable β: Swish).",
        f=_silu,
        df=_silu_d,
        d2f=_silu_d2,
        f_df=_silu_fd,
        params=(Param("beta", 1.0, "gate sharpness β; β → ∞ gives ReLU", lower=0.0,
                      learnable=True),),
        latex={
            "f": r"x\,\sigma(\beta x)",
            "df": r"\sigma(\beta x) + \beta x\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
            "d2f": r"\beta\,\sigma'(\beta x)\,\bigl(2 + \beta x\,(1 - 2\sigma(\beta x))\bigr)",
        },
        reference="Elfwing, Uchibe & Doya (2017); Ramachandran, Zoph & Le, Searching for "
        "Activation Functions (2017)",
        dparams={"beta": _silu_dbeta},
        dparams_df={"beta": _silu_dbeta_df},
    )
)

_QUICK = 1.702
register(
    Spec(
        name="gelu_sigmoid",
        aliases=("quick_gelu",),
        family="gelu",
        summary="Sigmoid approximation of GELU: x·σ(1.702x).",
        f=lambda x, xp: _silu(x, xp, beta=_QUICK),
        df=lambda x, xp: _silu_d(x, xp, beta=_QUICK),
        d2f=lambda x, xp: _silu_d2(x, xp, beta=_QUICK),
        f_df=lambda x, xp: _silu_fd(x, xp, beta=_QUICK),
        latex={
            "f": r"x\,\sigma(1.702\,x)",
            "df": r"\sigma(1.702x) + 1.702\,x\,\sigma'(1.702x)",
            "d2f": r"1.702\,\sigma'(1.702x)\,\bigl(2 + 1.702x\,(1 - 2\sigma(1.702x))\bigr)",
        },
        reference="Hendrycks & Gimpel (2016), section 2; used as QuickGELU in CLIP",
    )
)


# -- mish ---------------------------------------------------------------------------------
# f = x·g with g = tanh(softplus(x)). With e = exp(-|x|), one exponential gives
#   x > 0: g = (1 + 2e)/(1 + 2e + 2e²),        h = 1 - g² = 4e²(1+e)²/((1+e)² + e²)²
#   x ≤ 0: g = e(2 + e)/(e(2 + e) + 2),        h = 4(1+e)²/((1+e)² + 1)²
# f' = g + x·h·σ(x),  f'' = h·σ·(2 + x·(σ(-x) - 2gσ)).
def _mish_parts(x, xp):
    xc = clip(x, xp, -800.0, 800.0)
    e = exp_neg_abs(xc, xp)
    pos = xc > 0
    w = (1.0 + e) * (1.0 + e)
    n_pos = 1.0 + 2.0 * e
    d_pos = n_pos + 2.0 * e * e
    n_neg = e * (2.0 + e)
    g = xp.where(pos, n_pos / d_pos, n_neg / (n_neg + 2.0))
    den_pos = w + e * e
    den_neg = w + 1.0
    h = xp.where(pos, 4.0 * e * e * w / (den_pos * den_pos), 4.0 * w / (den_neg * den_neg))
    s, sm, _ = sigmoid_parts(xc, xp)
    return xc, g, h, s, sm


def _mish(x, xp):
    xc, g, _, _, _ = _mish_parts(x, xp)
    return xp.where(x > 0, x, xc) * g


def _mish_d(x, xp):
    xc, g, h, s, _ = _mish_parts(x, xp)
    return g + xc * h * s


def _mish_d2(x, xp):
    xc, g, h, s, sm = _mish_parts(x, xp)
    return h * s * (2.0 + xc * (sm - 2.0 * g * s))


def _mish_fd(x, xp):
    xc, g, h, s, _ = _mish_parts(x, xp)
    return xp.where(x > 0, x, xc) * g, g + xc * h * s


register(
    Spec(
        name="mish",
        family="gated",
        summary="x·tanh(softplus(x)): smooth, non-monotonic, unbounded above.",
        f=_mish,
        df=_mish_d,
        d2f=_mish_d2,
        f_df=_mish_fd,
        latex={
            "f": r"x\,\tanh\bigl(\operatorname{softplus}(x)\bigr)",
            "df": r"\tanh(\operatorname{sp}(x)) + x\,\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)",
            "d2f": r"\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)\,\bigl(2 + x\,(1 - \sigma(x) - 2\tanh(\operatorname{sp}(x))\,\sigma(x))\bigr)",
        },
        reference="Misra, Mish: A Self Regularized Non-Monotonic Activation Function (2019), "
        "arXiv:1908.08681",
    )
)


# -- hardswish ---------------------------------------------------------------------------
# x·relu6(x + 3)/6. PyTorch's backward (and JAX's autodiff): 0 for x ≤ -3, x/3 + 1/2 for
# -3 < x < 3, 1 for x ≥ 3.
def _hardswish(x, xp):
    return xp.where(x <= -3.0, -0.0, xp.where(x >= 3.0, x, x * (x + 3.0) / 6.0))


def _hardswish_d(x, xp):
    return xp.where(x <= -3.0, 0.0, xp.where(x < 3.0, x / 3.0 + 0.5, 1.0))


def _hardswish_d2(x, xp):
    return xp.where((x > -3.0) & (x < 3.0), 1.0 / 3.0, 0.0)


register(
    Spec(
        name="hardswish",
        aliases=("hard_swish", "hard_silu", "hardsilu"),
        family="gated",
        summary="Piecewise-quadratic swish: x·relu6(x + 3)/6.",
        f=_hardswish,
        df=_hardswish_d,
        d2f=_hardswish_d2,
        kinks=lambda p: (-3.0, 3.0),
        kink_convention="f'(-3) = 0 and f'(3) = 1 (PyTorch autograd and JAX: the quadratic "
        "piece is the open interval); f''(±3) = 0",
        latex={
            "f": r"\begin{cases} 0 & x \le -3 \\ x(x+3)/6 & -3 < x < 3 \\ x & x \ge 3 \end{cases}",
            "df": r"\begin{cases} 0 & x \le -3 \\ x/3 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
            "d2f": r"\begin{cases} 1/3 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
        },
        reference="Howard et al., Searching for MobileNetV3 (2019)",
    )
)
