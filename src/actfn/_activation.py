"""The :class:`Activation` object: a registered spec bound to parameter values."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _backend, _fast
from ._evaluate import (
    MissingSpecialFunction,
    array_params,
    autodiff_glue,
    bind,
    context,
    glue,
    keras_variable_value,
)
from ._registry import Spec, lookup
from .kernels.df32 import Float32Context

__all__ = ["Activation", "get"]

#: Elements per block of the pure-NumPy path: a kernel's float64 temporaries (a few
#: dozen at most) then take a few MiB whatever the input's size.
_BLOCK = 1 << 14


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

    __slots__ = ("_spec", "_params", "_live", "_kcache", "_hot", "_k", "__weakref__")

    def __init__(self, spec: Spec, params: Mapping[str, Any],
                 live: Mapping[str, Any] | None = None) -> None:
        self._spec = spec
        self._params = dict(params)
        # torch tensor parameters that require grad (validated values are in _params):
        # evaluation then goes through actfn.torch so that their gradients flow.
        self._live: dict[str, Any] = dict(live or {})
        self._kcache: dict[Any, Any] = {}  # compiled loops (actfn._fast), per method/dtype
        # warm serial loops by (kernels, dtype), for actfn._fast.run_hot (calls with out=)
        self._hot: dict[Any, Any] = {}
        # the kernels of each method, built once: (f,), (df,), (d2f,), (f and f') + fused
        fd = (spec.f_df,) if spec.f_df is not None else (spec.f, spec.df)
        self._k = ((spec.f,), (spec.df,), (spec.d2f,), fd, spec.f_df is not None)

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
        """The bound parameter values (a copy); a torch tensor parameter that requires
        grad is given as that tensor."""
        return {**self._params, **self._live}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({inner})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Activation):
            return NotImplemented
        return (self.name == other.name and self._params == other._params
                and {k: id(v) for k, v in self._live.items()}
                == {k: id(v) for k, v in other._live.items()})

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self._params.items())),
                     tuple(sorted((k, id(v)) for k, v in self._live.items()))))

    # -- copying and pickling ----------------------------------------------------
    def __copy__(self) -> Activation:
        return Activation(self._spec, self._params, self._live)

    def __deepcopy__(self, memo: dict[int, Any]) -> Activation:
        # spec and parameter values are immutable; tensor parameters are shared, as
        # gradients must reach the caller's tensors
        return Activation(self._spec, self._params, self._live)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by reference: the registered name and the parameter values.

        The spec holds kernels (often lambdas) that cannot be pickled, so the receiving
        process looks the name up in its own registry (:func:`_rebuild`). An activation
        that is not the registered spec of its name cannot be pickled.
        """
        try:
            registered = lookup(self.name)
        except ValueError:
            registered = None
        if registered is not self._spec and registered != self._spec:
            raise pickle.PicklingError(
                f"cannot pickle {self!r}: its spec is not the one registered under "
                f"{self.name!r}, and activations are pickled by registered name (register "
                "it with actfn.register first)"
            )
        return (_rebuild, (self.name, self.params))

    # -- evaluation -------------------------------------------------------------
    def __call__(self, x: Any, *, out: Any = None) -> Any:
        """f(x), elementwise.

        ``out``: for NumPy inputs, an array of the input's shape and result dtype that
        receives f(x) and is returned (repeated calls then allocate nothing).
        """
        k = self._k[0]
        if out is not None and type(x) is np.ndarray and not self._live:
            hit = _fast.run_hot(self, x, k, out if type(out) is tuple else (out,))
            if hit is not None:
                return hit[0]
        return self._run(x, k, out=out, which=("f",))[0]

    def derivative(self, x: Any, *, out: Any = None) -> Any:
        """f'(x), elementwise (the value at kinks follows PyTorch's autograd).

        ``out``: as for ``__call__``.
        """
        k = self._k[1]
        if out is not None and type(x) is np.ndarray and not self._live:
            hit = _fast.run_hot(self, x, k, out if type(out) is tuple else (out,))
            if hit is not None:
                return hit[0]
        return self._run(x, k, out=out, which=("df",))[0]

    def second_derivative(self, x: Any, *, out: Any = None) -> Any:
        """f''(x), elementwise. ``out``: as for ``__call__``."""
        k = self._k[2]
        if out is not None and type(x) is np.ndarray and not self._live:
            hit = _fast.run_hot(self, x, k, out if type(out) is tuple else (out,))
            if hit is not None:
                return hit[0]
        return self._run(x, k, out=out, which=("d2f",))[0]

    def value_and_derivative(self, x: Any, *, out: Any = None) -> tuple[Any, Any]:
        """(f(x), f'(x)) computed together (one fused pass for NumPy inputs).

        ``out``: for NumPy inputs, a pair of arrays ``(f_out, df_out)`` that receive the
        results and are returned.
        """
        _, _, _, k, fused = self._k
        if type(out) is tuple and type(x) is np.ndarray and not self._live:
            hit = _fast.run_hot(self, x, k, out)  # the steady state of a loop with out=
            if hit is not None:
                return hit
        f, df = self._run(x, k, fused=fused, out=out, which=("f", "df"))
        return f, df

    def kinks(self) -> tuple[float, ...]:
        """Points where f or one of its first two derivatives is not smooth."""
        return tuple(self._spec.kinks(self._params))

    # -- machinery --------------------------------------------------------------
    def _run(self, x: Any, kernels: tuple[Any, ...], fused: bool = False,
             out: Any = None, *, which: tuple[str, ...]) -> tuple[Any, ...]:
        # ``which`` names the results ("f", "df", "d2f") for the autodiff routes; it cannot
        # be derived from ``kernels``, since methods may share one function (exp).
        if type(x) is not np.ndarray and (inner := keras_variable_value(x)) is not None:
            x = inner  # a keras.Variable: its backend tensor, autodiff included
        if self._live:
            return self._run_live(x, out, which)
        if type(x) is np.ndarray:  # the common case first: no conversion to decide on
            return _fast.run_numpy(self, x, kernels, fused, out, self._run_generic)
        if _is_dask(x):
            if out is not None:
                raise TypeError("out= is supported for NumPy inputs only, not dask arrays")
            return self._run_dask(x, kernels, fused, which)
        arr = _backend.numpy_input(x)
        if arr is not None:  # NumPy: compiled fused loops when available (actfn._fast)
            return _fast.run_numpy(self, arr, kernels, fused, out, self._run_generic)
        if out is not None:
            raise TypeError(
                f"out= is supported for NumPy inputs only, not {type(x).__module__}."
                f"{type(x).__name__}"
            )
        routed = self._differentiable(x, which)
        if routed is not None:
            return routed
        return self._run_generic(x, kernels, fused)

    def _differentiable(self, x: Any, which: tuple[str, ...]) -> tuple[Any, ...] | None:
        """The results through actfn.torch / actfn.jax when autodiff can see ``x``.

        A torch tensor that autograd records (``requires_grad`` with grad mode on), a
        forward-mode dual tensor or a ``torch.func``-wrapped tensor, and a JAX tracer
        (``jit``, ``grad``, ``vmap``, ...) go through the same autograd Functions and
        ``custom_jvp`` rules as the framework layers, so derivatives taken through the
        core API are actfn's analytic f' and f'' (and a third derivative raises) instead
        of derivatives of the kernels' implementation. None: not such an input.
        """
        g = autodiff_glue(x)
        return None if g is None else g.evaluate(self._spec, self._params, x, which)

    def _run_live(self, x: Any, out: Any, which: tuple[str, ...]) -> tuple[Any, ...]:
        """Evaluation with torch tensor parameters that require grad: through actfn.torch,
        whose autograd Functions give their analytic gradients (never detached)."""
        torch = sys.modules.get("torch")
        names = ", ".join(self._live)
        if torch is None or not isinstance(x, torch.Tensor):
            raise TypeError(
                f"{self.name}: parameter(s) {names} are torch tensors that require grad, so "
                f"the input must be a torch.Tensor too (got {type(x).__module__}."
                f"{type(x).__name__}): their gradients can flow only through torch"
            )
        if out is not None:
            raise TypeError("out= is supported for NumPy inputs only, not torch tensors")
        return glue("torch").evaluate(self._spec, self._params, x, which, self._live)

    def _run_generic(self, x: Any, kernels: tuple[Any, ...], fused: bool,
                     out: list[np.ndarray] | None = None) -> tuple[Any, ...]:
        # The array-API path (and the pure-NumPy fallback): float64 working precision.
        # ``out``: already validated arrays for the results (NumPy inputs only).
        if isinstance(x, np.ndarray):
            return self._run_blocks(x, kernels, fused, out)
        prep = _backend.prepare(x)
        xp, xw = prep.xp, prep.xw
        params = self._array_params(prep)
        ctx = context(xp)
        if xw.dtype == xp.float32:  # no float64 (Apple MPS): compensated float32
            ctx = Float32Context(ctx)
        outs: list[Any] = []
        with np.errstate(all="ignore"):
            try:
                for k in kernels:
                    r = k(xw, ctx, **params)
                    outs.extend(r if fused else (r,))
            except MissingSpecialFunction as err:
                raise TypeError(f"{self.name} needs {err.function} (erf/erfc/erfcx), which "
                                f"{err.library} does not provide") from None
            isnan = xp.isnan(xw)
            outs = [_backend.finish(xp.where(isnan, xw, y), prep) for y in outs]
        return tuple(outs)

    def _run_blocks(self, arr: np.ndarray, kernels: tuple[Any, ...], fused: bool,
                    out: list[np.ndarray] | None) -> tuple[np.ndarray, ...]:
        """The pure-NumPy path in blocks of :data:`_BLOCK` elements (C order).

        Each block is converted to float64, evaluated and rounded into the results, so
        the temporaries stay a few MiB whatever the input's size: the peak extra memory
        is the results plus about 5 MiB. Results have the input's floating dtype in
        native byte order (float64 for integers and bool). A per-channel parameter
        (channels on dim 1) is expanded to one value per element of each block.
        """
        out_dtype = _backend.prepare(np.empty(0, arr.dtype)).out_dtype.newbyteorder("=")
        shape = arr.shape
        wide = _backend.Prepared(xw=np.broadcast_to(np.float64(0), shape), xp=np,
                                 out_dtype=out_dtype)  # shape only: validates parameters
        params = self._array_params(wide)
        ctx = context(np)
        channel = self._channel_param()
        per_channel = None
        if channel is not None and len(self._params[channel]) > 1:
            per_channel = np.asarray(self._params[channel], dtype=np.float64)
            inner = int(np.prod(shape[2:], dtype=np.int64))
        n_out = 2 if fused else len(kernels)
        results = list(out) if out is not None else [np.empty(shape, out_dtype)
                                                     for _ in range(n_out)]
        flat_in = arr.reshape(-1) if arr.flags.c_contiguous else None
        flat_out = [r.reshape(-1) if r.flags.c_contiguous else None for r in results]
        size = arr.size
        with np.errstate(all="ignore"):
            for start in range(0, size, _BLOCK):
                stop = min(size, start + _BLOCK)
                block = flat_in[start:stop] if flat_in is not None else arr.flat[start:stop]
                xw = np.array(block, dtype=np.float64)  # a copy: kernels get no caller memory
                if per_channel is not None:
                    idx = np.arange(start, stop, dtype=np.int64) // inner % len(per_channel)
                    params[channel] = per_channel[idx]  # type: ignore[index]
                ys: list[Any] = []
                for k in kernels:
                    r = k(xw, ctx, **params)
                    ys.extend(r if fused else (r,))
                isnan = np.isnan(xw)
                for j, y in enumerate(ys):
                    yb = _backend.finish(np.where(isnan, xw, y), wide)
                    view = flat_out[j]
                    if view is not None:
                        view[start:stop] = yb
                    else:
                        results[j].flat[start:stop] = yb
        return tuple(results)

    def _run_dask(self, x: Any, kernels: tuple[Any, ...], fused: bool,
                  which: tuple[str, ...]) -> tuple[Any, ...]:
        # Chunkwise through the NumPy path: stays lazy and keeps full accuracy.
        import dask.array as da

        if self._channel_param() is not None and x.ndim >= 2 and x.chunks[1] != (x.shape[1],):
            x = x.rechunk({1: -1})
        meta_dtype = _backend.prepare(np.zeros(0, dtype=x.dtype)).out_dtype.newbyteorder("=")
        n = 2 if fused else len(kernels)

        def block(b: np.ndarray, i: int) -> np.ndarray:
            return self._run(b, kernels, fused, which=which)[i]

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
        return array_params(self._spec, self._params, prep.xw, prep.xp)

    # -- Jupyter display (actfn.explore._svg loads only when a notebook displays one) ------
    def _repr_latex_(self) -> str:
        from .explore._svg import repr_latex

        return repr_latex(self)

    def _repr_html_(self) -> str:
        from .explore._svg import repr_html

        return repr_html(self)


