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
results are then a float64 value rounded once, evaluated with the narrow-output context
that lets kernels skip float64-only refinements) and compensated float32 otherwise
(:mod:`actfn.kernels.df32`: error-free steps in float32, f, f′, f″ within 2 float32 ulp
but for the few named in the README), or, where a spec has them (``Spec.f32``), cheap
float32 kernels built on XLA's exp with the same 2-ulp bound at near jax.nn's cost. Under ``grad``
the forward takes f and f′ from the spec's fused ``f_df`` kernel where it has one. Integer and bool
inputs give JAX's default float dtype; complex inputs raise ``TypeError``.

Parameters are static Python numbers (validated by the registry; a traced value raises),
so they are not differentiable here: learnable parameters are offered by ``actfn.torch``,
:mod:`actfn.flax` (through :func:`apply_learned`) and ``actfn.tensorflow``.
Every function is generated from the registry; ``actfn.jax.function(name)`` looks one up
by name or alias.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero

from . import _backend
from ._evaluate import (
    EvalContext,
    Generated,
    Glue,
    PerSpec,
    array_params,
    channel_shape,
    check_static,
    context,
    docstring,
    dress,
    register_glue,
    signature,
)
from ._registry import Spec
from ._registry import lookup as _lookup
from .kernels.df32 import Float32Context, X64Context

__all__ = ["apply_learned", "function"]

_Key = tuple[tuple[str, Hashable], ...]


def _work_dtype() -> Any:
    return jnp.float64 if _backend.jax_x64_enabled() else jnp.float32


def _kernel_params(spec: Spec, key: _Key, xw: jax.Array) -> dict[str, Any]:
    return array_params(spec, dict(key), xw, jnp)


class _NarrowContext(EvalContext):
    """The JAX context when a float64 result will be rounded to float32 or narrower: the
    kernels may skip float64-only refinements (:func:`actfn.kernels.narrow_output`)."""

    narrow_output = True


_NARROW = _NarrowContext(jnp, jnp)
#: Without x64: compensated float32 (:mod:`actfn.kernels.df32`), whose exp and expm1 are
#: accurate to ~0.6 ulp (XLA's are 1–6 ulp).
_FLOAT32 = Float32Context(context(jnp))
#: With x64, float64 results: expm1 to ~0.51 ulp (XLA's is 4 ulp off; exp where a kernel asks:
#: :func:`actfn.kernels.df32.precise_exp`), :class:`actfn.kernels.df32.X64Context`.
_X64 = X64Context(context(jnp))


def _ctx(x: jax.Array, xw: jax.Array) -> Any:
    """The kernels' context for input ``x`` worked on as ``xw``: compensated float32 when
    x64 is off (for float16 and bfloat16 inputs too: bfloat16 shares float32's exponent
    range, so its tails need the same rescaling), narrow when float64 work is rounded to
    a narrower input dtype."""
    if xw.dtype == jnp.float32:
        return _FLOAT32
    return _NARROW if jnp.finfo(x.dtype).bits < jnp.finfo(xw.dtype).bits else _X64


def _finish(y: Any, xw: jax.Array) -> jax.Array:
    y = jnp.broadcast_to(jnp.asarray(y, dtype=xw.dtype), xw.shape)
    return jnp.where(jnp.isnan(xw), xw, y)


_PLAIN = context(jnp)


def _cheap(spec: Spec, kernel: Callable[..., Any]) -> Callable[..., Any] | None:
    """The spec's cheap float32 stand-in (:class:`actfn._registry.Float32Kernels`) for
    ``kernel`` (one of f, f′, f″, f_df), or None."""
    if spec.f32 is None:
        return None
    for name in ("f", "df", "d2f", "f_df"):
        if kernel is getattr(spec, name):
            return getattr(spec.f32, name)
    return None


def _eval(spec: Spec, kernel: Callable[..., Any], x: jax.Array, key: _Key) -> jax.Array:
    """``kernel`` on ``x`` in working precision, NaN inputs giving NaN: in float32 its
    cheap float32 kernel where the spec has one (XLA's own exp, plain float32)."""
    xw = x.astype(_work_dtype())
    cheap = _cheap(spec, kernel) if xw.dtype == jnp.float32 else None
    if cheap is not None:
        return _finish(cheap(xw, _PLAIN, **_kernel_params(spec, key, xw)), xw)
    return _finish(kernel(xw, _ctx(x, xw), **_kernel_params(spec, key, xw)), xw)


