"""Self-gated activations x·g(x): gelu (exact and tanh), gelu_sigmoid, silu, mish,
hardswish."""

from __future__ import annotations

from .._math import (
    _SIG_SCALE_BELOW,
    BETA_MAX,
    BETA_MIN,
    BETA_WHY,
    INV_SQRT2,
    SQRT_2_OVER_PI,
    SQRT_PI_OVER_2,
    clip,
    exp_neg_abs,
    near_zeros,
    scaled_dsigmoid,
    scaled_gaussian,
    scaled_sigmoid_parts,
    sigmoid_parts,
    times_sigmoid,
    two_prod,
    two_sum,
    unscale,
)
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec, register

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
    return near_zeros(xp.where(x >= 0, pos, neg), xc, xp, "gelu_d")


def _gelu_exact_d2(x, xp, special):
    xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
    p, pe = two_prod(xc, xc, xp)
    return (((2.0 - p) - pe) * scaled_gaussian(xc, xp)) * unscale(xc, xp)


# -- gelu, tanh approximation -------------------------------------------------------------
# f = x·σ(2u) with u = sqrt(2/π)·(x + 0.044715 x³), identical to 0.5·x·(1 + tanh u) but
# without the cancellation for x < 0. 2u is carried as a double-double so exp(-|2u|)
# keeps full precision in the tail; |x| > 30 is at the limit (and x³ cannot overflow).
_GELU_A = 0.044715
_GELU_A_LO = 2.1960211427085595e-18  # 0.044715 (decimal) - _GELU_A
_GELU_TANH_CLIP = 30.0


def _gelu_tanh_arg(x, xp):
    xc = clip(x, xp, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
    p, pe = two_prod(xc, xc, xp)
    q, qe = two_prod(p, xp.full_like(p, _GELU_A), xp)
    qe = qe + (_GELU_A * pe + _GELU_A_LO * p)
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
    f, inv_k = times_sigmoid(xp.where(x >= 0, x, xc), z, xp, ze)
    return f * inv_k


# With v = 2u and σ'' = σ'(1 - 2σ):
#   f'  = σ(v)·(1 + x v' σ(-v)),  1 + x v' σ(-v) = (1 + x v') - x v' σ(v)  for v < 0;
#   f'' = σ'(v)·(2v' + x v'' + x v'²(1 - 2σ(v))), whose last term is split as
#         x v'² - 2x v'² σ(v) (v < 0) or -x v'² + 2x v'² σ(-v) (v ≥ 0),
# so the subtracted part is always the small one; near_zeros covers the zero crossings.
def _gelu_tanh_d(x, xp):
    xc, z, ze, dz, _ = _gelu_tanh_arg(x, xp)
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ss, _, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    t = xc * dz
    inner = xp.where(z < 0, (1.0 + t) - t * s, 1.0 + t * sm)
    return near_zeros((ss * inner) * inv_k, xc, xp, "gelu_tanh_d")


def _gelu_tanh_d2(x, xp):
    xc, z, ze, dz, d2z = _gelu_tanh_arg(x, xp)
    s, sm, _ = sigmoid_parts(z, xp, ze)
    _, ds, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    base = 2.0 * dz + xc * d2z
    q = xc * dz * dz
    inner = xp.where(z < 0, (base + q) - 2.0 * q * s, (base - q) + 2.0 * q * sm)
    return near_zeros((ds * inner) * inv_k, xc, xp, "gelu_tanh_d2")


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
        info={
            "properties": Properties(
                range=(-0.1699712074799037, INF), attained=(True, False), monotone=False,
                saturates=("-",), range_text="[-0.16997…, ∞) (minimum at x ≈ -0.7518)",
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.gelu(x, approximate='none')",
                           "torch.nn.GELU(approximate='none')",
                           "approximate → approximate ('none' or 'tanh', default 'none')"),
                Equivalent("Keras", "keras.activations.gelu(x, approximate=False)",
                           'keras.layers.Activation("gelu")',
                           "approximate='none' ↔ approximate=False, 'tanh' ↔ True",
                           "Exact by default, like tf.nn.gelu."),
                Equivalent("JAX", "jax.nn.gelu(x, approximate=False)", "",
                           "approximate='none' ↔ approximate=False, 'tanh' ↔ True",
                           "jax.nn.gelu defaults to approximate=True, the tanh form, unlike "
                           "PyTorch, Keras and actfn; pass approximate=False for x·Φ(x)."),
            ),
            "en": Prose(
                strengths=(
                    "Smooth everywhere, with a small negative dip that lets a little negative "
                    "signal through.",
                    "The standard choice in Transformers (BERT, GPT-2, ViT).",
                ),
                weaknesses=(
                    "Costs more than ReLU (erf, or tanh of a cubic).",
                    "Not monotone: the minimum is about −0.170 at x ≈ −0.752.",
                    "Exact and tanh forms differ by up to about 5e−4, and frameworks "
                    "disagree on which is the default.",
                ),
                use="Feed-forward blocks of Transformers.",
                corrections=(
                    "GELU is defined as x·Φ(x) with Φ the standard normal CDF; "
                    "0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) is an approximation of it.",
                    "GELU has no hyperparameter to tune, only the choice of exact or tanh form.",
                    "GELU is slower to compute than ReLU, not faster.",
                    "Smoothness does not prevent vanishing gradients: f′ tends to 0 for large "
                    "negative inputs.",
                ),
            ),
            "zh": Prose(
                strengths=(
                    "处处光滑,负半轴有一个小凹陷,让少量负信号通过。",
                    "Transformer(BERT、GPT-2、ViT)中的标准选择。",
                ),
                weaknesses=(
                    "比 ReLU 贵(需要 erf,或三次多项式的 tanh)。",
                    "不单调:最小值约为 −0.170,位于 x ≈ −0.752。",
                    "精确形式与 tanh 近似最多相差约 5e−4,各框架的默认形式也不一致。",
                ),
                use="Transformer 的前馈层。",
                corrections=(
                    "GELU 的定义是 x·Φ(x),Φ 为标准正态分布函数;"
                    "0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) 只是它的近似。",
                    "GELU 没有需要调节的超参数,只能选择精确形式或 tanh 近似。",
                    "GELU 的计算比 ReLU 慢,而不是更快。",
                    "光滑并不能防止梯度消失:输入很负时 f′ 趋于 0。",
                ),
            ),
        },
    )
)


