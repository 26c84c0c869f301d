"""Flax (``flax.nnx``) modules for every activation in the catalog, with learnable parameters.

For each registered activation ``name`` this module provides an ``nnx.Module`` class and the
generic ``actfn.flax.Activation("celu", alpha=0.5)``. Class names (:func:`native_name`):

* where ``flax.nnx`` has the activation as a module (``nnx.PReLU``), that name, and the class
  *is* a subclass of the nnx module with its constructor and parameter
  (``PReLU(negative_slope_init=0.01)``, ``nnx.Param`` ``negative_slope``), computed by actfn;
* else ``torch.nn``'s name, read from the catalog's PyTorch ``Equivalent`` (``CELU``,
  ``GELU(approximate="tanh")``, ``LeakyReLU``, ``SiLU``, ``ReLU6``...): nnx has no other
  activation modules, only functions (``nnx.celu``, ``jax.nn.gelu``), and lower-case
  function names cannot name classes, so the names follow PyTorch, which JAX users meet in
  model ports and papers, and which ``actfn.torch`` and ``actfn.keras`` share. The
  constructor arguments are the registry's parameters, which use PyTorch's names and
  defaults (``GELU(approximate="none")``: exact, where ``jax.nn.gelu`` defaults to the tanh
  approximation);
* else the capitalised name (``gelu_sigmoid`` → ``GeluSigmoid``).

The 0.1.0 names that differ (``Celu``, ``Prelu``, ``LeakyRelu``...) still work with their
0.1.0 constructors and warn ``DeprecationWarning``; they are removed in the next release
(:func:`module_class` still returns them until then). Calling a module evaluates
:mod:`actfn.jax`, so values and gradients are actfn's analytic ones (f′, f″, and ∂f/∂p,
∂²f/∂x∂p for learnable parameters) under ``nnx.jit``, ``nnx.grad`` and their JAX
counterparts.

Learnable parameters (``nnx.Param``), as in :mod:`actfn.torch`:

* a per-channel parameter (prelu's ``weight``) is always learned and set up like
  ``torch.nn.PReLU``: ``Prelu(num_parameters=1, init=0.25)``, channels on dim 1 (axis 1 of
  the input; one value broadcasts everywhere);
* the scalar ones the registry marks learnable (alpha of elu/selu/celu, scale of selu,
  beta of silu/softplus) are opt-in: ``Celu(alpha=0.5, learnable=True)`` or
  ``Selu(learnable=("alpha",))``. Their value fixes exact constants in actfn's kernels,
  so these activations are evaluated on the host (``jax.pure_callback`` into actfn's NumPy
  kernels, float64) when a scalar parameter is learned: correct under ``jit`` and
  ``grad``, but a host round trip per call (not for accelerators' hot loops).

A learnable parameter that training drives out of its valid range raises at the next call
(the registry's ``ValueError`` for a scalar, inside the host callback). Other parameters
are fixed hyperparameters, validated by the registry. Parameters are stored in float32
(Flax's default ``param_dtype``).
"""

from __future__ import annotations

import inspect
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from . import _knowledge
from . import jax as _ajax
from ._evaluate import (
    PerSpec,
    class_name,
    docstring,
    layer_class,
    layer_params,
    learn_plan,
    signature,
)
from ._registry import Spec, canonical_names, lookup

__all__ = ["Activation", "module_class", "native_class", "native_name"]

class Activation(nnx.Module):
    """An actfn activation as a ``flax.nnx`` module: ``Activation("celu", alpha=0.5)``.

    ``learnable`` (``True`` or a sequence of names) turns the registry's learnable scalar
    parameters into ``nnx.Param``\\ s initialised to the given values. A per-channel
    parameter (prelu's weight) is always learned: ``num_parameters`` slopes initialised
    to ``init``. ``param_dtype``: the dtype of the learned parameters (float32).
    """

    def __init__(
        self,
        activation: str,
        /,
        *,
        learnable: bool | Sequence[str] = False,
        num_parameters: int | None = None,
        init: float | None = None,
        param_dtype: Any = jnp.float32,
        **params: Any,
    ) -> None:
        spec = lookup(activation)
        plan = learn_plan(spec, learnable, num_parameters, init, params)
        wanted, vector, num_parameters = plan.scalars, plan.vector, plan.num_parameters
        bound = plan.bound
        self.activation = spec.name
        self.num_parameters = num_parameters
        self.learned = tuple(wanted) + tuple(vector)
        self.fixed = {k: v for k, v in bound.items() if k not in self.learned}
        for n in wanted:
            setattr(self, n, nnx.Param(jnp.asarray(bound[n], dtype=param_dtype)))
        for n in vector:
            value = bound[n][0] if isinstance(bound[n], tuple) else bound[n]
            setattr(self, n, nnx.Param(jnp.full((num_parameters,), value, dtype=param_dtype)))

    def __call__(self, x: jax.Array) -> jax.Array:
        """f(x) elementwise, with actfn's analytic gradients (also for the parameters)."""
        if not self.learned:
            return _ajax.function(self.activation)(x, **self.fixed)
        learned = {n: getattr(self, n)[...] for n in self.learned}
        fixed = {k: v for k, v in self.fixed.items() if k not in learned}
        return _ajax.apply_learned(self.activation, x, learned, **fixed)


