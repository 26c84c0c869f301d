"""JAX versions of every activation in the catalog, as ``jax.custom_jvp`` functions.

``actfn.jax.<name>(x, *, **params)`` (``actfn.jax.celu(x, alpha=0.5)``) evaluates the
registry kernel on ``jax.numpy``, so it runs under ``jit``, ``vmap`` and ``pmap``. Its
JVP is actfn's analytic f′, and the JVP of f′ is actfn's f″, so ``grad`` and
``grad(grad(...))`` give the analytic first and second derivatives (no autodiff through
the stable-but-branchy kernels, whose ``where`` branches could otherwise leak NaN). A
third derivative raises ``NotImplementedError``. The core API (``actfn.get(name)(x)``,
``.derivative``, ``.second_derivative``, ``.value_and_derivative``) routes JAX tracers
here, so ``jax.grad`` of it gives the same analytic values.

Working precision is float64 when ``jax_enable_x64`` is on (float16, bfloat16 and float32
results are then a float64 value rounded once) and float32 otherwise. Integer and bool
inputs give JAX's default float dtype; complex inputs raise ``TypeError``.

Parameters are static Python numbers (validated by the registry; a traced value raises),
so they are not differentiable here: learnable parameters are offered by ``actfn.torch``.
Every function is generated from the registry; ``actfn.jax.function(name)`` looks one up
by name or alias.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

from . import _backend
from ._evaluate import (
    Generated,
    Glue,
    PerSpec,
    array_params,
    check_static,
    context,
    docstring,
    dress,
    register_glue,
    signature,
)
from ._registry import Spec

__all__ = ["function"]

_Key = tuple[tuple[str, Hashable], ...]


def _work_dtype() -> Any:
    return jnp.float64 if _backend.jax_x64_enabled() else jnp.float32


def _kernel_params(spec: Spec, key: _Key, xw: jax.Array) -> dict[str, Any]:
    return array_params(spec, dict(key), xw, jnp)


def _eval(spec: Spec, kernel: Callable[..., Any], x: jax.Array, key: _Key) -> jax.Array:
    """``kernel`` on ``x`` in working precision, NaN inputs giving NaN."""
    xw = x.astype(_work_dtype())
    y = kernel(xw, context(jnp), **_kernel_params(spec, key, xw))
    y = jnp.broadcast_to(jnp.asarray(y, dtype=xw.dtype), xw.shape)
    return jnp.where(jnp.isnan(xw), xw, y)


_Rules = tuple[Callable[[jax.Array, _Key], jax.Array], ...]


def _make_rules(spec: Spec) -> _Rules:
    """f with jvp f′, f′ with jvp f″, and f″ whose jvp raises (actfn has no f‴, and
    differentiating the kernel's implementation would give wrong values)."""
    d2 = _custom_jvp(spec, spec.d2f, None)
    d1 = _custom_jvp(spec, spec.df, d2)
    return _custom_jvp(spec, spec.f, d1), d1, d2


def _custom_jvp(spec: Spec, kernel: Callable[..., Any],
                derivative: Callable[[jax.Array, _Key], jax.Array] | None,
                ) -> Callable[[jax.Array, _Key], jax.Array]:
    """``kernel`` as a ``jax.custom_jvp`` whose JVP is ``derivative`` (a rule of the same
    kind) times the tangent; ``None``: differentiating it raises ``NotImplementedError``."""

    @functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
    def rule(x: jax.Array, key: _Key) -> jax.Array:
        return _eval(spec, kernel, x, key).astype(x.dtype)

    @rule.defjvp
    def _jvp(key: _Key, primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> Any:
        if derivative is None:
            raise NotImplementedError(
                f"actfn: cannot differentiate {spec.name}'s f'': that needs a third "
                "derivative, and actfn has analytic f, f' and f'' only (it never "
                "differentiates through a kernel, which would give wrong values)"
            )
        (x,), (t,) = primals, tangents
        return rule(x, key), derivative(x, key) * t

    return rule


#: (f, f', f'') of each spec as custom_jvp functions (rebuilt for a re-registered spec).
_RULES: PerSpec[_Rules] = PerSpec(_make_rules)


def _core(spec: Spec, params: dict[str, Any], x: Any, which: tuple[str, ...],
          live: Mapping[str, Any] | None = None) -> tuple[jax.Array, ...]:
    """The core API (``actfn.get(...)(x)`` and friends) on a JAX tracer: ``which`` names
    the results (``"f"``, ``"df"``, ``"d2f"``), each with actfn's analytic derivatives.
    (``live``: torch tensor parameters, which never reach here.)"""
    rules = dict(zip(("f", "df", "d2f"), _RULES.of(spec), strict=True))
    xf, key = _as_float_array(x), tuple(params.items())
    return tuple(rules[w](xf, key) for w in which)


def _as_float_array(x: Any) -> jax.Array:
    x = jnp.asarray(x)
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        raise TypeError("complex input is not supported: activations are real functions")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        if not (jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_):
            raise TypeError(f"unsupported dtype {x.dtype}: actfn works on real floating arrays")
        x = x.astype(jnp.result_type(float))
    elif x.dtype not in (jnp.float16, jnp.bfloat16, jnp.float32, jnp.float64):
        raise TypeError(f"unsupported dtype {x.dtype}: actfn works on float16, bfloat16, "
                        "float32 and float64")
    return x


def function(name: str) -> Callable[..., jax.Array]:
    """The JAX function of activation ``name`` (canonical or alias).

    >>> import jax, actfn.jax
    >>> float(jax.grad(actfn.jax.function("swish"))(0.0))
    0.5
    """
    return _FUNCTIONS(name)


def _make_function(spec: Spec) -> Callable[..., jax.Array]:
    rule = _RULES.of(spec)[0]
    owner = f"{__name__}.{spec.name}"

    def fn(x: Any, /, **params: Any) -> jax.Array:
        check_static(owner, params)
        bound = spec.bind(**params)
        return rule(_as_float_array(x), tuple(bound.items()))

    doc = docstring(
        spec,
        f"JAX form of actfn's ``{spec.name}`` (a ``jax.custom_jvp``: f′ and f″ analytic).",
        ("import jax.numpy as jnp, actfn.jax", "actfn.jax.{name}(jnp.zeros((2, 3)){kw}).shape",
         "(2, 3)"),
        params_note="static Python values",
    )
    return dress(fn, spec, __name__, doc, signature(spec, array="jax.Array"))


#: Functions by canonical name with their spec: one function per spec, so that
#: ``actfn.jax.<name>`` of a runtime-registered activation pickles by name.
_FUNCTIONS: PerSpec[Callable[..., jax.Array]] = PerSpec(_make_function)
_GENERATED = Generated(__name__, function)
_EXPORTED = _GENERATED.exported()
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)
register_glue("jax", Glue(traced=lambda x: True, evaluate=_core))


def __getattr__(name: str) -> Any:
    # Activations registered after import get a function on first use.
    return _GENERATED.attribute(name)
