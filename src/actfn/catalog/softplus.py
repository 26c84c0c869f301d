"""Smooth rectifiers: softplus, squareplus, sparse_plus."""

from __future__ import annotations

import math
from fractions import Fraction

from .._math import (
    _SIG_SCALE_BELOW,
    BETA_MAX,
    BETA_MIN,
    BETA_WHY,
    LN2_128,
    TWO_M128,
    clip,
    exp_neg_abs,
    is_f64,
    scaled_dsigmoid,
    sigmoid_parts,
    two_prod,
    two_sum,
)
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec, register


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
    if is_f64(z, xp):
        # Tail |βx| > 600: log1p(e) = e, and e is taken scaled by 2**128 (normal) so that
        # dividing by a β < 1 does not magnify the rounding of a subnormal e.
        s, serr = two_sum(-xp.abs(z), LN2_128[0])
        es = xp.exp(s) * (1.0 + (serr + LN2_128[1]))
        if ze is not None:
            es = es - es * (xp.sign(z) * ze)
        lp = xp.where(xp.abs(z) > -_SIG_SCALE_BELOW, (es / beta) * TWO_M128, lp)
    return xp.where(x > 0, x + lp, lp)


def _softplus_d(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    return sigmoid_parts(z, xp, ze)[0]


def _softplus_d2(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    # β·σ'(z) with σ' scaled by 2**128 in the tail: one rounding for subnormal results.
    ds, inv_k = scaled_dsigmoid(z, xp, ze)
    return (ds * beta) * inv_k


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
        params=(Param("beta", 1.0, "sharpness β (β → ∞ gives ReLU)", lower=BETA_MIN,
                      upper=BETA_MAX, lower_inclusive=True, upper_inclusive=True,
                      learnable=True, why=BETA_WHY),),
        latex={
            "f": r"\frac{1}{\beta}\log\bigl(1 + e^{\beta x}\bigr)",
            "df": r"\sigma(\beta x)",
            "d2f": r"\beta\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
        },
        reference="Dugas et al., Incorporating Second-Order Functional Knowledge (2001)",
        dparams={"beta": _softplus_dbeta},
        dparams_df={"beta": _softplus_dbeta_df},
        info={
            "properties": Properties(range=(0.0, INF), saturates=("-",)),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.softplus(x, beta=1.0, threshold=20.0)",
                           "torch.nn.Softplus(beta=1.0, threshold=20.0)", "beta → beta",
                           "PyTorch returns x itself once beta·x > threshold (default 20), an "
                           "error of log1p(exp(−20)) ≈ 2e−9; actfn has no threshold."),
                Equivalent("Keras", "keras.activations.softplus(x)",
                           'keras.layers.Activation("softplus")', "no beta",
                           "For beta ≠ 1 use softplus(beta * x) / beta."),
                Equivalent("JAX", "jax.nn.softplus(x)", "", "no beta",
                           "For beta ≠ 1 use softplus(beta * x) / beta."),
            ),
            "en": Prose(
                strengths=(
                    "Smooth everywhere and strictly positive; its derivative is the sigmoid.",
                    "Grows like x for large x, so no saturation on the right.",
                ),
                weaknesses=(
                    "Needs exp and log.",
                    "Not sparse, and f(0) = log 2 rather than 0.",
                ),
                use="Outputs that must be positive (standard deviations, rates) and smooth "
                "ReLU substitutes.",
            ),
            "zh": Prose(
                strengths=(
                    "处处光滑且严格为正;导数就是 sigmoid。",
                    "x 很大时近似等于 x,右侧不饱和。",
                ),
                weaknesses=(
                    "需要 exp 和 log。",
                    "没有稀疏性,且 f(0) = log 2 而不是 0。",
                ),
                use="必须为正的输出(标准差、速率),以及需要光滑的 ReLU 替代品时。",
            ),
        },
    )
)


