"""Compensated float32 ("double-float") support: what lets the kernels keep float32
results within 2 ulp when the array library has no float64 (JAX without
``jax_enable_x64``, PyTorch on Apple MPS).

In float32 working precision the kernels take the same error-free steps as in float64
(:mod:`actfn.kernels.dd`: Knuth's TwoSum, Dekker's TwoProd with the float32 Veltkamp
constant 2^12 + 1), wherever an error analysis needs them: 1 ± e, x·Φ(x) for x < 0,
tanh near 0, softplus, the arguments of exponentials. What differs per dtype lives here:

* :func:`compensated` tells a kernel whether to take those steps (float64 or float32
  working precision whose result is not rounded to a narrower type afterwards);
* :func:`pair` splits a constant known to ~106 bits (a double-double ``(hi, lo)``) into
  the working dtype's ``(hi, lo)``: in float32 ``hi`` is the float32 rounding and
  ``lo`` the float32 rounding of the rest, so ``hi + lo`` carries ~48 bits and
  ``x - hi`` is exact near ``hi`` (a float64 constant in float32 arithmetic would be
  rounded silently, an error of up to 2^-25 relative, ~30 ulp after an exponential);
* :func:`exp_neg_abs_pair`, :func:`mul_pair`, :func:`add_pair`, :func:`poly_pair` and
  :func:`div_pair` carry e^{-|z|} and the brackets built on it as unrounded pairs into
  one corrected quotient (silu, gelu_sigmoid, gelu's tanh form and mish f′/f″: a
  product of a ~1-ulp σ and a rounded bracket reached 3–4 ulp);
* :func:`opaque` and :func:`const_operand` shield error-free steps from XLA (FMA
  contraction, refolded constants) on float32 and, under ``jax_enable_x64``, float64
  JAX arrays;
* :func:`tail_scaling` is the rescaling that keeps an intermediate exponential normal
  where a product of it is normal: float64 multiplies by k = 2^128 where e^{-|z|} drops
  below ~e^{-600}; float32 by k = 2^64 below ~e^{-40} (float32's smallest normal is
  2^-126 ≈ e^{-87.3}, and XLA on CPU flushes subnormals to zero, so an unscaled e^{-87.5}
  would make x·σ(x) zero where its value is a normal number).

Subnormals: where the backend flushes them (XLA on CPU runs with FTZ/DAZ), a subnormal
input reads as ±0 and a subnormal result is returned as ±0. Accuracy is then measured on
the flush-to-zero number line (tests/f32sweep.py): the reference at the flushed input,
one ulp between 0 and 2^-126.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from . import narrow_output

__all__ = ["F32_SCALING", "F64_SCALING", "TailScaling", "compensated", "const_operand",
           "is_f32", "pair",
           "Float32Context", "X64Context", "add_pair", "div_pair", "exp32", "exp32_pair",
           "exp_neg_abs_pair", "exp_x64", "expm1_32", "expm1_x64", "is_jax_float", "mul_pair",
           "poly_pair", "opaque", "precise_exp", "split", "split32", "tail_scaling"]


def is_f32(x: Any, xp: Any) -> bool:
    """Whether ``x`` is a float32 array (float32 working precision). False for a namespace
    without float32 (the compiled path's tracer, which works in float64 only)."""
    return x.dtype != xp.float64 and x.dtype == xp.float32


def compensated(x: Any, xp: Any) -> bool:
    """Whether a kernel working on ``x`` takes its error-free (double-double in float64,
    double-float in float32) refinements: float64 or float32 working precision whose
    result is not rounded to a narrower type afterwards (:func:`narrow_output`)."""
    return (x.dtype == xp.float64 or is_f32(x, xp)) and not narrow_output(xp)


def const_operand(c: float, x: Any, xp: Any) -> Any:
    """The constant ``c`` as an operand of an error-free step on ``x``: ``c + 0·x`` (an
    array) in float32 working precision and for any JAX array (float64 under
    ``jax_enable_x64`` too: XLA refolds ``(z - hi) - lo`` into ``z - (hi + lo)`` in both),
    the plain scalar otherwise, so NumPy float64 code (and the compiled loops, which
    trace it) pays no extra multiply and add."""
    return c + 0.0 * x if is_f32(x, xp) or is_jax_float(x) else c


def is_jax_float(v: Any) -> bool:
    """Whether ``v`` is a float32 or float64 JAX array (or tracer): the arrays whose
    error-free steps XLA can break (FMA contraction, refolded constants), so the only
    ones that take :func:`opaque` operands and :func:`const_operand` arrays."""
    import array_api_compat as aac

    return bool(aac.is_jax_array(v)) and v.dtype in (np.float32, np.float64)


#: Bits of a float32 kept by :func:`split`'s high part: sign, exponent and the leading 11
#: stored significand bits (12 significant bits; the low part holds the other 12).
_HI_MASK = -4096  # 0xFFFFF000 as an int32


def split(a: Any, xp: Any) -> tuple[Any, Any]:
    """Dekker's split of the float32 array ``a`` into ``(hi, lo)``, ``a = hi + lo``
    exactly, each with at most 12 significant bits (so their pairwise products are exact).

    By masking the low 12 significand bits instead of Veltkamp's ``t - (t - a)`` with
    ``t = 4097·a``: XLA on CPU contracts ``4097·a - a`` into a fused multiply-add, which
    computes ``t - a`` from the unrounded product and breaks the split (about 1 in 5,000
    products came out wrong under ``jit``). Falls back to Veltkamp's split for a library
    whose arrays cannot be reinterpreted as integers.
    """
    hi = _masked(a)
    if hi is None:
        t = 4097.0 * a
        hi = t - (t - a)
    return hi, a - hi


def _masked(a: Any) -> Any:
    """``a`` with its 12 low significand bits cleared, or None (no bit view)."""
    import array_api_compat as aac

    if aac.is_jax_array(a):
        import jax
        import jax.numpy as jnp

        bits = jax.lax.bitcast_convert_type(a, jnp.int32) & jnp.int32(_HI_MASK)
        return jax.lax.bitcast_convert_type(bits, jnp.float32)
    if aac.is_torch_array(a):
        import torch

        return (a.view(torch.int32) & _HI_MASK).view(torch.float32)
    if isinstance(a, np.ndarray):
        return (a.view(np.int32) & np.int32(_HI_MASK)).view(np.float32)
    return None


def opaque(v: Any) -> Any:
    """``v`` unchanged, but (for a float32 or float64 JAX array) no longer a product that
    XLA can fuse into a following sum: XLA on CPU contracts ``a·b + c`` into a fused
    multiply-add, which computes the sum from the unrounded product while other uses of
    ``a·b`` see it rounded, and the error terms of TwoSum/TwoProd then come out wrong (up
    to hundreds of ulps in gelu's tanh form under ``jit``, in float32 and, with
    ``jax_enable_x64``, in float64). A select on ``isnan(v)`` (whose branches agree) is
    not seen through by the contraction and costs a compare and a select; NumPy arrays
    and the compiled loops' tracer are returned as they are."""
    if is_jax_float(v):
        import jax.numpy as jnp

        return jnp.where(jnp.isnan(v), v * 0.0, v)
    return v


def split32(hi: float, lo: float = 0.0) -> tuple[float, float]:
    """The double-double ``hi + lo`` as a float32 pair ``(h, l)``: ``h`` its float32
    rounding, ``l`` the float32 rounding of the remainder (both exactly float32 values,
    returned as Python floats)."""
    h = float(np.float32(hi))
    rest = (hi - h) + lo  # exact: hi - h is representable (h is hi's rounding)
    return h, float(np.float32(rest))


def pair(c: tuple[float, float], x: Any, xp: Any) -> tuple[float, float]:
    """The double-double constant ``c`` as ``(hi, lo)`` of ``x``'s working dtype."""
    return split32(*c) if is_f32(x, xp) else c


class TailScaling(NamedTuple):
    """Rescaling of a tail exponential: e^{-a}·k = exp(-a + ln k) with k = 2^bits."""

    #: ln k as a (hi, lo) pair of the working dtype.
    ln_k: tuple[float, float]
    #: 1/k (exact; a normal number of the dtype).
    inv_k: float
    #: Scale where the exponent -a lies below this (e^{below} far above the smallest
    #: normal, e^{below - ln k} far below it).
    below: float


F64_SCALING = TailScaling((88.722839111673, 2.9683799217232634e-15), 2.0**-128, -600.0)
F32_SCALING = TailScaling(split32(64 * math.log(2), 1.4841899608616317e-15), 2.0**-64, -40.0)


def tail_scaling(x: Any, xp: Any) -> TailScaling | None:
    """The :class:`TailScaling` of ``x``'s working dtype (None: no scaling, float16 or
    bfloat16 work)."""
    if x.dtype == xp.float64:
        return F64_SCALING
    if is_f32(x, xp):
        return F32_SCALING
    return None


# -- float32 exp and expm1 to ~0.6 ulp ------------------------------------------------------
# XLA's float32 exp is 1 ulp in the body but 5 near overflow (x ≈ 88.72), its expm1 5 ulp:
# too much for results that must stay within 2 ulp after further steps. With
# k = round(x/ln 2) and r = x - k·ln 2 (Cody–Waite: ln 2 = LN2_HI + LN2_LO, LN2_HI with
# 15 significant bits so k·LN2_HI is exact for |k| ≤ 256), |r| ≤ ln 2/2 + tiny and
#   e^x = 2^k·(1 + r + q),  q = r²·(1/2 + r/6 + … + r⁶/5040 + r⁷/40320)  (error < 2^-29),
# where 1 + r is summed exactly (TwoSum) and the rest folded into one correction: exp to
# ~0.6 ulp; expm1 = (2^k·s - 1) + 2^k·lo with the subtraction exact (TwoSum), to ~0.6 ulp
# including the small |x| where k = 0. 2^k is built from its bits and applied as two
# factors (2^k alone overflows at k = 128 where e^x does not).
_LN2_HI = 0.693145751953125  # float32 0x3F317200
_LN2_LO = 1.4286067653302226e-06  # ln 2 - LN2_HI, rounded to float32
_INV_LN2 = 1.4426950408889634
_EXP_COEFFS = tuple(1.0 / math.factorial(n) for n in range(2, 10))
_EXP_LO, _EXP_HI = -104.0, 89.0


def _pow2(k: Any, xp: Any) -> Any:
    """2**k for integer-valued float32 ``k`` in [-126, 127], exactly (from the bits)."""
    import array_api_compat as aac

    if aac.is_jax_array(k):
        import jax
        import jax.numpy as jnp

        bits = (k.astype(jnp.int32) + 127) << 23
        return jax.lax.bitcast_convert_type(bits, jnp.float32)
    if aac.is_torch_array(k):
        import torch

        return ((k.to(torch.int32) + 127) << 23).view(torch.float32)
    if isinstance(k, np.ndarray):
        return ((k.astype(np.int32) + 127) << 23).view(np.float32)
    return xp.pow(xp.full_like(k, 2.0), k)  # pragma: no cover - exact in IEEE libraries


def _reduce_ln2(xc: Any, xp: Any, inv_ln2: float, ln2_hi: float, ln2_lo: float,
                k0_below: float | None) -> tuple[Any, Any, Any]:
    """Cody–Waite: (k, r, r_lo) with xc = k·ln 2 + r + r_lo, k = round(xc/ln 2) (0 where
    |xc| < ``k0_below``), ln 2 = ln2_hi + ln2_lo with k·ln2_hi exact, r + r_lo exact."""
    k = xp.round(xc * inv_ln2)
    if k0_below is not None:
        k = xp.where(xp.abs(xc) < k0_below, 0.0 * k, k)
    r_hi = xc - k * ln2_hi  # exact
    t = opaque(k * ln2_lo)
    r = r_hi - t
    return k, r, (r_hi - r) - t


def _exp_parts(x: Any, xp: Any, small_k0: bool) -> tuple[Any, Any, Any, Any]:
    """(s, lo, p1, p2) with e^x = (s + lo)·p1·p2, s + lo = 1 + r + q (s = fl(1 + r)),
    p1·p2 = 2^k. ``small_k0``: take k = 0 for |x| < ln 2/2 (expm1 needs it there)."""
    from .dd import two_sum

    xc = xp.where(x < _EXP_LO, _EXP_LO, xp.where(x > _EXP_HI, _EXP_HI, x))
    k, r, r_lo = _reduce_ln2(xc, xp, _INV_LN2, _LN2_HI, _LN2_LO,
                             0.34657359 if small_k0 else None)
    c = _EXP_COEFFS
    poly = c[-1] + 0.0 * r
    for cj in reversed(c[:-1]):
        poly = poly * r + cj
    q = (r * r) * poly
    s, s_err = two_sum(1.0 + 0.0 * r, r)
    lo = s_err + (q + r_lo * (1.0 + r))
    k1 = xp.floor(0.5 * k)
    return s, lo, _pow2(k1, xp), _pow2(k - k1, xp)


def exp32(x: Any, xp: Any) -> Any:
    """e^x for a float32 array ``x`` to ~0.6 ulp (see the comment above)."""
    s, lo, p1, p2 = _exp_parts(x, xp, small_k0=False)
    return ((s + lo) * p1) * p2


def exp32_pair(x: Any, xp: Any) -> tuple[Any, Any]:
    """e^x for a float32 array ``x`` as an unrounded pair ``(h, l)``: h = exp32(x) and
    h + l within ~2^-29 relative of e^x (the sum s + lo of :func:`_exp_parts` split
    exactly before the scaling by 2^k), for kernels that carry e^x into a product
    without its ~0.6-ulp rounding. l is flushed where h·2^-24 is subnormal."""
    from .dd import two_sum

    s, lo, p1, p2 = _exp_parts(x, xp, small_k0=False)
    h, hl = two_sum(s, lo)
    return (h * p1) * p2, (hl * p1) * p2


def expm1_32(x: Any, xp: Any) -> Any:
    """e^x - 1 for a float32 array ``x`` to ~0.6 ulp, signed zeros kept."""
    from .dd import two_sum

    s, lo, p1, p2 = _exp_parts(x, xp, small_k0=True)
    big = xp.abs(x) > 40.0  # (x > 40: p1·p2·s alone overflows before the subtraction)
    hs = (s * p1) * xp.where(big, 1.0 + 0.0 * p2, p2)
    h, he = two_sum(hs, -1.0 + 0.0 * hs)
    v = h + (he + (lo * p1) * xp.where(big, 1.0 + 0.0 * p2, p2))
    v = xp.where(big, xp.where(x > 0, exp32(x, xp), -1.0 + 0.0 * hs), v)
    return xp.where(x == 0, x, v)


# -- float64 exp and expm1 under jax_enable_x64 -----------------------------------------------
# XLA's float64 expm1 is up to 4 ulp off (|x| ≲ 0.35 and around -0.27, measured against
# python-flint; its exp is within 1 ulp, NumPy's ~0.5): elu/celu/selu's f reached 3, silu's
# and mish's f 3 through exp (X64Context gives the float64 kernels these two). As in
# :func:`expm1_32` in float64: k = round(x/ln 2) (0 for |x| < ln 2/2), r = x - k·ln 2
# (fdlibm's Cody–Waite split: LN2_HI64 has 32 significant bits, so k·LN2_HI64 and
# x - k·LN2_HI64 are exact), and
#   expm1(r) = r + r²/2 + r³·Σ_{n=3}^{16} r^{n-3}/n!   (|r| ≤ 0.347: truncation < 2^-64·|r|)
# with r² exact (TwoProd) and r + r²/2 summed exactly (TwoSum), so E = s + lo carries
# ~2^-60 relative error; then e^x - 1 = (2^k - 1) + 2^k·E with 2^k - 1 exact (|k| ≤ 53)
# and 2^k·s exact, summed by TwoSum and rounded once: ~0.51 ulp. |x| > 40: -1 or e^x;
# e^x = 2^k·(1 + E) likewise (:func:`exp_x64`).
_LN2_HI64 = 6.93147180369123816490e-01  # 0x3FE62E42FEE00000
_LN2_LO64 = 1.90821492927058770002e-10
_INV_LN2_64 = 1.4426950408889634
_EXPM1_COEFFS64 = tuple(1.0 / math.factorial(n) for n in range(3, 17))


def _pow2_64(k: Any) -> Any:
    """2**k for an integer-valued float64 JAX array ``k`` in [-1022, 1023], from the bits."""
    import jax
    import jax.numpy as jnp

    bits = (k.astype(jnp.int64) + 1023) << 52
    return jax.lax.bitcast_convert_type(bits, jnp.float64)


def _exp_parts_x64(x: Any, xp: Any, lo_cut: float, hi_cut: float) -> tuple[Any, Any, Any, Any]:
    """(k, s, lo, xc): x clipped to [lo_cut, hi_cut] as xc = k·ln 2 + r and
    expm1(r) = s + lo to ~2^-60 relative (the comment above); k = 0 for |x| < ln 2/2."""
    from .dd import two_prod, two_sum

    xc = xp.where(x < lo_cut, xp.full_like(x, lo_cut),
                  xp.where(x > hi_cut, xp.full_like(x, hi_cut), x))
    k, r, r_lo = _reduce_ln2(xc, xp, _INV_LN2_64, _LN2_HI64, _LN2_LO64, 0.34657359027997264)
    c = _EXPM1_COEFFS64
    poly = c[-1] + 0.0 * r
    for cj in reversed(c[:-1]):
        poly = poly * r + cj
    p, pe = two_prod(r, r, xp)
    s, se = two_sum(r, 0.5 * p)
    lo = se + ((0.5 * pe + (p * r) * poly) + r_lo * (1.0 + r))
    return k, s, lo, xc


def exp_x64(x: Any, xp: Any) -> Any:
    """e^x for a float64 JAX array ``x`` (``jax_enable_x64``) to ~0.51 ulp: 1 + expm1(r)
    summed exactly (TwoSum) and rounded once, then scaled by 2^k as two exact factors
    2^⌊k/2⌋·2^(k-⌊k/2⌋) (k from -1076 to 1024). XLA's own is within 1 ulp, NumPy's (which
    the float64 kernels were written against) ~0.5."""
    from .dd import two_sum

    k, s, lo, _ = _exp_parts_x64(x, xp, -746.0, 710.0)
    h, hl = two_sum(1.0 + 0.0 * s, s)
    k1 = xp.floor(0.5 * k)
    return ((h + (hl + lo)) * _pow2_64(k1)) * _pow2_64(k - k1)


def expm1_x64(x: Any, xp: Any) -> Any:
    """e^x - 1 for a float64 JAX array ``x`` (``jax_enable_x64``) to ~0.51 ulp, signed
    zeros, ±inf and NaN kept (see the comment above). XLA only: NumPy and the compiled
    loops keep their expm1."""
    from .dd import two_sum

    k, s, lo, xc = _exp_parts_x64(x, xp, -40.0, 40.0)
    pk = _pow2_64(k)
    h, he = two_sum(pk - 1.0, pk * s)
    v = h + (he + pk * lo)
    big = xp.abs(x) > 40.0
    v = xp.where(big, xp.where(x > 0, exp_x64(x, xp), xp.full_like(x, -1.0)), v)
    return xp.where(x == 0, x, v)


class X64Context:
    """An evaluation context (:class:`actfn.kernels.EvalNamespace`) for float64 JAX work
    (``jax_enable_x64``): ``expm1`` is :func:`expm1_x64` on float64 JAX arrays (XLA's is
    up to 4 ulp off) and, with ``precise_exp``, ``exp`` is :func:`exp_x64` (XLA's is within
    1 ulp, NumPy's ~0.5; exp_x64 costs ~4× XLA's, so kernels ask for it where the extra ulp
    shows: :func:`precise_exp`); everything else (and other dtypes) is the wrapped
    context's."""

    def __init__(self, ctx: Any, precise_exp: bool = False) -> None:
        self._ctx = ctx
        self._precise_exp = precise_exp

    def __getattr__(self, name: str) -> Any:
        if name in ("_ctx", "_precise_exp"):  # not set yet (copy, pickle)
            raise AttributeError(name)
        return getattr(self._ctx, name)

    @staticmethod
    def _x64(x: Any) -> bool:
        return is_jax_float(x) and x.dtype == np.float64

    def exp(self, x: Any, /) -> Any:
        if self._precise_exp and self._x64(x):
            return exp_x64(x, self._ctx)
        return self._ctx.exp(x)

    def expm1(self, x: Any, /) -> Any:
        return expm1_x64(x, self._ctx) if self._x64(x) else self._ctx.expm1(x)


def precise_exp(x: Any, xp: Any) -> Any:
    """``xp`` whose ``exp`` (and ``expm1``) is ~0.51 ulp where ``x`` is a float64 JAX array
    (:class:`X64Context`); ``xp`` itself otherwise (NumPy, the compiled loops, float32)."""
    return X64Context(xp, precise_exp=True) if X64Context._x64(x) else xp


# -- pair ("double-float") helpers ----------------------------------------------------------
def exp_neg_abs_pair(z: Any, xp: Any, zlo: Any = None) -> tuple[Any, Any, Any]:
    """(es, esl, inv_k) for a float32 array ``z``: es + esl = e^{-|z + zlo|}·k to ~2^-29
    relative, k = 2**64 where |z| > 40 (:data:`F32_SCALING`), else 1. The exponential's
    own rounding, the tail's scaling sum -|z| + ln k and z's low part stay in esl (folded
    into es they cost ~1.5 ulp)."""
    from .dd import two_sum

    ts = F32_SCALING
    a = xp.abs(z)
    tail = a > -ts.below
    s, serr = two_sum(-a, ts.ln_k[0] + 0.0 * a)
    es, esl = exp32_pair(xp.where(tail, s, -a), xp)
    esl = esl + es * xp.where(tail, serr + ts.ln_k[1], 0.0 * a)
    if zlo is not None:
        esl = esl - es * (xp.sign(z) * zlo)
    inv_k = xp.where(tail, ts.inv_k, 1.0 + 0.0 * a)
    return es, esl, inv_k


def mul_pair(a: Any, al: Any, b: Any, bl: Any, xp: Any) -> tuple[Any, Any]:
    """(a + al)·(b + bl) as a pair (p, pl): a·b exact (TwoProd), the cross terms added
    to the low part (relative error ~2^-44)."""
    from .dd import two_prod

    p, pl = two_prod(a, b, xp)
    return p, pl + (a * bl + al * b)


def add_pair(a: Any, al: Any, b: Any, bl: Any) -> tuple[Any, Any]:
    """(a + al) + (b + bl) as a pair: a + b exact (TwoSum), the low parts added."""
    from .dd import two_sum

    s, sl = two_sum(a, b)
    return s, sl + (al + bl)


def poly_pair(u: Any, ul: Any, coeffs: list[tuple[Any, Any]], xp: Any) -> tuple[Any, Any]:
    """Σ c_k·u^k (``coeffs`` = [(c0, c0l), (c1, c1l), ...] pairs, constants or arrays) by
    Horner's rule in pair arithmetic: every product and sum error-free, so the result
    keeps ~2^-44 relative to the size of its terms (cancelling sums stay accurate)."""
    ph, pl = coeffs[-1]
    ph = ph + 0.0 * u
    pl = pl + 0.0 * u
    for ch, cl in reversed(coeffs[:-1]):
        mh, ml = mul_pair(ph, pl, u, ul, xp)
        ph, pl = add_pair(ch + 0.0 * u, cl, mh, ml)
    return ph, pl


def div_pair(n: Any, nl: Any, d: Any, dl: Any, xp: Any) -> Any:
    """(n + nl)/(d + dl) rounded once more after one first-order correction:
    q = n/d, q + q·(nl/n - dl/d) (within ~½ ulp + q's rounding, ≲ 1 ulp); q = 0 stays."""
    q = n / d
    safe = xp.where(n == 0, 1.0 + 0.0 * n, n)
    return xp.where(q == 0, q, q + q * (nl / safe - dl / d))


class Float32Context:
    """An evaluation context (:class:`actfn.kernels.EvalNamespace`) for compensated float32
    work: ``exp`` and ``expm1`` are :func:`exp32` and :func:`expm1_32` on float32 arrays;
    everything else (and other dtypes) is the wrapped context's."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def exp(self, x: Any, /) -> Any:
        return exp32(x, self._ctx) if is_f32(x, self._ctx) else self._ctx.exp(x)

    def expm1(self, x: Any, /) -> Any:
        return expm1_32(x, self._ctx) if is_f32(x, self._ctx) else self._ctx.expm1(x)
