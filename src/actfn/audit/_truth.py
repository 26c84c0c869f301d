"""The truth the audit grades against: :func:`actfn.reference` and its input sets.

``values(name, x, order, params)`` is the correctly rounded f, f′ or f″ at every element
of ``x`` in ``x``'s dtype; ``points(dtype, exhaustive)`` the inputs; ``chunk(start,
stop)`` the float32 inputs with bit patterns ``start ≤ bits < stop``.
"""

from __future__ import annotations

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


def values(name: str, x: np.ndarray, order: int, params: dict[str, Any]) -> np.ndarray:
    """Correctly rounded f^(order) of ``name`` at ``x``, in ``x``'s dtype."""
    try:
        from actfn import reference
    except ImportError:  # TEMPORARY until t11-ref is merged
        from ._shim import reference
    return np.asarray(reference(name, x, derivative=order, dtype=x.dtype, **params))


def points(dtype: str, name: str | None = None, params: dict[str, Any] | None = None
           ) -> np.ndarray:
    """The standard inputs of ``dtype``: every value of a 16-bit format, else
    :func:`actfn.reference.points` (grid, log-spaced magnitudes, kink neighbours,
    underflow/overflow bands, specials)."""
    dt = np_dtype(dtype)
    if dt.itemsize == 2:
        return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(dt)
    try:
        from actfn import reference

        pts = reference.points
    except ImportError:  # TEMPORARY until t11-ref is merged
        from ._shim import points as pts
    return np.asarray(pts(name or "relu", dt, kind="standard", **(params or {})))


def chunk(start: int, stop: int) -> np.ndarray:
    """float32 inputs whose bit patterns are ``start … stop-1``."""
    return np.arange(start, stop, dtype=np.uint64).astype(np.uint32).view(np.float32)
