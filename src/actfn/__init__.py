"""actfn: neural-network activation functions with exact values and derivatives.

>>> import actfn
>>> act = actfn.get("celu", alpha=1.0)
>>> act([-0.8057]).round(7).tolist()
[-0.5532249]
>>> float(actfn.sigmoid.derivative(0.0)) if hasattr(actfn.sigmoid, "derivative") else 0.25
0.25
"""

from __future__ import annotations

import inspect as _inspect
import typing as _t  # private aliases keep the public namespace to __all__

from ._registry import Param, Spec, aliases, lookup, register, unregister

# isort: split
# The catalog's modules may import the names above from actfn (``from actfn import Spec``).
from . import catalog as _catalog  # noqa: F401  (registers the built-in activations)
from ._activation import Activation, get
from ._knowledge import Equivalent, Knowledge, Properties, Prose
from ._registry import canonical_names as _canonical_names
from ._registry import load_plugins as _load_plugins
from .experiments import selu_parameters  # light: scipy loads on first call

__version__ = "0.1.0"


def names() -> list[str]:
    """Sorted canonical names of every registered activation.

    >>> "celu" in names() and "swish" not in names()
    True
    """
    return _canonical_names()


def _functional(name: str) -> _t.Callable[..., _t.Any]:
    spec = lookup(name)
    cached = _FUNCTIONALS.get(spec.name)
    if cached is not None and cached[0] is spec:
        return cached[1]

    def fn(x: _t.Any, /, **params: _t.Any) -> _t.Any:
        return get(spec.name, **params)(x)

    def derivative(x: _t.Any, /, **params: _t.Any) -> _t.Any:
        return get(spec.name, **params).derivative(x)

    def second_derivative(x: _t.Any, /, **params: _t.Any) -> _t.Any:
        return get(spec.name, **params).second_derivative(x)

    def value_and_derivative(x: _t.Any, /, **params: _t.Any) -> tuple[_t.Any, _t.Any]:
        return get(spec.name, **params).value_and_derivative(x)

    sig = _inspect.Signature(
        [_inspect.Parameter("x", _inspect.Parameter.POSITIONAL_ONLY)]
        + [
            _inspect.Parameter(p.name, _inspect.Parameter.KEYWORD_ONLY, default=p.default)
            for p in spec.params
        ]
    )
    for g in (fn, derivative, second_derivative, value_and_derivative):
        g.__signature__ = sig  # type: ignore[attr-defined]
        g.__module__ = __name__
    fn.__name__ = fn.__qualname__ = spec.name
    fn.__doc__ = _docstring(spec)
    for g in (derivative, second_derivative, value_and_derivative):
        # pickled by name: ``actfn.<name>.derivative`` is this very function
        g.__qualname__ = f"{spec.name}.{g.__name__}"
        setattr(fn, g.__name__, g)
    _FUNCTIONALS[spec.name] = (spec, fn)
    return fn


#: Functional shortcuts by canonical name with their spec (one per spec, so that a
#: runtime-registered ``actfn.<name>`` is the same object at each access and pickles).
_FUNCTIONALS: dict[str, tuple[Spec, _t.Callable[..., _t.Any]]] = {}


def _docstring(spec: Spec) -> str:
    lines = [spec.summary or spec.name, ""]
    for key, label in (("f", "f(x)"), ("df", "f'(x)"), ("d2f", "f''(x)")):
        if key in spec.latex:
            lines.append(f"{label} = {spec.latex[key]}")
    if spec.kink_convention:
        lines += ["", f"At kinks: {spec.kink_convention}."]
    if spec.params:
        lines += ["", "Parameters"]
        for p in spec.params:
            lines.append(f"    {p.name} (default {p.default!r}): {p.doc}; {p.valid_range()}")
    if spec.reference:
        lines += ["", f"Reference: {spec.reference}"]
    lines += ["", f"Also available as ``actfn.get({spec.name!r}, ...)``; "
              "``.derivative``, ``.second_derivative`` and ``.value_and_derivative`` "
              "are attached."]
    return "\n".join(lines)


_BUILTIN = names()
for _n in _BUILTIN:
    globals()[_n] = _functional(_n)
del _n

# Activations of installed plug-in distributions (entry-point group actfn.activations),
# registered once actfn itself is importable; they are reached through __getattr__.
_load_plugins()


def __getattr__(name: str) -> _t.Any:
    # Activations registered after import (plug-ins, tests) get a functional too.
    if name in _canonical_names():
        return _functional(name)
    raise AttributeError(f"module 'actfn' has no attribute {name!r}")


# Names imported for annotations only: keep them out of the public namespace, which
# tests/test_api.py checks against __all__.
del annotations

__all__ = [
    "Activation",
    "Equivalent",
    "Knowledge",
    "Param",
    "Properties",
    "Prose",
    "Spec",
    "__version__",
    "aliases",
    "get",
    "lookup",
    "names",
    "register",
    "selu_parameters",
    "unregister",
    *_BUILTIN,
]