# -- silu / swish and gelu_sigmoid: x·σ(βx) ------------------------------------------------
def _silu_arg(x, xp, beta, beta_lo=0.0):
    """(x clipped, z, z_lo) with z + z_lo = (beta + beta_lo)·x to ~106 bits."""
    lim = 800.0 / beta
    xc = clip(x, xp, -lim, lim)
    if beta == 1.0 and beta_lo == 0.0:
        return xc, xc, None
    z, ze = two_prod(xc, xp.full_like(xc, beta), xp)
    return xc, z, ze + beta_lo * xc


# With z = βx: f' = σ(z)·(1 + z·σ(-z)) and f''/β = σ'(z)·(2 + z·(1 - 2σ(z))). The brackets
# are rewritten so that the term that is subtracted is the small one on each side,
#   1 + zσ(-z)        = (1 + z) - z·σ(z)          for z < 0,
#   2 + z(1 - 2σ(z))  = (2 + z) - 2z·σ(z)  (z < 0)  or  (2 - z) + 2z·σ(-z)  (z ≥ 0),
# and near their zeros (z ≈ -1.278 and ±2.399) near_zeros takes over.
def _silu_f(x, xp, xc, z, ze):
    f, inv_k = times_sigmoid(xp.where(x > 0, x, xc), z, xp, ze)
    return f * inv_k


def _silu_df(xp, z, ze):
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ss, _, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    inner = xp.where(z < 0, (1.0 + z) - z * s, 1.0 + z * sm)
    return near_zeros((ss * inner) * inv_k, z, xp, "silu_d", ze)


