"""TEMPORARY stand-in for actfn.reference until the t11-ref branch is merged (mpmath)."""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np


def reference(name: str, x: np.ndarray, /, *, derivative: int = 0, dtype: Any = None,
              **params: Any) -> np.ndarray:
    import actfn

    spec = actfn.lookup(name)
    ex = spec.exact
    fn = (ex.f, ex.df, ex.d2f)[derivative]
    full = {p.name: p.default for p in spec.params}
    full.update(params)
    p = {k: (mpmath.mpf(v) if isinstance(v, float) else v) for k, v in full.items()}
    dt = np.dtype(dtype) if dtype is not None else x.dtype
    out = np.empty(x.shape, dtype=np.float64)
    with mpmath.workprec(120):
        for i, v in enumerate(x.astype(np.float64).ravel().tolist()):
            if v != v:
                out.flat[i] = np.nan
                continue
            try:
                r = fn(mpmath.mpf(v), mpmath, **p)
                out.flat[i] = float(r)
            except (ValueError, ZeroDivisionError):
                out.flat[i] = np.nan
    with np.errstate(all="ignore"):
        return out.astype(dt)


def points(name: str, dtype: Any, kind: str = "standard", **params: Any) -> np.ndarray:
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    grid = np.linspace(-20, 20, 4001)
    mags = np.logspace(np.log10(float(fi.smallest_subnormal)), np.log10(float(fi.max)), 2000)
    sp = [0.0, -0.0, np.inf, -np.inf, np.nan]
    with np.errstate(all="ignore"):
        return np.concatenate([grid, mags, -mags, sp]).astype(dt)
