r"""The gated units for TensorFlow: ``actfn.tensorflow.swiglu(gate, up)``...

For each gated unit of the registry (formulas in :mod:`actfn._gated`)
``actfn.tensorflow`` gets a function ``<name>(gate, up=None, /, *, dim=None,
gate_first=False, **params)``: two inputs ``(gate, up)`` (broadcast), or one split along
``dim`` (default -1) as ``torch.nn.functional.glu`` (first half the value ``up``, second
half the gate; ``gate_first=True`` for the other order).

The unit is the composition :func:`actfn._gated_layers.compose` of the gate's
``actfn.tensorflow`` function (nested ``tf.custom_gradient``: analytic a′ and a″) with
``tf.where`` clamps, in float64 and rounded once to the inputs' promoted dtype, so a
``GradientTape`` gives the analytic partials (and a nested tape the second partials),
with the inside derivative at the clamps. Works eagerly, under ``tf.function`` and with
``jit_compile=True``. Parameters are fixed Python values validated by the registry.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from ._activation import get
from ._gated import split
from ._gated_layers import compose, function_cache, gated_names, gated_spec

__all__ = ["exported", "gated_function"]


def _adapter() -> Any:
    from . import tensorflow as adapter  # it imports this module at its end: not at the top

    return adapter


def _where(cond: Any, value: float, x: Any) -> Any:
    return tf.where(cond, tf.constant(value, x.dtype), x)


def _promote(a: tf.DType, b: tf.DType) -> tf.DType:
    if a == b:
        return a
    width = {tf.float16: 1, tf.bfloat16: 1, tf.float32: 2, tf.float64: 3}
    if width[a] == width[b]:
        return tf.float32
    return a if width[a] > width[b] else b


def apply(name: str, gate: Any, up: Any = None, *, dim: int | None = None,
          gate_first: bool = False, **params: Any) -> tf.Tensor:
    """f(gate, up) (or the split form) of gated unit ``name`` on TensorFlow tensors."""
    spec = gated_spec(name)
    act = get(spec.name, **params)
    if up is None:
        gate, up = split(tf.convert_to_tensor(gate), -1 if dim is None else dim, gate_first)
    elif dim is not None or gate_first:
        raise TypeError(f"actfn.tensorflow.{name}: dim= and gate_first= belong to the split "
                        f"form {name}(x, dim=...); with two inputs pass {name}(gate, up)")
    g, u = _adapter()._as_float_tensor(gate), _adapter()._as_float_tensor(up)
    try:
        tf.broadcast_static_shape(g.shape, u.shape)
    except ValueError:
        raise ValueError(f"actfn.tensorflow.{name}: gate of shape {tuple(g.shape)} and up of "
                         f"shape {tuple(u.shape)} do not broadcast together") from None
    out = _promote(g.dtype, u.dtype)
    bound = act.params
    gate_fn = _adapter().function(spec.gate.name)
    gate_params = dict(spec.gate_params(bound))
    y = compose(spec, bound, lambda x: gate_fn(x, **gate_params), tf.cast(g, tf.float64),
                tf.cast(u, tf.float64), _where, (g.dtype, u.dtype), xp=_adapter()._NS,
                stop=tf.stop_gradient, cond=lambda m, t, f: tf.cond(tf.reduce_any(m), t, f))
    return tf.cast(y, out)


gated_function = function_cache(apply, "actfn.tensorflow", "TensorFlow",
                                lambda n: (">>> import tensorflow as tf, actfn.tensorflow\n>>> tuple(actfn.tensorflow."
                    f"{n}(tf.zeros((2, 4))).shape)\n(2, 2)\n"))


def exported() -> dict[str, Any]:
    """The names ``actfn.tensorflow`` exports for the gated units registered now."""
    return {n: gated_function(n) for n in gated_names()}
