"""xielu: xIELU, the expanded integral of ELU with learnable αp, αn (Huang & Schlag 2025).

The published form (arXiv:2411.13010, eq. for xIELU; the reference code and Hugging Face
transformers' ``XIELUActivation``, used by the Apertus models), with ε < 0 a small
constant that the reference code puts inside the exponential:

.. math::

    f(x) = \\begin{cases}
        \\alpha_p x^2 + \\beta x & x > 0 \\\\
        \\alpha_n\\,(\\operatorname{expm1}(\\min(x, \\epsilon)) - x) + \\beta x & x \\le 0
    \\end{cases}

    f'(x) = \\begin{cases} 2\\alpha_p x + \\beta & x > 0 \\\\
        \\beta - \\alpha_n & \\epsilon < x \\le 0 \\\\
        \\alpha_n \\operatorname{expm1}(x) + \\beta & x \\le \\epsilon \\end{cases}
    \\qquad
    f''(x) = \\begin{cases} 2\\alpha_p & x > 0 \\\\ 0 & \\epsilon < x \\le 0 \\\\
        \\alpha_n e^x & x \\le \\epsilon \\end{cases}

Defaults as published: αp = αn = 0.8, β = 0.5, ε = −1e−6. ``eps=0`` gives the paper's
ε-free formula (C¹, f(0) = 0). With ε < 0, f jumps by αn·expm1(ε) ≈ −8·10⁻⁷ at 0 and f′
by −αn·e^ε at ε (f′ = β − αn on (ε, 0]); kinks at ε and 0, where actfn takes the x ≤ ε
branch at ε (f′(ε) = αn·expm1(ε) + β, as ``torch.clamp(x, max=eps)``; ``torch.min(x, eps)``
as in transformers splits the tie) and the (ε, 0] branch at 0 (as ``torch.where(x > 0,
...)``).

**Parametrization.** The reference code learns raw parameters a, b and uses
αp = softplus(a), αn = β + softplus(b), which keeps αp > 0 and αn > β; its initial raw
values are softplus⁻¹(0.8) and softplus⁻¹(0.8 − 0.5). actfn's parameters are the
effective αp, αn themselves (what the formula multiplies; the framework layers learn them
directly, with ∂f/∂αp = max(0, x)², ∂f/∂αn = expm1(min(x, ε)) − x on x ≤ 0). To load a
checkpoint: ``alpha_p = softplus(a)``, ``alpha_n = beta + softplus(b)``.

**Numerics.** For αn > β, f′ has an interior zero at x₀ = ln(1 − β/αn) and f one at some
x_r < x₀; the formulas cancel there. f′ = (αn − β)·expm1(x − x₀) on x ≤ ε (x₀ a
double-double from the parameters) is exact in form. f on x ≤ ε is the most accurate of
three exact rearrangements (picked per element by their error estimates): around the
root, C·g(x − x_r) + f′(x_r)·(x − x_r) with g(d) = e^d − 1 − d, C = αn·e^{x_r} and x_r a
double-double; around 0, αn·g(x) + βx; elsewhere αn·e^x − αn + (β − αn)·x summed in
double-double. Constants come from exact rationals and 60-digit decimals at bind time.
"""

from __future__ import annotations

import decimal
import functools
from fractions import Fraction
from typing import Any

from .._exact import Exact
from .._registry import Param, Spec
from ..kernels.dd import dd, exp_shifted, log_dd, two_prod, two_sum
from ..kernels.df32 import is_f32, split32
from ..kernels.elementary import is_f64

__all__ = ["SPEC", "from_raw"]

#: Beyond this magnitude (float64 / float32 working precision) the double-double products
#: are skipped (Dekker's splitting would overflow); the terms there no longer cancel.
_HUGE = {True: 2.0**400, False: 2.0**60}
#: Below this, x·x would lose bits to underflow: αp·x² is formed as (αp·x)·x.
_TINY = {True: 2.0**-500, False: 2.0**-60}


def _scaled(c: float, v, xp):
    """c·v, with c = 0 giving 0 (not nan) at v = ±inf."""
    return xp.zeros_like(v) if c == 0.0 else c * v
#: Where e^x is 0 in float64 (f′, f″ and the exponential clip their argument here).
_EXP_MIN = -1000.0


