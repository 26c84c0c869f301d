"""The one evaluation adapter shared by the core API and every framework module.

``actfn`` (the functional shortcuts and :class:`~actfn.Activation`), :mod:`actfn.torch`,
:mod:`actfn.jax` and :mod:`actfn.keras` (and TensorFlow or Flax modules when they come)
take from here everything that is not their own autodiff glue:

* **parameter binding** (:func:`bind`, :func:`check_static`): the registry's validation,
  the one message for a traced JAX parameter, and the torch tensors that require grad;
* **per-channel reshaping** (:func:`array_params`, :func:`per_channel`): a parameter with
  ``c`` values (PReLU's weight) becomes an array of shape ``(1, c, 1, ...)`` that
  broadcasts along dim 1 of the input, with one error text for every framework;
* **what users see**: :func:`signature` (one builder for functions and layer
  constructors), :func:`docstring` (one template: summary, the math of f, f′ and f″ in
  LaTeX, the kink convention, parameters with their range, reference, example) and
  :func:`class_name` (``leaky_relu`` → ``LeakyRelu``);
* **the evaluation context** (:func:`context`): the one namespace object every kernel
  receives, the array namespace plus ``erf``/``erfc``/``erfcx`` of the library that owns
  the arrays and the ``narrow_output`` flag (:class:`actfn.kernels.EvalNamespace`); the
  compiled path's tracer (``actfn._fast._trace.Namespace``) is the one other
  implementation of that protocol;
* **generation from the registry**: :class:`PerSpec` (one object per registered spec)
  and :class:`Generated` (a module's exported names and its ``__getattr__``).

A framework module gives the core API its autodiff route with :func:`register_glue`; the
core asks for it with :func:`autodiff_glue` only once the framework is imported, so
``import actfn`` never imports torch or JAX.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import sys
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from array_api_compat import device

from . import _backend
from ._registry import Spec, canonical_names, lookup, merge_positional

__all__ = [
    "export_native",
    "GLUE_MODULES",
    "LearnPlan",
    "EvalContext",
    "Generated",
    "Glue",
    "MissingSpecialFunction",
    "PerSpec",
    "array_params",
    "autodiff_glue",
    "bind",
    "learn_plan",
    "layer_params",
    "learnable_params",
    "builtin_names",
    "channel_shape",
    "check_static",
    "class_name",
    "context",
    "docstring",
    "dress",
    "freeze_builtin",
    "glue",
    "layer_class",
    "per_channel",
    "positional_names",
    "register_glue",
    "signature",
]

T = TypeVar("T")


# -- the evaluation context ---------------------------------------------------------------------
_SPECIAL_NAMES = ("erf", "erfc", "erfcx")


class MissingSpecialFunction(TypeError):
    """A kernel asked its context for ``erf``/``erfc``/``erfcx``, which the array library
    does not provide (array-api-strict has none). ``function`` and ``library`` name them."""

    def __init__(self, function: str, library: str) -> None:
        super().__init__(f"{library} does not provide {function}")
        self.function = function
        self.library = library


class EvalContext:
    """What a kernel receives as ``xp`` (:class:`actfn.kernels.EvalNamespace`).

    Every attribute is the array namespace's, except ``erf``, ``erfc`` and ``erfcx`` (the
    special functions of the library that owns the arrays: SciPy's for NumPy, torch's,
    JAX's) and ``narrow_output``, false here: the result is rounded once from the working
    dtype (only the compiled path's tracer sets it). Asking for a special function the
    library lacks raises :class:`MissingSpecialFunction`. Build one with :func:`context`.
    """

    narrow_output: bool = False

    def __init__(self, xp: Any, library: Any) -> None:
        self._xp = xp
        self._library = library
        sp = _backend.special(library)
        if sp is not None:
            self.erf, self.erfc, self.erfcx = sp.erf, sp.erfc, sp.erfcx

    def __getattr__(self, name: str) -> Any:
        if name in ("_xp", "_library"):  # not set yet (copy, pickle)
            raise AttributeError(name)
        if name in _SPECIAL_NAMES:
            raise MissingSpecialFunction(name, _backend.library_name(self._library))
        return getattr(self._xp, name)

    def __repr__(self) -> str:
        return f"EvalContext({_backend.library_name(self._xp)})"


@functools.cache
def context(xp: Any, library: Any = None) -> EvalContext:
    """The evaluation context of array namespace ``xp``: the one place where kernels'
    ``xp`` is built (core API, torch, JAX, Keras). ``library``: the namespace whose special
    functions to use when ``xp`` is a wrapper (torch's namespace with its ``where``);
    default ``xp``. Cached: one context per namespace."""
    return EvalContext(xp, xp if library is None else library)


# -- names ---------------------------------------------------------------------------------------
def class_name(name: str) -> str:
    """The layer class name of activation ``name``: its ``_``-separated parts capitalised.

    >>> class_name("leaky_relu"), class_name("gelu_sigmoid"), class_name("relu6")
    ('LeakyRelu', 'GeluSigmoid', 'Relu6')
    """
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


_builtin: frozenset[str] = frozenset()


def freeze_builtin() -> None:
    """Record the activations registered so far as the built-in ones (``actfn`` calls this
    once, right after importing its catalog)."""
    global _builtin
    _builtin = frozenset(canonical_names())


def builtin_names() -> frozenset[str]:
    """Canonical names registered by ``import actfn``: every process has them, unlike
    activations registered at runtime (which pickle by name)."""
    return _builtin


# -- parameters ----------------------------------------------------------------------------------
def check_static(owner: str, params: Mapping[str, Any]) -> None:
    """Raise ``TypeError`` if a parameter is a traced JAX value.

    Parameters of the core API and of :mod:`actfn.jax` are static: a tracer (``jax.grad``
    with respect to a parameter, or a parameter passed through ``jit``) would otherwise
    fail deep inside the registry's validation.
    """
    jax = sys.modules.get("jax")
    if jax is None:
        return
    traced = [k for k, v in params.items() if isinstance(v, jax.core.Tracer)]
    if traced:
        raise TypeError(
            f"{owner}: parameter {traced[0]} is a traced JAX value (under jax.grad, jit, "
            "vmap...); parameters of the core API and actfn.jax are static Python numbers or "
            "concrete arrays, not differentiable (learnable parameters are offered by "
            "actfn.torch). Pass the value itself, or close over it outside the transformation"
        )


def bind(spec: Spec, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate ``params`` (``Spec.bind``) and pick out the torch tensors that require grad.

    Returns ``(bound, live)``: every parameter as a validated value (defaults filled in),
    and the torch tensors among ``params`` that require grad, which evaluation keeps
    (through :mod:`actfn.torch`'s autograd Functions) instead of reading their values only,
    which would silently detach them. A traced JAX value raises ``TypeError``
    (:func:`check_static`). ``params`` is not modified.
    """
    check_static(spec.name, params)
    torch = sys.modules.get("torch")
    live: dict[str, Any] = {}
    if torch is not None and any(isinstance(v, torch.Tensor) for v in params.values()):
        live = {k: v for k, v in params.items()
                if isinstance(v, torch.Tensor) and v.requires_grad}
        split = glue("torch").split if live else None
        if split is not None:
            split(spec, params)  # learnable, floating, shape: actfn.torch's rules
        params = {k: v.detach() if isinstance(v, torch.Tensor) else v
                  for k, v in params.items()}
    return spec.bind(**params), live


def channel_shape(owner: str, name: str, channels: int,
                  shape: Sequence[int]) -> tuple[int, ...]:
    """The shape ``(1, c, 1, ...)`` that broadcasts ``c`` per-channel values along dim 1
    of an input of ``shape``; ``ValueError`` (the same text for every framework) when the
    input has no dim 1 of ``c`` channels."""
    shape = tuple(shape)
    if len(shape) < 2 or shape[1] != channels:
        raise ValueError(
            f"{owner}: {name} has {channels} values (one per channel), so the input needs at "
            f"least 2 dimensions with {channels} channels on dim 1; got shape {shape}"
        )
    return (1, channels) + (1,) * (len(shape) - 2)


def per_channel(owner: str, name: str, w: Any, x: Any, xp: Any) -> Any:
    """The array ``w`` of per-channel values reshaped to broadcast against ``x``: a 0-d
    array for one value, shape ``(1, c, 1, ...)`` for ``c`` (see :func:`channel_shape`)."""
    c = math.prod(w.shape)
    if c == 1:
        return xp.reshape(w, ())
    return xp.reshape(w, channel_shape(owner, name, c, x.shape))


def array_params(spec: Spec, params: Mapping[str, Any], xw: Any, xp: Any) -> dict[str, Any]:
    """``params`` as the kernels take them on the working array ``xw`` of namespace ``xp``.

    A per-channel parameter bound to one value gives that number; bound to ``c`` values
    it gives an array of ``xw``'s dtype and device shaped by :func:`per_channel`. Other
    parameters are passed through.
    """
    out = dict(params)
    for p in spec.params:
        v = out.get(p.name)
        if not (p.vector and isinstance(v, tuple)):
            continue
        if len(v) == 1:
            out[p.name] = v[0]
            continue
        w = xp.asarray(v, dtype=xw.dtype, device=device(xw))
        out[p.name] = per_channel(spec.name, p.name, w, xw, xp)
    return out


# -- autodiff routes of the framework modules -----------------------------------------------------
@dataclass(frozen=True)
class Glue:
    """A framework module's autodiff route for the core API.

    ``traced(x)``: whether the framework's autodiff can see ``x`` (then the core API hands
    it over). ``evaluate(spec, params, x, which, live)``: the results named by ``which``
    (``"f"``, ``"df"``, ``"d2f"``) with actfn's analytic derivatives; ``live`` holds tensor
    parameters that require grad. ``split(spec, params)``: the framework's validation of
    tensor parameters (``None``: it has none).
    """

    traced: Callable[[Any], bool]
    evaluate: Callable[..., tuple[Any, ...]]
    split: Callable[[Spec, Mapping[str, Any]], Any] | None = None


#: Framework (the top-level package of its arrays) → the actfn module holding its glue.
GLUE_MODULES: dict[str, str] = {"torch": "actfn.torch", "jax": "actfn.jax",
                                 "tensorflow": "actfn.tensorflow"}
_GLUES: dict[str, Glue] = {}


def register_glue(framework: str, g: Glue) -> None:
    """Called by a framework module on import: its autodiff route for the core API."""
    _GLUES[framework] = g


def glue(framework: str) -> Glue:
    """The glue of ``framework``, importing its actfn module on first use."""
    g = _GLUES.get(framework)
    if g is None:
        importlib.import_module(GLUE_MODULES[framework])
        g = _GLUES[framework]
    return g


def autodiff_glue(x: Any) -> Glue | None:
    """The glue whose framework's autodiff can see ``x``: a torch tensor that autograd or
    a ``torch.func`` transform records, a JAX tracer, or any TensorFlow tensor, variable or
    ``tf.RaggedTensor`` (TensorFlow has no array-API path: every TF input goes through :mod:`actfn.tensorflow`,
    whose ``tf.custom_gradient`` ops a ``tf.GradientTape`` differentiates analytically).
    ``None`` for anything else (which then takes the array-API path). Never imports a
    framework that is not loaded: a TF object exists only once ``tensorflow`` is."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        g = glue("torch")
        return g if g.traced(x) else None
    jax = sys.modules.get("jax")
    if jax is not None and isinstance(x, jax.core.Tracer):
        return glue("jax")
    if _is_tensorflow(x):
        return glue("tensorflow")
    return None


def keras_variable_value(x: Any) -> Any:
    """The backend tensor of a ``keras.Variable`` (its ``.value``: a ``tf.Variable``'s value,
    a torch ``Parameter``, a JAX array), so the core API sees the framework's own array and
    its autodiff (a ``tf.GradientTape`` watching the variable, torch autograd); ``None`` when
    ``x`` is not a Keras variable. Never imports Keras."""
    keras = sys.modules.get("keras")
    if keras is None or not type(x).__module__.startswith("keras."):
        return None
    return x.value if isinstance(x, keras.Variable) else None


def _is_tensorflow(x: Any) -> bool:
    """Whether ``x`` is a TensorFlow tensor or variable, decided from its type's module
    (``tensorflow.…``) before TensorFlow's own classes are looked at."""
    if not type(x).__module__.startswith("tensorflow."):
        return False
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(x, (tf.Tensor, tf.Variable, tf.RaggedTensor))


# -- what users see: signatures, docstrings, classes ----------------------------------------------
def signature(spec: Spec, *, layer: bool = False, array: str | None = None,
              params: Sequence[tuple[str, Any]] | None = None,
              keyword_only: Sequence[tuple[str, Any]] = (),
              var_keyword: bool = False) -> inspect.Signature:
    """The signature of a generated function or layer constructor of ``spec``.

    A function: ``(x, /, *, p=default, ...)``, annotated ``x: array -> array`` when
    ``array`` names the framework's array type. A layer (``layer=True``):
    ``(self, /, p=default, ..., *, k=default, ..., **kwargs)`` with the ``keyword_only``
    pairs and ``**kwargs`` when ``var_keyword``. ``params``: (name, default) pairs in
    place of the spec's parameters (a layer that sets a per-channel parameter from
    ``num_parameters`` and ``init``).
    """
    P = inspect.Parameter
    pairs = [(p.name, p.default) for p in spec.params] if params is None else list(params)
    if layer:
        out = [P("self", P.POSITIONAL_ONLY)]
        out += [P(n, P.POSITIONAL_OR_KEYWORD, default=d) for n, d in pairs]
    else:
        x = P("x", P.POSITIONAL_ONLY) if array is None else P("x", P.POSITIONAL_ONLY,
                                                               annotation=array)
        out = [x] + [P(n, P.KEYWORD_ONLY, default=d) for n, d in pairs]
    out += [P(n, P.KEYWORD_ONLY, default=d) for n, d in keyword_only]
    if var_keyword:
        out.append(P("kwargs", P.VAR_KEYWORD))
    if array is None or layer:
        return inspect.Signature(out)
    return inspect.Signature(out, return_annotation=array)


def positional_names(sig: inspect.Signature) -> list[str]:
    """The parameters of a layer constructor's signature that may be given by position
    (``self`` excluded), in order."""
    return [n for n, p in sig.parameters.items()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]


_MATH = (("f", "f(x)"), ("df", "f'(x)"), ("d2f", "f''(x)"))


def docstring(spec: Spec, role: str, example: tuple[str, str, str] | None = None, *,
              call_params: Sequence[tuple[str, Any]] | None = None,
              learnable: Collection[str] = (), params_note: str = "") -> str:
    """The docstring of every generated function and class of ``spec`` (one template).

    The summary; ``role`` (what this object is, in its framework); the math of f, f′ and
    f″ as the spec's LaTeX; the value taken at kinks (or that there are none); each
    parameter with its default, meaning and valid range (``learnable`` ones marked, the
    heading followed by ``params_note``); the reference; and an example run by
    ``pytest --doctest-modules``. ``example`` is ``(setup, call, result)``: an import
    statement, an expression and what it prints; in ``call``, ``{name}`` and ``{cls}``
    stand for the activation's name and class name, ``{args}`` for ``p=default, ...`` and
    ``{kw}`` for ``, p=default, ...`` over ``call_params`` (default: the spec's
    parameters).
    """
    lines = [spec.summary or spec.name, "", role, ""]
    maths = [f"    {label} = {spec.latex[key]}" for key, label in _MATH if key in spec.latex]
    lines += [".. math::", "", *maths] if maths else ["Math: not documented yet."]
    lines += ["", _kink_text(spec)]
    if spec.params:
        lines += ["", "Parameters" + (f" ({params_note})" if params_note else "")]
        for p in spec.params:
            mark = " (learnable)" if p.name in learnable else ""
            lines.append(f"    {p.name} (default {p.default!r}){mark}: {p.doc}; {p.valid_range()}")
    if spec.reference:
        lines += ["", f"Reference: {spec.reference}"]
    if example is not None:
        setup, call, result = example
        pairs = [(p.name, p.default) for p in spec.params] if call_params is None else call_params
        args = ", ".join(f"{n}={d!r}" for n, d in pairs)
        call = call.format(name=spec.name, cls=class_name(spec.name), args=args,
                           kw=f", {args}" if args else "")
        lines += ["", "Example", "", f"    >>> {setup}", f"    >>> {call}", f"    {result}"]
    return "\n".join(lines)


def _kink_text(spec: Spec) -> str:
    if spec.kink_convention:
        return f"At kinks: {spec.kink_convention.rstrip('.')}."
    if not tuple(spec.kinks(spec.bind())):
        return "No kinks: f, f' and f'' are continuous everywhere."
    return "At kinks: the value taken is not documented yet."


def dress(fn: Callable[..., Any], spec: Spec, module: str, doc: str,
          sig: inspect.Signature) -> Callable[..., Any]:
    """Give a generated function its activation's name, ``module``, docstring and signature
    (the name makes it pickle by reference: ``module.<name>``)."""
    fn.__name__ = fn.__qualname__ = spec.name
    fn.__module__ = module
    fn.__doc__ = doc
    fn.__signature__ = sig  # type: ignore[attr-defined]
    return fn


def layer_class(base: type[T], spec: Spec, module: str, sig: inspect.Signature, doc: str,
                **attrs: Any) -> type[T]:
    """The layer class of ``spec``: a subclass of the generic ``base`` (whose constructor
    takes the activation's name first) named :func:`class_name`, whose constructor takes
    the parameters of ``sig`` by position or keyword."""
    order = positional_names(sig)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs = merge_positional(type(self).__name__, order, args, kwargs)
        base.__init__(self, spec.name, **kwargs)  # type: ignore[misc]

    __init__.__signature__ = sig  # type: ignore[attr-defined]
    cls = type(class_name(spec.name), (base,),
               {"__init__": __init__, "__module__": module, "__doc__": doc, **attrs})
    cls.__qualname__ = cls.__name__
    return cls


# -- generation from the registry -----------------------------------------------------------------
class PerSpec(Generic[T]):
    """One object built per registered spec, rebuilt when its name is registered again.

    ``cache(name)`` looks ``name`` (canonical or alias) up in the registry; ``cache.of(spec)``
    takes the spec itself. One object per spec keeps ``actfn.torch.Celu is
    module_class("celu")`` and lets functions of runtime-registered activations pickle by
    name.
    """

    def __init__(self, build: Callable[[Spec], T]) -> None:
        self._build = build
        self._items: dict[str, tuple[Spec, T]] = {}

    def of(self, spec: Spec) -> T:
        """The object built for ``spec`` (built now if this is a new spec of its name)."""
        cached = self._items.get(spec.name)
        if cached is None or cached[0] is not spec:
            cached = self._items[spec.name] = (spec, self._build(spec))
        return cached[1]

    def __call__(self, name: str) -> T:
        return self.of(lookup(name))


@dataclass(frozen=True)
class Generated:
    """The names a module generates from the registry: for each activation a function
    under its name and, when ``layer`` is given, a class under :func:`class_name`."""

    module: str
    function: Callable[[str], Any]
    layer: Callable[[str], type] | None = None

    def exported(self) -> dict[str, Any]:
        """Every generated object of the activations registered now, by attribute name."""
        out: dict[str, Any] = {}
        for n in canonical_names():
            out[n] = self.function(n)
            if self.layer is not None:
                out[class_name(n)] = self.layer(n)
        return out

    def attribute(self, attr: str) -> Any:
        """The module ``__getattr__``: objects of activations registered after import."""
        for n in canonical_names():
            if attr == n:
                return self.function(n)
            if self.layer is not None and attr == class_name(n):
                return self.layer(n)
        raise AttributeError(f"module {self.module!r} has no attribute {attr!r}")


# -- learnable parameters of the framework layers (actfn.torch, actfn.flax) ----------------
def learnable_params(spec: Spec) -> dict[str, Any]:
    """The parameters of ``spec`` a layer can learn: flagged learnable, with ∂f/∂p."""
    return {p.name: p for p in spec.params if p.learnable and p.name in spec.dparams}


@dataclass(frozen=True)
class LearnPlan:
    """What a layer learns: ``scalars`` (learned on request), ``vector`` (the per-channel
    parameter, always learned, as PReLU's weight), ``num_parameters`` (its length) and
    ``bound`` (every parameter validated by the registry, the vector one at its init)."""

    scalars: tuple[str, ...]
    vector: tuple[str, ...]
    num_parameters: int | None
    bound: dict[str, Any]

    @property
    def learned(self) -> tuple[str, ...]:
        """The scalar then the per-channel learned parameters."""
        return self.scalars + self.vector


def learn_plan(spec: Spec, learnable: bool | Sequence[str], num_parameters: int | None,
               init: float | None, params: dict[str, Any]) -> LearnPlan:
    """Check a layer's ``learnable``/``num_parameters``/``init`` arguments against ``spec``
    (one-line ``TypeError``/``ValueError`` naming the problem) and bind ``params``."""
    can_learn = learnable_params(spec)
    vector = [n for n, p in can_learn.items() if p.vector]
    if learnable is True:
        wanted = [n for n in can_learn if n not in vector]
        if not wanted:
            raise ValueError(
                f"learnable=True, but {spec.name} has no learnable parameters"
                + (f" besides the per-channel {vector[0]}, which is always learned"
                   if vector else "")
            )
    elif learnable is False:
        wanted = []
    elif isinstance(learnable, str) or not isinstance(learnable, Sequence):
        raise TypeError(
            f"{spec.name}: learnable must be a bool or a sequence of names, got {learnable!r}")
    else:
        wanted = list(learnable)
    bad = [n for n in wanted if n not in can_learn]
    if bad:
        raise ValueError(
            f"{spec.name}: cannot learn {', '.join(bad)}; learnable parameters: "
            f"{', '.join(can_learn) or 'none'}"
        )
    wanted = [n for n in dict.fromkeys(wanted) if n not in vector]  # the vector one always is
    if (num_parameters is not None or init is not None) and not vector:
        raise TypeError(
            f"{spec.name}: num_parameters/init only apply to per-channel parameters "
            "(as PReLU's weight)"
        )
    params = dict(params)
    if vector:
        vname = vector[0]
        if vname in params:
            raise TypeError(f"{spec.name}: set {vname} with num_parameters= and init=")
        num_parameters = 1 if num_parameters is None else num_parameters
        if (isinstance(num_parameters, bool) or not isinstance(num_parameters, int)
                or num_parameters < 1):
            raise ValueError(
                f"{spec.name}: num_parameters={num_parameters!r} must be a positive integer")
        params[vname] = spec.defaults()[vname] if init is None else init
    return LearnPlan(tuple(wanted), tuple(vector), num_parameters, spec.bind(**params))


def layer_params(spec: Spec) -> tuple[dict[str, Any], list[tuple[str, Any]],
                                      list[tuple[str, Any]]]:
    """(learnable parameters, constructor parameters with defaults, keyword-only extras) of
    a layer class of ``spec``: a per-channel parameter is set as ``torch.nn.PReLU``'s weight
    (``num_parameters``, ``init``); ``learnable=False`` is offered where scalars can learn."""
    learnable = learnable_params(spec)
    vector = [p for p in learnable.values() if p.vector]
    pairs: list[tuple[str, Any]] = [(p.name, p.default) for p in spec.params]
    if vector:
        pairs = [("num_parameters", 1), ("init", vector[0].default),
                 *((p.name, p.default) for p in spec.params if not p.vector)]
    extra: list[tuple[str, Any]] = [("learnable", False)] if learnable and not vector else []
    return learnable, pairs, extra


def export_native(exported: dict[str, Any], native_class: Callable[[str], type | None],
                  module: str, native: str) -> dict[str, Any]:
    """A framework adapter's exports with each activation's class under the framework's
    own name added (``native_class(name)``; e.g. ``CELU``), and the 0.1.0 class of the
    same activation (``exported[class_name(name)]``, e.g. ``Celu``) made to warn
    ``DeprecationWarning`` on construction, once, naming ``module`` and ``native`` (whose
    names and constructors the new class has). Shared by actfn.torch and actfn.keras."""
    out = dict(exported)
    for n in canonical_names():
        new = native_class(n)
        if new is None:
            continue
        old = out.get(class_name(n))
        if old is not None and old.__name__ != new.__name__ and not old.__dict__.get(
                "_actfn_deprecated"):
            old._actfn_deprecated = True  # type: ignore[attr-defined]
            _warn_on_init(old, f"{module}.{old.__name__} is deprecated (removed in the next "
                               f"release): use {module}.{new.__name__}, {native} name and "
                               "constructor")
        out[new.__name__] = new
    return out


def _warn_on_init(cls: type, message: str) -> None:
    """Make constructing ``cls`` warn ``DeprecationWarning`` with ``message`` (at the
    caller's line), its constructor signature unchanged."""
    base_init = cls.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        base_init(self, *args, **kwargs)

    __init__.__signature__ = inspect.signature(base_init)  # type: ignore[attr-defined]
    cls.__init__ = __init__  # type: ignore[method-assign]
