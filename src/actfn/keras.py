"""Keras 3 activation functions and layers for every activation in the catalog.

Importing this module registers, for each activation ``name`` in ``actfn.names()``,

* a function ``actfn.keras.<name>`` under the Keras name ``"actfn><name>"``, so
  ``keras.layers.Dense(8, activation="actfn>celu")`` works and survives
  ``get_config``/``from_config`` and ``.keras`` save/load;
* a layer class named by capitalising the parts of the name (``celu`` → ``Celu``,
  ``gelu_sigmoid`` → ``GeluSigmoid``) registered as ``"actfn>Celu"``, whose constructor
  takes the activation's parameters (``actfn.keras.Celu(alpha=0.5)``);
* where ``keras.layers`` has the activation as a layer of its own (read from the catalog's
  Keras ``Equivalent``: ``ELU``, ``LeakyReLU``, ``PReLU``, ``ReLU`` today), a layer class
  under Keras' name that *is* that Keras class with actfn's computation
  (:func:`native_class`, registered as ``"actfn>ELU"``...): same constructor arguments,
  defaults, validation, weights and ``get_config`` as Keras', so
  ``actfn.keras.LeakyReLU()`` has Keras' ``negative_slope=0.3`` (PyTorch's and actfn's
  registry default is 0.01) and ``actfn.keras.PReLU()`` learns Keras' ``alpha`` (shape,
  ``alpha_initializer="Zeros"``, regularizer, constraint, ``shared_axes``). The 0.1.0
  classes these replace (``Elu``, ``LeakyRelu``, ``Prelu``, ``Relu``) still work and warn
  ``DeprecationWarning``; they are removed in the next release;
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

import ast
import importlib.util
import inspect
import json
import math
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import _evaluate, _knowledge
from ._activation import get
from ._evaluate import Generated, PerSpec, class_name, docstring, dress, signature
from ._evaluate import layer_class as layer_class_of
from ._registry import Spec, canonical_names, lookup


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

__all__ = ["Activation", "backend_function", "layer_class", "native_class", "native_name"]

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


# -- keras.layers' names ----------------------------------------------------------------------
_KERAS_LAYER = re.compile(r"\s*keras\.layers\.(\w+)\(")


def _keras_layer(spec: Spec) -> tuple[str, dict[str, Any]] | None:
    """``(class name, fixed arguments)`` of the ``keras.layers`` class the catalog's Keras
    ``Equivalent`` of ``spec`` names (``keras.layers.ReLU(max_value=6.0)`` → ``("ReLU",
    {"max_value": 6.0})``), or ``None`` where it names none or only the generic
    ``keras.layers.Activation``. Fixed arguments: literal keyword arguments that are not
    parameters of ``spec`` (they select ``spec`` among the activations sharing the class)."""
    eq = _knowledge.for_spec(spec).equivalent("Keras")
    m = _KERAS_LAYER.match(eq.layer) if eq is not None and eq.layer else None
    if m is None or m.group(1) == "Activation":
        return None
    kcls = getattr(keras.layers, m.group(1), None)
    if not (isinstance(kcls, type) and issubclass(kcls, keras.layers.Layer)):
        return None
    fixed: dict[str, Any] = {}
    try:
        call = ast.parse(eq.layer.split("#")[0].strip(), mode="eval").body
    except SyntaxError:
        return m.group(1), fixed
    for kw in getattr(call, "keywords", ()):
        if kw.arg is None or kw.arg in spec.param_names:
            continue
        try:
            fixed[kw.arg] = ast.literal_eval(kw.value)
        except ValueError:
            continue  # an initializer object (PReLU's alpha_initializer): sets up weights
    return m.group(1), fixed


def _variants(cls_name: str) -> dict[str, dict[str, Any]]:
    """The activations whose Keras layer is ``keras.layers.<cls_name>``, with the fixed
    arguments that select each (``ReLU``: relu ``{}``, relu6 ``{"max_value": 6.0}``)."""
    out = {}
    for n in canonical_names():
        found = _keras_layer(lookup(n))
        if found is not None and found[0] == cls_name:
            out[n] = found[1]
    return out


def native_name(name: str) -> str | None:
    """The ``keras.layers`` class name of activation ``name`` (``"elu"`` → ``"ELU"``),
    read from the Keras ``Equivalent`` of its catalog knowledge, or ``None`` where Keras
    has no layer of its own for it. Where several activations share a Keras class
    (``ReLU()`` is relu, ``ReLU(max_value=6.0)`` relu6) the name belongs to the one that
    needs no fixed argument; the class then computes whichever its arguments select."""
    spec = lookup(name)
    found = _keras_layer(spec)
    if found is None or found[1]:
        return None
    plain = [n for n, fixed in _variants(found[0]).items() if not fixed]
    return found[0] if plain == [spec.name] else None


def native_class(name: str) -> type[Activation] | None:
    """The layer class of activation ``name`` under ``keras.layers``' name and with its
    constructor (``actfn.keras.LeakyReLU``), or ``None`` (see :func:`native_name`)."""
    return _NATIVE(name)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def _apply_learned(name: str, x: Any, learned: dict[str, Any]) -> Any:
    """Activation ``name`` with Keras weights as parameters, on the current backend, the
    weights' gradients analytic (∂f/∂p)."""
    backend = keras.backend.backend()
    if backend == "jax":
        from . import jax as _jax

        return _jax.apply_learned(name, x, learned)
    if backend == "numpy":
        values = {k: keras.ops.convert_to_numpy(v).tolist() for k, v in learned.items()}
        return get(name, **values)(x)
    return backend_function(name)(x, **learned)