def from_raw(a: float, b: float, beta: float = 0.5) -> dict[str, float]:
    """The actfn parameters of a reference-code/transformers xIELU whose raw learned
    values are ``a`` (alpha_p) and ``b`` (alpha_n): αp = softplus(a), αn = β + softplus(b).

    >>> p = from_raw(0.2033823, -1.0502256)   # softplus⁻¹(0.8), softplus⁻¹(0.3)
    >>> round(p["alpha_p"], 6), round(p["alpha_n"], 6), p["beta"]
    (0.8, 0.8, 0.5)
    """
    import math

    def softplus(v: float) -> float:
        return max(v, 0.0) + math.log1p(math.exp(-abs(v)))

    return {"alpha_p": softplus(float(a)), "alpha_n": float(beta) + softplus(float(b)),
            "beta": float(beta)}


# -- constants of the parameters (exact rationals and 60-digit decimals) --------------------
def _dec(v: Fraction) -> decimal.Decimal:
    return decimal.Decimal(v.numerator) / decimal.Decimal(v.denominator)


def _g_dec(x: decimal.Decimal) -> decimal.Decimal:
    """e^x − 1 − x in the current decimal context, by its Taylor series Σ_{k≥2} x^k/k!
    for |x| < 1/2 (no cancellation however small x is)."""
    if abs(x) >= decimal.Decimal("0.5"):
        return x.exp() - 1 - x
    term, total, k = x * x / 2, decimal.Decimal(0), 2
    while term != 0 and abs(term) > abs(total) * decimal.Decimal(10) ** -70:
        total += term
        k += 1
        term = term * x / k
    return total


def _expm1_dec(x: decimal.Decimal) -> decimal.Decimal:
    """e^x − 1 in the current decimal context (x + :func:`_g_dec`)."""
    return x + _g_dec(x)


@functools.lru_cache(maxsize=256)
def _consts(alpha_n: float, beta: float, eps: float) -> dict[str, Any]:
    """Double-double constants of f and f′ on x ≤ 0 for the given αn, β, ε."""
    n, b, e = Fraction(alpha_n), Fraction(beta), Fraction(eps)
    out: dict[str, Any] = {"bn": dd(b - n), "nb": dd(n - b)}
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        N, B, E = _dec(n), _dec(b), _dec(e)
        # αn·expm1(ε): e^ε − 1 at 60 digits is 0 for |ε| < 1e-60, so the series there
        em = E.exp() - 1 if abs(E) > decimal.Decimal("1e-15") else E + E * E / 2 + E ** 3 / 6
        out["k"] = dd(Fraction(N * em))
        out["x0"] = log_dd((n - b) / n) if n > b else None    # zero of f′ (x ≤ ε)
        out["root"] = None
        if n > b > 0:
            # the negative zero of h(x) = N(e^x − 1 − x) + Bx: h is convex and decreasing
            # left of x0, and positive at x = −N/(N − B) − 1, so Newton from there climbs
            # monotonically to it.
            # (e^x − 1 and e^x − 1 − x by their series near 0: at 60 digits e^x − 1 − x
            # is 0 − x for |x| < 1e-60, and the root x_r ≈ −2β/αn is that small for
            # β ≲ 1e-60 — f(x_r) then came out as −(αn − β)·x_r instead of 0, 10¹⁴ ulp)
            x = -N / (N - B) - 1
            for _ in range(400):
                step = (N * _g_dec(x) + B * x) / (N * _expm1_dec(x) + B)
                x -= step
                if abs(step) <= abs(x) * decimal.Decimal(10) ** -50:
                    break
            xr = dd(Fraction(x))
            if xr[0] <= eps and xr[0] > -700.0:  # else C = αn·e^{x_r} underflows
                xv = _dec(Fraction(xr[0])) + _dec(Fraction(xr[1]))
                c = N * xv.exp()
                out["root"] = (xr, dd(Fraction(c)), dd(Fraction(N * _expm1_dec(xv) + B)),
                               float(N * _g_dec(xv) + B * xv))
    return out


# -- g(d) = e^d − 1 − d ------------------------------------------------------------------
_INV_FACT = tuple(float(Fraction(1, __import__("math").factorial(k))) for k in range(2, 30))
#: |d| below which g's Taylor series is summed (28 terms: truncation < 2**-60 relative).
_SERIES = 2.0


