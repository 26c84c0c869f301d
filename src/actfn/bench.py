"""The benchmark engine of ``actfn bench``: f and f′ together, against NumPy, PyTorch,
JAX and the machine.

One run measures, interleaved (every implementation once per round, rounds repeated)
so that slow drifts of the machine hit all of them alike:

* ``actfn``: ``value_and_derivative(x)`` (fresh outputs) and with ``out=`` (reused);
* ``numpy``: actfn's pure-NumPy path (the fallback without numba) and, where there is
  one, the textbook NumPy formula (``naive``);
* ``torch``: eager forward + ``autograd.grad`` with a ones cotangent (= f′ for an
  elementwise f), ``jax``: ``jit`` of forward + ``vjp``; both from the framework call
  recorded in the registry (``spec.knowledge.frameworks``), when installed;
* machine ceilings: one-read-two-write (the traffic of f and f′ from x), streaming
  copy, and a vectorized float64 exp loop (the arithmetic of the exp-based kernels: the
  full-accuracy exp of the float64 loops for float64, the 2⁻⁴⁰ one of the narrower loops
  otherwise).

Reported per activation: median G elements/s with the spread of the rounds
(interquartile range / median), GB/s moved by actfn, % of min(memory ceiling, exp
ceiling), the ratios to torch and JAX, and µs per call at 2**10 elements. The spread of
the ceilings and the load average are printed too: on a shared machine they say how
far to trust the other numbers, and a one-line warning (:func:`load_warning`, also in
the JSON) says when the 1-minute load average exceeded the number of CPUs.

This module is the engine, importable without the CLI: :func:`run_bench` returns a
:class:`BenchResults` record (:meth:`BenchResults.to_dict` is the JSON of ``actfn bench
-o FILE.json``), :func:`format_table` its Markdown tables and :func:`save_figure` its
bar chart; :mod:`actfn.cli.bench` only parses the arguments and prints.

Usage (a few seconds; the first run compiles the kernels)::

    from actfn.bench import format_table, run_bench
    res = run_bench(["relu", "gelu_tanh"], size=2**20, dtypes=["float32"], threads=2,
                    repeats=5)
    res.dtypes["float32"].rows["relu"].impls["actfn"].gel_s   # G elements/s
    print(format_table(res))

:func:`summarize` turns measured seconds into the records:

>>> from actfn.bench import summarize
>>> d = summarize(["relu"], {("relu", "actfn"): [2e-6, 2e-6], ("@ceiling", "copy"): [1e-6]},
...               {"relu": [1e-6], "relu@alloc": [2e-6]}, size=1000, itemsize=4)
>>> d.rows["relu"].impls["actfn"].gel_s, d.ceilings["copy"].gb_s, d.rows["relu"].small_us
(0.5, 8.0, 1.0)
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import _safe_io, get, lookup, names

__all__ = ["SEEDS", "DTYPES", "PSEUDO", "IMPLEMENTATIONS", "FALLBACK_SIZE", "Rate", "Ceiling",
           "LayerRow", "TORCH_LAYER_SHAPES", "run_torch_layers", "format_torch_layers",
           "Row", "DtypeResult", "Machine", "BenchResults", "check_labels", "memory_needed",
           "physical_memory", "run_bench", "summarize", "format_table", "save_figure",
           "load_warning"]

def _cases() -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Benchmark label → (registry name, parameters), from each spec's ``bench``."""
    return {label: (name, dict(params)) for name in names()
            for label, params in lookup(name).bench.items()}


#: The labels measured by default (each spec's ``bench`` labels, in registry order: the
#: speed targets of issue 6; gelu_tanh = gelu, tanh form).
SEEDS: tuple[str, ...] = tuple(_cases())
#: The dtypes a run can measure.
DTYPES = ("float16", "bfloat16", "float32", "float64")
#: Benchmark labels that are not registry names: label → (name, parameters).
PSEUDO: Mapping[str, tuple[str, Mapping[str, Any]]] = {
    label: case for label, case in _cases().items() if label != case[0]}
#: The implementations of a row, in the order of the table's columns.
IMPLEMENTATIONS = ("actfn", "actfn out=", "numpy (actfn fallback)", "numpy naive", "torch",
                   "jax")
#: The pure-NumPy path is timed on the first 2**20 elements only (rates are per element).
FALLBACK_SIZE = 1 << 20


