"""Cheap float32 building blocks for the kernels of :class:`actfn._registry.Float32Kernels`
(``actfn.jax`` with ``jax_enable_x64`` off): plain float32 arithmetic around one
exponential from the array library, with only the compensation each result needs.

Measured facts they rest on (XLA CPU, float32, ``jit``, against float64 truth over
4·10⁶ points): XLA's ``exp`` is within 1.01 ulp; its expm1 (5.3 ulp), tanh (4.7) and
log1p (2.4) are not good enough for a 2-ulp result, so they are not used. With the
exponential's 1 ulp and the final rounding's 1/2 spent, the other roundings that can
reach the result at full weight are compensated: products as exact pairs
(:func:`two_prod32`, bit-mask splits), sums as exact pairs (:func:`two_sum32`), a
quotient with one correction step (:func:`div_pair`), (1 + t)² from exact parts
(:func:`one_plus_squared`).

One exponential per kernel, and f and f′ in separate kernels, each taking its own
exponential (:func:`exp_apart` for f′): XLA on CPU does not duplicate an exponential
into two loop fusions, so an f and f′ sharing one write it to memory and read it back
(32 bytes per element for sigmoid's forward + grad instead of jax.nn's 16); two
exponentials cost less than that traffic from 2^20 elements on.

Where XLA contracts ``a·b + c`` into a fused multiply-add under ``jit`` (it does on
CPU), each formula here is as accurate with as without the contraction: an error term
(``ah·bh − p``) is exact either way, and no step relies on a product being rounded
before the following sum.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .df32 import split, split32

__all__ = ["cheap_elu_ok", "delu32", "dgelu32", "div_pair", "dsigmoid32", "dsilu32",
           "dsoftsign32", "dtanh32", "elu32", "exp32", "exp_apart", "expm1_neg", "expm1_small",
           "gelu32", "log1p_exp_neg_abs", "logsigmoid32", "one_plus_squared", "sigmoid32",
           "silu32", "softplus32", "tanh32", "two_prod32", "two_sum32"]

#: 1/n! for n = 2 … 12: e^z − 1 = z + z²·Σ z^{n−2}/n!, truncated after z^12/12! (relative
#: remainder below 2^-28 for |z| ≤ 1).
_EXPM1 = tuple(1.0 / math.factorial(n) for n in range(2, 13))


#: 64·ln 2 as a float32 pair (2^64 = e^{64 ln 2}: exact rescaling of an exponential).
_LN2_64 = split32(44.3614195558365, 1.4841899608616317e-15)


def expm1_small(z: Any) -> Any:
    """e^z − 1 for float32 |z| ≤ 1 by its Taylor polynomial, z + z²·p(z) (Horner);
    signed zeros kept."""
    p = _EXPM1[-1] + 0.0 * z
    for c in reversed(_EXPM1[:-1]):
        p = p * z + c
    return z + (z * z) * p


def expm1_neg(z: Any, xp: Any) -> Any:
    """e^z − 1 for float32 z ≤ 0 (within ~1 ulp): the polynomial for z ≥ −1, the
    library's exp minus one below."""
    return xp.where(z >= -1.0, expm1_small(xp.maximum(z, -1.0)), xp.exp(z) - 1.0)


def exp_apart(z: Any, xp: Any) -> Any:
    """e^z for z ≤ 0 written as ``exp(min(z, 0))``: the same value, but not an expression
    XLA's common-subexpression pass merges with ``exp(z)``, so f′'s kernel keeps its own
    exponential inside its own loop fusion (see the module's docstring)."""
    return xp.exp(xp.minimum(z, 0.0))


def exp32(x: Any, xp: Any) -> Any:
    """e^x in float32 from the library's exp (1.01 ulp on the body; XLA's is 3–4 ulp
    beyond |x| = 64, next to overflow and to the smallest normal): there it is taken at
    x ∓ L, L = 64 ln 2 = Lh + Ll a float32 pair (x ∓ Lh exact: both are multiples of
    2^-18 and the difference is below 64), times 1 ∓ Ll and 2^±64 (exact)."""
    up, down = x > 64.0, x < -64.0
    arg = xp.where(up, x - _LN2_64[0], xp.where(down, x + _LN2_64[0], x))
    y = xp.exp(arg)
    y = y + y * xp.where(up, -_LN2_64[1], xp.where(down, _LN2_64[1], 0.0))
    return xp.where(up, y * 2.0**64, xp.where(down, y * 2.0**-64, y))


def sigmoid32(z: Any, xp: Any) -> Any:
    """σ(z) in float32: with t = e^{−|z|} and d = fl(1 + t), 1/d (z ≥ 0; t's error enters
    at a weight t/d ≤ 1/2) or t/d (z < 0)."""
    t = xp.exp(-xp.abs(z))
    d = 1.0 + t
    return xp.where(z >= 0, 1.0 / d, t / d)


def _t_over_sq(t: Any) -> Any:
    """t/(1 + t)² for 0 ≤ t ≤ 1: the square of the rounded d = fl(1 + t) would double
    d's rounding error (4 ulp measured for σ′), so the denominator is rebuilt from the
    exact g = d − 1 and the exact error e = t − g of the sum (Fast2Sum, 1 ≥ t):
    (1 + t)² = 1 + (2g + g² + 2e·d) up to e², the bracket rounded at a weight of at most
    3/4 next to the leading 1. ``1 + 0·t`` stands for 1 so that XLA cannot refold
    (1 + t) − 1 into t."""
    one = 1.0 + 0.0 * t
    d = one + t
    g = d - one
    e = t - g
    return t / (1.0 + ((2.0 * g + g * g) + 2.0 * e * d))