def _rebuild(name: str, params: dict[str, Any]) -> Activation | _Unregistered:
    """Unpickle an :class:`Activation`: look ``name`` up in this process's registry.

    A name that is not registered here (an activation registered at runtime in the
    parent, unpickled in a ``spawn``/``forkserver`` worker) gives a stand-in whose every
    call raises a ``ValueError`` saying so: raising while unpickling would make
    ``multiprocessing.Pool`` workers die and ``Pool.map`` wait forever.
    """
    try:
        spec = lookup(name)
    except ValueError:
        return _Unregistered(name, params)
    return Activation(spec, *bind(spec, params))


class _Unregistered:
    """An unpickled activation whose name this process's registry does not know."""

    __slots__ = ("name", "params", "__weakref__")

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        self.name = name
        self.params = dict(params)

    def __repr__(self) -> str:
        return f"<unregistered actfn activation {self.name!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.name, dict(self.params)))

    def _error(self) -> ValueError:
        return ValueError(
            f"activation {self.name!r} is not registered in this process (pid {os.getpid()}): "
            "it was pickled by name in a process that registered it at runtime, and this "
            "process (e.g. a 'spawn' or 'forkserver' worker, which starts fresh) has only "
            "the activations registered on import. Register it at import time of a module "
            "the workers import, or use the 'fork' start method"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error()

    def derivative(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error()

    def second_derivative(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error()

    def value_and_derivative(self, *args: Any, **kwargs: Any) -> Any:
        raise self._error()

    def kinks(self) -> Any:
        raise self._error()


def _gated_params(spec: Any, params: dict[str, Any]) -> dict[str, Any]:
    """A gated unit's parameters, validated: static values only (a torch tensor that
    requires grad would be silently detached, so it is refused, as a JAX tracer is)."""
    from ._evaluate import check_static

    check_static(spec.name, params)
    torch = sys.modules.get("torch")
    if torch is not None:
        live = [k for k, v in params.items() if isinstance(v, torch.Tensor) and v.requires_grad]
        if live:
            raise TypeError(
                f"{spec.name}: parameter {live[0]} is a torch tensor that requires grad; the "
                "parameters of a gated unit in the core API are static numbers (their "
                "gradients would be lost): pass a Python float"
            )
    return spec.bind(**params)


def get(name: Any, /, **params: Any) -> Any:
    """Return the activation ``name`` bound to ``params`` (unset ones take defaults).

    An elementwise activation gives an :class:`Activation`; a gated unit (two inputs,
    ``actfn.names(kind="gated")``) a :class:`actfn._gated.GatedActivation`, called as
    ``act(gate, up)`` or ``act(x, dim=-1)``.

    Raises ``ValueError`` for an unknown name (listing the closest matches) or a
    parameter outside its valid range, and ``TypeError`` for an unknown parameter.

    >>> import actfn
    >>> actfn.get("celu", alpha=0.5)
    celu(alpha=0.5)
    >>> actfn.get("swish").name
    'silu'
    """
    from ._gated import GatedActivation

    if isinstance(name, (Activation, GatedActivation)):
        if not params:
            return name
        return get(name.name, **{**name.params, **params})
    spec = lookup(name, kind="all")
    if spec.kind == "gated":
        return GatedActivation(spec, _gated_params(spec, params))
    return Activation(spec, *bind(spec, params))
