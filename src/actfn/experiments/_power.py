r"""Pre-registered power: how many seeds a training claim needs, from measured spreads.

A paired claim is decided on the per-seed differences :math:`d_s` (seed :math:`s` fixes the
split, initial weights and batch order of both arms). With :math:`n` seeds and per-seed
standard deviation :math:`\sigma`, the 95 % t-interval of the mean difference has the
expected half-width

.. math:: h(n) = t_{0.975,\,n-1}\,\frac{\sigma}{\sqrt n}.

The seed count of a claim is the smallest :math:`n` with :math:`h(n) < \delta`, the
claim's margin, using the larger :math:`\sigma` of the runs measured (runs A and C of
``claims.toml`` version 4) and of the claim's conditions; an experiment gets the largest
count of its claims. A margin is never finer than one test sample (:math:`\delta \ge
1/n_{test}`): a difference below the metric's resolution cannot be shown.

For a failure rate :math:`r` with no failures seen in :math:`n` independent runs, the exact
one-sided binomial p-value against :math:`r` is :math:`(1-r)^n`
(``scipy.stats.binomtest``); :func:`zero_failure_seeds` is the smallest :math:`n` that
reaches a level.

:func:`spreads` extracts the decisive per-seed differences of every training claim from a
run's results (the quantities the judges test); :func:`analyse` turns them into the table of
``tools/claims_power.py`` (``docs/claims/power.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["halfwidth", "seeds_for", "zero_failure_seeds", "spreads", "analyse", "PowerRow",
           "POWERED"]

#: Rule kinds whose seed count comes from the power analysis (accuracy differences with a
#: margin). ``faster`` has no margin (refuted only by a significant opposite effect) and
#: the dead-unit and failure rules are proportions: they are not in this table.
POWERED = ("paired-difference", "non-inferior", "variants-equivalent", "sparsity-trend",
           "trend")


def halfwidth(sd: float, n: int, conf: float = 0.95) -> float:
    r"""Expected half-width :math:`t_{(1+c)/2,\,n-1}\,\sigma/\sqrt n` of the ``conf``
    t-interval of a mean over ``n`` seeds with per-seed SD ``sd``."""
    from scipy import stats

    if n < 2:
        raise ValueError(f"n={n} must be at least 2")
    if not sd >= 0:
        raise ValueError(f"sd={sd!r} must be a number ≥ 0")
    return float(stats.t(df=n - 1).ppf(0.5 + conf / 2)) * sd / math.sqrt(n)


def seeds_for(sd: float, margin: float, conf: float = 0.95, n_max: int = 100_000) -> int:
    """The smallest ``n ≥ 2`` whose expected half-width :func:`halfwidth` is below
    ``margin``; raises ``ValueError`` if none up to ``n_max``."""
    if not margin > 0:
        raise ValueError(f"margin={margin!r} must be above 0")
    lo, hi = 2, 2
    while halfwidth(sd, hi, conf) >= margin:  # exponential search, then bisection
        lo, hi = hi, hi * 2
        if hi > n_max:
            raise ValueError(f"more than n_max={n_max} seeds needed (sd {sd:g}, margin "
                             f"{margin:g})")
    while lo < hi:
        mid = (lo + hi) // 2
        if halfwidth(sd, mid, conf) < margin:
            hi = mid
        else:
            lo = mid + 1
    return lo


def zero_failure_seeds(rate: float, level: float = 0.05) -> int:
    """The smallest number of runs in which zero failures make a failure rate of ``rate``
    significantly too high at ``level`` (exact one-sided binomial test, p = (1 − rate)^n)."""
    from scipy import stats

    if not 0 < rate < 1:
        raise ValueError(f"rate={rate!r} must be in (0, 1)")
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} must be in (0, 1)")
    n = max(1, math.floor(math.log(level) / math.log1p(-rate)) - 1)
    while stats.binomtest(0, n, rate, alternative="less").pvalue > level:
        n += 1
    return n


def _diffs(results: Mapping[str, Any], rule: Mapping[str, Any]) -> dict[str, tuple[list[float],
                                                                                   int]]:
    """Condition → (per-seed decisive differences, test-set size) of one claim's rule."""
    from ._judges import group_names, metric_values

    kind = rule["kind"]
    out: dict[str, tuple[list[float], int]] = {}
    if kind == "paired-difference":
        d = results[rule.get("experiment")
                    or ("overfit" if rule["metric"] == "gap" else "training")]
        bases = [rule["base"]] if isinstance(rule["base"], str) else list(rule["base"])
        for g in group_names(d):
            for b in bases:
                base = d["parts"][f"{g}/{b}"]
                for arm in rule["arms"]:
                    run = d["parts"][f"{g}/{arm}"]
                    x = metric_values(run, rule["metric"]) - metric_values(base, rule["metric"])
                    label = f"{arm} − {b} on {g}" if len(bases) > 1 else f"{arm} on {g}"
                    out[label] = (x.tolist(), int(run["n_test"]))
    elif kind == "non-inferior":
        parts = results["deep-training"]["parts"]
        a = next(v for k, v in parts.items() if k.startswith(rule["arm"] + "@"))
        b = next(v for k, v in parts.items() if k.startswith(rule["base"] + "@"))
        x = metric_values(a, rule["metric"]) - metric_values(b, rule["metric"])
        out[f"{rule['arm']} − {rule['base']}"] = (x.tolist(), int(a["n_test"]))
    elif kind == "variants-equivalent":
        d = results["gelu-variants"]
        for g in group_names(d):
            base = d["parts"][f"{g}/{rule['base']}"]
            for arm in rule["arms"]:
                run = d["parts"][f"{g}/{arm}"]
                x = metric_values(run, rule["metric"]) - metric_values(base, rule["metric"])
                out[f"{arm} on {g}"] = (x.tolist(), int(run["n_test"]))
    elif kind == "sparsity-trend":
        d = results["overfit"]
        slopes = d["config"]["slopes"]
        for g in group_names(d):
            run = d["parts"][f"{g}/leaky-sweep"]
            gaps = np.stack([metric_values(run, "gap", c) for c in range(len(slopes))], axis=1)
            pos = [i for i, s in enumerate(slopes) if s > 0]
            zero = [i for i, s in enumerate(slopes) if s == 0]
            x = gaps[:, pos].mean(axis=1) - gaps[:, zero].mean(axis=1)
            out[f"n={g}"] = (x.tolist(), int(run["n_test"]))
    elif kind == "trend":  # every pair of alphas is tested for equivalence: the widest pair
        d = results["celu-alpha"]
        k = len(d["config"]["alphas"])
        for g, run in d["parts"].items():
            ys = np.stack([metric_values(run, rule["metric"], c) for c in range(k)], axis=1)
            pairs = [ys[:, j] - ys[:, i] for i in range(k) for j in range(i + 1, k)]
            widest = max(pairs, key=lambda x: float(np.std(x, ddof=1)))
            out[f"{g} (widest alpha pair)"] = (widest.tolist(), int(run["n_test"]))
    else:
        raise KeyError(f"rule kind {kind!r} has no power analysis (powered: "
                       f"{', '.join(POWERED)})")
    return out


