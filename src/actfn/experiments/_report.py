"""Running the experiments a set of claims needs, judging, and writing the report."""

from __future__ import annotations

import difflib
import json
import math
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._safe_io import OutputPathError, OwnedDir
from . import _cost, _depth, _moments, _selu, _shape, _train
from ._claims import CLAIMS, registry
from ._claims import plan as make_plan
from ._core import KINDS, Claim, Experiment, Verdict
from ._judges import edge_optima, judge_all
from ._tasks import CACHE_DIR, Task, assemble, check_extras, execute, plan_tasks

__all__ = ["EXPERIMENTS", "ANALYTIC_RUN", "resolve", "run", "judge", "write_report",
           "report_dir", "verdict_table", "REPORT_TOOL", "rule_summary",
           "changelog_lines"]

#: How the claims report marks its folder (see :class:`actfn._safe_io.OwnedDir`).
REPORT_TOOL = "actfn claims run"

#: The exact experiments: id → ``run(quick=...)``.
ANALYTIC_RUN: dict[str, Callable[..., dict[str, Any]]] = {
    "selu-fixed-point": _selu.run, "self-normalization": _depth.run_depth,
    "vanishing-gradients": _depth.run_gradients, "zero-centred": _moments.run,
    "smoothness": _shape.run_smoothness, "approximations": _shape.run_approximations,
}

_TRAIN_NOTE = ("Each arm at its own best learning rate of the sweep (mean validation accuracy); "
               "seeds paired (split, initial weights, batch order).")