def _activation(label: str) -> Any:
    name, params = PSEUDO.get(label, (label, {}))
    return get(name, **params)


def check_labels(labels: Iterable[str]) -> None:
    """Raise the registry's ``ValueError`` (with suggestions) for a label that is neither
    a registered activation nor one of :data:`PSEUDO`."""
    for label in labels:
        if label not in PSEUDO:
            lookup(label)


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    """One implementation's speed: ``gel_s`` = median over the rounds of 10⁹ elements per
    second (f and f′ together), ``spread`` = interquartile range / median of the round
    times, ``best_gel_s`` = the fastest round."""

    gel_s: float
    spread: float
    best_gel_s: float


@dataclass(frozen=True)
class Ceiling:
    """A machine ceiling: ``gel_s`` (10⁹ elements/s), ``gb_s`` (10⁹ bytes/s moved) and
    the spread of its rounds."""

    gel_s: float
    gb_s: float
    spread: float


@dataclass(frozen=True)
class Row:
    """One activation in one dtype.

    ``impls`` maps an implementation of :data:`IMPLEMENTATIONS` that ran to its
    :class:`Rate`. With ``g`` the rate of actfn with ``out=``: ``gb_s = 3 · itemsize · g``
    (one read, two writes per element), ``pct_mem``/``pct_roof`` = 100 · g / the memory
    ceiling / the roof; ``x_torch`` = actfn (fresh outputs) / torch, ``x_torch_out`` = g /
    torch (likewise for JAX; ``None`` without the framework). ``small_us`` and
    ``small_alloc_us``: µs per call at 2¹⁰ elements with ``out=`` / fresh outputs.
    """

    impls: Mapping[str, Rate]
    small_us: float
    small_alloc_us: float
    gb_s: float | None = None
    pct_mem: float | None = None
    pct_roof: float | None = None
    x_torch: float | None = None
    x_torch_out: float | None = None
    x_jax: float | None = None
    x_jax_out: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout: each implementation's rate under its name, then the derived
        figures (the framework ratios only where the framework ran)."""
        out: dict[str, Any] = {k: vars(r).copy() for k, r in self.impls.items()}
        if self.gb_s is not None:
            out.update(gb_s=self.gb_s, pct_mem=self.pct_mem, pct_roof=self.pct_roof)
        for fw in ("torch", "jax"):
            if getattr(self, f"x_{fw}") is not None:
                out[f"x_{fw}"] = getattr(self, f"x_{fw}")
                out[f"x_{fw}_out"] = getattr(self, f"x_{fw}_out")
        out.update(small_us=self.small_us, small_alloc_us=self.small_alloc_us)
        return out


@dataclass(frozen=True)
class DtypeResult:
    """Everything measured in one dtype: the ceilings by name (``r1w2``, ``copy``,
    ``exp``), the memory ceiling for f and f′ and the roof min(memory, exp) in 10⁹
    elements/s (``None`` when not measured), and a :class:`Row` per label."""

    ceilings: Mapping[str, Ceiling]
    memory_gel_s: float | None
    roof_gel_s: float | None
    rows: Mapping[str, Row]

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout of one dtype."""
        return {"ceilings": {k: vars(c).copy() for k, c in self.ceilings.items()},
                "memory_gel_s": self.memory_gel_s, "roof_gel_s": self.roof_gel_s,
                "rows": {k: r.to_dict() for k, r in self.rows.items()}}


@dataclass(frozen=True)
class Machine:
    """The machine of a run, and its 1/5/15-minute load averages before and after."""

    cpu: str
    cpus: int | None
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (math.nan, math.nan, math.nan)


def _loadavg() -> tuple[float, float, float]:
    """The 1/5/15-minute load averages (NaN where the platform has none, e.g. Windows)."""
    try:
        a, b, c = os.getloadavg()
    except (AttributeError, OSError):
        return (math.nan, math.nan, math.nan)
    return (float(a), float(b), float(c))


def load_warning(machine: Machine) -> str | None:
    """One line for the report when the host was loaded during the run, else None.

    Loaded: the 1-minute load average before or after the run exceeds the number of CPUs,
    i.e. more runnable jobs than cores, so the timed loops (and the ceilings) shared the
    cores with other work; the rates then drop and scatter (a run at load 8 on 2 cores
    once printed a 0.003 G el/s copy ceiling), while the ratios, from the same rounds,
    suffer less."""
    loads = [v for v in (machine.load_before[0], machine.load_after[0]) if not math.isnan(v)]
    if not machine.cpus or not loads or max(loads) <= machine.cpus:
        return None
    return (f"warning: the host was loaded (1-minute load average {max(loads):.2f} > "
            f"{machine.cpus} CPUs): rates and ceilings are low and noisy; compare the "
            "ratios, or rerun on a quiet machine")


