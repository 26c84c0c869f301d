"""``actfn bench``: f and f′ together, against NumPy, PyTorch, JAX and the machine.

One run measures, interleaved (every implementation once per round, rounds repeated)
so that slow drifts of the machine hit all of them alike:

* ``actfn``: ``value_and_derivative(x)`` (fresh outputs) and with ``out=`` (reused);
* ``numpy``: actfn's pure-NumPy path (the fallback without numba) and, where there is
  one, the textbook NumPy formula (``naive``);
* ``torch``: eager forward + ``autograd.grad`` with a ones cotangent (= f′ for an
  elementwise f), ``jax``: ``jit`` of forward + ``vjp``; both from the framework call
  recorded in the registry (``spec.knowledge.frameworks``), when installed;
* machine ceilings: one-read-two-write (the traffic of f and f′ from x), streaming
  copy, and a vectorized float64 exp loop (the arithmetic of the exp-based kernels).

Reported per activation: median G elements/s with the spread of the rounds
(interquartile range / median), GB/s moved by actfn, % of min(memory ceiling, exp
ceiling), the ratios to torch and JAX, and µs per call at 2**10 elements. The spread of
the ceilings and the load average are printed too: on a shared machine they say how
far to trust the other numbers.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from . import _safe_io, get, lookup, names
from ._cli_common import CLIError, guarded, help_text

__all__ = ["register", "run_bench", "format_table", "SEEDS"]

#: The activations the speed targets of issue 6 are about (gelu_tanh = gelu, tanh form).
SEEDS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu",
         "gelu_tanh")
_DTYPES = ("float16", "bfloat16", "float32", "float64")
_PSEUDO = {"gelu_tanh": ("gelu", {"approximate": "tanh"})}
#: The pure-NumPy path is timed on the first 2**20 elements only (rates are per element).
FALLBACK_SIZE = 1 << 20


def _activation(label: str) -> Any:
    name, params = _PSEUDO.get(label, (label, {}))
    return get(name, **params)


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
    name, params = _PSEUDO.get(label, (label, {}))
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

        from ._fast._vmath import exp_v
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

    # compiled like the activation loops: FMA contraction below float64 only
    exp_plain = numba.njit(parallel=True, error_model="numpy")(vector_exp)
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
              small: int = 1024, echo: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure every label × dtype; returns a JSON-ready dict (see the module docstring)."""
    from . import _fast

    say = echo or (lambda s: None)
    try:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except Exception:
        numba = None
    naive = _naive_table()
    rng = np.random.default_rng(20261123)
    base = rng.normal(0.0, 3.0, size)
    results: dict[str, Any] = {
        "size": size, "threads": threads, "repeats": repeats, "small": small,
        "machine": {"cpu": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count(), "load_before": os.getloadavg()},
        "compiled": _fast.available(), "dtypes": {},
    }
    ceil_k = _ceiling_kernels()
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
        res = _summarize(labels, times, small_t, size, dt.itemsize)
        results["dtypes"][dname] = res
    results["machine"]["load_after"] = os.getloadavg()
    return results


def _bf16() -> Any:
    import ml_dtypes

    return ml_dtypes.bfloat16


def _summarize(labels: list[str], times: dict[tuple[str, str], list[float]],
               small_t: dict[str, list[float]], size: int, itemsize: int) -> dict[str, Any]:
    def rate(key: tuple[str, str]) -> tuple[float, float] | None:
        if key not in times:
            return None
        med, spread = _median_spread(times[key])
        n = min(size, FALLBACK_SIZE) if key[1] == "numpy (actfn fallback)" else size
        best_rate[key] = n / min(times[key]) / 1e9
        return n / med / 1e9, spread

    best_rate: dict[tuple[str, str], float] = {}

    ceil: dict[str, Any] = {}
    for k, nbytes in (("r1w2", 3), ("copy", 2), ("exp", 2)):
        r = rate(("@ceiling", k))
        if r is not None:
            ceil[k] = {"gel_s": r[0], "gb_s": r[0] * nbytes * itemsize, "spread": r[1]}
    # memory ceiling for f and f′: the better of the one-read-two-write loop and the
    # streaming copy's bandwidth spent on 3 values per element
    mem_opts = [ceil["r1w2"]["gel_s"]] if "r1w2" in ceil else []
    if "copy" in ceil:
        mem_opts.append(ceil["copy"]["gb_s"] / (3 * itemsize))
    mem = max(mem_opts) if mem_opts else None
    expc = ceil.get("exp", {}).get("gel_s")
    roof = min(v for v in (mem, expc) if v) if (mem or expc) else None
    rows = {}
    for label in labels:
        row: dict[str, Any] = {}
        for impl in ("actfn", "actfn out=", "numpy (actfn fallback)", "numpy naive", "torch",
                     "jax"):
            r = rate((label, impl))
            if r is not None:
                row[impl] = {"gel_s": r[0], "spread": r[1], "best_gel_s": best_rate[(label, impl)]}
        best = row.get("actfn out=", row.get("actfn"))
        if best is not None:
            g = best["gel_s"]
            row["gb_s"] = g * 3 * itemsize
            row["pct_mem"] = 100 * g / mem if mem else None
            row["pct_roof"] = 100 * g / roof if roof else None
            for fw in ("torch", "jax"):
                if fw in row:
                    row[f"x_{fw}"] = row["actfn"]["gel_s"] / row[fw]["gel_s"]
                    row[f"x_{fw}_out"] = g / row[fw]["gel_s"]
        row["small_us"] = statistics.median(small_t[label]) * 1e6
        row["small_alloc_us"] = statistics.median(small_t[label + "@alloc"]) * 1e6
        rows[label] = row
    return {"ceilings": ceil, "memory_gel_s": mem, "roof_gel_s": roof, "rows": rows}