def _silu(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = _silu_arg(x, xp, beta, beta_lo)
    return _silu_f(x, xp, xc, z, ze)


def _silu_d(x, xp, *, beta, beta_lo=0.0):
    _, z, ze = _silu_arg(x, xp, beta, beta_lo)
    return _silu_df(xp, z, ze)


def _silu_d2(x, xp, *, beta, beta_lo=0.0):
    _, z, ze = _silu_arg(x, xp, beta, beta_lo)
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ds, inv_k = scaled_dsigmoid(z, xp, ze)
    inner = xp.where(z < 0, (2.0 + z) - 2.0 * z * s, (2.0 - z) + 2.0 * z * sm)
    # In the tails (|z| > 600, where ds carries the 2**128 scaling) β multiplies before
    # the unscaling, so a subnormal result is rounded once instead of being rounded to a
    # subnormal first and then multiplied by β (β·ds·inner ≤ β/2 cannot overflow).
    v = ds * inner
    return xp.where(xp.abs(z) > -_SIG_SCALE_BELOW, (v * beta) * inv_k,
                    beta * near_zeros(v * inv_k, z, xp, "silu_d2", ze))


def _silu_fd(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = _silu_arg(x, xp, beta, beta_lo)
    return _silu_f(x, xp, xc, z, ze), _silu_df(xp, z, ze)


# ∂f/∂β = x²·σ'(βx);  ∂f'/∂β = 2x·σ'(βx) + βx²·σ''(βx).
def _silu_dbeta(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = _silu_arg(x, xp, beta, beta_lo)
    _, ds, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    return (xc * xc * ds) * inv_k


def _silu_dbeta_df(x, xp, *, beta, beta_lo=0.0):
    xc, z, ze = _silu_arg(x, xp, beta, beta_lo)
    _, ds, d2s, inv_k = scaled_sigmoid_parts(z, xp, ze)
    return (xc * (2.0 * ds + (beta * xc) * d2s)) * inv_k


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
        params=(Param("beta", 1.0, "gate sharpness β; β → ∞ gives ReLU", lower=BETA_MIN,
                      upper=BETA_MAX, lower_inclusive=True, upper_inclusive=True,
                      learnable=True, why=BETA_WHY),),
        latex={
            "f": r"x\,\sigma(\beta x)",
            "df": r"\sigma(\beta x) + \beta x\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
            "d2f": r"\beta\,\sigma'(\beta x)\,\bigl(2 + \beta x\,(1 - 2\sigma(\beta x))\bigr)",
        },
        reference="Elfwing, Uchibe & Doya (2017); Ramachandran, Zoph & Le, Searching for "
        "Activation Functions (2017)",
        dparams={"beta": _silu_dbeta},
        dparams_df={"beta": _silu_dbeta_df},
        info={
            "properties": Properties(
                range=(-0.2784645427610738, INF), attained=(True, False), monotone=False,
                saturates=("-",), range_text="[-0.27846…, ∞) for β = 1 (minimum at x ≈ -1.2785)",
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.silu(x)", "torch.nn.SiLU()",
                           "beta fixed at 1",
                           "For beta ≠ 1 write x * torch.sigmoid(beta * x)."),
                Equivalent("Keras", "keras.activations.silu(x)", 'keras.layers.Activation("silu")',
                           "beta fixed at 1", "keras.activations.swish is the same function."),
                Equivalent("JAX", "jax.nn.silu(x)", "", "beta fixed at 1",
                           "jax.nn.swish is an alias."),
            ),
            "en": Prose(
                strengths=(
                    "Smooth and self-gated; in deep networks it often does slightly better "
                    "than ReLU.",
                    "Bounded below, unbounded above, no dead units.",
                ),
                weaknesses=(
                    "Needs an exponential.",
                    "Not monotone: minimum ≈ −0.278 at x ≈ −1.278.",
                ),
                use="EfficientNet, YOLO (v5 and later) and the gate of SwiGLU feed-forward "
                "blocks in language models.",
            ),
            "zh": Prose(
                strengths=(
                    "光滑、自门控;在深层网络中常比 ReLU 略好。",
                    "下方有界、上方无界,不会出现死亡神经元。",
                ),
                weaknesses=(
                    "需要指数运算。",
                    "不单调:最小值约为 −0.278,位于 x ≈ −1.278。",
                ),
                use="EfficientNet、YOLO(v5 起),以及语言模型中 SwiGLU 前馈层的门控。",
            ),
        },
    )
)

