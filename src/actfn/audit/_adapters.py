"""Library adapters: evaluate a framework's activation and its autodiff derivatives.

This module runs inside the library's own worker process (:mod:`actfn.audit._worker`),
so a crash of one framework cannot end the audit, and ``KERAS_BACKEND`` / JAX's x64 mode
are set before the framework is imported.

Which framework function is which activation comes from the knowledge data of each
catalog entry (:class:`actfn._knowledge.Equivalent`: the ``PyTorch``, ``JAX`` and
``Keras`` calls); an activation without a call is *not provided*. Derivatives are the
library's own autodiff: f′ = ∇ Σᵢ f(xᵢ), f″ = ∇ Σᵢ f′(xᵢ) (elementwise functions, so the
gradient of the sum is the derivative at each element).

``tensorflow`` evaluates the Keras call with ``keras.activations.<fn>`` replaced by
``tf.nn.<fn>`` (or ``tf.math.<fn>``) where TensorFlow has a function of that name and
the call's keywords fit it, else Keras' own function on the TensorFlow backend.
``numpy-naive`` evaluates each spec's reference formulas (``Spec.exact``) in the
audited dtype with NumPy scalars, one element at a time: the textbook formula rounded
at every step, no autodiff (f′ and f″ are the reference derivative formulas).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["NotProvided", "evaluate", "library_version", "FRAMEWORK_OF", "build_call"]

#: Library → the framework whose knowledge-data call it evaluates.
FRAMEWORK_OF = {
    "torch": "PyTorch", "torch-compile": "PyTorch", "jax": "JAX", "jax-x64": "JAX",
    "tensorflow": "Keras", "keras-jax": "Keras", "keras-torch": "Keras",
    "keras-tensorflow": "Keras",
}


class NotProvided(Exception):
    """The library has no counterpart of this activation (or of this order/dtype)."""


def _call_of(library: str, name: str) -> Any:
    import actfn
    from actfn import _knowledge

    eq = _knowledge.for_spec(actfn.lookup(name)).equivalent(FRAMEWORK_OF[library])
    if eq is None or not eq.call:
        raise NotProvided(f"{library} provides no {name}")
    return eq


def _full_params(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    import actfn

    spec = actfn.lookup(name)
    return {**{p.name: p.default for p in spec.params}, **params}


def library_version(library: str) -> str:
    """``"torch 2.13.0"``-style version of the library (plus the Keras backend)."""
    if library in ("actfn", "numpy-naive"):
        import actfn

        return f"actfn {actfn.__version__}, numpy {np.__version__}"
    if library.startswith("torch"):
        import torch

        return f"torch {torch.__version__}"
    if library.startswith("jax"):
        import jax

        return f"jax {jax.__version__}"
    if library == "tensorflow":
        import tensorflow as tf

        return f"tensorflow {tf.__version__}"
    if library.startswith("keras-"):
        import keras

        return f"keras {keras.__version__} ({library[6:]} backend)"
    return library


# -- dtype conversion ------------------------------------------------------------------------
def _np_dtype(dtype: str) -> np.dtype:
    import ml_dtypes

    return np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)


def _to_numpy(a: Any) -> np.ndarray:
    """Any framework's array as NumPy, keeping its dtype (bfloat16 via ml_dtypes)."""
    try:
        import torch

        if isinstance(a, torch.Tensor):
            a = a.detach()
            if a.dtype == torch.bfloat16:
                import ml_dtypes

                return a.view(torch.int16).numpy().view(ml_dtypes.bfloat16).copy()
            return a.numpy().copy()
    except ModuleNotFoundError:  # pragma: no cover
        pass
    if hasattr(a, "numpy") and not isinstance(a, np.ndarray):
        return np.asarray(a.numpy())
    return np.asarray(a)


