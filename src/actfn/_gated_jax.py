r"""The gated units for JAX: ``actfn.jax.swiglu(gate, up)``, ``actfn.jax.geglu(x, dim=-1)``...

For each gated unit of the registry (formulas in :mod:`actfn._gated`) ``actfn.jax`` gets a
function ``<name>(gate, up=None, /, *, dim=None, gate_first=False, **params)``: two
inputs ``(gate, up)`` (broadcast), or one input split along ``dim`` (default -1) as
``torch.nn.functional.glu`` and ``jax.nn.glu`` do (first half the value ``up``, second
half the gate; ``gate_first=True`` for the other order).

The unit is the composition :func:`actfn._gated_layers.compose` of the gate's
``actfn.jax`` function (a ``jax.custom_jvp``: analytic a′ and a″) with ``where`` clamps,
in the working precision (float64 under ``jax_enable_x64``, else float32) and rounded
once to the inputs' promoted dtype; so ``grad`` gives the analytic partials and
``grad(grad)`` the analytic second partials, with the inside derivative at the clamps.
The function is wrapped in ``jax.checkpoint``: under ``grad`` only the two inputs are
kept and the backward recomputes (the fused-kernel memory layout). Parameters are static
Python values validated by the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from ._activation import get
from ._evaluate import check_static, context
from ._gated import split
from ._gated_layers import compose, function_cache, gated_names, gated_spec

__all__ = ["exported", "gated_function"]


def _adapter() -> Any:
    from . import jax as adapter  # it imports this module at its end: not at the top

    return adapter


def _where(cond: Any, value: float, x: Any) -> Any:
    return jnp.where(cond, jnp.asarray(value, x.dtype), x)


#: The kernels' namespace for the far-negative gates (:func:`actfn._gated_layers.tail`).
_XP = context(jnp)


def _make(name: str, key: tuple[tuple[str, Any], ...],
          dtypes: tuple[Any, Any]) -> Callable[[Any, Any], Any]:
    spec = gated_spec(name)
    params = dict(key)
    gate_fn = _adapter().function(spec.gate.name)
    gate_params = dict(spec.gate_params(params))

    @jax.checkpoint
    def run(g: jax.Array, u: jax.Array) -> jax.Array:
        return compose(spec, params, lambda x: gate_fn(x, **gate_params), g, u, _where,
                       dtypes, xp=_XP, stop=jax.lax.stop_gradient,
                       cond=lambda m, t, f: jax.lax.cond(jnp.any(m), t, f))

    return run


_RUNS: dict[tuple[Any, ...], Callable[[Any, Any], Any]] = {}


def apply(name: str, gate: Any, up: Any = None, *, dim: int | None = None,
          gate_first: bool = False, **params: Any) -> jax.Array:
    """f(gate, up) (or the split form) of gated unit ``name`` on JAX arrays."""
    check_static(f"actfn.jax.{name}", params)
    act = get(gated_spec(name).name, **params)
    if up is None:
        gate, up = split(jnp.asarray(gate), -1 if dim is None else dim, gate_first)
    elif dim is not None or gate_first:
        raise TypeError(f"actfn.jax.{name}: dim= and gate_first= belong to the split form "
                        f"{name}(x, dim=...); with two inputs pass {name}(gate, up)")
    g, u = _adapter()._as_float_array(gate), _adapter()._as_float_array(up)
    try:
        jnp.broadcast_shapes(g.shape, u.shape)
    except ValueError:
        raise ValueError(f"actfn.jax.{name}: gate of shape {tuple(g.shape)} and up of shape "
                         f"{tuple(u.shape)} do not broadcast together") from None
    out = jnp.promote_types(g.dtype, u.dtype)
    work = _adapter()._work_dtype()
    k = (act.name, tuple(act.params.items()), (g.dtype, u.dtype))
    run = _RUNS.get(k)
    if run is None:
        run = _RUNS[k] = _make(*k)
    return run(g.astype(work), u.astype(work)).astype(out)


gated_function = function_cache(apply, "actfn.jax", "JAX",
                                lambda n: (f">>> import jax.numpy as jnp, actfn.jax\n>>> actfn.jax.{n}"
                    "(jnp.zeros((2, 4))).shape\n(2, 2)\n"))


def exported() -> dict[str, Any]:
    """The names ``actfn.jax`` exports for the gated units registered now."""
    return {n: gated_function(n) for n in gated_names()}