def _g(d, xp):
    """g(d) = e^d − 1 − d ≥ 0 to a few ulps: Taylor series Σ_{k≥2} d^k/k! for |d| < 1
    (d² exact), exp(d) + (−1 − d) below −1 (two positive terms), expm1(d) − d above 1."""
    ds = xp.where(xp.abs(d) < 1.0, d, xp.zeros_like(d))
    p = _INV_FACT[-1] + 0.0 * ds
    for c in reversed(_INV_FACT[1:-1]):
        p = p * ds + c
    p = p * ds + _INV_FACT[0]
    sq, sqe = two_prod(ds, ds, xp)
    series = sq * p + sqe * p
    dl = xp.where(d <= -1.0, xp.where(d < _EXP_MIN, _EXP_MIN, d), -xp.ones_like(d))
    low = xp.exp(dl) + (-1.0 - d)
    dh = xp.where(d >= 1.0, xp.where(d > 700.0, 700.0, d), xp.ones_like(d))
    high = xp.expm1(dh) - dh  # callers use d ≤ 700 only
    return xp.where(xp.abs(d) < 1.0, series, xp.where(d < 0, low, high))


def _g_dd(d, xp):
    """g(d) for |d| < 2 (0 elsewhere) as (hi, lo, err): d²/2 exactly plus the tail
    T = Σ_{k≥3} d^k/k! = d³·(1/6 + d/24 + …), whose Horner sum is the only inexact part;
    ``err`` = Σ_{k≥3} |d|^k/k! bounds its rounding error in units of u (the callers'
    estimate: the alternating sum for d < 0 rounds like the sum of its magnitudes)."""
    small = xp.abs(d) < _SERIES
    ds = xp.where(small, d, xp.zeros_like(d))
    da = xp.abs(ds)
    p = _INV_FACT[-1] + 0.0 * ds
    pa = p
    for c in reversed(_INV_FACT[1:-1]):
        p = p * ds + c
        pa = pa * da + c
    sq, sqe = two_prod(ds, ds, xp)
    t = (sq * ds) * p
    hi, lo = two_sum(sq * 0.5, t)
    return hi, lo + sqe * 0.5, (sq * da) * pa


def _mul_dd(x, c, xp):
    """x·(c_hi + c_lo) as (hi, lo) (x an array, |x| ≤ 2**400)."""
    p, pe = two_prod(x, xp.full_like(x, c[0]), xp)
    return p, pe + x * c[1]


def _pairs32(k: dict[str, Any]) -> dict[str, Any]:
    """:func:`_consts` with its double-double constants as float32 pairs (split32)."""
    out = dict(k)
    for name in ("bn", "nb", "k", "x0"):
        if k[name] is not None:
            out[name] = split32(*k[name])
    if k["root"] is not None:
        r, c, slope, f0 = k["root"]
        out["root"] = (split32(*r), split32(*c), split32(*slope), f0)
    return out


def _neg_f(x, xp, alpha_n, beta, eps):
    """f on x ≤ ε (x clipped to [−2**400, ε]); see the module docstring."""
    k = _consts(alpha_n, beta, eps)
    f32 = is_f32(x, xp)
    if f32:  # float32: every constant as a float32 pair (a float64 one rounds silently)
        k = _pairs32(k)
    an, an_lo = split32(alpha_n) if f32 else (alpha_n, 0.0)
    e = xp.exp(xp.where(x < _EXP_MIN, _EXP_MIN, x))
    # C: αn·e^x − αn + (β − αn)·x in double-double (only e^x rounded)
    p1, e1 = two_prod(e, xp.full_like(e, an), xp)
    p2, e2 = _mul_dd(x, k["bn"], xp)
    s1, t1 = two_sum(p2, xp.full_like(p2, -an))
    s2, t2 = two_sum(s1, p1)
    f_c = s2 + (t1 + t2 + e1 + e2)
    if f32:
        f_c = f_c + (e - 1.0) * an_lo
    # Each form's rounding error is about u times the magnitude of its one inexact term
    # (e^x here, g(d) in A, g(x) in B), weighted by how that term is computed; the form
    # with the smallest estimate wins. A and B only use the series of g (|d|, |x| < 2),
    # where g is a double-double whose error is u·|T| (see _g_dd).
    inf = float("inf")
    best, err = f_c, 0.5 * alpha_n * e
    # B: αn·g(x) + βx, accurate near 0
    g_hi, g_lo, tail = _g_dd(x, xp)
    pb, pbe = two_prod(x, xp.full_like(x, beta), xp)
    ng, nge = two_prod(g_hi, xp.full_like(g_hi, an), xp)
    sb, tb = two_sum(pb, ng)
    f_b = sb + (tb + pbe + nge + alpha_n * g_lo)
    if f32:
        f_b = f_b + g_hi * an_lo
    err_b = xp.where(x > -_SERIES, alpha_n * tail, xp.full_like(tail, inf))
    best = xp.where(err_b < err, f_b, best)
    err = xp.where(err_b < err, err_b, err)
    if k["root"] is not None:
        # A: C·g(d) + f′(x_r)·d + f(x_r) with d = x − x_r, accurate near the root x_r
        (r_hi, r_lo), c, slope, f0 = k["root"]
        d, dlo = two_sum(x, xp.full_like(x, -r_hi))
        dlo = dlo - r_lo
        g_hi, g_lo, tail = _g_dd(d, xp)
        pa, pae = _mul_dd(d, slope, xp)
        cg, cge = two_prod(g_hi, xp.full_like(g_hi, c[0]), xp)
        sa, ta = two_sum(pa, cg)
        # d + dlo = x − x_r exactly: the low part enters through f′(x) = S + C·(d + g(d))
        fd = slope[0] + c[0] * (d + g_hi)
        f_a = sa + (ta + pae + cge + (c[0] * g_lo + c[1] * g_hi) + (dlo * fd + f0))
        err_a = xp.where(xp.abs(d) < _SERIES, c[0] * tail, xp.full_like(tail, inf))
        best = xp.where(err_a < err, f_a, best)
    return best


