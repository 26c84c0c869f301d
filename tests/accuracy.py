"""Shared machinery of the accuracy tests: test points, cases and measured errors."""

from __future__ import annotations

import functools
import math

import numpy as np
from mpmath import mpf

import actfn

from .oracle import (
    DTYPES,
    exact,
    float_limits,
    from_ordinal,
    oracle,
    ordinal,
    round_to,
    ulp_distance,
)

#: Value used for ±inf inputs: the oracle's limit is its value far beyond the range.
_HUGE = mpf("1e400")


def cases() -> list[tuple[str, dict]]:
    """The defaults of every activation, then the extra parameter sets its spec lists
    (``Spec.cases``)."""
    out = [(n, actfn.get(n).params) for n in actfn.names()]
    for n in actfn.names():
        out += [(n, actfn.get(n, **p).params) for p in actfn.lookup(n).cases]
    return out


def case_id(case: tuple[str, dict]) -> str:
    name, params = case
    defaults = actfn.get(name).params
    diff = {k: v for k, v in params.items() if defaults.get(k) != v}
    return name + ("[" + ",".join(f"{k}={v}" for k, v in diff.items()) + "]" if diff else "")


def _neighbours(v: float, dt: np.dtype, k: int = 3) -> list[float]:
    c = np.array([v], dtype=np.float64).astype(dt)
    o = ordinal(c)[0]
    out = []
    for j in range(o - k, o + k + 1):
        f = from_ordinal(j, dt)
        if np.isfinite(f):
            out.append(float(f))
    return out


@functools.cache
def points(dtype_name: str, kinks: tuple[float, ...] = ()) -> np.ndarray:
    """Test inputs in ``dtype_name``: dense grid, log-spaced magnitudes over the whole
    range (subnormals to the largest finite), neighbours of 0 and of each kink, random
    points in [-60, 60], ±0, ±inf and nan."""
    dt = DTYPES[dtype_name]
    mx = float(float_limits(dtype_name)[0])
    tiny = float(_neighbours(0.0, dt, 1)[-1])  # smallest positive subnormal
    vals: list[float] = list(np.linspace(-10, 10, 801))
    # finer in [-3, 3], where f' and f'' of the smooth gated units cross zero
    vals += list(np.linspace(-3, 3, 2001) + 1e-4)
    with np.errstate(over="ignore"):
        mags = np.exp(np.linspace(math.log(tiny), math.log(mx), 360))
    mags = mags[np.isfinite(mags)]
    vals += list(mags) + list(-mags)
    vals += [mx, -mx, tiny, -tiny]
    for k in (0.0, *kinks):
        vals += _neighbours(k, dt, 3)
    rng = np.random.default_rng(20261123)
    vals += list(rng.uniform(-60, 60, 300))
    arr = np.array(vals, dtype=np.float64).astype(dt)
    arr = arr[np.isfinite(arr)]
    arr = np.unique(arr)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=np.float64).astype(dt)
    return np.concatenate([arr, special])


def expected(name: str, params: dict, which: int, x: np.ndarray) -> np.ndarray:
    """Correctly rounded oracle values of f (which=0), f' (1) or f'' (2) at ``x``."""
    fn = oracle(name, params)[which]
    dtn = [k for k, v in DTYPES.items() if v == x.dtype][0]
    out = []
    for xi in x.astype(np.float64).tolist():
        if math.isinf(xi):
            v = fn(_HUGE if xi > 0 else -_HUGE)
        else:
            v = exact(fn, xi)
        out.append(round_to(v, dtn))
    return np.array(out, dtype=x.dtype)


#: The two NumPy code paths: the compiled (numba) loops and the pure-NumPy fallback.
PATHS = ("compiled", "numpy")


def measure(name: str, params: dict, which: int, dtype_name: str, path: str = "compiled"):
    """Return (x, got, want, ulps) for one case, on the given NumPy code path."""
    import contextlib

    from actfn import _fast

    act = actfn.get(name, **params)
    x = points(dtype_name, tuple(sorted(set(act.kinks()))))
    fn = (act, act.derivative, act.second_derivative)[which]
    with _fast.disabled() if path == "numpy" else contextlib.nullcontext():
        got = np.asarray(fn(x))
    want = expected(name, params, which, x)
    return x, got, want, ulp_distance(got, want)
