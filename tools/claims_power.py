"""The claims audit's power analysis: seeds per training experiment from measured spreads.

``python tools/claims_power.py --extract A=RESULTS.json C=RESULTS.json`` writes
``docs/claims/power.json``: the per-seed decisive differences of every powered claim
(``actfn.experiments._power.spreads``) in each run (version 4's A, seeds 0–14, and C,
seeds 100–114, were the input of version 5).

``python tools/claims_power.py`` reads ``docs/claims/power.json`` and ``claims.toml``
and prints the Markdown table of ``docs/claims/power.md``: per claim and condition, the
per-seed SD in each run, the margin, one test sample, and the seeds needed (the smallest
n with t(0.975, n−1)·SD/√n below the margin, using the larger SD); then each experiment's
needed count against the count ``claims.toml`` declares, and the runs that zero failures
need to bound relu-large-lr-fails' rate. Exit status 1 when a declared count is below the
need or a margin is finer than one test sample (``tests/test_claims_power.py`` runs it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POWER_JSON = ROOT / "docs" / "claims" / "power.json"

__all__ = ["extract", "report", "main"]


def extract(runs: list[tuple[str, Path]], out: Path = POWER_JSON) -> None:
    """Write the powered claims' per-seed differences of each run into ``out``."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments import resolve
    from actfn.experiments._power import spreads

    claims = resolve([])
    data = {}
    for name, path in runs:
        res = json.loads(path.read_text(encoding="utf-8"))
        data[name] = {"version": res["version"], "seeds": res["plan"]["seeds"],
                      "claims": spreads(res["results"], claims)}
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def report(path: Path = POWER_JSON) -> tuple[list[str], list[str]]:
    """(Markdown lines, problems) of the power analysis of ``path`` under claims.toml."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments import resolve
    from actfn.experiments._claims import registry
    from actfn.experiments._power import analyse, zero_failure_seeds

    data = json.loads(path.read_text(encoding="utf-8"))
    claims = resolve([])
    rows = analyse({n: d["claims"] for n, d in data.items()}, claims)
    names = list(data)
    lines = ["| claim | condition | " + " | ".join(f"SD {n}" for n in names)
             + " | margin | one test sample | seeds needed |",
             "|---|---|" + "---|" * len(names) + "---|---|---|"]
    problems = []
    for r in rows:
        lines.append(f"| {r.claim} | {r.condition} | "
                     + " | ".join(f"{r.sd.get(n, float('nan')) * 100:.2f} pt" for n in names)
                     + f" | {r.margin * 100:g} pt | {r.one_sample * 100:.2f} pt | {r.needed} |")
        if r.margin < r.one_sample - 1e-12:
            problems.append(f"{r.claim} ({r.condition}): margin {r.margin:g} is finer than "
                            f"one test sample {r.one_sample:.4f}")
    reg = registry()
    default = reg["seeds"]["count"]
    lines += ["", "| experiment | seeds needed (largest of its claims) | declared in claims.toml "
              "|", "|---|---|---|"]
    need: dict[str, tuple[int, str]] = {}
    for r in rows:
        if r.needed > need.get(r.experiment, (0, ""))[0]:
            need[r.experiment] = (r.needed, f"{r.claim}, {r.condition}")
    for e, (n, why) in need.items():
        declared = reg["experiments"][e].get("seeds", default)
        lines.append(f"| {e} | {n} ({why}) | {declared} |")
        if declared < n:
            problems.append(f"{e}: claims.toml declares {declared} seeds, the power analysis "
                            f"needs {n}")
    assumed = reg.get("power", {})
    if assumed:  # claims whose seed count rests on a stated SD (no run existed)
        from actfn.experiments._judges import margin_for
        from actfn.experiments._power import seeds_for

        lines += ["", "Claims whose experiment had no run when their seeds were fixed: the "
                  "per-seed SD is assumed, with its source (claims.toml [power]).", "",
                  "| claim | assumed SD | from | margin | seeds needed | declared in "
                  "claims.toml |", "|---|---|---|---|---|---|"]
        by_id = {c.id: c for c in claims}
        for cid, a in assumed.items():
            c = by_id[cid]
            exp = c.experiments[0]
            conds = reg["experiments"][exp].get("datasets", [""])
            m = min(margin_for(c.rule, g) for g in conds)
            n = seeds_for(a["sd"], m)
            declared = reg["experiments"][exp].get("seeds", default)
            lines.append(f"| {cid} | {a['sd'] * 100:.2f} pt | {a['source']} | {m * 100:g} pt "
                         f"| {n} | {declared} |")
            if declared < n:
                problems.append(f"{exp}: claims.toml declares {declared} seeds, the assumed SD "
                                f"of {cid} needs {n}")
    for c in claims:
        if c.rule["kind"] == "failure-rate":
            rate = c.rule["rate"]
            exp = c.experiments[0]
            n = reg["experiments"][exp].get("seeds", default)
            lines += ["", f"{c.id}: zero failures in n runs bound a rate of {rate:g} at one-sided "
                      f"p = (1 − {rate:g})^n: n = {zero_failure_seeds(rate, 0.05)} for p ≤ 0.05, "
                      f"{zero_failure_seeds(rate, 0.01)} for p ≤ 0.01; {exp} declares {n} "
                      f"(p = {(1 - rate) ** n:.3f} at 0 failures)."]
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
