"""gelu: Gaussian error linear unit x·Φ(x) (or its tanh approximation)."""

from __future__ import annotations

from .._exact import Exact, d2sigmoid, dsigmoid, norm_cdf, norm_pdf, sigmoid
from .._registry import Float32Kernels, Param, Spec
from ..kernels import narrow_output
from ..kernels.dd import two_prod, two_sum
from ..kernels.df32 import compensated, const_operand, is_f32, is_jax_float, pair, tail_scaling
from ..kernels.elementary import clip, is_f64
from ..kernels.erfc import tail_aw, tail_w
from ..kernels.fast32 import dgelu32, gelu32
from ..kernels.gaussian import (
    INV_SQRT2,
    INV_SQRT_2PI,
    INV_SQRT_2PI_DD,
    SQRT_2_OVER_PI,
    SQRT_PI_OVER_2,
    scaled_gaussian,
    unscale,
)
from ..kernels.series import estrin, near_zeros, truncate
from ..kernels.sigmoid import (
    scaled_dsigmoid,
    scaled_sigmoid_parts,
    sigmoid_parts,
    times_sigmoid,
)
from ..kernels.swish import gate_d2_f32, gate_df_f32

__all__ = ["SPEC"]


# -- gelu, exact -------------------------------------------------------------------------
# f = x·Φ(x), f' = Φ(x) + x·φ(x), f'' = φ(x)·(2 - x²).
# For x < 0, Φ(x) = φ(x)·R(x) with the Mills ratio R(x) = sqrt(π/2)·erfcx(-x/√2): the
# naive 0.5·x·(1 + erf(x/√2)) cancels (PyTorch is ~7e5 ulps off at x = -5), and
# erfc(-x/√2) would inherit the rounding of x/√2 amplified by 2t² in the tail. φ is
# evaluated by scaled_gaussian with x² split exactly. Beyond |x| = 40 every output is
# at its limit, so x is clipped there (which also keeps ±inf away from the dd steps).
_GELU_CLIP = 40.0


def _gelu_parts(x, xp):
    xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
    phi_s = scaled_gaussian(xc, xp)  # φ(x)·2**128 (float64)
    u = unscale(xc, xp)
    if is_f32(xc, xp) and compensated(xc, xp):
        # float32: Φ(x) = 1 - W(x)·e^{-x²/2} for x ≥ 0 from the tabulated W (XLA's
        # float32 erfc is ~17 ulp off); the negative side takes the float64 formulas.
        a = xp.where(xc > 0, xc, 0.0 * xc)
        es, lo = _gaussian_exp_scaled(a, xp)
        cdf_pos = 1.0 - (tail_w(a, xp) * (es + es * lo)) * _inv_k(a, xp)
        return xc, phi_s, u, None, cdf_pos
    mills = SQRT_PI_OVER_2 * xp.erfcx(-xc * INV_SQRT2)
    cdf_pos = 0.5 * xp.erfc(-xc * INV_SQRT2)
    return xc, phi_s, u, mills, cdf_pos


def _narrow64(x, xp):
    """float64 work whose result is rounded to float32 or narrower (compiled loops)."""
    return is_f64(x, xp) and narrow_output(xp)


# Results rounded to float32 or narrower (the compiled 16/32-bit loops, float64 inside):
# Φ and φ from one exponential E = exp(-x²/2) and one erfcx,
#   Φ(-|x|) = E·erfcx(|x|/√2)/2,  Φ(x) = 1 - Φ(-|x|) for x ≥ 0,  φ(x) = E/√(2π);
# the roundings of x² and x/√2 stay ~10⁻⁶ of a float32 ulp for |x| ≤ 40, and f′'s zero at
# x ≈ -0.752 is near_zeros' (as in the general formula).
def _gelu_narrow(x, xp):
    """(x clipped, Φ(x), φ(x)) from one exp and one erfcx (narrow outputs only)."""
    xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
    e = xp.exp(-0.5 * (xc * xc))
    q = (0.5 * e) * xp.erfcx(xp.abs(xc * INV_SQRT2))  # erfcx of a non-negative argument
    return xc, xp.where(xc >= 0, 1.0 - q, q), e * INV_SQRT_2PI


