"""Running the experiments a set of claims needs, judging, and writing the report."""

from __future__ import annotations

import difflib
import json
import math
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._safe_io import OwnedDir
from . import _cost, _depth, _moments, _selu, _shape, _train
from ._claims import CLAIMS
from ._core import SEEDS, Claim, Experiment, Verdict

__all__ = ["EXPERIMENTS", "resolve", "run", "judge", "write_report", "report_dir"]

#: How the claims report marks its folder (see :class:`actfn._safe_io.OwnedDir`).
REPORT_TOOL = "actfn claims run"

EXPERIMENTS: dict[str, Experiment] = {e.id: e for e in (
    Experiment("selu-fixed-point", "SELU moment fixed point",
               "Solve the moment fixed-point equations of Klambauer et al. (2017) for (alpha, "
               "scale) with `actfn.selu_parameters`, for the default target (0, 1) and five "
               "others; Jacobian of the moment map by Richardson-extrapolated central "
               "differences; the map iterated from five starting points.",
               _selu.run, _selu.plot),
    Experiment("self-normalization", "Self-normalization through depth",
               "Standard-normal inputs through 100 random square dense layers (no bias), "
               "weights N(0, 1/n) (LeCun) or N(0, 2/n) (He); mean and variance over all units "
               "and samples after each layer; actfn's f in float64.",
               _depth.run_depth, _depth.plot_depth),
    Experiment("vanishing-gradients", "Vanishing gradients against depth",
               "Random dense networks of depth 2 to 64 with a fixed random linear read-out; "
               "backpropagation with actfn's f′ (NumPy, float64); norm of the gradient of the "
               "first layer's weights, for LeCun and He init.",
               _depth.run_gradients, _depth.plot_gradients),
    Experiment("zero-centred", "Output moments for a standard-normal input",
               "E f(X), Var f(X) and P(f(X) = 0) for X ~ N(0, 1) and every activation in "
               "`actfn.names()` at default parameters, by composite Gauss–Legendre "
               "quadrature split at the kinks.",
               _moments.run, _moments.plot, _moments.table),
    Experiment("dead-units", "Dead units after training",
               "MLP with 3 hidden layers on scikit-learn's digits, Adam with lr 1e-3 and 3e-2; "
               "afterwards, per hidden unit, is |f′(z)| ≤ 1e-3 (actfn's derivative) on every "
               "training sample?",
               _train.run_dead_units, _train.plot_dead),
    Experiment("smoothness", "Smoothness and limits",
               "One-sided limits of f′ and f″ at 0 for ELU and CELU over alpha; "
               "sup |celu − relu| and sup |celu′ − relu′| for alpha from 1e-4 to 1; "
               "alpha = 0 in actfn and PyTorch; GELU's second derivative.",
               _shape.run_smoothness, _shape.plot_smoothness),
    Experiment("approximations", "GELU approximations",
               "Maximum absolute error of the tanh and sigmoid approximations of GELU and of "
               "their derivatives over the real line (grid plus bounded maximiser).",
               _shape.run_approximations, _shape.plot_approximations),
    Experiment("cost", "Cost per element",
               "Median time of f and of the backward pass per element in PyTorch float32 "
               "(1M elements) relative to ReLU, interleaved repeats, noise as relative IQR; "
               "a dense 256×256 layer for scale; actfn's own NumPy kernels for every "
               "activation.",
               _cost.run, _cost.plot, _cost.table),
    Experiment("training", "Training comparison",
               "MLP 2×128 on digits and breast cancer (standardised, stratified 75/25 split), "
               "Adam lr 1e-3, batch 64, each seed activation, several seeds; test accuracy and "
               "epochs until the full training loss ≤ 0.05. PyTorch built-in activations "
               "(checked against actfn), init: LeCun for SELU, Glorot for sigmoid/tanh, He "
               "otherwise.",
               _train.run_training, _train.plot_training),
    Experiment("deep-training", "Deep networks: SELU vs ReLU with and without BatchNorm",
               "Deep narrow MLPs (width 64) on digits, Adam lr 1e-3: SELU with LeCun init and "
               "no normalisation, ReLU with He init, ReLU + BatchNorm, and SELU with He init.",
               _train.run_deep, _train.plot_deep),
    Experiment("celu-alpha", "CELU alpha sweep",
               "CELU with alpha in {0.1, 0.5, 1, 2, 4}, same MLP and data (digits).",
               _train.run_celu_alpha, _train.plot_sweep),
    Experiment("gelu-variants", "GELU exact vs approximations in training",
               "Exact GELU, tanh approximation and x·σ(1.702x), same MLP on digits.",
               _train.run_gelu_variants, _train.plot_sweep),
)}


