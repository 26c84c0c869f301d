r"""Keras 3 layers and functions of the gated units: ``actfn.keras.SwiGLU()``...

For each gated unit of the registry (formulas in :mod:`actfn._gated`) ``actfn.keras``
gets a function ``<name>(gate, up=None, /, *, dim=None, gate_first=False, **params)`` and
a layer class (:func:`actfn._gated_layers.gated_class_name`: ``GLU``, ``SwiGLU``,
``GeGLU``, ``ReGLU``, ``SwiGLUClamped``, ``BilinearGLU``; registered as
``"actfn>SwiGLU"``...) whose ``call`` takes one tensor, split along ``dim`` (default -1;
first half the value ``up``, second half the gate, as ``torch.nn.functional.glu``;
``gate_first=True`` for the other order), or a list ``[gate, up]``; plus the generic
layer ``actfn.keras.Gated("swiglu")``. The work runs on the Keras backend's arrays
through :mod:`actfn.torch` (fused layer), :mod:`actfn.jax`, :mod:`actfn.tensorflow` or,
on the numpy backend (inference only), :func:`actfn.get`. Parameters are fixed
hyperparameters validated by the registry; layers survive ``get_config``/``from_config``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import keras

from ._activation import get
from ._gated import check_gate_first
from ._gated_layers import gated_class_name, gated_names, gated_spec

__all__ = ["Gated", "broadcast_shape", "exported", "gated_backend_function"]

_PACKAGE = "actfn"


def gated_backend_function(name: str) -> Callable[..., Any]:
    """actfn's gated unit ``name`` for the current Keras backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        from . import tensorflow as _tensorflow  # noqa: F401  (imports _gated_tf)
        from ._gated_tf import gated_function

        return gated_function(name)
    if backend == "jax":
        from . import jax as _jax  # noqa: F401  (imports _gated_jax)
        from ._gated_jax import gated_function as jax_function

        return jax_function(name)
    if backend == "torch":
        from . import torch as _torch  # noqa: F401  (imports _gated_torch)
        from ._gated_torch import gated_function as torch_function

        return torch_function(name)
    if backend == "numpy":
        return lambda gate, up=None, /, **kw: get(name, **{
            k: v for k, v in kw.items() if k not in ("dim", "gate_first")})(
            gate, up, **{k: v for k, v in kw.items() if k in ("dim", "gate_first")})
    raise NotImplementedError(f"actfn.keras supports the tensorflow, jax, torch and numpy "
                              f"Keras backends; the current backend is {backend!r}")


def _is_shape(s: Any) -> bool:
    """Whether ``s`` is a whole shape (a tuple, list or TensorShape of sizes), not a size."""
    return not isinstance(s, (int, str)) and s is not None and hasattr(s, "__iter__")


