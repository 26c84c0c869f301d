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

Version 7: decision power (two one-sided tests)
-----------------------------------------------
The half-width rule sizes :math:`n` for a *zero* true difference and a 95 % interval, but
a claim is decided by one-sided tests at the audit's Benjamini–Hochberg threshold
:math:`L` (0.018 in version 5's run A), and a true difference near the margin leaves the
verdict to the seeds. Version 7 sizes :math:`n` by the probability that a condition is
*decided*, at level :math:`L`, at two design points of the true mean difference
:math:`\Delta`:

* :math:`\Delta = 0`: equivalence by TOST, both one-sided tests
  :math:`H_0: \mu \le -\delta` and :math:`H_0: \mu \ge \delta` rejected at :math:`L`.
  With :math:`P_\pm` the power of each one-sided t-test (``statsmodels``
  ``TTestPower``, effect sizes :math:`(\delta \pm \Delta)/\sigma`), the TOST power is at
  least :math:`P_+ + P_- - 1` (Bonferroni's inequality, :func:`tost_power`); a seeded
  simulation with ``scipy.stats.t`` in the tests agrees within 0.02.
* :math:`|\Delta| = 1.5\,\delta`: the one-sided test of the claim's (or the opposite)
  direction against 0 at :math:`L` (rules that decide "differs" two-sided use
  :math:`L/2`), effect size :math:`1.5\,\delta/\sigma`.

The non-inferiority rule (``non-inferior``) decides on :math:`\mu > -\delta` (supported)
or :math:`\mu < -\delta` (refuted), both tested against :math:`-\delta`: its design points
are :math:`\Delta = 0` (effect :math:`\delta/\sigma`, as far inside as TOST's) and
:math:`\Delta = -\delta - 1.5\,\delta` (effect :math:`1.5\,\delta/\sigma`, as far from
the refuting test's null as the "differs" point is from 0).

A verdict of a claim with :math:`k` conditions is supported or refuted only when every
condition is decided, so each condition is planned for power :math:`0.8^{1/k}` (the
claim's probability is then about 0.8, treating the conditions as independent).
:func:`seeds_decided` is the smallest :math:`n` that reaches it at both design points,
with :math:`\sigma` the larger per-seed SD of the runs measured; an SD measured as 0
(every seed the same difference) is planned as one test sample, the deviation the judge
uses then.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["halfwidth", "seeds_for", "zero_failure_seeds", "spreads", "analyse", "PowerRow",
           "POWERED", "one_sided_power", "tost_power", "decided_power", "seeds_decided",
           "DesignRule", "TWO_SIDED"]

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


#: Rule kinds whose "differs" decision is two-sided (each side at half the level).
TWO_SIDED = ("variants-equivalent", "trend")


@dataclass(frozen=True)
class DesignRule:
    r"""The version-7 power rule (claims.toml ``[power_rule]``): the level the decision is
    planned at (the Benjamini–Hochberg threshold of a stated run), the probability of a
    decided verdict per claim, and the distance of the second design point in margins."""

    level: float = 0.018
    target: float = 0.8
    away: float = 1.5

    def __post_init__(self) -> None:
        if not 0 < self.level < 0.5:
            raise ValueError(f"level={self.level!r} must be in (0, 0.5)")
        if not 0 < self.target < 1:
            raise ValueError(f"target={self.target!r} must be in (0, 1)")
        if not self.away > 1:
            raise ValueError(f"away={self.away!r} must be above 1 (margins)")

    def per_condition(self, k: int) -> float:
        """The power each of ``k`` conditions needs for ``target`` over all of them."""
        if k < 1:
            raise ValueError(f"k={k!r} must be at least 1")
        return self.target ** (1.0 / k)


def one_sided_power(effect: float, n: int, level: float) -> float:
    r"""Power of the one-sided one-sample (paired) t-test at ``level`` with ``n`` seeds
    when the true standardised effect is ``effect`` (:math:`(\mu - \mu_0)/\sigma`, in the
    tested direction): ``statsmodels.stats.power.TTestPower``, noncentral t."""
    from statsmodels.stats.power import TTestPower

    if n < 2:
        raise ValueError(f"n={n} must be at least 2")
    if not math.isfinite(effect):
        raise ValueError(f"effect={effect!r} must be finite")
    return float(TTestPower().power(effect_size=effect, nobs=n, alpha=level,
                                    alternative="larger"))


def tost_power(sd: float, margin: float, n: int, level: float, true: float = 0.0) -> float:
    r"""Lower bound :math:`P_+ + P_- - 1` (clipped at 0) of the power of two one-sided
    tests for equivalence within :math:`\pm\delta` = ``margin`` at ``level``, true mean
    difference ``true``, per-seed SD ``sd`` (> 0), ``n`` seeds (:func:`one_sided_power`
    for :math:`H_0: \mu \le -\delta` and :math:`H_0: \mu \ge \delta`)."""
    if not sd > 0:
        raise ValueError(f"sd={sd!r} must be above 0")
    if not margin > 0:
        raise ValueError(f"margin={margin!r} must be above 0")
    lo = one_sided_power((true + margin) / sd, n, level)
    hi = one_sided_power((margin - true) / sd, n, level)
    return max(0.0, lo + hi - 1.0)


def decided_power(kind: str, sd: float, margin: float, n: int, rule: DesignRule) -> float:
    """The smaller probability, over the two design points of ``rule`` (module docstring),
    that a condition of a ``kind`` rule is decided with ``n`` seeds."""
    if not sd > 0:
        raise ValueError(f"sd={sd!r} must be above 0")
    far = rule.away * margin
    if kind == "non-inferior":
        return min(one_sided_power(margin / sd, n, rule.level),
                   one_sided_power(far / sd, n, rule.level))
    if kind not in POWERED:
        raise KeyError(f"rule kind {kind!r} has no power analysis (powered: "
                       f"{', '.join(POWERED)})")
    differs = rule.level / 2 if kind in TWO_SIDED else rule.level
    return min(tost_power(sd, margin, n, rule.level), one_sided_power(far / sd, n, differs))


def seeds_decided(kind: str, sd: float, margin: float, k: int = 1,
                  rule: DesignRule | None = None, resolution: float = 0.0,
                  n_max: int = 100_000) -> int:
    """The smallest ``n ≥ 2`` whose :func:`decided_power` reaches
    ``rule.per_condition(k)`` (a claim of ``k`` conditions); ``sd`` 0 is planned as
    ``resolution`` (one test sample). Raises ``ValueError`` if none up to ``n_max``."""
    rule = rule or DesignRule()
    if not sd >= 0:
        raise ValueError(f"sd={sd!r} must be a number ≥ 0")
    sd = sd if sd > 0 else resolution
    if not sd > 0:
        raise ValueError("sd is 0 and no resolution given: plan with one test sample")
    want = rule.per_condition(k)

    def ok(n: int) -> bool:
        return decided_power(kind, sd, margin, n, rule) >= want

    lo, hi = 2, 2
    while not ok(hi):  # exponential search, then bisection (power rises with n)
        lo, hi = hi + 1, hi * 2
        if hi > n_max:
            raise ValueError(f"more than n_max={n_max} seeds needed (sd {sd:g}, margin "
                             f"{margin:g})")
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
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
    """One condition of one claim: SD per run, the margin, one test sample, the seeds the
    version-5 half-width rule needs (``needed``) and the version-7 decision-power rule
    (``decided``, for a claim of ``k`` conditions)."""

    claim: str
    experiment: str
    condition: str
    sd: dict[str, float]
    margin: float
    one_sample: float
    needed: int
    kind: str = "paired-difference"
    k: int = 1
    decided: int = 0

    @property
    def sd_max(self) -> float:
        return max(self.sd.values())


def _margin(rule: Mapping[str, Any], condition: str) -> float:
    m = rule["margin"]
    if isinstance(m, Mapping):
        key = condition.split(" on ")[-1].split(" ")[0]
        return float(m[key])
    return float(m)


def analyse(runs: Mapping[str, Mapping[str, Any]], claims: Sequence[Any],
            rule: DesignRule | None = None) -> list[PowerRow]:
    """Rows of the power table from ``runs`` (run name → :func:`spreads` output) and the
    claims' rules (margins): per condition, the SD of each run, the seeds the half-width
    rule needs at the larger SD (:func:`seeds_for`, version 5) and those the decision-power
    rule needs (:func:`seeds_decided`, version 7, ``rule``)."""
    rule = rule or DesignRule()
    by_id = {c.id: c for c in claims}
    rows = []
    first = next(iter(runs.values()))
    for cid, entry in first.items():
        if cid not in by_id:
            continue
        crule = by_id[cid].rule
        k = len(entry["conditions"])
        for cond, cell in entry["conditions"].items():
            sd = {name: float(np.std(run[cid]["conditions"][cond]["diffs"], ddof=1))
                  for name, run in runs.items() if cid in run}
            m = _margin(crule, cond)
            one = 1.0 / cell["n_test"]
            rows.append(PowerRow(cid, entry["experiment"], cond, sd, m, one,
                                 seeds_for(max(sd.values()), m), crule["kind"], k,
                                 seeds_decided(crule["kind"], max(sd.values()), m, k, rule,
                                               resolution=one)))
    return rows