def _eval_pair(spec: Spec, x: jax.Array, key: _Key) -> tuple[jax.Array, jax.Array]:
    """f and f′ from the spec's fused kernel ``f_df`` (one pass), as :func:`_eval`; in
    float32 from the cheap f_df, or else the cheap f and f′ apart (each with its own
    exponential: XLA on CPU would write a shared one to memory, :mod:`actfn.kernels.fast32`)."""
    xw = x.astype(_work_dtype())
    if xw.dtype == jnp.float32 and spec.f32 is not None:
        kw = _kernel_params(spec, key, xw)
        if spec.f32.f_df is not None:
            y, d = spec.f32.f_df(xw, _PLAIN, **kw)
            return _finish(y, xw), _finish(d, xw)
        if spec.f32.f is not None or spec.f32.df is not None:
            return _eval(spec, spec.f, x, key), _eval(spec, spec.df, x, key)
    y, d = spec.f_df(xw, _ctx(x, xw), **_kernel_params(spec, key, xw))  # type: ignore[misc]
    return _finish(y, xw), _finish(d, xw)


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

    fused = kernel is spec.f and spec.f_df is not None and derivative is not None
    pair = _pair_rule(spec, derivative) if fused else None

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
        if pair is not None:
            # f and f′ in one pass (the spec's f_df): under grad/vjp the forward computes
            # both, so sharing their common work halves the cost of a training step.
            y, d = pair(x, key)
            return y, d * t
        return rule(x, key), derivative(x, key) * t

    return rule


