"""What actfn knows about an activation besides its code, loaded from a data file.

Each activation ``n`` may have a knowledge file ``<n>.toml`` in the folder of the module
that registered its spec (:func:`actfn._registry.origin`: the catalog module, a plug-in's
entry-point module, or the caller of ``register``), so a plugin outside the package
carries its own even where it reuses built-in kernels; the built-in ones live in
``actfn/catalog/``, beside their modules. :func:`load` parses one file into a typed,
frozen :class:`Knowledge` and validates it against the schema below: an unknown key, a
value of the wrong type, a missing required field, an English text without its
Chinese counterpart, a file that is not UTF-8 TOML, or (:func:`for_spec`) a
translation or symbol of a parameter the spec lacks raise :class:`KnowledgeError`
naming the file and the key path (``relu.toml: frameworks[2].notes: ...``). A spec
without a file gets the empty :class:`Knowledge` (``documented`` is false); the atlas,
``actfn show``, the explorer and the plots then write "not documented yet", and a
formula symbol that only the missing file would define is listed without a definition.

Schema of ``<n>.toml`` (every table optional; *text* is ``{en = "...", zh = "..."}``)::

    [properties]            range (2 floats, lo <= hi, no nan; required), attained
                            (2 bools), monotone, smoothness (-1, 0, 1, 2 or inf),
                            zero_centred, saturates
                            (subset of "-", "+"), self_normalizing, sparse, range_text
                            (text), reflection (f(x) - f(-x) = x), also_at (other
                            parameter sets where reflection holds)
    [gated]                 a gated unit's properties (GatedProperties): gate_range (2
                            floats; required), gate_attained (2 bools), gate_smoothness,
                            up_smoothness (-1, 0, 1, 2 or inf), linear_in_up,
                            zero_at_up_zero, monotone_in_gate, gate_at_minus_inf (float)
    [[frameworks]]          framework (required), call, layer, params (text), notes
                            (text), kink_grad (floats), parity (parameter sets),
                            parity_skip, compare_where, also (calls), nan_grads
                            (2 floats), nan_at_inf (label -> float)
    [[frameworks.deviations]]  method, x, actfn, theirs, reason (required); params, grid
    [prose.en], [prose.zh]  strengths, weaknesses (lists), use (required), corrections;
                            both languages with the same keys and list lengths
    [translations.zh]       summary, kink_convention, params.<name>: the Chinese of the
                            spec's own English strings (<name> one of its parameters)
    [references]            links (https URLs)
    [symbols]               formula symbol -> parameter name (one of the spec's)

The English of ``summary``, ``kink_convention`` and the parameter docs stays in the spec
(the code's docstrings are built from it); everything else is here.
"""

from __future__ import annotations

import ast
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from ._registry import Spec

__all__ = [
    "Properties", "GatedProperties", "Equivalent", "Deviation", "Prose", "Knowledge", "KnowledgeError",
    "EMPTY", "LANGS", "METHODS", "load", "parse", "path_for", "for_spec", "check_fits",
    "clear_cache",
]

INF = math.inf
#: The languages of the knowledge files; ``en`` is the source, ``zh`` its translation.
LANGS: tuple[str, ...] = ("en", "zh")
#: What a :class:`Deviation` compares: f, f' or f''.
METHODS: tuple[str, ...] = ("f", "derivative", "second_derivative")
_EMPTY_MAP: Mapping[str, Any] = MappingProxyType({})


class KnowledgeError(ValueError):
    """A knowledge file that does not follow the schema (the message names file and key)."""