def _cut(eps: float, x, xp) -> float:
    """ε as compared with x: in float32 working precision the largest float32 ≤ ε (for a
    float32 x, x ≤ ε ⟺ x ≤ that value; a bare ε would be rounded to nearest and put the
    float32 inputs between ε and fl(ε) on the wrong side of the kink); ε otherwise."""
    if not is_f32(x, xp):
        return eps
    import numpy as np

    e = np.float32(eps)
    return float(e if float(e) <= eps else np.nextafter(e, np.float32(-np.inf)))


def _f(x, xp, *, alpha_p, alpha_n, beta, eps):
    """f: x·(αp·x + β) on x > 0, the linear αn·expm1(ε) + (β − αn)·x on (ε, 0], and
    :func:`_neg_f` on x ≤ ε, each in double-double where its terms may cancel."""
    ew = _cut(eps, x, xp)
    k = _consts(alpha_n, beta, eps)
    if is_f32(x, xp):
        k = _pairs32(k)
    f64 = is_f64(x, xp)
    huge = xp.abs(x) >= _HUGE[f64]
    xs = xp.where(huge, xp.zeros_like(x), x)
    # x > 0: αp·x² + βx, two terms of one sign: x² exact, βx exact, one rounding of αp·x²
    p, pe = two_prod(xs, xs, xp)
    a2 = xp.where(xs < _TINY[f64], (alpha_p * xs) * xs, alpha_p * p)
    b1, b1e = two_prod(xs, xp.full_like(xs, beta), xp)
    s, se = two_sum(a2, b1)
    pos = s + (se + b1e + alpha_p * pe)
    pos = xp.where(xp.isinf(s), s, pos)
    quad = _scaled(alpha_p, x, xp) * x if alpha_p else xp.zeros_like(x)
    pos = xp.where(huge, quad + _scaled(beta, x, xp), pos)
    # ε < x ≤ 0: αn·expm1(ε) + (β − αn)·x
    pl, ple = _mul_dd(xs, k["bn"], xp)
    sl, tl = two_sum(pl, xp.full_like(pl, k["k"][0]))
    lin = sl + (tl + ple + k["k"][1])
    # x ≤ ε
    xn = xp.where(x <= ew, xs, xp.full_like(xs, min(eps, -1.0)))
    neg = _neg_f(xn, xp, alpha_n, beta, eps)
    neg = xp.where(huge, _scaled(k["bn"][0], x, xp) - alpha_n, neg)  # αn = β: f → −αn
    return xp.where(x > 0, pos, xp.where(x > ew, lin, neg))