def _pair_rule(spec: Spec, d1: Callable[[jax.Array, _Key], jax.Array],
               ) -> Callable[[jax.Array, _Key], tuple[jax.Array, jax.Array]]:
    """(f, f′) from the fused kernel as one ``jax.custom_jvp``: its JVP is (f′·t, f″·t),
    f″ through ``d1``'s own rule, so a second derivative is analytic and a third raises,
    as for the separate rules (never a derivative of the kernel's implementation)."""

    @functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
    def pair(x: jax.Array, key: _Key) -> tuple[jax.Array, jax.Array]:
        y, d = _eval_pair(spec, x, key)
        return y.astype(x.dtype), d.astype(x.dtype)

    @pair.defjvp
    def _jvp(key: _Key, primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> Any:
        (x,), (t,) = primals, tangents
        y, d = pair(x, key)
        _, dd = jax.jvp(lambda z: d1(z, key), (x,), (t,))
        return (y, d), (d * t, dd)

    return pair


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


# -- learnable parameters (used by actfn.flax) ---------------------------------------------------
def _param_shape(spec: Spec, name: str, p: jax.Array, x: jax.Array) -> tuple[int, ...]:
    """The shape to which learnable parameter ``p`` of ``name`` broadcasts against ``x``:
    ``()`` for one value, ``(1, c, 1, ...)`` for ``c`` per-channel values."""
    c = math.prod(p.shape)
    return () if c == 1 else channel_shape(spec.name, name, c, x.shape)


def _learned_eval(spec: Spec, kernel: Callable[..., Any], x: jax.Array, key: _Key,
                  names: tuple[str, ...], ps: tuple[jax.Array, ...]) -> jax.Array:
    """``kernel`` on ``x`` with the learnable parameters ``names`` taken from the arrays
    ``ps`` (traced or not), in working precision, NaN inputs giving NaN.

    Per-channel parameters enter the kernel as arrays. A scalar parameter fixes exact
    constants in the kernels (``Fraction(alpha)``), which need its value: that
    evaluation runs on the host through ``jax.pure_callback`` with actfn's NumPy kernels
    in float64, where the value is concrete (and validated by the registry)."""
    xw = x.astype(_work_dtype())
    pw = tuple(jnp.asarray(p).astype(xw.dtype) for p in ps)
    vector = {p.name for p in spec.params if p.vector}
    if all(n in vector for n in names):
        kw = _kernel_params(spec, key, xw)
        for n, p in zip(names, pw, strict=True):
            kw[n] = jnp.reshape(p, _param_shape(spec, n, p, xw))
        y = kernel(xw, context(jnp), **kw)
        y = jnp.broadcast_to(jnp.asarray(y, dtype=xw.dtype), xw.shape)
        return jnp.where(jnp.isnan(xw), xw, y)
    shapes = [_param_shape(spec, n, p, xw) for n, p in zip(names, pw, strict=True)]

    def host(xh: np.ndarray, *phs: np.ndarray) -> np.ndarray:
        x64 = np.asarray(xh, dtype=np.float64)
        values = {n: (np.asarray(p).tolist() if n in vector else float(p))
                  for n, p in zip(names, phs, strict=True)}
        bound = spec.bind(**dict(key), **values)  # a value trained out of range raises
        kw = array_params(spec, {k: v for k, v in bound.items() if k not in names}, x64, np)
        for n, p, shape in zip(names, phs, shapes, strict=True):
            kw[n] = np.reshape(np.asarray(p, np.float64), shape) if n in vector else float(p)
        with np.errstate(all="ignore"):
            y = np.broadcast_to(np.asarray(kernel(x64, context(np), **kw), np.float64), x64.shape)
            y = np.where(np.isnan(x64), x64, y)
        return y.astype(xh.dtype)

    # "sequential" under vmap: a batch may hold a different parameter value per element
    return jax.pure_callback(host, jax.ShapeDtypeStruct(xw.shape, xw.dtype), xw, *pw,
                             vmap_method="sequential")


def _build_learned(spec: Spec, key: _Key, names: tuple[str, ...]) -> dict[Any, Any]:
    """The custom_jvp rules of f with learnable parameters ``names``, keyed "f", "df",
    "d2f", ("dp", name) and ("dpdf", name): each rule's JVP is made of the others (f: f′
    and ∂f/∂p; f′: f″ and ∂f′/∂p; ∂f/∂p: ∂f′/∂p in x). What actfn does not have (f‴,
    ∂²f/∂p², ∂f″/∂p) raises ``NotImplementedError`` when a non-zero tangent asks for it."""
    rules: dict[Any, Any] = {}
    kernels: dict[Any, Callable[..., Any]] = {"f": spec.f, "df": spec.df, "d2f": spec.d2f}
    derivs: dict[Any, tuple[Any, tuple[Any, ...]]] = {
        "f": ("df", tuple(("dp", n) for n in names)),
        "df": ("d2f", tuple(("dpdf", n) for n in names)),
        "d2f": (None, tuple(None for _ in names)),
    }
    for n in names:
        kernels["dp", n] = spec.dparams[n]
        derivs["dp", n] = (("dpdf", n), tuple(None for _ in names))
        if n in spec.dparams_df:
            kernels["dpdf", n] = spec.dparams_df[n]
            derivs["dpdf", n] = (None, tuple(None for _ in names))

    def missing(kid: Any, wrt: str) -> NotImplementedError:
        return NotImplementedError(
            f"actfn: cannot differentiate {spec.name}'s {kid} with respect to {wrt}: actfn "
            "has analytic f, f', f'', ∂f/∂p and ∂f'/∂p only (and never differentiates "
            "through a kernel, which would give wrong values)"
        )

    def make(kid: Any) -> Any:
        kernel = kernels[kid]

        @jax.custom_jvp
        def rule(x: jax.Array, ps: tuple[jax.Array, ...]) -> jax.Array:
            return _learned_eval(spec, kernel, x, key, names, ps).astype(x.dtype)

        def jvp(primals: Any, tangents: Any) -> Any:
            (x, ps), (tx, tps) = primals, tangents
            dx, dps = derivs[kid]
            out = rule(x, ps)
            t = jnp.zeros_like(out)
            if not isinstance(tx, SymbolicZero):
                if dx is None or dx not in kernels:
                    raise missing(kid, "x")
                t = t + rules[dx](x, ps) * tx
            for n, d, p, tp in zip(names, dps, ps, tps, strict=True):
                if isinstance(tp, SymbolicZero):
                    continue
                if d is None or d not in kernels:
                    raise missing(kid, n)
                t = t + rules[d](x, ps) * jnp.reshape(tp, _param_shape(spec, n, p, x))
            return out, t.astype(out.dtype)

        rule.defjvp(jvp, symbolic_zeros=True)
        return rule

    for kid in kernels:
        rules[kid] = make(kid)
    return rules


_LEARNED: PerSpec[Callable[..., dict[Any, Any]]] = PerSpec(
    lambda spec: functools.lru_cache(maxsize=128)(
        lambda key, names: _build_learned(spec, key, names)))


def apply_learned(name: str, x: Any, learned: Mapping[str, Any], /,
                  **params: Any) -> jax.Array:
    """Activation ``name`` at ``x`` with the parameters in ``learned`` as JAX arrays
    (traced or not: this is how :mod:`actfn.flax` learns them) and ``params`` fixed.

    Gradients with respect to ``x`` and to ``learned`` are actfn's analytic f′, f″, ∂f/∂p
    and ∂²f/∂x∂p; a per-channel parameter (prelu's ``weight``, ``c`` values broadcast
    along dim 1) gets its per-channel sum. A learned scalar is evaluated on the host
    (``jax.pure_callback`` into the NumPy kernels, which need its value); its value is
    validated there. Only parameters the registry marks learnable may be learned.

    >>> import jax, jax.numpy as jnp, actfn.jax
    >>> float(jax.grad(lambda w: actfn.jax.apply_learned("prelu", -2.0, {"weight": w}))(0.25))
    -2.0
    """
    spec = _lookup(name)
    bad = [n for n in learned if n not in spec.dparams or not _is_learnable(spec, n)]
    if bad:
        raise TypeError(
            f"{spec.name}: cannot learn {', '.join(bad)}; learnable parameters: "
            f"{', '.join(n for n in spec.dparams if _is_learnable(spec, n)) or 'none'}"
        )
    check_static(f"{__name__}.apply_learned", params)
    fixed = spec.bind(**params)
    names = tuple(learned)
    key = tuple((k, v) for k, v in fixed.items() if k not in learned)
    rules = _LEARNED.of(spec)(key, names)
    return rules["f"](_as_float_array(x), tuple(jnp.asarray(learned[n]) for n in names))


def _is_learnable(spec: Spec, name: str) -> bool:
    return any(p.name == name and p.learnable for p in spec.params)


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

# the gated units (two inputs): actfn._gated_jax
from ._gated_jax import exported as _gated_exported  # noqa: E402

_GATED = _gated_exported()
globals().update(_GATED)
__all__ += sorted(_GATED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get a function on first use.
    return _GENERATED.attribute(name)
