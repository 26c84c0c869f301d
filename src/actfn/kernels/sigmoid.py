"""The logistic sigmoid σ and its derivatives, with tails that neither overflow nor
lose precision to subnormals.

σ(z) = 1/(1 + e^{-z}),  σ' = σ(1 - σ),  σ'' = σ'(1 - 2σ). Everything is computed from the
single exponential e = exp(-|z|), so nothing overflows and the small tail is never
1 minus something close to 1.
"""

from __future__ import annotations

from typing import Any

from . import narrow_output
from .dd import two_prod, two_sum
from .df32 import compensated, const_operand, tail_scaling
from .elementary import is_f64

__all__ = [
    "BETA_MAX", "BETA_MIN", "BETA_WHY", "SIG_SCALE_BELOW", "exp_neg_abs", "scaled_dsigmoid",
    "scale_below", "scaled_exp_neg_abs", "scaled_sigmoid_parts", "sigmoid_parts",
    "sigmoid_second", "times_sigmoid", "times_sigmoid_dd",
]


def _refine(x: Any, xp: Any) -> bool:
    """Whether to take the compensated refinements (float64 or float32 working precision
    whose result is not rounded to a narrower type afterwards: :mod:`.df32`)."""
    return compensated(x, xp)


def _narrow64(x: Any, xp: Any) -> bool:
    """Whether the work is float64 whose result is rounded to float32 or narrower (the
    compiled path's 16/32-bit loops): float64 roundings there are ~10⁻⁹ of an output
    ulp, so one shared reciprocal 1/(1 + e) replaces the several divisions (the slowest
    vector instruction) and no tail needs scaling."""
    return is_f64(x, xp) and narrow_output(xp)


def exp_neg_abs(z: Any, xp: Any, zlo: Any = None) -> Any:
    """exp(-|z + zlo|), accurate to a few ulps even where |z| is large."""
    e = xp.exp(-xp.abs(z))
    if zlo is not None:
        e = e - e * (xp.sign(z) * zlo)
    return e


def sigmoid_parts(z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any, Any]:
    """Return (σ(z), σ(-z), σ'(z)) from the single exponential e = exp(-|z|).

    σ(z) = 1/(1+e) for z ≥ 0 and e/(1+e) for z < 0, so nothing overflows and the
    small tail is never computed as 1 minus something close to 1.
    """
    e = exp_neg_abs(z, xp, zlo)
    pos = z >= 0
    if _refine(z, xp):
        # 1 + e = d + dl exactly, d² = p + pl exactly; the low parts enter one final
        # correction of each quotient (σ to ~1 ulp, σ' to ~1.5 instead of ~2.5).
        d, dl = two_sum(1.0 + 0.0 * e, e)
        c = -(dl / d)
        big = 1.0 / d
        big = big + big * c
        small = e / d
        small = xp.where(small == 0, small, small + small * c)
        p, pl = two_prod(d, d, xp)
        ds = e / p
        ds = xp.where(ds == 0, ds, ds + ds * (-(pl + 2.0 * d * dl) / p))
        return xp.where(pos, big, small), xp.where(pos, small, big), ds
    d = 1.0 + e
    big = 1.0 / d
    if _narrow64(z, xp):  # one reciprocal, shared with the other σ kernels
        small = e * big
        return xp.where(pos, big, small), xp.where(pos, small, big), small * big
    small = e / d
    return xp.where(pos, big, small), xp.where(pos, small, big), small / d


#: Valid range of the sharpness β of softplus and silu. Their kernels clip βx to ±800
#: before the exponentials (which keeps ±inf out of the double-double steps); that is
#: exact only while x·σ(βx), log1p(e^{-|βx|})/β and β·σ'(βx) all underflow beyond the
#: clip, i.e. for 1e-16 ≤ β ≤ 1e16. Outside, the function is ReLU (β → ∞) or its β → 0
#: limit to far below a float32 ulp over any practical input range.
BETA_MIN, BETA_MAX = 1e-16, 1e16


BETA_WHY = (
    "the kernels clip β·x at ±800 before exponentiating, which is exact only for "
    "1e-16 ≤ β ≤ 1e16; use relu for β → ∞"
)


#: Below this z, σ(z) ≈ e = exp(z) is close to subnormal: scaled_sigmoid_parts scales by 2**128
#: (float64 working precision; float32's threshold is :func:`scale_below`).
SIG_SCALE_BELOW = -600.0


def scale_below(x: Any, xp: Any) -> float:
    """The z below which the σ tails of ``x``'s working dtype are scaled (-600 in float64,
    -40 in float32: :func:`actfn.kernels.df32.tail_scaling`)."""
    ts = tail_scaling(x, xp)
    return SIG_SCALE_BELOW if ts is None else ts.below