#: 1.702 as a double-double: the decimal constant of the definition, not its double.
_QUICK = dict(beta=1.702, beta_lo=4.263256414560601e-17)
register(
    Spec(
        name="gelu_sigmoid",
        aliases=("quick_gelu",),
        family="gelu",
        summary="Sigmoid approximation of GELU: x·σ(1.702x).",
        f=lambda x, xp: _silu(x, xp, **_QUICK),
        df=lambda x, xp: _silu_d(x, xp, **_QUICK),
        d2f=lambda x, xp: _silu_d2(x, xp, **_QUICK),
        f_df=lambda x, xp: _silu_fd(x, xp, **_QUICK),
        latex={
            "f": r"x\,\sigma(1.702\,x)",
            "df": r"\sigma(1.702x) + 1.702\,x\,\sigma'(1.702x)",
            "d2f": r"1.702\,\sigma'(1.702x)\,\bigl(2 + 1.702x\,(1 - 2\sigma(1.702x))\bigr)",
        },
        reference="Hendrycks & Gimpel (2016), section 2; used as QuickGELU in CLIP",
        info={
            "properties": Properties(
                range=(-0.1636101896363536, INF), attained=(True, False), monotone=False,
                saturates=("-",), range_text="[-0.16361…, ∞) (minimum at x ≈ -0.7512)",
            ),
            "frameworks": (
                Equivalent("PyTorch", "x * torch.sigmoid(1.702 * x)", "", "none",
                           "No built-in; CLIP calls this module QuickGELU."),
                Equivalent("Keras", "x * keras.activations.sigmoid(1.702 * x)", "", "none",
                           "No built-in."),
                Equivalent("JAX", "x * jax.nn.sigmoid(1.702 * x)", "", "none", "No built-in."),
            ),
            "en": Prose(
                strengths=(
                    "One exponential instead of erf: a cheaper GELU.",
                    "Smooth, like GELU.",
                ),
                weaknesses=(
                    "Differs from exact GELU by up to about 0.02.",
                    "Not monotone.",
                ),
                use="Models trained with QuickGELU (OpenAI CLIP) must keep it at inference.",
            ),
            "zh": Prose(
                strengths=(
                    "只用一次指数代替 erf,是更便宜的 GELU。",
                    "与 GELU 一样光滑。",
                ),
                weaknesses=(
                    "与精确 GELU 最多相差约 0.02。",
                    "不单调。",
                ),
                use="用 QuickGELU 训练的模型(OpenAI CLIP)在推理时也必须使用它。",
            ),
        },
    )
)


# -- mish ---------------------------------------------------------------------------------
# f = x·g with g = tanh(softplus(x)). With e = exp(-|x|), one exponential gives
#   x > 0: g = (1 + 2e)/(1 + 2e + 2e²),        h = 1 - g² = 4e²(1+e)²/((1+e)² + e²)²
#   x ≤ 0: g = e(2 + e)/(e(2 + e) + 2),        h = 4(1+e)²/((1+e)² + 1)²
# f' = g + x·h·σ(x),  f'' = h·σ·(2 + x·(σ(-x) - 2gσ)).
# To avoid cancellation away from the zeros (handled by near_zeros):
#   x ≤ 0:  g = σ·(1 + e/(2 + 2e + e²)) and 1 - h = (e(2 + e))²/((1+e)² + 1)², so
#           f'  = σ·((1 + x) + e/(2 + 2e + e²) - x(1 - h))
#           f'' = hσ·((2 + x) - xσ(1 + 2g))
#   x > 0:  1 - g = 2e²/(1 + 2e + 2e²), and
#           f'' = hσ·(2(1 - x) + 2x((1 - g) + g·σ(-x)) + x·σ(-x)).
def _mish_parts(x, xp):
    xc = clip(x, xp, -800.0, 800.0)
    e = exp_neg_abs(xc, xp)
    e2 = xp.exp(-2.0 * xp.abs(xc))  # e² with one rounding (2|x| is exact)
    pos = xc > 0
    w = (1.0 + e) * (1.0 + e)
    d_pos = 1.0 + 2.0 * e + 2.0 * e2
    n_neg = e * (2.0 + e)
    g = xp.where(pos, (1.0 + 2.0 * e) / d_pos, n_neg / (n_neg + 2.0))
    omg_pos = 2.0 * e2 / d_pos
    one_minus_g = xp.where(pos, omg_pos, 1.0 - g)
    den_neg = w + 1.0
    # h = sech²(softplus x) = 1 - g² = (1 - g)(2 - (1 - g))
    h = xp.where(pos, omg_pos * (2.0 - omg_pos), 4.0 * w / (den_neg * den_neg))
    one_minus_h_neg = (n_neg / den_neg) * (n_neg / den_neg)
    s, sm, _ = sigmoid_parts(xc, xp)
    return xc, e, g, one_minus_g, h, one_minus_h_neg, s, sm


def _mish(x, xp):
    xc, _, g, *_ = _mish_parts(x, xp)
    return xp.where(x > 0, x, xc) * g


def _mish_df(xp, parts):
    xc, e, g, _, h, omh, s, _ = parts
    neg = s * ((1.0 + xc) + e / (2.0 + 2.0 * e + e * e) - xc * omh)
    return near_zeros(xp.where(xc > 0, g + xc * h * s, neg), xc, xp, "mish_d")


def _mish_d(x, xp):
    return _mish_df(xp, _mish_parts(x, xp))