# -- autodiff per backend ------------------------------------------------------------------
def _torch_orders(fn: Callable[[Any], Any], x: np.ndarray, orders: Sequence[int],
                  compiled: bool = False) -> dict[int, Any]:
    import torch

    if x.dtype.name == "bfloat16":
        t = torch.from_numpy(x.view(np.int16).copy()).view(torch.bfloat16)
    else:
        t = torch.from_numpy(x.copy())
    out: dict[int, Any] = {}
    need_grad = any(k > 0 for k in orders)
    t = t.requires_grad_(need_grad)
    y = fn(t)
    if 0 in orders:
        out[0] = _to_numpy(y)
    if not need_grad:
        return out
    if not y.requires_grad:  # constant output (no dependence on x)
        g = torch.zeros_like(t)
    else:
        (g,) = torch.autograd.grad(y.sum(), t, create_graph=2 in orders, allow_unused=True)
        g = torch.zeros_like(t) if g is None else g
    if 1 in orders:
        out[1] = _to_numpy(g)
    if 2 in orders:
        try:
            if not g.requires_grad:
                g2 = torch.zeros_like(t)
            else:
                (g2,) = torch.autograd.grad(g.sum(), t, allow_unused=True)
                g2 = torch.zeros_like(t) if g2 is None else g2
            out[2] = _to_numpy(g2)
        except RuntimeError as exc:  # no double backward: f and f′ still count
            out[2] = (NotProvided(f"no double backward through torch.compile: {exc}"
                                  .split("\n")[0]) if compiled else exc)
    return out


def _jax_orders(fn: Callable[[Any], Any], x: np.ndarray, orders: Sequence[int]) -> dict[int, Any]:
    import jax
    import jax.numpy as jnp

    xj = jnp.asarray(x)
    out: dict[int, Any] = {}
    if 0 in orders:
        out[0] = np.asarray(jax.jit(fn)(xj))
    d1 = jax.grad(lambda v: jnp.sum(fn(v)))
    if 1 in orders:
        out[1] = np.asarray(jax.jit(d1)(xj))
    if 2 in orders:
        d2 = jax.grad(lambda v: jnp.sum(d1(v)))
        try:
            out[2] = np.asarray(jax.jit(d2)(xj))
        except Exception as exc:  # noqa: BLE001 - f and f′ still count
            out[2] = exc
    return out


def _tf_orders(fn: Callable[[Any], Any], x: np.ndarray, orders: Sequence[int]) -> dict[int, Any]:
    import tensorflow as tf

    t = tf.Variable(tf.constant(x))
    out: dict[int, Any] = {}
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = fn(t)
        g = inner.gradient(y, t)
        if g is None:
            g = tf.zeros_like(t)
    if 0 in orders:
        out[0] = _to_numpy(y)
    if 1 in orders:
        out[1] = _to_numpy(g)
    if 2 in orders:
        try:
            g2 = outer.gradient(g, t)
            out[2] = _to_numpy(tf.zeros_like(t) if g2 is None else g2)
        except Exception as exc:  # noqa: BLE001 - no second derivative: f and f′ still count
            out[2] = exc
    return out


# -- the tensorflow namespace: keras.activations.<fn> → tf.nn.<fn> where it fits ----------
class _TfActivations:
    def __init__(self, tf: Any, keras: Any) -> None:
        self._tf, self._keras = tf, keras

    def __getattr__(self, fname: str) -> Callable[..., Any]:
        kfn = getattr(self._keras.activations, fname)
        for ns in (self._tf.nn, self._tf.math):
            tfn = getattr(ns, fname, None)
            if tfn is None:
                continue

            def call(x: Any, *args: Any, _t: Any = tfn, _k: Any = kfn, **kw: Any) -> Any:
                try:
                    inspect.signature(_t).bind(x, *args, **kw)
                except TypeError:
                    return _k(x, *args, **kw)
                return _t(x, *args, **kw)

            return call
        return kfn


class _TfKeras:
    def __init__(self, tf: Any, keras: Any) -> None:
        self.activations = _TfActivations(tf, keras)
        self.layers, self.initializers = keras.layers, keras.initializers


# -- a call's text as a traceable function (no eval: torch.compile cannot trace eval) --------
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow, ast.FloorDiv: operator.floordiv}
_UNOPS: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos,
                                            ast.Not: operator.not_}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge}