# float64, x ≥ 0: Φ(x) = 1 - W(x)·exp(-x²/2) with the tabulated W of kernels.erfc (no
# SciPy, vectorized in the compiled loops), as a double-double Φh + Φl, so that x·Φ and
# Φ + x·φ each round once at the end.
def _gelu_pos_f64(xc, xp):
    """(Φh, Φl, φ) for x = xc ≥ 0 (|xc| ≤ 40; other lanes are discarded by the caller)."""
    a = xp.abs(xc)
    es, lo = _gaussian_exp_scaled(a, xp)
    inv_k = _inv_k(a, xp)  # (2**-128: float64 only)
    r, rl = two_prod(tail_w(a, xp), es, xp)
    qh = r * inv_k
    ql = (rl + r * lo) * inv_k
    ph, pl = two_sum(1.0 + 0.0 * qh, -qh)
    phi = (es * (1.0 + lo)) * (INV_SQRT_2PI_DD[0] * inv_k)
    return ph, pl - ql, phi


# float64, x < 0, a = -x: Φ(x) = W(a)·exp(-a²/2) with the tabulated W of
# kernels.erfc (no SciPy, no rounding of x/√2). With a² = p + pe exactly and
# exp(-p/2 + 128 ln 2) = E_s·(1 + lo) (E_s normal where φ is subnormal):
#   f  = x·Φ(x)          = -(a·W)·E_s·(1 + lo)·2**-128, a·W = h + l a double-double,
#   f' = Φ(x) + x·φ(x)   =  (W - a/√(2π))·E_s·(1 + lo)·2**-128,
# each rounded once at the end (the correction 1 + lo + l/h folded into one product).
def _gaussian_exp_scaled(a, xp):
    """(E_s, lo): exp(-a²/2)·k = E_s·(1 + lo), a² split exactly (k = 2**128 in float64,
    2**64 in float32: :func:`actfn.kernels.df32.tail_scaling`)."""
    ts = tail_scaling(a, xp)
    p, pe = two_prod(a, a, xp)
    s, serr = two_sum(-0.5 * p, const_operand(ts.ln_k[0], p, xp))
    return xp.exp(s), serr + (ts.ln_k[1] - 0.5 * pe)


def _inv_k(a, xp):
    """1/k of :func:`_gaussian_exp_scaled`."""
    return tail_scaling(a, xp).inv_k


def _gelu_neg_f64(xc, xp):
    a = xp.abs(xc)  # (x ≥ 0 lanes are discarded; |x| shares W with _gelu_pos_f64)
    es, lo = _gaussian_exp_scaled(a, xp)
    h, hl = tail_aw(a, xp)
    r, rl = two_prod(h, es, xp)
    # (h + hl)·E_s·(1 + lo) = r + rl + r·lo + hl·E_s up to products of two corrections
    # (hl·E_s rather than r·hl/h: the same term without a division)
    return -((r + (rl + (r * lo + hl * es))) * _inv_k(a, xp))


def _gelu_neg_d_f64(xc, xp):
    a = xp.abs(xc)
    es, lo = _gaussian_exp_scaled(a, xp)
    # W - a·c with a·c exact (c = 1/√(2π) as a double-double); for a ≥ 6 W ≤ a·c/36,
    # so W's own rounding hardly counts.
    w = tail_w(a, xp)
    c = pair(INV_SQRT_2PI_DD, a, xp)
    q, qe = two_prod(a, xp.full_like(a, c[0]), xp)
    qe = qe + a * c[1]
    d, de = two_sum(w, -q)
    d, de = two_sum(d, de - qe)
    r, rl = two_prod(d, es, xp)
    return (r + (rl + r * lo + de * es)) * _inv_k(a, xp)


#: The series of f′'s zero at x ≈ -0.752 reaches 3 ulp at radius 1; the tabulated W
#: keeps the formula accurate down to 0.5 from the zero.
_D_RADIUS = 0.5