def broadcast_shape(a: Any, b: Any, who: str = "Gated") -> tuple[int | None, ...]:
    """NumPy broadcasting of two Keras shapes whose sizes may be ``None`` (unknown):
    a size 1 takes the other's; ``None`` with n > 1 gives n (the run time size must be n
    or 1), ``None`` with 1 or ``None`` stays ``None``; two different known sizes, neither
    1, raise ValueError naming both shapes.

    >>> broadcast_shape((None, 1, 8), (5, 8))
    (None, 5, 8)
    """
    sa = [None if d is None else int(d) for d in a]
    sb = [None if d is None else int(d) for d in b]
    n = max(len(sa), len(sb))
    sa, sb = [1] * (n - len(sa)) + sa, [1] * (n - len(sb)) + sb
    out: list[int | None] = []
    for x, y in zip(sa, sb, strict=True):
        if x == 1 or x == y:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(y if x is None else x)
        else:
            raise ValueError(f"{who}: gate of shape {tuple(a)} and up of shape {tuple(b)} "
                             "do not broadcast together")
    return tuple(out)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Gated(keras.layers.Layer):
    """A gated unit as a Keras layer: ``Gated("swiglu")(x)`` splits ``x`` along ``dim``
    (first half up, second half gate; ``gate_first=True`` for the other order);
    ``Gated("swiglu")([gate, up])`` takes the halves."""

    def __init__(self, activation: str, dim: int = -1, *, gate_first: bool = False,
                 **kwargs: Any) -> None:
        spec = gated_spec(activation)
        params = {k: kwargs.pop(k) for k in list(kwargs) if k in spec.param_names}
        super().__init__(**kwargs)
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"dim must be an int, got {type(dim).__name__}")
        self._activation = spec.name
        self._params = get(spec.name, **params).params
        self.dim = dim
        self.gate_first = check_gate_first(gate_first)

    @property
    def activation(self) -> str:
        """Canonical name of the gated unit."""
        return self._activation

    def call(self, inputs: Any) -> Any:
        """a(gate)·b(up) on the current backend."""
        fn = gated_backend_function(self._activation)
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != 2:
                raise ValueError(f"{type(self).__name__} takes one tensor (split along dim) "
                                 f"or a list [gate, up], got a list of {len(inputs)}")
            return fn(inputs[0], inputs[1], **self._params)
        return fn(inputs, dim=self.dim, gate_first=self.gate_first, **self._params)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The broadcast shape of [gate, up] (:func:`broadcast_shape`: ``None`` for an
        unknown size, as Keras' symbolic shapes), or the input's with ``dim`` halved."""
        if isinstance(input_shape, (list, tuple)) and input_shape and all(
                _is_shape(s) for s in input_shape):
            if len(input_shape) != 2:
                raise ValueError(f"{type(self).__name__} takes one tensor (split along dim) "
                                 f"or a list [gate, up], got a list of {len(input_shape)}")
            return broadcast_shape(input_shape[0], input_shape[1], type(self).__name__)
        shape = list(input_shape)
        n = shape[self.dim]
        if n is not None and n % 2:
            raise ValueError(f"{type(self).__name__}: dim={self.dim} has odd length {n}: the "
                             "split form halves it into the value (up) and the gate, so its "
                             "length must be even")
        shape[self.dim] = None if n is None else n // 2
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        """Keras' layer config plus dim, gate_first and the unit's parameters."""
        config = super().get_config()
        if type(self) is Gated:
            config["activation"] = self._activation
        config.update(dim=self.dim, gate_first=self.gate_first, **self._params)
        return config


_CLASSES: dict[str, tuple[Any, type[Gated]]] = {}


def gated_layer_class(name: str) -> type[Gated]:
    """The Keras layer class of gated unit ``name`` (``SwiGLU`` for ``swiglu``)."""
    spec = gated_spec(name)
    hit = _CLASSES.get(spec.name)
    if hit is not None and hit[0] is spec:
        return hit[1]
    cls_name = gated_class_name(spec.name)

    def __init__(self: Gated, dim: int = -1, *, gate_first: bool = False,
                 **kwargs: Any) -> None:
        Gated.__init__(self, spec.name, dim, gate_first=gate_first, **kwargs)

    P = inspect.Parameter
    __init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [P("self", P.POSITIONAL_ONLY), P("dim", P.POSITIONAL_OR_KEYWORD, default=-1),
         P("gate_first", P.KEYWORD_ONLY, default=False)]
        + [P(p.name, P.KEYWORD_ONLY, default=p.default) for p in spec.params]
        + [P("kwargs", P.VAR_KEYWORD)])
    doc = (f"{spec.summary}\n\nKeras layer of actfn's gated unit ``{spec.name}`` (registered "
           f"as ``\"{_PACKAGE}>{cls_name}\"``; see :class:`actfn.keras.Gated`).\n\n"
           f">>> import keras, actfn.keras\n>>> tuple(actfn.keras.{cls_name}()"
           "(keras.ops.zeros((2, 4))).shape)\n(2, 2)\n")
    cls = type(cls_name, (Gated,), {"__init__": __init__, "__module__": "actfn.keras",
                                    "__doc__": doc})
    cls.__qualname__ = cls_name
    cls = keras.saving.register_keras_serializable(package=_PACKAGE)(cls)
    _CLASSES[spec.name] = (spec, cls)
    return cls


def _function(name: str) -> Callable[..., Any]:
    spec = gated_spec(name)

    def fn(gate: Any, up: Any = None, /, *, dim: int | None = None, gate_first: bool = False,
           **params: Any) -> Any:
        kw: dict[str, Any] = dict(params)
        gate_first = check_gate_first(gate_first)
        if up is None:
            kw.update(dim=dim, gate_first=gate_first)
            return gated_backend_function(spec.name)(gate, **kw)
        return gated_backend_function(spec.name)(gate, up, dim=dim, gate_first=gate_first, **kw)

    fn.__name__ = fn.__qualname__ = spec.name
    fn.__module__ = "actfn.keras"
    fn.__doc__ = (f"{spec.summary}\n\nKeras function of actfn's gated unit ``{spec.name}`` on "
                  "the current backend: ``fn(gate, up)`` or ``fn(x, dim=-1)``.")
    return fn


def exported() -> dict[str, Any]:
    """The names ``actfn.keras`` exports for the gated units registered now."""
    out: dict[str, Any] = {"Gated": Gated}
    for n in gated_names():
        out[n] = _function(n)
        cls = gated_layer_class(n)
        out[cls.__name__] = cls
    return out
