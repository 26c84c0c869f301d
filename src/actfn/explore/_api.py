"""The explorer's JSON API as plain functions of the query (no web framework here).

Each ``api_*`` function takes the query string as a mapping of key → list of values
(what every web framework parses; a key given twice is an error) and returns a
JSON-able dict, or raises :class:`ApiError` whose message names the problem (the web
layer answers it with HTTP 400 and ``{"error": message}``).

Gated units (two inputs, f(gate, up) = a(gate)·b(up); ``actfn.names(kind="gated")``) are
listed under ``"gated"`` by ``/api/names``; ``/api/curve`` plots them along the gate at a
fixed ``up`` (f, ∂f/∂gate, ∂²f/∂gate² as ``f``, ``df``, ``d2f``, plus ``du`` = ∂f/∂up);
``/api/info`` gives their ``gated_properties``; ``/api/network`` (one-input layers) answers
them with an :class:`ApiError` that says so.

Numbers: every float is written as the ``repr`` of its float64 value, which Python's
and JavaScript's parsers read back as exactly the same value (a float16, bfloat16 or
float32 value converts to float64 exactly). JSON has no infinities or NaN, so the
non-finite values are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"``.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import _i18n, get, lookup, names
from .._i18n import LANGS
from .._knowledge import KnowledgeError
from .._registry import Param, Properties, Spec, aliases

__all__ = [
    "ApiError", "api_names", "api_curve", "api_network", "api_info", "num", "DTYPES",
    "INITS", "MAX_POINTS", "MAX_DEPTH", "MAX_WIDTH", "MAX_BATCH", "MAX_COST", "MAX_INPUT_SCALE",
    "NETWORK_SLOTS", "ApiBusy", "network_cost", "slider", "is_gated", "GATED_UP",
]

#: the default ``up`` of ``/api/curve`` for a gated unit (f along the gate is then a(gate)).
GATED_UP = 1.0

#: dtypes the curve endpoint evaluates in.
DTYPES = ("float16", "bfloat16", "float32", "float64")
#: weight initialisations of the deep-network panel.
INITS = ("lecun", "he", "xavier", "orthogonal")
#: the largest ``n`` of ``/api/curve``.
MAX_POINTS = 20001
#: the limits of ``/api/network`` (it runs on every slider move, so it stays small).
MAX_DEPTH = 200
MAX_WIDTH = 512
MAX_BATCH = 1024
#: the largest input standard deviation of ``/api/network`` (beyond it every unit saturates
#: or overflows and the panel shows nothing but inf/nan).
MAX_INPUT_SCALE = 1e4
#: the most estimated work one network request may do, in nanoseconds of one core
#: (:func:`network_cost`): about a second.
MAX_COST = 1_000_000_000
#: how many network computations run at once; further requests get HTTP 503 ``busy`` at
#: once, so curve requests never queue behind them for a free server thread.
NETWORK_SLOTS = 2
_NETWORK_SEMAPHORE = threading.BoundedSemaphore(NETWORK_SLOTS)

# One core's nanoseconds per unit of work (measured on a shared 2-core machine, rounded up):
# a normal random number; a multiply-add of the matrix products (forward and backward);
# evaluating f, f' and the backward product for one unit and input; QR of a width × width
# matrix per width³ (orthogonal init).
_NS_RANDOM = 20.0
_NS_MAC = 0.25
_NS_UNIT = 40.0
_NS_QR = 0.6

Query = Mapping[str, Sequence[str]]


class ApiError(ValueError):
    """A bad request: the message names the problem (HTTP 400)."""


class ApiBusy(RuntimeError):
    """Every network slot is computing: try again shortly (HTTP 503 ``{"error": "busy"}``)."""


def num(v: Any) -> float | str:
    """One number for JSON: the float64 value, or ``"inf"``/``"-inf"``/``"nan"``."""
    f = float(v)
    if math.isfinite(f):
        return f
    if math.isnan(f):
        return "nan"
    return "inf" if f > 0 else "-inf"


def nums(a: Any) -> list[float | str]:
    """A 1-D array as a list of :func:`num` values (exact: float64 holds every dtype)."""
    arr = np.asarray(a, dtype=np.float64).ravel()
    if np.isfinite(arr).all():
        return arr.tolist()
    return [num(v) for v in arr.tolist()]


# -- query parsing ------------------------------------------------------------------------------
class _Args:
    """The query of one request: typed getters with messages that name the key."""

    def __init__(self, query: Query, fixed: Iterable[str], spec: Spec | None) -> None:
        self.values: dict[str, str] = {}
        for key, vals in query.items():
            vals = list(vals)
            if len(vals) != 1:
                raise ApiError(f"query key {key!r} given {len(vals)} times; give it once")
            self.values[key] = vals[0]
        params = list(spec.param_names) if spec is not None else []
        clash = sorted(set(fixed) & set(params))
        if clash and spec is not None:
            raise ApiError(f"{spec.name}: parameter name(s) {', '.join(map(repr, clash))} "
                           "collide with this endpoint's own query keys; it cannot be "
                           "served here")
        allowed = list(fixed) + params
        unknown = sorted(set(self.values) - set(allowed))
        if unknown:
            where = f" for {spec.name}" if spec is not None else ""
            raise ApiError(f"unknown query key(s) {', '.join(repr(k) for k in unknown)}{where}; "
                           f"valid: {', '.join(allowed)}")

    def text(self, key: str, default: str | None = None) -> str:
        if key not in self.values:
            if default is None:
                raise ApiError(f"missing query key {key!r}")
            return default
        return self.values[key]

    def real(self, key: str, default: float) -> float:
        raw = self.values.get(key)
        if raw is None:
            return default
        try:
            v = float(raw)
        except ValueError:
            raise ApiError(f"{key}={_cut(raw)!r} is not a number") from None
        if not math.isfinite(v):
            raise ApiError(f"{key}={_cut(raw)!r} must be a finite number")
        return v

    def integer(self, key: str, default: int, lo: int, hi: int) -> int:
        raw = self.values.get(key)
        if raw is None:
            return default
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            raise ApiError(f"{key}={_cut(raw)!r} must be an integer")
        if len(raw.strip().lstrip("+-").lstrip("0")) > 30:
            raise ApiError(f"{key}={_cut(raw)!r} is out of range; valid: {lo} <= {key} <= {hi}")
        v = int(raw)
        if not lo <= v <= hi:
            raise ApiError(f"{key}={v} is out of range; valid: {lo} <= {key} <= {hi}")
        return v

    def choice(self, key: str, default: str, choices: Sequence[str]) -> str:
        v = self.values.get(key, default)
        if v not in choices:
            raise ApiError(f"{key}={_cut(v)!r} is not valid; valid: {', '.join(choices)}")
        return v


def _spec(query: Query) -> Any:
    """The registered spec named by ``name``: an elementwise :class:`Spec` or a gated unit's
    :class:`~actfn._gated.GatedSpec`."""
    vals = list(query.get("name", ()))
    if len(vals) != 1:
        raise ApiError("missing query key 'name'" if not vals
                       else f"query key 'name' given {len(vals)} times; give it once")
    try:
        return lookup(vals[0], kind="all")
    except (ValueError, TypeError) as exc:
        raise ApiError(str(exc)) from None


def is_gated(spec: Any) -> bool:
    """Whether ``spec`` is a gated unit (two inputs) rather than an elementwise activation."""
    return getattr(spec, "kind", "elementwise") == "gated"


def _activation(spec: Spec, args: _Args) -> Any:
    params: dict[str, Any] = {}
    for p in spec.params:
        raw = args.values.get(p.name)
        if raw is None:
            continue
        if p.choices is not None:
            params[p.name] = raw
            continue
        if p.vector and "," in raw:
            raise ApiError(f"{spec.name}: parameter {p.name}={_cut(raw)!r}: the explorer plots "
                           f"one channel, so give one {p.name} (a single number); per-channel "
                           f"values are for actfn.get({spec.name!r}, {p.name}=[...])")
        try:
            v = float(raw)
        except ValueError:
            raise ApiError(f"{spec.name}: parameter {p.name}={_cut(raw)!r} is not a number; "
                           f"valid: {p.valid_range()}") from None
        params[p.name] = v
    try:
        return get(spec.name, **params)
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ApiError(str(exc)) from None


def _cut(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters (an error message never echoes a huge input)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


# -- /api/names ----------------------------------------------------------------------------------
def slider(p: Param) -> dict[str, Any] | None:
    """How the page draws ``p``: ``{"min", "max", "scale": "linear"|"log"}`` (a number box
    beside it takes any valid value), or ``None`` for a categorical parameter."""
    if p.choices is not None:
        return None
    d = float(p.default)
    lo, hi = p.lower, p.upper
    if lo is not None and hi is not None:
        # both bounds positive and more than three decades apart: a log slider, else the
        # default would sit at the very start and one step would jump by decades
        if lo > 0 and hi / lo > 1e3:
            return {"min": lo, "max": hi, "scale": "log"}
        return {"min": lo, "max": hi, "scale": "linear"}
    if lo is not None and lo == 0 and d > 0 and not p.lower_inclusive:
        return {"min": d / 100, "max": d * 100, "scale": "log"}  # a scale: α, β, b
    if lo is not None:
        return {"min": lo, "max": max(lo + 5.0, d + abs(d) * 4 + 1), "scale": "linear"}
    if hi is not None:
        return {"min": min(hi - 5.0, d - abs(d) * 4 - 1), "max": hi, "scale": "linear"}
    return {"min": min(-5.0, d - 1), "max": max(5.0, d + 1), "scale": "linear"}


def _param(spec: Spec, p: Param, lang: str = "en") -> dict[str, Any]:
    return {
        "name": p.name, "default": p.default if p.choices else float(p.default),
        "doc": _i18n.text(spec, f"param:{p.name}", lang),
        "lower": p.lower, "upper": p.upper, "lower_inclusive": p.lower_inclusive,
        "upper_inclusive": p.upper_inclusive, "choices": list(p.choices) if p.choices else None,
        "vector": p.vector, "explorer_channels": 1, "valid": _i18n.valid_range(p, lang),
        "slider": slider(p),
    }


def api_names(query: Query) -> dict[str, Any]:
    """``GET /api/names[?lang=en|zh]``: every registered activation with its aliases and
    parameters (their meanings and the summaries in ``lang``)."""
    lang = _Args(query, ("lang",), None).choice("lang", "en", LANGS)
    al = aliases()

    def entry(spec: Any) -> dict[str, Any]:
        return {
            "name": spec.name, "kind": "gated" if is_gated(spec) else "elementwise",
            "family": _i18n.family(spec, lang),
            "summary": _i18n.text(spec, "summary", lang),
            "aliases": sorted(a for a, c in al.items() if c == spec.name),
            "params": [_param(spec, p, lang) for p in spec.params],
        }

    out = [entry(lookup(n)) for n in names()]
    gated = [entry(lookup(n, kind="gated")) for n in names(kind="gated")]
    return {"activations": out, "gated": gated, "gated_up": GATED_UP, "dtypes": list(DTYPES), "inits": list(INITS),
            "limits": {"n": MAX_POINTS, "depth": MAX_DEPTH, "width": MAX_WIDTH,
                       "batch": MAX_BATCH, "cost": MAX_COST, "input_scale": MAX_INPUT_SCALE}}


# -- /api/curve ----------------------------------------------------------------------------------
def api_curve(query: Query) -> dict[str, Any]:
    """``GET /api/curve?name=&lo=-3&hi=3&n=201&dtype=float32&<params>``: x, f, f', f''.

    ``x`` is ``linspace(lo, hi, n)`` rounded to ``dtype``; f, f', f'' are the registry's
    values computed in that dtype.

    A gated unit f(gate, up) takes ``up`` (a number, default :data:`GATED_UP`) and is
    plotted along the gate: ``x`` is the gate, ``f`` = f(x, up), ``df`` = ∂f/∂gate,
    ``d2f`` = ∂²f/∂gate², ``du`` = ∂f/∂up, ``kinks`` those along the gate and
    ``up_kinks`` those in up (the clamp).
    """
    spec = _spec(query)
    gated = is_gated(spec)
    fixed = ("name", "lo", "hi", "n", "dtype") + (("up",) if gated else ())
    args = _Args(query, fixed, spec)
    lo, hi = args.real("lo", -3.0), args.real("hi", 3.0)
    if not lo < hi:
        raise ApiError(f"lo={lo!r} must be less than hi={hi!r}")
    n = args.integer("n", 201, 2, MAX_POINTS)
    dt = _dtype(args.choice("dtype", "float32", DTYPES))
    big = float(np.finfo(dt).max) if dt.name != "bfloat16" else float(_bf16_max())
    for key, v in (("lo", lo), ("hi", hi)):
        if abs(v) > big:
            raise ApiError(f"{key}={v!r} is outside {dt.name}'s finite range "
                           f"[-{big:g}, {big:g}]")
    act = _activation(spec, args)
    if gated:
        up = args.real("up", GATED_UP)
        if abs(up) > big:
            raise ApiError(f"up={up!r} is outside {dt.name}'s finite range [-{big:g}, {big:g}]")
        with np.errstate(all="ignore"):
            x = _grid(lo, hi, n).astype(dt)
            u = np.full_like(x, up)
            f, (df, du), (d2f, _, _) = act(x, u), act.partials(x, u), act.partials2(x, u)
        kk = act.kinks()
        return {"name": spec.name, "kind": "gated", "params": _jsonable(act.params),
                "dtype": str(dt.name), "up": num(u[0]), "x": nums(x), "f": nums(f),
                "df": nums(df), "d2f": nums(d2f), "du": nums(du),
                "kinks": nums(kk["gate"]), "up_kinks": nums(kk["up"])}
    with np.errstate(all="ignore"):
        x = _grid(lo, hi, n).astype(dt)
        f, df, d2f = act(x), act.derivative(x), act.second_derivative(x)
    return {"name": spec.name, "params": _jsonable(act.params), "dtype": str(dt.name),
            "x": nums(x), "f": nums(f), "df": nums(df), "d2f": nums(d2f),
            "kinks": nums(act.kinks())}


def _grid(lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` points from ``lo`` to ``hi`` (both exact), without overflow when ``hi − lo``
    exceeds the largest float64 (``linspace`` then gives inf and nan)."""
    if math.isfinite(hi - lo):
        return np.linspace(lo, hi, n)
    t = np.linspace(0.0, 1.0, n)
    x = lo * (1.0 - t) + hi * t
    x[0], x[-1] = lo, hi
    return x