def scaled_exp_neg_abs(a: Any, e: Any, tail: Any, xp: Any) -> tuple[Any, Any]:
    """(e·k, 1/k) for e = exp(-a), a = |z| ≥ 0, with k = 2**128 (float64; 2**64 in
    float32: :func:`actfn.kernels.df32.tail_scaling`) where ``tail`` (a boolean array)
    holds and k = 1 elsewhere.

    In the tail, exp(-a + ln k) is computed with the exact sum -a + hi(ln k) and
    its rounding error folded in as (1 + err), so a result whose true value is subnormal
    keeps all its bits until the caller's final multiplication by 1/k (one rounding).
    This is the one place the scaled σ tails are computed (σ, σ', σ'', x·σ).
    """
    ts = tail_scaling(a, xp)
    if ts is None or not _refine(a, xp):
        # float16/bfloat16 working precision, or float64 rounded to float32 or narrower at
        # the end (whose smallest subnormal, 2**-149, is far above where float64 loses bits)
        return e, 1.0
    s, serr = two_sum(-a, ts.ln_k[0])
    es = xp.where(tail, xp.exp(s) * (1.0 + (serr + ts.ln_k[1])), e)
    inv_k = xp.where(tail, ts.inv_k, xp.ones_like(a))  # not two scalars (torch, strict)
    return es, inv_k


def scaled_sigmoid_parts(z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any, Any, Any]:
    """(σ(z)·k, σ'(z)·k, σ''(z)·k, 1/k) with k = 2**128 where z < -600, else k = 1.

    Products such as x·σ'(z) whose true value is subnormal would otherwise start from
    a subnormal σ' that has already lost its precision; the caller multiplies its
    final result by 1/k (one rounding). In float32 working precision k = 1.
    """
    a = xp.abs(z)
    if _narrow64(z, xp):
        # the exponential and the reciprocal that sigmoid_parts shares: one division
        e = exp_neg_abs(z, xp, zlo)
        r = 1.0 / (1.0 + e)
        ds = (e * r) * r
        one_minus_e = -xp.expm1(-a)
        d2s = -xp.sign(z) * ds * (one_minus_e / (2.0 - one_minus_e))
        return xp.where(z >= 0, r, e * r), ds, d2s, 1.0
    e = xp.exp(-a)
    es, inv_k = scaled_exp_neg_abs(a, e, z < scale_below(z, xp), xp)
    if zlo is not None:
        corr = 1.0 - xp.sign(z) * zlo
        e, es = e * corr, es * corr
    d = 1.0 + e
    ds = es / (d * d)
    sig = xp.where(z >= 0, 1.0 / d, es / d)
    one_minus_e = -xp.expm1(-a)
    d2s = -xp.sign(z) * ds * (one_minus_e / (2.0 - one_minus_e))
    return sig, ds, d2s, inv_k


def times_sigmoid(x: Any, z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any]:
    """(x·σ(z)·k, 1/k) to ~1.5 ulp, with the scaling k of :func:`scaled_sigmoid_parts`.

    For z < 0, σ(z) = e/(1 + e): the product x·e, the exact sum 1 + e = d + d_lo and
    the correction of z's low part are folded into one final rounding,
    q + q·(c - d_lo/d) with q = (x·e)/d.
    """
    if _narrow64(z, xp):
        # rounded to float32 or narrower at the end: x·σ(z) plainly, with the reciprocal
        # sigmoid_parts shares (float64 roundings are ~10⁻⁹ of a float32 ulp)
        e = exp_neg_abs(z, xp, zlo)
        r = 1.0 / (1.0 + e)
        return xp.where(z >= 0, x * r, (x * e) * r), 1.0
    # float64 JAX (x64): actfn's exp (XLA's 1-ulp exp put silu's f at 3 ulp, x = -12.21)
    from .df32 import precise_exp

    xp = precise_exp(z, xp)
    a = xp.abs(z)
    e = xp.exp(-a)
    tail = z < scale_below(z, xp)
    f64 = x.dtype == xp.float64 and _refine(x, xp)
    if f64:
        # float64: the roundings of x·e (an exact product) and of the tail's e·k =
        # exp(-a + ln k)·(1 + δ) join the quotient's one correction instead of being
        # rounded in turn (silu(β = 52091.155) reached 3 ulp on the compiled path, whose
        # libm exp rounds differently from NumPy's; XLA's float64 exp is 1 ulp)
        ts = tail_scaling(a, xp)
        s, serr = two_sum(-a, const_operand(ts.ln_k[0], a, xp))
        eh = xp.where(tail, xp.exp(s), e)
        inv_k = xp.where(tail, ts.inv_k, xp.ones_like(a))
    else:
        eh, inv_k = scaled_exp_neg_abs(a, e, tail, xp)
    d, d_lo = two_sum(1.0 + 0.0 * e, e)
    c = -(d_lo / d)
    if zlo is not None:
        # exp(-|z + zlo|) = e·(1 - sign(z)·zlo): all of σ for z < 0, only the e in 1 + e
        # for z ≥ 0.
        c = c + xp.where(z < 0, zlo, (e / d) * zlo)
    if f64:
        neg = z < 0
        p, pl = two_prod(xp.where(neg, x, xp.zeros_like(x)), eh, xp)
        # (pl/p only where p is far from subnormal: Dekker's error term of a product
        # that underflows is not exact)
        ok = neg & (xp.abs(p) > _PROD_MIN)
        safe = xp.where(ok, p, xp.ones_like(p))
        corr = xp.where(ok, pl / safe, xp.zeros_like(p))
        corr = corr + xp.where(tail, serr + ts.ln_k[1], xp.zeros_like(p))
        c = c + xp.where(neg, corr, xp.zeros_like(p))
        num = xp.where(neg, p, x)
    else:
        num = xp.where(z >= 0, x, x * eh)
    q = num / d
    # q == 0 returns q itself: c can be -0.0, and q + q·c would turn -0 into +0
    # (silu(-0) and gelu_tanh(-inf) must be -0).
    return xp.where(xp.isinf(q) | (q == 0), q, q + q * c), inv_k