@dataclass(frozen=True)
class Properties:
    """Mathematical properties of an activation at its default parameters.

    Every field is checked against the implementation by ``tests/test_properties.py``.

    ``range`` is the closure of the output range (``±inf`` when unbounded) and
    ``attained`` says whether each finite end is reached by some finite input.
    ``monotone`` means non-decreasing (f' >= 0 everywhere). ``smoothness`` is the
    number of continuous derivatives: -1 for a jump in f, 0 for C⁰, 1 for C¹ and
    ``inf`` for C^∞. ``zero_centred`` means E[f(Z)] = 0 for Z ~ N(0, 1);
    ``self_normalizing`` means E[f(Z)] = 0 and E[f(Z)²] = 1 and that this fixed point
    attracts: an input N(0, v) with v ≠ 1 comes out with a variance strictly between v
    and 1 (so the identity is not self-normalizing). ``saturates`` lists the sides
    (``"-"`` for x → -∞, ``"+"`` for x → +∞) where f tends to a constant and f' to 0.
    ``sparse`` means f is exactly 0 on a whole interval of inputs. ``reflection`` means
    f(x) − f(−x) = x for every x (f = x·g(x) with g(x) + g(−x) = 1, as silu, or softplus
    and log σ), hence f′(x) + f′(−x) = 1; ``also_at`` lists parameter sets, besides the
    defaults, at which it holds and is tested too.
    """

    range: tuple[float, float]
    attained: tuple[bool, bool] = (False, False)
    monotone: bool = True
    smoothness: float = INF
    zero_centred: bool = False
    saturates: tuple[str, ...] = ()
    self_normalizing: bool = False
    sparse: bool = False
    #: The range in symbols of the parameters, e.g. ``"(-α, ∞)"``; empty = same as numbers.
    range_text: str = ""
    reflection: bool = False
    also_at: tuple[Mapping[str, Any], ...] = ()

    @property
    def bounded_below(self) -> bool:
        return math.isfinite(self.range[0])

    @property
    def bounded_above(self) -> bool:
        return math.isfinite(self.range[1])

    @property
    def smoothness_label(self) -> str:
        """``"C^∞"``, ``"C¹"``, ``"C⁰"`` or ``"discontinuous"``."""
        if math.isinf(self.smoothness):
            return "C^∞"
        return {-1: "discontinuous", 0: "C⁰", 1: "C¹", 2: "C²"}[int(self.smoothness)]

    def range_label(self) -> str:
        """The output range written as an interval, e.g. ``"[0, ∞)"``.

        >>> Properties(range=(0.0, INF), attained=(True, False)).range_label()
        '[0, ∞)'
        """
        if self.range_text:
            return self.range_text

        def num(v: float) -> str:
            if math.isinf(v):
                return "∞" if v > 0 else "-∞"
            return f"{v:.6g}"

        lo, hi = self.range
        left = "[" if self.attained[0] and math.isfinite(lo) else "("
        right = "]" if self.attained[1] and math.isfinite(hi) else ")"
        return f"{left}{num(lo)}, {num(hi)}{right}"


@dataclass(frozen=True)
class Deviation:
    """A documented difference between actfn and a framework at one input.

    At parameters ``params``, ``method`` (``"f"``, ``"derivative"`` or
    ``"second_derivative"``) of actfn gives ``actfn`` at ``x`` where the framework's
    autodiff gives ``theirs`` (nan where it has none), for the stated ``reason``.
    ``grid=True`` marks an accuracy difference that excludes the (parameters, method)
    pair from the parity grid; otherwise it is a convention at a single point.
    ``tests/test_parity.py`` checks that every deviation still holds.
    """

    method: str
    x: float
    actfn: float
    theirs: float
    reason: str
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY_MAP)
    grid: bool = False


