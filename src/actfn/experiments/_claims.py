"""The pre-registered claims and plan, read from ``claims.toml`` (beside this module).

:func:`registry` parses and checks the file once; :data:`CLAIMS` is its claims as
:class:`~actfn.experiments._core.Claim` objects; :func:`plan` gives the experiment sizes of
a run (full or quick, with the seeds and scale of the command line).
"""

from __future__ import annotations

import copy
import sys
from functools import cache
from pathlib import Path
from typing import Any

from ._core import Claim

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["CLAIMS", "registry", "plan", "PATH", "claims_from"]

#: The pre-registration file.
PATH = Path(__file__).with_name("claims.toml")

_REQUIRED = ("id", "activations", "en", "zh", "sources", "experiments", "rule")


def claims_from(data: dict[str, Any]) -> tuple[Claim, ...]:
    """Claims from a parsed registry; raises ``ValueError`` naming the claim and the key
    when one is missing, unknown or repeated."""
    from ._judges import JUDGES

    out, seen = [], set()
    for i, c in enumerate(data.get("claim", [])):
        missing = [k for k in _REQUIRED if k not in c]
        if missing:
            raise ValueError(f"claims.toml: claim #{i + 1} ({c.get('id', '?')}) lacks "
                             f"{', '.join(missing)}")
        if c["id"] in seen:
            raise ValueError(f"claims.toml: claim id {c['id']!r} appears twice")
        seen.add(c["id"])
        kind = c["rule"].get("kind")
        if kind not in JUDGES:
            raise ValueError(f"claims.toml: claim {c['id']!r} has rule kind={kind!r}; known: "
                             f"{', '.join(sorted(JUDGES))}")
        unknown = [s for s in c["sources"] if s not in data.get("sources", {})]
        if unknown:
            raise ValueError(f"claims.toml: claim {c['id']!r} cites unknown source(s) "
                             f"{', '.join(unknown)}")
        out.append(Claim(c["id"], tuple(c["activations"]), c["en"], c["zh"],
                         tuple(c["sources"]), tuple(c["experiments"]), dict(c["rule"])))
    return tuple(out)


@cache
def registry() -> dict[str, Any]:
    """The parsed ``claims.toml`` (version, sources, seeds, experiment sizes, claims)."""
    with PATH.open("rb") as fh:
        return tomllib.load(fh)


def plan(*, quick: bool = False, seeds: int | None = None, seed_start: int | None = None,
         seed_batch: int | None = None, scale: float = 1.0) -> dict[str, Any]:
    """The run plan: ``{"version", "quick", "seeds", "seed_batch", "scale", "experiments"}``
    with quick overrides applied and every epoch/step count multiplied by ``scale``, plus
    ``"experiment_seeds"`` (experiment id → its seeds) for experiments whose pre-registered
    seed count differs from the run's (full runs without ``--seeds`` only)."""
    reg = registry()
    exps = copy.deepcopy(reg["experiments"])
    s = dict(reg["seeds"])
    if quick:
        q = reg.get("quick", {})
        s["count"] = q.get("seeds", s["count"])
        for eid, over in q.items():
            if isinstance(over, dict):
                exps.setdefault(eid, {}).update(copy.deepcopy(over))
    n = s["count"] if seeds is None else seeds
    start = s["start"] if seed_start is None else seed_start
    if n < 2:
        raise ValueError(f"seeds={n} must be at least 2 (paired tests need two)")
    if start < 0:
        raise ValueError(f"seed_start={start} must be at least 0")
    if not 0 < scale <= 100:
        raise ValueError(f"scale={scale} must be in (0, 100]")
    batch = seed_batch or s["batch"]
    if batch < 1:
        raise ValueError(f"seed_batch={batch} must be at least 1")

    def scaled(v: int) -> int:
        return max(1, round(v * scale))

    # An experiment's own ``seeds`` (version 5: the count its claims' power analysis asks
    # for, tools/claims_power.py) applies to the full run only; --seeds N or --quick use N
    # seeds everywhere. Its seeds start at the run's start: S, S+1, ..., S+count-1.
    own: dict[str, list[int]] = {}
    for eid, cfg in exps.items():
        count = cfg.pop("seeds", None) if isinstance(cfg, dict) else None
        if count is not None and not quick and seeds is None and count != n:
            if count < 2:
                raise ValueError(f"claims.toml: experiments.{eid}.seeds={count} must be at "
                                 "least 2")
            own[eid] = list(range(start, start + count))

    for cfg in exps.values():
        for key in ("epochs", "steps"):
            if key in cfg:
                cfg[key] = scaled(cfg[key])
        for size in cfg.get("sizes", {}).values():
            size["epochs"] = scaled(size["epochs"])
    out = {"version": reg["version"], "quick": quick, "seeds": list(range(start, start + n)),
           "seed_batch": batch, "scale": scale, "experiments": exps}
    if own:
        out["experiment_seeds"] = own
    return out


#: Every claim, in report order.
CLAIMS: tuple[Claim, ...] = claims_from(registry())