#: Below this magnitude the error term of Dekker's product may be inexact (its partial
#: products underflow): times_sigmoid leaves it out there.
_PROD_MIN = 2.0 ** -960


#: Beyond this magnitude Dekker's splitting (2**27 + 1)·v could overflow: the low parts
#: of times_sigmoid_dd are dropped there (one plain rounding instead).
_DD_MAX = 2.0 ** 995


def times_sigmoid_dd(x: Any, z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any, Any]:
    r"""(h, l, 1/k) with h + l = x·σ(z + z_lo)·k, unrounded: a double-double whose relative
    error is that of the exponential alone (times its weight, below) plus O(2⁻¹⁰⁴); k as in
    :func:`scaled_sigmoid_parts`. For products a(g)·b of a gated unit rounded once.

    With e = exp(−|z|) (relative error ε_e) and 1 + e = d + d_lo exactly (two_sum):

    * z ≥ 0: σ = 1/(1 + e); q = x/d rounded, its remainder r = x − q·d exact (two_prod),
      so x/(1 + e) = q + (r − q·d_lo)/d + O(2⁻¹⁰⁶); ε_e enters with weight e/(1 + e) ≤ ½;
    * z < 0: σ = e/(1 + e); x·e = P + P_e exactly, q = P/d and r = P − q·d, so
      x·e/(1 + e) = q + (r + P_e − q·d_lo)/d + O(2⁻¹⁰⁶); ε_e enters with weight 1/(1+e) ≤ 1;
      in the tail (z < −600) e·k = exp(−|z| + 128 ln 2) keeps its sum's rounding as a
      low part;
    * z's low part: d ln σ/dz = σ(−z), so the factor 1 + z_lo·σ(−z) (σ(−z) = e/d for
      z ≥ 0, 1/d for z < 0) is folded into l.

    Rounded once after the multiplication by b, the result is within
    ½ + (ε_e/2⁻⁵³)·2 + O(2⁻⁵⁰) ulp (the factor 2: a relative error can count double in
    ulps of the product, at the bottom of a's binade and the top of the product's), under
    2 ulp for an exponential within 0.7 ulp. Where |x·σ| or |x| exceeds 2**995 (Dekker's
    splitting would overflow) l = 0: one rounding of q, ½ ulp. Outside float64 working
    precision (or when the result is rounded to float32 or narrower) l = 0 and h is
    :func:`times_sigmoid`'s value.
    """
    if not _refine(z, xp) or z.dtype != xp.float64:
        # float32 working precision has its own scaling (df32): one rounding there is not
        # promised, so the plain product
        f, inv_k = times_sigmoid(x, z, xp, zlo)
        return f, 0.0 * f, inv_k
    ts = tail_scaling(z, xp)  # float64: k = 2**128
    a = xp.abs(z)
    e = xp.exp(-a)
    tail = z < SIG_SCALE_BELOW
    s, serr = two_sum(-a, ts.ln_k[0])
    eh = xp.where(tail, xp.exp(s), e)
    el = xp.where(tail, eh * (serr + ts.ln_k[1]), 0.0 * e)
    inv_k = xp.where(tail, ts.inv_k, xp.ones_like(a))
    d, d_lo = two_sum(1.0 + 0.0 * e, e)
    pos = z >= 0
    p, pe = two_prod(x, eh, xp)
    pe = pe + x * el
    num = xp.where(pos, x, p)
    num_lo = xp.where(pos, 0.0 * pe, pe)
    q = num / d
    m, me = two_prod(q, d, xp)
    lo = (((num - m) - me) + num_lo - q * d_lo) / d
    if zlo is not None:
        lo = lo + q * (zlo * xp.where(pos, e, 1.0 + 0.0 * e) / d)
    ok = (xp.abs(q) < _DD_MAX) & (xp.abs(x) < _DD_MAX) & ~xp.isnan(lo)
    return q, xp.where(ok, lo, 0.0 * q), inv_k


