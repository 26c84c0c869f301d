"""float32-native scalar kernels for the compiled float32 loops (numba, imported only when used).

The generic float32 loops of :mod:`actfn._fast` convert every element to float64, run
the traced float64 kernels and round once: ≤ 1 float32 ulp with a wide margin, but at
the width of float64 vectors (8 lanes of AVX-512 instead of 16) and with float64's long
polynomials. The kernels here compute in float32 arithmetic and keep the same ≤ 1 ulp
contract by carrying the few roundings that matter as exact error terms: products
through the exact fused multiply-add :func:`fma32` (LLVM's ``llvm.fma.f32``: a hardware
FMA, exact in software where there is none; never a contraction left to the compiler,
the loops using these kernels are compiled without ``fastmath``), sums through
Fast2Sum. Everything is branch-free (:func:`actfn._fast._vmath.sel`), so LLVM
vectorizes the loop at 16 float32 lanes.

A spec opts in with :class:`actfn._registry.Native32` (the names of its kernels here);
the loop generator (:func:`actfn._fast._trace.native_program`) calls them instead of
tracing the float64 kernels, for float32 storage only.

Every function takes and returns float32 scalars (constants are ``np.float32`` globals,
which numba freezes as float32: a Python float literal would promote the arithmetic to
float64).
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from ._vmath import sel

__all__ = ["wide_vectors", "fma32", "pow2_of_shifted", "exp_neg_pair", "sigmoid_f32",
           "dsigmoid_f32", "sigmoid_fd_f32", "tanh_f32", "dtanh_f32", "tanh_fd_f32"]

_jit = numba.njit(cache=False, error_model="numpy", inline="always")
_F32 = np.float32


#: LLVM's function attribute that lets the loop vectorizer use 512-bit vectors where the
#: target prefers 256 (x86 cores with AVX-512 do by default): 16 float32 lanes.
_WIDE = '"prefer-vector-width"="512"'


@intrinsic
def wide_vectors(typingctx):  # type: ignore[no-untyped-def]
    """Mark the function being compiled with ``prefer-vector-width=512`` (no instruction).

    Called in a loop body, it applies to the function holding the loop (for a ``prange``
    loop, numba's outlined body). llvmlite only accepts the attributes it knows through
    ``FunctionAttributes.add``, so the string attribute goes into its set directly; where
    that fails (another llvmlite), nothing changes but the vector width."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        try:
            set.add(builder.function.attributes, _WIDE)
        except Exception:  # pragma: no cover - depends on llvmlite's internals
            pass
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def fma32(typingctx, a, b, c):  # type: ignore[no-untyped-def]
    """a·b + c rounded once to float32 (``llvm.fma.f32``): ``fma32(a, b, -(a·b))`` is the
    exact error of the float32 product a·b."""
    if not all(isinstance(t, types.Float) and t.bitwidth == 32 for t in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        f = ir.FloatType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(f, [f, f, f]),
                                            "llvm.fma.f32")
        return builder.call(fn, list(args))

    return types.float32(types.float32, types.float32, types.float32), codegen


@intrinsic
def pow2_of_shifted(typingctx, t):  # type: ignore[no-untyped-def]
    """2**(64 - k) as float32, for ``t = k + SHIFT`` (the shifter trick: ``t``'s low
    mantissa bits hold the integer k, 0 ≤ k ≤ 153 here). One i32 subtract and shift on
    the bits, all in 32-bit lanes: ``(127 + 64 - k) << 23 = ((bits(SHIFT) + 191) -
    bits(t)) << 23``."""
    if not (isinstance(t, types.Float) and t.bitwidth == 32):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        i32 = ir.IntType(32)
        bits = builder.bitcast(args[0], i32)
        base = ir.Constant(i32, int(np.float32(_SHIFT_F).view(np.int32)) + 191)
        e = builder.shl(builder.sub(base, bits), ir.Constant(i32, 23))
        return builder.bitcast(e, ir.FloatType())

    return types.float32(types.float32), codegen


# -- exp(-a) as an unevaluated float32 pair ----------------------------------------------
# exp(-a) = 2**-k · exp(y) · exp(k·LN2_LO), k = round(a/ln 2) (shifter trick), y = k·LN2_HI - a
# with LN2_HI + LN2_LO = ln 2. y is exact for 0 ≤ a ≤ 106: a multiple of 2**-25 (a ≥ 0.347
# when k ≥ 1; k = 0 gives y = -a) of magnitude < 0.5 fits in 24 bits, and the FMA does not
# round the product. |k·LN2_LO| ≤ 3e-7 enters as the factor 1 + k·LN2_LO. exp(y), |y| ≤ 0.35,
# is (1 + y) + (y²/2 + y³·R(y)) with both sums as Fast2Sums: (h, l) with |l| ≲ 2**-24·h
# and a relative error below ~2**-27 (the roundings of y² and of the small second term).
_SHIFT_F = 12582912.0  # 1.5 * 2**23
_SHIFT = _F32(_SHIFT_F)
_LOG2E = _F32(1.4426950408889634)
_LN2_HI = _F32(0.6931471805599453)
_LN2_LO = _F32(0.6931471805599453 - float(_F32(0.6931471805599453)))
#: R(y) = (e**y - 1 - y - y²/2)/y³ on |y| ≤ 0.35: least squares on Chebyshev nodes, float32
#: coefficients (degree 4), relative error 2**-23.4 (enters scaled by |y³·R| ≤ 0.0075).
_R0 = _F32(0.1666666716337204)
_R1 = _F32(0.04166654869914055)
_R2 = _F32(0.00833331048488617)
_R3 = _F32(0.001392692094668746)
_R4 = _F32(0.000198919718968682)
_ONE = _F32(1.0)
_HALF = _F32(0.5)
#: σ(-a) and σ′(a) round to 0 for a ≥ 103.98, 4σ′(a) (tanh′) for a ≥ 105.4; the clamp keeps
#: 2**(64-k) normal.
_A_MAX = _F32(106.0)
_TWO_M64 = _F32(2.0**-64)


@_jit
def exp_neg_pair(a: np.float32) -> tuple[np.float32, np.float32, np.float32]:
    """(h, l, s) with exp(-a) = (h + l)·s·2**-64 for 0 ≤ a ≤ 106: h ∈ [0.7, 1.42], |l| ≲
    2**-24·h, s = 2**(64 - k) (normal), relative error below ~2**-27."""
    t = a * _LOG2E + _SHIFT
    k = t - _SHIFT
    y = fma32(k, _LN2_HI, -a)  # exact: -(a - k·LN2_HI)
    s = y * y  # (its rounding, ≤ 2**-24·y²/2 ≤ 2**-28, is left out)
    p = fma32(fma32(fma32(fma32(_R4, y, _R3), y, _R2), y, _R1), y, _R0)
    v = fma32(s * y, p, s * _HALF)  # y²/2 + y³·R(y) ≤ 0.07: rounding ≤ 2**-28
    h1 = _ONE + y
    l1 = (_ONE - h1) + y  # Fast2Sum: 1 ≥ |y|
    h = h1 + v
    l2 = (h1 - h) + v  # Fast2Sum: h1 ≥ 0.65 > |v|
    low = fma32(h, k * _LN2_LO, l1 + l2)  # exp(k·LN2_LO) = 1 + k·LN2_LO to 2**-43
    return h, low, pow2_of_shifted(t)


# -- sigmoid ------------------------------------------------------------------------------
# σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0, σ'(x) = e/(1 + e)², e = exp(-|x|).
# With e = (h + l)·2**-k and 1 + e = dh + dl (Fast2Sum), q = 1/dh and the exact residual
# ρ = 1 - q·dh: 1/(1 + e) = q·(1 + ρ - q·dl) and e/(1 + e) = 2**-k·(m0 + (h - m0·dh + l -
# m0·dl)·q) with m0 = h·q; σ' is their product, with the error of m0·q recovered exactly.
# Each result is rounded once: the scaling by 2**-k (exact for k ≤ 149) is exact for a
# normal result; a subnormal σ(x) or σ'(x) (x < -87.3) rounds a second time there, a
# double rounding within 0.75 ulp. For k ≥ 150 (a ≥ 103.6) 2**-k rounds to 0, and so does
# the result, whose exact value is below 2**-149.4: within 0.76 ulp.
@_jit
def _logistic(a: np.float32) -> tuple[np.float32, np.float32, np.float32, np.float32,
                                      np.float32]:
    """(q, bc, m, p, S) for a ≥ 0 (NaN and +inf taken as 106): σ(a) = q·(1 + bc) (q + q·bc
    rounds once), σ(-a) = m·S·2**-64 and σ′(a) = p·S·2**-64 with m and p rounded once and
    S = 2**(64-k) (normal; S·2**-64 = 2**-k is exact for k ≤ 149, k ≤ 153 here)."""
    a = sel(a < _A_MAX, a, _A_MAX)  # NaN and +inf → 106 (the loop passes NaN through)
    h, low, sc = exp_neg_pair(a)
    s2 = sc * _TWO_M64  # 2**-k: exact (a subnormal power of two for k > 126)
    e = h * s2  # exact while normal; below, 1 + e = 1 anyway
    dh = _ONE + e
    dl = fma32(low, s2, (_ONE - dh) + e)  # Fast2Sum: 1 ≥ e
    q = _ONE / dh
    rho = fma32(-q, dh, _ONE)  # exact
    bc = fma32(-q, dl, rho)
    m0 = h * q
    res = fma32(-m0, dh, h)
    mc = ((res + low) - m0 * dl) * q
    p = m0 * q
    pl = fma32(m0, q, -p)
    pl = fma32(q, fma32(m0, bc, mc), pl)
    return q, bc, m0 + mc, p + pl, sc


@_jit
def _sigmoid_parts(x: np.float32) -> tuple[np.float32, np.float32]:
    q, bc, m, p, sc = _logistic(abs(x))
    s2 = sc * _TWO_M64
    return sel(x >= 0, fma32(q, bc, q), m * s2), p * s2


@_jit
def sigmoid_f32(x: np.float32) -> np.float32:
    """σ(x) = 1/(1 + exp(-x)) in float32 arithmetic, within 1 float32 ulp."""
    return _sigmoid_parts(x)[0]


@_jit
def dsigmoid_f32(x: np.float32) -> np.float32:
    """σ′(x) = σ(x)(1 - σ(x)) = e/(1 + e)², e = exp(-|x|), in float32 arithmetic."""
    return _sigmoid_parts(x)[1]


@_jit
def sigmoid_fd_f32(x: np.float32) -> tuple[np.float32, np.float32]:
    """(σ(x), σ′(x)) in one pass."""
    return _sigmoid_parts(x)


# -- tanh ---------------------------------------------------------------------------------
# tanh(x) = 2σ(2x) - 1 and tanh′(x) = 1 - tanh² = 4σ′(2x): from the σ parts of a = 2|x|,
# tanh|x| = 2q - 1 + 2q·bc (2q - 1 is exact: q ≥ 1/2, Sterbenz) and tanh′ = p·S·2**-62
# (= 2**(2-k), exact for k ≤ 151, so a subnormal tanh′ rounds like σ′). Where
# tanh|x| < 1/2 (|x| < atanh(1/2) = 0.5493) the cancellation in 2q - 1 would cost
# accuracy, so there tanh(x) = x + x³·P(x²), P of degree 4 (least squares on Chebyshev
# nodes, float32 coefficients: |x³·ΔP| ≤ 2**-28·|x|), one final rounding in the FMA; odd,
# so ±0 and the sign come out right.
_TANH_POLY = _F32(0.5493)
_T0 = _F32(-0.33333316445350647)
_T1 = _F32(0.13332585990428925)
_T2 = _F32(-0.05385254696011543)
_T3 = _F32(0.02107325755059719)
_T4 = _F32(-0.00627712719142437)
_TWO = _F32(2.0)
_TWO_M62 = _F32(2.0**-62)


@_jit
def _tanh_parts(x: np.float32) -> tuple[np.float32, np.float32]:
    a = abs(x)
    q, bc, _m, p, sc = _logistic(a * _TWO)  # (2|x| overflows to inf: taken as 106)
    q2 = q * _TWO
    big = fma32(q2, bc, q2 - _ONE)
    z = x * x
    t = fma32(fma32(fma32(fma32(_T4, z, _T3), z, _T2), z, _T1), z, _T0)
    small = sel(x == 0, x, fma32(x * z, t, x))  # (x + x³·P gives +0 for -0)
    return sel(a < _TANH_POLY, small, sel(x < 0, -big, big)), p * (sc * _TWO_M62)


@_jit
def tanh_f32(x: np.float32) -> np.float32:
    """tanh(x) in float32 arithmetic, within 1 float32 ulp."""
    return _tanh_parts(x)[0]


@_jit
def dtanh_f32(x: np.float32) -> np.float32:
    """tanh′(x) = 1 - tanh²(x) = 4e/(1 + e)², e = exp(-2|x|), in float32 arithmetic."""
    return _tanh_parts(x)[1]


@_jit
def tanh_fd_f32(x: np.float32) -> tuple[np.float32, np.float32]:
    """(tanh(x), tanh′(x)) in one pass."""
    return _tanh_parts(x)