def resolve(ids: Sequence[str] = ()) -> list[Claim]:
    """Claims picked by claim id or experiment id, in report order (all if empty)."""
    if not ids:
        return list(CLAIMS)
    by_id = {c.id: c for c in CLAIMS}
    chosen: list[str] = []
    for i in ids:
        if i in by_id:
            chosen.append(i)
        elif i in EXPERIMENTS:
            chosen += [c.id for c in CLAIMS if i in c.experiments]
        else:
            close = difflib.get_close_matches(i, list(by_id) + list(EXPERIMENTS), n=3, cutoff=0.4)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"unknown claim or experiment id {i!r}{hint} "
                             "(`actfn claims` lists them)")
    keep = set(chosen)
    return [c for c in CLAIMS if c.id in keep]


def run(claims: Sequence[Claim], *, quick: bool = False, threads: int = 1,
        on_start: Callable[[str, int], None] | None = None,
        on_step: Callable[[], None] | None = None) -> dict[str, Any]:
    """Run every experiment the claims need; returns ``{"results", "timings", ...}``.

    ``on_start(experiment_id, index)`` is called before each experiment and
    ``on_step()`` on the experiment's progress ticks (for a progress bar).
    """
    if threads not in (1, 2):
        raise ValueError(f"threads={threads!r} must be 1 or 2")
    needed = [e for e in EXPERIMENTS if any(e in c.experiments for c in claims)]
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    with _train.torch_threads(threads):
        for k, eid in enumerate(needed):
            if on_start:
                on_start(eid, k)
            t0 = time.perf_counter()
            results[eid] = EXPERIMENTS[eid].run(quick=quick, progress=on_step)
            timings[eid] = time.perf_counter() - t0
    return {"results": results, "timings": timings, "quick": quick, "threads": threads}


def judge(claims: Sequence[Claim], results: dict[str, Any]) -> dict[str, Verdict]:
    """Claim id → verdict (a judge that fails on the data becomes a refusal to judge,
    reported as an error instead of crashing the whole report)."""
    return {c.id: c.judge(results) for c in claims}


_BADGE = {"supported": "✅ supported", "refuted": "❌ refuted", "nuanced": "⚖️ nuanced"}


def _json_default(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):
        return str(o)
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)


def _report_files(claims: Sequence[Claim], figures: bool) -> list[str]:
    needed = [e for e in EXPERIMENTS if any(e in c.experiments for c in claims)]
    return ["README.md", "results.json", *([f"{e}.png" for e in needed] if figures else [])]


def report_dir(out_dir: str | Path, claims: Sequence[Claim] = (), *, figures: bool = True,
               force: bool = False) -> OwnedDir:
    """Check ``out_dir`` for a report now (before the experiments run): it must be new,
    empty or an earlier report (it lists actfn's files in ``.actfn-manifest.json``), or
    ``force``; the report's own files must not clash with files that are not actfn's.
    Raises ``OSError`` with a one-line message; creates nothing."""
    return OwnedDir(out_dir, tool=REPORT_TOOL, force=force,
                    planned=_report_files(claims, figures))


def write_report(claims: Sequence[Claim], outcome: dict[str, Any], out_dir: str | Path,
                 *, figures: bool = True, force: bool = False) -> Path:
    """Write ``README.md`` (the report), ``results.json`` and one PNG per experiment into
    ``out_dir``, a folder checked by :func:`report_dir`. Every file is written
    atomically; files of an earlier report that are not written again are removed, and
    nothing else in the folder is touched. Returns the report's path."""
    owned = report_dir(out_dir, claims, figures=figures, force=force)
    with owned:
        return _write_report(claims, outcome, Path(out_dir), owned, figures=figures)


