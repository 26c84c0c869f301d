"""Array-library plumbing: namespaces, the dtype policy and special functions.

Dtype policy (documented in the README):

* Python scalars, lists and tuples become NumPy ``float64`` arrays.
* Real floating inputs keep their dtype: float16, bfloat16 (``ml_dtypes`` on NumPy),
  float32 and float64. Integer and bool arrays are promoted to the library's default
  real floating dtype (``float64`` for NumPy, ``torch.get_default_dtype()`` for
  PyTorch, ``float32`` for JAX unless x64 is enabled).
* Complex, object, string and other dtypes (including ``longdouble`` and float8)
  raise ``TypeError``.
* Arithmetic happens in a *working* dtype: float64 whenever the library supports it
  (so float16/bfloat16/float32 results are the float64 value rounded once), and
  compensated float32 otherwise (JAX without x64, Apple MPS: :mod:`actfn.kernels.df32`).
"""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import array_api_compat as aac
import numpy as np

__all__ = [
    "Prepared",
    "bad_dtype",
    "finish",
    "jax_x64_enabled",
    "library_name",
    "numpy_input",
    "prepare",
    "special",
]

_NUMPY_FLOATS = {"float16", "bfloat16", "float32", "float64"}


class Prepared(SimpleNamespace):
    """An input converted for computation: ``xw`` in working dtype, namespace ``xp``."""

    xw: Any
    xp: Any
    out_dtype: Any


def _dtype_name(dt: Any) -> str:
    s = str(dt)
    return s.rsplit(".", 1)[-1]


def bad_dtype(dt: Any) -> TypeError:
    """The TypeError for an unsupported dtype ``dt``, naming it and the supported ones."""
    return TypeError(
        f"unsupported dtype {_dtype_name(dt)}: actfn works on real floating arrays "
        "(float16, bfloat16, float32, float64); integer and bool arrays are promoted "
        "to the default float dtype"
    )


def numpy_input(x: Any) -> np.ndarray | None:
    """Convert Python scalars/lists and NumPy objects to an ndarray; None if not NumPy."""
    if isinstance(x, (bool, int, float)) and not isinstance(x, complex):
        return np.asarray(x, dtype=np.float64)
    if isinstance(x, complex):
        raise TypeError("complex input is not supported: activations are real functions")
    if isinstance(x, (list, tuple)):
        arr = np.asarray(x)
        if arr.dtype.kind in "biu":
            return arr.astype(np.float64)
        if arr.dtype.kind == "f":
            return arr.astype(np.float64, copy=False)
        raise bad_dtype(arr.dtype)
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x)
    return None


def jax_x64_enabled() -> bool:
    """Whether JAX is imported and holds float64 (``jax_enable_x64``)."""
    jax = sys.modules.get("jax")
    return bool(jax is not None and jax.config.read("jax_enable_x64"))


def _has_float64(xp: Any, x: Any) -> bool:
    if aac.is_jax_namespace(xp):
        return jax_x64_enabled()
    if aac.is_torch_namespace(xp):
        return getattr(x, "device", None) is None or x.device.type != "mps"
    return hasattr(xp, "float64")


def prepare(x: Any) -> Prepared:
    """Validate ``x`` and convert it to the working dtype (never modifying it)."""
    arr = numpy_input(x)
    if arr is not None:
        kind, name = arr.dtype.kind, arr.dtype.name
        if name in _NUMPY_FLOATS:
            out = arr.dtype
        elif kind in "biu":
            out = np.dtype(np.float64)
        else:
            raise bad_dtype(arr.dtype)
        with np.errstate(all="ignore"):
            xw = np.asarray(arr, dtype=np.float64)
        if xw is arr:  # float64 input: never hand the caller's buffer to a kernel
            xw = arr.copy()
        return Prepared(xw=xw, xp=np, out_dtype=out)
    try:
        xp = aac.array_namespace(x)
    except TypeError:
        raise TypeError(
            f"expected an array, a Python number or a list of numbers, got {type(x).__name__}"
        ) from None
    dt = x.dtype
    if xp.isdtype(dt, "real floating"):
        out = dt
    elif xp.isdtype(dt, ("integral", "bool")):
        out = xp.__array_namespace_info__().default_dtypes(device=aac.device(x))["real floating"]
    else:
        raise bad_dtype(dt)
    if out not in (getattr(xp, n, None) for n in ("float16", "bfloat16", "float32", "float64")):
        raise bad_dtype(out)
    work = xp.float64 if _has_float64(xp, x) else xp.float32
    xw = xp.astype(x, work, copy=True)
    return Prepared(xw=xw, xp=xp, out_dtype=out)


def _to_bfloat16(y: np.ndarray) -> np.ndarray:
    """float64 → bfloat16 rounded once to nearest-even.

    ml_dtypes converts through float32, which can round twice. Rounding to float32 *to
    odd* first (truncate, then set the last bit if anything was lost) keeps enough
    information for the float32 → bfloat16 step to round correctly.
    """
    with np.errstate(all="ignore"):
        f = y.astype(np.float32)
    back = f.astype(np.float64)
    inexact = (back != y) & np.isfinite(y) & np.isfinite(back)
    # truncate towards zero where float32 rounding went away from zero
    away = inexact & (np.abs(back) > np.abs(y))
    bits = f.view(np.uint32).copy()
    bits[away] -= 1
    bits[inexact] |= 1
    return bits.view(np.float32).astype(_bfloat16())


def _bfloat16() -> Any:
    import ml_dtypes

    return ml_dtypes.bfloat16


def finish(y: Any, prep: Prepared) -> Any:
    """Cast a working-precision result back to the output dtype (one rounding)."""
    xp = prep.xp
    if xp is np:
        with np.errstate(all="ignore"):
            y = np.asarray(y)
            if prep.out_dtype.name == "bfloat16" and y.dtype == np.float64:
                return _to_bfloat16(y)
            return y.astype(prep.out_dtype, copy=False)
    return xp.astype(y, prep.out_dtype, copy=False)


def special(xp: Any) -> SimpleNamespace | None:
    """``erf``, ``erfc`` and ``erfcx`` from the library that owns ``xp`` (None if absent)."""
    if xp is np or aac.is_numpy_namespace(xp):
        import scipy.special as sc

        return SimpleNamespace(erf=sc.erf, erfc=sc.erfc, erfcx=sc.erfcx)
    if aac.is_torch_namespace(xp):
        import torch

        return SimpleNamespace(
            erf=torch.special.erf, erfc=torch.special.erfc, erfcx=torch.special.erfcx
        )
    if aac.is_jax_namespace(xp):
        import jax.scipy.special as js

        erfcx = getattr(js, "erfcx", None)
        if erfcx is None:  # pragma: no cover - older JAX
            import jax.numpy as jnp

            def erfcx(t: Any) -> Any:
                return jnp.exp(t * t) * js.erfc(t)

        return SimpleNamespace(erf=js.erf, erfc=js.erfc, erfcx=erfcx)
    if aac.is_cupy_namespace(xp):  # pragma: no cover - needs a GPU
        import cupyx.scipy.special as cs

        return SimpleNamespace(erf=cs.erf, erfc=cs.erfc, erfcx=cs.erfcx)
    return None


def library_name(xp: Any) -> str:
    """The name of the array library of namespace ``xp`` (``array_api_compat.`` dropped)."""
    return getattr(xp, "__name__", str(xp)).replace("array_api_compat.", "")
