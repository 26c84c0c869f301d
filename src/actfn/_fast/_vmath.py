"""Scalar building blocks for the compiled kernels (numba, imported only when used).

Three families of elementary functions live here:

* ``*_a`` ("accurate"): libm / SciPy through numba, used for float64 inputs, where the
  accuracy contract leaves only a few float64 ulps.
* ``*_d`` ("double"): exp, expm1, log1p and log as branch-free polynomials that LLVM
  vectorizes, within 0.52–0.94 float64 ulp; float64 loops use them (like NumPy's own SIMD
  versions on the NumPy path). Also erfcx_d and erfc_d (the 26-term series ERFCX_P:
  a few float64 ulps, ~1e-13 in the tails), which no loop uses today (float64 takes
  SciPy's): kept for a vectorized float64 erfc.
* ``*_v`` ("vector"): branch-free polynomial versions used only for float16, bfloat16
  and float32 results (the loop generator, actfn._fast._trace, gives float64 loops the
  ``*_a``/``*_d`` ones). Their float64 results are rounded once to the output type, so
  they are sized to a budget, not to float64: relative error ≤ 2⁻⁴⁰ (≈ 9.1e-13, 2e-5 of a
  float32 ulp, so a correctly rounded float32 result stays within 0.5 + 2e-5 ulp), with
  the polynomials fitted to ≤ 2⁻⁴² by tools/gen_vmath_budget.py. Per helper:

  - ``exp_v``: relative ≤ 2⁻⁴⁰ wherever the result is normal (absolute ≤ 2⁻¹⁰⁶² below).
  - ``expm1_v``: relative ≤ 2⁻⁴⁰ (also near 0: the leading r is exact).
  - ``log1p_v``, ``log_v``: relative ≤ 2⁻⁴⁰; log crosses zero at 1 (log1p at 0) with
    the same relative bound, since k = 0 there and log(m) carries it.
  - ``tanh_v``: relative ≤ 2⁻⁴⁰ (through expm1_v).
  - ``erfcx_v``: relative ≤ 2⁻⁴⁰ for x ≥ 0 (ERFCX_PB, 18 Chebyshev terms instead of
    26) and for x < 0 (2·e^{x²} - erfcx(|x|), no cancellation).
  - ``erfc_v``: relative ≤ 2⁻⁴⁰ where the result is normal and x > -∞ (e^{-x²}·erfcx
    for x ≥ 0; 2 - erfc(|x|) for x < 0); the rounding of x² (relative 2⁻⁵³, times x²
    ≤ 750 in the exponent) is the limit for large x, ≤ 2⁻⁴³.
  - ``erf_v``: relative ≤ 2⁻⁴⁰ (Maclaurin series to x¹⁹ for |x| < 0.5; 1 - erfc
    beyond, where at most one bit cancels).
  - ``hypot_v``, ``sqrt_v``: correctly rounded sqrt, a few float64 ulps.

  Special values are those of the ``*_d`` versions: ±0 keep their sign where the function
  is odd, ±inf and NaN map as in libm, overflow and underflow at the same thresholds.

Also here: loads and stores for float16 and bfloat16 (viewed as uint16) that convert
exactly to float64 and round float64 once, to nearest even, straight to the
16-bit format (never through float32, which would round twice).

Every function is written for one float64 scalar; the generated loops inline them.
Selects use the :func:`sel` intrinsic (an LLVM ``select``), so there are no branches.
"""

from __future__ import annotations

import ctypes
import math

import numba
import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import get_cython_function_address, intrinsic

__all__ = [
    "INF", "NAN", "sel", "band", "bor", "bnot", "fma",
    "exp_a", "expm1_a", "log1p_a", "log_a", "tanh_a", "hypot_a", "sqrt_a",
    "erf_a", "erfc_a", "erfcx_a",
    "exp_d", "expm1_d", "log1p_d", "log_d", "erfc_d", "erfcx_d",
    "exp_v", "expm1_v", "log1p_v", "log_v", "tanh_v", "hypot_v", "sqrt_v",
    "erf_v", "erfc_v", "erfcx_v", "tail_horner_v", "kexp_d",
    "ld_f16", "st_f16", "ld_bf16", "st_bf16",
]

INF = math.inf
NAN = math.nan

#: cache=False: these helpers are inlined into the kernels, whose machine code actfn caches
#: in its own checked folder; numba's cache=True here would read and write pickles in
#: $NUMBA_CACHE_DIR / the user-wide numba folder / site-packages, none of them checked.
_jit = numba.njit(cache=False, error_model="numpy", inline="always")


