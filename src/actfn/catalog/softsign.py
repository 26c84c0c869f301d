"""softsign: x / (1 + |x|): a tanh-like curve with polynomial (not exponential) tails."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Float32Kernels, Spec
from ..kernels.dd import two_prod, two_sum
from ..kernels.df32 import compensated, is_jax_float
from ..kernels.elementary import is_f64
from ..kernels.fast32 import dsoftsign32

__all__ = ["SPEC"]


# -- softsign ------------------------------------------------------------------
def _softsign(x, xp):
    return xp.where(xp.isinf(x), xp.sign(x), x / (1.0 + xp.abs(x)))


# f' = r², f'' = -2·sign(x)·r³ with r = 1/(1 + |x|) ((1 + |x|)^k would overflow). In
# float64 the roundings of 1 + |x| and of 1/d are carried as one relative correction
# c = 1 - r·(d + dl) (exact residual: d + dl = 1 + |x|, r·d = p + pl), and the powers
# are exact products with c·k folded in once (f'' reached 4 ulp in three steps).
def _recip(x, xp):
    a = xp.abs(x)
    r = 1.0 / (1.0 + a)
    if not compensated(x, xp):
        return r, None
    d, dl = two_sum(1.0 + 0.0 * a, a)
    p, pl = two_prod(r, d, xp)
    c = ((1.0 - p) - pl) - r * dl
    return r, xp.where(xp.isinf(a) | (r < (1e-150 if is_f64(x, xp) else 1e-25)), 0.0 * r, c)


def _tiny(x, xp):
    """Below this the error-free products of r lose bits to underflow (float64; float32,
    where XLA on CPU also flushes subnormals: :mod:`actfn.kernels.df32`)."""
    return 1e-290 if is_f64(x, xp) else 1e-30


def _softsign_d(x, xp):
    r, c = _recip(x, xp)
    if c is None:
        return r * r
    s, sl = two_prod(r, r, xp)
    return xp.where(s < _tiny(s, xp), s, s + (sl + 2.0 * s * c))


def _softsign_d2(x, xp):
    r, c = _recip(x, xp)
    if c is None:
        return (-2.0 * xp.sign(x)) * (r * r * r)
    if not is_f64(x, xp):
        # float32: r scaled by 2**40 where it is small, so r³ and the low parts of the
        # error-free products stay normal (XLA flushes subnormals), and unscaled once
        big = r < 2.0**-20
        r = r * xp.where(big, 2.0**40, 1.0 + 0.0 * r)
        s, sl = two_prod(r, r, xp)
        t, tl = two_prod(s, r, xp)
        t = t + (tl + sl * r + 3.0 * t * c)
        t = ((2.0 * t) * xp.where(big, 2.0**-60, 1.0 + 0.0 * t)) * xp.where(big, 2.0**-60,
                                                                           1.0 + 0.0 * t)
        return -xp.sign(x) * t
    if is_jax_float(x):
        # JAX with x64: XLA flushes float64 subnormals, so r³ (and the low parts of the
        # error-free products) must stay normal where 2r³ is (|x| ≈ 4e102 returned 0):
        # r < 2**-100 is scaled by 2**200 and the result unscaled in two exact-or-final
        # steps of 2**-300, as in float32 above
        big = r < 2.0**-100
        r = r * xp.where(big, 2.0**200, 1.0 + 0.0 * r)
        s, sl = two_prod(r, r, xp)
        t, tl = two_prod(s, r, xp)
        t = t + (tl + sl * r + 3.0 * t * c)
        one = 1.0 + 0.0 * t
        t = ((2.0 * t) * xp.where(big, 2.0**-300, one)) * xp.where(big, 2.0**-300, one)
        return -xp.sign(x) * t
    s, sl = two_prod(r, r, xp)
    t, tl = two_prod(s, r, xp)
    # (near and below the subnormal range the error-free products are not exact: there
    # the plain r·r·r, rounded on the coarse subnormal grid, is the accurate one)
    t = xp.where(t < _tiny(t, xp), (r * r) * r, t + (tl + sl * r + 3.0 * t * c))
    return (-2.0 * xp.sign(x)) * t


SPEC = Spec(
    name="softsign",
    aliases=("soft_sign",),
    family="tanh",
    summary="x / (1 + |x|): a tanh-like curve with polynomial (not exponential) tails.",
    f=_softsign,
    df=_softsign_d,
    d2f=_softsign_d2,
    # float32 without x64 (actfn.jax): f is cheap as it is; f′ from kernels.fast32
    f32=Float32Kernels(df=dsoftsign32),
    kinks=lambda p: (0.0,),
    kink_convention="f''(0) = 0 (f'' jumps from 2 to -2 at 0; sign(0) = 0)",
    latex={
        "f": r"\frac{x}{1 + |x|}",
        "df": r"\frac{1}{(1 + |x|)^2}",
        "d2f": r"-\frac{2\,\operatorname{sign}(x)}{(1 + |x|)^3}",
    },
    reference="Bergstra et al. (2009); Glorot & Bengio (2010)",
    exact=Exact(
        f=lambda x, m: x / (1 + abs(x)),
        df=lambda x, m: 1 / (1 + abs(x)) ** 2,
        d2f=lambda x, m: -2 * m.sign(x) / (1 + abs(x)) ** 3,
    ),
)