def _bf16_max() -> float:
    import ml_dtypes

    return float(ml_dtypes.finfo(ml_dtypes.bfloat16).max)


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else num(v) if isinstance(v, float) else v)
            for k, v in params.items()}


# -- /api/network --------------------------------------------------------------------------------
def _weights(rng: np.random.Generator, init: str, width: int) -> np.ndarray:
    if init == "orthogonal":
        q, r = np.linalg.qr(rng.standard_normal((width, width)))
        return q * np.sign(np.diag(r))
    std = {"lecun": 1.0, "he": 2.0, "xavier": 1.0}[init] ** 0.5 / math.sqrt(width)
    return rng.standard_normal((width, width)) * std


def network_cost(depth: int, width: int, batch: int, init: str) -> float:
    """Estimated nanoseconds of one core that ``/api/network`` needs for these settings:
    per layer the random weights (and their QR for orthogonal init), the forward and
    backward matrix products and the activation's f, f' on every unit and input."""
    per_layer = (_NS_RANDOM * width * width + _NS_MAC * 2 * batch * width * width
                 + _NS_UNIT * batch * width)
    if init == "orthogonal":
        per_layer += _NS_QR * width**3
    return depth * per_layer + _NS_RANDOM * 2 * batch * width


def api_network(query: Query) -> dict[str, Any]:
    """``GET /api/network?name=&depth=&width=&init=&input_scale=&batch=&seed=&<params>``.

    A fully connected net of ``depth`` layers ``h_l = x_{l-1} W_l``, ``x_l = f(h_l)``
    (square ``width`` × ``width`` weights, no biases, drawn by ``init``: LeCun normal
    var 1/n, He normal var 2/n, Xavier/Glorot normal var 2/(n+n), orthogonal gain 1)
    fed ``batch`` inputs ``x_0 ~ N(0, input_scale²)``. Per layer: mean and variance of
    x_l over all units and inputs; ``grad_rms``, the root-mean-square of ∂L/∂x_l for
    L = Σ x_depth · r with r ~ N(0, 1) fixed (backpropagated with f′ from the registry;
    it vanishes or explodes towards the input); ``dead``, the fraction of units whose
    f′(h_l) is 0 for every input. Seeded (``seed``), float64.

    The input scale is ``input_scale``, never ``scale``: that is SELU's λ. The estimated
    work (:func:`network_cost`) is capped at :data:`MAX_COST`, and at most
    :data:`NETWORK_SLOTS` networks compute at once (:class:`ApiBusy` otherwise).
    """
    spec = _spec(query)
    if is_gated(spec):
        raise ApiError(f"{spec.name} is a gated unit (two inputs, gate and up): the deep-network "
                       "panel stacks one-input activations; plot it with /api/curve")
    fixed = ("name", "depth", "width", "init", "input_scale", "batch", "seed")
    args = _Args(query, fixed, spec)
    depth = args.integer("depth", 30, 1, MAX_DEPTH)
    width = args.integer("width", 128, 1, MAX_WIDTH)
    batch = args.integer("batch", 256, 1, MAX_BATCH)
    seed = args.integer("seed", 0, 0, 2**32 - 1)
    init = args.choice("init", "lecun", INITS)
    scale = args.real("input_scale", 1.0)
    if not 0 < scale <= MAX_INPUT_SCALE:
        raise ApiError(f"input_scale={scale!r} is out of range; valid: "
                       f"0 < input_scale <= {MAX_INPUT_SCALE:g} (the input's standard deviation)")
    cost = network_cost(depth, width, batch, init)
    if cost > MAX_COST:
        raise ApiError(f"network too large for {init} init: about {cost / 1e9:.3g} s of work "
                       f"> {MAX_COST / 1e9:.3g} s; reduce depth, width or batch")
    act = _activation(spec, args)
    if not _NETWORK_SEMAPHORE.acquire(blocking=False):
        raise ApiBusy("busy")
    try:
        with _one_thread():
            return _network(spec, act, depth, width, batch, seed, init, scale)
    finally:
        _NETWORK_SEMAPHORE.release()


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run BLAS and actfn's numba loops on the calling thread only: for these small
    arrays, and with the server's other requests running beside, one thread each is
    faster than thread pools fighting for the cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the explore extra
        limits: Any = contextlib.nullcontext()
    else:
        limits = threadpool_limits(1)
    try:
        import numba
    except ImportError:  # pragma: no cover - the speed extra is optional
        numba = None
    before = numba.get_num_threads() if numba is not None else 0
    if numba is not None:
        numba.set_num_threads(1)  # thread-local in numba
    try:
        with limits:
            yield
    finally:
        if numba is not None:
            numba.set_num_threads(before)