# -- intrinsics: bit casts and branch-free selects -------------------------------------------
@intrinsic
def f2i(typingctx, x):  # type: ignore[no-untyped-def]
    """Bits of a float64 as int64."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def i2f(typingctx, x):  # type: ignore[no-untyped-def]
    """float64 with the given int64 bits."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def i2f32(typingctx, x):  # type: ignore[no-untyped-def]
    """float32 with the given int32 bits."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


@intrinsic
def sel(typingctx, c, a, b):  # type: ignore[no-untyped-def]
    """``a if c else b`` as one LLVM select (both sides are already computed)."""
    if not isinstance(c, types.Boolean) or a != b:
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.select(args[0], args[1], args[2])

    return a(c, a, b), codegen


@intrinsic
def fma(typingctx, a, b, c):  # type: ignore[no-untyped-def]
    """a·b + c rounded once (LLVM's ``llvm.fma.f64``: a hardware FMA where there is one,
    exact in software elsewhere). ``fma(a, b, -(a·b))`` is the exact error of a product."""
    if not all(isinstance(t, types.Float) and t.bitwidth == 64 for t in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        d = ir.DoubleType()
        f = cgutils.get_or_insert_function(builder.module, ir.FunctionType(d, [d, d, d]),
                                           "llvm.fma.f64")
        return builder.call(f, list(args))

    return types.float64(types.float64, types.float64, types.float64), codegen


@intrinsic
def band(typingctx, a, b):  # type: ignore[no-untyped-def]
    """Elementwise-style ``a & b`` for booleans, without short-circuit branches."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.and_(args[0], args[1])

    return types.boolean(types.boolean, types.boolean), codegen


@intrinsic
def bor(typingctx, a, b):  # type: ignore[no-untyped-def]
    """``a | b`` for booleans, without branches."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.or_(args[0], args[1])

    return types.boolean(types.boolean, types.boolean), codegen


@intrinsic
def bnot(typingctx, a):  # type: ignore[no-untyped-def]
    """``not a`` for a boolean (``~`` on a numba bool is integer negation)."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.not_(args[0])

    return types.boolean(types.boolean), codegen


# -- accurate (libm / SciPy) scalar functions for float64 ----------------------------------
# SciPy's own erfc/erfcx (the functions the NumPy path calls), linked by symbol name so
# that numba can cache the compiled kernels across processes.
def _link_scipy(name: str, symbol: str) -> types.ExternalFunction:
    addr = get_cython_function_address("scipy.special.cython_special", name)
    llvm.add_symbol(symbol, addr)
    # Cython's fused-type C functions take a trailing ``int skip_dispatch``.
    return types.ExternalFunction(symbol, types.float64(types.float64, types.intc))


_erfcx_sc = _link_scipy("__pyx_fuse_1erfcx", "actfn_scipy_erfcx")
_erfc_sc = _link_scipy("__pyx_fuse_1erfc", "actfn_scipy_erfc")
_erf_sc = _link_scipy("__pyx_fuse_1erf", "actfn_scipy_erf")
_ = ctypes  # (kept importable: ctypes is what get_cython_function_address relies on)


@_jit
def exp_a(x: float) -> float:
    return math.exp(x)


@_jit
def expm1_a(x: float) -> float:
    return math.expm1(x)


@_jit
def log1p_a(x: float) -> float:
    return math.log1p(x) if x >= -1.0 else (NAN if x == x else x)


@_jit
def log_a(x: float) -> float:
    return math.log(x) if x >= 0.0 else (NAN if x == x else x)


@_jit
def tanh_a(x: float) -> float:
    return math.tanh(x)


@_jit
def hypot_a(x: float, y: float) -> float:
    return math.hypot(x, y)