# -- squareplus --------------------------------------------------------------------------
# (x + sqrt(x² + b))/2 with h = hypot(x, √b) (no overflow); for x < 0 the sum cancels, so
# use the conjugate b/(2(h - x)). Likewise f' = (1 + x/h)/2 = b/(2h(h - x)) for x < 0.
# Products are ordered so that nothing overflows before the result would: (b/2h)/(1 - x/h)
# instead of b/(2(h - x)), and 1/h³ as ((b/2)/h)/h/h. x/h is taken as ±1 at ±inf.
# For b < 2**-200 (subnormal b included) (b/2)/h can be subnormal while the result,
# divided further by an h < 1, is not: there b/h² and b/h³ are formed from r = √b/h ≤ 1 as
# r·r and r·(r/h), whose factors are normal whenever the result is.
_TINY_B = 2.0**-200


def _sp_parts(x, xp, b):
    h = xp.hypot(x, math.sqrt(b) + 0.0 * x)
    ratio = xp.where(xp.isinf(x), xp.sign(x), x / h)
    return h, ratio


def _sp_scale(b):
    """(m, B, k, c2): b = B·4**m exactly with B in [1, 4); k = b·2**-m, c2 = b·2**-3m/2.

    In float64 the kernels work on X = x·2**-m, where √B ∈ [1, 2): h = hypot(X, √B) ≥ 1
    and every constant is normal (subnormal b included), and fold the scale into k and
    c2 so that nothing is rescaled after a rounding.
    """
    m = (math.frexp(b)[1] - 1) // 2
    fb = Fraction(b)
    two = Fraction(2)
    return m, float(fb / two ** (2 * m)), float(fb / two**m), float(fb / two ** (3 * m) / 2)


def _sp_scaled(x, xp, b):
    """(X, h, q, small, m, B, k, c2) with h = √(X² + B) to about half an ulp (float64)."""
    m, big_b, k, c2 = _sp_scale(b)
    sb = math.sqrt(big_b)
    xs = x * 2.0**-m
    h0 = xp.hypot(xs, sb + 0.0 * xs)
    # One Newton step on h² = X² + B with the residual formed exactly (Dekker products)
    # removes the error of hypot and of √B; beyond |X| = 2**30 it is below 2**-60.
    small = xp.abs(xs) <= 2.0**30
    xc = xp.where(small, xs, 0.0 * xs)
    hc = xp.where(small, h0, 1.0 + 0.0 * xs)
    p, e = two_prod(xc, xc, xp)
    pp, ee = two_prod(hc, hc, xp)
    s1, s1e = two_sum(p, big_b)
    r = (s1 - pp) + ((s1e + e) - ee)
    h = xp.where(small, h0 + r / (2.0 * hc), h0)
    # h² = X² + B rounded once (for |X| <= 2**30; 1.0 elsewhere, unused there)
    q = xp.where(small, s1 + (s1e + e), 1.0 + 0.0 * xs)
    return xs, h, q, small, m, big_b, k, c2


def _squareplus(x, xp, *, b):
    if is_f64(x, xp):
        xs, h, _, _, m, _, k, _ = _sp_scaled(x, xp, b)
        pos = (0.5 * xs + 0.5 * h) * 2.0**m
        # f = k/(2(h - X)) for X < 0. Where X overflowed (b < 1, |x| > 2**(1024+m)) f is x
        # for x > 0 and b/(4|x|) for x < 0 (relative error below b/(4x²) < 2**-1000);
        # for a subnormal b that quotient is far below the smallest subnormal.
        neg = (0.25 * k) / (0.5 * h - 0.5 * xs)
        out = xp.where(x >= 0, pos, neg)
        far = (0.25 * b) / (-x) if b >= 2.0**-1020 else 0.0 * x
        return xp.where(xp.isinf(xs) & xp.isfinite(x), xp.where(x > 0, x, far), out)
    h, ratio = _sp_parts(x, xp, b)
    half_b_h = 0.5 * b / h if b >= 2.0**-1021 else (b / h) * 0.5
    neg = half_b_h / (1.0 - ratio)
    return xp.where(x >= 0, 0.5 * x + 0.5 * h, neg)


def _half_b_over_h2(h, xp, b):
    if b >= _TINY_B:
        return (0.5 * b / h) / h
    r = math.sqrt(b) / h
    return (0.5 * r) * r


