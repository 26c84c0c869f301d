"""Keras 3 activation functions and layers for every activation in the catalog.

Importing this module registers, for each activation ``name`` in ``actfn.names()``,

* a function ``actfn.keras.<name>`` under the Keras name ``"actfn><name>"``, so
  ``keras.layers.Dense(8, activation="actfn>celu")`` works and survives
  ``get_config``/``from_config`` and ``.keras`` save/load;
* a layer class named by capitalising the parts of the name (``celu`` → ``Celu``,
  ``leaky_relu`` → ``LeakyRelu``) registered as ``"actfn>Celu"``, whose constructor
  takes the activation's parameters (``actfn.keras.Celu(alpha=0.5)``);
* and the generic layer ``actfn.keras.Activation("celu", alpha=0.5)``.

The computation runs on the Keras backend's own arrays with actfn's analytic
derivatives: on the ``jax`` backend through :mod:`actfn.jax` (``jax.custom_jvp``), on the
``torch`` backend through :mod:`actfn.torch` (``torch.autograd.Function``), on the
``numpy`` backend (inference only) through :func:`actfn.get`. The ``tensorflow`` backend
is not supported yet and raises ``NotImplementedError`` when a layer is called. Choose the
backend with the ``KERAS_BACKEND`` environment variable before importing Keras; if none is
chosen and TensorFlow (Keras' default) is not installed, importing this module first picks
jax, else torch.

Parameters are fixed hyperparameters here (validated by the registry; errors name the
parameter and the valid range); for learnable ones use :mod:`actfn.torch`. On the JAX
backend the working precision is float64 only when ``jax_enable_x64`` is on.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._activation import get
from ._registry import Spec, canonical_names, lookup, merge_positional


def _fallback_backend() -> None:
    """Pick jax (else torch) when Keras would fall back to a TensorFlow that is missing.

    Only when Keras is not imported yet, ``KERAS_BACKEND`` is unset and ``keras.json``
    names no backend other than TensorFlow: a choice made by the user always wins.
    """
    if "keras" in sys.modules or "KERAS_BACKEND" in os.environ:
        return
    if importlib.util.find_spec("tensorflow") is not None:
        return
    config = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "keras.json"
    try:
        configured = json.loads(config.read_text()).get("backend", "tensorflow")
    except (OSError, ValueError, AttributeError):
        configured = "tensorflow"
    if configured != "tensorflow":
        return
    for backend in ("jax", "torch"):
        if importlib.util.find_spec(backend) is not None:
            os.environ["KERAS_BACKEND"] = backend
            return


_fallback_backend()

import keras  # noqa: E402

__all__ = ["Activation", "backend_function", "layer_class"]

_PACKAGE = "actfn"


def backend_function(name: str) -> Callable[..., Any]:
    """actfn's ``name`` for the current Keras backend (``keras.backend.backend()``)."""
    backend = keras.backend.backend()
    if backend == "jax":
        from . import jax as _jax

        return _jax.function(name)
    if backend == "torch":
        from . import torch as _torch

        return _torch.function(name)
    if backend == "numpy":
        return lambda x, /, **params: get(name, **params)(x)
    raise NotImplementedError(
        f"actfn.keras supports the jax, torch and numpy Keras backends; the current backend "
        f"is {backend!r} (set KERAS_BACKEND before importing keras)"
    )


def _activation_function(spec: Spec) -> Callable[..., Any]:
    def fn(x: Any, /, **params: Any) -> Any:
        return backend_function(spec.name)(x, **params)

    fn.__name__ = fn.__qualname__ = spec.name
    fn.__module__ = __name__
    fn.__doc__ = (
        f"{spec.summary or spec.name}\n\nKeras activation function ``\"{_PACKAGE}>{spec.name}\"``: "
        "actfn's value and analytic gradient on the current Keras backend."
    )
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("x", inspect.Parameter.POSITIONAL_ONLY)]
        + [
            inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default)
            for p in spec.params
        ]
    )
    fn = keras.saving.register_keras_serializable(package=_PACKAGE, name=spec.name)(fn)
    # Keras 3's activations.get() resolves strings from its own table only (the registry
    # above serves get_config/from_config and saved models), so the registered name
    # "actfn>celu" is added to that table for Dense(..., activation="actfn>celu").
    table = getattr(getattr(keras.src, "activations", None), "ALL_OBJECTS_DICT", None)
    if isinstance(table, dict):
        table.setdefault(f"{_PACKAGE}>{spec.name}", fn)
    return fn


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Activation(keras.layers.Layer):
    """An actfn activation as a Keras layer: ``Activation("celu", alpha=0.5)``.

    Keyword arguments that are parameters of the activation are validated by the registry
    (``ValueError`` names the bad value and the valid range, ``TypeError`` an unknown
    one); the others (``name``, ``dtype``, ...) go to ``keras.layers.Layer``.
    """

    def __init__(self, activation: str, **kwargs: Any) -> None:
        spec = lookup(activation)
        params = {k: kwargs.pop(k) for k in list(kwargs) if k in spec.param_names}
        try:
            super().__init__(**kwargs)
        except ValueError as err:  # Keras' message for unknown keywords; say what is valid
            raise TypeError(
                f"{err}; parameters of {spec.name}: {', '.join(spec.param_names) or 'none'}"
            ) from err
        self._activation = spec.name
        self._params = spec.bind(**params)
        self.supports_masking = True

    @property
    def activation(self) -> str:
        """Canonical name of the activation."""
        return self._activation

    @property
    def params(self) -> dict[str, Any]:
        """The bound parameter values (a copy)."""
        return dict(self._params)

    def call(self, inputs: Any) -> Any:
        """f(inputs) elementwise with actfn's gradient on the current backend."""
        return backend_function(self._activation)(inputs, **self._params)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Elementwise: the input shape."""
        return input_shape

    def get_config(self) -> dict[str, Any]:
        """Keras' layer config plus the activation's parameters (and its name for the generic layer)."""
        config = super().get_config()
        if type(self) is Activation:
            config["activation"] = self._activation
        for k, v in self._params.items():
            config[k] = list(v) if isinstance(v, tuple) else v
        return config


def _class_name(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def layer_class(name: str) -> type[Activation]:
    """The Keras layer class of activation ``name`` (canonical or alias).

    Its positional arguments are the activation's parameters in registry order.
    """
    spec = lookup(name)
    order = list(spec.param_names)

    def __init__(self: Activation, *args: Any, **kwargs: Any) -> None:
        kwargs = merge_positional(type(self).__name__, order, args, kwargs)
        Activation.__init__(self, spec.name, **kwargs)

    __init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
        + [
            inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=p.default)
            for p in spec.params
        ]
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
    )
    doc = (
        f"{spec.summary or spec.name}\n\nKeras layer for actfn's ``{spec.name}`` "
        f"(registered as ``\"{_PACKAGE}>{_class_name(spec.name)}\"``)."
    )
    if spec.params:
        doc += "\n\nParameters\n" + "\n".join(
            f"    {p.name} (default {p.default!r}): {p.doc}; {p.valid_range()}" for p in spec.params
        )
    cls = type(
        _class_name(spec.name),
        (Activation,),
        {"__init__": __init__, "__module__": __name__, "__doc__": doc},
    )
    cls.__qualname__ = cls.__name__
    return keras.saving.register_keras_serializable(package=_PACKAGE)(cls)


_EXPORTED: dict[str, Any] = {}
for _n in canonical_names():
    _spec = lookup(_n)
    _EXPORTED[_n] = _activation_function(_spec)
    _EXPORTED[_class_name(_n)] = layer_class(_n)
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)
del _n, _spec
