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
import inspect
from collections.abc import Callable, Hashable
from typing import Any

import jax
import jax.numpy as jnp

from . import _backend
from ._registry import Spec, canonical_names, lookup

__all__ = ["function"]

_Key = tuple[tuple[str, Hashable], ...]


def _work_dtype() -> Any:
    return jnp.float64 if _backend.jax_x64_enabled() else jnp.float32


def _kernel_params(spec: Spec, key: _Key, xw: jax.Array) -> dict[str, Any]:
    params = dict(key)
    for p in spec.params:
        v = params.get(p.name)
        if p.vector and isinstance(v, tuple):
            if len(v) == 1:
                params[p.name] = v[0]
                continue
            c = len(v)
            if xw.ndim < 2 or xw.shape[1] != c:
                raise ValueError(
                    f"{spec.name}: {p.name} has {c} values (one per channel), so the input "
                    f"needs at least 2 dimensions with {c} channels on dim 1; got shape "
                    f"{tuple(xw.shape)}"
                )
            w = jnp.asarray(v, dtype=xw.dtype)
            params[p.name] = jnp.reshape(w, (1, c) + (1,) * (xw.ndim - 2))
    if spec.needs_special:
        params["special"] = _backend.special(jnp)
    return params


def _eval(spec: Spec, kernel: Callable[..., Any], x: jax.Array, key: _Key) -> jax.Array:
    """``kernel`` on ``x`` in working precision, NaN inputs giving NaN."""
    xw = x.astype(_work_dtype())
    y = kernel(xw, jnp, **_kernel_params(spec, key, xw))
    y = jnp.broadcast_to(jnp.asarray(y, dtype=xw.dtype), xw.shape)
    return jnp.where(jnp.isnan(xw), xw, y)


_Rules = tuple[Callable[[jax.Array, _Key], jax.Array], ...]
_RULES: dict[str, tuple[Spec, _Rules]] = {}


def _rules(spec: Spec) -> _Rules:
    """(f, f', f'') of ``spec`` as custom_jvp functions (rebuilt for a re-registered spec)."""
    cached = _RULES.get(spec.name)
    if cached is None or cached[0] is not spec:
        cached = _RULES[spec.name] = (spec, _make_rules(spec))
    return cached[1]


def _rule(name: str) -> Callable[[jax.Array, _Key], jax.Array]:
    """The custom_jvp function for ``name`` (rebuilt if the spec was re-registered)."""
    return _rules(lookup(name))[0]


def _make_rules(spec: Spec) -> _Rules:
    """f with jvp f′, f′ with jvp f″, and f″ whose jvp raises (actfn has no f‴, and
    differentiating the kernel's implementation would give wrong values)."""

    @functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
    def d2(x: jax.Array, key: _Key) -> jax.Array:
        return _eval(spec, spec.d2f, x, key).astype(x.dtype)

    @d2.defjvp
    def _d2_jvp(key: _Key, primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> Any:
        raise NotImplementedError(
            f"actfn: cannot differentiate {spec.name}'s f'': that needs a third derivative, "
            "and actfn has analytic f, f' and f'' only (it never differentiates through a "
            "kernel, which would give wrong values)"
        )

    @functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
    def d1(x: jax.Array, key: _Key) -> jax.Array:
        return _eval(spec, spec.df, x, key).astype(x.dtype)

    @d1.defjvp
    def _d1_jvp(key: _Key, primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> Any:
        (x,), (t,) = primals, tangents
        return d1(x, key), d2(x, key) * t

    @functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
    def f(x: jax.Array, key: _Key) -> jax.Array:
        return _eval(spec, spec.f, x, key).astype(x.dtype)

    @f.defjvp
    def _f_jvp(key: _Key, primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> Any:
        (x,), (t,) = primals, tangents
        return f(x, key), d1(x, key) * t

    return f, d1, d2


def _core(spec: Spec, params: dict[str, Any], x: Any,
          which: tuple[str, ...]) -> tuple[jax.Array, ...]:
    """The core API (``actfn.get(...)(x)`` and friends) on a JAX tracer: ``which`` names
    the results (``"f"``, ``"df"``, ``"d2f"``), each with actfn's analytic derivatives."""
    rules = dict(zip(("f", "df", "d2f"), _rules(spec), strict=True))
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
    spec = lookup(name)
    cached = _FUNCTIONS.get(spec.name)
    if cached is not None and cached[0] is spec:
        return cached[1]
    rule = _rule(spec.name)

    def fn(x: Any, /, **params: Any) -> jax.Array:
        traced = [k for k, v in params.items() if isinstance(v, jax.core.Tracer)]
        if traced:
            raise TypeError(
                f"actfn.jax.{spec.name}: parameter {traced[0]} is a traced value; parameters "
                "are static Python numbers or concrete arrays here (not differentiable: "
                "learnable parameters are offered by actfn.torch)"
            )
        bound = spec.bind(**params)
        return rule(_as_float_array(x), tuple(bound.items()))

    fn.__name__ = fn.__qualname__ = spec.name
    fn.__module__ = __name__
    lines = [
        spec.summary or spec.name,
        "",
        f"JAX form of actfn's ``{spec.name}`` (a ``jax.custom_jvp``: f′ and f″ analytic).",
    ]
    if spec.kink_convention:
        lines += ["", f"At kinks: {spec.kink_convention}."]
    if spec.params:
        lines += ["", "Parameters (static Python values)"]
        lines += [f"    {p.name} (default {p.default!r}): {p.doc}; {p.valid_range()}"
                  for p in spec.params]
    if spec.reference:
        lines += ["", f"Reference: {spec.reference}"]
    fn.__doc__ = "\n".join(lines)
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("x", inspect.Parameter.POSITIONAL_ONLY, annotation="jax.Array")]
        + [
            inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default)
            for p in spec.params
        ],
        return_annotation="jax.Array",
    )
    _FUNCTIONS[spec.name] = (spec, fn)
    return fn


#: Functions by canonical name with their spec: one function per spec, so that
#: ``actfn.jax.<name>`` of a runtime-registered activation pickles by name.
_FUNCTIONS: dict[str, tuple[Spec, Callable[..., jax.Array]]] = {}


_EXPORTED = {n: function(n) for n in canonical_names()}
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get a function on first use.
    if name in canonical_names():
        return function(name)
    raise AttributeError(f"module 'actfn.jax' has no attribute {name!r}")