def _gelu_exact(x, xp):
    if _narrow64(x, xp):
        xc, cdf, _ = _gelu_narrow(x, xp)
        return xp.where(x >= 0, x, xc) * cdf
    if is_f64(x, xp):
        from ..kernels.df32 import precise_exp  # (the import line above is shared)

        xp = precise_exp(x, xp)  # float64 JAX: XLA's 1-ulp exp put f at 3 ulp (x = -1.8506)
        xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
        ph, pl, _ = _gelu_pos_f64(xc, xp)
        pos = xp.where(x > _GELU_CLIP, x, xc * ph + xc * pl)
        pos = xp.where(x == 0, x, pos)  # ±0 (xc·pl can be +0 where x is −0)
        value = xp.where(x >= 0, pos, _gelu_neg_f64(xc, xp))
        if is_jax_float(x):
            # XLA flushes float64 subnormals: for |x| ≲ 1e-290 the low parts of the
            # double-double steps (x·W, Φ's tail) vanish and f was ~20 ulp off at
            # x = 1e-300 (5·10⁷ at -1e-300). x·Φ(x) = x/2 + x²/√(2π) - x⁴/(6√(2π)) + …
            # for |x| < 2**-20 (the dropped term is 2**-61 of the result), one rounding.
            tiny = 0.5 * xc + (xc * xc) * INV_SQRT_2PI_DD[0]
            value = xp.where(xp.abs(xc) < 2.0**-20, xp.where(x == 0, x, tiny), value)
        return value
    # float32 (compensated: no float64 in the library) or narrower working precision
    xc, phi_s, u, mills, cdf_pos = _gelu_parts(x, xp)
    if compensated(xc, xp):
        neg = _gelu_neg_f64(xc, xp)
        if is_f32(xc, xp):
            # x·Φ(x) = x/2 + x²/√(2π) + O(x⁴) for |x| < 2**-20: the error-free products
            # lose their low parts to underflow for |x| ≲ 1e-33 (XLA flushes them)
            neg = xp.where(xc > -(2.0**-20), 0.5 * xc + (xc * xc) * INV_SQRT_2PI_DD[0], neg)
    else:
        neg = (xc * mills * phi_s) * u
    return xp.where(x >= 0, x * cdf_pos, neg)


def _gelu_exact_d(x, xp):
    if _narrow64(x, xp):
        xc, cdf, phi = _gelu_narrow(x, xp)
        value = cdf + xc * phi
    elif is_f64(x, xp):
        xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
        ph, pl, phi = _gelu_pos_f64(xc, xp)
        value = xp.where(x >= 0, ph + (pl + xc * phi), _gelu_neg_d_f64(xc, xp))
    else:
        xc, phi_s, u, mills, cdf_pos = _gelu_parts(x, xp)
        pos = cdf_pos + (xc * phi_s) * u
        if compensated(xc, xp):  # float32
            neg = _gelu_neg_d_f64(xc, xp)
        else:
            neg = ((mills + xc) * phi_s) * u
        value = xp.where(x >= 0, pos, neg)
    return _near_d_zero(value, xc, xp)


def _near_d_zero(value, xc, xp):
    """f′ within :data:`_D_RADIUS` of its zero x0 ≈ -0.752 from the zero's series.

    float64 (not narrowed): d = x - x0 exactly (x0 a double-double), the series cut
    where its omitted tail is below 2⁻⁶⁰ of f′ at the radius (23 of the generated 32
    terms) and summed by :func:`~actfn.kernels.series.estrin`: its leading pair c1 + c2·d
    holds the value to ~1 ulp, every later term is below 2⁻⁴ of it, so f′ = d·Σ stays within ~2 ulp
    as with Horner, at a third of the dependent steps. Elsewhere :func:`near_zeros`,
    and on JAX arrays, whose d = x - x0 needs near_zeros' shielded operands (XLA refolds
    (x - hi) - lo into x - (hi + lo): 477 ulp at x = -0.752035 under x64).
    """
    if not is_f64(xc, xp) or narrow_output(xp) or is_jax_float(xc):
        return near_zeros(value, xc, xp, _zeros("d"), radius=_D_RADIUS)
    ((x0_hi, x0_lo, coeffs),) = _zeros("d")
    d = (xc - x0_hi) - x0_lo
    p = estrin(truncate(coeffs, _D_RADIUS), d)
    return xp.where(xp.abs(d) < _D_RADIUS, p * d, value)


def _gelu_exact_d2(x, xp):
    xc = clip(x, xp, -_GELU_CLIP, _GELU_CLIP)
    p, pe = two_prod(xc, xc, xp)
    if not compensated(xc, xp):
        return (((2.0 - p) - pe) * scaled_gaussian(xc, xp)) * unscale(xc, xp)
    # float64: (2 - x²)·exp(-x²/2)/√(2π) with the exponential's low part, the product
    # with it and 1/√(2π) (a double-double) folded into one final rounding.
    u, ul = two_sum(2.0 + 0.0 * p, -p)
    m, ml = two_sum(u, -pe)
    ml = ml + ul  # m + ml = 2 - x² (x² = p + pe exactly)
    es, lo = _gaussian_exp_scaled(xp.abs(xc), xp)
    c = pair(INV_SQRT_2PI_DD, xc, xp)
    r, rl = two_prod(m, es, xp)
    t, tl = two_prod(r, xp.full_like(r, c[0]), xp)
    safe_r = xp.where(r == 0, 1.0 + 0.0 * r, r)
    corr = lo + (rl + ml * es) / safe_r + c[1] / c[0]
    return (t + (tl + t * corr)) * _inv_k(xc, xp)


