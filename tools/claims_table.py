"""Write the claims verdict table into README.md from the committed full-run results.

Usage: ``python tools/claims_table.py [RESULTS.json]`` (default ``docs/claims/results.json``);
the table goes between ``<!-- claims-table -->`` and ``<!-- /claims-table -->``.
``tests/test_claims_readme.py`` checks that the README matches.

``python tools/claims_table.py --compare NAME=RESULTS.json NAME=RESULTS.json ...`` prints a
Markdown table of the runs' verdicts side by side (a column per run, the claims whose verdict
differs marked), then each run's seeds, wall time and computed/cached task counts: the
stability check of ``docs/claims/stability.md``.

``python tools/claims_table.py --rejudge`` first re-judges the committed run's data
(``docs/claims/results.json``) with the current judges and ``claims.toml`` version (when only
rules changed, not sizes or seeds: no new training), rewrites the report in ``docs/claims``
(README.md, results.json, plan.json, figures), prints every verdict that changed, then
writes the table.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- claims-table -->", "<!-- /claims-table -->"


def table(results: Path) -> str:
    """The Markdown table for ``results`` (a report's results.json)."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments._report import verdict_table

    data = json.loads(results.read_text(encoding="utf-8"))
    return "\n".join(verdict_table(data["verdicts"]))


def rejudge(folder: Path) -> list[str]:
    """Re-judge ``folder``'s results.json with the current rules; rewrite its report; return
    one ``claim: old -> new`` line per changed verdict."""
    import shutil
    import tempfile

    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments._claims import plan as make_plan
    from actfn.experiments._report import resolve, write_report
    from actfn.experiments._tasks import plan_tasks

    old = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    plan = dict(old["plan"])
    now = make_plan(quick=old["quick"], seeds=len(plan["seeds"]), seed_start=plan["seeds"][0],
                    seed_batch=plan["seed_batch"], scale=plan["scale"])
    if now["experiments"] != plan["experiments"]:
        raise SystemExit("claims_table: the sizes changed since the run: re-run, not re-judge")
    data_version = old.get("data_version", old["version"])
    plan["version"] = now["version"]
    claims = resolve([])
    outcome = {"plan": plan, "results": old["results"], "wall": old["wall"],
               "quick": old["quick"], "task_seconds": old.get("task_seconds", {}),
               "scheduler": old["scheduler"], "workers": old.get("workers", 1),
               "tasks": len(plan_tasks(plan["needed"], plan)), "data_version": data_version,
               **{k: old[k] for k in ("computed", "cached") if k in old}}
    with tempfile.TemporaryDirectory() as tmp:
        write_report(claims, outcome, Path(tmp) / "r")
        for f in (Path(tmp) / "r").iterdir():
            if not f.name.startswith("."):
                shutil.copyfile(f, folder / f.name)
    new = json.loads((folder / "results.json").read_text(encoding="utf-8"))["verdicts"]
    changed = []
    for cid, v in new.items():
        o = old["verdicts"].get(cid, {"kind": "absent", "condition": ""})
        if (o["kind"], o["condition"]) != (v["kind"], v["condition"]):
            changed.append(f"{cid}: {o['kind']}" + (f" ({o['condition']})" if o["condition"]
                                                    else "")
                           + f" -> {v['kind']}" + (f" ({v['condition']})" if v["condition"]
                                                   else ""))
    return changed


def _label(v: dict) -> str:
    return v["kind"] + (f" ({v['condition']})" if v.get("condition") else "")


def compare(runs: list[tuple[str, Path]]) -> list[str]:
    """Markdown lines: the verdicts of every run side by side, then one line per run."""
    data = {name: json.loads(path.read_text(encoding="utf-8")) for name, path in runs}
    names = [n for n, _ in runs]
    ids = list(dict.fromkeys(c for d in data.values() for c in d["verdicts"]))
    lines = ["| claim | " + " | ".join(names) + " | same |",
             "|---|" + "---|" * len(names) + "---|"]
    differ = []
    for cid in ids:
        kinds = [data[n]["verdicts"].get(cid, {}).get("kind", "absent") for n in names]
        same = len(set(kinds)) == 1
        if not same:
            differ.append(cid)
        lines.append(f"| {cid} | " + " | ".join(
            _label(data[n]["verdicts"][cid]) if cid in data[n]["verdicts"] else "absent"
            for n in names) + f" | {'yes' if same else '**no**'} |")
    lines += ["", f"Verdict kinds identical for {len(ids) - len(differ)} of {len(ids)} claims"
              + (f"; they differ for {', '.join(differ)}." if differ else "."), ""]
    for n in names:
        d = data[n]
        seeds = d["plan"]["seeds"]
        counts = Counter(v["kind"] for v in d["verdicts"].values())
        done = (f"{d['computed']} tasks computed, {d['cached']} read from a cache"
                if "computed" in d else "task counts not recorded")
        lines.append(f"- **{n}**: seeds {seeds[0]}–{seeds[-1]} ({len(seeds)}), claims.toml "
                     f"version {d['version']}, wall {d['wall'] / 60:.1f} min on "
                     f"{d['scheduler']}, {done}, summed task time "
                     f"{sum(d.get('task_seconds', {}).values()) / 60:.1f} min; "
                     + ", ".join(f"{counts[k]} {k}" for k in
                                 ("supported", "refuted", "nuanced", "inconclusive")) + ".")
    return lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare"]:
        runs = [(a.split("=", 1)[0], Path(a.split("=", 1)[1])) for a in argv[1:]]
        print("\n".join(compare(runs)))
        return 0
    if argv[:1] == ["--rejudge"]:
        for line in rejudge(ROOT / "docs" / "claims"):
            print(line)
        argv = argv[1:]
    results = Path(argv[0]) if argv else ROOT / "docs" / "claims" / "results.json"
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    a, b = text.index(START) + len(START), text.index(END)
    readme.write_text(text[:a] + "\n" + table(results) + "\n" + text[b:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