def dsigmoid32(z: Any, xp: Any) -> Any:
    """σ′(z) = t/(1 + t)², t = e^{−|z|} (:func:`_t_over_sq`); below z ≈ −87.3 σ′ is
    subnormal and flushed, as the reference on the flush-to-zero line."""
    return _t_over_sq(exp_apart(-xp.abs(z), xp))


def tanh32(x: Any, xp: Any) -> Any:
    """tanh x = sign(x)·n/(2 − n), n = 1 − e^{−2|x|} (2|x| exact): for |x| ≤ 1/2 from
    :func:`expm1_small` (no cancellation), above as 1 − t with its exact error (Fast2Sum,
    t = e^{−2|x|} ≤ 1/e, whose error then enters at a weight 2t/(1 − t²) ≤ 0.85); the
    denominator 2 − n an exact pair too, the quotient with one correction
    (:func:`div_pair`). Signed zeros kept."""
    a = xp.abs(x)
    z = -2.0 * a
    small = a <= 0.5
    t = xp.exp(z)
    one = 1.0 + 0.0 * t
    n = xp.where(small, -expm1_small(xp.maximum(z, -1.0)), one - t)
    nl = xp.where(small, 0.0 * t, (one - n) - t)
    two = 2.0 + 0.0 * t
    den = two - n
    dl = ((two - den) - n) - nl
    return xp.copysign(div_pair(n, nl, den, dl), x)


def dtanh32(x: Any, xp: Any) -> Any:
    """sech² x = 4t/(1 + t)², t = e^{−2|x|} (:func:`_t_over_sq`); where t would fall
    below the smallest normal (|x| > 40, flushed on XLA's CPU) while 4t does not, t is
    taken at −2|x| + 44 (exact) and 4t scaled by e^{−44} (a float32 pair)."""
    z = -2.0 * xp.abs(x)
    tail = z < -80.0
    t = exp_apart(xp.where(tail, z + _TAIL_SHIFT, z), xp)
    v = 4.0 * t
    body = 4.0 * _t_over_sq(xp.where(tail, 0.0 * t, t))
    return xp.where(tail, v * _TAIL_K[0] + v * _TAIL_K[1], body)


#: The zero of 1 + x + e^x (silu′'s zero, x₀ ≈ −1.2785) as a float32 pair, and e^{x₀} = −1 − x₀.
_SILU_X0 = (-1.2784645557403564, 1.2979282537628478e-08)
_SILU_C = 0.27846454276107380
#: e^{−44} as a float32 pair: x·e^x for x < −40 is (x·e^{x+44})·e^{−44} (x + 44 is exact).
_TAIL_SHIFT = 44.0
_TAIL_K = (7.781132279686624e-20, -3.855282747768134e-28)


def two_prod32(a: Any, b: Any, xp: Any) -> tuple[Any, Any]:
    """(p, e): p = fl(a·b) and e = a·b − p (exact but for underflow), by Dekker's product
    of :func:`actfn.kernels.df32.split` halves (bit masks: no Veltkamp constant for XLA
    to contract); a contracted ``ah·bh − p`` is still exact."""
    ah, al = split(a, xp)
    bh, bl = split(b, xp)
    p = a * b
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _split_const(c: float) -> tuple[float, float]:
    """The float32 constant ``c`` split as :func:`actfn.kernels.df32.split` splits an
    array (its 12 low significand bits cleared: hi, and the rest: lo)."""
    bits = np.array([c], np.float32).view(np.int32) & np.int32(-4096)
    hi = float(bits.view(np.float32)[0])
    return hi, float(np.float32(c) - np.float32(hi))


def two_prod_const(a: Any, c: float, xp: Any) -> tuple[Any, Any]:
    """:func:`two_prod32` of the array ``a`` and the float32 constant ``c`` (its halves
    split once, in Python)."""
    ah, al = split(a, xp)
    ch, cl = _split_const(c)
    p = a * c
    return p, ((ah * ch - p) + ah * cl + al * ch) + al * cl


def one_plus_squared(t: Any, xp: Any) -> tuple[Any, Any, Any, Any]:
    """(d, e, S, Se) for 0 ≤ t ≤ 1: d = fl(1 + t) with its exact error e = t − (d − 1)
    (Fast2Sum), and (1 + t)² = S + Se to ~2^-44 relative (S = fl(d²) and its error from
    :func:`two_prod32`, plus 2e·d). ``1 + 0·t`` stands for 1 so that XLA cannot refold
    (1 + t) − 1 into t."""
    one = 1.0 + 0.0 * t
    d = one + t
    e = t - (d - one)
    sq, sqe = two_prod32(d, d, xp)
    return d, e, sq, sqe + 2.0 * e * d


def div_pair(n: Any, ne: Any, den: Any, dene: Any) -> Any:
    """(n + ne)/(den + dene) to first order: n/den + (ne·den − n·dene)/den² (the
    correction's own rounding is second order). Written with two single-use quotients:
    XLA on CPU does not fuse a division whose result has two users (it is written to
    memory and read back), so ``r = n/den; r + (ne − r·dene)/den`` would cost a pass."""
    return n / den + (ne * den - n * dene) / (den * den)