@dataclass(frozen=True)
class GatedProperties:
    r"""Mathematical properties of a gated unit f(gate, up) = a(min(gate, L_g))·b(up),
    b(up) = clamp(up, ±L_u) + c, at its default parameters (``[gated]`` in its knowledge
    file; every field is checked numerically against the registry kernels by
    ``tests/test_gated_properties.py``).

    ``gate_range`` is the closure of the range of the gate factor a(min(gate, L_g)) over
    all gates (``±inf`` when unbounded; ``gate_attained`` says whether each finite end is
    reached); since ∂f/∂up = a(g) inside the clamp, it is also the range of ∂f/∂up, and
    f has the sign of b(up) wherever a ≥ 0 (``gate_nonnegative``).
    ``gate_smoothness`` / ``up_smoothness``: how many continuous derivatives f has in that
    input (-1, 0, 1, 2 or ``inf`` as :attr:`Properties.smoothness`; a clamp makes it 0).
    ``linear_in_up``: f(gate, t·up) = t·f(gate, up) for every real t (homogeneous of
    degree 1 in up; false for the clamped form, whose b is clamped and offset).
    ``zero_at_up_zero``: f(gate, 0) = 0 for every gate. ``monotone_in_gate``: ∂f/∂gate ≥ 0
    for every gate when up > 0 is fixed (σ yes; SiLU no: it has a minimum).
    ``gate_at_minus_inf``: lim a(gate) as gate → −∞ (0 for σ, SiLU, GELU, ReLU: a very
    negative gate closes the unit; −∞ for the identity).
    """

    gate_range: tuple[float, float]
    gate_attained: tuple[bool, bool] = (False, False)
    gate_smoothness: float = INF
    up_smoothness: float = INF
    linear_in_up: bool = True
    zero_at_up_zero: bool = True
    monotone_in_gate: bool = False
    gate_at_minus_inf: float = 0.0

    @property
    def gate_nonnegative(self) -> bool:
        """a(g) ≥ 0 for every gate: then sign f = sign b(up) (or 0)."""
        return self.gate_range[0] >= 0

    def gate_range_label(self) -> str:
        """The range of a written as an interval, e.g. ``"(0, 1)"``.

        >>> GatedProperties(gate_range=(0.0, 1.0)).gate_range_label()
        '(0, 1)'
        """
        return Properties(range=self.gate_range, attained=self.gate_attained).range_label()


@dataclass(frozen=True)
class Equivalent:
    """How one framework spells an activation.

    ``call`` is a Python expression in ``x`` (a tensor of that framework), the framework
    module (``torch``, ``jax``, ``keras``) and the activation's parameter names that
    computes the same function as actfn (parameters the expression does not name must
    be at their defaults), or ``""`` when the framework has no counterpart; see
    :meth:`evaluate` and :meth:`at`. ``kink_grad`` is the derivative the framework's
    autodiff returns at each of actfn's kinks at the defaults (same order), ``None`` =
    not stated. The rest is for ``tests/test_parity.py``: ``parity`` lists the parameter
    sets at which the call is compared with actfn on a grid, kinks, ±0, ±inf and nan
    (or ``parity_skip`` says why not); ``compare_where`` (an expression in ``x`` and the
    parameters, NumPy) restricts the grid; ``also`` are other spellings compared on the
    grid only; ``deviations`` the documented differences; ``nan_grads`` the framework's
    (f′(nan), f″(nan)) where they are not nan; ``nan_at_inf`` the labels (``"f'(-inf)"``)
    where the framework gives nan at ±inf, mapped to actfn's limit there.
    """

    framework: str
    call: str = ""
    layer: str = ""
    params: str = ""
    notes: str = ""
    kink_grad: tuple[float, ...] | None = None
    parity: tuple[Mapping[str, Any], ...] = ()
    parity_skip: str = ""
    compare_where: str = ""
    also: tuple[str, ...] = ()
    deviations: tuple[Deviation, ...] = ()
    nan_grads: tuple[float, float] | None = None
    nan_at_inf: Mapping[str, float] = field(default_factory=lambda: _EMPTY_MAP)

    def names(self, code: str | None = None) -> frozenset[str]:
        """The free names of ``code`` (default ``call``), e.g. ``{"torch", "x", "alpha"}``."""
        src = self.call if code is None else code
        if not src:
            return frozenset()
        return frozenset(n.id for n in ast.walk(ast.parse(src, mode="eval"))
                         if isinstance(n, ast.Name))

    def at(self, params: Mapping[str, Any], code: str | None = None) -> str:
        """``call`` (or ``code``) with each parameter name replaced by its value and the
        constant parts folded: the code to run at those parameters.

        >>> Equivalent("JAX", "jax.nn.elu(x, alpha=alpha)").at({"alpha": 0.5})
        'jax.nn.elu(x, alpha=0.5)'
        >>> Equivalent("JAX", "jax.nn.gelu(x, approximate=approximate == 'tanh')").at(
        ...     {"approximate": "none"})
        'jax.nn.gelu(x, approximate=False)'
        """
        src = self.call if code is None else code
        if not src:
            return ""
        tree = _Fold(params).visit(ast.parse(src, mode="eval"))
        return ast.unparse(tree)

    def evaluate(self, x: Any, modules: Mapping[str, Any], params: Mapping[str, Any],
                 code: str | None = None) -> Any:
        """Evaluate ``call`` (or ``code``) on ``x`` with the framework ``modules`` (e.g.
        ``{"torch": torch}``) and the parameter values ``params`` (registry data, never
        user input)."""
        src = self.call if code is None else code
        if not src:
            raise ValueError(f"{self.framework} has no equivalent call")
        return eval(src, {**modules, **params, "x": x})  # noqa: S307


