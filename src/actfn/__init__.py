"""actfn: neural-network activation functions with exact values and derivatives.

>>> import actfn
>>> act = actfn.get("celu", alpha=1.0)
>>> act([-0.8057]).round(7).tolist()
[-0.5532249]
>>> float(actfn.sigmoid.derivative(0.0)) if hasattr(actfn.sigmoid, "derivative") else 0.25
0.25
"""

from __future__ import annotations

import typing as _t  # private aliases keep the public namespace to __all__

from ._exact import Exact
from ._registry import Param, Spec, aliases, lookup, register, unregister
from .kernels import Kernel

# isort: split
# The catalog's modules may import the names above from actfn (``from actfn import Exact, Spec``).
from . import _evaluate
from . import catalog as _catalog  # noqa: F401  (registers the built-in activations)
from ._activation import Activation, get
from ._gated import GatedActivation, GatedExact, GatedSpec

# isort: split
from . import reference  # callable module: actfn.reference(name, x, ...)
from ._knowledge import Equivalent, Knowledge, KnowledgeError, Properties, Prose
from ._registry import canonical_names as _canonical_names
from ._registry import load_plugins as _load_plugins
from .experiments import selu_parameters  # light: scipy loads on first call

__version__ = "0.1.0"


def names(kind: str = "elementwise") -> list[str]:
    """Sorted canonical names of the registered activations of ``kind``.

    ``kind="elementwise"`` (the default: one input, f(x); what every caller written before
    gated units expects), ``"gated"`` (two inputs, ``act(gate, up)``: glu, swiglu, ...)
    or ``"all"``.

    >>> "celu" in names() and "swish" not in names()
    True
    >>> "swiglu" in names(kind="gated") and "swiglu" not in names()
    True
    """
    return _canonical_names(kind)


def _make_functional(spec: Spec) -> _t.Callable[..., _t.Any]:
    def fn(x: _t.Any, /, **params: _t.Any) -> _t.Any:
        return get(spec.name, **params)(x)

    def derivative(x: _t.Any, /, **params: _t.Any) -> _t.Any:
        return get(spec.name, **params).derivative(x)

    def second_derivative(x: _t.Any, /, **params: _t.Any) -> _t.Any:
        return get(spec.name, **params).second_derivative(x)

    def value_and_derivative(x: _t.Any, /, **params: _t.Any) -> tuple[_t.Any, _t.Any]:
        return get(spec.name, **params).value_and_derivative(x)

    sig = _evaluate.signature(spec)
    doc = _evaluate.docstring(
        spec,
        f"Also available as ``actfn.get({spec.name!r}, ...)``; ``.derivative``, "
        "``.second_derivative`` and ``.value_and_derivative`` are attached.",
        ("import actfn", "actfn.{name}([-1.0, 0.0, 2.0]{kw}).shape", "(3,)"),
    )
    _evaluate.dress(fn, spec, __name__, doc, sig)
    for g in (derivative, second_derivative, value_and_derivative):
        g.__signature__ = sig  # type: ignore[attr-defined]
        g.__module__ = __name__
        # pickled by name: ``actfn.<name>.derivative`` is this very function
        g.__qualname__ = f"{spec.name}.{g.__name__}"
        setattr(fn, g.__name__, g)
    return fn


def _make_gated_functional(name: str) -> _t.Callable[..., _t.Any]:
    """``actfn.<name>(gate, up, **params)`` (or the split form ``(x, dim=-1)``) of a gated
    unit, with ``.partials``, ``.partials2`` and ``.value_and_partials`` attached."""
    spec = lookup(name, kind="gated")

    def fn(gate: _t.Any, up: _t.Any = None, /, *, dim: int | None = None,
           gate_first: bool = False, **params: _t.Any) -> _t.Any:
        return get(name, **params)(gate, up, dim=dim, gate_first=gate_first)

    def method(m: str) -> _t.Callable[..., _t.Any]:
        def g(gate: _t.Any, up: _t.Any = None, /, *, dim: int | None = None,
              gate_first: bool = False, **params: _t.Any) -> _t.Any:
            return getattr(get(name, **params), m)(gate, up, dim=dim, gate_first=gate_first)
        g.__name__, g.__qualname__, g.__module__ = m, f"{name}.{m}", __name__
        g.__doc__ = f"``actfn.get({name!r}, **params).{m}(gate, up)``."
        return g

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    fn.__doc__ = (f"{spec.summary}\n\nGated unit (two inputs): ``actfn.{name}(gate, up)``, or "
                  f"the split form ``actfn.{name}(x, dim=-1)`` (first half up, second half "
                  f"gate, as torch.nn.functional.glu). Same as ``actfn.get({name!r}, "
                  "**params)(...)``; ``.partials``, ``.partials2`` and "
                  "``.value_and_partials`` are attached.")
    for m in ("partials", "partials2", "value_and_partials"):
        setattr(fn, m, method(m))
    return fn


#: Functional shortcuts by canonical name with their spec (one per spec, so that a
#: runtime-registered ``actfn.<name>`` is the same object at each access and pickles).
_FUNCTIONALS = _evaluate.PerSpec(_make_functional)
_GENERATED = _evaluate.Generated(__name__, _FUNCTIONALS)
_evaluate.freeze_builtin()
_BUILTIN = names()
globals().update(_GENERATED.exported())
_GATED_BUILTIN = names(kind="gated")
globals().update({_n: _make_gated_functional(_n) for _n in _GATED_BUILTIN})

# Activations of installed plug-in distributions (entry-point group actfn.activations),
# registered once actfn itself is importable; they are reached through __getattr__.
_load_plugins()


def __getattr__(name: str) -> _t.Any:
    # Activations registered after import (plug-ins, tests) get a functional too.
    return _GENERATED.attribute(name)


# Names imported for annotations only: keep them out of the public namespace, which
# tests/test_api.py checks against __all__.
del annotations

__all__ = [
    "Activation",
    "Equivalent",
    "Exact",
    "GatedActivation",
    "GatedExact",
    "GatedSpec",
    "Kernel",
    "Knowledge",
    "KnowledgeError",
    "Param",
    "Properties",
    "Prose",
    "Spec",
    "__version__",
    "aliases",
    "get",
    "lookup",
    "names",
    "reference",
    "register",
    "selu_parameters",
    "unregister",
    *_BUILTIN,
    *_GATED_BUILTIN,
]