def _network(spec: Spec, act: Any, depth: int, width: int, batch: int, seed: int, init: str,
             scale: float) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width)) * scale
    mean, var, dead, hs, ws = [], [], [], [], []
    with np.errstate(all="ignore"):
        for _ in range(depth):
            w = _weights(rng, init, width)
            h = x @ w
            x = act(h)
            d = act.derivative(h)
            hs.append(d)
            ws.append(w)
            mean.append(float(np.mean(x)))
            var.append(float(np.var(x)))
            dead.append(float(np.mean(np.all(d == 0, axis=0))))
        g = rng.standard_normal((batch, width))  # ∂L/∂x_depth
        grad = [0.0] * depth
        for k in range(depth - 1, -1, -1):
            grad[k] = float(np.sqrt(np.mean(g * g)))
            g = (g * hs[k]) @ ws[k].T
    return {"name": spec.name, "params": _jsonable(act.params), "init": init, "depth": depth,
            "width": width, "batch": batch, "input_scale": scale, "seed": seed,
            "layer": list(range(1, depth + 1)), "mean": nums(mean), "var": nums(var),
            "grad_rms": nums(grad), "dead": nums(dead)}


# -- /api/info -----------------------------------------------------------------------------------
_VERDICT_ROW = re.compile(r"^\| (supported|refuted|nuanced|inconclusive) \(\d+\) \| (.*) \|\s*$")


