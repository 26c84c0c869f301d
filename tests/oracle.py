"""An independent high-precision oracle for every activation, and ulp measurement.

The formulas are each spec's reference formulas (``Spec.exact``, in the activation's
catalog module, see ``actfn._exact``), written from the mathematical definitions (not
from actfn's kernels) and evaluated here with mpmath at 256 bits. They are arranged so
that no step cancels catastrophically (sech instead of 1 - tanh², conjugate forms for
squareplus, precision raised where x - tanh x is tiny); mpmath's unbounded exponent
range means nothing overflows or underflows. Each value is then rounded correctly to
the target dtype by comparing the nearest candidates exactly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import ml_dtypes
import mpmath
import numpy as np
from mpmath import mp, mpf

import actfn

PREC = 256
mp.prec = PREC

DTYPES = {
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}

def oracle(name: str, params: dict) -> tuple[Callable, Callable, Callable]:
    """(f, f', f'') of activation ``name`` with ``params`` as mpmath functions.

    They evaluate the spec's reference formulas (``actfn.lookup(name).exact``, written in
    each catalog module from the mathematical definitions, independent of the kernels)
    with the mpmath namespace at this module's precision.
    """
    spec = actfn.lookup(name)
    if spec.exact is None:
        raise KeyError(f"no reference formula (Spec.exact) for {name!r}")
    p = {k: (mpf(v) if isinstance(v, float) else v) for k, v in params.items()}
    ex = spec.exact
    return (
        functools.partial(_call, ex.f, p),
        functools.partial(_call, ex.df, p),
        functools.partial(_call, ex.d2f, p),
    )


def _call(fn: Callable, p: dict, x: mpf) -> mpf:
    return mpf(fn(x, mpmath, **p))


#: The results of a gated unit, in the order of ``GatedExact``'s fields.
GATED_WHICH = ("f", "dg", "du", "dgg", "dgu", "duu")


def gated_oracle(name: str, params: dict) -> dict[str, Callable]:
    """f and the partials of the gated unit ``name`` as mpmath functions ``fn(gate, up)``:
    the spec's ``GatedExact`` (the composition of its gate's reference formulas,
    independent of the kernels) at this module's precision, keyed as :data:`GATED_WHICH`."""
    spec = actfn.lookup(name, kind="gated")
    p = {k: (mpf(v) if isinstance(v, float) else v) for k, v in params.items()}
    return {w: functools.partial(_call2, getattr(spec.exact, w), p) for w in GATED_WHICH}


def _call2(fn: Callable, p: dict, g: mpf, u: mpf) -> mpf:
    if mpmath.isnan(g) or mpmath.isnan(u):
        return mpf("nan")
    return mpf(fn(g, u, mpmath, **p))


# -- correct rounding and ulp distance -------------------------------------------------


def ordinal(a: np.ndarray) -> list[int]:
    """Ordered integer index of each float (…, -tiny → -1, ±0 → 0, tiny → 1, …)."""
    size = a.dtype.itemsize
    raw = a.view(_UINT[size]).astype(np.uint64).tolist()
    sign = 1 << (8 * size - 1)
    return [-(r - sign) if r >= sign else r for r in raw]


def from_ordinal(k: int, dtype: np.dtype) -> float:
    size = dtype.itemsize
    sign = 1 << (8 * size - 1)
    raw = k if k >= 0 else (-k) | sign
    return np.array([raw], dtype=_UINT[size]).view(dtype)[0]


@functools.cache
def float_limits(dtype_name: str) -> tuple[mpf, mpf]:
    dt = DTYPES[dtype_name]
    fi = ml_dtypes.finfo(dt) if dtype_name == "bfloat16" else np.finfo(dt)
    mx = mpf(float(fi.max))
    # Overflow threshold for round-to-nearest: max + ulp(max)/2.
    ulp_max = mpf(2) ** (int(math.frexp(float(fi.max))[1]) - fi.nmant - 1)
    return mx, mx + ulp_max / 2


def round_to(v: mpf, dtype_name: str) -> float:
    """Round the exact value ``v`` to the nearest float of ``dtype_name``, ties to even.

    ``v`` is known to the oracle's precision (256 bits): a value within about 2^-256
    (relative) of a midpoint between two floats rounds as the midpoint would.
    """
    dt = DTYPES[dtype_name]
    if mpmath.isnan(v):
        return np.array([np.nan], dtype=dt)[0]
    mx, ovf = float_limits(dtype_name)
    if v >= ovf:
        return np.array([np.inf], dtype=dt)[0]
    if v <= -ovf:
        return np.array([-np.inf], dtype=dt)[0]
    approx = mpmath.libmp.to_float(v._mpf_, rnd="n") if v != 0 else 0.0
    c = np.array([approx], dtype=np.float64).astype(dt)
    if not np.isfinite(c[0]):
        c = np.array([float(mx) if v > 0 else -float(mx)], dtype=dt)
    k = ordinal(c)[0]
    best, best_err, best_j = None, None, 0
    for j in (k - 1, k, k + 1):
        cand = from_ordinal(j, dt)
        if not np.isfinite(cand):
            continue
        err = abs(mpf(float(cand)) - v)
        # a tie goes to the even neighbour (its last significand bit, = the ordinal's, is 0)
        if best_err is None or err < best_err or (err == best_err and j % 2 == 0
                                                   and best_j % 2 != 0):
            best, best_err, best_j = cand, err, j
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