# -- output ------------------------------------------------------------------------------------
def _fmt(v: Any, spec: str = ".2f") -> str:
    return "—" if v is None else format(v, spec)


def _ratio(row: dict[str, Any], fw: str) -> str:
    if f"x_{fw}" not in row:
        return "—"
    return f"{row[f'x_{fw}']:.2f} / {row[f'x_{fw}_out']:.2f}"


def format_table(results: dict[str, Any]) -> str:
    """Markdown tables of :func:`run_bench`'s results."""
    lines = []
    m = results["machine"]
    lines.append(
        f"size {results['size']:,} elements, {results['threads']} threads, "
        f"{results['repeats']} interleaved rounds; {m['cpus']} CPUs ({m['cpu']}); "
        f"load average before/after {m['load_before'][0]:.2f}/{m['load_after'][0]:.2f}; "
        f"compiled path: {'on' if results['compiled'] else 'OFF (pure NumPy)'}"
    )
    for dname, res in results["dtypes"].items():
        lines.append("")
        c = res["ceilings"]
        parts = [f"{k} {v['gel_s']:.3f} G el/s = {v['gb_s']:.1f} GB/s (spread "
                 f"{100 * v['spread']:.0f}%)" for k, v in c.items()]
        lines.append(f"**{dname}** ceilings: " + "; ".join(parts))
        if res.get("roof_gel_s"):
            lines.append(f"→ memory ceiling for f and f′ {res['memory_gel_s']:.3f} G el/s, "
                         f"roof min(memory, exp) {res['roof_gel_s']:.3f} G el/s")
        lines.append("")
        lines.append("| activation | actfn | actfn out= | GB/s | % roof | numpy fallback | "
                     "numpy naive | torch | jax | × torch | × jax | 2^10 µs (out=/alloc) |")
        lines.append("|---" * 12 + "|")
        for label, row in res["rows"].items():
            def g(impl: str, row: dict[str, Any] = row) -> str:
                r = row.get(impl)
                return "—" if r is None else f"{r['gel_s']:.3f} ±{100 * r['spread']:.0f}%"

            lines.append(
                f"| {label} | {g('actfn')} | {g('actfn out=')} | {_fmt(row.get('gb_s'), '.1f')} "
                f"| {_fmt(row.get('pct_roof'), '.0f')} | {g('numpy (actfn fallback)')} "
                f"| {g('numpy naive')} | {g('torch')} | {g('jax')} "
                f"| {_ratio(row, 'torch')} | {_ratio(row, 'jax')} "
                f"| {row['small_us']:.1f} / {row['small_alloc_us']:.1f} |"
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


def _figure(results: dict[str, Any], path: Path) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dts = list(results["dtypes"])
    fig, axes = plt.subplots(len(dts), 1, figsize=(11, 3.6 * len(dts)), squeeze=False)
    impls = ["actfn", "actfn out=", "numpy (actfn fallback)", "numpy naive", "torch", "jax"]
    for ax, dname in zip(axes[:, 0], dts, strict=True):
        res = results["dtypes"][dname]
        labels = list(res["rows"])
        w = 0.8 / len(impls)
        for j, impl in enumerate(impls):
            vals = [res["rows"][lb].get(impl, {}).get("gel_s", 0.0) for lb in labels]
            ax.bar(np.arange(len(labels)) + j * w, vals, w, label=impl)
        if res.get("roof_gel_s"):
            ax.axhline(res["roof_gel_s"], color="k", ls="--", lw=1, label="ceiling")
        ax.set_xticks(np.arange(len(labels)) + 0.4 - w / 2, labels, rotation=30)
        ax.set_ylabel("G elements/s (f and f′)")
        ax.set_title(f"{dname}, {results['size']:,} elements, {results['threads']} threads")
    axes[0, 0].legend(fontsize=7, ncol=4)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format=path.suffix.lower()[1:])
    plt.close(fig)
    _safe_io.atomic_write_bytes(path, buf.getvalue())