@_jit
def sqrt_a(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else (NAN if x == x else x)


@_jit
def erf_a(x: float) -> float:
    return _erf_sc(x, 0)


@_jit
def erfc_a(x: float) -> float:
    return _erfc_sc(x, 0)


@_jit
def erfcx_a(x: float) -> float:
    return _erfcx_sc(x, 0)


# -- vectorizable float64 exponential and logarithm ---------------------------------------
# exp(x) = 2**k · exp(r), k = round(x/ln 2), r = x - k·ln 2 with ln 2 split in a 32-bit
# head (k·LN2_HI is exact for |k| < 2**20) and a tail. |r| ≤ 0.347, where the degree-13
# Taylor polynomial of exp(r) - 1 has a relative error below 2e-17. k comes from the
# "shifter" trick: adding 1.5·2**52 rounds x/ln 2 to an integer that sits in the low bits.
_SHIFT = 6755399441055744.0  # 1.5 * 2**52
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_EXP_HI = 710.0  # exp overflows above 709.78; the clamp keeps k inside the scaling range
_EXP_LO = -746.0  # exp underflows to 0 below -745.13


@_jit
def _expm1_poly(r: float) -> float:
    # exp(r) - 1 = r + r²·(1/2! + r/3! + r²/4! + r³·Q(r)), Q = 1/5! + … + r⁸/13!. Q is
    # evaluated with Estrin's scheme (a dependency chain of 4 operations instead of 9:
    # the loops are latency-bound on this polynomial); it enters the result scaled by
    # r⁵ ≤ 0.005, so its rounding does not show. The leading terms stay Horner.
    r2 = r * r
    r4 = r2 * r2
    a0 = 1.0 / 120.0 + r * (1.0 / 720.0)
    a1 = 1.0 / 5040.0 + r * (1.0 / 40320.0)
    a2 = 1.0 / 362880.0 + r * (1.0 / 3628800.0)
    a3 = 1.0 / 39916800.0 + r * (1.0 / 479001600.0)
    q = (a0 + a1 * r2) + (a2 + a3 * r2) * r4 + (1.0 / 6227020800.0) * (r4 * r4)
    p = 0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * q))
    return r + r2 * p


@_jit
def _reduce(x: float) -> tuple[float, float, float]:
    """x = k·ln 2 + r; returns (expm1(r), 2**(k - k//2), 2**(k//2)) (each factor normal)."""
    xc = sel(x > _EXP_HI, _EXP_HI, sel(x < _EXP_LO, _EXP_LO, x))  # NaN passes through
    t = xc * _LOG2E + _SHIFT
    kf = t - _SHIFT
    k = f2i(t) - f2i(_SHIFT)
    # rh = x - k·LN2_HI is exact (k·LN2_HI fits in 53 bits; Sterbenz); r = rh + rl
    # rounds, with the exact error re = rl - (r - rh) (|rh| ≥ |rl|, fast two-sum).
    # exp(r + re) - 1 = q(r) + re·(1 + q(r)) keeps that rounding out of the result
    # (within ~0.52 ulp instead of ~1.4).
    rh = xc - kf * _LN2_HI
    rl = -(kf * _LN2_LO)
    r = rh + rl
    re = rl - (r - rh)
    q = _expm1_poly(r)
    q = q + re * (1.0 + q)
    k1 = k >> 1
    k2 = k - k1
    s1 = i2f((k1 + 1023) << 52)
    s2 = i2f((k2 + 1023) << 52)
    return q, s1, s2


@_jit
def exp_d(x: float) -> float:
    """e^x within ~0.52 float64 ulp (float64 loops)."""
    q, s1, s2 = _reduce(x)
    return ((1.0 + q) * s1) * s2


@_jit
def kexp_d(x: float, hi: float, lo: float) -> float:
    """k·e^x for k = hi + lo (a double-double, 2^-60 ≤ k < 2) and x ≤ 0, rounded once.

    With x = m·ln 2 + r and e^r = 1 + q (:func:`_reduce`, the same reduction as exp_d and
    expm1_d, so LLVM merges it with theirs when the argument is the same):
    k·(1 + q) = hi + (hi·q + lo·(1 + q)), whose inner rounding is ≤ 1/4 ulp of the sum
    (-0.30 < q < 0.42), then ·2^(m - m//2) (exact) and ·2^(m//2), the one rounding into the
    subnormal range. So no intermediate underflows before the product, unlike k·exp(x)
    (x > -746 after _reduce's clamp: k·e^-746 < 2^-1075 rounds to 0 as it should).
    Error ≤ exp_d's + 1/4 ulp on normal results, ≤ 0.5 ulp + 2^-50 of the subnormal
    spacing below 2^-1022."""
    q, s1, s2 = _reduce(x)
    v = hi + (hi * q + lo * (1.0 + q))
    return (v * s1) * s2


@_jit
def expm1_d(x: float) -> float:
    """e^x - 1 within ~0.7 float64 ulp (float64 loops)."""
    # 2**k·(1 + q) - 1 = 2**k·q + (2**k - 1); 2**k - 1 is exact for the k that matter.
    q, s1, s2 = _reduce(x)
    s = s1 * s2
    r = sel(x > 709.0, (q * s1 + s1) * s2 - 1.0, q * s + (s - 1.0))
    return sel(x == 0.0, x, r)  # keeps the sign of zero


