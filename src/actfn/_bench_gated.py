r"""``actfn bench --gated``: fused gated layers against the eager composition (PyTorch, CPU).

For each gated unit (default: swiglu and geglu) and dtype (float32, bfloat16), on
``(gate, up)`` CPU tensors of one shape, forward + backward (``y = f(gate, up);
y.backward(dy)``) of

* ``actfn``: the fused ``actfn.torch.<unit>`` (saves only gate and up, recomputes both
  input gradients in one float64 pass, rounded once);
* ``eager``: the composition of the unit's knowledge file (``F.silu(gate) * up``...);
* ``compiled``: ``torch.compile`` of that composition (inductor; its compile time is
  reported), unless ``compile=False``.

Time: median seconds per step over ``repeats`` interleaved rounds (every implementation
once per round, so drifts of a shared machine hit all alike), the spread as IQR/median
(quartiles of ``statistics.quantiles``; with 3 or 4 rounds they are the extreme
values, so the spread is the range; below 3 rounds there is no estimate: ``None``, "n/a"),
and the ratio eager/actfn from the same run. Memory: the bytes the forward saves for the
backward (``torch.autograd.graph.saved_tensors_hooks``) and the peak of the bytes
allocated during one step beyond the inputs (``torch.profiler`` memory events, summed in
time order). The profiler's kineto library writes "USDT ... profiler_start/stop" lines
to the process's stderr (file descriptor 2) on every use: :func:`_quiet_profiler`
drops exactly those and passes every other line on. No GPU is measured here.
"""

from __future__ import annotations

import contextlib
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["GATED_DEFAULT", "GatedRow", "run_gated_bench", "format_gated"]

#: The units measured by default (the fused SwiGLU/GeGLU of issue 13).
GATED_DEFAULT = ("swiglu", "geglu")


@dataclass(frozen=True)
class GatedRow:
    """One (unit, dtype, implementation): median s per forward+backward, IQR/median,
    saved bytes per element of the output, peak extra bytes per element of the output,
    and the compile time (``compiled`` only)."""

    unit: str
    dtype: str
    impl: str
    seconds: float
    spread: float | None
    saved_per_el: float
    peak_per_el: float | None
    compile_s: float | None = None


#: Fewest rounds for a spread estimate (with fewer, a spread of 0 % would be made up).
MIN_SPREAD_ROUNDS = 3
#: The profiler's own stderr lines, dropped by :func:`_quiet_profiler`.
_PROFILER_NOISE = re.compile(r"^USDT:.*\bprofiler_(start|stop)\s*$")


def _median_spread(ts: list[float]) -> tuple[float, float | None]:
    """(median, (Q3 − Q1)/median); the spread is None below :data:`MIN_SPREAD_ROUNDS`."""
    m = statistics.median(ts)
    if len(ts) < MIN_SPREAD_ROUNDS:
        return m, None
    q = statistics.quantiles(ts, n=4)
    return m, (q[2] - q[0]) / m


@contextlib.contextmanager
def _quiet_profiler() -> Iterator[None]:
    """Run the body with file descriptor 2 sent to a temporary file, then write that
    file's lines back to ``sys.stderr`` except the profiler's "USDT ... profiler_start"
    and "profiler_stop" lines (kineto writes them from C++, past ``sys.stderr``): real
    warnings and errors still show. Where descriptor 2 cannot be redirected, a no-op."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # pragma: no cover - no descriptor 2
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            kept = [line for line in tmp.read().decode("utf-8", "replace").splitlines(True)
                    if not _PROFILER_NOISE.match(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def _composition(name: str) -> Callable[[Any, Any], Any]:
    import torch
    import torch.nn.functional as F  # noqa: N812

    from . import get

    act = get(name)
    eq = act.spec.knowledge.equivalent("PyTorch")
    if eq is None or not eq.call:
        raise ValueError(f"{name}: its knowledge file has no PyTorch call to compare with")
    code = compile(eq.call, f"<{name} PyTorch call>", "eval")
    scope = {"torch": torch, "F": F}
    params = act.params

    def fn(gate: Any, up: Any) -> Any:
        return eval(code, scope, {"gate": gate, "up": up, **params})  # noqa: S307

    return fn


def _saved_bytes(fn: Callable[[Any, Any], Any], g: Any, u: Any) -> int:
    import torch

    total = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        total[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(g, u)
    return total[0]


def _peak_bytes(fn: Callable[[Any, Any], Any], g: Any, u: Any, dy: Any) -> int | None:
    """Peak of the bytes allocated (net of frees) during one ``fn(g, u).backward(dy)``
    (gradients cleared before, so no free of an older block is seen), from the
    profiler's memory events; None where the profiler gives none."""
    from torch.profiler import ProfilerActivity, profile

    g.grad = u.grad = None
    with _quiet_profiler(), profile(activities=[ProfilerActivity.CPU],
                                    profile_memory=True) as prof:
        fn(g, u).backward(dy)
    try:
        events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
        cur = best = 0
        for e in sorted(events, key=lambda e: e.start_ns()):
            cur += e.nbytes()
            best = max(best, cur)
    except (AttributeError, RuntimeError):  # pragma: no cover - profiler internals moved
        return None
    return best if events else None


