"""The registry: one :class:`Spec` per activation, looked up by name or alias.

Everything in actfn (the :class:`~actfn.Activation` objects, the CLI, plots, framework
layers, documentation and the test-suite) reads the specs registered here, so adding
an activation means writing one module ``actfn/catalog/<name>.py`` with a module-level
``SPEC`` (found by :func:`discover`), or declaring one in the ``actfn.activations``
entry-point group of another distribution (:func:`load_plugins`); see CONTRIBUTING.md.
"""

from __future__ import annotations

import decimal
import difflib
import importlib
import importlib.metadata
import math
import numbers
import pkgutil
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ._exact import Exact
from ._knowledge import Equivalent, Knowledge, Properties, Prose
from ._knowledge import for_spec as _knowledge_for
from .kernels import Kernel

__all__ = [
    "registered",
    "Kernel", "Param", "Spec", "register", "unregister", "lookup", "canonical_names", "aliases",
    "Properties", "Equivalent", "Prose", "Knowledge", "discover", "load_plugins", "ENTRY_POINT_GROUP",
    "origin", "KINDS", "Float32Kernels", "Native32",
]

#: The kinds of registered specs: ``"elementwise"`` (:class:`Spec`, one input, f(x)) and
#: ``"gated"`` (:class:`actfn._gated.GatedSpec`, two inputs, a(gate)·b(up)). Listing and
#: lookup default to the elementwise kind, so code written for one input never meets a
#: two-input unit unless it asks for it (``kind="gated"`` or ``kind="all"``).
KINDS = ("elementwise", "gated")



@dataclass(frozen=True)
class Param:
    """A hyperparameter of an activation, with its default and valid range.

    ``lower``/``upper`` bound real parameters (``None`` = unbounded); the
    ``*_inclusive`` flags say whether the bound itself is allowed. ``choices``
    makes the parameter categorical. ``vector=True`` also accepts a 1-D sequence of
    reals (per-channel values, as PReLU's weight). ``why`` explains a bound that is
    narrower than the mathematics allows (where the kernels cannot meet actfn's
    accuracy bounds); it is appended to the out-of-range message.
    """

    name: str
    default: Any
    doc: str = ""
    lower: float | None = None
    upper: float | None = None
    lower_inclusive: bool = False
    upper_inclusive: bool = False
    choices: tuple[str, ...] | None = None
    vector: bool = False
    learnable: bool = False
    why: str = ""

    def valid_range(self) -> str:
        """Human-readable description of the valid values, e.g. ``"alpha > 0"``."""
        if self.choices is not None:
            return f"{self.name} must be one of " + ", ".join(repr(c) for c in self.choices)
        parts = []
        if self.lower is not None:
            parts.append(f"{self.name} {'>=' if self.lower_inclusive else '>'} {self.lower:g}")
        if self.upper is not None:
            parts.append(f"{self.name} {'<=' if self.upper_inclusive else '<'} {self.upper:g}")
        if not parts:
            return f"{self.name} must be a finite real number"
        return " and ".join(parts) + " (finite)"

    def _in_range(self, v: Any) -> bool:
        # ``v`` is a float, or any finite real (int, Fraction, Decimal, longdouble): the
        # comparisons with the float bounds are exact.
        ok = True
        if self.lower is not None:
            ok = v >= self.lower if self.lower_inclusive else v > self.lower
        if ok and self.upper is not None:
            ok = v <= self.upper if self.upper_inclusive else v < self.upper
        return bool(ok)

    def _check_real(self, v: Any, owner: str) -> float:
        if (isinstance(v, bool) or not isinstance(v, (numbers.Real, decimal.Decimal))
                and not _is_real_scalar(v)):
            raise ValueError(
                f"{owner}: parameter {self.name}={_short(v)} is not a real number; valid: {self.valid_range()}"
            )
        fv = _to_float(v)
        if isinstance(v, float) or fv is None or not math.isfinite(fv):
            exact_finite = False
        else:
            exact_finite = True
        if fv is not None and math.isfinite(fv) and (not exact_finite or self._in_range(v)):
            if exact_finite and v != 0 and fv == 0:
                raise ValueError(
                    f"{owner}: parameter {self.name}={_short(v)} rounds to 0 in float64 (actfn computes "
                    f"in float64); pass 0 if you mean 0; valid: {self.valid_range()}"
                )
            if self._in_range(fv):
                return fv
        if fv is None or (not math.isfinite(fv) and _is_finite_real(v)):
            raise ValueError(
                f"{owner}: parameter {self.name}={_short(v)} is out of range: it overflows float64 "
                f"(largest {sys.float_info.max!r}); valid: {self.valid_range()}"
            )
        if exact_finite and fv != v and self._in_range(v):
            raise ValueError(
                f"{owner}: parameter {self.name}={_short(v)} rounds to {fv!r} in float64, which is "
                f"out of range; valid: {self.valid_range()}"
            )
        why = f" ({self.why})" if self.why and math.isfinite(fv) else ""
        raise ValueError(
            f"{owner}: parameter {self.name}={_short(v)} is out of range; valid: "
            f"{self.valid_range()}{why}"
        )

    def validate(self, value: Any, owner: str = "") -> Any:
        """Return the normalised value, or raise ``ValueError`` naming the problem."""
        if self.choices is not None:
            if value not in self.choices:
                raise ValueError(
                    f"{owner}: parameter {self.name}={value!r} is invalid; valid: {self.valid_range()}"
                )
            return value
        if self.vector and not _is_real_scalar(value) and not isinstance(value, (int, float)):
            try:
                items = [float(v) if isinstance(v, str) else v for v in _flatten_1d(value)]
            except (TypeError, ValueError):
                raise ValueError(
                    f"{owner}: parameter {self.name}={value!r} must be a real number or a 1-D "
                    f"sequence of reals; valid: {self.valid_range()}"
                ) from None
            if not items:
                raise ValueError(f"{owner}: parameter {self.name} is an empty sequence")
            return tuple(self._check_real(v, owner) for v in items)
        return self._check_real(value, owner)