# log(u) = k·ln 2 + log(m), m ∈ [√2/2, √2): log(m) = 2·atanh(s), s = (m - 1)/(m + 1),
# |s| ≤ 0.1716, as the odd series 2s·(1 + s²/3 + s⁴/5 + ...) to s²¹ (error < 1e-17).
# m and k come from the bits of u, offset so that the exponent changes at √2/2.
_SQRTH_BITS = 0x3FE6A09E667F3BCD  # bits of √2/2
_ONE_BITS = 0x3FF0000000000000
_MANT = 0x000FFFFFFFFFFFFF


@_jit
def _log_core_d(u: float, c: float) -> float:
    """log(u) + c/u for finite u > 0 (c: a small correction, e.g. log1p's rounding)."""
    hx = f2i(u) + (_ONE_BITS - _SQRTH_BITS)
    k = (hx >> 52) - 1023
    m = i2f((hx & _MANT) + _SQRTH_BITS)
    f = m - 1.0  # exact (Sterbenz)
    s = f / (2.0 + f)
    z = s * s
    # fdlibm's form log(1 + f) = f - (f²/2 - s·(f²/2 + R)), R = z·p = 2s²/3 + 2s⁴/5 + …: the
    # leading f is exact and the rounding of s only enters the small correction term.
    p = 2.0 / 21.0
    p = p * z + 2.0 / 19.0
    p = p * z + 2.0 / 17.0
    p = p * z + 2.0 / 15.0
    p = p * z + 2.0 / 13.0
    p = p * z + 2.0 / 11.0
    p = p * z + 2.0 / 9.0
    p = p * z + 2.0 / 7.0
    p = p * z + 2.0 / 5.0
    p = p * z + 2.0 / 3.0
    kf = float(k)
    r = z * p
    hfsq = 0.5 * f * f
    # (fdlibm's order: the corrections join the small term before f and k·ln 2 hi)
    return kf * _LN2_HI - ((hfsq - (s * (hfsq + r) + (kf * _LN2_LO + c / u))) - f)


# The special values of log1p and log around a core (the full-accuracy _log_core_d or the
# budgeted _log_core_v below): the argument the core may see, then the results it must not give.
@_jit
def _log1p_arg(x: float) -> tuple[float, float]:
    """(u, c): u = 1 + x rounded, kept finite and positive for the core, and the exact
    rounding error c of 1 + x (log1p(x) = log(u) + c/u)."""
    u = 1.0 + x
    c = (x - (u - 1.0))
    return sel(u > 0.0, sel(u < INF, u, 1.0), 1.0), c


@_jit
def _log1p_special(x: float, r: float) -> float:
    r = sel(x == INF, INF, r)
    r = sel(x == -1.0, -INF, r)
    r = sel(x < -1.0, NAN, r)
    r = sel(x == 0.0, x, r)  # keeps the sign of zero
    return sel(x != x, x, r)


@_jit
def _log_arg(x: float) -> tuple[float, bool]:
    """(x', tiny): x kept finite and positive for the core, subnormals scaled by 2^54."""
    xs = sel(x > 0.0, sel(x < INF, x, 1.0), 1.0)
    tiny = xs < 2.2250738585072014e-308
    return sel(tiny, xs * 18014398509481984.0, xs), tiny  # 2**54


@_jit
def _log_special(x: float, r: float, tiny: bool) -> float:
    r = r - sel(tiny, 54.0 * 0.6931471805599453, 0.0)
    r = sel(x == INF, INF, r)
    r = sel(x == 0.0, -INF, r)
    r = sel(x < 0.0, NAN, r)
    return sel(x != x, x, r)


@_jit
def log1p_d(x: float) -> float:
    """log(1 + x) within ~0.9 float64 ulp (float64 loops)."""
    u, c = _log1p_arg(x)
    return _log1p_special(x, _log_core_d(u, c))


@_jit
def log_d(x: float) -> float:
    """log(x) within ~0.9 float64 ulp (float64 loops)."""
    xs, tiny = _log_arg(x)
    return _log_special(x, _log_core_d(xs, 0.0), tiny)