def module_class(name: str) -> type[Activation]:
    """The ``nnx.Module`` class of activation ``name`` (canonical or alias) under its 0.1.0
    name and constructor (``Prelu(num_parameters, init)``); where :func:`native_name`
    differs that class is deprecated: use :func:`native_class`.

    >>> import jax.numpy as jnp, actfn.flax
    >>> actfn.flax.native_class("prelu")(0.25, num_parameters=3)(-jnp.ones((2, 3))).tolist()
    [[-0.25, -0.25, -0.25], [-0.25, -0.25, -0.25]]
    """
    return _CLASSES(name)


def _make_class(spec: Spec) -> type[Activation]:
    learnable, pairs, extra = layer_params(spec)
    sig = signature(spec, layer=True, params=pairs, keyword_only=extra)
    doc = docstring(
        spec,
        f"``flax.nnx.Module`` for actfn's ``{spec.name}`` (see :class:`actfn.flax.Activation`).",
        ("import jax.numpy as jnp, actfn.flax", "actfn.flax.{cls}({args})(jnp.zeros((2, 3))).shape",
         "(2, 3)"),
        call_params=pairs, learnable=learnable,
    )
    return layer_class(Activation, spec, __name__, sig, doc)


#: One class per spec (``module_class("celu") is actfn.flax.Celu``).
_CLASSES: PerSpec[type[Activation]] = PerSpec(_make_class)


# -- native names -----------------------------------------------------------------------------
_TORCH_LAYER = re.compile(r"\s*torch\.nn\.(\w+)\(")


def native_name(name: str) -> str:
    """The class name of activation ``name`` here: ``flax.nnx``'s where nnx has the module
    (``"prelu"`` → ``"PReLU"``), else ``torch.nn``'s from the catalog's PyTorch
    ``Equivalent`` (``"celu"`` → ``"CELU"``), else :func:`~actfn._evaluate.class_name`."""
    spec = lookup(name)
    eq = _knowledge.for_spec(spec).equivalent("PyTorch")
    m = _TORCH_LAYER.match(eq.layer) if eq is not None and eq.layer else None
    return m.group(1) if m is not None else class_name(spec.name)


def native_class(name: str) -> type[Activation]:
    """The module class of activation ``name`` under :func:`native_name`
    (``native_class("celu") is actfn.flax.CELU``)."""
    return _NATIVE(name)


def _nnx_param(module: nnx.Module) -> tuple[str, nnx.Param] | None:
    found = [(k, v) for k, v in vars(module).items() if isinstance(v, nnx.Param)]
    return found[0] if len(found) == 1 else None