EXPERIMENTS: dict[str, Experiment] = {e.id: e for e in (
    Experiment("selu-fixed-point", "SELU moment fixed point",
               "Solve the moment fixed-point equations of Klambauer et al. (2017) for (alpha, "
               "scale) with `actfn.selu_parameters`, for the default target (0, 1) and five "
               "others; Jacobian of the moment map by Richardson-extrapolated central "
               "differences; the map iterated from five starting points.", _selu.plot),
    Experiment("self-normalization", "Self-normalization through depth",
               "Normal inputs of several (mean, variance) through 100 random square dense "
               "layers (no bias), weights N(0, 1/n) (LeCun) or N(0, 2/n) (He); mean and "
               "variance over all units and samples after each layer; actfn's f in float64.",
               _depth.plot_depth),
    Experiment("vanishing-gradients", "Vanishing gradients against depth",
               "Random dense networks of depth 2 to 64 with a fixed random linear read-out; "
               "backpropagation with actfn's f′ (NumPy, float64); norm of the gradient of the "
               "first layer's weights, for LeCun and He init.", _depth.plot_gradients),
    Experiment("zero-centred", "Output moments for a standard-normal input",
               "E f(X), Var f(X) and P(f(X) = 0) for X ~ N(0, 1) and every activation in "
               "`actfn.names()` at default parameters, by composite Gauss–Legendre "
               "quadrature split at the kinks.", _moments.plot, _moments.table),
    Experiment("smoothness", "Smoothness and limits",
               "One-sided limits of f′ and f″ at 0 for ELU and CELU over alpha; "
               "sup |celu − relu| and sup |celu′ − relu′| for alpha from 1e-4 to 1; "
               "alpha = 0 in actfn and PyTorch; GELU's second derivative.",
               _shape.plot_smoothness),
    Experiment("approximations", "GELU approximations",
               "Maximum absolute error of the tanh and sigmoid approximations of GELU and of "
               "their derivatives over the real line (grid plus bounded maximiser).",
               _shape.plot_approximations),
    Experiment("cost", "Cost per element: instructions and time",
               "actfn's NumPy float64 f and f′ (compiled path off) on random inputs: "
               "instructions per element counted by callgrind (one process, collection only "
               "inside each measured call), and time in fresh processes, interleaved, ratio "
               "to ReLU with a t-interval over processes. Never at quick sizes.",
               _cost.plot, _cost.table),
    Experiment("training", "Training: every seed activation, learning-rate sweep",
               "MLPs (2 hidden layers of 32) on digits, breast cancer, wine and a synthetic "
               "4-class task (make_classification), stratified 60/20/20 split per seed, Adam "
               "over a 6-point learning-rate sweep, drop_last mini-batches. " + _TRAIN_NOTE
               + " Dead units: |f′(z)| ≤ 1e-3 on every training sample.",
               _train.plot_sweeps, needs="claims"),
    Experiment("deep-training", "Deep networks: SELU vs ReLU with and without BatchNorm",
               "10 hidden layers of 32 on digits: SELU (LeCun init, no normalisation), ReLU "
               "(He), ReLU + BatchNorm (He, batch statistics over full batches of 64: "
               "drop_last), SELU with He init; 6-point learning-rate sweep. " + _TRAIN_NOTE,
               _train.plot_sweeps, needs="claims"),
    Experiment("celu-alpha", "CELU alpha sweep",
               "CELU with alpha in {0.1, 0.3, 1, 3, 10}, each alpha with its own learning-rate "
               "sweep, digits and breast cancer. " + _TRAIN_NOTE, _train.plot_sweeps,
               needs="claims"),
    Experiment("gelu-variants", "GELU exact vs approximations in training",
               "Exact GELU, tanh approximation and x·σ(1.702x), digits and breast cancer. "
               + _TRAIN_NOTE, _train.plot_sweeps, needs="claims"),
    Experiment("overfit", "Overfitting regime: small training sets",
               "Digits training sets of 50 and 200 samples (stratified subsamples of "
               "each seed's training part), full-batch Adam for 200 steps (to convergence), "
               "hidden width 32; ReLU, CELU, SELU, ELU, GELU and leaky ReLU with negative "
               "slope 0, 0.01, 0.1, 0.3 (slope 0 is ReLU: exact-zero sparsity measured and "
               "removed). Generalisation gap = train − test accuracy. " + _TRAIN_NOTE,
               _train.plot_sweeps, needs="claims"),
    Experiment("gated-ffn", "Gated vs ungated feed-forward blocks (Shazeer 2020)",
               "Residual MLPs of 2 pre-norm FFN blocks (d = 32, no FFN biases) on digits and "
               "the synthetic task: W2·a(W1 x) of width 48 (relu, gelu) against "
               "W2·(g(Wg x) ⊙ Wu x) of width 32 (swiglu, geglu), so every model has the same "
               "parameter count; the units are actfn's through actfn.torch; 6-point "
               "learning-rate sweep. " + _TRAIN_NOTE, _train.plot_sweeps, needs="claims"),
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


def needed(claims: Sequence[Claim]) -> list[str]:
    """Experiment ids the claims need, in :data:`EXPERIMENTS` order."""
    return [e for e in EXPERIMENTS if any(e in c.experiments for c in claims)]


def run(claims: Sequence[Claim], *, quick: bool = False, seeds: int | None = None,
        seed_start: int | None = None, seed_batch: int | None = None, scale: float = 1.0,
        scheduler: str | None = None, workers: int = 2, cache: str | Path | None = None,
        on_done: Callable[[Task, int, int, bool], None] | None = None,
        threads: int = 1) -> dict[str, Any]:
    """Run every experiment the claims need; returns ``{"plan", "results", "wall", ...}``.

    ``cache`` is the folder of cached task results (a report's ``.actfn-cache``);
    ``scheduler`` ``None`` runs here, ``"local"`` on a LocalCluster of ``workers``
    processes, anything else is a Dask scheduler address. ``threads`` is accepted for
    compatibility: every task runs single-threaded.
    """
    if threads not in (1, 2):
        raise ValueError(f"threads={threads!r} must be 1 or 2")
    exps = needed(claims)
    check_extras(exps)
    plan = make_plan(quick=quick, seeds=seeds, seed_start=seed_start, seed_batch=seed_batch,
                     scale=scale)
    plan["needed"] = exps
    tasks = plan_tasks(exps, plan)
    t0 = time.perf_counter()
    secs: dict[str, float] = {}
    computed = 0

    def count(t: Task, done: int, total: int, cached: bool) -> None:
        nonlocal computed
        computed += not cached
        if on_done:
            on_done(t, done, total, cached)

    res = execute(tasks, cache=Path(cache) if cache is not None else None,
                  scheduler=scheduler, workers=workers, on_done=count, seconds=secs)
    wall = time.perf_counter() - t0
    per_exp: dict[str, float] = {}
    for t in tasks:
        per_exp[t.experiment] = per_exp.get(t.experiment, 0.0) + secs.get(t.key, 0.0)
    results = assemble(tasks, res, plan)
    if "cost" in exps and "cost" not in results:
        results["cost"] = {"skipped": "quick"}
    return {"plan": plan, "results": results, "wall": wall, "quick": quick,
            "task_seconds": per_exp,
            "scheduler": scheduler or "this process", "workers": workers if scheduler else 1,
            "tasks": len(tasks), "computed": computed, "cached": len(tasks) - computed}


def judge(claims: Sequence[Claim], results: Mapping[str, Any], *,
          quick: bool = False) -> dict[str, Verdict]:
    """Claim id → verdict (see :func:`._judges.judge_all`)."""
    return judge_all(claims, results, quick=quick, fdr=registry()["fdr"])[0]


def _report_files(claims: Sequence[Claim], figures: bool) -> list[str]:
    return ["README.md", "results.json", "plan.json",
            *([f"{e}.png" for e in needed(claims)] if figures else [])]


def _plan_id(plan: Mapping[str, Any], claims: Sequence[Claim] = ()) -> dict[str, Any]:
    """What makes two runs the same report: plan version, mode, seeds, scale and the
    selected claims (a report of other claims is never replaced by this one)."""
    return {**{k: plan[k] for k in ("version", "quick", "seeds", "scale")},
            **({"experiment_seeds": plan["experiment_seeds"]}
               if plan.get("experiment_seeds") else {}),
            "claims": [c.id for c in claims]}


def report_dir(out_dir: str | Path, claims: Sequence[Claim] = (), *, figures: bool = True,
               force: bool = False, plan: Mapping[str, Any] | None = None) -> OwnedDir:
    """Check ``out_dir`` for a report now (before the experiments run): it must be new,
    empty or an earlier report (it lists actfn's files in ``.actfn-manifest.json``), or
    ``force``; the report's own files must not clash with files that are not actfn's; an
    earlier report of a *different* plan (quick vs full, other seeds or scale, another
    version of ``claims.toml``, another selection of claims) is never replaced. Raises ``OSError`` with one line."""
    owned = OwnedDir(out_dir, tool=REPORT_TOOL, force=force,
                     planned=_report_files(claims, figures))
    old = Path(out_dir) / "plan.json"
    if plan is not None and old.is_file():
        try:
            prev = json.loads(old.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            prev = None
        now = _plan_id(plan, claims)
        if prev is not None and prev != now:
            what = "quick" if prev.get("quick") else "full"
            if {k: v for k, v in prev.items() if k != "claims"} == {
                    k: v for k, v in now.items() if k != "claims"}:
                had = prev.get("claims") or []
                raise OutputPathError(
                    f"refusing to write into {out_dir}: it holds a {what} report of other "
                    f"claims ({len(had)}: {', '.join(had[:3])}{', …' if len(had) > 3 else ''}"
                    f"); choose another folder with -o")
            raise OutputPathError(
                f"refusing to write into {out_dir}: it holds a {what} report of another plan "
                f"(version {prev.get('version')}, {len(prev.get('seeds', []))} seeds from "
                f"{(prev.get('seeds') or ['?'])[0]}, scale {prev.get('scale')}); choose "
                "another folder with -o")
    return owned


def claim_folder(out_dir: str | Path, claims: Sequence[Claim], plan: Mapping[str, Any], *,
                 figures: bool = True, force: bool = False) -> Path:
    """Make ``out_dir`` actfn's before the long work: record the plan in ``plan.json``
    (under the manifest), so an interrupted run can resume from ``.actfn-cache``."""
    owned = report_dir(out_dir, claims, figures=figures, force=force, plan=plan)
    with owned:
        owned.keep_previous()  # the earlier report stays whole until this run replaces it
        owned.write_text("plan.json", json.dumps(_plan_id(plan, claims)))
    return Path(out_dir) / CACHE_DIR


_BADGE = {"supported": "✅ supported", "refuted": "❌ refuted", "nuanced": "⚖️ nuanced",
          "inconclusive": "❔ inconclusive"}


def _json_default(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):
        return str(o)
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)


def _round(o: Any) -> Any:
    """Floats to 6 significant digits (the report's results file stays small)."""
    if isinstance(o, float):
        return float(f"{o:.6g}") if math.isfinite(o) else o
    if isinstance(o, dict):
        return {k: _round(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_round(v) for v in o]
    return o


def changelog_lines(reg: Mapping[str, Any]) -> list[str]:
    """The report's section on how ``claims.toml`` changed: one entry per version, what
    changed, whether results had been seen before, and why."""
    entries = reg.get("changelog", [])
    if not entries:
        return []
    out = ["## Changes to the pre-registration", ""]
    for e in entries:
        seen = ("after results were seen" if e.get("seen") else "before any result was seen")
        out.append(f"- **Version {e['version']}** ({seen}): " + " ".join(e["changes"])
                   + f" *Why:* {e['why']}")
    return [*out, ""]


def rule_summary(rule: Mapping[str, Any]) -> str:
    """A claim's pre-registered rule in a few characters: its kind and, where it has one,
    its equivalence margin (``paired-difference ±0.005``) — the listing's short form of
    the report's full rule."""
    margin = rule.get("margin")
    if isinstance(margin, Mapping):  # a margin per data set (version 5)
        return str(rule["kind"]) + " " + ", ".join(f"{k} ±{v:g}" for k, v in margin.items())
    return str(rule["kind"]) + (f" ±{margin:g}" if isinstance(margin, int | float) else "")


def _rule_text(rule: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {json.dumps(v)}" for k, v in rule.items())


def verdict_table(verdicts: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The README's verdict table: one row per kind, claim ids with their condition."""
    lines = ["| verdict | claims |", "|---|---|"]
    for kind in KINDS:
        items = [cid + (f" ({v['condition']})" if v.get("condition") else "")
                 for cid, v in verdicts.items() if v["kind"] == kind]
        if items:  # no empty rows
            lines.append(f"| {kind} ({len(items)}) | {', '.join(items)} |")
    return lines


def write_report(claims: Sequence[Claim], outcome: dict[str, Any], out_dir: str | Path,
                 *, figures: bool = True, force: bool = False) -> Path:
    """Write ``README.md`` (the report), ``results.json``, ``plan.json`` and one PNG per
    experiment into ``out_dir`` (checked by :func:`report_dir`); every file atomically,
    files of an earlier report that are not written again are removed, nothing else in
    the folder is touched. Returns the report's path."""
    owned = report_dir(out_dir, claims, figures=figures, force=force, plan=outcome["plan"])
    with owned:
        return _write_report(claims, outcome, Path(out_dir), owned, figures=figures)


def _tasks_line(outcome: Mapping[str, Any]) -> str:
    """``Ran N tasks (C computed, K read from the cache)``: a cached task is not run again."""
    n = outcome["tasks"]
    if "computed" not in outcome:  # a re-judged report: nothing computed now
        return f"Judged the results of {n} tasks"
    return (f"Ran {n} tasks ({outcome['computed']} computed, {outcome['cached']} read from "
            "the cache)")


def _write_report(claims: Sequence[Claim], outcome: dict[str, Any], out: Path,
                  owned: OwnedDir, *, figures: bool) -> Path:
    results = outcome["results"]
    plan = outcome["plan"]
    reg = registry()
    verdicts, level = judge_all(claims, results, quick=outcome["quick"], fdr=reg["fdr"])
    figs: dict[str, str] = {}
    if figures:
        for eid, data in results.items():
            if data.get("skipped"):
                continue
            name = f"{eid}.png"
            EXPERIMENTS[eid].plot(data, owned.path(name))
            figs[eid] = name
    seeds = plan["seeds"]
    mode = "quick (reduced sizes; statistical and cost claims not decided)" if outcome[
        "quick"] else "full"
    where = ("in this process" if outcome["scheduler"] == "this process" else
             f"on Dask ({outcome['scheduler']}, {outcome['workers']} workers)")
    lines = ["# Claims audit", ""]
    lines += [
        "Every claim that the seed tutorials make about activation functions, tested by an "
        "experiment pre-registered in `claims.toml` (statement, experiment, metric, decision "
        "rule with its margins, seeds) and given a verdict: **supported**, **refuted** (by "
        "an equivalence test within the declared margin or a significant opposite effect), "
        "**nuanced** (holds under the condition stated, which the data show) or "
        "**inconclusive** (the intervals straddle the margins). Intervals are 95 %; "
        "significance is one-sided at the Benjamini–Hochberg threshold over every p-value "
        f"of this audit (false discovery rate {reg['fdr']:g}: threshold p ≤ {level:.3g}).",
        "",
        f"- Pre-registration: `claims.toml` version {plan['version']} (frozen "
        f"{reg['frozen']}).",
        f"- Mode: {mode}; seeds {seeds[0]}–{seeds[-1]} ({len(seeds)})"
        + "".join(f"; {e}: seeds {s[0]}–{s[-1]} ({len(s)}, from its power analysis)"
                  for e, s in plan.get("experiment_seeds", {}).items())
        + f"; scale {plan['scale']:g}.",
        f"- {_tasks_line(outcome)} {where}"
        + f" in {outcome['wall']:.0f} s of wall time (tasks' compute time "
        f"{sum(outcome.get('task_seconds', {}).values()):.0f} s, cached ones included); "
        f"machine {platform.machine()}, Python {platform.python_version()}.",
        *([f"- Re-judged: the data of the version-{outcome['data_version']} run above, "
           f"judged by the rules of version {plan['version']} (sizes and seeds unchanged; "
           "no new training" + (", except the merged experiments below" if outcome.get(
               "merged") else "") + "): see the changes below."]
          if outcome.get("data_version", plan["version"]) != plan["version"] else []),
        *[f"- Merged: `{e}` from a separate full run of its claims (claims.toml version "
          f"{m['version']}, {m['wall']:.0f} s of wall time on {m['scheduler']}, "
          f"{m['workers']} workers), judged with every other claim."
          for e, m in outcome.get("merged", {}).items()],
        "",
        "## Verdicts", "",
        "| claim | activations | claim (English) | verdict |",
        "|---|---|---|---|",
    ]
    for c in claims:
        v = verdicts[c.id]
        cond = f": {v.condition}" if v.condition else ""
        if v.condition == "quick":
            cond = " (quick)"
        lines.append(f"| [{c.id}](#{c.id}) | {', '.join(c.activations)} | {c.en} | "
                     f"{_BADGE[v.kind]}{cond} |")
    counts = {k: sum(v.kind == k for v in verdicts.values()) for k in KINDS}
    lines += ["", "Totals: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".", ""]
    lines += changelog_lines(reg)
    lines += ["## Claims", ""]
    for c in claims:
        v = verdicts[c.id]
        lines += [f'<a id="{c.id}"></a>', f"### {c.id}", "",
                  f"- **Claim:** {c.en}", f"- **声明:** {c.zh}",
                  "- **Made by:** " + ", ".join(f"`{s}` ({reg['sources'][s]})"
                                                for s in c.seeds),
                  "- **Experiment:** " + "; ".join(
                      f"[{EXPERIMENTS[e].title}](#exp-{e})" for e in c.experiments),
                  f"- **Pre-registered rule:** `{_rule_text(c.rule)}`",
                  f"- **Evidence:** {v.evidence}",
                  f"- **Verdict:** {_BADGE[v.kind]}"
                  + (f": {v.condition}" if v.condition else ""), ""]
    lines += ["## Experiments", ""]
    for eid, data in results.items():
        e = EXPERIMENTS[eid]
        lines += [f'<a id="exp-{eid}"></a>', f"### {e.title} (`{eid}`)", "", e.method, ""]
        if data.get("skipped"):
            lines += ["Not run in a quick run.", ""]
            continue
        if eid in plan["experiments"]:
            lines += ["Configuration: `" + json.dumps(plan["experiments"][eid]) + "`", ""]
        took = outcome.get("task_seconds", {}).get(eid)
        if took is not None:
            lines += [f"Compute time: {took:.0f} s.", ""]
        if e.table is not None:
            lines += [*e.table(data), ""]
        if e.needs == "claims" and "parts" in data:
            edges = edge_optima(data)
            lines += [("**Learning-rate optimum on the grid's edge** (the optimum may lie "
                       "outside the grid): " + "; ".join(edges) + ".") if edges else
                      "Every best learning rate is inside the grid.", ""]
        if eid in figs:
            lines += [f"![{e.title}]({figs[eid]})", ""]
    owned.write_text("plan.json", json.dumps(_plan_id(plan, claims)))
    owned.write_text("results.json", json.dumps(_round(
        {"version": plan["version"], "quick": outcome["quick"], "plan": plan,
         **({"data_version": outcome["data_version"]} if "data_version" in outcome else {}),
         "wall": outcome["wall"], "task_seconds": outcome.get("task_seconds", {}),
         **({"merged": outcome["merged"]} if outcome.get("merged") else {}),
         **{k: outcome[k] for k in ("computed", "cached") if k in outcome},
         "scheduler": outcome["scheduler"], "bh_threshold": level,
         "results": results,
         "verdicts": {k: {"kind": v.kind, "evidence": v.evidence, "condition": v.condition}
                      for k, v in verdicts.items()}}),
        indent=None, default=_json_default, allow_nan=True))
    owned.write_text("README.md", "\n".join(lines))
    return out / "README.md"
