"""The truth the audit grades against: :func:`actfn.reference` and its input sets.

``values(name, x, order, params)`` is the correctly rounded f, f′ or f″ at every element
of ``x`` in ``x``'s dtype; ``points(dtype, exhaustive)`` the inputs; ``chunk(start,
stop)`` the float32 inputs with bit patterns ``start ≤ bits < stop``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

__all__ = ["values", "points", "chunk", "np_dtype", "DTYPES"]

DTYPES = ("float16", "bfloat16", "float32", "float64")


def np_dtype(dtype: str) -> np.dtype:
    """The NumPy dtype of a dtype name (bfloat16 from ml_dtypes)."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype {dtype!r} is not one of {', '.join(DTYPES)}")
    import ml_dtypes

    return np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)


_MEMO: dict[str, np.ndarray] = {}
_MEMO_MAX = 2048


def _memo_key(name: str, x: np.ndarray, order: int, params: dict[str, Any]) -> str:
    import json

    digest = hashlib.sha256(np.ascontiguousarray(x).view(np.uint8)).hexdigest()
    return json.dumps([name, order, params, x.dtype.name, digest], sort_keys=True)


def _decided(name: str, x: np.ndarray, order: int, params: dict[str, Any]
             ) -> tuple[np.ndarray, np.ndarray]:
    """(values, undecided mask): where :func:`actfn.reference` cannot decide the
    rounding (``ReferenceUndecided``: a value within a hair of a rounding midpoint),
    the array is split in halves until the undecided elements are isolated."""
    from actfn import reference

    try:
        with np.errstate(all="ignore"):
            out = np.asarray(reference(name, x, derivative=order, dtype=x.dtype, **params))
        return out, np.zeros(x.shape, dtype=bool)
    except reference.ReferenceUndecided:
        if x.size <= 1:
            return np.full(x.shape, np.nan, dtype=x.dtype), np.ones(x.shape, dtype=bool)
    h = x.size // 2
    (a, ma), (b, mb) = _decided(name, x[:h], order, params), _decided(name, x[h:], order, params)
    return np.concatenate([a, b]), np.concatenate([ma, mb])


def values(name: str, x: np.ndarray, order: int, params: dict[str, Any]
           ) -> tuple[np.ndarray, np.ndarray]:
    """(correctly rounded f^(order) of ``name`` at ``x`` in ``x``'s dtype, mask of the
    elements whose rounding the reference cannot decide); remembered in this process,
    so auditing several libraries computes the truth once."""
    key = _memo_key(name, x, order, params)
    hit = _MEMO.get(key)
    if hit is not None:
        return hit
    out = _decided(name, x, order, params)
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[key] = out
    return out


def points(dtype: str, name: str | None = None, params: dict[str, Any] | None = None
           ) -> np.ndarray:
    """The standard inputs of ``dtype``: every value of a 16-bit format, else
    :func:`actfn.reference.points` (grid, log-spaced magnitudes, kink neighbours,
    underflow/overflow bands, specials)."""
    dt = np_dtype(dtype)
    if dt.itemsize == 2:
        return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(dt)
    from actfn import reference

    pts = getattr(reference, "points", None)
    if pts is None:  # an actfn.reference without points(): a grid of our own
        return _grid(dt)
    return np.asarray(pts(name or "relu", dt, kind="standard", **(params or {})))


def _grid(dt: np.dtype) -> np.ndarray:
    """A dense grid on [-20, 20], log-spaced magnitudes over the whole range (subnormals
    to the largest float) of both signs, and the specials."""
    fi = np.finfo(dt)
    grid = np.linspace(-20, 20, 4001)
    mags = np.logspace(np.log10(float(fi.smallest_subnormal)), np.log10(float(fi.max)), 2000)
    with np.errstate(all="ignore"):
        return np.concatenate([grid, mags, -mags, [0.0, -0.0, np.inf, -np.inf, np.nan]]
                              ).astype(dt)


def chunk(start: int, stop: int) -> np.ndarray:
    """float32 inputs whose bit patterns are ``start … stop-1``."""
    return np.arange(start, stop, dtype=np.uint64).astype(np.uint32).view(np.float32)
