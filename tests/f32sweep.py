"""Machinery of the float32-arithmetic accuracy sweeps (tests/test_f32_arith.py,
tools/f32_sweep.py): actfn's float32 working path (JAX without ``jax_enable_x64``)
measured against the correctly rounded reference (``actfn.reference``, python-flint
ball arithmetic).

Inputs: the float32 underflow/overflow bands of tests/f64sweep.py (found from the
kernels), seeded random float32 inputs (log-uniform magnitudes over the whole float32
range of both signs, and uniform [-40, 40]), and all 65,536 float16 / bfloat16 inputs.
Evaluation: ``actfn.jax``'s f, f′, f″ rules under ``jit`` with x64 off, so every step
is float32 arithmetic (float16/bfloat16 inputs are computed in float32 and rounded).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import f64sweep as S

__all__ = ["BOUNDS", "evaluate_f32", "flush", "flushes_subnormals", "ftz_ulps", "random_f32",
           "worst_f32"]

#: Bound in float32 ulps (issue 10 item 3) of the float32 working path, per function.
BOUNDS = {"f": 2, "df": 2, "d2f": 2}


def random_f32(n: int, seed: int) -> np.ndarray:
    """``n`` float32 inputs: half log-uniform |x| in [2^-149, 2^128) with a random
    sign, half uniform in [-40, 40]."""
    rng = np.random.default_rng(seed)
    k = n // 2
    mags = 2.0 ** rng.uniform(-149.0, 128.0, k)
    signs = np.where(rng.random(k) < 0.5, -1.0, 1.0)
    with np.errstate(over="ignore"):
        x = np.concatenate([signs * mags, rng.uniform(-40.0, 40.0, n - k)]).astype(np.float32)
    return x[np.isfinite(x)]


_JITTED: dict[Any, Any] = {}


def evaluate_f32(case: tuple[str, dict], which: str, x: np.ndarray) -> np.ndarray:
    """actfn.jax's f, f′ or f″ of ``case`` at ``x`` (a NumPy array of float16, bfloat16 or
    float32) under ``jit`` with x64 off: float32 arithmetic."""
    import jax

    import actfn
    from actfn import jax as aj

    key = (S.case_id(case), which)
    if key not in _JITTED:
        spec = actfn.lookup(case[0])
        rule = aj._RULES.of(spec)[S.WHICH.index(which)]
        bound = tuple(spec.bind(**case[1]).items())
        _JITTED[key] = jax.jit(lambda v: rule(v, bound))
    with jax.enable_x64(False):
        return np.asarray(_JITTED[key](x))


def flushes_subnormals() -> bool:
    """Whether JAX's default backend flushes float32 subnormals to zero (XLA on CPU runs
    with FTZ/DAZ: a subnormal operand reads as ±0 and a subnormal result becomes ±0)."""
    import jax
    import jax.numpy as jnp

    tiny = np.float32(2.0**-126)
    with jax.enable_x64(False):
        return float(jax.jit(lambda v: v * jnp.float32(0.5))(tiny)) == 0.0


def flush(a: np.ndarray) -> np.ndarray:
    """``a`` with float32-subnormal magnitudes (below 2^-126) replaced by signed zeros."""
    a64 = a.astype(np.float64)
    small = np.abs(a64) < 2.0**-126
    return np.where(small, np.copysign(0.0, a64), a64).astype(a.dtype)


def _ftz_ordinal(a: np.ndarray) -> np.ndarray:
    """Ordinal index on the flush-to-zero number line: ±0, then ±2^-126 at ±1, ... (so
    one step from 0 to the smallest normal is 1 ulp); NaN as a huge value."""
    f = a.astype(np.float32)
    bits = f.view(np.int32).astype(np.int64) & 0x7FFFFFFF
    mag = np.maximum(bits - (1 << 23) + 1, 0)
    return np.where(np.signbit(f), -mag, mag)


def ftz_ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Distance in ulps of ``got``'s dtype on the flush-to-zero number line (float32 and
    bfloat16 share float32's exponent range: the line of float32 is used for both, in
    units of the dtype's own spacing); NaN against NaN 0, NaN against a number huge."""
    if got.dtype != np.float32 and got.dtype.itemsize != 2:
        raise TypeError(f"ftz_ulps: unsupported dtype {got.dtype}")
    if got.dtype == np.float32 or str(got.dtype) == "bfloat16":
        step = 1 if got.dtype == np.float32 else 1 << 16
        d = np.abs(_ftz_ordinal(got.astype(np.float32)) - _ftz_ordinal(want.astype(np.float32)))
        d = d // step
    else:  # float16: its subnormals are float32 normals, nothing is flushed
        d = S.ulps(got, want)
    gn, wn = np.isnan(got.astype(np.float64)), np.isnan(want.astype(np.float64))
    return np.where(gn | wn, np.where(gn & wn, 0, 1 << 62), d)


def worst_f32(case: tuple[str, dict], which: str, x: np.ndarray
              ) -> tuple[int, float, int]:
    """(max ulps, the input where it occurs, number of decided inputs) of the float32
    path on ``x`` against the reference. Where the backend flushes subnormals
    (:func:`flushes_subnormals`), the reference is taken at the flushed input and
    distances are counted on the flush-to-zero number line (:func:`ftz_ulps`)."""
    ftz = flushes_subnormals() and x.dtype != np.float16
    xr = flush(x) if ftz else x
    want = S.reference(case, which, xr)
    keep = S.decided(want, xr)
    x, want = x[keep], want[keep]
    got = evaluate_f32(case, which, x)
    u = ftz_ulps(got, want) if ftz else S.ulps(got, want)
    if not u.size:
        return 0, 0.0, 0
    i = int(np.argmax(u))
    return int(u[i]), float(x[i]), int(x.size)


def evaluate_generic_f32(case: tuple[str, dict], which: str, x: np.ndarray) -> np.ndarray:
    """The same kernels on NumPy float32 arrays through
    :class:`actfn.kernels.df32.Float32Context` (the generic path of a library without
    float64, such as PyTorch on Apple MPS): IEEE float32 with subnormals, no XLA."""
    import actfn
    from actfn._evaluate import array_params, context
    from actfn.kernels.df32 import Float32Context

    act = actfn.get(case[0], **case[1])
    spec = act.spec
    kernel = {"f": spec.f, "df": spec.df, "d2f": spec.d2f}[which]
    x32 = x.astype(np.float32)
    with np.errstate(all="ignore"):
        y = kernel(x32, Float32Context(context(np)), **array_params(spec, act.params, x32, np))
        y = np.broadcast_to(np.asarray(y, dtype=np.float32), x32.shape)
        return np.where(np.isnan(x32), x32, y)
