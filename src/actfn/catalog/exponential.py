"""Exponential-linear units: elu, selu, celu, and the plain exponential."""

from __future__ import annotations

from .._math import clip, two_prod
from .._registry import Param, Spec, register

#: SELU constants (Klambauer et al. 2017, eq. 14) at full double precision; the
#: exact values solve the fixed-point equations for zero mean and unit variance.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ELU family kernel: x > 0 → s·x; x ≤ 0 → s·α·(exp(x/α_in) - 1) with the input scale
# used by CELU. At the kink f' takes the x ≤ 0 branch, as PyTorch's elu_backward does,
# and f'' the x ≥ 0 one (0), as PyTorch's elu double backward (x < 0 strictly) does.
def _scaled_arg(x, xp, inv):
    """x/inv as (q, qlo) with q + qlo = x/inv to ~2 ulps (inv = 1 gives qlo = 0)."""
    if inv == 1.0:
        return x, None
    xc = clip(x, xp, -800.0 * inv, 0.0)  # exp(x/inv) underflows long before
    q = xc / inv
    p, pe = two_prod(q, xp.full_like(q, inv), xp)
    return q, ((xc - p) - pe) / inv


def _expm1_dd(q, qlo, xp):
    e = xp.expm1(q)
    # q == 0 returns q itself so that f(-0) = -0 (as PyTorch), which e + 0 would lose.
    return e if qlo is None else xp.where(q == 0, q, e + (e + 1.0) * qlo)


def _exp_dd(q, qlo, xp):
    e = xp.exp(q)
    return e if qlo is None else e + e * qlo


def _elu_like(x, xp, a, s, ain):
    q, qlo = _scaled_arg(x, xp, ain)
    neg = _expm1_dd(q, qlo, xp)
    if s != 1.0:
        # (s·a)·expm1 with s·a carried as a double-double product.
        sa, salo = s * a, _prod_err(s, a)
        return xp.where(x > 0, s * x, sa * neg + salo * neg)
    return xp.where(x > 0, x, a * neg)


def _prod_err(a, b):
    # Error of the float product a*b for Python floats (exact via fractions).
    from fractions import Fraction

    return float(Fraction(a) * Fraction(b) - Fraction(a * b))


def _elu_like_d(x, xp, a, s, ain):
    q, qlo = _scaled_arg(x, xp, ain)
    k = s * a / ain
    return xp.where(x > 0, s, k * _exp_dd(q, qlo, xp))


def _elu_like_d2(x, xp, a, s, ain):
    q, qlo = _scaled_arg(x, xp, ain)
    k = s * a / (ain * ain)
    return xp.where(x < 0, k * _exp_dd(q, qlo, xp), 0.0)


# Parameter derivatives (framework layers with learnable alpha/scale). With u = x/α
# on x ≤ 0: ∂elu/∂α = expm1(x), ∂selu/∂α = λ·expm1(x), ∂selu/∂λ = selu/λ and
# ∂celu/∂α = expm1(u) - u·e^u. The last one cancels for small |u| (it is ≈ -u²/2), so
# there the series -Σ_{n≥2} (n-1)·u^n/n! is summed instead (24 terms: exact for |u| < 1).
def _neg_part(x, xp, v):
    return xp.where(x > 0, xp.zeros_like(x), v)


def _celu_q(x, xp, alpha):
    # u = x/α as (q, qlo) on x ≤ 0, clipped at -800 (e^u underflows long before).
    q, qlo = _scaled_arg(x, xp, alpha)
    return xp.where(x > 0, xp.zeros_like(q), xp.where(q < -800.0, -800.0, q)), qlo