def _make_nnx_native(spec: Spec, ncls: type, vector: str) -> type[Activation]:
    """A subclass of ``ncls`` (``nnx.PReLU``) with its constructor and parameter, computed
    by actfn (the parameter is ``spec``'s per-channel parameter ``vector``)."""
    nsig = inspect.signature(ncls.__init__)
    P = inspect.Parameter
    sig = nsig.replace(parameters=[*nsig.parameters.values(),
                                   P("num_parameters", P.KEYWORD_ONLY, default=None)])

    def __init__(self: Any, *args: Any, num_parameters: int | None = None,
                 **kwargs: Any) -> None:
        ncls.__init__(self, *args, **kwargs)  # nnx's arguments, defaults and parameter
        found = _nnx_param(self)
        if found is None:
            raise TypeError(f"{ncls.__name__} no longer has a single nnx.Param: actfn's "
                            f"{type(self).__name__} cannot map it onto {spec.name}")
        pname, param = found
        if num_parameters is not None:
            if (isinstance(num_parameters, bool) or not isinstance(num_parameters, int)
                    or num_parameters < 1):
                raise ValueError(f"{type(self).__name__}: num_parameters={num_parameters!r} "
                                 "must be a positive integer (or None: one scalar, as nnx)")
            param.set_value(jnp.full((num_parameters,), param[...], dtype=param[...].dtype))
        self.activation = spec.name
        self.num_parameters = int(param[...].size)
        self.learned = (pname,)
        self.fixed = {}

    def __call__(self: Any, inputs: jax.Array) -> jax.Array:
        """f(inputs) with actfn's value and analytic gradients for inputs and the slope."""
        pname = self.learned[0]
        slope = getattr(self, pname)[...]
        if getattr(self, "dtype", None) is not None:
            inputs, slope = self.promote_dtype((inputs, slope), dtype=self.dtype)
        else:  # as nnx: the parameter takes the input's dtype
            slope = jnp.asarray(slope, jnp.asarray(inputs).dtype)
        return _ajax.apply_learned(spec.name, inputs, {vector: slope})

    __init__.__signature__ = sig  # type: ignore[attr-defined]
    role = (f"Drop-in for ``flax.nnx.{ncls.__name__}`` (a subclass of it: same constructor, "
            "defaults and parameter) computed by actfn: f and analytic gradients for the "
            "input and the parameter. actfn's addition: ``num_parameters=C`` learns one "
            "value per channel (dim 1, as ``torch.nn.PReLU``) instead of one scalar. "
            "Deviation: the derivative at the kink x = 0 is the slope (PyTorch's "
            f"convention, actfn's everywhere), where nnx's ``where(x >= 0, ...)`` gives 1.")
    doc = docstring(spec, role, ("import jax.numpy as jnp, actfn.flax",
                                 f"actfn.flax.{ncls.__name__}()(jnp.zeros((2, 3))).shape",
                                 "(2, 3)"), learnable=(vector,))
    cls = type(ncls.__name__, (Activation, ncls), {
        "__init__": __init__, "__call__": __call__, "__module__": __name__, "__doc__": doc})
    cls.__qualname__ = cls.__name__
    return cls


def _make_native(spec: Spec) -> type[Activation]:
    name = native_name(spec.name)
    ncls = getattr(nnx, name, None)
    vector = [p.name for p in spec.params if p.vector]
    if isinstance(ncls, type) and issubclass(ncls, nnx.Module) and len(vector) == 1:
        return _make_nnx_native(spec, ncls, vector[0])
    if name == class_name(spec.name):
        return _CLASSES.of(spec)
    learnable, pairs, extra = layer_params(spec)
    sig = signature(spec, layer=True, params=pairs, keyword_only=extra)
    doc = docstring(
        spec,
        f"``flax.nnx.Module`` for actfn's ``{spec.name}`` under ``torch.nn``'s name (nnx has "
        "no such module; see :class:`actfn.flax.Activation`).",
        ("import jax.numpy as jnp, actfn.flax", f"actfn.flax.{name}({{args}})(jnp.zeros((2, 3))).shape",
         "(2, 3)"),
        call_params=pairs, learnable=learnable,
    )
    cls = layer_class(Activation, spec, __name__, sig, doc)
    cls.__name__ = cls.__qualname__ = name
    return cls


_NATIVE: PerSpec[type[Activation]] = PerSpec(_make_native)


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside flax and this module (nnx constructs
    modules through its own metaclass), so the warning names the user's line."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "flax" \
            or frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    return level


def _deprecate(old: type[Activation], new: type[Activation]) -> None:
    """Make the 0.1.0 class ``old`` (same constructor as before) warn that it is ``new``."""
    base_init = old.__init__

    def __init__(self: Activation, *args: Any, **kwargs: Any) -> None:
        warnings.warn(f"actfn.flax.{old.__name__} is deprecated (removed in the next "
                      f"release): use actfn.flax.{new.__name__}", DeprecationWarning,
                      stacklevel=_caller_level())
        base_init(self, *args, **kwargs)

    __init__.__signature__ = inspect.signature(base_init)  # type: ignore[attr-defined]
    old.__init__ = __init__  # type: ignore[method-assign]
    old._actfn_deprecated = True  # type: ignore[attr-defined]


def _classes(n: str) -> dict[str, type[Activation]]:
    """The classes of activation ``n`` by attribute name: its native class, and the 0.1.0
    class where that name differs (deprecated)."""
    old, new = _CLASSES(n), native_class(n)
    if old is not new and not old.__dict__.get("_actfn_deprecated"):
        _deprecate(old, new)
    return {class_name(n): old, new.__name__: new}


def _exported() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in canonical_names():
        out.update(_classes(n))
    return out


_EXPORTED = _exported()
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get their classes on first use.
    for n in canonical_names():
        if name in (class_name(n), native_name(n)):
            return _classes(n)[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
