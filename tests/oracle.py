"""An independent high-precision oracle for every activation, and ulp measurement.

The formulas below are written directly in mpmath from the mathematical definitions
(not from actfn's kernels). They are arranged so that no step cancels
catastrophically (sech instead of 1 - tanh², conjugate forms for squareplus,
precision raised where x - tanh x is tiny); mpmath's unbounded exponent range means
nothing overflows or underflows. Each value is then rounded correctly to the target
dtype by comparing the nearest candidates exactly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import ml_dtypes
import mpmath
import numpy as np
from mpmath import mp, mpf

PREC = 256
mp.prec = PREC

DTYPES = {
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}

ONE, TWO, HALF = mpf(1), mpf(2), mpf(1) / 2


def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


def _dsig(x):
    e = mpmath.exp(-abs(x))
    return e / (1 + e) ** 2


def _d2sig(x):
    # σ'' = σ'·(1 - 2σ) = -σ'·tanh(x/2)
    return -_dsig(x) * mpmath.tanh(x / 2)


#: Stand-in for a positive number far below every float (mpmath's erfc cannot take
#: arguments near 1e310, used for the limits at ±inf).
_FAR_TINY = mpf(2) ** (-(10**7))


def _Phi(x):
    if abs(x) > 10**4:
        return ONE - _FAR_TINY if x > 0 else _FAR_TINY
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def _phi(x):
    if abs(x) > 10**4:
        return _FAR_TINY
    return mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)


def _pw(cond, a, b):
    return a if cond else b


# Each entry: name -> function(params) -> (f, df, d2f) over mpf x (finite).
def _elu(a, s=ONE):
    return (
        lambda x: s * x if x > 0 else s * a * mpmath.expm1(x),
        lambda x: s if x > 0 else s * a * mpmath.exp(x),
        lambda x: mpf(0) if x >= 0 else s * a * mpmath.exp(x),  # f''(0) = 0 (torch)
    )


def _celu(a):
    return (
        lambda x: x if x > 0 else a * mpmath.expm1(x / a),
        lambda x: ONE if x > 0 else mpmath.exp(x / a),
        lambda x: mpf(0) if x >= 0 else mpmath.exp(x / a) / a,
    )


def _leaky(a):
    return (lambda x: x if x > 0 else a * x, lambda x: ONE if x > 0 else a, lambda x: mpf(0))


def _swish(b):
    def df(x):
        return _sig(b * x) + b * x * _dsig(b * x)

    def d2f(x):
        return 2 * b * _dsig(b * x) + b * b * x * _d2sig(b * x)

    return (lambda x: x * _sig(b * x), df, d2f)


def _gelu_tanh():
    c = mpmath.sqrt(2 / mpmath.pi)
    a = mpf("0.044715")

    def v(x):
        return 2 * c * (x + a * x**3)

    def dv(x):
        return 2 * c * (1 + 3 * a * x * x)

    def d2v(x):
        return 2 * c * 6 * a * x

    return (
        lambda x: x * _sig(v(x)),
        lambda x: _sig(v(x)) + x * dv(x) * _dsig(v(x)),
        lambda x: 2 * dv(x) * _dsig(v(x)) + x * d2v(x) * _dsig(v(x)) + x * dv(x) ** 2 * _d2sig(v(x)),
    )


def _mish():
    def sp(x):
        return mpmath.log1p(mpmath.exp(x))

    def g(x):
        return mpmath.tanh(sp(x))

    def h(x):
        return mpmath.sech(sp(x)) ** 2

    def df(x):
        return g(x) + x * h(x) * _sig(x)

    def d2f(x):
        # d/dx [g + x h σ] with g' = hσ, h' = -2 g h σ, σ' = σ(1-σ)
        s = _sig(x)
        return 2 * h(x) * s + x * (-2 * g(x) * h(x) * s * s + h(x) * _dsig(x))

    return (lambda x: x * g(x), df, d2f)


def _tanhshrink_f(x):
    # x - tanh x ≈ x³/3 loses 2·log2(1/|x|) bits to cancellation: add them.
    extra = 0 if x == 0 else max(0, -2 * int(mpmath.floor(mpmath.log(abs(x), 2))))
    with mp.extraprec(extra + 16):
        return +(x - mpmath.tanh(x))


def _squareplus(b):
    def h(x):
        return mpmath.sqrt(x * x + b)

    return (
        lambda x: (x + h(x)) / 2 if x >= 0 else b / (2 * (h(x) - x)),
        lambda x: (1 + x / h(x)) / 2 if x >= 0 else b / (2 * h(x) * (h(x) - x)),
        lambda x: b / (2 * h(x) ** 3),
    )


def _softplus(b):
    return (
        lambda x: mpmath.log1p(mpmath.exp(b * x)) / b,
        lambda x: _sig(b * x),
        lambda x: b * _dsig(b * x),
    )


def _zero(x):
    return mpf(0)


def oracle(name: str, params: dict) -> tuple[Callable, Callable, Callable]:
    """(f, f', f'') of activation ``name`` with ``params`` as mpmath functions."""
    p = {k: (mpf(v) if isinstance(v, float) else v) for k, v in params.items()}
    if name == "sigmoid":
        return _sig, _dsig, _d2sig
    if name == "logsigmoid":
        return (
            lambda x: -mpmath.log1p(mpmath.exp(-x)),
            lambda x: _sig(-x),
            lambda x: -_dsig(x),
        )
    if name == "tanh":
        return (
            mpmath.tanh,
            lambda x: mpmath.sech(x) ** 2,
            lambda x: -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2,
        )
    if name == "tanhshrink":
        return (
            _tanhshrink_f,
            lambda x: mpmath.tanh(x) ** 2,
            lambda x: 2 * mpmath.tanh(x) * mpmath.sech(x) ** 2,
        )
    if name == "softsign":
        return (
            lambda x: x / (1 + abs(x)),
            lambda x: 1 / (1 + abs(x)) ** 2,
            lambda x: -2 * mpmath.sign(x) / (1 + abs(x)) ** 3,
        )
    if name == "hardsigmoid":
        return (
            lambda x: mpf(0) if x <= -3 else (ONE if x >= 3 else x / 6 + HALF),
            lambda x: ONE / 6 if -3 < x < 3 else mpf(0),
            _zero,
        )
    if name == "sparse_sigmoid":
        return (
            lambda x: mpf(0) if x <= -1 else (ONE if x >= 1 else (x + 1) / 2),
            # f'(±1) = 1/4: JAX's autodiff of clip splits the slope at a tie
            lambda x: HALF if -1 < x < 1 else (ONE / 4 if abs(x) == 1 else mpf(0)),
            _zero,
        )
    if name == "hardtanh":
        lo, hi = p["min_val"], p["max_val"]
        return (
            lambda x: min(max(x, lo), hi),
            lambda x: ONE if lo < x < hi else mpf(0),
            _zero,
        )
    if name == "relu":
        return (lambda x: max(x, mpf(0)), lambda x: ONE if x > 0 else mpf(0), _zero)
    if name == "relu6":
        return (
            lambda x: min(max(x, mpf(0)), mpf(6)),
            lambda x: ONE if 0 < x < 6 else mpf(0),
            _zero,
        )
    if name == "leaky_relu":
        return _leaky(p["negative_slope"])
    if name == "prelu":
        return _leaky(p["weight"])
    if name == "rrelu":
        return _leaky((p["lower"] + p["upper"]) / 2)
    if name == "threshold":
        t, v = p["threshold"], p["value"]
        return (lambda x: x if x > t else v, lambda x: ONE if x > t else mpf(0), _zero)
    if name == "identity":
        return (lambda x: x, lambda x: ONE, _zero)
    if name == "exponential":
        return (mpmath.exp, mpmath.exp, mpmath.exp)
    if name == "elu":
        return _elu(p["alpha"])
    if name == "selu":
        return _elu(p["alpha"], p["scale"])
    if name == "celu":
        return _celu(p["alpha"])
    if name == "gelu":
        if p["approximate"] == "tanh":
            return _gelu_tanh()
        return (
            lambda x: x * _Phi(x),
            lambda x: _Phi(x) + x * _phi(x),
            lambda x: _phi(x) * (2 - x * x),
        )
    if name == "gelu_sigmoid":
        return _swish(mpf("1.702"))
    if name == "silu":
        return _swish(p["beta"])
    if name == "mish":
        return _mish()
    if name == "hardswish":
        return (
            lambda x: mpf(0) if x <= -3 else (x if x >= 3 else x * (x + 3) / 6),
            lambda x: mpf(0) if x <= -3 else (x / 3 + HALF if x < 3 else ONE),
            lambda x: ONE / 3 if -3 < x < 3 else mpf(0),
        )
    if name == "softplus":
        return _softplus(p["beta"])
    if name == "squareplus":
        return _squareplus(p["b"])
    if name == "sparse_plus":
        return (
            lambda x: mpf(0) if x <= -1 else (x if x >= 1 else (x + 1) ** 2 / 4),
            lambda x: mpf(0) if x <= -1 else (ONE if x >= 1 else (x + 1) / 2),
            lambda x: HALF if -1 < x < 1 else mpf(0),
        )
    if name == "softshrink":
        lam = p["lambd"]
        return (
            lambda x: x - lam if x > lam else (x + lam if x < -lam else mpf(0)),
            lambda x: ONE if abs(x) > lam else mpf(0),
            _zero,
        )
    if name == "hardshrink":
        lam = p["lambd"]
        return (
            lambda x: x if abs(x) > lam else mpf(0),
            lambda x: ONE if abs(x) > lam else mpf(0),
            _zero,
        )
    raise KeyError(f"no oracle for {name!r}")


# -- correct rounding and ulp distance -------------------------------------------------


def ordinal(a: np.ndarray) -> list[int]:
    """Ordered integer index of each float (…, -tiny → -1, ±0 → 0, tiny → 1, …)."""
    size = a.dtype.itemsize
    raw = a.view(_UINT[size]).astype(np.uint64).tolist()
    sign = 1 << (8 * size - 1)
    return [-(r - sign) if r >= sign else r for r in raw]


def _from_ordinal(k: int, dtype: np.dtype) -> float:
    size = dtype.itemsize
    sign = 1 << (8 * size - 1)
    raw = k if k >= 0 else (-k) | sign
    return np.array([raw], dtype=_UINT[size]).view(dtype)[0]


@functools.cache
def _finfo(dtype_name: str) -> tuple[mpf, mpf]:
    dt = DTYPES[dtype_name]
    fi = ml_dtypes.finfo(dt) if dtype_name == "bfloat16" else np.finfo(dt)
    mx = mpf(float(fi.max))
    # Overflow threshold for round-to-nearest: max + ulp(max)/2.
    ulp_max = mpf(2) ** (int(math.frexp(float(fi.max))[1]) - fi.nmant - 1)
    return mx, mx + ulp_max / 2


def round_to(v: mpf, dtype_name: str) -> float:
    """Round the exact value ``v`` to the nearest float of ``dtype_name``."""
    dt = DTYPES[dtype_name]
    if mpmath.isnan(v):
        return np.array([np.nan], dtype=dt)[0]
    mx, ovf = _finfo(dtype_name)
    if v >= ovf:
        return np.array([np.inf], dtype=dt)[0]
    if v <= -ovf:
        return np.array([-np.inf], dtype=dt)[0]
    approx = mpmath.libmp.to_float(v._mpf_, rnd="n") if v != 0 else 0.0
    c = np.array([approx], dtype=np.float64).astype(dt)
    if not np.isfinite(c[0]):
        c = np.array([float(mx) if v > 0 else -float(mx)], dtype=dt)
    k = ordinal(c)[0]
    best, best_err = None, None
    for j in (k - 1, k, k + 1):
        cand = _from_ordinal(j, dt)
        if not np.isfinite(cand):
            continue
        err = abs(mpf(float(cand)) - v)
        if best_err is None or err < best_err:
            best, best_err = cand, err
    if best == 0:
        best = np.array([-0.0 if v < 0 else 0.0], dtype=dt)[0]
    return best


def ulp_distance(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|got - want| in units in the last place of their dtype (nan vs nan → 0)."""
    g, w = ordinal(got), ordinal(want)
    gn, wn = np.isnan(got.astype(np.float64)), np.isnan(want.astype(np.float64))
    out = []
    for a, b, an, bn in zip(g, w, gn, wn, strict=True):
        if an or bn:
            out.append(0 if an and bn else 1 << 62)
        else:
            out.append(abs(a - b))
    return np.array(out, dtype=np.int64)


def exact(fn: Callable, x: float) -> mpf:
    """Evaluate ``fn`` at the float ``x`` exactly represented in mpmath."""
    if math.isnan(x):
        return mpf("nan")
    return fn(mpf(x))
