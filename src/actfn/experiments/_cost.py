r"""Cost of f and f′ relative to ReLU: instruction counts, plus timing in fresh processes.

**Instruction counts** (deciding): actfn's NumPy float64 kernels (``act(x)`` and
``act.derivative(x)`` with the compiled path disabled) run under
``valgrind --tool=callgrind`` in one process. Collection is switched on only inside
``itertools.starmap``'s ``__next__`` (``--collect-atstart=no --toggle-collect=starmap_next``)
and a profile is dumped after each call (``--dump-after=starmap_next``), so each dump
counts exactly one kernel call on :math:`n` elements and nothing of the interpreter's
start-up. Instruction counts repeat to a few parts per million whatever else the machine
does; they cover the instruction set valgrind emulates (no AVX-512), not cache misses.

**Timing** (context, and a check): ``processes`` fresh Python processes, each timing every
kernel in interleaved rounds (each round calls every kernel once, so load changes hit
all alike) and reporting per-kernel medians; the ratio to ReLU per process is summarised
by the mean of its logarithm with a t-interval over processes (``scipy.stats``).

A claim about cost is decided on the instruction ratio against a ±``margin`` band
("within ±10 % = same cost"); timing intervals are reported beside it.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["KERNELS", "instructions", "timings", "run_part", "merge", "plot", "table",
           "hardware"]

#: Kernels measured: name → (actfn name, parameters).
KERNELS: dict[str, tuple[str, dict[str, Any]]] = {
    "relu": ("relu", {}), "leaky_relu": ("leaky_relu", {}), "prelu": ("prelu", {}),
    "sigmoid": ("sigmoid", {}), "tanh": ("tanh", {}), "elu": ("elu", {}),
    "celu": ("celu", {}), "selu": ("selu", {}), "gelu": ("gelu", {}),
    "gelu_tanh": ("gelu", {"approximate": "tanh"}),
}

_WORKER = r"""
import itertools, json, sys, time
import numpy as np
import actfn
from actfn import _fast
spec = json.loads(sys.argv[1])
x = np.random.default_rng(0).standard_normal(spec["n"]) * 3.0
acts = {k: actfn.get(n, **p) for k, (n, p) in spec["kernels"].items()}
calls = []
for k, a in acts.items():
    calls.append((k, "f", a.__call__))
    calls.append((k, "df", a.derivative))
with _fast.disabled():
    for _, _, fn in calls:   # warm-up: imports, caches
        fn(x[:64])
    if spec["mode"] == "count":
        for k, which, fn in calls:
            for _ in itertools.starmap(fn, [(x,)]):
                pass
        print(json.dumps([[k, w] for k, w, _ in calls]))
    else:
        times = {f"{k}/{w}": [] for k, w, _ in calls}
        for r in range(spec["rounds"] + 1):
            for k, which, fn in calls:
                t0 = time.perf_counter(); fn(x); t = time.perf_counter() - t0
                if r:
                    times[f"{k}/{which}"].append(t)
        print(json.dumps({k: float(np.median(v)) for k, v in times.items()}))
"""


def _python() -> str:
    """The real interpreter (not a launcher script, which valgrind would trace instead)."""
    return os.path.realpath(sys.executable)


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONHASHSEED"] = "0"
    env["OMP_NUM_THREADS"] = "1"
    return env


def hardware() -> str:
    """The CPU model and platform the figures were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}; {platform.system()} {platform.machine()}; NumPy {np.__version__}"


def instructions(n: int, kernels: Mapping[str, tuple[str, dict[str, Any]]] = KERNELS
                 ) -> dict[str, dict[str, float]]:
    """Instructions per element of f and f′ for each kernel (callgrind, one process)."""
    vg = shutil.which("valgrind")
    if vg is None:
        raise RuntimeError("valgrind not found: instruction counts need "
                           "`valgrind --tool=callgrind`")
    spec = json.dumps({"n": n, "kernels": kernels, "mode": "count"})
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        proc = subprocess.run(
            [vg, "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=starmap_next",
             "--dump-after=starmap_next", f"--callgrind-out-file={out}", _python(), "-c",
             _WORKER, spec], capture_output=True, text=True, env=_env(), check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"callgrind failed: {proc.stderr.strip().splitlines()[-1:]}")
        order = json.loads(proc.stdout.strip().splitlines()[-1])
        dumps = sorted((p for p in os.listdir(tmp) if p.startswith("cg.out.")),
                       key=lambda p: int(p.rsplit(".", 1)[1]))
        counts = []
        for name in dumps:
            for line in Path(tmp, name).read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    counts.append(int(line.split()[1]))
                    break
    # each measured call gives two dumps: the call itself, then starmap's StopIteration
    work = counts[0::2]
    if len(work) != len(order):
        raise RuntimeError(f"callgrind gave {len(counts)} dumps for {len(order)} kernels")
    res: dict[str, dict[str, float]] = {}
    for (k, which), c in zip(order, work, strict=True):
        res.setdefault(k, {})[which] = c / n
    return res