def _df(x, xp, *, alpha_p, alpha_n, beta, eps):
    """f′: 2αp·x + β on x > 0, β − αn on (ε, 0], and on x ≤ ε αn·expm1(x) + β summed in
    double-double where αn·|expm1(x)| ≤ β/2 (no cancellation: exact at 0 for ε = 0), else
    (αn − β)·expm1(x − x₀) (αn > β; x₀ = ln(1 − β/αn)) or αn·e^x + (β − αn) (αn ≤ β)."""
    ew = _cut(eps, x, xp)
    k = _consts(alpha_n, beta, eps)
    if is_f32(x, xp):
        k = _pairs32(k)
    pos = _scaled(alpha_p, x, xp) * 2.0 + beta
    lin = xp.full_like(x, k["bn"][0])
    xn = xp.where(x <= ew, x, xp.full_like(x, min(eps, -1.0)))
    xn = xp.where(xn < _EXP_MIN, _EXP_MIN, xn)
    if k["x0"] is not None:
        x0_hi, x0_lo = k["x0"]
        d, dlo = two_sum(xn, xp.full_like(xn, -x0_hi))
        dlo = dlo - x0_lo
        em = xp.expm1(d)
        em = em + (em + 1.0) * dlo
        nb_hi, nb_lo = k["nb"]
        neg = em * nb_hi + em * nb_lo
    else:
        neg = alpha_n * xp.exp(xn) + k["bn"][0]
    em = xp.expm1(xn)
    p, pe = two_prod(em, xp.full_like(em, alpha_n), xp)
    s, se = two_sum(p, xp.full_like(p, beta))
    direct = s + (se + pe)
    neg = xp.where(xp.abs(p) <= 0.5 * beta, direct, neg)
    return xp.where(x > 0, pos, xp.where(x > ew, lin, neg))


def _d2f(x, xp, *, alpha_p, alpha_n, beta, eps):
    """f″: 2αp on x > 0, 0 on (ε, 0], αn·e^x on x ≤ ε."""
    ew = _cut(eps, x, xp)
    xn = xp.where(x < _EXP_MIN, _EXP_MIN, x)
    xn = xp.where(xn <= ew, xn, xp.full_like(xn, min(eps, -1.0)))
    # exp(x + ln αn): αn·e^x with e^x near the underflow (subnormal) loses its bits
    # (float64 x = −740, αn = 1e6: 2·10⁵ ulp; float32 near −88)
    neg = exp_shifted(xn, None, log_dd(Fraction(alpha_n)), xp) if alpha_n else 0.0 * xn
    return xp.where(x > 0, xp.full_like(x, 2.0 * alpha_p),
                    xp.where(x > ew, xp.zeros_like(x), neg))


def _f_df(x, xp, **p):
    return _f(x, xp, **p), _df(x, xp, **p)


def _dalpha_p(x, xp, *, alpha_p, alpha_n, beta, eps):
    """∂f/∂αp = x² on x > 0, else 0."""
    r = xp.where(x > 0, x, xp.zeros_like(x))
    return r * r


def _dalpha_p_df(x, xp, *, alpha_p, alpha_n, beta, eps):
    """∂f′/∂αp = 2x on x > 0, else 0."""
    return xp.where(x > 0, 2.0 * x, xp.zeros_like(x))


def _dalpha_n(x, xp, *, alpha_p, alpha_n, beta, eps):
    """∂f/∂αn = g(x) = expm1(x) − x on x ≤ ε, expm1(ε) − x on (ε, 0], 0 on x > 0."""
    ew = _cut(eps, x, xp)
    k = _consts(alpha_n, beta, eps)
    em_eps = float(Fraction(k["k"][0]) / Fraction(alpha_n)) if alpha_n else 0.0
    xn = xp.where(x <= ew, x, xp.full_like(x, min(eps, -1.0)))
    neg = _g(xn, xp)
    lin = em_eps - x
    return xp.where(x > 0, xp.zeros_like(x), xp.where(x > ew, lin, neg))


def _dalpha_n_df(x, xp, *, alpha_p, alpha_n, beta, eps):
    """∂f′/∂αn = expm1(x) on x ≤ ε, −1 on (ε, 0], 0 on x > 0."""
    ew = _cut(eps, x, xp)
    xn = xp.where(x <= ew, x, xp.full_like(x, min(eps, -1.0)))
    return xp.where(x > 0, xp.zeros_like(x),
                    xp.where(x > ew, -xp.ones_like(x), xp.expm1(xn)))


def _check(p: dict[str, Any]) -> None:
    # αn = 0 would make xIELU linear on x ≤ 0 (not the published family).
    if not p["alpha_n"] > 0:
        raise ValueError(f"xielu: alpha_n={p['alpha_n']!r} must be > 0")