def _squareplus_d(x, xp, *, b):
    if is_f64(x, xp):
        xs, h, q, small, _, big_b, _, _ = _sp_scaled(x, xp, b)
        ratio = xp.where(xp.isinf(xs), xp.sign(xs), xs / h)
        # f' = B/(2h(h - X)) = (B/2)/(q + |X|·h) for X < 0 (all terms positive, one
        # division); beyond |X| = 2**30 (q unavailable) the two-division form.
        neg = xp.where(small, (0.5 * big_b) / (q - xs * h),
                       (0.25 * big_b / h) / (0.5 * h - 0.5 * xs))
        return xp.where(x >= 0, 0.5 * (1.0 + ratio), neg)
    h, ratio = _sp_parts(x, xp, b)
    return xp.where(x >= 0, 0.5 * (1.0 + ratio), _half_b_over_h2(h, xp, b) / (1.0 - ratio))


def _squareplus_d2(x, xp, *, b):
    if is_f64(x, xp):
        _, h, q, small, _, _, _, c2 = _sp_scaled(x, xp, b)
        # f'' = b/(2h³) in x = (B·2**-m/2)/H³ in X = c2/(q·h); h ≥ 1, so only the result
        # underflows. Beyond |X| = 2**30, q would overflow: there h is |X| to 2**-60.
        return xp.where(small, (c2 / q) / h, ((c2 / h) / h) / h)
    h = _sp_parts(x, xp, b)[0]
    if b >= _TINY_B:
        return ((0.5 * b / h) / h) / h
    r = math.sqrt(b) / h
    return (0.5 * r) * (r / h)


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
        info={
            "properties": Properties(range=(0.0, INF), saturates=("-",)),
            "frameworks": (
                Equivalent("PyTorch", "(x + torch.sqrt(x * x + 4.0)) / 2", "", "b → the 4.0",
                           "No built-in."),
                Equivalent("Keras", "keras.activations.squareplus(x, b=4)", "", "b → b (default 4)"),
                Equivalent("JAX", "jax.nn.squareplus(x, b=4)", "", "b → b (default 4)"),
            ),
            "en": Prose(
                strengths=(
                    "Softplus-like shape with only a square root: no exp or log.",
                    "Smooth and strictly positive.",
                ),
                weaknesses=(
                    "Tends to 0 only like b/(4|x|) as x → −∞, a much heavier tail than "
                    "softplus.",
                ),
                use="A cheaper replacement for softplus.",
            ),
            "zh": Prose(
                strengths=(
                    "形状类似 softplus,只需一次开方,无需 exp 和 log。",
                    "光滑且严格为正。",
                ),
                weaknesses=(
                    "x → −∞ 时只按 b/(4|x|) 趋于 0,尾部比 softplus 重得多。",
                ),
                use="softplus 的廉价替代。",
            ),
        },
    )
)


# -- sparse_plus ------------------------------------------------------------------------
def _sparse_plus(x, xp):
    t = x + 1.0
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, x, 0.25 * t * t))


def _sparse_plus_d(x, xp):
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, 1.0, 0.5 * (x + 1.0)))


def _sparse_plus_d2(x, xp):
    return xp.where((x > -1.0) & (x < 1.0), 0.5, xp.zeros_like(x))


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
        info={
            "properties": Properties(
                range=(0.0, INF), attained=(True, False), smoothness=1, saturates=("-",),
                sparse=True,
            ),
            "frameworks": (
                Equivalent("PyTorch",
                           "torch.where(x <= -1, 0.0, torch.where(x >= 1, x, (x + 1) ** 2 / 4))",
                           "", "none", "No built-in."),
                Equivalent("Keras", "keras.activations.sparse_plus(x)", "", "none"),
                Equivalent("JAX", "jax.nn.sparse_plus(x)", "", "none", kink_grad=(0.0, 1.0)),
            ),
            "en": Prose(
                strengths=(
                    "Continuously differentiable, exactly 0 for x ≤ −1 and exactly x for "
                    "x ≥ 1; no exponential.",
                ),
                weaknesses=(
                    "f″ jumps at ±1.",
                    "Zero gradient for x < −1.",
                ),
                use="Where a sparse but C¹ rectifier is wanted.",
            ),
            "zh": Prose(
                strengths=(
                    "一阶连续可导;x ≤ −1 时恰为 0,x ≥ 1 时恰为 x;无需指数。",
                ),
                weaknesses=(
                    "二阶导数在 ±1 处跳变。",
                    "x < −1 时梯度为 0。",
                ),
                use="需要稀疏又一阶连续可导的整流函数时。",
            ),
        },
    )
)