def timings(n: int, rounds: int, processes: int,
            kernels: Mapping[str, tuple[str, dict[str, Any]]] = KERNELS
            ) -> list[dict[str, float]]:
    """Median seconds per call of every kernel's f and f′, one dict per fresh process."""
    spec = json.dumps({"n": n, "kernels": kernels, "mode": "time", "rounds": rounds})
    out = []
    for _ in range(processes):
        proc = subprocess.run([_python(), "-c", _WORKER, spec], capture_output=True, text=True,
                              env=_env(), check=True)
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def run_part(part: str, cfg: Mapping[str, Any]) -> dict[str, Any]:
    """``part`` is ``"instructions"`` or ``"timing"``."""
    if part == "instructions":
        try:
            return {"per_element": instructions(cfg["n_count"]), "n": cfg["n_count"]}
        except RuntimeError as exc:
            return {"error": str(exc)}
    return {"processes": timings(cfg["n_time"], cfg["rounds"], cfg["processes"]),
            "n": cfg["n_time"]}


def merge(cfg: Mapping[str, Any], parts: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Instruction ratios to ReLU and timing ratios (log-mean with t-interval)."""
    from scipy import stats

    out: dict[str, Any] = {"config": dict(cfg), "hardware": hardware(),
                           "instructions": parts.get("instructions", {}), "timing": {}}
    ins = out["instructions"].get("per_element")
    if ins:
        base = ins["relu"]
        out["instruction_ratio"] = {
            k: {w: v[w] / base[w] for w in ("f", "df")} | {
                "fdf": (v["f"] + v["df"]) / (base["f"] + base["df"])} for k, v in ins.items()}
    procs = parts.get("timing", {}).get("processes", [])
    for k in KERNELS:
        row: dict[str, Any] = {}
        for which in ("f", "df", "fdf"):
            logs = []
            for p in procs:
                if which == "fdf":
                    num = p[f"{k}/f"] + p[f"{k}/df"]
                    den = p["relu/f"] + p["relu/df"]
                else:
                    num, den = p[f"{k}/{which}"], p[f"relu/{which}"]
                logs.append(np.log(num / den))
            if len(logs) >= 2:
                ci = stats.ttest_1samp(logs, 0.0).confidence_interval(0.95)
                row[which] = [float(np.exp(np.mean(logs))), float(np.exp(ci.low)),
                              float(np.exp(ci.high))]
        out["timing"][k] = row
    return out


def plot(data: Mapping[str, Any], path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(1, 1, width=7, height=3.8)
    ax = axes[0][0]
    ratio = data.get("instruction_ratio", {})
    names = sorted(ratio, key=lambda k: ratio[k]["fdf"])
    xs = np.arange(len(names))
    ax.bar(xs - 0.2, [ratio[k]["fdf"] for k in names], 0.4, label="instructions (callgrind)")
    t = data["timing"]
    mid = [t[k]["fdf"][0] if t.get(k, {}).get("fdf") else np.nan for k in names]
    err = [[m - t[k]["fdf"][1] for m, k in zip(mid, names, strict=True)],
           [t[k]["fdf"][2] - m for m, k in zip(mid, names, strict=True)]] if all(
        t.get(k, {}).get("fdf") for k in names) else None
    ax.bar(xs + 0.2, mid, 0.4, yerr=err, capsize=3, label="time (fresh processes, 95 % CI)")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_yscale("log")
    ax.set_xticks(xs, names, rotation=45)
    ax.set_title("actfn NumPy float64, f + f′ per element relative to ReLU", fontsize=9)
    ax.legend(fontsize=7)
    save_figure(fig, path)


def table(data: Mapping[str, Any]) -> list[str]:
    """Markdown rows: instructions per element and ratios to ReLU, with timing."""
    ins = data.get("instructions", {}).get("per_element")
    if not ins:
        return [f"No instruction counts: {data.get('instructions', {}).get('error', 'not run')}."]
    rows = [f"Hardware: {data['hardware']}.", "",
            "| kernel | instr./element f | f′ | (f+f′)/ReLU's | time ratio f+f′ (95 % CI) |",
            "|---|---|---|---|---|"]
    r = data["instruction_ratio"]
    for k in sorted(ins, key=lambda k: r[k]["fdf"]):
        t = data["timing"].get(k, {}).get("fdf")
        tt = f"×{t[0]:.2f} [{t[1]:.2f}, {t[2]:.2f}]" if t else "–"
        rows.append(f"| {k} | {ins[k]['f']:.1f} | {ins[k]['df']:.1f} | ×{r[k]['fdf']:.2f} | "
                    f"{tt} |")
    return rows


def fresh_ratio(procs: Sequence[Mapping[str, float]], k: str) -> float:
    """Median over processes of kernel ``k``'s (f+f′) time over ReLU's."""
    return float(np.median([(p[f"{k}/f"] + p[f"{k}/df"]) / (p["relu/f"] + p["relu/df"])
                            for p in procs]))
