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
derivatives: on the ``tensorflow`` backend through :mod:`actfn.tensorflow` (nested
``tf.custom_gradient``), on the ``jax`` backend through :mod:`actfn.jax`
(``jax.custom_jvp``), on the ``torch`` backend through :mod:`actfn.torch`
(``torch.autograd.Function``), on the ``numpy`` backend (inference only) through
:func:`actfn.get`. Choose the backend with the ``KERAS_BACKEND`` environment variable
before importing Keras; if none is chosen and TensorFlow (Keras' default) is not
installed, importing this module first picks jax, else torch.

Parameters are fixed hyperparameters here (validated by the registry; errors name the
parameter and the valid range); for learnable ones use :mod:`actfn.torch`. On the JAX
backend the working precision is float64 only when ``jax_enable_x64`` is on.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._activation import get
from ._evaluate import Generated, PerSpec, class_name, docstring, dress, signature
from ._evaluate import layer_class as layer_class_of
from ._registry import Spec, lookup


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
    if backend == "tensorflow":
        from . import tensorflow as _tensorflow

        return _tensorflow.function(name)
    if backend == "jax":
        from . import jax as _jax

        return _jax.function(name)
    if backend == "torch":
        from . import torch as _torch

        return _torch.function(name)
    if backend == "numpy":
        return lambda x, /, **params: get(name, **params)(x)
    raise NotImplementedError(
        f"actfn.keras supports the tensorflow, jax, torch and numpy Keras backends; the current backend "
        f"is {backend!r} (set KERAS_BACKEND before importing keras)"
    )


#: Shared by the examples of every generated docstring (on every Keras backend).
_SETUP = "import keras, actfn.keras"


def _activation_function(spec: Spec) -> Callable[..., Any]:
    def fn(x: Any, /, **params: Any) -> Any:
        return backend_function(spec.name)(x, **params)

    doc = docstring(
        spec,
        f"Keras activation function ``\"{_PACKAGE}>{spec.name}\"``: actfn's value and analytic "
        "gradient on the current Keras backend.",
        (_SETUP, "tuple(actfn.keras.{name}(keras.ops.zeros((2, 3)){kw}).shape)", "(2, 3)"),
    )
    fn = dress(fn, spec, __name__, doc, signature(spec))
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


def layer_class(name: str) -> type[Activation]:
    """The Keras layer class of activation ``name`` (canonical or alias).

    Its positional arguments are the activation's parameters in registry order.
    """
    return _LAYERS(name)


def _make_layer(spec: Spec) -> type[Activation]:
    sig = signature(spec, layer=True, var_keyword=True)
    cls_name = class_name(spec.name)
    doc = docstring(
        spec,
        f"Keras layer for actfn's ``{spec.name}`` (registered as "
        f"``\"{_PACKAGE}>{cls_name}\"``).",
        (_SETUP, "tuple(actfn.keras.{cls}({args})(keras.ops.zeros((2, 3))).shape)", "(2, 3)"),
    )
    cls = layer_class_of(Activation, spec, __name__, sig, doc)
    return keras.saving.register_keras_serializable(package=_PACKAGE)(cls)


#: One function and one registered layer class per spec.
_FUNCTIONS: PerSpec[Callable[..., Any]] = PerSpec(_activation_function)
_LAYERS: PerSpec[type[Activation]] = PerSpec(_make_layer)
_GENERATED = Generated(__name__, _FUNCTIONS, _LAYERS)
_EXPORTED = _GENERATED.exported()
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)

# the gated units (two inputs): actfn._gated_keras
from ._gated_keras import exported as _gated_exported  # noqa: E402

_GATED = _gated_exported()
globals().update(_GATED)
__all__ += sorted(_GATED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get their function and layer class on first use.
    return _GENERATED.attribute(name)