def spreads(results: Mapping[str, Any], claims: Sequence[Any]) -> dict[str, Any]:
    """The per-seed decisive differences of every powered claim in ``claims`` (objects with
    ``id``, ``rule`` and ``experiments``) whose experiments ``results`` holds:
    ``{claim id: {"experiment": ..., "conditions": {name: {"diffs": [...], "n_test": n}}}}``."""
    out: dict[str, Any] = {}
    for c in claims:
        if c.rule["kind"] not in POWERED or not all(e in results for e in c.experiments):
            continue
        conds = _diffs(results, c.rule)
        out[c.id] = {"experiment": c.experiments[0],
                     "conditions": {k: {"diffs": v, "n_test": n} for k, (v, n) in conds.items()}}
    return out


@dataclass(frozen=True)
class PowerRow:
    """One condition of one claim: SD per run, the margin, one test sample, seeds needed."""

    claim: str
    experiment: str
    condition: str
    sd: dict[str, float]
    margin: float
    one_sample: float
    needed: int

    @property
    def sd_max(self) -> float:
        return max(self.sd.values())


def _margin(rule: Mapping[str, Any], condition: str) -> float:
    m = rule["margin"]
    if isinstance(m, Mapping):
        key = condition.split(" on ")[-1].split(" ")[0]
        return float(m[key])
    return float(m)


def analyse(runs: Mapping[str, Mapping[str, Any]], claims: Sequence[Any]) -> list[PowerRow]:
    """Rows of the power table from ``runs`` (run name → :func:`spreads` output) and the
    claims' rules (margins): per condition, the SD of each run, and the seeds needed by the
    larger SD (:func:`seeds_for`)."""
    by_id = {c.id: c for c in claims}
    rows = []
    first = next(iter(runs.values()))
    for cid, entry in first.items():
        if cid not in by_id:
            continue
        rule = by_id[cid].rule
        for cond, cell in entry["conditions"].items():
            sd = {name: float(np.std(run[cid]["conditions"][cond]["diffs"], ddof=1))
                  for name, run in runs.items() if cid in run}
            m = _margin(rule, cond)
            rows.append(PowerRow(cid, entry["experiment"], cond, sd, m, 1.0 / cell["n_test"],
                                 seeds_for(max(sd.values()), m)))
    return rows