def readme_verdicts(readme: Path | None = None) -> dict[str, dict[str, str]]:
    """Verdicts of the full claims run as the project's README states them (claim id →
    ``{"kind", "condition", "source"}``); empty when the README is not beside the
    package (an installed wheel)."""
    path = readme or Path(__file__).resolve().parents[3] / "README.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    out: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        m = _VERDICT_ROW.match(line)
        if not m:
            continue
        for item in re.split(r",\s*(?![^()]*\))", m.group(2)):
            cid, _, cond = item.strip().partition(" (")
            out[cid.strip()] = {"kind": m.group(1), "condition": cond.rstrip(")"),
                                "evidence": "", "source": "README"}
    return out


def _props(spec: Spec, p: Properties | None, lang: str) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"range": _i18n.text(spec, "range_text", lang) or p.range_label(), "monotone": p.monotone, "smoothness": p.smoothness_label,
            "zero_centred": p.zero_centred, "saturates": list(p.saturates),
            "self_normalizing": p.self_normalizing, "sparse": p.sparse}


def _gated_props(spec: Any, lang: str) -> dict[str, Any] | None:
    """The ``[gated]`` properties of a gated unit (:class:`actfn._knowledge.GatedProperties`)
    for the knowledge panel; ``None`` without them."""
    g = spec.knowledge.gated
    if g is None:
        return None

    def smooth(v: float) -> str:
        return "C^∞" if math.isinf(v) else {-1: "discontinuous", 0: "C⁰", 1: "C¹", 2: "C²"}[int(v)]

    return {"gate_range": g.gate_range_label(), "gate_nonnegative": g.gate_nonnegative,
            "gate_smoothness": smooth(g.gate_smoothness),
            "up_smoothness": smooth(g.up_smoothness), "linear_in_up": g.linear_in_up,
            "zero_at_up_zero": g.zero_at_up_zero, "monotone_in_gate": g.monotone_in_gate,
            "gate_at_minus_inf": num(g.gate_at_minus_inf),
            # the split form act(x, dim=-1): torch.nn.functional.glu's halves
            "split": {"first": "up", "second": "gate", "flag": "gate_first=True"}}