# -- budgeted versions for float32-and-narrower results (module docstring) ----------------
# Coefficients from tools/gen_vmath_budget.py (tests/test_generated.py checks them).
#: e^r - 1 ≈ r + r²·Σ EXPM1_B[k]·r^k on |r| ≤ 0.35 (fit ≤ 2^-42.2 relative).
EXPM1_B = (
    0.4999999999995143, 0.16666666666662253, 0.041666666793542445,
    0.008333333344864254, 0.001388883711096176, 0.00019841222782522139,
    2.4869188954759244e-05, 2.7618763206396978e-06,
)
#: 2·atanh(s) ≈ 2s + s·z·Σ LOG_B[k]·z^k, z = s² ≤ 0.02944 (fit ≤ 2^-43.1 relative).
LOG_B = (
    0.666666666673751, 0.39999998797332925, 0.28571754536866334,
    0.22191400769876132, 0.19362654888385172,
)


@_jit
def _reduce_v(x: float) -> tuple[float, float, float]:
    """As _reduce with the budgeted polynomial (degree 9 instead of 13, Estrin) and no
    compensation of r's rounding (relative 2⁻⁵³ of |r| ≤ 0.35: ≤ 2⁻⁵⁴ in e^r)."""
    xc = sel(x > _EXP_HI, _EXP_HI, sel(x < _EXP_LO, _EXP_LO, x))  # NaN passes through
    t = xc * _LOG2E + _SHIFT
    kf = t - _SHIFT
    k = f2i(t) - f2i(_SHIFT)
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO
    c = EXPM1_B
    r2 = r * r
    r4 = r2 * r2
    p = ((c[0] + c[1] * r) + (c[2] + c[3] * r) * r2
         + ((c[4] + c[5] * r) + (c[6] + c[7] * r) * r2) * r4)
    q = r + r2 * p
    k1 = k >> 1
    k2 = k - k1
    s1 = i2f((k1 + 1023) << 52)
    s2 = i2f((k2 + 1023) << 52)
    return q, s1, s2


@_jit
def exp_v(x: float) -> float:
    """e^x, relative error ≤ 2⁻⁴⁰ (float32-and-narrower loops)."""
    q, s1, s2 = _reduce_v(x)
    return ((1.0 + q) * s1) * s2


@_jit
def expm1_v(x: float) -> float:
    """e^x - 1, relative error ≤ 2⁻⁴⁰ (float32-and-narrower loops)."""
    q, s1, s2 = _reduce_v(x)
    s = s1 * s2
    r = sel(x > 709.0, (q * s1 + s1) * s2 - 1.0, q * s + (s - 1.0))
    return sel(x == 0.0, x, r)  # keeps the sign of zero


@_jit
def _log_core_v(u: float, c: float) -> float:
    """_log_core_d with the budgeted series (LOG_B: degree 4 in z instead of 9)."""
    hx = f2i(u) + (_ONE_BITS - _SQRTH_BITS)
    k = (hx >> 52) - 1023
    m = i2f((hx & _MANT) + _SQRTH_BITS)
    f = m - 1.0  # exact (Sterbenz)
    s = f / (2.0 + f)
    z = s * s
    b = LOG_B
    p = (b[0] + b[1] * z) + (b[2] + b[3] * z) * (z * z) + b[4] * ((z * z) * (z * z))
    kf = float(k)
    r = z * p
    hfsq = 0.5 * f * f
    return kf * _LN2_HI - ((hfsq - (s * (hfsq + r) + (kf * _LN2_LO + c / u))) - f)


@_jit
def log1p_v(x: float) -> float:
    """log(1 + x), relative error ≤ 2⁻⁴⁰ (float32-and-narrower loops)."""
    u, c = _log1p_arg(x)
    return _log1p_special(x, _log_core_v(u, c))


@_jit
def log_v(x: float) -> float:
    """log(x), relative error ≤ 2⁻⁴⁰ (float32-and-narrower loops)."""
    xs, tiny = _log_arg(x)
    return _log_special(x, _log_core_v(xs, 0.0), tiny)


@_jit
def _copysign(a: float, b: float) -> float:
    return i2f((f2i(a) & 0x7FFFFFFFFFFFFFFF) | (f2i(b) & -0x8000000000000000))


@_jit
def tanh_v(x: float) -> float:
    # tanh|x| = -expm1(-2|x|)/(2 + expm1(-2|x|)): no cancellation near 0.
    em = expm1_v(-2.0 * abs(x))
    return _copysign(-em / (2.0 + em), x)