def two_sum32(a: Any, b: Any) -> tuple[Any, Any]:
    """Knuth's error-free sum (s, e), a + b = s + e exactly. For operands that are not
    products (XLA may contract a product into the sum: :func:`actfn.kernels.dd.two_sum`
    guards against that at a cost)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _silu_exp(xc: Any, xp: Any, apart: bool) -> tuple[Any, Any]:
    """(tail, t): tail = x < −40, t = e^{x+44} there and e^{−|x|} elsewhere."""
    tail = xc < -40.0
    arg = xp.where(tail, xc + _TAIL_SHIFT, -xp.abs(xc))
    return tail, (xp.exp(xp.minimum(arg, 4.5)) if apart else xp.exp(arg))


def _scaled(p: Any, pe: Any) -> Any:
    """(p + pe)·e^{−44} with e^{−44} as a float32 pair."""
    return p * _TAIL_K[0] + (pe * _TAIL_K[0] + p * _TAIL_K[1])


def silu32(x: Any, xp: Any) -> Any:
    """x·σ(x) in float32 from one library exp (β = 1), t = e^{−|x|}: x/d (x ≥ 0,
    d = fl(1 + t) with its error e exact), (x·t)/(1 + t) (x < 0, the product an exact
    pair by :func:`two_prod32`: three plain roundings after the exponential's 1 ulp
    measured 3 ulp). Below x = −40 (where 1 + e^x rounds to 1) the exponential is taken
    at x + 44 (exact) and the exact product pair scaled by e^{−44} (a float32 pair): its
    error term would otherwise fall below the smallest normal (flushed on XLA's CPU),
    and e^x itself does below x ≈ −87.3 while x·e^x does not."""
    xc = xp.clip(x, -150.0, 150.0)  # (x·t with x = ±∞ and t = 0 would be NaN)
    tail, t = _silu_exp(xc, xp, False)
    tz = xp.where(tail, 0.0 * t, t)
    one = 1.0 + 0.0 * t
    d = one + tz
    e = tz - (d - one)
    p, pe = two_prod32(xc, t, xp)
    pos = x >= 0  # (x/d there: one quotient for both branches; x itself beyond 40)
    q = div_pair(xp.where(pos, xc, p), xp.where(pos, 0.0 * pe, pe), d, e)
    return xp.where(tail, _scaled(p, pe), xp.where(x > 40.0, x, q))


def dsilu32(x: Any, xp: Any) -> Any:
    """σ(x)(1 + x(1 − σ(x))) in float32 from one library exp (β = 1), t = e^{−|x|} and
    (1 + t)² as an exact-enough pair (:func:`one_plus_squared`): 1/d + x·t/(1 + t)²
    (x ≥ 0, two positive terms); t·(1 + x + t)/(1 + t)² (x < 0) with 1 + x + t an exact
    pair (TwoSum), but within 1/4 of its zero x₀ ≈ −1.2785, where the sum cancels and
    t's error would be amplified: there 1 + x + e^x = h + e^{x₀}·expm1(h), h = x − x₀
    (x₀ as a float32 pair, the first difference exact), one sign throughout. Below −40
    as :func:`silu32`: t·(1 + x) scaled by e^{−44}."""
    xc = xp.clip(x, -150.0, 150.0)
    tail, t = _silu_exp(xc, xp, True)
    d, _, sq, sqe = one_plus_squared(xp.where(tail, 0.0 * t, t), xp)
    h = (xc - (_SILU_X0[0] + 0.0 * xc)) - _SILU_X0[1]
    near = xp.abs(h) < 0.25
    b, be = two_sum32(1.0 + xc, t)
    b = xp.where(near, h + _SILU_C * expm1_small(xp.where(near, h, 0.0 * h)), b)
    # one exact product and one quotient for both branches: x·t (x ≥ 0), t·b (x < 0)
    pos = x >= 0
    q, qe = two_prod32(t, xp.where(pos, xc, xp.where(tail, 1.0 + xc, b)), xp)
    qe = qe + xp.where(near | tail | pos, 0.0 * be, t * be)
    r = div_pair(q, qe, sq, sqe) + xp.where(pos, 1.0 / d, 0.0 * d)
    return xp.where(tail, _scaled(q, qe), r)


def _pair32(c: float) -> tuple[float, float]:
    """The float64 ``c`` as a float32 pair (hi = its float32 rounding, lo the rest)."""
    h = float(np.float32(c))
    return h, float(np.float32(c - h))


def cheap_elu_ok(s: float, c: float) -> bool:
    """Whether :func:`elu32` serves scale ``s`` and coefficient ``c`` (both well inside
    float32's normal range, so their float32 pairs carry ~48 bits)."""
    return all(2.0**-60 < abs(v) < 2.0**60 for v in (s, c))


def elu32(x: Any, xp: Any, s: float, c: float) -> Any:
    """s·x (x > 0), c·(e^x − 1) (x ≤ 0) in float32, s and c as float32 pairs: e^x − 1
    from :func:`expm1_neg`, the products hi·v + lo·v (inf where hi·v is). ±0 kept."""
    sh, sl = _pair32(s)
    ch, cl = _pair32(c)
    v = expm1_neg(xp.minimum(x, 0.0), xp)
    if s == 1.0:
        pos = x
    else:
        p = sh * x
        pos = xp.where(xp.isinf(p), p, p + sl * x)
    neg = v if c == 1.0 else ch * v + cl * v
    return xp.where(x == 0, x, xp.where(x > 0, pos, neg))


def delu32(x: Any, xp: Any, s: float, c: float) -> Any:
    """s (x > 0), c·e^x (x ≤ 0) in float32 (the library's exp, within 1.01 ulp), c as a
    float32 pair. Below x = −80 with c > 1 (c·e^x normal where e^x is flushed), e^x is
    taken at x + 44 (exact) and c·e^{−44} is the pair."""
    tail = (x < -80.0) if abs(c) > 1.0 else None
    # (min(x, 1), not min(x, 0): an expression apart from f's, whose exp XLA would share
    # and write to memory; x > 0 takes the other branch)
    arg = xp.minimum(x, 1.0)
    if tail is not None:
        arg = xp.where(tail, arg + _TAIL_SHIFT, arg)
    t = xp.exp(arg)
    ch, cl = _pair32(c)
    neg = t if c == 1.0 else ch * t + cl * t
    if tail is not None:
        kh, kl = _pair32(c * math.exp(-_TAIL_SHIFT))
        neg = xp.where(tail, kh * t + kl * t, neg)
    return xp.where(x > 0, float(np.float32(s)) + 0.0 * t, neg)


def log1p_exp_neg_abs(x: Any, xp: Any) -> Any:
    """log(1 + e^{−|x|}) in float32: u = fl(1 + t) with its exact error e (Fast2Sum,
    t ≤ 1) and log(1 + t) = log(u) + e/u to first order (XLA's log1p is 2.4 ulp). The
    exponential is :func:`exp_apart`'s, so that σ′ of the same x keeps its own."""
    t = exp_apart(-xp.abs(x), xp)
    one = 1.0 + 0.0 * t
    u = one + t
    e = t - (u - one)
    return xp.log(u) + e / u


def softplus32(x: Any, xp: Any) -> Any:
    """log(1 + e^x) = max(x, 0) + log(1 + e^{−|x|}) in float32 (β = 1)."""
    return xp.maximum(x, 0.0) + log1p_exp_neg_abs(x, xp)


def logsigmoid32(x: Any, xp: Any) -> Any:
    """log σ(x) = min(x, 0) − log(1 + e^{−|x|}) in float32."""
    return xp.minimum(x, 0.0) - log1p_exp_neg_abs(x, xp)


def dsoftsign32(x: Any, xp: Any) -> Any:
    """1/(1 + |x|)² in float32 as one corrected quotient: 1 + |x| an exact pair
    (:func:`two_sum32`) scaled by 2^-16 (exact), its square S + Se (:func:`two_prod32`),
    then (1/S − Se/S²)·2^-32; the scaling keeps S and S² normal from x = 0 (S = 2^-32)
    to |x| = 2^63, where the result reaches the smallest normal (|x| is capped at 2^70:
    beyond it the result is flushed either way). Two single-use quotients (a division
    with two users is written to memory by XLA on CPU)."""
    a = xp.minimum(xp.abs(x), 2.0**70)
    d, dl = two_sum32(1.0 + 0.0 * a, a)
    d, dl = d * 2.0**-16, dl * 2.0**-16
    s, sl = two_prod32(d, d, xp)
    se = sl + 2.0 * d * dl
    return (1.0 / s - se / (s * s)) * 2.0**-32


# -- exact gelu: x·Φ(x) and Φ(x) + x·φ(x) ----------------------------------------------------
# With a = |x|, E = e^{-a²/2} (one library exp, a² split exactly) and the tabulated
# W(a) = Φ(-a)·e^{a²/2} of :mod:`actfn.kernels.erfc` (its float64 pieces truncated to
# float32 below), f = −E·a·W (x < 0), x·(1 − E·W) (x ≥ 0); with D(a) = W(a) − a/√(2π),
# f′ = E·D (x < 0), 1 − E·D (x ≥ 0).

def _f32_pair(v: Any) -> tuple[float, float]:
    """A Fraction (or float) as a float32 pair (hi its rounding, lo the rest's)."""
    from fractions import Fraction

    h = float(np.float32(float(v)))
    return h, float(np.float32(float(Fraction(v) - Fraction(h))))


#: Pieces in a below this; above, a·W in t = 1/a (up to a = 16, beyond which every
#: result has reached its limit or flushed).
_GELU_SWITCH = 3.0
_GELU_AMAX = 16.0
#: Above this |x|, e^{-a²/2} would leave the compensation terms of f and f′ subnormal
#: (flushed on XLA's CPU): the exponential is scaled by 2^64 (see :func:`_gelu_exp`).
_GELU_TAIL = 11.5


def _gelu_tables() -> tuple[tuple[float, ...], list[tuple[float, ...]], list[tuple[float, ...]]]:
    """(piece starts, coefficient rows of W (of a·W on the t piece), the same for D),
    each row (k0h, k0l, k1h, k1l, k2, …, m) of one piece, zero-padded to one length:
    the generated tables of tools/gen_erfc32.py (:mod:`._erfc32_tables`: W to 2^-27),
    and for D the exact shifts d0 = c0 − C·m, d1 = c1 − C (C = 1/√(2π) as a
    double-double). Ordered by start, the t piece first at −1/3 (it is selected on
    v = −t)."""
    from fractions import Fraction

    from ._erfc32_tables import A_PIECES, T_PIECES
    from .gaussian import INV_SQRT_2PI_DD

    c_exact = Fraction(INV_SQRT_2PI_DD[0]) + Fraction(INV_SQRT_2PI_DD[1])
    width = max(len(p[3]) for p in A_PIECES + T_PIECES)
    starts, w_rows, d_rows = [], [], []
    for (_, hi, m, c) in T_PIECES:
        starts.append(-hi)
        row = tuple(c) + (0.0,) * (width - len(c)) + (m,)
        w_rows.append(row)
        d_rows.append(row)
    for lo, _, m, c in A_PIECES:
        starts.append(lo)
        w_rows.append(tuple(c) + (0.0,) * (width - len(c)) + (m,))
        c0 = Fraction(c[0]) + Fraction(c[1]) - c_exact * Fraction(m)
        c1 = Fraction(c[2]) + Fraction(c[3]) - c_exact
        d_rows.append((*_f32_pair(c0), *_f32_pair(c1), *c[4:])
                      + (0.0,) * (width - len(c)) + (m,))
    return tuple(starts), w_rows, d_rows


_GELU_STARTS, _GELU_W, _GELU_D = _gelu_tables()
#: 1/√(2π) as a float32 pair.
_C_PAIR = split32(0.3989422804014327, -2.49232720227773e-17)


def _gelu_poly(a: Any, xp: Any, rows: list[tuple[float, ...]], apart: bool = False,
               ) -> tuple[Any, Any, Any, Any]:
    """(big, t, P_hi, P_lo): big = a ≥ 3, t = 1/a there, and the piece polynomial of
    ``rows`` at a (or at t) as a pair: k0 + k1·s exactly-ish (k1·s an exact product,
    the sum an exact pair), the rest Σ k_j s^j (j ≥ 2, at most ~2 % of the value)
    rounded once into the low part. ``apart``: t written as 1/max(a, 2) (the same value
    where used), an expression XLA does not merge with f's 1/max(a, 3): a quotient
    shared by f's and f′'s loop fusions would be written to memory."""
    big = a >= _GELU_SWITCH
    t = 1.0 / xp.maximum(a, 2.0 if apart else _GELU_SWITCH)
    v = xp.where(big, -t, a)
    coef = [xp.full_like(a, c) for c in rows[0]]
    for start, row in zip(_GELU_STARTS[1:], rows[1:], strict=True):
        cond = v >= start
        coef = [xp.where(cond, c, k) for c, k in zip(row, coef, strict=True)]
    s = xp.where(big, t, a) - coef[-1]
    k0h, k0l, k1h, k1l, *ks, _ = coef
    p = ks[-1]
    for k in reversed(ks[:-1]):
        p = p * s + k
    u, ue = two_prod32(k1h, s, xp)
    h, e = two_sum32(k0h, u)
    return big, t, h, e + (k0l + (ue + (k1l * s + (s * s) * p)))




def _gelu_exp(a: Any, xp: Any, apart: bool) -> tuple[Any, Any, Any]:
    """(tail, E, c): E from the library's exp at −a²/2 (+ 64 ln 2 in the tail, where
    the result is then multiplied by 2^-64, exactly), a² = p + pe split exactly; the
    true scaled exponential is E·(1 + c) to ~2^-40. (−p/2 + 64 ln 2 is exact below
    a = 14.7.)"""
    p, pe = two_prod32(a, a, xp)
    tail = a > _GELU_TAIL
    arg = xp.where(tail, -0.5 * p + _LN2_64[0], -0.5 * p)
    c = xp.where(tail, _LN2_64[1] - 0.5 * pe, -0.5 * pe)
    return tail, (xp.exp(xp.minimum(arg, 1.0)) if apart else xp.exp(arg)), c


def _times_exp(e: Any, c: Any, h: Any, lo: Any, xp: Any) -> tuple[Any, Any]:
    """E·(1 + c)·(h + lo) as a pair (r, rest): r = fl(E·h) and the rest to first
    order."""
    r, re = two_prod32(e, h, xp)
    return r, re + e * (lo + c * h)


def _untail(tail: Any, r: Any, rest: Any, xp: Any) -> Any:
    """r + rest, times 2^-64 (exact but for a subnormal result) where ``tail``."""
    y = r + rest
    return xp.where(tail, y * 2.0**-64, y)


#: Below this |x|, f = x/2 and f′ = 1/2 (the next terms, x²/√(2π) and 2x/√(2π), are
#: below half an ulp); the exact-product splits would meet subnormal halves.
_GELU_TINY = 2.0**-30


#: From this x on, f = x and f′ = 1 (Φ(−6) and 6·φ(6) are below 2^-26).
_GELU_ONE = 6.0


def gelu32(x: Any, xp: Any) -> Any:
    """x·Φ(x) in float32 from one library exp: with R = a·Φ(−a) = E·(a·W) (a·W an exact
    product pair for a < 3, the tabulated a·W beyond; E·(a·W) an exact product pair and
    the rest to first order), f = −R (x < 0) and x − R (x ≥ 0; x − R ≥ x/2, an exact
    pair); x from x = 6 on."""
    a = xp.minimum(xp.abs(x), _GELU_AMAX)
    big, _, ph, pl = _gelu_poly(a, xp, _GELU_W)
    tail, e, c = _gelu_exp(a, xp, False)
    gh, ge = two_prod32(a, ph, xp)
    gh = xp.where(big, ph, gh)
    gl = xp.where(big, pl, ge + a * pl)
    r, rest = _times_exp(e, c, gh, gl, xp)
    # (the tail's results lie below 2^-100: r + rest rounded, times 2^-64 exactly)
    r, rest = xp.where(tail, (r + rest) * 2.0**-64, r), xp.where(tail, 0.0 * rest, rest)
    xs = xp.minimum(xp.maximum(x, 0.0), _GELU_ONE)
    h, he = two_sum32(xs, -r)
    return xp.where(a < _GELU_TINY, 0.5 * x,
                    xp.where(x >= _GELU_ONE, x, h + (he - rest)))


def dgelu32(x: Any, xp: Any) -> Any:
    """Φ(x) + x·φ(x) in float32 from one library exp: E·D (x < 0) and 1 − E·D (x ≥ 0),
    D = W − a/√(2π) from pieces shifted exactly (d0 = c0 − C·m, d1 = c1 − C), so that
    D's zero at a ≈ 0.7518 (f′'s at x ≈ −0.7518, next to the first piece's midpoint
    0.75) is an exact cancellation of the pair k0 + k1·s; beyond a = 3, D = a·W·t − C·a
    with C·a an exact pair (a·W·t ≤ 11 % of it); 1 from x = 6 on."""
    a = xp.minimum(xp.abs(x), _GELU_AMAX)
    big, t, ph, pl = _gelu_poly(a, xp, _GELU_D, apart=True)
    tail, e, c = _gelu_exp(a, xp, True)
    q, qe = two_prod32(a, _C_PAIR[0] + 0.0 * a, xp)
    dh = xp.where(big, -q, ph)
    dl = xp.where(big, (ph * t + pl * t) - (qe + _C_PAIR[1] * a), pl)
    r, rest = _times_exp(e, c, dh, dl, xp)
    neg = _untail(tail, r, rest, xp)
    one = 1.0 + 0.0 * r
    d = one - r
    de = ((one - d) - r)
    pos = d + (de - rest)
    return xp.where(x < 0, neg, xp.where(x >= _GELU_ONE, one, pos))


# -- x·σ(βx) for a fixed β other than 1 (gelu_sigmoid's 1.702) -----------------------------
def _swish_arg(x: Any, xp: Any, beta: tuple[float, float], apart: bool
               ) -> tuple[Any, Any, Any, Any, Any]:
    """(xc, zh, zl, tail, t, ζ): x clipped to |βx| ≤ 150, z = βx = zh + zl (β a float32
    pair, the product exact), tail = zh < −40, and the library's exp t of −|zh| (of
    zh + 64 ln 2 in the tail, exact where a result is normal, the result then scaled by
    2^-64: its low part, ~2^-17 of it, would be subnormal on e^{−44}'s scale) with the
    true value t·(1 + ζ) to ~2^-33 (ζ = ∓zl, + 64 ln 2's low part)."""
    # (f′'s kernel clips at 149/β: every result there is at its limit either way, and the
    # product βh·x, written apart from f's, is not one XLA shares between their loop
    # fusions by writing it to memory)
    lim = float(np.float32((149.0 if apart else 150.0) / (beta[0] + beta[1])))
    xc = xp.clip(x, -lim, lim)
    zh, zl = two_prod_const(xc, beta[0], xp)
    zl = zl + beta[1] * xc
    tail = zh < -40.0
    # (the shift added after a select: XLA would contract zh + 44 into a fused
    # multiply-add of βh·x, whose unrounded product would count zl twice)
    arg = xp.where(tail, zh, -xp.abs(zh)) + xp.where(tail, _LN2_64[0], 0.0)
    t = xp.exp(xp.minimum(arg, 4.5)) if apart else xp.exp(arg)
    return xc, zh, zl, tail, t, xp.where(zh >= 0, -zl, zl + xp.where(tail, _LN2_64[1], 0.0))


def swish32(x: Any, xp: Any, beta: tuple[float, float]) -> Any:
    """x·σ(βx) in float32 (β = beta[0] + beta[1], a float32 pair) from one library exp,
    as :func:`silu32` with the exponential's argument error zl carried as the factor
    (1 + ζ): t = e^{−|z|} is the pair (t, t·ζ), so that |z| up to 150 costs nothing."""
    xc, zh, zl, tail, t, zeta = _swish_arg(x, xp, beta, False)
    tz = xp.where(tail, 0.0 * t, t)
    one = 1.0 + 0.0 * t
    d = one + tz
    e = (tz - (d - one)) + tz * zeta
    p, pe = two_prod32(xc, t, xp)
    pe = pe + p * zeta
    pos = zh >= 0
    q = div_pair(xp.where(pos, xc, p), xp.where(pos, 0.0 * pe, pe), d, e)
    return xp.where(tail, (p + pe) * 2.0**-64, xp.where(zh > 40.0, x, q))


def dswish32(x: Any, xp: Any, beta: tuple[float, float]) -> Any:
    """σ(z)(1 + z(1 − σ(z))), z = βx, in float32 from one library exp, as
    :func:`dsilu32` in z with zl carried: t = e^{−|z|} the pair (t, t·ζ), (1 + t)² from
    :func:`one_plus_squared` plus 2d·t·ζ, 1/(1 + t) corrected by −t·ζ/d², the factors z
    and 1 + z + t as pairs; near the zero z₀ ≈ −1.2785, h = (zh − z₀) + (zl − z₀ₗ) and
    1 + z + e^z = h + e^{z₀}·expm1(h). Below z = −40, t·(1 + z) scaled by 2^-64."""
    xc, zh, zl, tail, t, zeta = _swish_arg(x, xp, beta, True)
    tz = xp.where(tail, 0.0 * t, t)
    d, _, sq, sqe = one_plus_squared(tz, xp)
    tzeta = t * zeta
    sqe = sqe + 2.0 * d * (tz * zeta)
    hh = zh - (_SILU_X0[0] + 0.0 * zh)  # (exact near z₀)
    hl = zl - _SILU_X0[1]
    h = hh + hl
    near = xp.abs(h) < 0.25
    b, be = two_sum32(1.0 + zh, t)
    be = be + (zl + tzeta)
    rest = hl + _SILU_C * expm1_small(xp.where(near, h, 0.0 * h))
    bn = hh + rest
    b = xp.where(near, bn, b)
    be = xp.where(near, (hh - bn) + rest, be)
    pos = zh >= 0
    one_z = 1.0 + zh
    q, qe = two_prod32(t, xp.where(pos, zh, xp.where(tail, one_z, b)), xp)
    # the low parts: of z (x ≥ 0), of 1 + z (tail), of b (elsewhere)
    low = xp.where(pos | tail, zl, be)
    qe = qe + t * low + tzeta * xp.where(pos, zh, xp.where(tail, one_z, b))
    inv = 1.0 / d
    r = div_pair(q, qe, sq, sqe) + xp.where(pos, inv - (inv * inv) * tzeta, 0.0 * d)
    return xp.where(tail, (q + qe) * 2.0**-64, r)


# -- tanhshrink: x − tanh x and tanh² x -----------------------------------------------------
def _poly_pair(s: Any, coeffs: tuple[float, ...], xp: Any) -> tuple[Any, Any]:
    """Σ c_j s^j as a pair: c0 + c1·s exactly (c0, c1 float32 pairs, c1·s an exact
    product, the sum an exact pair), the rest rounded once into the low part."""
    k0h, k0l, k1h, k1l, *ks = coeffs
    p = ks[-1] + 0.0 * s
    for k in reversed(ks[:-1]):
        p = p * s + k
    u, ue = two_prod_const(s, k1h, xp)
    h, e = two_sum32(k0h + 0.0 * s, u)
    return h, e + (k0l + (ue + (k1l * s + (s * s) * p)))


#: Below this |x|, tanhshrink's x³ is formed from x·2^40 (exact) and scaled back by
#: 2^-120, so that the low parts of its exact products stay normal.
_TS_SMALL = 2.0**-10


def tanhshrink32(x: Any, xp: Any) -> Any:
    """x − tanh x in float32: for |x| < 1, x³·P(x²) (P from tools/gen_tanh32.py, x² and
    x³ exact pairs, the product with P an exact pair; nothing cancels); beyond,
    sign(x)·((|x| − 1) + 2t/(1 + t)) with t = e^{−2|x|} (|x| − 1 exact; the quotient at
    most 0.24 of the result at |x| = 1, ~0.2 of it at 1.2, so t's 1 ulp stays small)."""
    from ._tanh32_tables import P

    a = xp.abs(x)
    tiny = a < _TS_SMALL
    one = 1.0 + 0.0 * x
    xs = xp.where(a < 1.0, x, 0.0 * x) * xp.where(tiny, 2.0**40 * one, one)
    p, pe = two_prod32(xs, xs, xp)
    u = p * xp.where(tiny, 2.0**-80 * one, one)
    ph, pl = _poly_pair(u - P[0], P[1], xp)
    c, ce = two_prod32(xs, p, xp)
    ce = ce + xs * pe
    r, re = two_prod32(c, ph, xp)
    small = (r + (re + (ce * ph + c * pl))) * xp.where(tiny, 2.0**-120 * one, one)
    t = xp.exp(-2.0 * xp.minimum(a, 20.0))
    big = (a - 1.0) + (2.0 * t) / (1.0 + t)
    return xp.where(a < 1.0, small, xp.copysign(big, x))


def dtanhshrink32(x: Any, xp: Any) -> Any:
    """tanh² x in float32: for |x| < 1, u·S(u), u = x² an exact pair (S from
    tools/gen_tanh32.py), the product an exact pair (below |x| = 2^-10 from x·2^40,
    scaled back by 2^-80); beyond, 1 − 4t/(1 + t)² with
    t = e^{−2|x|} (:func:`_t_over_sq`; the subtracted term at most 0.72 of the result)."""
    from ._tanh32_tables import S

    a = xp.abs(x)
    tiny = a < _TS_SMALL
    one = 1.0 + 0.0 * x
    xs = xp.where(a < 1.0, x, 0.0 * x) * xp.where(tiny, 2.0**40 * one, one)
    p, pe = two_prod32(xs, xs, xp)
    unscale = xp.where(tiny, 2.0**-80 * one, one)
    sh, sl = _poly_pair(p * unscale - S[0], S[1], xp)
    r, re = two_prod32(p, sh, xp)
    small = (r + (re + (pe * sh + p * sl))) * unscale
    t = exp_apart(-2.0 * xp.minimum(a, 20.0), xp)
    big = 1.0 - 4.0 * _t_over_sq(t)
    return xp.where(a < 1.0, small, big)


# -- squareplus: (x + √(x² + b))/2 ----------------------------------------------------------
#: Beyond this |x|, b/x² < 2^-40 (b ≤ 2^60): f = x or b/(4|x|), f′ = 1 or b/(4x²).
_SP_FAR = 2.0**50


def cheap_squareplus_ok(b: float) -> bool:
    """Whether :func:`squareplus32` serves ``b`` (2^-60 ≤ b ≤ 2^60: its float32 pair
    carries ~48 bits and x² + b stays normal)."""
    return 2.0**-60 <= b <= 2.0**60


def _sp_root(x: Any, xp: Any, b: tuple[float, float], apart: bool = False,
             ) -> tuple[Any, Any, Any, Any]:
    """(far, xc, h, hl): xc = x clipped to ±2^50, h + hl = √(xc² + b) to ~2^-46 (xc² + b
    an exact-enough pair, √ of its high part and one Newton correction from the exact
    residual). ``apart`` (f′): clipped at 2^49 instead (b/x² < 2^-38 there too), so that
    XLA does not share the square root with f's kernel by writing it to memory."""
    lim = _SP_FAR / 2.0 if apart else _SP_FAR
    far = xp.abs(x) > lim
    xc = xp.clip(x, -lim, lim)
    p, pe = two_prod32(xc, xc, xp)
    q, qe = two_sum32(p, b[0] + 0.0 * p)
    h = xp.sqrt(xp.maximum(p, 0.0) + b[0])  # (= √q; apart from q's other users)
    s2, s2e = two_prod32(h, h, xp)
    # (times 0.5/h: a quotient with one user, which XLA keeps in the loop fusion)
    return far, xc, h, (((q - s2) - s2e) + (qe + (pe + b[1]))) * (0.5 / h)


def squareplus32(x: Any, xp: Any, b: tuple[float, float]) -> Any:
    """(x + √(x² + b))/2 in float32 (b a float32 pair): (x + h)/2 for x ≥ 0 (an exact
    sum and the low parts once), b/(2(h + |x|)) for x < 0 (the conjugate: nothing
    cancels; one corrected quotient); x and b/(4|x|) beyond |x| = 2^50."""
    far, xc, h, hl = _sp_root(x, xp, b)
    v, ve = two_sum32(xc, h)
    pos = 0.5 * (v + (ve + hl))
    w, we = two_sum32(h, -xc)
    neg = div_pair(b[0] + 0.0 * w, b[1] + 0.0 * w, 2.0 * w, 2.0 * (we + hl))
    far_v = xp.where(x > 0, x, (0.25 * b[0] + 0.25 * b[1]) / (-x))
    return xp.where(far, far_v, xp.where(x >= 0, pos, neg))


def dsquareplus32(x: Any, xp: Any, b: tuple[float, float]) -> Any:
    """(1 + x/h)/2 in float32: for x ≥ 0 from x/h as one corrected quotient (at most
    half the result), for x < 0 as b/(2h(h + |x|)) (the product an exact pair, one
    corrected quotient); 1 and b/(4x²) beyond |x| = 2^50."""
    far, xc, h, hl = _sp_root(x, xp, b, apart=True)
    r = div_pair(xp.maximum(xc, 0.0), 0.0 * xc, h, hl)
    pos = 0.5 + 0.5 * r
    w, we = two_sum32(h, -xc)
    d, de = two_prod32(h, w, xp)
    de = de + (h * (we + hl) + hl * w)
    neg = div_pair(b[0] + 0.0 * d, b[1] + 0.0 * d, 2.0 * d, 2.0 * de)
    far_v = xp.where(x > 0, 1.0 + 0.0 * xc, ((0.25 * b[0]) / (-x)) / (-x))
    return xp.where(far, far_v, xp.where(x >= 0, pos, neg))


# -- mish: x·tanh(softplus x) ---------------------------------------------------------------
#: From this x on, mish(x) = x (2/(n + 2) < 2^-26 with n = e^x(e^x + 2)).
_MISH_ONE = 10.0


def mish32(x: Any, xp: Any) -> Any:
    """x·tanh(log(1 + e^x)) = x·n/(n + 2), n = t(t + 2), t = e^x, in float32 from one
    library exp: t + 2 and n + 2 exact pairs, n an exact product pair, x·n one too, one
    corrected quotient (t's 1 ulp reaches f at a weight of at most 1: n's sensitivity
    (2t + 2)/(t + 2) times f's, 2/(n + 2)). Below x = −40, x·e^x (the rest of the
    quotient is 1 to 2^-58), e^x taken at x + 64 ln 2 and the result scaled by 2^-64;
    x from x = 10 on."""
    tail = x < -40.0
    xc = xp.clip(x, -150.0, _MISH_ONE)
    arg = xc + xp.where(tail, _LN2_64[0], 0.0)
    t = xp.exp(arg)
    s, se = two_sum32(t, 2.0 + 0.0 * t)
    n, ne = two_prod32(t, s, xp)
    ne = ne + t * se
    d, de = two_sum32(n, 2.0 + 0.0 * n)
    de = de + ne
    p, pe = two_prod32(xc, xp.where(tail, t, n), xp)
    pe = pe + xp.where(tail, p * _LN2_64[1], xc * ne)
    body = div_pair(p, pe, d, de)
    return xp.where(x >= _MISH_ONE, x, xp.where(tail, (p + pe) * 2.0**-64, body))
