"""Rerun and judge only the parts of the training experiments that some claims' rules read.

A stability check of one or two claims need not rerun their whole experiment: the
exp-units-overfit rule reads the overfit experiment's relu, celu and selu parts at each
training-set size, not its elu, gelu or leaky-slope parts (the slow ones). This tool runs
exactly those tasks (``actfn.experiments._tasks.Task``, the plan of the current
``claims.toml``, seed batches aligned as ``actfn claims run`` aligns them) into a store
folder, one JSON file per task, and judges the claims on them.

Usage::

    python tools/claims_parts.py run STORE --claims ID[,ID] [--seed-start S] [--adopt REPORT]...
    python tools/claims_parts.py judge STORE --claims ID[,ID] [--seed-start S]

``--adopt REPORT`` (repeatable) copies a task from an earlier report's ``.actfn-cache`` when
its experiment, part and seeds are the same and the report's plan has the same experiment
configuration (sizes, grids); before the first copy one adopted task is recomputed with the
current code and the copy is refused unless it is bitwise equal (as
``tools/claims_adopt.py`` does for whole reports).

``judge`` prints each claim's verdict and evidence at the level the power rule plans for
(claims.toml ``[power_rule]``), at the Benjamini–Hochberg threshold of the full audit's
family (the committed run's p-values, ``docs/claims/results.json``, with these claims'
replaced by this run's) and at that of these claims alone, and writes ``STORE/judged.json``.
Rule kinds it knows the parts of: ``paired-difference`` and ``variants-equivalent``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "claims" / "results.json"

__all__ = ["parts_for", "tasks_for", "run", "judge", "main"]


def _setup() -> None:
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))


def parts_for(rule: dict[str, Any], experiment: str, cfg: dict[str, Any]) -> list[str]:
    """The parts of ``experiment`` (configuration ``cfg``) that a claim's ``rule`` reads."""
    kind = rule["kind"]
    if kind == "paired-difference":
        bases = [rule["base"]] if isinstance(rule["base"], str) else list(rule["base"])
        arms = [*bases, *rule["arms"]]
        groups = cfg.get("n_train") or cfg.get("datasets")
        return [f"{g}/{a}" for g in groups for a in arms]
    if kind == "variants-equivalent":
        return [f"{g}/{a}" for g in cfg["datasets"] for a in [rule["base"], *rule["arms"]]]
    raise SystemExit(f"claims_parts: rule kind {kind!r} is not supported (paired-difference, "
                     "variants-equivalent)")


def tasks_for(ids: Sequence[str], seed_start: int) -> tuple[list[Any], dict[str, Any]]:
    """The tasks the claims ``ids`` read under the current plan, and the plan."""
    _setup()
    from actfn.experiments import resolve
    from actfn.experiments._claims import plan as make_plan
    from actfn.experiments._tasks import Task

    plan = make_plan(seed_start=seed_start)
    out = []
    for c in resolve(list(ids)):
        e = c.rule.get("experiment") or c.experiments[0]
        cfg = plan["experiments"][e]
        seeds = plan.get("experiment_seeds", {}).get(e, plan["seeds"])
        b = plan["seed_batch"]
        for part in parts_for(c.rule, e, cfg):
            for i in range(0, len(seeds), b):
                t = Task(e, part, tuple(seeds[i:i + b]), cfg, plan["version"])
                if t not in out:
                    out.append(t)
    return out, plan


def _stem(t: Any) -> str:
    return t.key.rsplit("/", 1)[0]


def _file(store: Path, t: Any) -> Path:
    return store / (_stem(t).replace("/", "__") + ".json")


def run(store: Path, ids: Sequence[str], seed_start: int = 0,
        adopt: Sequence[Path] = ()) -> tuple[int, int, float]:
    """Compute the missing tasks into ``store``; ``(adopted, computed, seconds)``."""
    _setup()
    from actfn.experiments._tasks import run_task, timed_task

    tasks, plan = tasks_for(ids, seed_start)
    store.mkdir(parents=True, exist_ok=True)
    old: dict[str, tuple[Path, dict[str, Any]]] = {}
    for rep in adopt:
        cfgs = json.loads((rep / "results.json").read_text(encoding="utf-8"))["plan"][
            "experiments"]
        for f in (rep / ".actfn-cache").glob("*.json"):
            data = json.loads(f.read_text(encoding="utf-8"))
            old.setdefault(data["key"].rsplit("/", 1)[0], (f, cfgs))
    checked = False
    adopted = computed = 0
    seconds = 0.0
    for t in tasks:
        out = _file(store, t)
        if out.exists():
            continue
        hit = old.get(_stem(t))
        if hit is not None and hit[1].get(t.experiment) == plan["experiments"][t.experiment]:
            data = json.loads(hit[0].read_text(encoding="utf-8"))
            if not checked:  # the adopted results are what this code computes
                again = json.loads(json.dumps(run_task(t.as_dict()), default=float))
                if json.dumps(again, sort_keys=True) != json.dumps(data["result"],
                                                                  sort_keys=True):
                    raise SystemExit(f"claims_parts: {_stem(t)} recomputed differs from "
                                     f"{hit[0]}: not adopted")
                checked = True
            out.write_text(json.dumps({"stem": _stem(t), "seconds": data.get("seconds", 0.0),
                                       "adopted": str(hit[0]), "result": data["result"]}),
                           encoding="utf-8")
            adopted += 1
            print(f"adopted {_stem(t)}", flush=True)
            continue
        t0 = time.time()
        res, took = timed_task(t.as_dict())
        out.write_text(json.dumps({"stem": _stem(t), "seconds": took, "result": res,
                                   "start": t0, "end": time.time()}, default=float),
                       encoding="utf-8")
        computed += 1
        seconds += took
        print(f"computed {_stem(t)} {took:.1f}s", flush=True)
    return adopted, computed, seconds