def build_call(src: str, env: Mapping[str, Any]) -> Callable[[Any], Any]:
    """The knowledge-data call ``src`` (an expression in ``x``, framework modules and
    parameters) as a plain function of ``x``, built from its syntax tree: names and
    attributes are resolved with ``getattr`` and every part that does not depend on
    ``x`` (``torch.nn.functional.gelu``, ``torch.nn.Identity()``) is evaluated once, here.
    What runs per call is ordinary Python (calls, arithmetic, comparisons), which
    ``torch.compile`` traces into one graph (no ``eval``). Unsupported syntax raises
    ``NotProvided``."""

    def build(node: ast.AST) -> tuple[bool, Any]:
        """(depends on x, value or function of x)."""
        if isinstance(node, ast.Constant):
            return False, node.value
        if isinstance(node, ast.Name):
            if node.id == "x":
                return True, lambda x: x
            if node.id not in env:
                raise NotProvided(f"{src!r}: unknown name {node.id!r}")
            return False, env[node.id]
        if isinstance(node, ast.Attribute):
            dep, base = build(node.value)
            attr = node.attr
            if not dep:
                return False, getattr(base, attr)
            return True, lambda x: getattr(base(x), attr)
        if isinstance(node, (ast.List, ast.Tuple)):
            parts = [build(e) for e in node.elts]
            kind = list if isinstance(node, ast.List) else tuple
            if not any(d for d, _ in parts):
                return False, kind(v for _, v in parts)
            return True, lambda x: kind(v(x) if d else v for d, v in parts)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return combine(_BINOPS[type(node.op)], [node.left, node.right], [])
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
            return combine(_UNOPS[type(node.op)], [node.operand], [])
        if (isinstance(node, ast.Compare) and len(node.ops) == 1
                and type(node.ops[0]) in _CMPOPS):
            return combine(_CMPOPS[type(node.ops[0])], [node.left, node.comparators[0]], [])
        if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args
                                                  ) and all(k.arg for k in node.keywords):
            fdep, fn = build(node.func)
            if fdep:
                raise NotProvided(f"{src!r}: the called function depends on x")
            return combine(fn, node.args, node.keywords)
        raise NotProvided(f"{src!r}: unsupported syntax {type(node).__name__}")

    def combine(fn: Callable[..., Any], args: Sequence[ast.AST],
                keywords: Sequence[ast.keyword]) -> tuple[bool, Any]:
        pa = [build(a) for a in args]
        pk = [(k.arg, *build(k.value)) for k in keywords]
        if not any(d for d, _ in pa) and not any(d for _, d, _ in pk):
            return False, fn(*(v for _, v in pa), **{k: v for k, _, v in pk})

        def call(x: Any) -> Any:
            return fn(*[v(x) if d else v for d, v in pa],
                      **{k: (v(x) if d else v) for k, d, v in pk})

        return True, call

    dep, f = build(ast.parse(src, mode="eval").body)
    return f if dep else (lambda x: f)


# -- the adapters --------------------------------------------------------------------------
def _framework_fn(library: str, name: str, params: Mapping[str, Any]) -> Callable[[Any], Any]:
    eq = _call_of(library, name)
    p = _full_params(name, params)
    defaults = _full_params(name, {})
    free = eq.names()
    for k, v in params.items():
        if k not in free and v != defaults.get(k):
            raise NotProvided(f"{eq.call} has no counterpart of {k}={v!r}")
    if library.startswith("torch"):
        import torch

        mods: dict[str, Any] = {"torch": torch}
    elif library.startswith("jax"):
        import jax
        import jax.numpy  # noqa: F401

        mods = {"jax": jax}
    elif library == "tensorflow":
        import keras
        import tensorflow as tf

        mods = {"keras": _TfKeras(tf, keras)}
    else:
        import keras

        mods = {"keras": keras}
    return build_call(eq.call, {**mods, **p})


def _actfn_orders(name: str, params: Mapping[str, Any], x: np.ndarray,
                  orders: Sequence[int]) -> dict[int, Any]:
    import actfn

    act = actfn.get(name, **params)
    fns = {0: act, 1: act.derivative, 2: act.second_derivative}
    return {k: np.asarray(fns[k](x)) for k in orders}


