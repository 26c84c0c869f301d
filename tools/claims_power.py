"""The claims audit's power analysis: seeds per training experiment from measured spreads.

``python tools/claims_power.py --extract NAME=RESULTS.json ...`` adds (or replaces) the
named runs in ``docs/claims/power.json``: the per-seed decisive differences of every
powered claim (``actfn.experiments._power.spreads``) in each run (version 4's A, seeds
0–14, and C, seeds 100–114; version 5's A5 and C5, whose first 15 seeds of each
experiment are version 4's A and C, adopted).

``python tools/claims_power.py`` reads ``docs/claims/power.json`` and ``claims.toml`` and
prints the Markdown tables of ``docs/claims/power.md``: per claim and condition, the
per-seed SD in each run, the margin, one test sample, the seeds the version-5 half-width
rule needed (the smallest n with t(0.975, n−1)·SD/√n below the margin) and the seeds the
version-7 decision-power rule needs (claims.toml ``[power_rule]``: probability ≥ target
that the claim is decided, at the planned Benjamini–Hochberg level, when the true
difference is 0 or 1.5 margins away; ``actfn.experiments._power.seeds_decided``), both at
the larger SD; then each experiment's needed count against the count ``claims.toml``
declares, and the runs that zero failures need to bound relu-large-lr-fails' rate. Exit
status 1 when a declared count is below the version-7 need or a margin is finer than one
test sample (``tests/test_claims_power.py`` runs it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POWER_JSON = ROOT / "docs" / "claims" / "power.json"

__all__ = ["extract", "report", "main", "design_rule"]


def extract(runs: list[tuple[str, Path]], out: Path = POWER_JSON) -> None:
    """Write the powered claims' per-seed differences of each run into ``out`` (runs
    already in ``out`` under other names are kept)."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments import resolve
    from actfn.experiments._power import spreads

    claims = resolve([])
    data = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    for name, path in runs:
        res = json.loads(path.read_text(encoding="utf-8"))
        data[name] = {"version": res["version"], "seeds": res["plan"]["seeds"],
                      **({"experiment_seeds": {e: [s[0], s[-1]] for e, s in
                                               res["plan"]["experiment_seeds"].items()}}
                         if res["plan"].get("experiment_seeds") else {}),
                      "claims": spreads(res["results"], claims)}
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def design_rule():  # noqa: ANN201 - the DesignRule of claims.toml
    """The version-7 power rule of ``claims.toml`` (``[power_rule]``)."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments._claims import registry
    from actfn.experiments._power import DesignRule

    r = registry().get("power_rule", {})
    return DesignRule(level=r.get("level", 0.018), target=r.get("target", 0.8),
                      away=r.get("away", 1.5))


def report(path: Path = POWER_JSON) -> tuple[list[str], list[str]]:
    """(Markdown lines, problems) of the power analysis of ``path`` under claims.toml."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments import resolve
    from actfn.experiments._claims import registry
    from actfn.experiments._power import analyse, zero_failure_seeds

    data = json.loads(path.read_text(encoding="utf-8"))
    claims = resolve([])
    rule = design_rule()
    rows = analyse({n: d["claims"] for n, d in data.items()}, claims, rule)
    names = list(data)
    lines = [f"Version-7 rule: level {rule.level:g} (planned Benjamini–Hochberg threshold), "
             f"P(claim decided) ≥ {rule.target:g} at a true difference of 0 and of "
             f"{rule.away:g} margins; a claim of k conditions plans each at "
             f"{rule.target:g}^(1/k).", "",
             "| claim | condition | " + " | ".join(f"SD {n}" for n in names)
             + " | margin | one test sample | k | seeds: half-width rule (v5) | seeds: "
             "decision power (v7) |",
             "|---|---|" + "---|" * len(names) + "---|---|---|---|---|"]
    problems = []
    for r in rows:
        lines.append(f"| {r.claim} | {r.condition} | "
                     + " | ".join(f"{r.sd[n] * 100:.2f} pt" if n in r.sd else "–"
                                  for n in names)
                     + f" | {r.margin * 100:g} pt | {r.one_sample * 100:.2f} pt | {r.k} | "
                     f"{r.needed} | {r.decided} |")
        if r.margin < r.one_sample - 1e-12:
            problems.append(f"{r.claim} ({r.condition}): margin {r.margin:g} is finer than "
                            f"one test sample {r.one_sample:.4f}")
    reg = registry()
    default = reg["seeds"]["count"]
    lines += ["", "| experiment | half-width rule (v5) | decision power (v7), largest of its "
              "claims | declared in claims.toml |", "|---|---|---|---|"]
    need: dict[str, tuple[int, str]] = {}
    old: dict[str, int] = {}
    for r in rows:
        old[r.experiment] = max(old.get(r.experiment, 0), r.needed)
        if r.decided > need.get(r.experiment, (0, ""))[0]:
            need[r.experiment] = (r.decided, f"{r.claim}, {r.condition}")
    for e, (n, why) in need.items():
        declared = reg["experiments"][e].get("seeds", default)
        lines.append(f"| {e} | {old[e]} | {n} ({why}) | {declared} |")
        if declared < n:
            problems.append(f"{e}: claims.toml declares {declared} seeds, the power analysis "
                            f"needs {n}")
    assumed = reg.get("power", {})
    if assumed:  # claims whose seed count rests on a stated SD (no run existed)
        from actfn.experiments._judges import margin_for
        from actfn.experiments._power import seeds_decided, seeds_for

        lines += ["", "Claims whose experiment had no run in the runs above: the per-seed SD "
                  "is stated, with its source (claims.toml [power]).", "",
                  "| claim | SD | from | margin | half-width rule (v5) | decision power (v7) "
                  "| declared in claims.toml |", "|---|---|---|---|---|---|---|"]
        by_id = {c.id: c for c in claims}
        for cid, a in assumed.items():
            c = by_id[cid]
            exp = c.experiments[0]
            conds = reg["experiments"][exp].get("datasets", [""])
            m = min(margin_for(c.rule, g) for g in conds)
            k = len(conds) * len(c.rule["arms"]) * (
                1 if isinstance(c.rule.get("base", ""), str) else len(c.rule["base"]))
            n_old = seeds_for(a["sd"], m)
            n = seeds_decided(c.rule["kind"], a["sd"], m, k, rule)
            declared = reg["experiments"][exp].get("seeds", default)
            lines.append(f"| {cid} | {a['sd'] * 100:.2f} pt | {a['source']} | {m * 100:g} pt "
                         f"| {n_old} | {n} (k = {k}) | {declared} |")
            if declared < n:
                problems.append(f"{exp}: claims.toml declares {declared} seeds, the stated SD "
                                f"of {cid} needs {n}")
    for c in claims:
        if c.rule["kind"] == "failure-rate":
            rate = c.rule["rate"]
            exp = c.experiments[0]
            n = reg["experiments"][exp].get("seeds", default)
            lines += ["", f"{c.id}: zero failures in n runs bound a rate of {rate:g} at one-sided "
                      f"p = (1 − {rate:g})^n: n = {zero_failure_seeds(rate, 0.05)} for p ≤ 0.05, "
                      f"{zero_failure_seeds(rate, 0.01)} for p ≤ 0.01, "
                      f"{zero_failure_seeds(rate, rule.level)} for p ≤ {rule.level:g}; {exp} "
                      f"declares {n} (p = {(1 - rate) ** n:.3g} at 0 failures)."]
    return lines, problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["--extract"]:
        extract([(a.split("=", 1)[0], Path(a.split("=", 1)[1])) for a in argv[1:]])
        return 0
    lines, problems = report(Path(argv[0]) if argv else POWER_JSON)
    print("\n".join(lines))
    for p in problems:
        print(f"claims_power: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