class _Fold(ast.NodeTransformer):
    """Replace parameter names by their values, then fold operations on constants."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.params:
            return ast.copy_location(ast.Constant(self.params[node.id]), node)
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp)) and all(
                isinstance(c, (ast.Constant, ast.operator, ast.unaryop, ast.cmpop, ast.boolop))
                for c in ast.iter_child_nodes(node)):
            value = eval(compile(ast.Expression(node), "<fold>", "eval"), {})  # noqa: S307
            return ast.copy_location(ast.Constant(value), node)
        return node


@dataclass(frozen=True)
class Prose:
    """What an activation is good and bad at, in one language."""

    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    use: str
    #: Claims often made about this activation (in tutorials) that are wrong, corrected.
    corrections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    """Everything in one knowledge file, typed (the empty one for an undocumented spec).

    ``translations[lang][field]`` holds the text of the spec's own English strings in
    another language; the fields are those of :func:`actfn._i18n.text`: ``"summary"``,
    ``"kink_convention"``, ``"range_text"``, ``"param:<name>"``,
    ``"framework:<Framework>:notes"`` and ``"framework:<Framework>:params"``.

    >>> Knowledge().documented
    False
    """

    properties: Properties | None = None
    frameworks: tuple[Equivalent, ...] = ()
    prose: Mapping[str, Prose] = field(default_factory=lambda: _EMPTY_MAP)
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: _EMPTY_MAP)
    links: tuple[str, ...] = ()
    symbols: Mapping[str, str] = field(default_factory=lambda: _EMPTY_MAP)
    #: The file it was read from (``None`` for the empty knowledge).
    source: Path | None = None
    #: A gated unit's properties (``[gated]``; ``None`` for elementwise activations).
    gated: GatedProperties | None = None

    @property
    def documented(self) -> bool:
        """Whether there is anything to show (properties, frameworks or prose)."""
        return bool(self.properties is not None or self.gated is not None
                    or self.frameworks or self.prose)

    def equivalent(self, framework: str) -> Equivalent | None:
        """The :class:`Equivalent` of ``framework`` (``"PyTorch"``, ``"JAX"``…) or None."""
        return next((e for e in self.frameworks if e.framework == framework), None)

    def translation(self, field_: str, lang: str) -> str:
        """The ``lang`` text of ``field_`` (``""`` where there is none)."""
        return self.translations.get(lang, _EMPTY_MAP).get(field_, "")


#: The knowledge of a spec without a knowledge file.
EMPTY = Knowledge()


# -- schema ------------------------------------------------------------------------------------
class _Checker:
    """Validates one parsed file; every error names the file and the key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> KnowledgeError:
        return KnowledgeError(f"{self.source}: {where}: {problem}")

    def table(self, v: Any, where: str, keys: tuple[str, ...],
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(where, f"expected a table, got {_kind(v)}")
        unknown = sorted(set(v) - set(keys))
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}",
                            f"unknown key; valid keys here: {', '.join(keys)}")
        for k in required:
            if k not in v:
                raise self.fail(f"{where}.{k}", "required field is missing")
        return v

    def str_(self, v: Any, where: str) -> str:
        if not isinstance(v, str):
            raise self.fail(where, f"expected a string, got {_kind(v)}")
        return v

    def bool_(self, v: Any, where: str) -> bool:
        if not isinstance(v, bool):
            raise self.fail(where, f"expected true or false, got {_kind(v)}")
        return v

    def num(self, v: Any, where: str) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(where, f"expected a number, got {_kind(v)}")
        return float(v)

    def nums(self, v: Any, where: str, n: int | None = None) -> tuple[float, ...]:
        if not isinstance(v, list):
            raise self.fail(where, f"expected an array of numbers, got {_kind(v)}")
        if n is not None and len(v) != n:
            raise self.fail(where, f"expected {n} numbers, got {len(v)}")
        return tuple(self.num(x, f"{where}[{i}]") for i, x in enumerate(v))

    def strs(self, v: Any, where: str) -> tuple[str, ...]:
        if not isinstance(v, list):
            raise self.fail(where, f"expected an array of strings, got {_kind(v)}")
        return tuple(self.str_(x, f"{where}[{i}]") for i, x in enumerate(v))

    def param_set(self, v: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(v, dict):
            raise self.fail(where, f"expected a table of parameter values, got {_kind(v)}")
        for k, x in v.items():
            if not isinstance(x, (str, int, float)) or isinstance(x, bool):
                raise self.fail(f"{where}.{k}", f"expected a number or string, got {_kind(x)}")
        return MappingProxyType(dict(v))

    def text(self, v: Any, where: str, zh: dict[str, str], key: str) -> str:
        """A translated text ``{en = ..., zh = ...}``: returns the English, files the Chinese
        under ``key`` in ``zh``."""
        t = self.table(v, where, LANGS)
        en = self.str_(t.get("en", ""), f"{where}.en")
        if "zh" not in t:
            if en:
                raise self.fail(f"{where}.zh", "the 'en' text has no 'zh' counterpart")
        else:
            z = self.str_(t["zh"], f"{where}.zh")
            if z and not en:
                raise self.fail(f"{where}.en", "the 'zh' text has no 'en' counterpart")
            if z:
                zh[key] = z
        return en


def _kind(v: Any) -> str:
    return {dict: "a table", list: "an array", str: "a string", bool: "a boolean",
            int: "an integer", float: "a float"}.get(type(v), type(v).__name__)


_PROPERTIES = ("range", "attained", "monotone", "smoothness", "zero_centred", "saturates",
               "self_normalizing", "sparse", "range_text", "reflection", "also_at")
_EQUIVALENT = ("framework", "call", "layer", "params", "notes", "kink_grad", "parity",
               "parity_skip", "compare_where", "also", "deviations", "nan_grads", "nan_at_inf")
_DEVIATION = ("method", "x", "actfn", "theirs", "reason", "params", "grid")
_PROSE = ("strengths", "weaknesses", "use", "corrections")
_GATED = ("gate_range", "gate_attained", "gate_smoothness", "up_smoothness", "linear_in_up",
          "zero_at_up_zero", "monotone_in_gate", "gate_at_minus_inf")
_TOP = ("properties", "gated", "frameworks", "prose", "translations", "references", "symbols")


def _properties(c: _Checker, v: Any, zh: dict[str, str]) -> Properties:
    t = c.table(v, "properties", _PROPERTIES, required=("range",))
    w = "properties."
    lo, hi = c.nums(t["range"], w + "range", 2)
    if math.isnan(lo) or math.isnan(hi):
        raise c.fail(w + "range", f"an end is nan: [{lo}, {hi}]; write the bounds (or -inf, inf)")
    if lo > hi:
        raise c.fail(w + "range", f"reversed: the lower end {lo} is above the upper end {hi}")
    kw: dict[str, Any] = {"range": (lo, hi)}
    if "attained" in t:
        a = t["attained"]
        if not isinstance(a, list) or len(a) != 2:
            raise c.fail(w + "attained", f"expected 2 booleans, got {_kind(a)}")
        kw["attained"] = tuple(c.bool_(x, f"{w}attained[{i}]") for i, x in enumerate(a))
    for k in ("monotone", "zero_centred", "self_normalizing", "sparse", "reflection"):
        if k in t:
            kw[k] = c.bool_(t[k], w + k)
    if "smoothness" in t:
        s = c.num(t["smoothness"], w + "smoothness")
        if s not in (-1, 0, 1, 2, INF):
            raise c.fail(w + "smoothness", f"must be -1, 0, 1, 2 or inf, got {s!r}")
        kw["smoothness"] = s
    if "saturates" in t:
        sat = c.strs(t["saturates"], w + "saturates")
        if not set(sat) <= {"-", "+"}:
            raise c.fail(w + "saturates", f"sides are '-' and '+', got {list(sat)}")
        kw["saturates"] = sat
    if "range_text" in t:
        kw["range_text"] = c.text(t["range_text"], w + "range_text", zh, "range_text")
    if "also_at" in t:
        if not isinstance(t["also_at"], list):
            raise c.fail(w + "also_at", f"expected an array of tables, got {_kind(t['also_at'])}")
        kw["also_at"] = tuple(c.param_set(p, f"{w}also_at[{i}]")
                              for i, p in enumerate(t["also_at"]))
    return Properties(**kw)


def _gated(c: _Checker, v: Any) -> GatedProperties:
    t = c.table(v, "gated", _GATED, required=("gate_range",))
    w = "gated."
    lo, hi = c.nums(t["gate_range"], w + "gate_range", 2)
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise c.fail(w + "gate_range", f"expected lo <= hi without nan, got [{lo}, {hi}]")
    kw: dict[str, Any] = {"gate_range": (lo, hi)}
    if "gate_attained" in t:
        a = t["gate_attained"]
        if not isinstance(a, list) or len(a) != 2:
            raise c.fail(w + "gate_attained", f"expected 2 booleans, got {_kind(a)}")
        kw["gate_attained"] = tuple(c.bool_(x, f"{w}gate_attained[{i}]")
                                    for i, x in enumerate(a))
    for k in ("gate_smoothness", "up_smoothness"):
        if k in t:
            s = c.num(t[k], w + k)
            if s not in (-1, 0, 1, 2, INF):
                raise c.fail(w + k, f"must be -1, 0, 1, 2 or inf, got {s!r}")
            kw[k] = s
    for k in ("linear_in_up", "zero_at_up_zero", "monotone_in_gate"):
        if k in t:
            kw[k] = c.bool_(t[k], w + k)
    if "gate_at_minus_inf" in t:
        kw["gate_at_minus_inf"] = c.num(t["gate_at_minus_inf"], w + "gate_at_minus_inf")
    return GatedProperties(**kw)


def _deviation(c: _Checker, v: Any, where: str) -> Deviation:
    t = c.table(v, where, _DEVIATION, required=("method", "x", "actfn", "theirs", "reason"))
    method = c.str_(t["method"], where + ".method")
    if method not in METHODS:
        raise c.fail(where + ".method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    return Deviation(method, c.num(t["x"], where + ".x"), c.num(t["actfn"], where + ".actfn"),
                     c.num(t["theirs"], where + ".theirs"), c.str_(t["reason"], where + ".reason"),
                     c.param_set(t.get("params", {}), where + ".params"),
                     c.bool_(t.get("grid", False), where + ".grid"))


def _equivalent(c: _Checker, v: Any, where: str, zh: dict[str, str]) -> Equivalent:
    t = c.table(v, where, _EQUIVALENT, required=("framework",))
    fw = c.str_(t["framework"], where + ".framework")
    kw: dict[str, Any] = {"framework": fw}
    for k in ("call", "layer", "parity_skip", "compare_where"):
        if k in t:
            kw[k] = c.str_(t[k], f"{where}.{k}")
    for k in ("call", "compare_where"):
        if kw.get(k):
            try:
                ast.parse(kw[k], mode="eval")
            except SyntaxError as err:
                raise c.fail(f"{where}.{k}", f"not a Python expression: {err.msg}") from None
    for k in ("params", "notes"):
        if k in t:
            kw[k] = c.text(t[k], f"{where}.{k}", zh, f"framework:{fw}:{k}")
    if "kink_grad" in t:
        kw["kink_grad"] = c.nums(t["kink_grad"], where + ".kink_grad")
    if "parity" in t:
        if not isinstance(t["parity"], list):
            raise c.fail(where + ".parity", f"expected an array of tables, got {_kind(t['parity'])}")
        kw["parity"] = tuple(c.param_set(p, f"{where}.parity[{i}]")
                             for i, p in enumerate(t["parity"]))
    if "also" in t:
        kw["also"] = c.strs(t["also"], where + ".also")
    if "deviations" in t:
        if not isinstance(t["deviations"], list):
            raise c.fail(where + ".deviations",
                         f"expected an array of tables, got {_kind(t['deviations'])}")
        kw["deviations"] = tuple(_deviation(c, d, f"{where}.deviations[{i}]")
                                 for i, d in enumerate(t["deviations"]))
    if "nan_grads" in t:
        kw["nan_grads"] = c.nums(t["nan_grads"], where + ".nan_grads", 2)
    if "nan_at_inf" in t:
        m = c.table(t["nan_at_inf"], where + ".nan_at_inf", tuple(t["nan_at_inf"])
                    if isinstance(t["nan_at_inf"], dict) else ())
        kw["nan_at_inf"] = MappingProxyType(
            {k: c.num(x, f"{where}.nan_at_inf.{k}") for k, x in m.items()})
    return Equivalent(**kw)


def _prose(c: _Checker, v: Any) -> dict[str, Prose]:
    t = c.table(v, "prose", LANGS)
    out: dict[str, Prose] = {}
    if set(t) == {"en"} or set(t) == {"zh"}:
        (only,) = t
        other = "zh" if only == "en" else "en"
        raise c.fail(f"prose.{other}", f"missing: prose.{only} has no '{other}' counterpart")
    tables = {lang: c.table(t[lang], f"prose.{lang}", _PROSE, required=_PROSE[:3])
              for lang in LANGS if lang in t}
    if tables:
        en, zh = tables["en"], tables["zh"]
        for k in _PROSE:
            if (k in en) != (k in zh):
                lang = "zh" if k in en else "en"
                raise c.fail(f"prose.{lang}.{k}",
                             f"missing: the other language has '{k}' and '{lang}' must too")
        for lang, p in tables.items():
            w = f"prose.{lang}."
            out[lang] = Prose(c.strs(p["strengths"], w + "strengths"),
                              c.strs(p["weaknesses"], w + "weaknesses"),
                              c.str_(p["use"], w + "use"),
                              c.strs(p.get("corrections", []), w + "corrections"))
        for k in ("strengths", "weaknesses", "corrections"):
            n_en, n_zh = len(getattr(out["en"], k)), len(getattr(out["zh"], k))
            if n_en != n_zh:
                raise c.fail(f"prose.zh.{k}", f"{n_zh} items but prose.en.{k} has {n_en}")
    return out


def _translations(c: _Checker, v: Any, zh: dict[str, str]) -> None:
    t = c.table(v, "translations", LANGS[1:])
    if "zh" not in t:
        return
    z = c.table(t["zh"], "translations.zh", ("summary", "kink_convention", "params"))
    for k in ("summary", "kink_convention"):
        if k in z:
            zh[k] = c.str_(z[k], f"translations.zh.{k}")
    if "params" in z:
        p = c.table(z["params"], "translations.zh.params",
                    tuple(z["params"]) if isinstance(z["params"], dict) else ())
        for name, doc in p.items():
            zh[f"param:{name}"] = c.str_(doc, f"translations.zh.params.{name}")


def parse(data: Mapping[str, Any], source: str = "<knowledge>") -> Knowledge:
    """Validate the parsed TOML ``data`` and build its :class:`Knowledge`.

    ``source`` names the file in error messages.

    >>> parse({"properties": {"range": [0, 1], "monotone": "yes"}}, "x.toml")
    Traceback (most recent call last):
    ...
    actfn._knowledge.KnowledgeError: x.toml: properties.monotone: expected true or false, got a string
    """
    c = _Checker(source)
    t = c.table(dict(data), "<top>", _TOP)
    zh: dict[str, str] = {}
    props = _properties(c, t["properties"], zh) if "properties" in t else None
    gated = _gated(c, t["gated"]) if "gated" in t else None
    frameworks: tuple[Equivalent, ...] = ()
    if "frameworks" in t:
        if not isinstance(t["frameworks"], list):
            raise c.fail("frameworks", f"expected an array of tables, got {_kind(t['frameworks'])}")
        frameworks = tuple(_equivalent(c, e, f"frameworks[{i}]", zh)
                           for i, e in enumerate(t["frameworks"]))
        seen = [e.framework for e in frameworks]
        dup = next((f for f in seen if seen.count(f) > 1), None)
        if dup is not None:
            raise c.fail("frameworks", f"framework {dup!r} is listed twice")
    prose = _prose(c, t["prose"]) if "prose" in t else {}
    if "translations" in t:
        _translations(c, t["translations"], zh)
    links: tuple[str, ...] = ()
    if "references" in t:
        r = c.table(t["references"], "references", ("links",))
        links = c.strs(r.get("links", []), "references.links")
        for i, url in enumerate(links):
            if not url.startswith("https://"):
                raise c.fail(f"references.links[{i}]", f"not an https URL: {url!r}")
    symbols: dict[str, str] = {}
    if "symbols" in t:
        s = t["symbols"]
        s = c.table(s, "symbols", tuple(s) if isinstance(s, dict) else ())
        symbols = {k: c.str_(x, f"symbols.{k}") for k, x in s.items()}
    return Knowledge(properties=props, frameworks=frameworks, prose=MappingProxyType(prose),
                     translations=MappingProxyType({"zh": MappingProxyType(zh)}) if zh
                     else _EMPTY_MAP,
                     links=links, symbols=MappingProxyType(symbols), gated=gated)


def load(path: str | Path) -> Knowledge:
    """Read and validate the knowledge file ``path`` (:class:`KnowledgeError` if invalid)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise KnowledgeError(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise KnowledgeError(f"{path}: not UTF-8 text (byte {err.start}: "
                             f"{err.object[err.start:err.start + 1]!r}); save it as UTF-8") from None
    k = parse(data, str(path))
    return Knowledge(k.properties, k.frameworks, k.prose, k.translations, k.links, k.symbols,
                     source=path, gated=k.gated)


def path_for(spec: Spec) -> Path | None:
    """Where ``spec``'s knowledge file is: ``<name>.toml`` beside the module that
    registered it (:func:`actfn._registry.origin`), else beside the module that defines
    ``spec.f``, else in ``actfn/catalog/`` (``None`` if none exists)."""
    from ._registry import origin

    folders = []
    registered_from = origin(spec)
    if registered_from is not None:
        folders.append(registered_from.parent)
    mod = sys.modules.get(getattr(getattr(spec, "f", None), "__module__", "") or "")
    here = getattr(mod, "__file__", None)
    if here:
        folders.append(Path(here).resolve().parent)
    folders.append(Path(__file__).resolve().parent / "catalog")
    for folder in folders:
        p = folder / f"{spec.name}.toml"
        if p.is_file():
            return p
    return None


_CACHE: dict[Path, Knowledge] = {}


def for_spec(spec: Spec) -> Knowledge:
    """The validated knowledge of ``spec`` (:data:`EMPTY` without a file); cached per file.

    Besides the schema, the file must fit the spec: ``translations.zh.params.<p>`` and
    the ``[symbols]`` table may only name parameters ``spec`` has.
    """
    p = path_for(spec)
    if p is None:
        return EMPTY
    k = _CACHE.get(p)
    if k is None:
        k = _CACHE[p] = load(p)
    check_fits(k, spec)
    return k


def check_fits(know: Knowledge, spec: Spec) -> None:
    """Raise :class:`KnowledgeError` (naming the file and key) where ``know`` speaks of a
    parameter that ``spec`` does not have."""
    names = spec.param_names
    valid = ", ".join(names) or "none"
    for lang, fields in know.translations.items():
        for key in fields:
            if key.startswith("param:") and key[6:] not in names:
                raise KnowledgeError(f"{know.source}: translations.{lang}.params.{key[6:]}: "
                                     f"{spec.name} has no parameter {key[6:]!r}; valid: {valid}")
    for sym, pname in know.symbols.items():
        if pname not in names:
            raise KnowledgeError(f"{know.source}: symbols.{sym}: {spec.name} has no parameter "
                                 f"{pname!r}; valid: {valid}")


def clear_cache() -> None:
    """Forget the loaded files (after editing one in a running process)."""
    _CACHE.clear()