def _make_native(spec: Spec) -> type[Activation] | None:
    cls_name = native_name(spec.name)
    if cls_name is None:
        return None
    kcls = getattr(keras.layers, cls_name)
    ksig = inspect.signature(kcls.__init__)
    kparams = [p for n, p in ksig.parameters.items()
               if n != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD]
    vector = [p.name for p in spec.params if p.vector]
    variants = _variants(cls_name)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kcls.__init__(self, *args, **kwargs)  # Keras' own arguments, defaults and checks
        given = ksig.bind(self, *args, **kwargs)
        given.apply_defaults()
        values = {p.name: given.arguments[p.name] for p in kparams}
        target = spec
        if not vector:
            # Arguments that are not the activation's parameters select the activation
            # (ReLU(max_value=6.0) is relu6); a combination actfn does not have is refused.
            chosen = {k: v for k, v in values.items() if k not in spec.param_names
                      and not _same(v, ksig.parameters[k].default)}
            match = [n for n, fixed in variants.items()
                     if fixed.keys() == chosen.keys()
                     and all(_same(chosen[k], v) for k, v in fixed.items())]
            if not match:
                forms = "; ".join(
                    f"{cls_name}({', '.join(f'{k}={v!r}' for k, v in f.items())}) is {n}"
                    for n, f in variants.items())
                shown = ", ".join(f"{k}={v!r}" for k, v in chosen.items())
                raise ValueError(
                    f"actfn.keras.{cls_name}({shown}): actfn has no activation for these "
                    f"arguments; {forms} (keras.layers.{cls_name} computes the others)")
            target = lookup(match[0])
        params = {k: values[k] for k in target.param_names if k in values}
        self._activation = target.name
        self._params = {k: v for k, v in target.bind(**params).items() if k not in vector}
        self._learned = tuple(vector)

    def call(self: Any, inputs: Any) -> Any:
        """f(inputs) with actfn's value and analytic gradients (also for Keras' weights)."""
        if not self._learned:
            return backend_function(self._activation)(inputs, **self._params)
        # Keras' weight has the input's shape without the batch axis (1 on shared axes):
        # actfn's per-channel parameter broadcast along dim 1 of the flattened input.
        (weight,) = self.weights
        shape = tuple(inputs.shape[1:])
        size = math.prod(shape)
        w = keras.ops.reshape(keras.ops.broadcast_to(weight, shape), (size,))
        y = _apply_learned(self._activation, keras.ops.reshape(inputs, (-1, size)),
                           {self._learned[0]: w})
        return keras.ops.reshape(y, keras.ops.shape(inputs))

    # Keras' signature: its automatic config (ELU has no get_config of its own) reads it
    __init__.__signature__ = ksig  # type: ignore[attr-defined]
    notes = [f"Drop-in for ``keras.layers.{cls_name}`` (a subclass of it) with actfn's "
             "computation on every Keras backend: f and analytic f′, f″. Same constructor "
             "arguments, defaults, validation and ``get_config`` as Keras' (read from the "
             "class itself), so defaults follow Keras where it differs from PyTorch and "
             "actfn's registry (listed under Parameters)."]
    others = {n: f for n, f in variants.items() if f}
    if others:
        notes.append("Arguments that select another activation compute it: "
                     + ", ".join(f"``{cls_name}({', '.join(f'{k}={v!r}' for k, v in f.items())})`` "
                                 f"is {n}" for n, f in others.items())
                     + "; other non-default combinations raise ``ValueError``.")
    if vector:
        notes.append("Keras builds and owns the weight (its shape, initializer, regularizer, "
                     "constraint and ``shared_axes``); actfn computes f and the analytic "
                     "gradients for the input and the weight.")
    notes.append("Deviation: at kinks the derivative follows actfn's convention (PyTorch's, "
                 "see below), which may differ from Keras' autodiff there.")
    doc = docstring(spec, " ".join(notes),
                    (_SETUP, f"tuple(actfn.keras.{cls_name}()(keras.ops.zeros((2, 3))).shape)",
                     "(2, 3)"))
    cls = type(cls_name, (Activation, kcls), {
        # Keras' own get_config (the same function object: Keras tells its default
        # automatic config apart by identity), not actfn.keras.Activation's
        "__init__": __init__, "call": call, "get_config": kcls.get_config,
        "compute_output_shape": kcls.compute_output_shape,
        "__module__": __name__, "__doc__": doc})
    cls.__qualname__ = cls_name
    return keras.saving.register_keras_serializable(package=_PACKAGE)(cls)


_NATIVE: PerSpec[type[Activation] | None] = PerSpec(_make_native)


def _exported() -> dict[str, Any]:
    return _evaluate.export_native(_GENERATED.exported(), native_class, "actfn.keras",
                                   "keras.layers'")


_GENERATED = Generated(__name__, _FUNCTIONS, _LAYERS)
_EXPORTED = _exported()
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)

# the gated units (two inputs): actfn._gated_keras
from ._gated_keras import exported as _gated_exported  # noqa: E402

_GATED = _gated_exported()
globals().update(_GATED)
__all__ += sorted(_GATED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get their function and layer classes on first use.
    try:
        return _GENERATED.attribute(name)
    except AttributeError:
        for n in canonical_names():
            if native_name(n) == name:
                return native_class(n)
        raise
