"""Assertions for other projects' test suites: is an activation correctly rounded?

>>> import numpy as np, actfn.testing
>>> actfn.testing.assert_ulp_close(lambda x: np.maximum(x, 0), "relu", dtype="float32")

:func:`assert_ulp_close` evaluates a user's implementation on actfn's test inputs
(:func:`actfn.reference.points`) and compares it with the correctly rounded reference
(:func:`actfn.reference`), counting the error in units in the last place of the dtype
(:func:`actfn.reference.ulp_distance`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["assert_ulp_close", "to_numpy"]

#: How many of the worst inputs the failure message lists.
WORST_SHOWN = 10
_ORDER = ("f", "f'", "f''")


def to_numpy(a: Any) -> np.ndarray:
    """A NumPy array from any array library's result (torch tensors are detached and
    moved to the CPU first; JAX, TensorFlow and array-API arrays convert through
    ``__array__`` / DLPack)."""
    if hasattr(a, "detach") and hasattr(a, "cpu"):  # torch
        a = a.detach().cpu()
        if str(a.dtype) == "torch.bfloat16":
            import ml_dtypes

            return a.float().numpy().astype(ml_dtypes.bfloat16)
        return a.numpy()
    if hasattr(a, "numpy") and not isinstance(a, np.ndarray):  # tensorflow
        try:
            return np.asarray(a.numpy())
        except Exception:  # noqa: BLE001 - fall back to the array protocol
            pass
    return np.asarray(a)


def _channels(name: str, params: dict[str, Any]) -> int:
    """How many channels a per-channel (vector) parameter in ``params`` has (1 if none)."""
    import actfn

    spec = actfn.lookup(name)
    for p in spec.params:
        v = params.get(p.name)
        if p.vector and v is not None and np.ndim(v) == 1:
            return len(v)
    return 1


def assert_ulp_close(fn: Callable[[np.ndarray], Any], name: str, *, dtype: Any,
                     max_ulp: float = 1, derivative: int = 0,
                     points: str = "standard", **params: Any) -> None:
    """Assert that ``fn`` computes f (``derivative=0``), f' or f'' of activation
    ``name`` within ``max_ulp`` units in the last place of ``dtype`` everywhere on the
    test inputs.

    ``fn`` takes a NumPy array of ``dtype`` (a fresh copy) and returns an array of the
    same shape and dtype, of any array library (converted with :func:`to_numpy`). The error at each input is ``ulp_distance(got, exact, dtype)``: the
    number of ``dtype`` values between the result and the correctly rounded exact value
    (±0 equal; nan where the exact value is a number counts as infinitely far).
    ``points``: ``"standard"`` (about 10⁴ inputs: grids, the whole exponent range, the
    neighbours of kinks, zeros and underflow/overflow thresholds, specials) or
    ``"exhaustive"`` (every float16 / bfloat16 value; refused for wider dtypes).
    ``params``: the activation's parameters.

    A per-channel parameter (prelu's ``weight=[w0, w1, ...]``, channels on dim 1) makes
    the input 2-D, ``(n, channels)``: every test input in every channel.

    Raises ``AssertionError`` listing the worst inputs (x, got, exact, ulps); also when
    ``fn`` returns another shape or another dtype than its input's (an output dtype
    change, e.g. float64 for float32 inputs, fails even if the values would round
    correctly).
    """
    from . import reference as _ref
    from .reference._formats import format_of
    from .reference._points import points as _points
    from .reference._points import ulp_distance

    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    if not isinstance(max_ulp, (int, float)) or isinstance(max_ulp, bool) or not max_ulp >= 0:
        raise ValueError(f"max_ulp must be a number ≥ 0, got {max_ulp!r}")
    fmt = format_of(dtype)
    x = _points(name, fmt.dtype, kind=points, **params)
    channels = _channels(name, params)
    if channels > 1:  # every input in every channel (dim 1), as the layers broadcast
        x = np.repeat(x[:, None], channels, axis=1)
    want = _ref.reference(name, x, derivative=derivative, dtype=fmt.dtype, **params)
    got = to_numpy(fn(x.copy()))
    if got.shape != x.shape:
        raise AssertionError(
            f"{name}: fn returned shape {got.shape} for inputs of shape {x.shape}"
        )
    if got.dtype != want.dtype:
        raise AssertionError(
            f"{name}: fn returned dtype {got.dtype} for {fmt.name} inputs (an output dtype "
            f"change); return {fmt.name}, e.g. with .astype, to grade the values"
        )
    x, got, want = x.ravel(), got.ravel(), want.ravel()
    ulps = ulp_distance(got, want, fmt.dtype)
    bad = np.flatnonzero(ulps > max_ulp)
    if bad.size == 0:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        g = got.astype(fmt.dtype)
    order = bad[np.argsort(-ulps[bad], kind="stable")][:WORST_SHOWN]
    lines = [
        f"{name} {_ORDER[derivative]} in {fmt.name}"
        + (f" ({', '.join(f'{k}={v!r}' for k, v in params.items())})" if params else "")
        + f": {bad.size} of {x.size} inputs beyond {max_ulp} ulp (max {ulps[bad].max():g} ulp)."
        " Worst inputs:",
        f"  {'x':>26} {'got':>26} {'exact (rounded)':>26} {'ulp':>8}",
    ]
    for i in order.tolist():
        lines.append(f"  {float(x[i])!r:>26} {float(g[i])!r:>26} {float(want[i])!r:>26} "
                     f"{ulps[i]:>8g}")
    raise AssertionError("\n".join(lines))
