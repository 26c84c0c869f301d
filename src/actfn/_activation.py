"""The :class:`Activation` object: a registered spec bound to parameter values."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _backend, _fast
from ._registry import Spec, lookup

__all__ = ["Activation", "get"]


def _is_dask(x: Any) -> bool:
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(x, da.Array)


class Activation:
    """An activation function with fixed parameters.

    ``act(x)`` is f(x), ``act.derivative(x)`` is f'(x), ``act.second_derivative(x)``
    is f''(x) and ``act.value_and_derivative(x)`` returns ``(f(x), f'(x))``. Inputs
    may be NumPy arrays (the default), Python numbers or lists (treated as NumPy
    float64), or arrays of any library that follows the array API (PyTorch, JAX,
    CuPy, Dask); the result is an array of the same library, shape, device and
    floating dtype. The input is never modified. NaN inputs give NaN in every
    output.
    """

    __slots__ = ("_spec", "_params", "_kcache")

    def __init__(self, spec: Spec, params: Mapping[str, Any]) -> None:
        self._spec = spec
        self._params = dict(params)
        self._kcache: dict[Any, Any] = {}  # compiled loops (actfn._fast), per method/dtype

    # -- identity ---------------------------------------------------------------
    @property
    def spec(self) -> Spec:
        """The registry entry this activation is built from."""
        return self._spec

    @property
    def name(self) -> str:
        """Canonical name, e.g. ``"celu"``."""
        return self._spec.name

    @property
    def params(self) -> dict[str, Any]:
        """The bound parameter values (a copy)."""
        return dict(self._params)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{self.name}({inner})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Activation):
            return NotImplemented
        return self.name == other.name and self._params == other._params

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self._params.items()))))

    # -- evaluation -------------------------------------------------------------
    def __call__(self, x: Any, *, out: Any = None) -> Any:
        """f(x), elementwise.

        ``out``: for NumPy inputs, an array of the input's shape and result dtype that
        receives f(x) and is returned (repeated calls then allocate nothing).
        """
        return self._run(x, (self._spec.f,), out=out)[0]

    def derivative(self, x: Any, *, out: Any = None) -> Any:
        """f'(x), elementwise (the value at kinks follows PyTorch's autograd).

        ``out``: as for ``__call__``.
        """
        return self._run(x, (self._spec.df,), out=out)[0]

    def second_derivative(self, x: Any, *, out: Any = None) -> Any:
        """f''(x), elementwise. ``out``: as for ``__call__``."""
        return self._run(x, (self._spec.d2f,), out=out)[0]

    def value_and_derivative(self, x: Any, *, out: Any = None) -> tuple[Any, Any]:
        """(f(x), f'(x)) computed together (one fused pass for NumPy inputs).

        ``out``: for NumPy inputs, a pair of arrays ``(f_out, df_out)`` that receive the
        results and are returned.
        """
        spec = self._spec
        if spec.f_df is not None:
            f, df = self._run(x, (spec.f_df,), fused=True, out=out)
        else:
            f, df = self._run(x, (spec.f, spec.df), out=out)
        return f, df

    def kinks(self) -> tuple[float, ...]:
        """Points where f or one of its first two derivatives is not smooth."""
        return tuple(self._spec.kinks(self._params))

    # -- machinery --------------------------------------------------------------
    def _run(self, x: Any, kernels: tuple[Any, ...], fused: bool = False,
             out: Any = None) -> tuple[Any, ...]:
        if type(x) is np.ndarray:  # the common case first: no conversion to decide on
            return _fast.run_numpy(self, x, kernels, fused, out, self._run_generic)
        if _is_dask(x):
            if out is not None:
                raise TypeError("out= is supported for NumPy inputs only, not dask arrays")
            return self._run_dask(x, kernels, fused)
        arr = _backend._numpy_input(x)
        if arr is not None:  # NumPy: compiled fused loops when available (actfn._fast)
            return _fast.run_numpy(self, arr, kernels, fused, out, self._run_generic)
        if out is not None:
            raise TypeError(
                f"out= is supported for NumPy inputs only, not {type(x).__module__}."
                f"{type(x).__name__}"
            )
        return self._run_generic(x, kernels, fused)

    def _run_generic(self, x: Any, kernels: tuple[Any, ...], fused: bool) -> tuple[Any, ...]:
        # The array-API path (and the pure-NumPy fallback): float64 working precision.
        prep = _backend.prepare(x)
        xp, xw = prep.xp, prep.xw
        params = self._array_params(prep)
        if self._spec.needs_special:
            sp = _backend.special(xp)
            if sp is None:
                raise TypeError(
                    f"{self.name} needs erf/erfc/erfcx, which {_backend.library_name(xp)} "
                    "does not provide"
                )
            params["special"] = sp
        outs: list[Any] = []
        with np.errstate(all="ignore"):
            for k in kernels:
                r = k(xw, xp, **params)
                outs.extend(r if fused else (r,))
            isnan = xp.isnan(xw)
            outs = [_backend.finish(xp.where(isnan, xw, y), prep) for y in outs]
        return tuple(outs)

    def _run_dask(self, x: Any, kernels: tuple[Any, ...], fused: bool) -> tuple[Any, ...]:
        # Chunkwise through the NumPy path: stays lazy and keeps full accuracy.
        import dask.array as da

        if self._channel_param() is not None and x.ndim >= 2 and x.chunks[1] != (x.shape[1],):
            x = x.rechunk({1: -1})
        meta_dtype = _backend.prepare(np.zeros(0, dtype=x.dtype)).out_dtype
        n = 2 if fused else len(kernels)

        def block(b: np.ndarray, i: int) -> np.ndarray:
            return self._run(b, kernels, fused)[i]

        return tuple(
            da.map_blocks(block, x, i, dtype=meta_dtype, meta=np.empty((0,) * x.ndim, meta_dtype))
            for i in range(n)
        )

    def _channel_param(self) -> str | None:
        for p in self._spec.params:
            if p.vector and isinstance(self._params[p.name], tuple):
                return p.name
        return None

    def _array_params(self, prep: Any) -> dict[str, Any]:
        params = dict(self._params)
        name = self._channel_param()
        if name is None:
            return params
        values = params[name]
        if len(values) == 1:
            params[name] = values[0]
            return params
        xw, xp = prep.xw, prep.xp
        c = len(values)
        if xw.ndim < 2 or xw.shape[1] != c:
            raise ValueError(
                f"{self.name}: {name} has {c} values (one per channel), so the input needs "
                f"at least 2 dimensions with {c} channels on dim 1; got shape {tuple(xw.shape)}"
            )
        from array_api_compat import device

        w = xp.asarray(values, dtype=xw.dtype, device=device(xw))
        params[name] = xp.reshape(w, (1, c) + (1,) * (xw.ndim - 2))
        return params

    # -- Jupyter display (actfn.explore._svg loads only when a notebook displays one) ------
    def _repr_latex_(self) -> str:
        from .explore._svg import repr_latex

        return repr_latex(self)

    def _repr_html_(self) -> str:
        from .explore._svg import repr_html

        return repr_html(self)


def get(name: str | Activation, /, **params: Any) -> Activation:
    """Return the activation ``name`` bound to ``params`` (unset ones take defaults).

    Raises ``ValueError`` for an unknown name (listing the closest matches) or a
    parameter outside its valid range, and ``TypeError`` for an unknown parameter.

    >>> import actfn
    >>> actfn.get("celu", alpha=0.5)
    celu(alpha=0.5)
    >>> actfn.get("swish").name
    'silu'
    """
    if isinstance(name, Activation):
        if not params:
            return name
        return get(name.name, **{**name.params, **params})
    spec = lookup(name)
    return Activation(spec, spec.bind(**params))
