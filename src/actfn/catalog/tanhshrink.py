"""tanhshrink: x - tanh(x): near-cubic around 0, linear with unit slope far out."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Float32Kernels, Spec
from ..kernels.dd import two_prod, two_sum
from ..kernels.df32 import compensated, is_f32
from ..kernels.elementary import clip
from ..kernels.fast32 import dtanhshrink32, tanhshrink32
from ..kernels.tanh import tanh, tanh_d2

__all__ = ["SPEC"]


# -- tanhshrink ------------------------------------------------------------------
# x - tanh(x) cancels badly for small |x| (the result is ≈ x³/3). Lambert's continued
# fraction tanh x = x/(1 + r), r = x²/(3 + x²/(5 + x²/(7 + …))) gives
# x - tanh x = x·r/(1 + r) with every term positive, so nothing cancels. Depth 28
# is exact to double precision for |x| < 4; beyond that the subtraction loses at
# most a factor 4/3.
_CF_DEPTH = 28


_CF_LIMIT = 4.0


def _tanhshrink(x, xp):
    xc = clip(x, xp, -_CF_LIMIT, _CF_LIMIT)
    x2 = xc * xc
    a = xp.full_like(xc, 2.0 * _CF_DEPTH + 3.0)
    for k in range(_CF_DEPTH, 0, -1):
        a = (2.0 * k + 1.0) + x2 / a
    r = x2 / a
    small = xc * r / (1.0 + r)
    if compensated(xc, xp):
        # float64: x² = p + pe and 1 + r = d + dl exactly, x·r = n + nl exactly; every
        # low part joins one correction of the quotient n/d (the plain form reached 3 ulp).
        p, pe = two_prod(xc, xc, xp)
        r = p / a
        rl = pe / a
        d, dl = two_sum(1.0 + 0.0 * r, r)
        n, nl = two_prod(xc, r, xp)
        q = n / d
        safe_n = xp.where(n == 0, 1.0 + 0.0 * n, n)
        small = xp.where(q == 0, q, q + q * ((nl + xc * rl) / safe_n - (dl + rl) / d))
    small = xp.where(x == 0, 0.0, small)  # f(-0) = +0, as PyTorch's x - tanh(x)
    return xp.where(xp.abs(x) < _CF_LIMIT, small, x - tanh(x, xp))


def _tanhshrink_d(x, xp):
    if is_f32(x, xp) and compensated(x, xp):
        return _tanh_squared_f32(x, xp)
    t = tanh(x, xp)
    return t * t


def _tanh_squared_f32(x, xp):
    """tanh²x in compensated float32 as one corrected quotient (t·t of a rounded tanh
    reached 3 ulp): with e = e^{-2|x|}, tanh² = (1 - e)²/(1 + e)² for |x| ≥ 0.55, where
    1 ∓ e are exact sums and the squares exact products; below, tanh x = x/(1 + r)
    (Lambert's continued fraction r = x²/(3 + x²/(5 + …)), so tanh² = x²/(1 + r)² with x²
    exact."""
    a = xp.abs(x)
    small = a < 0.55
    # |x| < 0.55
    xs = xp.where(small, x, 0.0 * x)
    p, pe = two_prod(xs, xs, xp)
    c = xp.full_like(xs, 2.0 * 12 + 3.0)
    for k in range(12, 0, -1):
        c = (2.0 * k + 1.0) + p / c
    r = p / c
    d, dl = two_sum(1.0 + 0.0 * r, r)
    # |x| ≥ 0.55
    e = xp.exp(-2.0 * xp.where(small, 0.55 + 0.0 * a, xp.where(a > 20.0, 20.0, a)))
    n, nl = two_sum(1.0 + 0.0 * e, -e)
    m, ml = two_sum(1.0 + 0.0 * e, e)
    num = xp.where(small, xs, n)
    num_l = xp.where(small, 0.0 * nl, nl)
    den = xp.where(small, d, m)
    den_l = xp.where(small, dl, ml)
    nn, nnl = two_prod(num, num, xp)
    nnl = xp.where(small, pe, nnl + 2.0 * num * num_l)
    dd_, ddl = two_prod(den, den, xp)
    ddl = ddl + 2.0 * den * den_l
    q = nn / dd_
    safe = xp.where(nn == 0, 1.0 + 0.0 * nn, nn)
    q = xp.where(q == 0, q, q + q * (nnl / safe - ddl / dd_))
    return xp.where(xp.isinf(x), 1.0 + 0.0 * q, q)


def _tanhshrink_d2(x, xp):
    return xp.where(x == 0, 2.0 * x, -tanh_d2(x, xp))  # f''(±0) = ±0, as 2·tanh·sech²


def _exact_f(x, m):
    # x - tanh x ≈ x³/3 loses 2·log2(1/|x|) bits to cancellation: add them.
    extra = 0 if x == 0 else max(0, -2 * int(m.floor(m.log(abs(x), 2))))
    with m.extraprec(extra + 16):
        return +(x - m.tanh(x))


SPEC = Spec(
    name="tanhshrink",
    aliases=("tanh_shrink",),
    family="shrink",
    summary="x - tanh(x): near-cubic around 0, linear with unit slope far out.",
    f=_tanhshrink,
    df=_tanhshrink_d,
    d2f=_tanhshrink_d2,
    # float32 without x64 (actfn.jax): a polynomial in x² below |x| = 1, one XLA exp beyond
    f32=Float32Kernels(f=tanhshrink32, df=dtanhshrink32),
    latex={
        "f": r"x - \tanh x",
        "df": r"\tanh^2 x",
        "d2f": r"2\tanh x\,\operatorname{sech}^2 x",
    },
    exact=Exact(
        f=_exact_f,
        df=lambda x, m: m.tanh(x) ** 2,
        d2f=lambda x, m: 2 * m.tanh(x) * m.sech(x) ** 2,
    ),
)