def judge(store: Path, ids: Sequence[str], seed_start: int = 0,
          committed: Path = COMMITTED) -> dict[str, Any]:
    """Verdicts of the claims ``ids`` on ``store``'s tasks (see the module docstring)."""
    _setup()
    from actfn.experiments import _train, resolve
    from actfn.experiments._judges import JUDGES, judge_all
    from actfn.experiments._stats import bh_threshold

    sys.path.insert(0, str(ROOT / "tools"))
    from claims_power import design_rule

    tasks, plan = tasks_for(ids, seed_start)
    pieces: dict[str, dict[str, list[Any]]] = {}
    computed = 0.0
    for t in tasks:
        d = json.loads(_file(store, t).read_text(encoding="utf-8"))
        pieces.setdefault(t.experiment, {}).setdefault(t.part, []).append((t.seeds,
                                                                           d["result"]))
        computed += 0.0 if "adopted" in d else float(d["seconds"])
    res = {e: _train.merge(e, plan["experiments"][e], p) for e, p in pieces.items()}
    claims = resolve(list(ids))
    level = design_rule().level
    _, alone = judge_all(claims, res, fdr=0.05)
    everyone = resolve([])
    before, _ = judge_all(everyone, json.loads(committed.read_text(encoding="utf-8"))[
        "results"], fdr=0.05)
    mine = {c.id for c in claims}
    fam = [p for c in everyone if c.id not in mine for p in before[c.id].pvalues]
    fam += [p for c in claims for p in JUDGES[c.rule["kind"]](res, c.rule, 0.05).pvalues]
    full = bh_threshold(fam, 0.05)
    out: dict[str, Any] = {"version": plan["version"], "seed_start": seed_start,
                           "seeds": {e: [d["seeds"][0], d["seeds"][-1], len(d["seeds"])]
                                     for e, d in res.items()},
                           "planned_level": level, "bh_full_family": full,
                           "bh_these_claims": alone, "computed_task_seconds": computed,
                           "claims": {}}
    for c in claims:
        row = {}
        for name, lv in (("planned", level), ("full_family", full), ("these_claims", alone)):
            v = JUDGES[c.rule["kind"]](res, c.rule, lv)
            row[name] = {"kind": v.kind, "condition": v.condition, "evidence": v.evidence}
        out["claims"][c.id] = row
    (store / "judged.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    args = list(argv)
    opts: dict[str, list[str]] = {}
    for flag in ("--claims", "--seed-start", "--adopt"):
        while flag in args:
            i = args.index(flag)
            opts.setdefault(flag, []).append(args[i + 1])
            del args[i:i + 2]
    if len(args) != 2 or args[0] not in ("run", "judge") or "--claims" not in opts:
        print(__doc__.split("Usage::")[1].split("``--adopt")[0].strip(), file=sys.stderr)
        return 2
    store = Path(args[1])
    ids = opts["--claims"][0].split(",")
    start = int(opts.get("--seed-start", ["0"])[0])
    if args[0] == "run":
        a, c, s = run(store, ids, start, [Path(p) for p in opts.get("--adopt", [])])
        print(f"adopted {a}, computed {c} tasks ({s:.0f} s of task time)")
        return 0
    out = judge(store, ids, start)
    print(f"levels: planned {out['planned_level']:g}, full audit's BH "
          f"{out['bh_full_family']:.4g}, these claims' BH {out['bh_these_claims']:.4g}; "
          f"seeds {out['seeds']}")
    for cid, row in out["claims"].items():
        print(f"{cid}: " + "; ".join(f"{k} {v['kind']}" + (f" ({v['condition']})"
                                                            if v["condition"] else "")
                                     for k, v in row.items()))
        print("  " + row["planned"]["evidence"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