@_jit
def sqrt_v(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else (NAN if x == x else x)


@_jit
def hypot_v(x: float, y: float) -> float:
    a = abs(x)
    b = abs(y)
    m = sel(a > b, a, b)
    n = sel(a > b, b, a)
    r = n / m
    h = m * math.sqrt(1.0 + r * r)
    h = sel(m == 0.0, 0.0, h)
    h = sel(bor(x != x, y != y), NAN, h)
    return sel(bor(a == INF, b == INF), INF, h)


# -- vectorizable error functions ------------------------------------------------------
# erfcx(x) = exp(x²)·erfc(x) for x ≥ 0 as one Chebyshev series in y = (x - K)/(x + K)
# (Schonfelder's substitution, K = 3.75), which maps [0, ∞) onto [-1, 1):
#     erfcx(x)·(x + K) = Σ c_j T_j(y),
# bounded (K at 0, 1/√π at infinity), so y = 1 - 2K·r and erfcx = Σ·r share the one
# division r = 1/(x + K). Coefficients generated by tools/gen_erfcx.py with mpmath at 40
# digits (80 Chebyshev nodes, the discrete cosine transform of the values); terms beyond
# j = 25 are below 1e-17 of the value (the compiled loops use the shorter ERFCX_PB
# below, sized to their budget). ERFCX_P is the same polynomial in the power basis
# (Σ|p_k| ≈ 3.75 against values ≥ 0.56: a few ulps), evaluated with Estrin's scheme,
# whose dependency chain is ~6 operations deep instead of Clenshaw's ~50 (the loop was
# latency-bound on it).
ERFCX_K = 3.75
ERFCX_C = (
    1.5802719754089016, -1.4155291636062, 0.5310168126584589,
    -0.16770511573096467, 0.044234890018353, -0.009506139167741073,
    0.0015696224296742666, -0.0001678661262168746, 1.971677029425334e-06,
    3.086971620657423e-06, -4.936920694378021e-07, -9.53473146659699e-09,
    1.355826598349273e-08, -1.0830423386818938e-09, -2.9040184105173024e-10,
    5.307787477918412e-11, 5.780745301094449e-12, -1.993785314415682e-12,
    -1.1724828156626574e-13, 7.242772425819852e-14, 2.8807292328713077e-15,
    -2.704740368320276e-15, -1.0963030130900087e-16, 1.0501564927720586e-16,
    6.164032198401937e-18, -4.1796818392698915e-18,
)
ERFCX_P = (
    1.0919229095627891, -0.9587415766529096, 0.7363189252217519,
    -0.4904702912076774, 0.27906204903376985, -0.13195540117857807,
    0.04911877861562649, -0.012535880040196916, 0.000986338075377297,
    0.0007948230899952292, -0.0003486468273683575, 1.0594055896175338e-05,
    3.7471623130825924e-05, -8.904237924637221e-06, -3.2893126401950527e-06,
    1.656912080119259e-06, 2.798315510217298e-07, -2.653266741979513e-07,
    -2.7150900021014564e-08, 4.212531253619038e-08, 3.5892399836582983e-09,
    -6.574060661632119e-09, -5.401573045214062e-10, 8.787389642554083e-10,
    5.1707649811772075e-11, -7.012342502870825e-11,
)


@_jit
def _erfcx_pos_d(a: float) -> float:
    """erfcx(a) for a ≥ 0 (a = +inf gives 0), within a few float64 ulps (ERFCX_P)."""
    r = 1.0 / (a + ERFCX_K)
    y = 1.0 - (2.0 * ERFCX_K) * r
    p = ERFCX_P
    y2 = y * y
    y4 = y2 * y2
    y8 = y4 * y4
    q0 = p[0] + p[1] * y
    q1 = p[2] + p[3] * y
    q2 = p[4] + p[5] * y
    q3 = p[6] + p[7] * y
    q4 = p[8] + p[9] * y
    q5 = p[10] + p[11] * y
    q6 = p[12] + p[13] * y
    q7 = p[14] + p[15] * y
    q8 = p[16] + p[17] * y
    q9 = p[18] + p[19] * y
    q10 = p[20] + p[21] * y
    q11 = p[22] + p[23] * y
    q12 = p[24] + p[25] * y
    u0 = q0 + q1 * y2
    u1 = q2 + q3 * y2
    u2 = q4 + q5 * y2
    u3 = q6 + q7 * y2
    u4 = q8 + q9 * y2
    u5 = q10 + q11 * y2
    v0 = u0 + u1 * y4
    v1 = u2 + u3 * y4
    v2 = u4 + u5 * y4
    w0 = v0 + v1 * y8
    w1 = v2 + q12 * y8
    g = w0 + w1 * (y8 * y8)
    return sel(a == 0.0, 1.0, g * r)  # exact at 0


#: The float32-and-narrower loops' series: ERFCX_C cut to 18 terms (Σ|c_j| ≈ 2e-13 beyond,
#: against values ≥ 0.56), in the power basis (tools/gen_erfcx.py's power_coefficients(18);
#: its max relative error, 2^-42.7: tools/gen_vmath_budget.py).
ERFCX_PB = (
    1.0919229095626688, -0.9587415766514741, 0.7363189252413506,
    -0.4904702912946337, 0.2790620485070986, -0.13195539962955669,
    0.0491187840773209, -0.012535892627949689, 0.000986309601975238,
    0.0007948787993452577, -0.0003485629569775018, 1.0447954713974711e-05,
    3.732498282399903e-05, -8.669064858767858e-06, -3.136665730000826e-06,
    1.4249529364357236e-06, 1.8942346202626291e-07, -1.3066471436554613e-07,
)


@_jit
def _erfcx_pos_v(a: float) -> float:
    """erfcx(a) for a ≥ 0 (a = +inf gives 0), relative error ≤ 2⁻⁴⁰ (ERFCX_PB)."""
    r = 1.0 / (a + ERFCX_K)
    y = 1.0 - (2.0 * ERFCX_K) * r
    p = ERFCX_PB
    y2 = y * y
    y4 = y2 * y2
    y8 = y4 * y4
    q0 = p[0] + p[1] * y
    q1 = p[2] + p[3] * y
    q2 = p[4] + p[5] * y
    q3 = p[6] + p[7] * y
    q4 = p[8] + p[9] * y
    q5 = p[10] + p[11] * y
    q6 = p[12] + p[13] * y
    q7 = p[14] + p[15] * y
    q8 = p[16] + p[17] * y
    v0 = (q0 + q1 * y2) + (q2 + q3 * y2) * y4
    v1 = (q4 + q5 * y2) + (q6 + q7 * y2) * y4
    g = (v0 + v1 * y8) + q8 * (y8 * y8)
    return sel(a == 0.0, 1.0, g * r)  # exact at 0


# The normal tail's W of actfn.kernels.erfc (tools/gen_erfc.py's pieces) by table
# lookup: the piece index is counted branch-free from the pieces' lower ends, and its
# midpoint and coefficients are loaded from one (pieces × 16) table (vector gathers),
# instead of the NumPy path's selection of every coefficient over every piece (~220
# selects per element). The Horner sum is the same sequence of roundings as
# kernels.erfc._horner, so both paths give identical bits.
def _tail_table() -> tuple[np.ndarray, tuple[float, ...], tuple[float, ...], int]:
    from ..kernels._erfc_tables import A_PIECES, T_PIECES

    rows = [(mk, *ck) for _lo, _hi, mk, ck in A_PIECES + T_PIECES]
    return (np.array(rows, dtype=np.float64), tuple(p[0] for p in A_PIECES[1:]),
            tuple(p[0] for p in T_PIECES[1:]), len(A_PIECES))


_TAIL, _TAIL_A_LO, _TAIL_T_LO, _TAIL_NA = _tail_table()
#: W is tabulated in a below this, a·W in t = 1/a above it (kernels.erfc.TAIL_SWITCH).
_TAIL_SWITCH = 6.0


@_jit
def tail_horner_v(a: float) -> float:
    """W(a) for 0 ≤ a < 6, else a·W(a) from the pieces in t = 1/a (kernels.erfc)."""
    small = a < _TAIL_SWITCH
    v = sel(small, a, 1.0 / sel(small, _TAIL_SWITCH, a))
    ka = 0
    for lo in _TAIL_A_LO:
        ka += np.int64(v >= lo)
    kt = _TAIL_NA
    for lo in _TAIL_T_LO:
        kt += np.int64(v >= lo)
    k = sel(small, ka, kt)
    s = v - _TAIL[k, 0]
    p = _TAIL[k, 15] + 0.0 * s
    for j in range(14, 3, -1):
        p = p * s + _TAIL[k, j]
    return _TAIL[k, 1] + (_TAIL[k, 2] + (p * s + _TAIL[k, 3]) * s)


@_jit
def erfcx_v(x: float) -> float:
    a = abs(x)
    p = _erfcx_pos_v(a)
    # erfcx(-a) = 2·exp(a²) - erfcx(a)
    return sel(x < 0.0, 2.0 * exp_v(a * a) - p, p)


@_jit
def erfc_v(x: float) -> float:
    a = abs(x)
    q = exp_v(-(a * a)) * _erfcx_pos_v(a)
    return sel(x < 0.0, 2.0 - q, q)


@_jit
def erfcx_d(x: float) -> float:
    """erfcx(x) within a few float64 ulps for x ≥ 0, ~1e-14 relative below (ERFCX_P)."""
    a = abs(x)
    p = _erfcx_pos_d(a)
    return sel(x < 0.0, 2.0 * exp_d(a * a) - p, p)


@_jit
def erfc_d(x: float) -> float:
    """erfc(x), relative error below 1e-13 where the result is normal (ERFCX_P)."""
    a = abs(x)
    q = exp_d(-(a * a)) * _erfcx_pos_d(a)
    return sel(x < 0.0, 2.0 - q, q)


@_jit
def erf_v(x: float) -> float:
    # |x| < 0.5: Maclaurin series 2/√π·Σ (-1)^n x^(2n+1)/(n!(2n+1)) to n = 9 (the
    # first term left out, z¹⁰/(10!·21) ≤ 1.3e-14, is inside the 2⁻⁴⁰ budget);
    # otherwise 1 - erfc(|x|) (erfc(0.5) = 0.48, so at most one bit cancels).
    z = x * x
    p = 1.0 / (362880.0 * 19.0)
    p = p * -z + 1.0 / (40320.0 * 17.0)
    p = p * -z + 1.0 / (5040.0 * 15.0)
    p = p * -z + 1.0 / (720.0 * 13.0)
    p = p * -z + 1.0 / (120.0 * 11.0)
    p = p * -z + 1.0 / (24.0 * 9.0)
    p = p * -z + 1.0 / (6.0 * 7.0)
    p = p * -z + 1.0 / (2.0 * 5.0)
    p = p * -z + 1.0 / 3.0
    p = p * -z + 1.0
    small = 1.1283791670955126 * x * p
    big = _copysign(1.0 - erfc_v(abs(x)), x)
    return sel(abs(x) < 0.5, small, big)


# -- float16 / bfloat16 loads and stores (bits as uint16) ------------------------------
@_jit
def ld_f16(h: np.uint16) -> float:
    b = np.int64(h)
    s = (b & 0x8000) << 48
    e = (b >> 10) & 0x1F
    m = b & 0x3FF
    normal = i2f(s | ((e + 1008) << 52) | (m << 42))
    special = i2f(s | (0x7FF << 52) | (m << 42))
    sub = _copysign(float(m) * 5.960464477539063e-08, i2f(s))  # m·2**-24
    return sel(e == 0, sub, sel(e == 31, special, normal))


@_jit
def _st16(v: float, drop: int, rebias: int, min_normal: float, sub_scale: float,
          overflow_bits: int, inf_bits: int, nan_bits: int) -> np.uint16:
    b = f2i(v)
    s = (b >> 48) & 0x8000
    a = b & 0x7FFFFFFFFFFFFFFF
    # normal range: round the float64 bits to nearest even, dropping `drop` bits
    r = a + ((1 << (drop - 1)) - 1) + ((a >> drop) & 1)
    normal = (r >> drop) - rebias
    # subnormal range: an integer number of the smallest subnormal (exact scaling)
    y = i2f(a) * sub_scale
    sub = f2i(y + 4503599627370496.0) - f2i(4503599627370496.0)  # RNE to integer
    res = sel(i2f(a) < min_normal, sub, normal)
    res = sel(a >= overflow_bits, inf_bits, res)
    res = sel(a > 0x7FF0000000000000, nan_bits, res)
    return np.uint16(s | res)


_F16_OVERFLOW = int(np.float64(65520.0).view(np.int64))  # halfway from max (65504) to 2**16
_BF16_OVERFLOW = int(np.float64((2.0 - 2.0**-8) * 2.0**127).view(np.int64))


@_jit
def st_f16(v: float) -> np.uint16:
    return _st16(v, 42, 1008 << 10, 6.103515625e-05, 16777216.0,
                 _F16_OVERFLOW, 0x7C00, 0x7E00)


@_jit
def ld_bf16(h: np.uint16) -> float:
    return np.float64(i2f32(np.int32(np.int64(h) << 16)))


@_jit
def st_bf16(v: float) -> np.uint16:
    return _st16(v, 45, 896 << 7, 1.1754943508222875e-38, 2.0**133,
                 _BF16_OVERFLOW, 0x7F80, 0x7FC0)