def _write_report(claims: Sequence[Claim], outcome: dict[str, Any], out: Path,
                  owned: OwnedDir, *, figures: bool) -> Path:
    results = outcome["results"]
    verdicts = judge(claims, results)
    figs: dict[str, str] = {}
    if figures:
        for eid, data in results.items():
            name = f"{eid}.png"
            EXPERIMENTS[eid].plot(data, owned.path(name))
            figs[eid] = name
    lines = ["# Claims audit", ""]
    lines += [
        "Every claim that the seed tutorials make about activation functions, tested by an "
        "experiment and given a verdict: **supported**, **refuted**, or **nuanced** (true "
        "only under the stated condition). Numbers are means ± 95 % confidence half-widths "
        "over seeds unless stated otherwise. Regenerate with "
        f"`actfn claims run{' --quick' if outcome['quick'] else ''} -o {out.name}`.",
        "",
        f"Mode: {'quick (reduced sizes)' if outcome['quick'] else 'full'}; threads: "
        f"{outcome['threads']}; machine: {platform.machine()} / {platform.python_version()}; "
        f"run time {sum(outcome['timings'].values()):.0f} s.",
        "",
        "## Verdicts", "",
        "| claim | activations | claim (English) | verdict |",
        "|---|---|---|---|",
    ]
    for c in claims:
        v = verdicts[c.id]
        cond = f": {v.condition}" if v.condition else ""
        lines.append(f"| [{c.id}](#{c.id}) | {', '.join(c.activations)} | {c.en} | "
                     f"{_BADGE[v.kind]}{cond} |")
    counts = {k: sum(v.kind == k for v in verdicts.values()) for k in _BADGE}
    lines += ["", "Totals: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".", ""]
    lines += ["## Claims", ""]
    for c in claims:
        v = verdicts[c.id]
        lines += [f'<a id="{c.id}"></a>', f"### {c.id}", "",
                  f"- **Claim:** {c.en}", f"- **声明:** {c.zh}",
                  "- **Made by:** " + ", ".join(f"`{s}` ({SEEDS[s]})" for s in c.seeds),
                  "- **Experiment:** " + "; ".join(
                      f"[{EXPERIMENTS[e].title}](#exp-{e})" for e in c.experiments),
                  f"- **Evidence:** {v.evidence}",
                  f"- **Verdict:** {_BADGE[v.kind]}"
                  + (f": {v.condition}" if v.condition else ""), ""]
        for e in c.experiments:
            if e in figs:
                lines += [f"![{EXPERIMENTS[e].title}]({figs[e]})", ""]
    lines += ["## Experiments", ""]
    for eid in results:
        e = EXPERIMENTS[eid]
        lines += [f'<a id="exp-{eid}"></a>', f"### {e.title} (`{eid}`)", "", e.method, "",
                  f"Run time: {outcome['timings'][eid]:.1f} s.", ""]
        if e.table is not None:
            lines += [*e.table(results[eid]), ""]
        if eid in figs:
            lines += [f"![{e.title}]({figs[eid]})", ""]
    lines += ["## Notes", "",
              "- Training uses PyTorch's built-in activation modules; `builtin_max_abs_diff` "
              "in `results.json` records their largest deviation from actfn's f on [-8, 8]. "
              "Dead units are classified with actfn's derivatives; depth and gradient "
              "experiments run entirely on actfn's f and f′ (NumPy).",
              "- `actfn.torch` layers were not used for training: they evaluate actfn's "
              "kernels in float64 through a Python autograd.Function, which made the hundreds "
              "of small training runs here one to two orders of magnitude slower than the "
              "fused built-ins (same functions, see above).",
              "- Threads: torch and numba run with the `--threads` setting (default 1). With "
              "two OpenMP threads on a loaded 2-core machine, small training steps were "
              "50× slower (spin-waiting); one thread is also what a batch of 64 needs.",
              "- Every experiment is seeded; rerunning gives the same numbers except the "
              "timings of the cost experiment.",
              "- Seeds: " + "; ".join(f"`{k}`: {v}" for k, v in SEEDS.items()) + ".", ""]
    owned.write_text("results.json", json.dumps(
        {"quick": outcome["quick"], "timings": outcome["timings"], "results": results,
         "verdicts": {k: {"kind": v.kind, "evidence": v.evidence, "condition": v.condition}
                      for k, v in verdicts.items()}},
        indent=1, default=_json_default, allow_nan=True))
    owned.write_text("README.md", "\n".join(lines))
    return out / "README.md"