def _short(v: Any) -> str:
    """``repr(v)``, shortened in the middle if long (a 400-digit int)."""
    r = repr(v)
    return r if len(r) <= 60 else f"{r[:28]}...{r[-28:]} ({len(r)} characters)"


def _to_float(v: Any) -> float | None:
    """``float(v)``, or ``None`` where the conversion overflows (huge ints, Fractions)."""
    if isinstance(v, float):
        return v
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy longdouble → float64 overflow warning
            return float(v)
    except OverflowError:
        return None


def _is_finite_real(v: Any) -> bool:
    """Whether the real ``v`` (of any type) is finite: neither ±inf nor nan."""
    try:
        return bool(v == v and v != math.inf and v != -math.inf)
    except (TypeError, ValueError, ArithmeticError):
        return False


def _is_real_scalar(v: Any) -> bool:
    # NumPy scalars and 0-d arrays of a real floating or integer kind.
    dt = getattr(v, "dtype", None)
    shape = getattr(v, "shape", None)
    if dt is None or shape is None or tuple(shape) != ():
        return False
    kind = getattr(dt, "kind", None)
    if kind is not None and kind != "V":
        return kind in "fiu"
    # no NumPy kind (torch dtypes) or kind "V": ml_dtypes' bfloat16/float8 (JAX scalars)
    return "float" in str(dt) or "int" in str(dt)


def _flatten_1d(value: Any) -> list[Any]:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (list, tuple)) for v in value):
        return list(value)
    raise TypeError("not a 1-D sequence")


@dataclass(frozen=True)
class Float32Kernels:
    """Cheap float32 kernels of one activation, ``k(x, xp, **params)`` like the spec's own:
    plain float32 arithmetic on a float32 array ``x`` with only the compensation each
    needs (one exponential from the array library, a correction step, a constant split
    into a float32 pair), within 2 float32 ulp of the correctly rounded value like the
    compensated kernels they stand in for. Used by ``actfn.jax`` when it works in float32
    (``jax_enable_x64`` off), where the compensated path (:mod:`actfn.kernels.df32`) costs
    several times jax.nn's arithmetic. A kernel left ``None`` falls back to the spec's
    compensated one; ``f_df`` (f and f′ in one pass) is optional."""

    f: Kernel | None = None
    df: Kernel | None = None
    d2f: Kernel | None = None
    f_df: Kernel | None = None