def _celu_dalpha(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    direct = _expm1_dd(q, qlo, xp) - q * _exp_dd(q, qlo, xp)
    t, series = q, 0.0 * q
    for n in range(2, 26):
        t = t * q / n
        series = series - (n - 1) * t
    return _neg_part(x, xp, xp.where(q > -1.0, series, direct))


def _celu_dalpha_df(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    return _neg_part(x, xp, -(q / alpha) * _exp_dd(q, qlo, xp))


_ALPHA_ELU = Param(
    "alpha", 1.0, "saturation value -alpha for x → -∞", lower=0.0, lower_inclusive=True,
    learnable=True,
)

register(
    Spec(
        name="elu",
        family="elu",
        summary="Exponential linear unit: x for x > 0, alpha·(exp(x) - 1) otherwise.",
        f=lambda x, xp, *, alpha: _elu_like(x, xp, alpha, 1.0, 1.0),
        df=lambda x, xp, *, alpha: _elu_like_d(x, xp, alpha, 1.0, 1.0),
        d2f=lambda x, xp, *, alpha: _elu_like_d2(x, xp, alpha, 1.0, 1.0),
        params=(_ALPHA_ELU,),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = alpha (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
            "d2f": r"\begin{cases} 0 & x \ge 0 \\ \alpha e^{x} & x < 0 \end{cases}",
        },
        reference="Clevert, Unterthiner & Hochreiter (2015), arXiv:1511.07289",
        dparams={"alpha": lambda x, xp, *, alpha: _neg_part(x, xp, xp.expm1(x))},
        dparams_df={"alpha": lambda x, xp, *, alpha: _neg_part(x, xp, xp.exp(x))},
    )
)

register(
    Spec(
        name="selu",
        family="elu",
        summary="Scaled ELU whose constants make activations self-normalizing.",
        f=lambda x, xp, *, alpha, scale: _elu_like(x, xp, alpha, scale, 1.0),
        df=lambda x, xp, *, alpha, scale: _elu_like_d(x, xp, alpha, scale, 1.0),
        d2f=lambda x, xp, *, alpha, scale: _elu_like_d2(x, xp, alpha, scale, 1.0),
        params=(
            Param("alpha", SELU_ALPHA, "negative saturation -alpha before scaling", lower=0.0,
                  lower_inclusive=True, learnable=True),
            Param("scale", SELU_SCALE, "overall scale λ", lower=0.0, learnable=True),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = scale·alpha (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's "
        "autograd",
        latex={
            "f": r"\lambda\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
            "df": r"\lambda\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
            "d2f": r"\lambda\begin{cases} 0 & x \ge 0 \\ \alpha e^{x} & x < 0 \end{cases}",
        },
        reference="Klambauer et al., Self-Normalizing Neural Networks (2017), arXiv:1706.02515",
        dparams={
            "alpha": lambda x, xp, *, alpha, scale: _neg_part(x, xp, scale * xp.expm1(x)),
            "scale": lambda x, xp, *, alpha, scale: _elu_like(x, xp, alpha, 1.0, 1.0),
        },
        dparams_df={
            "alpha": lambda x, xp, *, alpha, scale: _neg_part(x, xp, scale * xp.exp(x)),
            "scale": lambda x, xp, *, alpha, scale: _elu_like_d(x, xp, alpha, 1.0, 1.0),
        },
    )
)

register(
    Spec(
        name="celu",
        family="elu",
        summary="Continuously differentiable ELU: x for x > 0, alpha·(exp(x/alpha) - 1) otherwise.",
        f=lambda x, xp, *, alpha: _elu_like(x, xp, alpha, 1.0, alpha),
        df=lambda x, xp, *, alpha: _elu_like_d(x, xp, alpha, 1.0, alpha),
        d2f=lambda x, xp, *, alpha: _elu_like_d2(x, xp, alpha, 1.0, alpha),
        params=(
            Param("alpha", 1.0, "scale of the negative part; CELU → ReLU as alpha → 0⁺",
                  lower=0.0, learnable=True),
        ),
        kinks=lambda p: (0.0,),
        kink_convention="f'(0) = 1 (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
        latex={
            "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x/\alpha} - 1) & x \le 0 \end{cases}",
            "df": r"\begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
            "d2f": r"\begin{cases} 0 & x \ge 0 \\ e^{x/\alpha}/\alpha & x < 0 \end{cases}",
        },
        reference="Barron, Continuously Differentiable Exponential Linear Units (2017), "
        "arXiv:1704.07483",
        dparams={"alpha": _celu_dalpha},
        dparams_df={"alpha": _celu_dalpha_df},
    )
)


def _exp(x, xp):
    return xp.exp(x)


register(
    Spec(
        name="exponential",
        family="exponential",
        summary="The exponential function (keras.activations.exponential).",
        f=_exp,
        df=_exp,
        d2f=_exp,
        latex={"f": r"e^{x}", "df": r"e^{x}", "d2f": r"e^{x}"},
    )
)