# -- reference formulas (the published definition, in arbitrary precision) ------------------
def _ex_f(x, m, *, alpha_p, alpha_n, beta, eps):
    if x > 0:
        return alpha_p * x * x + beta * x
    # αn·expm1(min(x, ε)) + (β − αn)·x: the same value, without αn·x and β·x cancelling
    # (x = −1e400 stands for −inf in the oracle)
    return alpha_n * m.expm1(min(x, m.mpf(eps))) + (m.mpf(beta) - alpha_n) * x


def _ex_df(x, m, *, alpha_p, alpha_n, beta, eps):
    if x > 0:
        return 2 * alpha_p * x + beta
    if x > eps:
        return m.mpf(beta) - alpha_n
    return alpha_n * m.expm1(x) + beta


def _ex_d2f(x, m, *, alpha_p, alpha_n, beta, eps):
    if x > 0:
        return 2 * m.mpf(alpha_p)
    if x > eps:
        return m.mpf(0)
    return alpha_n * m.exp(x)


_BIG_WHY = ("actfn's double-double products are exact for parameters up to 1e6 in float32 "
            "working precision too; published values are O(1)")

SPEC = Spec(
    name="xielu",
    family="elu",
    summary="xIELU: αp·x² + βx for x > 0, αn·(expm1(min(x, ε)) − x) + βx otherwise, with "
    "learnable αp, αn.",
    f=_f,
    df=_df,
    d2f=_d2f,
    f_df=_f_df,
    params=(
        Param("alpha_p", 0.8, "curvature αp of the positive side (the reference code learns "
              "softplus⁻¹(αp))", lower=0.0, upper=1e6, lower_inclusive=True,
              upper_inclusive=True, learnable=True, why=_BIG_WHY),
        Param("alpha_n", 0.8, "scale αn of the negative side (the reference code learns "
              "softplus⁻¹(αn − β))", lower=0.0, upper=1e6, upper_inclusive=True,
              learnable=True, why=_BIG_WHY),
        Param("beta", 0.5, "slope β at 0 (fixed in the reference code)", lower=0.0,
              upper=1e6, lower_inclusive=True, upper_inclusive=True, why=_BIG_WHY),
        Param("eps", -1e-6, "ε ≤ 0 inside expm1(min(x, ε)) (the reference code's −1e−6; "
              "0 gives the paper's formula)", lower=-1.0, upper=0.0, lower_inclusive=True,
              upper_inclusive=True, why="ε is a small offset; the kernels assume |ε| ≤ 1"),
    ),
    check=_check,
    kinks=lambda p: (p["eps"], 0.0) if p["eps"] < 0 else (0.0,),
    kink_convention="f'(eps) = alpha_n·expm1(eps) + beta (the x ≤ eps branch, as "
    "torch.clamp(x, max=eps)); f'(0) = beta − alpha_n and f''(0) = 0 (the (eps, 0] branch, "
    "as torch.where(x > 0, ...)); with eps = 0: f'(0) = beta, f''(0) = alpha_n",
    latex={
        "f": r"\begin{cases} \alpha_p x^2 + \beta x & x > 0 \\ \alpha_n\,(e^{\min(x,"
             r"\epsilon)} - 1 - x) + \beta x & x \le 0 \end{cases}",
        "df": r"\begin{cases} 2\alpha_p x + \beta & x > 0 \\ \beta - \alpha_n & \epsilon "
              r"< x \le 0 \\ \alpha_n (e^x - 1) + \beta & x \le \epsilon \end{cases}",
        "d2f": r"\begin{cases} 2\alpha_p & x > 0 \\ 0 & \epsilon < x \le 0 \\ "
               r"\alpha_n e^x & x \le \epsilon \end{cases}",
    },
    reference="Huang & Schlag, Deriving Activation Functions Using Integration (2025), "
    "arXiv:2411.13010",
    dparams={"alpha_p": _dalpha_p, "alpha_n": _dalpha_n},
    dparams_df={"alpha_p": _dalpha_p_df, "alpha_n": _dalpha_n_df},
    cases=(
        {"eps": 0.0},
        {"alpha_p": 1.7, "alpha_n": 2.5, "beta": 0.25},
        {"alpha_p": 0.05, "alpha_n": 0.3, "eps": -1e-3},
    ),
    exact=Exact(f=_ex_f, df=_ex_df, d2f=_ex_d2f),
)