def _mish_d2(x, xp):
    xc, _, g, omg, h, _, s, sm = _mish_parts(x, xp)
    pos = 2.0 * (1.0 - xc) + 2.0 * xc * (omg + g * sm) + xc * sm
    neg = (2.0 + xc) - xc * s * (1.0 + 2.0 * g)
    return near_zeros(h * s * xp.where(xc > 0, pos, neg), xc, xp, "mish_d2")


def _mish_fd(x, xp):
    parts = _mish_parts(x, xp)
    xc, g = parts[0], parts[2]
    return xp.where(x > 0, x, xc) * g, _mish_df(xp, parts)


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
        info={
            "properties": Properties(
                range=(-0.30884341301725043, INF), attained=(True, False), monotone=False,
                saturates=("-",), range_text="[-0.30884…, ∞) (minimum at x ≈ -1.1924)",
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.mish(x)", "torch.nn.Mish()", "none"),
                Equivalent("Keras", "keras.activations.mish(x)", 'keras.layers.Activation("mish")',
                           "none"),
                Equivalent("JAX", "jax.nn.mish(x)", "", "none"),
            ),
            "en": Prose(
                strengths=(
                    "Smooth and non-monotone like SiLU, with a slightly deeper dip "
                    "(≈ −0.309).",
                    "No dead units; unbounded above.",
                ),
                weaknesses=(
                    "Needs exp, log1p and tanh: the most expensive of the common "
                    "activations.",
                    "Gains over SiLU are small and task-dependent.",
                ),
                use="YOLOv4 and some CNN backbones.",
            ),
            "zh": Prose(
                strengths=(
                    "与 SiLU 一样光滑且不单调,负向凹陷略深(约 −0.309)。",
                    "不会出现死亡神经元;上方无界。",
                ),
                weaknesses=(
                    "需要 exp、log1p 和 tanh,是常见激活函数中最贵的。",
                    "相对 SiLU 的提升很小,且依赖任务。",
                ),
                use="YOLOv4 以及部分 CNN 主干网络。",
            ),
        },
    )
)


# -- hardswish ---------------------------------------------------------------------------
# x·relu6(x + 3)/6. PyTorch's backward (and JAX's autodiff): 0 for x ≤ -3, x/3 + 1/2 for
# -3 < x < 3, 1 for x ≥ 3.
def _hardswish(x, xp):
    return xp.where(x <= -3.0, -0.0, xp.where(x >= 3.0, x, x * (x + 3.0) / 6.0))


def _hardswish_d(x, xp):
    return xp.where(x <= -3.0, 0.0, xp.where(x < 3.0, (2.0 * x + 3.0) / 6.0, 1.0))


def _hardswish_d2(x, xp):
    return xp.where((x > -3.0) & (x < 3.0), 1.0 / 3.0, xp.zeros_like(x))


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
        info={
            "properties": Properties(
                range=(-0.375, INF), attained=(True, False), monotone=False, smoothness=0,
                saturates=("-",), sparse=True, range_text="[-3/8, ∞) (minimum at x = -1.5)",
            ),
            "frameworks": (
                Equivalent("PyTorch", "torch.nn.functional.hardswish(x)", "torch.nn.Hardswish()",
                           "none", "Autograd gives 0 at x = -3 and 1 at x = 3.",
                           kink_grad=(0.0, 1.0)),
                Equivalent("Keras", "keras.activations.hard_silu(x)",
                           'keras.layers.Activation("hard_silu")', "none",
                           "keras.activations.hard_swish is an alias."),
                Equivalent("JAX", "jax.nn.hard_silu(x)", "", "none",
                           "jax.nn.hard_swish is an alias.", kink_grad=(0.0, 1.0)),
            ),
            "en": Prose(
                strengths=(
                    "Piecewise polynomial: no exponential, fast on mobile hardware and in int8.",
                    "Close to SiLU in shape.",
                ),
                weaknesses=(
                    "The derivative jumps at ±3, so f is only C⁰.",
                    "Not monotone (minimum −3/8 at x = −1.5).",
                ),
                use="MobileNetV3 and other mobile architectures.",
            ),
            "zh": Prose(
                strengths=(
                    "分段多项式,无需指数,在移动端硬件和 int8 中很快。",
                    "形状接近 SiLU。",
                ),
                weaknesses=(
                    "导数在 ±3 处跳变,函数只是 C⁰。",
                    "不单调(最小值 −3/8,位于 x = −1.5)。",
                ),
                use="MobileNetV3 等移动端网络。",
            ),
        },
    )
)