def run_gated_bench(units: Iterable[str] = GATED_DEFAULT, shape: tuple[int, ...] = (2048, 4096),
                    dtypes: Iterable[str] = ("float32", "bfloat16"), threads: int = 2,
                    repeats: int = 7, compile: bool = True, memory: bool = True,
                    echo: Callable[[str], None] = lambda s: None) -> list[GatedRow]:
    """Measure (see the module docstring); ``threads`` sets torch's (and numba's) threads."""
    import torch

    from . import torch as at
    from ._gated_layers import gated_spec

    torch.set_num_threads(threads)
    rows: list[GatedRow] = []
    gen = torch.Generator().manual_seed(0)
    for unit in units:
        name = gated_spec(unit).name
        ours = getattr(at, name)
        eager = _composition(name)
        for dtype_name in dtypes:
            dtype = getattr(torch, dtype_name)
            g = torch.randn(shape, generator=gen).to(dtype).requires_grad_()
            u = torch.randn(shape, generator=gen).to(dtype).requires_grad_()
            dy = torch.randn(shape, generator=gen).to(dtype)
            impls: dict[str, Callable[[Any, Any], Any]] = {"actfn": ours, "eager": eager}
            compile_s: float | None = None
            if compile:
                torch._dynamo.reset()
                impls["compiled"] = torch.compile(eager, dynamic=False)

            def step(fn: Callable[[Any, Any], Any], g: Any = g, u: Any = u,
                     dy: Any = dy) -> None:
                g.grad = u.grad = None
                fn(g, u).backward(dy)

            for impl, fn in impls.items():
                t = time.perf_counter()
                step(fn)  # warm up (compiles)
                if impl == "compiled":
                    compile_s = time.perf_counter() - t
            times: dict[str, list[float]] = {k: [] for k in impls}
            for _ in range(repeats):
                for impl, fn in impls.items():
                    t = time.perf_counter()
                    step(fn)
                    times[impl].append(time.perf_counter() - t)
            n = g.numel()
            for impl, fn in impls.items():
                med, spread = _median_spread(times[impl])
                saved = _saved_bytes(fn, g, u) / n
                peak = _peak_bytes(fn, g, u, dy) if memory else None
                rows.append(GatedRow(name, dtype_name, impl, med, spread, saved,
                                     None if peak is None else peak / n,
                                     compile_s if impl == "compiled" else None))
            echo(f"{name} {dtype_name}: eager/actfn "
                 f"{statistics.median(times['eager']) / statistics.median(times['actfn']):.2f}x")
    return rows


def format_gated(rows: list[GatedRow]) -> str:
    """Markdown table: per (unit, dtype, implementation) ms per forward+backward with its
    spread ("n/a" below :data:`MIN_SPREAD_ROUNDS` rounds), the ratio to actfn's time (> 1: slower than actfn), saved and peak bytes per
    element."""
    lines = ["| unit | dtype | implementation | ms fwd+bwd | ± | time / actfn | "
             "saved B/el | peak B/el | compile s |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    base = {(r.unit, r.dtype): r.seconds for r in rows if r.impl == "actfn"}
    for r in rows:
        peak = "-" if r.peak_per_el is None else f"{r.peak_per_el:.1f}"
        comp = "-" if r.compile_s is None else f"{r.compile_s:.1f}"
        spread = "n/a" if r.spread is None else f"{r.spread:.0%}"
        lines.append(f"| {r.unit} | {r.dtype} | {r.impl} | {r.seconds * 1e3:.2f} | "
                     f"{spread} | {r.seconds / base[(r.unit, r.dtype)]:.2f} | "
                     f"{r.saved_per_el:.1f} | {peak} | {comp} |")
    return "\n".join(lines)
