r"""Gated units: two inputs, ``out = a(gate) · b(up)``.

The feed-forward blocks of today's language models split a projection into a *gate* and a
*value* ``up`` (names as in Llama's MLP) and multiply an activation of the gate by the
value: SwiGLU (``a`` = SiLU; Llama, Qwen, Mistral, DeepSeek), GeGLU (``a`` = GELU; Gemma
uses its tanh form), GLU (``a`` = σ; Dauphin et al. 2017), ReGLU (``a`` = ReLU), bilinear
(``a`` = identity) and gpt-oss's clamped SwiGLU. A :class:`GatedSpec` states the unit in
the same registry as the elementwise activations (a catalog module with ``SPEC =
GatedSpec(...)``), reusing the elementwise spec of its gate (its kernels, accuracy and
kink conventions):

.. math::

    g &= \min(\mathrm{gate}, L_g), \qquad u = \mathrm{clamp}(\mathrm{up}, -L_u, L_u) + c \\
    f(\mathrm{gate}, \mathrm{up}) &= a(g)\,u \\
    \partial f/\partial\mathrm{gate} &= a'(g)\,[\mathrm{gate} \le L_g]\,u, \qquad
    \partial f/\partial\mathrm{up} = a(g)\,[|\mathrm{up}| \le L_u] \\
    \partial^2 f/\partial\mathrm{gate}^2 &= a''(g)\,[\mathrm{gate} \le L_g]\,u, \quad
    \partial^2 f/\partial\mathrm{gate}\,\partial\mathrm{up} = a'(g)\,[\mathrm{gate} \le L_g]\,
    [|\mathrm{up}| \le L_u], \quad \partial^2 f/\partial\mathrm{up}^2 = 0

with :math:`L_g = L_u = \infty` and :math:`c = 0` except for ``swiglu_clamped``
(:math:`L_g = L_u = \mathrm{limit}`, :math:`c = 1`, :math:`a(g) = g\,\sigma(\alpha g)`).
**At the clamp** (gate exactly :math:`L_g`, up exactly :math:`\pm L_u`) the derivative is
the inside one, as PyTorch's ``clamp`` backward (its mask is ``min <= x <= max``).

The API (:class:`GatedActivation`, from ``actfn.get(name)``): ``act(gate, up)`` → f;
``act(x, dim=-1)`` splits ``x`` in two halves along ``dim`` as
``torch.nn.functional.glu`` does (first half the value ``up``, second half the gate;
``gate_first=True`` for the other convention); ``act.partials(gate, up)`` →
(∂f/∂gate, ∂f/∂up); ``act.partials2(gate, up)`` → (∂²f/∂gate², ∂²f/∂gate∂up, ∂²f/∂up²);
``act.value_and_partials(gate, up)`` → (f, ∂f/∂gate, ∂f/∂up) in one pass (what a fused
layer's forward + backward needs: store gate and up, recompute in the backward).

**For framework layers** (a fused ``SwiGLU``/``GeGLU`` module that stores only gate and
up): the forward is ``act(gate, up)``; the backward is
``f, dg, du = act.value_and_partials(gate, up)`` (or ``dg, du = act.partials(gate, up)``)
with ``grad_gate = grad_out·dg`` and ``grad_up = grad_out·du``; a double backward uses
``act.partials2(gate, up)``. These take NumPy arrays (``out=`` to reuse buffers) or
tensors of any array-API library (computed in a float64 working copy). A compiled loop
can be written from the spec alone: ``spec.gate`` (the elementwise :class:`~actfn.Spec`,
whose kernels ``f``/``df``/``d2f`` are a, a', a''), ``spec.gate_params(params)`` (its
parameters), ``spec.gate_limit(params)``, ``spec.up_limit(params)`` and
``spec.up_offset``. ``act.param_partials(gate, up)`` gives ∂f/∂p of the real parameters
(swiglu_clamped's ``alpha`` through the gate's ``dparams`` — silu's ``beta`` — and
``limit``), for layers that learn them.

Inputs broadcast as in NumPy; the result has the inputs' floating dtype (float16,
bfloat16, float32 or float64; two different 16-bit dtypes give float32, integers and bool
float64) and library (NumPy, PyTorch, JAX, any array-API library), and the inputs are never
modified. Everything is computed in float64 (the gate's elementwise kernels) and rounded
once. In float64, f of units whose gate has a double-double kernel (``GatedSpec.gate_dd``:
swiglu, swiglu_clamped, geglu's tanh form) is (h + l)·b(up) rounded once (two_prod), within
2 ulp: the gate's rounded value times b(up), rounded again, reached 3 (a relative error of
a(gate) can count double in ulps of the product). Under autodiff (torch, JAX)
that value enters as base + stop_gradient(v − base), exactly v, with the derivatives of
the gate's analytic evaluation; TensorFlow keeps the composition (3 ulp at worst). NaN in
either input gives NaN in every output. ``out=`` (NumPy only) receives the results.

Far-negative gates in float64 (units with a ``gate_tail``: swiglu, swiglu_clamped, glu):
where a(gate) underflows but a(gate)·b(up) need not (swiglu(−1000, 1e308) ≈ −5.1e−129),
f, ∂f/∂gate, ∂²f/∂gate² and ∂f/∂α are scaled products (:mod:`actfn._gated_tail`), within
2 ulp. An infinite b(up) gives a(gate)·(±inf) with a(gate) rounded to float64: NaN where
it rounds to ±0 ((−0)·inf, e.g. swiglu(−800, inf)), ±inf elsewhere, on every backend.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from . import _backend
from ._exact import ExactMath
from ._registry import Param, Spec, lookup

__all__ = ["GatedSpec", "GatedExact", "GatedActivation", "check_gate_first", "dtype_name",
           "gated_exact", "round_limit", "split"]


#: One reference formula of a gated unit: ``fn(gate, up, m, **params)``.
GatedExactFn = Callable[..., Any]


@dataclass(frozen=True)
class GatedExact:
    """The reference formulas of a gated unit in arbitrary precision (``m``: an
    :class:`~actfn._exact.ExactMath` namespace such as mpmath): f and its first and second
    partial derivatives, each ``fn(gate, up, m, **params)``."""

    f: GatedExactFn
    dg: GatedExactFn
    du: GatedExactFn
    dgg: GatedExactFn
    dgu: GatedExactFn
    duu: GatedExactFn


def _none(p: Mapping[str, Any]) -> float | None:
    return None


def _no_params(p: Mapping[str, Any]) -> dict[str, Any]:
    return {}


def gated_exact(gate_spec: Spec, gate_params: Callable[[Mapping[str, Any]], Mapping[str, Any]],
                gate_limit: Callable[[Mapping[str, Any]], float | None] = _none,
                up_limit: Callable[[Mapping[str, Any]], float | None] = _none,
                up_offset: float = 0.0) -> GatedExact:
    """The :class:`GatedExact` of ``a(min(gate, L_g)) · (clamp(up, ±L_u) + c)`` from the
    reference formulas (``exact``) of the elementwise spec ``gate_spec`` of ``a``
    (the module docstring gives the partials and the convention at the clamp)."""

    gate_defaults = gate_spec.defaults()

    def a(k: int, g: Any, m: ExactMath, p: Mapping[str, Any]) -> Any:
        gate = gate_spec.exact
        lim = gate_limit(p)
        inside = lim is None or g <= lim
        if not inside and k > 0:
            return m.mpf(0)
        gc = g if inside else m.mpf(lim)
        return (gate.f, gate.df, gate.d2f)[k](gc, m, **{**gate_defaults, **gate_params(p)})

    def b(k: int, u: Any, m: ExactMath, p: Mapping[str, Any]) -> Any:
        lim = up_limit(p)
        inside = lim is None or abs(u) <= lim
        if k == 0:
            uc = u if inside else m.mpf(lim) * m.sign(u)
            return uc + m.mpf(up_offset)
        return m.mpf(1) if k == 1 and inside else m.mpf(0)

    def term(i: int, j: int) -> GatedExactFn:
        def fn(g: Any, u: Any, m: ExactMath, **p: Any) -> Any:
            return a(i, g, m, p) * b(j, u, m, p)
        return fn

    return GatedExact(term(0, 0), term(1, 0), term(0, 1), term(2, 0), term(1, 1), term(0, 2))


@dataclass(frozen=True)
class GatedSpec:
    """Everything actfn knows about one gated unit ``a(min(gate, L_g))·(clamp(up, ±L_u) + c)``.

    ``gate`` is the registered elementwise :class:`~actfn.Spec` of ``a``; ``gate_params``
    maps this unit's bound parameters to the gate's (geglu's ``approximate``,
    swiglu_clamped's ``alpha`` → silu's ``beta``). ``gate_limit`` / ``up_limit`` give the
    clamps (``None``: none) and ``up_offset`` the constant ``c`` added to the clamped
    value. ``exact`` defaults to the composition of the gate's reference formulas
    (:func:`gated_exact`). Registered, listed (``actfn.names(kind="gated")``) and looked up
    (``actfn.get``) like an elementwise :class:`~actfn.Spec`.
    """

    kind: ClassVar[str] = "gated"
    arity: ClassVar[int] = 2

    name: str
    gate: Spec
    gate_params: Callable[[Mapping[str, Any]], Mapping[str, Any]] = _no_params
    params: tuple[Param, ...] = ()
    gate_limit: Callable[[Mapping[str, Any]], float | None] = _none
    up_limit: Callable[[Mapping[str, Any]], float | None] = _none
    up_offset: float = 0.0
    aliases: tuple[str, ...] = ()
    family: str = "gated"
    summary: str = ""
    kink_convention: str = ""
    check: Callable[[Mapping[str, Any]], None] | None = None
    latex: Mapping[str, str] = field(default_factory=dict)
    reference: str = ""
    #: Parameter sets besides the defaults that the tests check.
    cases: tuple[Mapping[str, Any], ...] = ()
    exact: GatedExact | None = None
    #: This unit's parameters that set a parameter of the gate (swiglu_clamped's
    #: ``alpha`` → silu's ``beta``): ∂f/∂p comes from the gate's ``dparams``.
    param_map: Mapping[str, str] = field(default_factory=dict)
    #: The parameters that are the clamps' limits (∂f/∂L: the clamped side's slope).
    gate_limit_param: str | None = None
    up_limit_param: str | None = None
    #: Optional: a(g) as an unrounded double-double, ``gate_dd(x, xp, **gate_params)`` →
    #: ``(h, l, 1/k)`` with h + l = a(x)·k (or None where it has none for these
    #: parameters). In float64 work f = a(g)·b(u) is then (h + l)·b rounded once
    #: (two_prod), so f keeps the gate's error instead of adding a rounding to it.
    gate_dd: Callable[..., Any] | None = None
    #: Optional: the gate's far-negative tail, ``gate_tail(x, xp, k, **gate_params)`` →
    #: ``(z, z_lo, F, F_lo)`` with a⁽ᵏ⁾(x) = (F + F_lo)·e^{z + z_lo} there (k = 0, 1, 2 or
    #: a gate parameter's name for ∂a/∂p): in float64, f, ∂f/∂gate, ∂²f/∂gate² (and ∂f/∂p)
    #: are then computed as scaled products (:mod:`actfn._gated_tail`) where a⁽ᵏ⁾(gate)
    #: underflows but a⁽ᵏ⁾(gate)·b(up) does not (swiglu(−1000, 1e308) ≈ −5.1e−129).
    gate_tail: Callable[..., Any] | None = None
    #: Kept empty: ``actfn bench`` measures elementwise settings.
    bench: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    overview: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.gate, Spec):
            raise TypeError(f"GatedSpec {self.name!r}: gate must be an elementwise actfn.Spec, "
                            f"got {type(self.gate).__name__}")
        if self.exact is None and self.gate.exact is not None:
            object.__setattr__(self, "exact", gated_exact(
                self.gate, self.gate_params, self.gate_limit, self.up_limit,
                self.up_offset))

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def bind(self, **params: Any) -> dict[str, Any]:
        """Validate ``params`` and fill in defaults (as :meth:`actfn.Spec.bind`)."""
        return Spec.bind(self, **params)  # type: ignore[arg-type]

    @property
    def knowledge(self) -> Any:
        """The knowledge file ``<name>.toml`` beside the catalog module (as
        :attr:`actfn.Spec.knowledge`)."""
        from ._knowledge import for_spec

        return for_spec(self)  # type: ignore[arg-type]

    def kinks(self, params: Mapping[str, Any]) -> dict[str, tuple[float, ...]]:
        """Where f or a partial is not smooth: ``{"gate": (...), "up": (...)}``."""
        gk = tuple(self.gate.kinks(self.gate.bind(**self.gate_params(params))))
        lg, lu = self.gate_limit(params), self.up_limit(params)
        if lg is not None:
            gk = tuple(sorted({*(k for k in gk if k <= lg), lg}))
        return {"gate": gk, "up": () if lu is None else (-lu, lu)}


# -- evaluation -------------------------------------------------------------------------
def dtype_name(dtype: Any) -> str | None:
    """"float32", "bfloat16", ... of a NumPy, PyTorch, JAX or TensorFlow dtype (None:
    not a floating dtype this module knows)."""
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        name = str(dtype).removeprefix("torch.")
    return name if name in ("float16", "bfloat16", "float32", "float64") else None


def round_limit(lim: float | None, dtype: Any) -> float | None:
    """A clamp's limit rounded to nearest (ties to even) in the input's ``dtype``, as a
    float: the clamps compare in the input dtype, as ``torch.clamp(x, max=L)`` does (L
    rounded to x's dtype first), so an input that equals the rounded limit is at the
    clamp and takes its inside derivative. float64 (and unknown dtypes): unchanged."""
    name = dtype_name(dtype)
    if lim is None or name in (None, "float64") or not math.isfinite(lim) or lim == 0:
        return lim
    v = float(lim)
    if name == "bfloat16":  # 8 significant bits, ties to even (limits are normal numbers)
        q = 2.0 ** (math.frexp(v)[1] - 8)
        return float(np.round(v / q) * q)
    return float(np.dtype(name).type(v))


_WIDTH = {"float16": 1, "bfloat16": 1, "float32": 2, "float64": 3}


def _result_dtype(a: Any, b: Any, xp: Any) -> Any:
    """The common floating dtype: the wider one; float16 with bfloat16 gives float32
    (NumPy: in native byte order, as the elementwise results)."""
    if xp is np:
        a, b = np.dtype(a).newbyteorder("="), np.dtype(b).newbyteorder("=")
    if a == b:
        return a
    if xp is np:
        na, nb = a.name, b.name
        if _WIDTH[na] == _WIDTH[nb]:  # float16 with bfloat16
            return np.dtype(np.float32)
        return np.dtype(a) if _WIDTH[na] > _WIDTH[nb] else np.dtype(b)
    return xp.result_type(a, b)


def _lib(x: Any) -> str:
    return f"{type(x).__module__}.{type(x).__name__}"


def check_gate_first(gate_first: Any) -> bool:
    """``gate_first`` itself when it is a bool (NumPy's too); else TypeError (a string
    such as ``"yes"`` or ``"False"`` is not silently taken for its truth value)."""
    if not isinstance(gate_first, (bool, np.bool_)):
        raise TypeError(f"gate_first must be a bool, got {type(gate_first).__name__}")
    return bool(gate_first)


def split(x: Any, dim: int, gate_first: bool) -> tuple[Any, Any]:
    """``(gate, up)`` halves of ``x`` along ``dim``: as ``torch.nn.functional.glu``, the
    first half is the value ``up`` and the second the gate (``gate_first=True``: the
    other way round). Views where the library makes them; ``x`` is not modified."""
    arr = _backend.numpy_input(x)
    if arr is not None:
        x = arr
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    gate_first = check_gate_first(gate_first)
    shape = tuple(getattr(x, "shape", ()))
    nd = len(shape)
    if nd == 0:
        raise ValueError("the split form act(x, dim=...) needs an array of at least one "
                         "dimension, got a scalar; pass (gate, up) instead")
    if not -nd <= dim < nd:
        raise ValueError(f"dim={dim} is out of range for an input of {nd} dimension(s) "
                         f"(valid: {-nd} to {nd - 1})")
    d = int(dim) % nd
    n = shape[d]
    if n is None and type(x).__module__.startswith("tensorflow"):
        # a dynamic size (tf.function with a None dimension): tf.split checks at run time
        # that it is even
        import tensorflow as tf

        first, second = tf.split(x, 2, axis=d)
        return (first, second) if gate_first else (second, first)
    if n is None:
        raise ValueError(f"dim={dim} has no static size: the split form needs a static size "
                         "along dim (or pass act(gate, up))")
    if n % 2:
        raise ValueError(f"dim={dim} has odd length {n}: the split form halves it into the "
                         "value (up) and the gate, so its length must be even")
    h = n // 2
    lo = tuple(slice(0, h) if i == d else slice(None) for i in range(nd))
    hi = tuple(slice(h, n) if i == d else slice(None) for i in range(nd))
    first, second = x[lo], x[hi]
    return (first, second) if gate_first else (second, first)


class GatedActivation:
    """A gated unit with fixed parameters: ``act(gate, up)`` = a(gate)·b(up) (see the
    module docstring of :mod:`actfn._gated` for the formulas, dtypes and conventions).

    >>> import actfn
    >>> act = actfn.get("swiglu")
    >>> float(act(1.0, 2.0))  # silu(1)·2 = 2σ(1)
    1.4621171572600098
    >>> act([[3.0, 1.0]]).round(12).tolist()  # split form: up = 3, gate = 1
    [[2.19317573589]]
    """

    __slots__ = ("_spec", "_params", "_gate", "__weakref__")

    def __init__(self, spec: GatedSpec, params: Mapping[str, Any]) -> None:
        from ._activation import Activation

        self._spec = spec
        self._params = dict(params)
        g = spec.gate
        self._gate = Activation(g, g.bind(**spec.gate_params(self._params)))

    # -- identity ---------------------------------------------------------------
    @property
    def spec(self) -> GatedSpec:
        """The registry entry."""
        return self._spec

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def params(self) -> dict[str, Any]:
        """The bound parameter values (a copy)."""
        return dict(self._params)

    @property
    def gate(self) -> Any:
        """The elementwise :class:`~actfn.Activation` a of the gate."""
        return self._gate

    def kinks(self) -> dict[str, tuple[float, ...]]:
        """``{"gate": ..., "up": ...}``: where f or a partial is not smooth."""
        return self._spec.kinks(self._params)

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self._params.items())})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GatedActivation):
            return NotImplemented
        return self.name == other.name and self._params == other._params

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self._params.items()))))

    def __reduce__(self) -> tuple[Any, ...]:
        if lookup(self.name, kind="all") is not self._spec:
            raise pickle.PicklingError(f"cannot pickle {self!r}: its spec is not the one "
                                       f"registered under {self.name!r}")
        return (_rebuild, (self.name, self._params))

    # -- evaluation -------------------------------------------------------------
    def __call__(self, gate: Any, up: Any = None, /, *, dim: int | None = None,
                 gate_first: bool = False, out: Any = None) -> Any:
        """f = a(gate)·b(up); or, with one input, the split form ``act(x, dim=-1)``."""
        return self._run(gate, up, dim, gate_first, ("f",), out)[0]

    def partials(self, gate: Any, up: Any = None, /, *, dim: int | None = None,
                 gate_first: bool = False, out: Any = None) -> tuple[Any, Any]:
        """(∂f/∂gate, ∂f/∂up), each of the broadcast shape (split form: of one half)."""
        dg, du = self._run(gate, up, dim, gate_first, ("dg", "du"), out)
        return dg, du

    def partials2(self, gate: Any, up: Any = None, /, *, dim: int | None = None,
                  gate_first: bool = False, out: Any = None) -> tuple[Any, Any, Any]:
        """(∂²f/∂gate², ∂²f/∂gate∂up, ∂²f/∂up²)."""
        dgg, dgu, duu = self._run(gate, up, dim, gate_first, ("dgg", "dgu", "duu"), out)
        return dgg, dgu, duu

    def value_and_partials(self, gate: Any, up: Any = None, /, *, dim: int | None = None,
                           gate_first: bool = False, out: Any = None) -> tuple[Any, Any, Any]:
        """(f, ∂f/∂gate, ∂f/∂up) in one pass (the gate's fused f, a' loop)."""
        f, dg, du = self._run(gate, up, dim, gate_first, ("f", "dg", "du"), out)
        return f, dg, du

    def param_partials(self, gate: Any, up: Any = None, /, *, dim: int | None = None,
                       gate_first: bool = False) -> dict[str, Any]:
        """∂f/∂p for each real parameter p of the unit (for layers that learn them):
        through the gate, ∂f/∂p = ∂a/∂q(g)·b(u) (q the gate's parameter ``p`` sets); for a
        clamp limit L, ∂f/∂L = a'(L)·[gate > L]·b(u) + a(g)·sign(up)·[|up| > L] (0 at
        the clamp itself, the inside-branch convention). Empty for units without one."""
        spec = self._spec
        names = [*spec.param_map, *(n for n in (spec.gate_limit_param, spec.up_limit_param)
                                    if n is not None)]
        if not names:
            return {}
        names = list(dict.fromkeys(names))
        which = tuple(f"param:{n}" for n in names)
        return dict(zip(names, self._run(gate, up, dim, gate_first, which, None), strict=True))

    # -- machinery --------------------------------------------------------------
    def _inputs(self, gate: Any, up: Any, dim: int | None, gate_first: bool) -> tuple[Any, Any]:
        gate_first = check_gate_first(gate_first)
        if up is None:
            return split(gate, -1 if dim is None else dim, gate_first)
        if dim is not None or gate_first:
            raise TypeError(f"{self.name}: dim= and gate_first= belong to the split form "
                            "act(x, dim=...); with two inputs pass act(gate, up)")
        return gate, up

    def _run(self, gate: Any, up: Any, dim: int | None, gate_first: bool,
             which: tuple[str, ...], out: Any) -> tuple[Any, ...]:
        gate, up = self._inputs(_keras_value(gate), _keras_value(up), dim, gate_first)
        ga, ua = _backend.numpy_input(gate), _backend.numpy_input(up)
        if (ga is None) != (ua is None):
            raise TypeError(f"{self.name}: gate and up must be arrays of the same library, "
                            f"got {_lib(gate)} and {_lib(up)}")
        if ga is None and out is not None:
            raise TypeError(f"out= is supported for NumPy inputs only, not {_lib(gate)}")
        pg = _backend.prepare(gate if ga is None else ga)
        pu = _backend.prepare(up if ua is None else ua)
        xp = pg.xp
        if pu.xp is not xp:
            raise TypeError(f"{self.name}: gate and up must be arrays of the same library, "
                            f"got {_lib(gate)} and {_lib(up)}")
        try:
            shape = tuple(np.broadcast_shapes(tuple(pg.xw.shape), tuple(pu.xw.shape)))
        except ValueError:
            raise ValueError(f"{self.name}: gate of shape {tuple(pg.xw.shape)} and up of shape "
                             f"{tuple(pu.xw.shape)} do not broadcast together") from None
        res = _backend.Prepared(xw=None, xp=xp,
                                out_dtype=_result_dtype(pg.out_dtype, pu.out_dtype, xp))
        outs = self._check_out(out, len(which), shape, res.out_dtype)
        if xp is np:
            with np.errstate(all="ignore"):
                ys = self._compute(pg.xw, pu.xw, xp, which, (pg.out_dtype, pu.out_dtype))
        else:
            ys = self._compute(pg.xw, pu.xw, xp, which, (pg.out_dtype, pu.out_dtype))
        results = []
        for i, y in enumerate(ys):
            r = _backend.finish(y, res)
            if xp is np and tuple(r.shape) != shape:
                r = np.ascontiguousarray(np.broadcast_to(r, shape))
            if outs is not None:
                outs[i][...] = r
                r = outs[i]
            results.append(r)
        return tuple(results)

    def _check_out(self, out: Any, n: int, shape: tuple[int, ...],
                   dtype: Any) -> list[np.ndarray] | None:
        if out is None:
            return None
        outs = [out] if n == 1 else out
        if n > 1 and (not isinstance(outs, (tuple, list)) or len(outs) != n):
            raise TypeError(f"out= must be a tuple of {n} NumPy arrays here")
        for o in outs:
            if not isinstance(o, np.ndarray):
                raise TypeError(f"out= must hold NumPy arrays, got {_lib(o)}")
            if tuple(o.shape) != shape or o.dtype != dtype:
                raise ValueError(f"out= array has shape {tuple(o.shape)} and dtype {o.dtype}; "
                                 f"expected shape {shape} and dtype {np.dtype(dtype).name}")
            if not o.flags.writeable:
                raise ValueError("out= array is read-only")
        return list(outs)

    def _compute(self, g: Any, u: Any, xp: Any, which: tuple[str, ...],
                 dtypes: tuple[Any, Any] = (None, None)) -> list[Any]:
        """The requested results in working precision (float64 where the library has it):
        ``g``, ``u`` are the inputs converted (copies), of broadcastable shapes;
        ``dtypes`` the inputs' own dtypes, to which the clamps' limits are rounded
        (:func:`round_limit`)."""
        spec, p = self._spec, self._params
        lg = round_limit(spec.gate_limit(p), dtypes[0])
        lu, c = round_limit(spec.up_limit(p), dtypes[1]), spec.up_offset
        need = {"f": (0,), "dg": (1,), "du": (0,), "dgg": (2,), "dgu": (1,), "duu": ()}
        params_wanted = [w[6:] for w in which if w.startswith("param:")]
        if params_wanted:
            need.update({w: (0, 1) for w in which if w.startswith("param:")})
        orders = sorted({k for w in which for k in need[w]})
        gc = g if lg is None else xp.where(g > lg, xp.full_like(g, lg), g)
        act = self._gate
        a: dict[int, Any] = {}
        if 0 in orders and 1 in orders:
            a[0], a[1] = act.value_and_derivative(gc)
        elif 0 in orders:
            a[0] = act(gc)
        elif 1 in orders:
            a[1] = act.derivative(gc)
        if 2 in orders:
            a[2] = act.second_derivative(gc)
        a1_raw = a.get(1)  # a'(min(gate, L)): ∂f/∂L reads it beyond the clamp
        if lg is not None:  # beyond the gate's clamp a is constant: its derivatives vanish
            ginside = ~(g > lg)
            for k in (1, 2):
                if k in a:
                    a[k] = xp.where(ginside, a[k], xp.zeros_like(a[k]))
        # b(u) = clamp(u, ±L_u) + c as s + e exactly (two_sum), b'(u) = [|u| ≤ L_u]
        if lu is None:
            uc, uinside = u, None
        else:
            uc = xp.where(u > lu, xp.full_like(u, lu), xp.where(u < -lu, xp.full_like(u, -lu), u))
            uinside = ~((u > lu) | (u < -lu))
        nan = xp.isnan(g) | xp.isnan(u)

        def times_b(v: Any) -> Any:
            if c == 0:
                return v * uc
            s = uc + c
            bb = s - uc
            e = (uc - (s - bb)) + (c - bb)
            return v * s + v * e

        def times_db(v: Any) -> Any:
            v = v * xp.ones_like(u)
            return v if uinside is None else xp.where(uinside, v, xp.zeros_like(v))

        def dparam(name: str) -> Any:
            out = xp.zeros_like(g * u)
            if name in spec.param_map:
                from ._evaluate import array_params, context

                gspec = act.spec
                k = gspec.dparams[spec.param_map[name]]
                out = out + times_b(k(gc, context(xp), **array_params(gspec, act.params, gc, xp)))
            if name == spec.gate_limit_param and lg is not None:
                out = out + times_b(xp.where(g > lg, a1_raw, xp.zeros_like(a1_raw)))
            if name == spec.up_limit_param and lu is not None:
                side = xp.where(u > lu, xp.ones_like(u), xp.where(u < -lu, -xp.ones_like(u),
                                                                  xp.zeros_like(u)))
                out = out + a[0] * side
            return out

        def f_dd() -> Any:
            """a(g)·b(u) rounded once from the gate's double-double (h + l)·(s + e)."""
            from ._evaluate import array_params, context
            from .kernels.dd import two_prod, two_sum

            gspec = act.spec
            if spec.gate_dd is None or g.dtype != xp.float64:
                return None
            hle = spec.gate_dd(gc, context(xp), **array_params(gspec, act.params, gc, xp))
            if hle is None:
                return None
            h, lo, inv_k = hle
            if c == 0:
                s, e = uc, xp.zeros_like(uc)
            else:
                s, e = two_sum(uc, c)
            # Dekker's splitting overflows beyond 2**995: such factors are scaled by
            # 2**-64 (exactly) and the sum scaled back before its one rounding
            one = xp.ones_like(h)
            sh = xp.where(xp.abs(h) >= 2.0 ** 995, one * 2.0 ** -64, one)
            ss = xp.where(xp.abs(s) >= 2.0 ** 995, xp.ones_like(s) * 2.0 ** -64,
                          xp.ones_like(s))
            h, lo, s, e = h * sh, lo * sh, s * ss, e * ss
            pr, pe = two_prod(h, s, xp)
            t = pe + (lo * s + h * e)
            t = xp.where(xp.isnan(t), xp.zeros_like(t), t)  # inf factors: pr alone
            v = xp.where(t == 0, pr, pr + t)  # -0 stays -0
            return (v * (1.0 / (sh * ss))) * inv_k

        def f_value() -> Any:
            stop = None if xp is np else _stop_gradient(g)
            if xp is not np and stop is None:
                return times_b(a[0])
            v = f_dd()
            base = times_b(a[0])
            if v is not None:
                # b(up) = ±inf: the working-precision a(g) times it, as every backend's
                # composition: NaN where a(g) rounds to ±0 in float64 (|a| < 2⁻¹⁰⁷⁵, e.g.
                # silu(−800)), not the scaled double-double's nonzero a(g)·2¹²⁸ times inf
                v = xp.where(xp.isinf(uc), base, v)
            if v is not None and xp is np:
                return v
            if v is None or stop is None:
                return base
            # autodiff must differentiate the gate's analytic evaluation, not the
            # double-double steps (two_prod's splitting differentiated is off by 2⁻²⁷):
            # base + (v − base) with the difference a constant is v exactly (both within
            # a few ulps: Sterbenz), with base's derivatives
            diff = v - base
            keep = (diff == 0) | xp.isnan(diff) | xp.isinf(diff)
            return xp.where(keep, base, base + stop(diff))

        tail = self._tail(g, gc, uc, c, xp, which)

        made = {
            **{f"param:{n}": (lambda n=n: dparam(n)) for n in params_wanted},
            "f": f_value,
            "dg": lambda: times_b(a[1]),
            "du": lambda: times_db(a[0]),
            "dgg": lambda: times_b(a[2]),
            "dgu": lambda: times_db(a[1]),
            "duu": lambda: xp.zeros_like(g * u),
        }
        ys = []
        for w in which:
            y = made[w]()
            if tail is not None and w in tail[1]:
                t = tail[1][w]
                stop = None if xp is np else _stop_gradient(g)
                y = xp.where(tail[0], t if stop is None else stop(t), y)
            ys.append(xp.where(nan, xp.full_like(y, math.nan), y))
        return ys

    def _tail(self, g: Any, gc: Any, uc: Any, c: float, xp: Any,
              which: tuple[str, ...]) -> tuple[Any, dict[str, Any]] | None:
        """(mask, {result: value}) of the far-negative gates in float64 work
        (:mod:`actfn._gated_tail`, from ``spec.gate_tail``), or None: f, dg, dgg and the
        partials of parameters that set the gate's, each a⁽ᵏ⁾(gate)·b(up) as a scaled
        product where a⁽ᵏ⁾(gate) alone underflows."""
        from ._gated_tail import tail_values
        from .kernels.dd import two_sum

        spec = self._spec
        if spec.gate_tail is None or g.dtype != xp.float64:
            return None
        keys = {"f": 0, "dg": 1, "dgg": 2,
                **{f"param:{n}": q for n, q in spec.param_map.items()}}
        orders = {w: keys[w] for w in which if w in keys}
        if not orders:
            return None
        if c == 0:
            b, bl = uc, xp.zeros_like(uc)
        else:
            b, bl = two_sum(uc, xp.full_like(uc, c))
        # skip the tail's work when no element is in it: NumPy, and torch unless traced (a
        # trace must not branch on values: torch.compile/export/jit.trace, fake tensors)
        lazy = xp is np or ("torch" in getattr(xp, "__name__", "") and not _torch_traced(gc))
        mask, vals, _ = tail_values(spec.gate_tail, gc, b, bl, tuple(set(orders.values())), xp,
                                    self._gate.params, lazy=lazy)
        if vals is None:
            return None
        return mask, {w: vals[k] for w, k in orders.items()}


def _keras_value(x: Any) -> Any:
    """A ``keras.Variable``'s backend tensor (as the elementwise core API takes it); anything
    else unchanged."""
    from ._evaluate import keras_variable_value

    v = keras_variable_value(x)
    return x if v is None else v


def _torch_traced(t: Any) -> bool:
    """Whether torch tensor ``t`` is being traced (Dynamo/export, ``jit.trace``, or a fake
    tensor of a trace): then no Python branch may depend on its values."""
    import torch

    return bool(torch.compiler.is_compiling() or torch.jit.is_tracing()
                or isinstance(t, torch._subclasses.fake_tensor.FakeTensor))


def _stop_gradient(x: Any) -> Callable[[Any], Any] | None:
    """The stop-gradient of ``x``'s library (torch, JAX), or None."""
    mod = type(x).__module__
    if mod.startswith("torch"):
        return lambda t: t.detach()
    if mod.startswith("jax"):
        import jax

        return jax.lax.stop_gradient  # type: ignore[no-any-return]
    return None  # TensorFlow (autograph) and others: the composition


def _rebuild(name: str, params: dict[str, Any]) -> GatedActivation:
    from ._activation import get

    return get(name, **params)  # type: ignore[return-value]