@dataclass(frozen=True)
class BenchResults:
    """A whole run: its settings, the machine, whether the compiled path was on, and a
    :class:`DtypeResult` per dtype."""

    size: int
    threads: int
    repeats: int
    small: int
    machine: Machine
    compiled: bool
    dtypes: Mapping[str, DtypeResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON written by ``actfn bench -o FILE.json``."""
        return {"size": self.size, "threads": self.threads, "repeats": self.repeats,
                "small": self.small, "machine": vars(self.machine).copy(),
                "compiled": self.compiled, "load_warning": load_warning(self.machine),
                "dtypes": {k: d.to_dict() for k, d in self.dtypes.items()}}


# -- textbook NumPy formulas (what one writes without care for accuracy) ------------------
def _naive_table() -> dict[str, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]]:
    from scipy.special import erf

    def sigmoid(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = 1 / (1 + np.exp(-x))
        return s, s * (1 - s)

    def tanh(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.tanh(x)
        return t, 1 - t * t

    def leaky(a: float) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
        def f(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            pos = x > 0
            return np.where(pos, x, a * x), np.where(pos, x.dtype.type(1), x.dtype.type(a))

        return f

    def elu_like(alpha: float, scale: float) -> Callable[[np.ndarray], tuple[np.ndarray, ...]]:
        def f(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            pos = x > 0
            e = np.exp(x)
            return (np.where(pos, scale * x, scale * alpha * (e - 1)),
                    np.where(pos, x.dtype.type(scale), scale * alpha * e))

        return f

    def gelu(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cdf = 0.5 * (1 + erf(x / np.sqrt(2)))
        return x * cdf, cdf + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)

    def gelu_tanh(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = math.sqrt(2 / math.pi)
        t = np.tanh(c * (x + 0.044715 * x**3))
        return (0.5 * x * (1 + t),
                0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x))

    def silu(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = 1 / (1 + np.exp(-x))
        return x * s, s * (1 + x * (1 - s))

    def softplus(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.log1p(np.exp(x)), 1 / (1 + np.exp(-x))

    def mish(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.tanh(np.log1p(np.exp(x)))
        s = 1 / (1 + np.exp(-x))
        return x * t, t + x * (1 - t * t) * s

    return {
        "sigmoid": sigmoid, "tanh": tanh, "relu": leaky(0.0), "leaky_relu": leaky(0.01),
        "prelu": leaky(0.25), "elu": elu_like(1.0, 1.0), "celu": elu_like(1.0, 1.0),
        "selu": elu_like(1.6732632423543772, 1.0507009873554805), "gelu": gelu,
        "gelu_tanh": gelu_tanh, "silu": silu, "softplus": softplus, "mish": mish,
    }


# -- framework counterparts -----------------------------------------------------------------
def _framework_call(label: str, framework: str) -> str:
    name, params = PSEUDO.get(label, (label, {}))
    spec = lookup(name)
    eq = spec.knowledge.equivalent(framework)
    if eq is not None and eq.call:
        return eq.at({**spec.defaults(), **params})
    return ""


def _torch_step(label: str, x: np.ndarray, threads: int) -> Callable[[], Any] | None:
    try:
        import torch
    except ImportError:
        return None
    call = _framework_call(label, "PyTorch")
    if not call:
        return None
    torch.set_num_threads(threads)
    fn = eval("lambda x: " + call, {"torch": torch})  # registry data, not user input
    tdt = getattr(torch, x.dtype.name)
    xt = torch.from_numpy(x.astype(np.float32) if x.dtype.name == "bfloat16" else x)
    xt = xt.to(tdt).requires_grad_(True)
    ones = torch.ones_like(xt)

    def step() -> Any:
        y = fn(xt)
        (d,) = torch.autograd.grad(y, xt, ones)
        return y, d

    return step


def _jax_step(label: str, x: np.ndarray) -> Callable[[], Any] | None:
    try:
        import jax
        import jax.numpy  # noqa: F401
    except ImportError:
        return None
    call = _framework_call(label, "JAX")
    if not call:
        return None
    if x.dtype == np.float64 and not jax.config.read("jax_enable_x64"):
        return None  # JAX would silently compute in float32
    fn = eval("lambda x: " + call, {"jax": jax})  # registry data, not user input
    xj = jax.numpy.asarray(x)
    ones = jax.numpy.ones_like(xj)

    @jax.jit
    def fwd_vjp(v: Any, g: Any) -> Any:
        y, pull = jax.vjp(fn, v)
        return y, pull(g)[0]

    def step() -> Any:
        y, d = fwd_vjp(xj, ones)
        d.block_until_ready()
        return y, d

    return step


# -- machine ceilings ------------------------------------------------------------------------
def _ceiling_kernels() -> dict[str, Callable[..., Any]] | None:
    try:
        import numba
        from numba import prange

        from ._fast._vmath import exp_d, exp_v
    except Exception:
        return None

    @numba.njit(parallel=True, error_model="numpy")
    def one_read_two_write(src: Any, a: Any, b: Any) -> None:  # pragma: no cover - jitted
        for i in prange(src.shape[0]):
            v = src[i]
            a[i] = v
            b[i] = v

    @numba.njit(parallel=True, error_model="numpy")
    def stream_copy(src: Any, a: Any) -> None:  # pragma: no cover - jitted
        for i in prange(src.shape[0]):
            a[i] = src[i]

    def vector_exp(src: Any, a: Any) -> None:  # pragma: no cover - jitted
        for i in prange(src.shape[0]):
            a[i] = exp_v(np.float64(src[i]) * 0.25)

    def vector_exp_d(src: Any, a: Any) -> None:  # pragma: no cover - jitted
        for i in prange(src.shape[0]):
            a[i] = exp_d(np.float64(src[i]) * 0.25)

    # compiled like the activation loops: float64 loops take the full-accuracy exp_d
    # without FMA contraction; float32/16-bit ones the 2^-40 exp_v with it
    exp_plain = numba.njit(parallel=True, error_model="numpy")(vector_exp_d)
    exp_fma = numba.njit(parallel=True, error_model="numpy", fastmath={"contract"})(vector_exp)
    return {"r1w2": one_read_two_write, "copy": stream_copy, "exp": exp_plain,
            "exp_fma": exp_fma}


def _storage(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint16) if a.dtype.itemsize == 2 else a


# -- the measurement ---------------------------------------------------------------------------
def _median_spread(ts: list[float]) -> tuple[float, float]:
    med = statistics.median(ts)
    if len(ts) >= 4:
        q = statistics.quantiles(ts, n=4)
        return med, (q[2] - q[0]) / med
    return med, (max(ts) - min(ts)) / med


def _per_call(fn: Callable[[], Any], calls: int) -> float:
    t = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t) / calls


def _implementations(
    labels: list[str], x: np.ndarray, dname: str, threads: int,
    naive: dict[str, Callable[[np.ndarray], Any]], ceil_k: dict[str, Callable[..., Any]] | None,
    small: int,
) -> tuple[dict[tuple[str, str], Callable[[], Any]], dict[str, Callable[[], Any]]]:
    """The timed callables for one dtype: ceilings, then every implementation per label."""
    from . import _fast

    o1, o2 = np.empty_like(x), np.empty_like(x)
    impls: dict[tuple[str, str], Callable[[], Any]] = {}
    if ceil_k is not None:
        xs, s1, s2 = _storage(x), _storage(o1), _storage(o2)
        impls[("@ceiling", "r1w2")] = lambda: ceil_k["r1w2"](xs, s1, s2)
        impls[("@ceiling", "copy")] = lambda: ceil_k["copy"](xs, s1)
        if dname in ("float32", "float64"):
            kexp = ceil_k["exp" if dname == "float64" else "exp_fma"]
            impls[("@ceiling", "exp")] = lambda: kexp(x, o1)
    else:
        impls[("@ceiling", "copy")] = lambda: np.copyto(o1, x)
    small_calls: dict[str, Callable[[], Any]] = {}
    for label in labels:
        act = _activation(label)
        outs = (np.empty_like(x), np.empty_like(x))
        impls[(label, "actfn")] = lambda act=act: act.value_and_derivative(x)
        impls[(label, "actfn out=")] = (lambda act=act, outs=outs:
                                        act.value_and_derivative(x, out=outs))

        def fallback(act: Any = act, xf: np.ndarray = x[:FALLBACK_SIZE]) -> Any:
            with _fast.disabled():  # on a slice: the NumPy path is 10-100x slower
                return act.value_and_derivative(xf)

        impls[(label, "numpy (actfn fallback)")] = fallback
        if label in naive and dname != "bfloat16":
            impls[(label, "numpy naive")] = lambda f=naive[label]: f(x)
        ts = _torch_step(label, x, threads)
        if ts is not None:
            impls[(label, "torch")] = ts
        js = _jax_step(label, x)
        if js is not None:
            impls[(label, "jax")] = js
        xsm = x[:small].copy()
        osm = (np.empty_like(xsm), np.empty_like(xsm))
        small_calls[label] = (lambda act=act, xsm=xsm, osm=osm:
                              act.value_and_derivative(xsm, out=osm))
        small_calls[label + "@alloc"] = lambda act=act, xsm=xsm: act.value_and_derivative(xsm)
    return impls, small_calls


def run_bench(labels: list[str], size: int, dtypes: list[str], threads: int, repeats: int,
              small: int = 1024, echo: Callable[[str], None] | None = None) -> BenchResults:
    """Measure every label × dtype (see the module docstring).

    ``labels``: registry names or :data:`PSEUDO` labels; ``size``: elements per array;
    ``dtypes``: names from :data:`DTYPES`; ``threads``: for numba and torch; ``repeats``:
    interleaved rounds (every implementation once per round, so that slow drifts of the
    machine hit all alike); ``small``: the array size of the per-call latency; ``echo``
    receives progress lines. Bad arguments raise ``ValueError`` naming them, before
    anything is allocated.
    """
    from . import _fast

    check_labels(labels)
    bad = [d for d in dtypes if d not in DTYPES]
    if bad or not dtypes:
        raise ValueError(f"dtypes={list(dtypes)!r}: need one or more of {', '.join(DTYPES)}")
    for arg, value, lo in (("size", size, 1), ("threads", threads, 1), ("repeats", repeats, 1),
                           ("small", small, 1)):
        if not isinstance(value, int) or value < lo:
            raise ValueError(f"{arg}={value!r}: need an integer >= {lo}")
    if small > size:
        raise ValueError(f"small={small} is larger than size={size}")

    say = echo or (lambda s: None)
    try:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except Exception:
        pass  # no numba: nothing to set (the NumPy path is what runs)
    naive = _naive_table()
    rng = np.random.default_rng(20261123)
    base = rng.normal(0.0, 3.0, size)
    cpu = platform.processor() or platform.machine()
    load_before = _loadavg()
    ceil_k = _ceiling_kernels()
    per_dtype: dict[str, DtypeResult] = {}
    for dname in dtypes:
        dt = np.dtype(dname) if dname != "bfloat16" else np.dtype(_bf16())
        impls, small_calls = _implementations(labels, base.astype(dt), dname, threads,
                                              naive, ceil_k, small)
        say(f"{dname}: warming up {len(impls)} implementations (compiles kernels)…")
        for fn in impls.values():
            with np.errstate(all="ignore"):
                fn()
        for fn in small_calls.values():
            fn()
        times: dict[tuple[str, str], list[float]] = {k: [] for k in impls}
        small_t: dict[str, list[float]] = {k: [] for k in small_calls}
        for r in range(repeats):
            for key, fn in impls.items():  # interleaved: every implementation once per round
                with np.errstate(all="ignore"):
                    t = time.perf_counter()
                    fn()
                    times[key].append(time.perf_counter() - t)
            for key, fn in small_calls.items():
                small_t[key].append(_per_call(fn, 200))
            say(f"{dname}: round {r + 1}/{repeats}")
        per_dtype[dname] = summarize(labels, times, small_t, size, dt.itemsize)
    machine = Machine(cpu=cpu, cpus=os.cpu_count(), load_before=load_before,
                      load_after=_loadavg())
    return BenchResults(size=size, threads=threads, repeats=repeats, small=small,
                        machine=machine, compiled=_fast.available(), dtypes=per_dtype)


def _bf16() -> Any:
    import ml_dtypes

    return ml_dtypes.bfloat16


def summarize(labels: list[str], times: Mapping[tuple[str, str], list[float]],
              small_t: Mapping[str, list[float]], size: int, itemsize: int) -> DtypeResult:
    """The records of one dtype from the measured seconds.

    ``times[(label, implementation)]``: the seconds of each round for an array of
    ``size`` elements of ``itemsize`` bytes (label ``"@ceiling"`` for the ceilings
    ``r1w2``, ``copy``, ``exp``); ``small_t[label]`` and ``small_t[label + "@alloc"]``:
    seconds per call at the small size, with ``out=`` and with fresh outputs. A rate is
    ``size / median(seconds) / 10⁹`` (the NumPy fallback: of its first
    :data:`FALLBACK_SIZE` elements); the memory ceiling is the better of the
    one-read-two-write loop and the copy bandwidth spent on 3 values per element; the
    roof is min(memory, exp).
    """
    def rate(key: tuple[str, str]) -> Rate | None:
        if key not in times:
            return None
        med, spread = _median_spread(times[key])
        n = min(size, FALLBACK_SIZE) if key[1] == "numpy (actfn fallback)" else size
        return Rate(gel_s=n / med / 1e9, spread=spread, best_gel_s=n / min(times[key]) / 1e9)

    ceil: dict[str, Ceiling] = {}
    for k, nbytes in (("r1w2", 3), ("copy", 2), ("exp", 2)):
        r = rate(("@ceiling", k))
        if r is not None:
            ceil[k] = Ceiling(gel_s=r.gel_s, gb_s=r.gel_s * nbytes * itemsize, spread=r.spread)
    # memory ceiling for f and f′: the better of the one-read-two-write loop and the
    # streaming copy's bandwidth spent on 3 values per element
    mem_opts = [ceil["r1w2"].gel_s] if "r1w2" in ceil else []
    if "copy" in ceil:
        mem_opts.append(ceil["copy"].gb_s / (3 * itemsize))
    mem = max(mem_opts) if mem_opts else None
    expc = ceil["exp"].gel_s if "exp" in ceil else None
    roof = min(v for v in (mem, expc) if v) if (mem or expc) else None
    rows = {}
    for label in labels:
        impls = {impl: r for impl in IMPLEMENTATIONS if (r := rate((label, impl))) is not None}
        derived: dict[str, float | None] = {}
        best = impls.get("actfn out=", impls.get("actfn"))
        if best is not None:
            g = best.gel_s
            derived.update(gb_s=g * 3 * itemsize, pct_mem=100 * g / mem if mem else None,
                           pct_roof=100 * g / roof if roof else None)
            for fw in ("torch", "jax"):
                if fw in impls:
                    derived[f"x_{fw}"] = impls["actfn"].gel_s / impls[fw].gel_s
                    derived[f"x_{fw}_out"] = g / impls[fw].gel_s
        rows[label] = Row(impls=impls, small_us=statistics.median(small_t[label]) * 1e6,
                          small_alloc_us=statistics.median(small_t[label + "@alloc"]) * 1e6,
                          **derived)
    return DtypeResult(ceilings=ceil, memory_gel_s=mem, roof_gel_s=roof, rows=rows)


# -- output ------------------------------------------------------------------------------------
def _num(v: float | None, spec: str = ".2f") -> str:
    return "—" if v is None else format(v, spec)


def _ratio(row: Row, fw: str) -> str:
    fresh, out = getattr(row, f"x_{fw}"), getattr(row, f"x_{fw}_out")
    return "—" if fresh is None else f"{fresh:.2f} / {out:.2f}"


def _cell(row: Row, impl: str) -> str:
    r = row.impls.get(impl)
    return "—" if r is None else f"{r.gel_s:.3f} ±{100 * r.spread:.0f}%"


def format_table(results: BenchResults) -> str:
    """Markdown tables of :func:`run_bench`'s results: a line on the run and the machine,
    then per dtype its ceilings and a table with a row per activation, and a legend."""
    lines = []
    m = results.machine
    lines.append(
        f"size {results.size:,} elements, {results.threads} threads, "
        f"{results.repeats} interleaved rounds; {m.cpus} CPUs ({m.cpu}); "
        f"load average before/after {m.load_before[0]:.2f}/{m.load_after[0]:.2f}; "
        f"compiled path: {'on' if results.compiled else 'OFF (pure NumPy)'}"
    )
    warn = load_warning(m)
    if warn:
        lines.append(warn)
    for dname, res in results.dtypes.items():
        lines.append("")
        parts = [f"{k} {c.gel_s:.3f} G el/s = {c.gb_s:.1f} GB/s (spread "
                 f"{100 * c.spread:.0f}%)" for k, c in res.ceilings.items()]
        lines.append(f"**{dname}** ceilings: " + "; ".join(parts))
        if res.roof_gel_s:
            lines.append(f"→ memory ceiling for f and f′ {res.memory_gel_s:.3f} G el/s, "
                         f"roof min(memory, exp) {res.roof_gel_s:.3f} G el/s")
        lines.append("")
        lines.append("| activation | actfn | actfn out= | GB/s | % roof | numpy fallback | "
                     "numpy naive | torch | jax | × torch | × jax | 2^10 µs (out=/alloc) |")
        lines.append("|---" * 12 + "|")
        for label, row in res.rows.items():
            lines.append(
                f"| {label} | {_cell(row, 'actfn')} | {_cell(row, 'actfn out=')} "
                f"| {_num(row.gb_s, '.1f')} | {_num(row.pct_roof, '.0f')} "
                f"| {_cell(row, 'numpy (actfn fallback)')} | {_cell(row, 'numpy naive')} "
                f"| {_cell(row, 'torch')} | {_cell(row, 'jax')} "
                f"| {_ratio(row, 'torch')} | {_ratio(row, 'jax')} "
                f"| {row.small_us:.1f} / {row.small_alloc_us:.1f} |"
            )
    lines.append("")
    lines.append(
        "G el/s = 10⁹ elements per second for f and f′ together (median of the rounds, "
        "± interquartile range / median); GB/s counts 1 read + 2 writes per element; "
        "% roof = actfn out= / min(memory, vector-exp) ceiling, memory = the better of the "
        "one-read-two-write loop and copy bandwidth / 3 values (numba loops: a kernel can beat "
        "them); × torch, × jax "
        "= actfn / framework, with fresh outputs / with out=; torch = eager forward + autograd.grad, "
        "jax = jit(forward + vjp) with JAX's own thread pool; numpy fallback = actfn's "
        f"pure-NumPy path, timed on the first {FALLBACK_SIZE:,} elements. The JSON output "
        "(-o *.json) also has the best round of each."
    )
    return "\n".join(lines)


def save_figure(results: BenchResults, path: Path) -> None:
    """A bar chart of the rates (a panel per dtype, the roof dashed), written atomically
    to ``path`` in the format of its suffix (png, svg, pdf)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dts = list(results.dtypes)
    fig, axes = plt.subplots(len(dts), 1, figsize=(11, 3.6 * len(dts)), squeeze=False)
    for ax, dname in zip(axes[:, 0], dts, strict=True):
        res = results.dtypes[dname]
        labels = list(res.rows)
        w = 0.8 / len(IMPLEMENTATIONS)
        for j, impl in enumerate(IMPLEMENTATIONS):
            vals = [r.gel_s if (r := res.rows[lb].impls.get(impl)) else 0.0 for lb in labels]
            ax.bar(np.arange(len(labels)) + j * w, vals, w, label=impl)
        if res.roof_gel_s:
            ax.axhline(res.roof_gel_s, color="k", ls="--", lw=1, label="ceiling")
        ax.set_xticks(np.arange(len(labels)) + 0.4 - w / 2, labels, rotation=30)
        ax.set_ylabel("G elements/s (f and f′)")
        ax.set_title(f"{dname}, {results.size:,} elements, {results.threads} threads")
    axes[0, 0].legend(fontsize=7, ncol=4)
    fig.tight_layout()
    buf = io.BytesIO()
    fmt = path.suffix.lower()[1:]
    fig.savefig(buf, dpi=110, format=fmt, metadata=_safe_io.image_metadata(fmt))
    plt.close(fig)
    _safe_io.atomic_write_bytes(path, buf.getvalue())


def memory_needed(size: int, labels: list[str], dtypes: list[str]) -> int:
    """A lower estimate of the bytes one run holds at once: the float64 source array, and
    for the widest dtype the input, two ceiling outputs, two result buffers in flight
    and, per activation, its two ``out=`` buffers and the framework copies kept for the
    timing (torch: a ones cotangent; JAX: the input and a ones cotangent)."""
    from importlib.util import find_spec

    item = max((2 if d in ("float16", "bfloat16") else np.dtype(d).itemsize) for d in dtypes)
    per_label = 2 + (find_spec("torch") is not None) + 2 * (find_spec("jax") is not None)
    return size * (8 + item * (3 + 2 + per_label * len(labels)))


def physical_memory() -> int | None:
    """The machine's physical memory in bytes (``None`` where the OS does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


# -- torch layers: actfn.torch against torch.nn, forward + backward ------------------------------
#: The sizes of ``actfn bench --torch-layers``: a (64, 256) activation batch, then 2^16–2^24.
TORCH_LAYER_SHAPES: tuple[tuple[int, ...], ...] = ((64, 256), (1 << 16,), (1 << 20,), (1 << 24,))


@dataclass(frozen=True)
class LayerRow:
    """One (label, shape) of the torch-layer section: median seconds per forward+backward
    and IQR/median of actfn's layer and the ``torch.nn`` built-in, interleaved rounds."""

    label: str
    shape: tuple[int, ...]
    actfn_s: float
    actfn_spread: float
    torch_s: float
    torch_spread: float

    @property
    def ratio(self) -> float:
        """Speed relative to the built-in: built-in time / actfn time (≥ 1: as fast)."""
        return self.torch_s / self.actfn_s


def _layer_pair(label: str) -> tuple[Any, Any] | None:
    """(actfn.torch layer under torch.nn's name, the torch.nn built-in), or None."""
    import torch

    import actfn.torch as at

    name, params = PSEUDO.get(label, (label, {}))
    ours = at.native_class(name)
    if ours is None:
        return None
    return ours(**params), getattr(torch.nn, ours.__name__)(**params)


def run_torch_layers(labels: list[str], shapes: Iterable[tuple[int, ...]] = TORCH_LAYER_SHAPES,
                     threads: int = 2, repeats: int = 7,
                     echo: Callable[[str], None] = lambda s: None) -> list[LayerRow]:
    """Time forward+backward (``y = layer(x); y.backward(g)``) of actfn's layer and the
    torch.nn built-in on float32 CPU tensors, ``threads`` threads (torch and numba),
    ``repeats`` interleaved rounds of enough calls for ~20 ms; labels without a torch.nn
    layer are skipped."""
    import torch

    torch.set_num_threads(threads)
    try:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except ImportError:  # pragma: no cover - numba is the speed extra
        pass
    rows: list[LayerRow] = []
    gen = torch.Generator().manual_seed(0)
    for label in labels:
        pair = _layer_pair(label)
        if pair is None:
            echo(f"{label}: no torch.nn layer, skipped")
            continue
        for shape in shapes:
            x = (torch.randn(shape, generator=gen) * 3).requires_grad_()
            g = torch.ones(shape)

            def step(m: Any, x: Any = x, g: Any = g) -> None:
                x.grad = None
                m(x).backward(g)

            for m in pair:
                step(m)  # compile, warm up
            t0 = time.perf_counter()
            step(pair[1])
            calls = max(1, min(1000, int(0.02 / max(time.perf_counter() - t0, 1e-7))))
            times: list[list[float]] = [[], []]
            for _ in range(repeats):
                for i, m in enumerate(pair):
                    t = time.perf_counter()
                    for _ in range(calls):
                        step(m)
                    times[i].append((time.perf_counter() - t) / calls)
            (a, sa), (b, sb) = _median_spread(times[0]), _median_spread(times[1])
            rows.append(LayerRow(label, tuple(shape), a, sa, b, sb))
            echo(f"{label} {'x'.join(map(str, shape))}: {rows[-1].ratio:.2f}x")
    return rows


def format_torch_layers(rows: list[LayerRow]) -> str:
    """The torch-layer table: one line per (label, size), times in µs, ratio = built-in
    time / actfn time (≥ 1.0: at least as fast), spreads as IQR/median."""
    lines = [f"{'activation':<12} {'shape':>10} {'actfn µs':>11} {'±':>5} {'torch.nn µs':>12} "
             f"{'±':>5} {'ratio':>6}"]
    for r in rows:
        lines.append(f"{r.label:<12} {'x'.join(map(str, r.shape)):>10} {r.actfn_s * 1e6:>11.1f} "
                     f"{r.actfn_spread:>5.0%} {r.torch_s * 1e6:>12.1f} {r.torch_spread:>5.0%} "
                     f"{r.ratio:>6.2f}")
    return "\n".join(lines)