@dataclass(frozen=True)
class Native32:
    """float32-native scalar kernels of one activation for the compiled float32 loops.

    Each field names a function of :mod:`actfn._fast._vmath32` (names, not the functions:
    numba is optional and imported only by the compiled path): ``f`` and ``df`` map a
    float32 scalar ``x`` (followed by the parameters named in ``params``, as float64
    constants, in that order) to a float32, ``f_df`` to the pair (f, f′). They compute in
    float32 arithmetic with exact-FMA compensation, within 1 float32 ulp of the exact
    value like the float64-working loops they replace (16 lanes of AVX-512 instead of 8).
    :func:`actfn._fast._trace.native_program` uses them for float32 storage instead of
    tracing the spec's kernels; a kernel left ``None`` (f″ always) is traced as before,
    and 16-bit and float64 loops are unaffected."""

    f: str | None = None
    df: str | None = None
    f_df: str | None = None
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    """Everything actfn knows about one activation function.

    ``f``, ``df`` and ``d2f`` are kernels ``k(x, xp, **params)``; ``f_df`` optionally
    computes ``(f, f')`` in one pass. ``kinks(params)`` lists the points where the
    function or a derivative is not smooth; the value chosen there is documented in
    ``kink_convention``.
    """

    #: What kind of spec this is (see :data:`KINDS`): one input, evaluated elementwise.
    kind: ClassVar[str] = "elementwise"
    #: Number of array inputs.
    arity: ClassVar[int] = 1

    name: str
    f: Kernel
    df: Kernel
    d2f: Kernel
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    family: str = ""
    summary: str = ""
    kinks: Callable[[Mapping[str, Any]], tuple[float, ...]] = field(default=lambda p: ())
    kink_convention: str = ""
    check: Callable[[Mapping[str, Any]], None] | None = None
    f_df: Kernel | None = None
    latex: Mapping[str, str] = field(default_factory=dict)
    reference: str = ""
    #: The settings ``actfn bench`` measures by default (the speed targets of issue 6):
    #: benchmark label → parameters, e.g. gelu's ``{"gelu": {}, "gelu_tanh":
    #: {"approximate": "tanh"}}``. Empty: not benchmarked unless named.
    bench: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Drawn in the atlas's overview figure (a handful of well-known shapes).
    overview: bool = False
    #: Partial derivatives with respect to learnable parameters, name → kernel
    #: ``k(x, xp, **params)`` giving ∂f/∂p elementwise (used by the framework layers).
    dparams: Mapping[str, Kernel] = field(default_factory=dict)
    #: Mixed second derivatives ∂f′/∂p = ∂²f/∂x∂p, name → kernel (double backward).
    dparams_df: Mapping[str, Kernel] = field(default_factory=dict)
    #: The reference formulas of f, f', f'' in arbitrary precision (:class:`Exact`): what
    #: the accuracy tests (``tests/oracle.py``) and ``tools/gen_zeros.py`` evaluate.
    exact: Exact | None = None
    #: Parameter sets besides the defaults that the registry-parametrized tests check
    #: (accuracy against ``exact``, compiled vs NumPy path), e.g. ``({"alpha": 0.5},)``.
    cases: tuple[Mapping[str, Any], ...] = ()
    #: Cheap float32 kernels (:class:`Float32Kernels`) that ``actfn.jax`` runs instead of
    #: the compensated float32 path when x64 is off; None: the compensated kernels.
    f32: Float32Kernels | None = None
    #: float32-native kernels (:class:`Native32`) for the compiled float32 loops (NumPy
    #: float32 and actfn.torch's compiled CPU path); None: the traced float64-working loops.
    native32: Native32 | None = None
    #: The ``torch.nn.functional`` function (its name, e.g. ``"hardtanh"``) that computes
    #: this activation exactly (every output correctly rounded, the sign of zero and NaN
    #: outputs as actfn's) with actfn's kink convention in its native backward, taking the
    #: parameters as keywords of the same names. ``actfn.torch``'s eager CPU path calls it
    #: (forward and torch's native backward: bit-identical values and gradients, except
    #: that a NaN input gets torch's finite gradient) when every parameter is exactly
    #: representable in the input dtype; tests/test_torch_exact.py proves the identity.
    #: None: never delegated.
    torch_exact: str | None = None

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def bind(self, **params: Any) -> dict[str, Any]:
        """Validate ``params`` against this spec and fill in defaults."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            valid = ", ".join(known) if known else "none"
            raise TypeError(
                f"{self.name}() got unexpected parameter(s) {', '.join(unknown)}; valid parameters: {valid}"
            )
        bound = {}
        for name, p in known.items():
            bound[name] = p.validate(params.get(name, p.default), owner=self.name)
        if self.check is not None:
            self.check(bound)
        return bound

    @property
    def knowledge(self) -> Knowledge:
        """What actfn knows about this activation besides its code (properties, framework
        equivalents, prose, translations, references), from ``<name>.toml`` beside the
        module that registered it (:func:`origin`; see :mod:`actfn._knowledge`); empty if
        there is none."""
        return _knowledge_for(self)


_SPECS: dict[str, Spec] = {}
_ALIASES: dict[str, str] = {}
#: canonical key -> the file of the module the registered spec came from (see :func:`origin`)
_ORIGINS: dict[str, Path] = {}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


#: What a registered name or alias must look like: it becomes a file name in the atlas,
#: a Python identifier in the framework layers and a CLI argument.
NAME_RULE = re.compile(r"[a-z][a-z0-9_]*")


def _check_name(name: Any, what: str) -> None:
    if not isinstance(name, str) or NAME_RULE.fullmatch(name) is None:
        raise ValueError(
            f"invalid activation {what} {name!r}: it must match [a-z][a-z0-9_]* (a lower-case "
            "letter, then lower-case letters, digits or underscores)"
        )


def register(spec: Spec, *, replace: bool = False) -> Spec:
    """Add ``spec`` to the registry (its name and aliases must be new unless ``replace``).

    The name and every alias must match ``[a-z][a-z0-9_]*`` (``ValueError`` otherwise).
    The file of the calling module is recorded as the spec's :func:`origin`: its knowledge
    file ``<name>.toml`` is looked for beside it.
    """
    caller = sys._getframe(1).f_globals.get("__file__")
    return _register(spec, replace=replace, module_file=caller)


def _register(spec: Spec, *, replace: bool = False, module_file: Any = None) -> Spec:
    """:func:`register`, recording ``module_file`` (a path or ``None``) as the origin."""
    _check_name(spec.name, "name")
    for a in spec.aliases:
        _check_name(a, "alias")
    taken = [n for n in (spec.name, *spec.aliases) if _key(n) in _SPECS or _key(n) in _ALIASES]
    if taken and not replace:
        raise ValueError(f"activation name(s) already registered: {', '.join(taken)}")
    if replace and spec.name in _SPECS:
        unregister(spec.name)
    _SPECS[_key(spec.name)] = spec
    if isinstance(module_file, (str, Path)) and str(module_file):
        _ORIGINS[_key(spec.name)] = Path(module_file).resolve()
    for a in spec.aliases:
        _ALIASES[_key(a)] = _key(spec.name)
    return spec


def origin(spec: Spec) -> Path | None:
    """The file of the module that ``spec`` was registered from: the catalog module
    :func:`discover` imported, the entry point's module (:func:`load_plugins`), or the
    caller of :func:`register`; ``None`` for a spec that is not the registered one of its
    name, or registered where no file is known (an interactive session)."""
    k = _key(spec.name) if isinstance(spec.name, str) else ""
    return _ORIGINS.get(k) if _SPECS.get(k) is spec else None


def unregister(name: str) -> None:
    """Remove an activation (and its aliases) from the registry (of any kind)."""
    spec = lookup(name, kind="all")
    del _SPECS[_key(spec.name)]
    _ORIGINS.pop(_key(spec.name), None)
    for a in spec.aliases:
        _ALIASES.pop(_key(a), None)


def _check_kind(kind: str) -> str:
    if kind != "all" and kind not in KINDS:
        raise ValueError(f"kind={kind!r} is invalid; valid: 'all', "
                         + ", ".join(repr(k) for k in KINDS))
    return kind


def _of_kind(spec: Any, kind: str) -> bool:
    return kind == "all" or getattr(spec, "kind", "elementwise") == kind


def registered(name: str) -> Spec | None:
    """The spec registered under the canonical ``name`` now (None if none): lets a cache
    keyed by name notice a spec replaced by :func:`register` with ``replace=True``."""
    return _SPECS.get(name)


def canonical_names(kind: str = "elementwise") -> list[str]:
    """Sorted canonical names of the registered specs of ``kind`` ("elementwise" by
    default, "gated", or "all")."""
    _check_kind(kind)
    return sorted(s.name for s in _SPECS.values() if _of_kind(s, kind))


def aliases(kind: str = "elementwise") -> dict[str, str]:
    """Map of alias → canonical name (of the specs of ``kind``, as :func:`canonical_names`)."""
    _check_kind(kind)
    return {a: _SPECS[c].name for a, c in sorted(_ALIASES.items()) if _of_kind(_SPECS[c], kind)}


def lookup(name: str, kind: str = "elementwise") -> Any:
    """Return the spec for ``name`` (canonical or alias); unknown names raise ``ValueError``.

    ``kind`` (see :data:`KINDS`; "all" for any): a registered name of another kind raises
    ``ValueError`` saying what it is, so that the one-input code paths (layers, plots,
    benchmarks, the reference) reject a gated unit with a clear message. The default
    returns a :class:`Spec`; ``kind="gated"`` an :class:`actfn._gated.GatedSpec`.
    """
    if not isinstance(name, str):
        raise TypeError(f"activation name must be a string, got {type(name).__name__}")
    _check_kind(kind)
    k = _key(name)
    k = _ALIASES.get(k, k)
    try:
        spec = _SPECS[k]
    except KeyError:
        spec = None
    if spec is not None:
        if _of_kind(spec, kind):
            return spec
        what = getattr(spec, "kind", "elementwise")
        hint = (f"call it on two inputs with actfn.get({spec.name!r})(gate, up)"
                if what == "gated" else f"use actfn.get({spec.name!r})(x)")
        article = "an" if what[0] in "aeiou" else "a"
        inputs = "one input" if spec.arity == 1 else f"{spec.arity} inputs"
        raise ValueError(
            f"{spec.name!r} is {article} {what} unit ({inputs}), not {kind}: {hint}; "
            f"actfn.names(kind={what!r}) lists them"
        )
    pool = [c for c in list(_SPECS) + list(_ALIASES) if _of_kind(_SPECS[_ALIASES.get(c, c)], kind)]
    close = difflib.get_close_matches(k, pool, n=3, cutoff=0.5)
    close = list(dict.fromkeys(_SPECS[_ALIASES.get(c, c)].name for c in close))
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    listed = "actfn.names()" if kind == "elementwise" else f"actfn.names(kind={kind!r})"
    raise ValueError(
        f"unknown activation {name!r}{hint} ({listed} lists all {len(canonical_names(kind))})"
    )


#: Entry-point group through which installed distributions add activations: each entry
#: point names a module with a module-level ``SPEC`` or a :class:`Spec` object.
ENTRY_POINT_GROUP = "actfn.activations"


def _is_spec(obj: Any) -> bool:
    from ._gated import GatedSpec  # imports this module: not at the top

    return isinstance(obj, (Spec, GatedSpec))


def _spec_of(obj: Any, where: str) -> Any:
    spec = obj if _is_spec(obj) else getattr(obj, "SPEC", None)
    if not _is_spec(spec):
        raise TypeError(f"{where} defines no module-level SPEC = Spec(...)")
    return spec


def discover(package: str, path: Any) -> list[str]:
    """Import every public module of ``package`` (found with :mod:`pkgutil` on ``path``)
    and register its module-level ``SPEC``; return the names registered.

    Modules and sub-packages whose name starts with ``_`` (generated tables, helpers)
    are skipped, so the package's files are the only list of its activations. A module
    that fails to import is re-raised as ``ImportError`` naming it (a broken built-in
    must not pass silently, nor hide which file broke).
    """
    names = []
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        qualified = f"{package}.{info.name}"
        try:
            module = importlib.import_module(qualified)
        except Exception as exc:
            raise ImportError(f"actfn: catalog module {qualified} failed to import: "
                              f"{type(exc).__name__}: {exc}", name=qualified) from exc
        spec = _spec_of(module, module.__name__)
        names.append(_register(spec, module_file=getattr(module, "__file__", None)).name)
    return names


def load_plugins(group: str = ENTRY_POINT_GROUP, *, strict: bool = False) -> list[str]:
    """Register the activations that installed distributions declare in the entry-point
    ``group`` (each entry point: a module with ``SPEC``, or a :class:`Spec`); return
    the names registered. An entry point whose name is already registered is an error,
    as it is for :func:`register`: with ``strict`` it raises, otherwise the entry point
    is skipped with a ``RuntimeWarning`` naming it (a broken plug-in must not make actfn
    unimportable)."""
    names = []
    for ep in sorted(importlib.metadata.entry_points(group=group), key=lambda e: e.name):
        where = f"plugin entry point {ep.name} = {ep.value} (group {group})"
        try:
            obj = ep.load()
            mod = obj if not _is_spec(obj) else sys.modules.get(ep.module)
            names.append(_register(_spec_of(obj, where),
                                   module_file=getattr(mod, "__file__", None)).name)
        except Exception as e:  # a broken plug-in must not make actfn unimportable
            if strict:
                raise
            warnings.warn(f"actfn: skipped {where}: {type(e).__name__}: {e}", RuntimeWarning,
                          stacklevel=2)
    return names


# -- knowledge: typed, loaded from each activation's data file (actfn._knowledge) -----------
INF = math.inf


def merge_positional(owner: str, order: list[str], args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> dict[str, Any]:
    """Fold positional constructor arguments into ``kwargs`` by parameter ``order``.

    Used by the framework layer classes, whose positional arguments are the
    activation's parameters in registry order.
    """
    if len(args) > len(order):
        raise TypeError(
            f"{owner}() takes at most {len(order)} positional arguments "
            f"({', '.join(order) or 'none'}), got {len(args)}"
        )
    for k, v in zip(order, args, strict=False):
        if k in kwargs:
            raise TypeError(f"{owner}() got multiple values for {k}")
        kwargs[k] = v
    return kwargs