def api_info(query: Query, verdicts: Mapping[str, Mapping[str, Any]] | None = None,
             figures: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``GET /api/info?name=&lang=en|zh``: the knowledge about one activation.

    ``verdicts`` (claim id → verdict dict) and ``figures`` (experiment id → URL) come
    from a claims report when the server was given one; otherwise the README's verdicts.
    """
    spec = _spec(query)
    args = _Args(query, ("name", "lang"), None)
    lang = args.choice("lang", "en", LANGS)
    try:
        know = spec.knowledge
    except KnowledgeError as exc:  # a broken data file: say which, not "internal error"
        raise ApiError(f"the knowledge file of {spec.name} is invalid: {exc}") from None
    prose = _i18n.prose(spec, lang) or _i18n.prose(spec, "en")
    from ..experiments import claims, experiments

    verdicts = readme_verdicts() if verdicts is None else verdicts
    exps = experiments()
    cl = []
    for c in claims():
        if spec.name not in c.activations:
            continue
        v = verdicts.get(c.id)
        cl.append({"id": c.id, "statement": c.zh if lang == "zh" else c.en,
                   "activations": list(c.activations),
                   # conditions, evidence and experiment titles are free English text
                   # from the README or a report: labelled, not machine-translated
                   "verdict": {**v, "text_lang": "en"} if v else None,
                   "experiments": [{"id": e, "title": exps[e].title, "title_lang": "en",
                                    "figure": (figures or {}).get(e)} for e in c.experiments]})
    # "meaning" is "" for a symbol that only a missing knowledge file would define
    symbols = [{"symbol": s, "meaning": m} for s, m in _i18n.symbols(spec, lang)]
    return {
        "name": spec.name, "lang": lang, "family": _i18n.family(spec, lang),
        "summary": _i18n.text(spec, "summary", lang),
        "kink_convention": _i18n.text(spec, "kink_convention", lang),
        "latex": dict(spec.latex), "symbols": symbols, "reference": spec.reference,
        "links": _i18n.links(spec),
        "aliases": sorted(a for a, c in aliases().items() if c == spec.name),
        "params": [_param(spec, p, lang) for p in spec.params],
        "kind": "gated" if is_gated(spec) else "elementwise",
        "properties": _props(spec, know.properties, lang),
        "gated_properties": _gated_props(spec, lang) if is_gated(spec) else None,
        # a spec registered without a knowledge file: the panel says so
        "documented": know.documented,
        "undocumented": _i18n.undocumented(lang),
        "strengths": list(prose.strengths) if prose else [],
        "weaknesses": list(prose.weaknesses) if prose else [],
        "use": prose.use if prose else "",
        "corrections": list(prose.corrections) if prose else [],
        "frameworks": [{"framework": e.framework, "call": e.at(spec.defaults()), "layer": e.layer,
                        "params": _i18n.text(spec, f"framework:{e.framework}:params", lang),
                        "notes": _i18n.text(spec, f"framework:{e.framework}:notes", lang)}
                       for e in know.frameworks],
        "claims": cl,
    }