#: Largest --size accepted before the memory check (beyond it even the exponent is silly).
_MAX_SIZE = 1 << 62


def _parse_size(text: str) -> int:
    """``--size``: an integer such as ``16777216``, ``1e6`` or ``2^24`` (checked, not
    computed, when absurdly large)."""
    t = text.strip().lower().replace("**", "^")
    bad = CLIError(f"--size {text!r} is not an integer (e.g. 16777216 or 2^24)")
    try:
        if "^" in t:
            b, e = (int(v) for v in t.split("^", 1))
            if b >= 2 and e > 0 and e * math.log2(b) > 62:
                raise CLIError(f"--size {text!r} is too large (more than 2^62 elements)")
            n = b**e if e >= 0 else 0
        else:
            try:
                n = int(t)
            except ValueError:
                v = float(t)
                if math.isinf(v):
                    raise CLIError(f"--size {text!r} is too large (infinite)") from None
                if v != int(v):
                    raise bad from None
                n = int(v)
    except (ValueError, OverflowError):
        raise bad from None
    if n < 1:
        raise CLIError(f"--size must be at least 1, got {n}")
    if n > _MAX_SIZE:
        raise CLIError(f"--size {text!r} is too large (more than 2^62 elements)")
    return n


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def memory_needed(size: int, labels: list[str], dtypes: list[str]) -> int:
    """A lower estimate of the bytes one run holds at once: the float64 source array, and
    for the widest dtype the input, two ceiling outputs, two result buffers in flight
    and, per activation, its two ``out=`` buffers and the framework copies kept for the
    timing (torch: a ones cotangent; JAX: the input and a ones cotangent)."""
    from importlib.util import find_spec

    item = max((2 if d in ("float16", "bfloat16") else np.dtype(d).itemsize) for d in dtypes)
    per_label = 2 + (find_spec("torch") is not None) + 2 * (find_spec("jax") is not None)
    return size * (8 + item * (3 + 2 + per_label * len(labels)))


def _physical_memory() -> int | None:
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def _check_memory(size: int, labels: list[str], dtypes: list[str], text: str) -> None:
    need = memory_needed(size, labels, dtypes)
    have = _physical_memory()
    if have is not None and need > have:
        raise CLIError(f"--size {text} needs about {_bytes(need)} of memory for "
                       f"{len(labels)} activation(s); this machine has {_bytes(have)}")


def cmd_bench(
    names_: Annotated[list[str] | None, typer.Argument(
        metavar="[NAME ...]", help="activations (default: the seed set; 'all' for every one; "
        "gelu_tanh = gelu with approximate='tanh')")] = None,
    size: Annotated[str, typer.Option("--size", help="elements per array (e.g. 2^24)")] = "2^24",
    dtype: Annotated[list[str] | None, typer.Option(
        "--dtype", help="float16, bfloat16, float32 or float64 (repeatable)")] = None,
    threads: Annotated[int, typer.Option("--threads", help="threads for actfn/torch")] = 0,
    repeats: Annotated[int, typer.Option("--repeats", help="interleaved rounds")] = 7,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="also write a figure (.png/.svg/.pdf) or the data (.json)")] = None,
) -> None:
    """Benchmark f and f′ against NumPy, PyTorch and JAX.

    f and f′ come from value_and_derivative; the machine's own ceilings (memory copy,
    one exp per element) are measured in the same run.
    """
    labels = list(names_ or SEEDS)
    if labels == ["all"]:
        labels = names()
    for lb in labels:
        if lb not in _PSEUDO:
            lookup(lb)  # unknown names: one-line error with suggestions
    dtypes = list(dtype or ["float32"])
    for d in dtypes:
        if d not in _DTYPES:
            raise CLIError(f"--dtype {d!r} is not one of {', '.join(_DTYPES)}")
    if repeats < 1:
        raise CLIError("--repeats must be at least 1")
    n = _parse_size(size)
    nthreads = threads or (os.cpu_count() or 1)
    if nthreads < 1:
        raise CLIError("--threads must be at least 1")
    if output is not None:
        if output.suffix.lower() not in (".png", ".svg", ".pdf", ".json"):
            raise CLIError(f"-o {output}: use a .png, .svg, .pdf or .json file name")
        _safe_io.check_output_file(output)  # before minutes of work
    _check_memory(n, labels, dtypes, size)
    results = run_bench(labels, n, dtypes, nthreads, repeats,
                        small=min(1024, n), echo=lambda s: typer.echo(s, err=True))
    typer.echo(format_table(results))
    if output is not None:
        if output.suffix.lower() == ".json":
            _safe_io.atomic_write_text(output, json.dumps(results, indent=1))
        else:
            _figure(results, output)
        typer.echo(f"wrote {output}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``actfn bench`` to the ``actfn`` Typer app."""
    app.command("bench", help=help_text(cmd_bench))(guarded(cmd_bench))
