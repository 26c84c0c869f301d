r"""What the framework adapters of the gated units share: names and the composition.

Every gated unit of the registry (``actfn.names(kind="gated")``) gets, in each framework
adapter, a functional form under its name (``swiglu``) and a layer class under
:func:`gated_class_name` (``SwiGLU``). The frameworks whose autodiff goes through actfn's
elementwise functions (JAX, TensorFlow) build the unit by :func:`compose`:

.. math::

    f(\mathrm{gate}, \mathrm{up}) = a\bigl(\min(\mathrm{gate}, L_g)\bigr)\,
    \bigl(\mathrm{clamp}(\mathrm{up}, -L_u, L_u) + c\bigr)

with ``a`` the framework's actfn function of the gate (analytic a′ and a″) and the clamps
as ``where`` selects, whose derivative is the inside one at the clamp (gate exactly
:math:`L_g`, up exactly :math:`\pm L_u`), the convention of the core
(:mod:`actfn._gated`) and of PyTorch's ``clamp``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ._registry import canonical_names, lookup

__all__ = ["gated_class_name", "gated_names", "gated_spec", "compose", "function_cache", "tail"]


def gated_names() -> list[str]:
    """Canonical names of the registered gated units."""
    return canonical_names("gated")


def gated_spec(name: str) -> Any:
    """The :class:`~actfn.GatedSpec` of ``name`` (canonical or alias)."""
    return lookup(name, kind="gated")


def gated_class_name(name: str) -> str:
    """The layer class name of gated unit ``name``: each ``_``-part capitalised, with a
    trailing ``glu`` written ``GLU``; a unit whose name holds no ``glu`` gets ``GLU``
    appended (``bilinear`` → ``BilinearGLU``: ``torch.nn.Bilinear`` is a linear layer).

    >>> [gated_class_name(n) for n in ("glu", "swiglu", "geglu", "swiglu_clamped", "bilinear")]
    ['GLU', 'SwiGLU', 'GeGLU', 'SwiGLUClamped', 'BilinearGLU']
    """
    parts = []
    for part in name.split("_"):
        if part.endswith("glu"):
            head = part[:-3]
            parts.append(head[:1].upper() + head[1:] + "GLU")
        else:
            parts.append(part[:1].upper() + part[1:])
    out = "".join(parts)
    return out if "GLU" in out else out + "GLU"


def compose(spec: Any, params: dict[str, Any], gate_fn: Callable[[Any], Any], gate: Any,
            up: Any, where: Callable[[Any, Any, Any], Any],
            dtypes: tuple[Any, Any] = (None, None), *, xp: Any = None,
            stop: Callable[[Any], Any] | None = None,
            cond: Callable[[Any, Any, Any], Any] | None = None) -> Any:
    """f = a(min(gate, L_g))·(clamp(up, ±L_u) + c) for arrays ``gate``, ``up`` of one
    framework in working precision: ``gate_fn`` is a (the framework's actfn function of
    the gate with its parameters bound) and ``where(cond, scalar, x)`` selects; the limits
    are rounded to the inputs' own ``dtypes`` first (:func:`actfn._gated.round_limit`).
    Autodiff of the result gives the analytic partials of :mod:`actfn._gated` with the
    inside derivative at the clamps.

    With ``xp`` (the kernels' namespace) and ``stop`` (the framework's stop_gradient), a
    float64 unit with a ``gate_tail`` (swiglu) takes its far-negative gates from
    :func:`tail`: there a(gate) underflows (XLA and TensorFlow flush subnormals, so from
    gate ≈ −708) while a(gate)·up need not; ``cond(mask, true_fn, false_fn)`` (the
    framework's lazy conditional on any(mask)) skips that work when no element is in the
    tail."""
    from ._gated import round_limit

    lg = round_limit(spec.gate_limit(params), dtypes[0])
    lu, c = round_limit(spec.up_limit(params), dtypes[1]), spec.up_offset
    g = gate if lg is None else where(gate > lg, lg, gate)
    u = up
    if lu is not None:
        u = where(up > lu, lu, where(up < -lu, -lu, up))
    if xp is None or stop is None or spec.gate_tail is None or "float64" not in str(g.dtype):
        return gate_fn(g) * (u + c if c else u)
    return tail(spec, params, gate_fn, g, up, u, where, lu, xp, stop, cond)


def tail(spec: Any, params: dict[str, Any], gate_fn: Callable[[Any], Any], g: Any, up: Any,
         uc: Any, where: Callable[[Any, Any, Any], Any], lu: float | None, xp: Any,
         stop: Callable[[Any], Any], cond: Callable[[Any, Any, Any], Any] | None = None) -> Any:
    r"""f = a(g)·b(up) of :func:`compose` (``g`` the clamped gate, ``uc`` the clamped up,
    b = uc + c) where the
    far-negative gates (:mod:`actfn._gated_tail`) enter as the second-order Taylor form

    .. math::

        f = v + f_g\,\delta_g + f_u\,\delta_u + 	frac12 f_{gg}\,\delta_g^2
            + f_{gu}\,\delta_g\,\delta_u, \qquad \delta_x = x - \mathrm{stop}(x)

    with v and the partials the scaled products, held constant (stop): δ is 0 with
    derivative 1, so the value is v and autodiff gives the partials and second partials
    exactly (a third derivative is 0, which actfn does not promise). An infinite b gives
    v (±inf or NaN) with zero partials. Elsewhere the composition a(g)·b, fed b = 1 in the
    tail (double where: no inf·0 in its unused gradient)."""
    from ._gated_tail import tail_mask, tail_values
    from .kernels.dd import two_sum

    gate_params = spec.gate.bind(**spec.gate_params(params))
    c = spec.up_offset
    b = uc + c if c else uc
    if c:
        bh, bl = two_sum(uc, xp.full_like(uc, c))
    else:
        bh, bl = uc, xp.zeros_like(uc)
    inside = xp.ones_like(up) if lu is None else where(
        (up > lu) | (up < -lu), 0.0, xp.ones_like(up))
    def compute() -> tuple[Any, ...]:
        mask, vals, dvals = tail_values(spec.gate_tail, stop(g), stop(bh), stop(bl), (0, 1, 2),
                                        xp, gate_params, unit=(inside, (0, 1)))
        return (mask, vals[0], vals[1], vals[2], dvals[0], dvals[1])

    if cond is None:
        parts = compute()
    else:
        sg = stop(g)
        z0 = spec.gate_tail(sg, xp, 0, **gate_params)[0]
        zero = xp.zeros_like(sg) + xp.zeros_like(inside) + xp.zeros_like(bh)
        in_tail = tail_mask(z0, sg, xp)

        def skip() -> tuple[Any, ...]:
            return (zero != 0, zero, zero, zero, zero, zero)

        parts = cond(in_tail, compute, skip)
    mask, vals, dvals = parts[0], parts[1:4], parts[4:]

    def const(v: Any) -> Any:
        return stop(xp.where(xp.isfinite(v), v, xp.zeros_like(v)))

    # δ of the inputs where the Taylor form is used and they are finite (elsewhere 0 and
    # with derivative 0: up = ±inf would give inf − inf, and NaN·0 poisons gradients)
    zero = xp.zeros_like(vals[0])
    gs = xp.where(mask, g + zero, zero)
    us = xp.where(mask & xp.isfinite(up), up + zero, zero)
    dg, du = gs - stop(gs), us - stop(us)
    taylor = (stop(vals[0]) + const(vals[1]) * dg + const(dvals[0]) * du
              + 0.5 * const(vals[2]) * dg * dg + const(dvals[1]) * dg * du)
    safe_b = xp.where(mask, xp.ones_like(taylor), b * xp.ones_like(taylor))
    return xp.where(mask, taylor, gate_fn(g) * safe_b)


def function_cache(apply: Callable[..., Any], module: str, framework: str,
                   doctest: Callable[[str], str]) -> Callable[[str], Callable[..., Any]]:
    """``gated_function(name)`` of a framework adapter: the functional form of gated unit
    ``name`` (``fn(gate, up)`` or the split form ``fn(x, dim=-1)``), calling
    ``apply(name, gate, up, dim=, gate_first=, **params)``, with the unit's signature, a
    docstring whose example is ``doctest(name)``, built once per registered spec."""
    cache: dict[str, tuple[Any, Callable[..., Any]]] = {}

    def gated_function(name: str) -> Callable[..., Any]:
        spec = gated_spec(name)
        hit = cache.get(spec.name)
        if hit is not None and hit[0] is spec:
            return hit[1]

        def fn(gate: Any, up: Any = None, /, *, dim: int | None = None,
               gate_first: bool = False, **params: Any) -> Any:
            from ._gated import check_gate_first

            return apply(spec.name, gate, up, dim=dim, gate_first=check_gate_first(gate_first),
                         **params)

        fn.__name__ = fn.__qualname__ = spec.name
        fn.__module__ = module
        P = inspect.Parameter
        fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [P("gate", P.POSITIONAL_ONLY), P("up", P.POSITIONAL_ONLY, default=None),
             P("dim", P.KEYWORD_ONLY, default=None),
             P("gate_first", P.KEYWORD_ONLY, default=False)]
            + [P(p.name, P.KEYWORD_ONLY, default=p.default) for p in spec.params])
        fn.__doc__ = (f"{spec.summary}\n\n{framework} form of actfn's gated unit "
                      f"``{spec.name}``: ``fn(gate, up)`` or the split form "
                      f"``fn(x, dim=-1)``.\n\n{doctest(spec.name)}")
        cache[spec.name] = (spec, fn)
        return fn

    gated_function.__doc__ = f"The {framework} function of gated unit ``name``."
    return gated_function