class _NaiveMath:
    """A float namespace of one dtype with the names a reference formula uses."""

    def __init__(self, dtype: np.dtype) -> None:
        import scipy.special as sc

        self.dt = dtype
        self.pi = dtype.type(math.pi)
        self.e = dtype.type(math.e)
        self.inf = dtype.type(math.inf)
        self._sc = sc

    def mpf(self, v: Any) -> Any:
        return self.dt.type(float(v))

    def _u(self, f: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *a: self.dt.type(f(*(np.asarray(v, dtype=self.dt) for v in a)))

    def __getattr__(self, fname: str) -> Any:
        np_names = {"sech": lambda v: 1 / np.cosh(v), "erfc": self._sc.erfc,
                    "erf": self._sc.erf, "sign": np.sign, "ln": np.log, "fabs": np.abs}
        f = np_names.get(fname) or getattr(np, fname, None)
        if f is None:
            raise AttributeError(fname)
        return self._u(f)

    def extraprec(self, bits: int) -> Any:
        import contextlib

        return contextlib.nullcontext()

    def isnan(self, v: Any) -> bool:
        return bool(np.isnan(v))

    def isinf(self, v: Any) -> bool:
        return bool(np.isinf(v))


def _naive_orders(name: str, params: Mapping[str, Any], x: np.ndarray,
                  orders: Sequence[int]) -> dict[int, Any]:
    import actfn

    spec = actfn.lookup(name)
    if spec.exact is None:
        raise NotProvided(f"numpy-naive: {name} has no reference formula")
    m = _NaiveMath(x.dtype)
    p = {k: (m.mpf(v) if isinstance(v, float) else v) for k, v in _full_params(name, params).items()}
    fns = {0: spec.exact.f, 1: spec.exact.df, 2: spec.exact.d2f}
    out: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        for k in orders:
            vals = np.empty(x.shape, dtype=x.dtype)
            for i, v in enumerate(x.ravel().tolist()):
                try:
                    vals.flat[i] = fns[k](x.dtype.type(v), m, **p)
                except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                    vals.flat[i] = np.nan
            out[k] = vals
    return out


def _plugin(library: str) -> Callable[..., Any]:
    mod, _, attr = library.partition(":")
    fn = importlib.import_module(mod)
    for part in attr.split("."):
        fn = getattr(fn, part)
    if not callable(fn):
        raise TypeError(f"plugin {library!r} is not callable")
    return fn  # type: ignore[return-value]


def _plugin_orders(library: str, name: str, params: Mapping[str, Any], x: np.ndarray,
                   orders: Sequence[int]) -> dict[int, Any]:
    fn = _plugin(library)
    res = fn(name, x.copy(), **params)
    if res is None or res is NotImplemented:
        raise NotProvided(f"{library} provides no {name}")
    seq = (res,) if not isinstance(res, (tuple, list)) else tuple(res)
    out: dict[int, Any] = {}
    for k in orders:
        if k >= len(seq) or seq[k] is None:
            out[k] = NotProvided(f"{library} gives no order-{k} derivative of {name}")
        else:
            out[k] = _to_numpy(seq[k])
    return out


def evaluate(library: str, name: str, params: Mapping[str, Any], x: np.ndarray,
             orders: Sequence[int]) -> dict[int, Any]:
    """``{order: values}`` of ``name`` at ``x`` by ``library`` (a NumPy array of the
    library's output dtype, or a :class:`NotProvided` / exception for that order)."""
    if library == "actfn":
        return _actfn_orders(name, params, x, orders)
    if library == "numpy-naive":
        return _naive_orders(name, params, x, orders)
    if ":" in library:
        return _plugin_orders(library, name, params, x, orders)
    fn = _framework_fn(library, name, params)
    if library == "torch":
        return _torch_orders(fn, x, orders)
    if library == "torch-compile":
        import torch

        # fullgraph=True: a graph break raises instead of silently running eager code;
        # every call shares build_call's code objects, so start from a clean Dynamo cache
        # (else the recompile limit is reached after a few activations)
        torch._dynamo.reset()
        return _torch_orders(torch.compile(fn, dynamic=False, fullgraph=True), x, orders,
                             compiled=True)
    if library in ("jax", "jax-x64") or library == "keras-jax":
        return _jax_orders(fn, x, orders)
    if library in ("tensorflow", "keras-tensorflow"):
        return _tf_orders(fn, x, orders)
    if library == "keras-torch":
        return _torch_orders(fn, x, orders)
    raise ValueError(f"unknown library {library!r}")


def environment(library: str) -> dict[str, str]:
    """Environment variables the library's worker process needs (set before import)."""
    env = {"JAX_ENABLE_X64": "1" if library == "jax-x64" else "0",
           "TF_CPP_MIN_LOG_LEVEL": "3", "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu")}
    if library.startswith("keras-"):
        env["KERAS_BACKEND"] = library[6:]
    elif library == "tensorflow":
        env["KERAS_BACKEND"] = "tensorflow"
    return env
