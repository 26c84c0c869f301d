"""Seed a new claims report's task cache with an earlier run's task results.

Usage: ``python tools/claims_adopt.py OLD_REPORT NEW_REPORT [--seed-start S] [--check PART]``

A task's cache key hashes the plan version, so a new version of ``claims.toml`` recomputes
every task even when only rules or seed counts changed. This tool copies the results of
``OLD_REPORT/.actfn-cache`` into ``NEW_REPORT/.actfn-cache`` under the new plan's keys, for
the tasks whose experiment, part, seed batch and configuration (sizes, grids) are identical
in both plans; ``actfn claims run -o NEW_REPORT`` then computes only the rest (the new seed
batches). Before copying it recomputes one adopted training task (``--check``, default the
cheapest: ``gelu-variants/breast_cancer/gelu``) with the current code and refuses unless the
result is bitwise equal to the old one (so the old results are what this code computes).
NEW_REPORT must not exist yet or be an empty folder; it is created with the plan
recorded, as ``actfn claims run`` would, so the run resumes from the adopted cache.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["adopt", "main"]


def adopt(old: Path, new: Path, *, seed_start: int = 0, check: str | None = None,
          claim_ids: list[str] | None = None) -> tuple[int, int]:
    """Copy ``old``'s identical tasks into ``new``'s cache; ``(adopted, to compute)``."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments import resolve
    from actfn.experiments._claims import plan as make_plan
    from actfn.experiments._report import claim_folder, needed
    from actfn.experiments._tasks import CACHE_DIR, plan_tasks, run_task, store

    before = json.loads((old / "results.json").read_text(encoding="utf-8"))
    claims = resolve(claim_ids or [])
    plan = make_plan(seed_start=seed_start)
    plan["needed"] = needed(claims)
    tasks = plan_tasks(plan["needed"], plan)
    same_cfg = {e for e in plan["needed"]
                if before["plan"]["experiments"].get(e) == plan["experiments"].get(e)}
    cached: dict[str, dict] = {}
    for f in (old / CACHE_DIR).glob("*.json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        cached[data["key"].rsplit("/", 1)[0]] = data
    take = [(t, cached[t.key.rsplit("/", 1)[0]]) for t in tasks
            if t.experiment in same_cfg and t.key.rsplit("/", 1)[0] in cached]
    probe = check or "gelu-variants/breast_cancer/gelu"
    pick = [(t, d) for t, d in take if f"{t.experiment}/{t.part}".startswith(probe)]
    if not pick:
        raise SystemExit(f"claims_adopt: no adopted task matches --check {probe}")
    t, d = pick[0]
    again = json.loads(json.dumps(run_task(t.as_dict()), default=float))
    if json.dumps(again, sort_keys=True) != json.dumps(d["result"], sort_keys=True):
        raise SystemExit(f"claims_adopt: {t.key} recomputed differs from {old}'s: not adopted")
    cache = claim_folder(new, claims, plan)
    for t, d in take:
        store(cache, t, d["result"], float(d.get("seconds", 0.0)))
    return len(take), len(tasks) - len(take)


def main(argv: list[str]) -> int:
    args = list(argv)
    opts: dict[str, str] = {}
    for flag in ("--seed-start", "--check", "--claims"):
        if flag in args:
            i = args.index(flag)
            opts[flag] = args[i + 1]
            del args[i:i + 2]
    if len(args) != 2:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    ids = opts["--claims"].split(",") if "--claims" in opts else None
    n, rest = adopt(Path(args[0]), Path(args[1]), seed_start=int(opts.get("--seed-start", 0)),
                    check=opts.get("--check"), claim_ids=ids)
    print(f"adopted {n} task results from {args[0]}; {rest} tasks left to compute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