# -- gelu, tanh approximation -------------------------------------------------------------
# f = x·σ(2u) with u = sqrt(2/π)·(x + 0.044715 x³), identical to 0.5·x·(1 + tanh u) but
# without the cancellation for x < 0. 2u is carried as a double-double so exp(-|2u|)
# keeps full precision in the tail; |x| > 30 is at the limit (and x³ cannot overflow).
_GELU_A = 0.044715


_GELU_A_LO = 2.1960211427085595e-18  # 0.044715 (decimal) - _GELU_A


_GELU_TANH_CLIP = 30.0

#: Radius of the zero series of the tanh form's f′ and f″ in compensated float32: the
#: pair-arithmetic quotients (gate_df_f32, gate_d2_f32) are accurate closer to the zeros.
_R32 = 0.03


def _tanh_consts(xc, xp):
    """(a, a_lo, c, c_lo): 0.044715 and √(2/π) as pairs of the working dtype (float32
    splits them: a float64 constant in float32 arithmetic would be rounded silently)."""
    a = pair((_GELU_A, _GELU_A_LO), xc, xp)
    c = pair(SQRT_2_OVER_PI, xc, xp)
    return a[0], a[1], c[0], c[1]


def gelu_tanh_arg(x, xp):
    xc = clip(x, xp, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
    if _narrow64(x, xp):
        # rounded to float32 or narrower: 2u in plain float64 (its relative error of a few
        # 2**-53 moves σ(2u) by |2u|·σ(-2u) times that, ~10⁻⁸ of a float32 ulp)
        c2 = 2.0 * SQRT_2_OVER_PI[0]
        p = xc * xc
        z = (c2 * xc) * (1.0 + _GELU_A * p)
        return xc, z, None, c2 * (1.0 + 3.0 * _GELU_A * p), c2 * 6.0 * _GELU_A * xc
    ga, ga_lo, sq, sq_lo = _tanh_consts(xc, xp)
    p, pe = two_prod(xc, xc, xp)
    q, qe = two_prod(p, xp.full_like(p, ga), xp)
    qe = qe + (ga * pe + ga_lo * p)
    r, re = two_sum(1.0 + 0.0 * q, q)
    re = re + qe
    m, me = two_prod(xc, r, xp)
    me = me + xc * re
    c2 = 2.0 * sq
    z, ze = two_prod(m, xp.full_like(m, c2), xp)
    ze = ze + c2 * me + 2.0 * sq_lo * m
    dz = c2 * (1.0 + 3.0 * ga * p)  # d(2u)/dx
    d2z = c2 * 6.0 * ga * xc  # d²(2u)/dx²
    return xc, z, ze, dz, d2z


def _gelu_tanh(x, xp):
    xc, z, ze, _, _ = gelu_tanh_arg(x, xp)
    f, inv_k = times_sigmoid(xp.where(x >= 0, x, xc), z, xp, ze)
    return f * inv_k


# With v = 2u and σ'' = σ'(1 - 2σ):
#   f'  = σ(v)·(1 + x v' σ(-v)),  1 + x v' σ(-v) = (1 + x v') - x v' σ(v)  for v < 0;
#   f'' = σ'(v)·(2v' + x v'' + x v'²(1 - 2σ(v))), whose last term is split as
#         x v'² - 2x v'² σ(v) (v < 0) or -x v'² + 2x v'² σ(-v) (v ≥ 0),
# so the subtracted part is always the small one; near_zeros covers the zero crossings.
def _gelu_tanh_dz(xc, xp):
    """v' = 2√(2/π)·(1 + 3·0.044715·x²) as a double-double (dz, dz_lo)."""
    ga, ga_lo, sq, sq_lo = _tanh_consts(xc, xp)
    p, pe = two_prod(xc, xc, xp)
    q, qe = two_prod(p, xp.full_like(p, ga), xp)
    qe = qe + (ga * pe + ga_lo * p)  # q + qe = 0.044715·x²
    q3, q3e = two_prod(q, xp.full_like(q, 3.0), xp)
    b, be = two_sum(1.0 + 0.0 * q3, q3)
    be = be + (q3e + 3.0 * qe)
    c2 = 2.0 * sq
    dz, dze = two_prod(b, xp.full_like(b, c2), xp)
    return dz, dze + (c2 * be + 2.0 * sq_lo * b)


def _gelu_tanh_t(xc, xp):
    """t = x·v' = 2√(2/π)·x·(1 + 3·0.044715·x²) as a double-double (t, t_lo)."""
    dz, dze = _gelu_tanh_dz(xc, xp)
    t, te = two_prod(xc, dz, xp)
    return t, te + xc * dze


def _gelu_tanh_d(x, xp):
    xc, z, ze, dz, _ = gelu_tanh_arg(x, xp)
    if is_f32(xc, xp) and compensated(xc, xp):
        # σ(v) + t·σ′(v) as one corrected quotient in pair arithmetic (σ times the
        # bracket reached 3–4 ulp); accurate to within _R32 of f′'s zero
        t, te = _gelu_tanh_t(xc, xp)
        return near_zeros(gate_df_f32(xp, z, ze, t, te), xc, xp, _zeros("tanh_d"),
                          radius=_R32)
    s, sm, _ = sigmoid_parts(z, xp, ze)
    ss, _, _, inv_k = scaled_sigmoid_parts(z, xp, ze)
    # 1 + t - t·σ(v) for v < 0 in double-double (t = x·v' carries three roundings and
    # the difference cancels by up to 15×: 7 ulp at x = -1.72 in plain float64).
    if not compensated(xc, xp):
        t = xc * dz
        inner = xp.where(z < 0, (1.0 + t) - t * s, 1.0 + t * sm)
        return near_zeros((ss * inner) * inv_k, xc, xp, _zeros("tanh_d"))
    t, te = _gelu_tanh_t(xc, xp)
    u, ue = two_prod(t, s, xp)
    ue = ue + te * s
    w, we = two_sum(1.0 + 0.0 * t, t)
    i, ie = two_sum(w, -u)
    neg_inner = i + (ie + (we + te - ue))
    inner = xp.where(z < 0, neg_inner, 1.0 + t * sm)
    # The series of the zero at x ≈ -0.752 reaches 7 ulp at its radius 1; the
    # double-double bracket is accurate to within 0.25 of the zero.
    return near_zeros((ss * inner) * inv_k, xc, xp, _zeros("tanh_d"), radius=0.25)


def _gelu_tanh_d2(x, xp):
    xc, z, ze, dz, d2z = gelu_tanh_arg(x, xp)
    f32 = is_f32(xc, xp) and compensated(xc, xp)
    if not f32:
        s, sm, _ = sigmoid_parts(z, xp, ze)
        # σ'(v) scaled by 2**128 in both tails (|v| > 600): for x ≈ ±21.2…21.7 it is
        # subnormal while the product with the large bracket (≈ -x v'²) is normal.
        ds, inv_k = scaled_dsigmoid(z, xp, ze)
    if not compensated(xc, xp):
        base = 2.0 * dz + xc * d2z
        q = xc * dz * dz
        inner = xp.where(z < 0, (base + q) - 2.0 * q * s, (base - q) + 2.0 * q * sm)
        return near_zeros((ds * inner) * inv_k, xc, xp, _zeros("tanh_d2"))
    # Every term of the bracket 2v' + x v'' ± x v'² in double-double (v' carries three
    # roundings, which its square doubles; near the zeros at x ≈ ±1.4 the terms cancel):
    # x v'' = 6·(2√(2/π))·0.044715·x² from the exact a·x² = aq + aqe.
    ga, ga_lo, sq, sq_lo = _tanh_consts(xc, xp)
    dzh, dzl = _gelu_tanh_dz(xc, xp)
    s2, s2l = two_prod(dzh, dzh, xp)
    q, ql = two_prod(xc, s2, xp)
    ql = ql + xc * (s2l + 2.0 * dzh * dzl)
    p, pe = two_prod(xc, xc, xp)
    aq, aqe = two_prod(p, xp.full_like(p, ga), xp)
    aqe = aqe + (ga * pe + ga_lo * p)
    # 12√(2/π) as a pair of the working dtype (12·hi is not exact in float32)
    c12, c12_lo = pair((12.0 * SQRT_2_OVER_PI[0], 12.0 * SQRT_2_OVER_PI[1]), xc, xp)
    b, bl = two_prod(aq, xp.full_like(aq, c12), xp)
    bl = bl + (c12 * aqe + c12_lo * aq)
    if f32:
        # σ′(v)·(A + B(1 − 2σ(v))) with A = 2v′ + x·v″, B = x·v′², one corrected quotient
        a, al = two_sum(2.0 * dzh, b)
        al = al + (2.0 * dzl + bl)
        return near_zeros(gate_d2_f32(xp, z, ze, a, al, q, ql), xc, xp,
                          _zeros("tanh_d2"), radius=_R32)
    sgn = xp.where(z < 0, 1.0 + 0.0 * q, -1.0 + 0.0 * q)
    h1, l1 = two_sum(2.0 * dzh, b)
    h2, l2 = two_sum(h1, sgn * q)
    inner = h2 + ((l1 + l2) + (2.0 * dzl + bl + sgn * ql
                               + 2.0 * q * xp.where(z < 0, -s, sm)))
    return near_zeros((ds * inner) * inv_k, xc, xp, _zeros("tanh_d2"), radius=0.6)


def _gelu(x, xp, *, approximate):
    return _gelu_exact(x, xp) if approximate == "none" else _gelu_tanh(x, xp)


def _gelu_d(x, xp, *, approximate):
    return _gelu_exact_d(x, xp) if approximate == "none" else _gelu_tanh_d(x, xp)


def _gelu_d2(x, xp, *, approximate):
    return _gelu_exact_d2(x, xp) if approximate == "none" else _gelu_tanh_d2(x, xp)


# float32 without x64 (actfn.jax): the exact form from one XLA exp each and W's pieces
# re-rounded to float32 (kernels.fast32); the tanh form keeps the compensated kernels.
def _gelu_f32(x, xp, *, approximate):
    from ..kernels.df32 import Float32Context

    return gelu32(x, xp) if approximate == "none" else _gelu_tanh(x, Float32Context(xp))


def _gelu_d_f32(x, xp, *, approximate):
    from ..kernels.df32 import Float32Context

    return dgelu32(x, xp) if approximate == "none" else _gelu_tanh_d(x, Float32Context(xp))


def _tanh_arg(x, m):
    """v = 2u = 2·√(2/π)·(x + 0.044715x³) and its first two derivatives."""
    c, a = m.sqrt(2 / m.pi), m.mpf("0.044715")
    return 2 * c * (x + a * x**3), 2 * c * (1 + 3 * a * x * x), 2 * c * 6 * a * x


def _exact_f(x, m, *, approximate):
    if approximate == "none":
        return x * norm_cdf(x, m)
    v, _, _ = _tanh_arg(x, m)
    return x * sigmoid(v, m)


def _exact_df(x, m, *, approximate):
    if approximate == "none":
        return norm_cdf(x, m) + x * norm_pdf(x, m)
    v, dv, _ = _tanh_arg(x, m)
    return sigmoid(v, m) + x * dv * dsigmoid(v, m)


def _exact_d2f(x, m, *, approximate):
    if approximate == "none":
        return norm_pdf(x, m) * (2 - x * x)
    v, dv, d2v = _tanh_arg(x, m)
    return 2 * dv * dsigmoid(v, m) + x * d2v * dsigmoid(v, m) + x * dv**2 * d2sigmoid(v, m)


#: Interior zeros of f' and f'' expanded in Taylor series (generated into
#: catalog/_zeros/gelu.py by tools/gen_zeros.py): key → (derivative order, parameters,
#: a starting guess per zero).
ZERO_SERIES = {
    "d": (1, {"approximate": "none"}, (-0.75,)),
    "tanh_d": (1, {"approximate": "tanh"}, (-0.75,)),
    "tanh_d2": (2, {"approximate": "tanh"}, (-1.4, 1.4)),
}


def _zeros(key):
    from ._zeros.gelu import ZEROS  # generated; imported on first use

    return ZEROS[key]


SPEC = Spec(
    name="gelu",
    family="gelu",
    summary="Gaussian error linear unit x·Φ(x) (or its tanh approximation).",
    bench={"gelu": {}, "gelu_tanh": {"approximate": "tanh"}},
    overview=True,
    f=_gelu,
    df=_gelu_d,
    d2f=_gelu_d2,
    f32=Float32Kernels(f=_gelu_f32, df=_gelu_d_f32),
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
    cases=({"approximate": "tanh"},),
    exact=Exact(_exact_f, _exact_df, _exact_d2f),
)
