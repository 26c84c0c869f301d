"""claims.toml version 5 (issue 15, the items left open): seed counts from a stated power
analysis (a tool with known answers), margins no finer than one test sample (per data set
where they differ), a pooled dead-units rule, the failure rate's "inconclusive at n", and
per-experiment seed counts in the plan; the BatchNorm baseline trains at the deep-training
experiment's own depth."""

from __future__ import annotations

import copy
import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

import actfn.experiments as ex
from actfn.experiments import _claims, _tasks, claims
from actfn.experiments._judges import JUDGES, margin_for
from actfn.experiments._power import (
    analyse,
    halfwidth,
    seeds_for,
    spreads,
    zero_failure_seeds,
)

from .tooling import load_tool

ROOT = Path(__file__).resolve().parents[1]
LRS = [1e-3, 1e-2, 1e-1]
S = 15


def _tool():
    return load_tool("claims_power")


# -- the power computation: known cases ---------------------------------------------------------
def test_halfwidth_and_seeds_known_cases() -> None:
    # t(0.975, 1) = 12.706 (tables): sd 1 over 2 seeds -> 12.706 / sqrt 2 = 8.985
    assert halfwidth(1.0, 2) == pytest.approx(12.7062047 / math.sqrt(2), rel=1e-7)
    # sd = margin: t(0.975, 5)/sqrt 6 = 2.5706/2.4495 = 1.049 >= 1, t(0.975, 6)/sqrt 7 =
    # 2.4469/2.6458 = 0.925 < 1: seven seeds
    assert seeds_for(1.0, 1.0) == 7
    # selu-replaces-batchnorm: SD 2.52 pt, margin 1 pt -> 27 (h(26) = 1.018, h(27) = 0.997)
    assert seeds_for(0.0252, 0.01) == 27
    assert halfwidth(0.0252, 27) < 0.01 <= halfwidth(0.0252, 26)
    assert seeds_for(0.0, 0.01) == 2  # identical seeds: the smallest paired test
    # zero failures: p = 0.9^n; 0.9^28 = 0.0523 > 0.05 >= 0.9^29 = 0.0471
    assert zero_failure_seeds(0.1, 0.05) == 29 and zero_failure_seeds(0.1, 0.01) == 44
    for bad in ({"sd": 1.0, "margin": 0.0}, {"sd": float("nan"), "margin": 1.0}):
        with pytest.raises(ValueError, match="margin|sd"):
            seeds_for(**bad)
    with pytest.raises(ValueError, match="rate"):
        zero_failure_seeds(1.5)


