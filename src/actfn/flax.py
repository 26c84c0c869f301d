"""Flax (``flax.nnx``) modules for every activation in the catalog, with learnable parameters.

For each registered activation ``name`` this module provides an ``nnx.Module`` class named
by capitalising the parts of the name (``celu`` → ``Celu``, ``prelu`` → ``Prelu``) and the
generic ``actfn.flax.Activation("celu", alpha=0.5)``. Calling a module evaluates
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

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

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
from ._registry import Spec, lookup

__all__ = ["Activation", "module_class"]




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
    """The ``nnx.Module`` class of activation ``name`` (canonical or alias).

    >>> import jax.numpy as jnp, actfn.flax
    >>> actfn.flax.module_class("prelu")(num_parameters=3)(-jnp.ones((2, 3))).tolist()
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


def _exported() -> dict[str, Any]:
    from ._registry import canonical_names

    return {class_name(n): _CLASSES(n) for n in canonical_names()}


_EXPORTED = _exported()
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get their class on first use.
    from ._registry import canonical_names

    for n in canonical_names():
        if name == class_name(n):
            return _CLASSES(n)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