def sigmoid_second(z: Any, xp: Any, ds: Any, factor: float = 1.0) -> Any:
    """σ''(z) = σ'(z)·(1 - 2σ(z)) = -sign(z)·σ'(z)·(1 - e)/(1 + e), e = exp(-|z|).

    In float64, σ'' = -sign(z)·e·(1 - e)/(1 + e)³ is taken in one quotient with the
    exact 1 + e = d + dl and d³ as a double-double (the two-step σ'·(1 - e)/(1 + e)
    reached 5 ulp); 1 - e is 1 - e exactly (two-sum) for e ≤ 1/2, -expm1(-|z|) above.
    ``factor`` (exact, e.g. a power of two) multiplies the result before a subnormal
    one is rounded.
    """
    a = xp.abs(z)
    one_minus_e = -xp.expm1(-a)
    if not _refine(z, xp):
        one_plus_e = 2.0 - one_minus_e
        return -xp.sign(z) * ds * (one_minus_e / one_plus_e) * factor
    a = xp.where(a > 800.0, 800.0, a)  # σ'' = 0 there; keeps ±inf out of the two-sums
    e = xp.exp(-a)
    # (e scaled by 2**128 in the numerator where |z| > 600: a subnormal σ'' rounds once)
    es, inv_k = scaled_exp_neg_abs(a, e, a > -scale_below(a, xp), xp)
    d, dl = two_sum(1.0 + 0.0 * e, e)
    m, ml = two_sum(1.0 + 0.0 * e, -e)
    m = xp.where(e <= 0.5, m, one_minus_e)
    ml = xp.where(e <= 0.5, ml, 0.0 * ml)
    n, nl = two_prod(es, m, xp)
    nl = nl + es * ml
    p2, p2l = two_prod(d, d, xp)
    p3, p3l = two_prod(p2, d, xp)
    p3l = p3l + p2l * d + 3.0 * p2 * dl
    q = (n * factor) / p3  # (factor first: n/p3 alone can be subnormal near z = 0)
    safe_n = xp.where(n == 0, 1.0 + 0.0 * n, n)
    q = xp.where(q == 0, q, q + q * (nl / safe_n - p3l / p3))
    return -xp.sign(z) * (q * inv_k)


def scaled_dsigmoid(z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any]:
    """(σ'(z)·k, 1/k) with k = 2**128 where |z| > 600 (both tails), else k = 1.

    Like :func:`scaled_sigmoid_parts`, but symmetric: σ'(z) = e/(1 + e)² with
    e = exp(-|z|) is subnormal for z > 708 as well as for z < -708, and a caller that
    multiplies it by a large factor (β) must not start from a subnormal.
    """
    if _narrow64(z, xp):  # the exponential and reciprocal that sigmoid_parts shares
        e = exp_neg_abs(z, xp, zlo)
        r = 1.0 / (1.0 + e)
        return (e * r) * r, 1.0
    a = xp.abs(z)
    e = xp.exp(-a)
    es, inv_k = scaled_exp_neg_abs(a, e, a > -scale_below(a, xp), xp)
    if not _refine(a, xp):
        if zlo is not None:
            corr = 1.0 - xp.sign(z) * zlo
            e, es = e * corr, es * corr
        d = 1.0 + e
        return es / (d * d), inv_k
    # float64: 1 + e = d + dl and d² = p + pl exactly; every low part (and z's, which
    # scales e by 1 - sign(z)·zlo and 1 + e by 1 - sign(z)·zlo·e/d) joins one correction
    # of the single quotient es/p (σ' to ~1.5 ulp instead of ~3).
    d, dl = two_sum(1.0 + 0.0 * e, e)
    p, pl = two_prod(d, d, xp)
    q = es / p
    corr = -(pl + 2.0 * d * dl) / p
    if zlo is not None:
        szlo = xp.sign(z) * zlo
        corr = corr - szlo * (1.0 - 2.0 * e / d)
    return xp.where(q == 0, q, q + q * corr), inv_k