def _paired_results(sd_by_group: dict[str, float]) -> dict:
    rng = np.random.default_rng(0)
    parts = {}
    for g, sd in sd_by_group.items():
        base = 0.9 + 0.01 * rng.standard_normal(S)
        spread = sd * np.tile([-1.0, 0.0, 1.0], S // 3) * math.sqrt(1.5)  # mean 0, SD sd
        for arm, x in (("relu", base), ("gelu", base + spread)):
            parts[f"{g}/{arm}"] = {"val_acc": [[[0.5, 0.9, 0.5]] for _ in range(S)],
                                   "test_acc": [[[0.0, v, 0.0]] for v in x], "n_test": 100}
    return {"training": {"config": {"lrs": LRS}, "seeds": list(range(S)), "parts": parts}}


def test_power_analysis_reads_the_decisive_differences() -> None:
    cl = [c for c in claims() if c.id == "gelu-generalises-better"]
    res = _paired_results({"digits": 0.005, "synthetic": 0.03})
    sp = spreads(res, cl)["gelu-generalises-better"]["conditions"]
    assert set(sp) == {"gelu on digits", "gelu on synthetic"}
    rows = {r.condition: r for r in analyse({"A": spreads(res, cl)}, cl)}
    syn = rows["gelu on synthetic"]
    assert syn.margin == margin_for(cl[0].rule, "synthetic") and syn.one_sample == 0.01
    assert syn.needed == seeds_for(syn.sd_max, syn.margin) > rows["gelu on digits"].needed


def test_power_tool_checks_claims_toml(monkeypatch) -> None:
    """The committed analysis (docs/claims/power.json: version 4's runs A and C, version
    5's A5 and C5) asks no more seeds than claims.toml declares, and no margin is finer
    than one test sample; a registry declaring fewer seeds, or a margin below one test
    sample, is reported. Version 7: the counts of the decision-power rule, beside the
    half-width rule's (version 5's 38 and 27 at version 4's SDs; A5's larger SDs ask more)."""
    tool = _tool()
    lines, problems = tool.report()
    assert problems == [], problems
    text = "\n".join(lines)
    assert "| training | 72 | 292 (gelu-generalises-better, gelu on synthetic) | 292 |" in text
    assert "| deep-training | 27 | 57 (selu-replaces-batchnorm" in text
    assert "| overfit | 30 | 116 (exp-units-overfit, celu on 50) | 116 |" in text
    reg = copy.deepcopy(_claims.registry())
    reg["experiments"]["deep-training"]["seeds"] = 27  # version 5's count
    monkeypatch.setattr(_claims, "registry", lambda: reg)
    _, problems = tool.report()
    assert problems == ["deep-training: claims.toml declares 27 seeds, the power analysis "
                        "needs 57"]
    fine = [dataclasses.replace(c, rule={**c.rule, "margin": 0.005})  # version 4's margin
            if c.id == "gelu-needs-tuning" else c for c in claims()]
    monkeypatch.setattr(ex, "resolve", lambda ids=(): fine)
    _, problems = tool.report()
    assert any(p.startswith("gelu-needs-tuning (gelu_tanh on breast_cancer): margin 0.005 is "
                            "finer than one test sample") for p in problems), problems


# -- per-experiment seed counts ------------------------------------------------------------------
def test_experiments_get_their_pre_registered_seed_counts() -> None:
    reg = _claims.registry()
    assert reg["version"] >= 5  # version 7: counts from the decision-power rule
    p = _claims.plan(seed_start=100)
    own = p["experiment_seeds"]
    for e in ("training", "deep-training", "overfit", "celu-alpha", "gelu-variants"):
        n = reg["experiments"][e]["seeds"]
        assert own[e] == list(range(100, 100 + n)) and "seeds" not in p["experiments"][e]
    assert p["seeds"] == list(range(100, 115))  # the rest keep the run's count
    tasks = _tasks.plan_tasks(["deep-training", "gelu-variants", "self-normalization"], p)
    deep = {t.seeds for t in tasks if t.experiment == "deep-training"}
    n = reg["experiments"]["deep-training"]["seeds"]  # 57: batches of 15, the last shorter
    assert deep == {tuple(range(100 + i, min(100 + i + 15, 100 + n))) for i in range(0, n, 15)}
    assert {t.seeds for t in tasks if t.experiment == "gelu-variants"} == {
        tuple(range(100, 115)), tuple(range(115, 120))}  # 20 seeds
    assert {t.seeds for t in tasks if t.experiment == "self-normalization"} == {
        tuple(range(100, 115))}
    # --seeds N and --quick use N everywhere (small runs stay small)
    assert "experiment_seeds" not in _claims.plan(seeds=3)
    assert "experiment_seeds" not in _claims.plan(quick=True)


# -- margins per data set ------------------------------------------------------------------------
def test_margin_per_data_set_decides_each_data_set_by_its_own() -> None:
    rule = {"kind": "paired-difference", "arms": ["gelu"], "base": "relu", "metric": "test_acc",
            "direction": "greater", "margin": {"digits": 0.001, "wine": 0.03}}
    res = _paired_results({"digits": 0.003, "wine": 0.003})
    v = JUDGES["paired-difference"](res, rule, 0.05)
    # the same ±0.3 pt spread is within wine's 3 pt and not within digits' 0.1 pt
    assert v.kind == "inconclusive" and "wine: " in v.evidence and "equivalent)" in v.evidence
    assert "±0.1 pt on digits, ±3 pt on wine" in v.evidence
    wide = {**rule, "margin": {"digits": 0.03, "wine": 0.03}}
    assert JUDGES["paired-difference"](res, wide, 0.05).kind == "refuted"
    with pytest.raises(KeyError, match="synthetic"):
        margin_for(rule, "synthetic")


# -- dead units: pooled rule, every verdict ------------------------------------------------------
def _part(dead: list[list[float]]) -> dict:
    n = len(dead)
    return {"val_acc": [[[0.5, 0.9, 0.5]] for _ in range(n)],
            "test_acc": [[[0.0, 0.9, 0.0]] for _ in range(n)], "dead": [[d] for d in dead]}


def _dead(cells: dict[str, dict[str, list[float]]]) -> dict:
    """cells[data set][arm] = mean dead fraction per learning rate; seeds spread ±0.004."""
    parts = {}
    for g, arms in cells.items():
        for arm, means in arms.items():
            parts[f"{g}/{arm}"] = _part([[max(0.0, m + 0.004 * ((s % 3) - 1)) if m else 0.0
                                          for m in means] for s in range(S)])
    return {"training": {"config": {"lrs": LRS, "width": 32, "depth": 2},
                         "seeds": list(range(S)), "parts": parts}}


RULE_DEAD = {"kind": "no-dead-units", "arms": ["elu"], "tol": 0.01, "base": "relu"}
RELU = [0.0, 0.1, 0.3]


@pytest.mark.parametrize(("elu", "expected"), [
    ({"d1": [0.0, 0.0, 0.0], "d2": [0.0, 0.0, 0.0]}, "supported"),
    # units die on d1 at lr 0.1, d2's largest lr is open (the v4 rule's blocker): nuanced
    ({"d1": [0.0, 0.0, 0.1], "d2": "open"}, "nuanced"),
    ({"d1": [0.0, 0.1, 0.3], "d2": [0.0, 0.1, 0.3]}, "refuted"),  # as many as ReLU
    # one open cell does not block: the pooled fraction is well below the tolerance
    ({"d1": [0.0, 0.0, 0.0], "d2": "open"}, "supported"),
    ({"d1": "open", "d2": "open"}, "inconclusive"),  # every cell at the tolerance, pooled too
])
def test_pooled_dead_units_rule(elu, expected) -> None:
    r = _dead({g: {"relu": RELU, "elu": [0.0, 0.0, 0.0]} for g in ("d1", "d2")})
    for g, means in elu.items():
        if means == "open":  # one seed in three at 0.03: mean 0.01, straddles the tolerance
            x = [[0.0, 0.0, 0.03 if s % 3 == 0 else 0.0] for s in range(S)]
            if elu[next(k for k in elu if k != g)] == "open":  # every cell of both open
                x = [[0.03 if s % 3 == 0 else 0.0] * 3 for s in range(S)]
        else:
            x = [[max(0.0, m + 0.004 * ((s % 3) - 1)) if m else 0.0 for m in means]
                 for s in range(S)]
        r["training"]["parts"][f"{g}/elu"] = _part(x)
    v = JUDGES["no-dead-units"](r, RULE_DEAD, 0.05)
    assert v.kind == expected, v.evidence
    assert "Pooled over data sets and learning rates" in v.evidence
    if expected == "nuanced":
        assert v.condition == ("fewer dead units than ReLU, not none: units die at elu on d1 "
                               "@0.1")


# -- failure rate: "inconclusive at n" -----------------------------------------------------------
def test_failure_rate_says_at_which_n_it_is_open() -> None:
    rule = {"kind": "failure-rate", "arm": "relu", "loss": 0.5, "rate": 0.1}
    n = 38
    bad = [[0.1, 0.1, 2.0 if s % 2 else 0.1] for s in range(n)]
    good = [[0.1, 0.1, 0.1] for _ in range(n)]

    def part(fl: list[list[float]]) -> dict:
        return {"final_loss": [[f] for f in fl]}

    t = {"config": {"lrs": LRS}, "seeds": list(range(n)),
         "parts": {"d1/relu": part(bad), "d2/relu": part(good)}}
    v = JUDGES["failure-rate"]({"training": t}, rule, 0.01)  # 0.9^38 = 0.018 > 0.01
    assert v.kind == "inconclusive", v.evidence
    assert v.condition.startswith("at n = 38 runs per data set: holds for d1; open on d2 0/38 "
                                  "failures (rate ≤ 0.09"), v.condition
    # at a threshold above 0.9^38 the same runs are decided (refuted on d2): nuanced
    assert JUDGES["failure-rate"]({"training": t}, rule, 0.02).kind == "nuanced"


# -- the BatchNorm baseline trains at deep-training's own configuration --------------------------
def test_batchnorm_baseline_trains_at_the_deep_training_depth() -> None:
    from actfn.experiments._batched import splits, train_batched

    cfg = _claims.plan()["experiments"]["deep-training"]
    assert "relu+batchnorm@he" in cfg["arms"]
    seeds = [0, 1]
    r = train_batched(splits(cfg["dataset"], seeds), "relu", [1e-2], epochs=2,
                      batch=cfg["batch"], width=cfg["width"], depth=cfg["depth"],
                      batchnorm=True, seed_keys=seeds)
    assert r["n_train"] % cfg["batch"] != 0  # a remainder exists and is dropped
    for s in range(2):  # far above chance (0.1): a broken BatchNorm sat at 0.137
        assert r["test_acc"][s][0][0] > 0.5, r["test_acc"]


# -- docs generated from the committed run ---------------------------------------------------------
def test_comparison_md_is_generated_from_the_committed_run() -> None:
    tool = load_tool("claims_table")
    docs = ROOT / "docs" / "claims"
    lines = tool.comparison(docs / "results.json", docs / "history.json")
    assert (docs / "comparison.md").read_text(encoding="utf-8") == "\n".join(lines) + "\n", \
        "run `python tools/claims_table.py --comparison` after committing a new results.json"
    text = "\n".join(lines)
    reg = _claims.registry()  # the committed run's version ([committed] while it lags)
    assert f"claims.toml version {reg.get('committed', {}).get('version', reg['version'])}" \
        in text
    assert all(f"| {c.id} |" in text for c in claims())
