"""The judges on synthetic data whose answer is known: supported, refuted by equivalence or
by a significant opposite effect, nuanced, inconclusive; the false-discovery correction
and the quick-run rule. (Moved from test_experiments.py and rewritten for the rule kinds.)"""

from __future__ import annotations

import numpy as np
import pytest

from actfn.catalog.selu import SELU_ALPHA, SELU_SCALE
from actfn.experiments import claims
from actfn.experiments._judges import JUDGES, STATISTICAL, combine, gradient_trend, judge_all

LRS = [1e-3, 1e-2, 1e-1]
S = 15


def _part(test: list[float] | np.ndarray, *, best: int = 1, train: list[float] | None = None,
          epochs: list[int] | None = None, dead: list[list[float]] | None = None,
          final_loss: list[list[float]] | None = None, n_test: int = 300,
          auc: list[float] | np.ndarray | None = None) -> dict:
    """One arm: per-seed values placed at learning rate ``best`` (the best on validation)."""
    n = len(test)
    val = [[[0.9 if i == best else 0.5 for i in range(len(LRS))]] for _ in range(n)]

    def at_best(v: list[float]) -> list:
        return [[[x if i == best else 0.0 for i in range(len(LRS))]] for x in v]

    return {"val_acc": val, "test_acc": at_best(list(test)),
            "train_acc": at_best(train if train is not None else [1.0] * n),
            "epochs_to_target": at_best(epochs if epochs is not None else [5] * n),
            "loss_auc": at_best(list(auc) if auc is not None else [0.5] * n), "steps": 100,
            "dead": [[d] for d in (dead if dead is not None else [[0.0] * len(LRS)] * n)],
            "final_loss": [[f] for f in (final_loss if final_loss is not None
                                         else [[0.1] * len(LRS)] * n)],
            "n_test": n_test, "n_params": 100}


def _noise(mean: float, sd: float = 0.01, seed: int = 0) -> np.ndarray:
    return mean + sd * np.random.default_rng(seed).standard_normal(S)


def _training(parts: dict[str, dict], groups: tuple[str, ...] = ("d1", "d2")) -> dict:
    return {"config": {"lrs": LRS, "width": 10, "depth": 2,
                       "sizes": {g: {"epochs": 30} for g in groups}},
            "seeds": list(range(S)),
            "parts": {f"{g}/{a}": p for g in groups for a, p in parts.items()}}


RULE_GEN = {"kind": "paired-difference", "arms": ["gelu"], "base": "relu",
            "metric": "test_acc", "direction": "greater", "margin": 0.005}


@pytest.mark.parametrize(("gelu", "expected"), [
    (_noise(0.95, seed=1) + 0.03, "supported"),        # clearly better on both
    (_noise(0.95, seed=1) - 0.03, "refuted"),          # significantly worse: opposite
    (_noise(0.95, 0.0005, seed=1), "refuted"),         # equivalent within ±0.5 pt
    (_noise(0.95, 0.05, seed=1), "inconclusive"),      # noisy: straddles the margin
])
def test_paired_difference_four_ways(gelu, expected) -> None:
    relu = _noise(0.95, 0.0005, seed=2) if expected == "refuted" else _noise(0.95, seed=2)
    r = {"training": _training({"gelu": _part(gelu), "relu": _part(relu)})}
    v = JUDGES["paired-difference"](r, RULE_GEN, 0.05)
    assert v.kind == expected, v.evidence
    assert len(v.pvalues) == 2 and all(0 <= p <= 1 for p in v.pvalues)  # one per data set


def test_paired_difference_is_paired_by_seed() -> None:
    # seeds differ a lot from each other, but gelu is +1 pt on every seed: paired → supported
    base = np.linspace(0.80, 0.99, S)
    r = {"training": _training({"gelu": _part(base + 0.01 + _noise(0, 0.001, 3)),
                                "relu": _part(base)})}
    assert JUDGES["paired-difference"](r, RULE_GEN, 0.05).kind == "supported"


def test_paired_difference_uses_each_arms_best_lr() -> None:
    # gelu's good accuracy sits at lr index 2, which its validation picked
    r = {"training": _training({"gelu": _part(_noise(0.99), best=2),
                                "relu": _part(_noise(0.90), best=0)})}
    v = JUDGES["paired-difference"](r, RULE_GEN, 0.05)
    assert v.kind == "supported" and "lr 0.1 vs 0.001" in v.evidence


def test_nuanced_names_the_condition() -> None:
    r = {"training": _training({"gelu": _part(_noise(0.98)), "relu": _part(_noise(0.95))},
                               ("d1",))}
    r2 = _training({"gelu": _part(_noise(0.92)), "relu": _part(_noise(0.95))}, ("d2",))
    r["training"]["parts"].update(r2["parts"])
    r["training"]["config"]["sizes"]["d2"] = {"epochs": 30}
    v = JUDGES["paired-difference"](r, RULE_GEN, 0.05)
    assert v.kind == "nuanced" and "holds for d1" in v.condition and "d2" in v.condition


def test_zero_variance_arm_is_not_automatically_significant() -> None:
    # both arms identical on every seed except one seed of one arm: a 1/15-sample wobble
    a = np.full(S, 0.95)
    b = a.copy()
    b[0] += 1 / 300
    r = {"training": _training({"gelu": _part(b), "relu": _part(a)})}
    v = JUDGES["paired-difference"](r, RULE_GEN, 0.05)
    assert v.kind != "supported"


RULE_FAST = {"kind": "faster", "arm": "selu", "base": "relu"}


@pytest.mark.parametrize(("selu", "relu", "expected"), [
    (_noise(0.3, 0.02, seed=3), _noise(0.5, 0.02, seed=4), "supported"),  # smaller area
    (_noise(0.5, 0.02, seed=3), _noise(0.3, 0.02, seed=4), "refuted"),    # significantly slower
    (_noise(0.4, 0.05, seed=3), _noise(0.4, 0.05, seed=4), "inconclusive"),  # no difference
    ([0.4] * S, [0.4] * S, "inconclusive"),  # identical: no equivalence margin, not refuted
])
def test_faster_rule_loss_auc(selu, relu, expected) -> None:
    # version 4: loss AUC over optimiser steps, paired by seed (no whole-epoch resolution)
    r = {"training": _training({"selu": _part(_noise(0.9), auc=selu),
                                "relu": _part(_noise(0.9), auc=relu)})}
    v = JUDGES["faster"](r, RULE_FAST, 0.05)
    assert v.kind == expected, v.evidence
    assert "Loss AUC" in v.evidence and "100 steps" in v.evidence


def test_faster_rule_is_paired_by_seed() -> None:
    # a seed-to-seed spread far larger than the effect: only pairing finds the effect
    base = 0.2 + 0.3 * np.random.default_rng(7).random(S)
    r = {"training": _training({"selu": _part(_noise(0.9), auc=base - 0.01),
                                "relu": _part(_noise(0.9), auc=base)})}
    assert JUDGES["faster"](r, RULE_FAST, 0.05).kind == "supported"


def test_faster_with_control_mechanism() -> None:
    rule = {"kind": "faster", "arm": "elu", "base": "relu", "control": "relu_centred"}
    fast, slow = _noise(0.3, seed=5), _noise(0.5, seed=6)
    r = {"training": _training({"elu": _part(_noise(0.9), auc=fast),
                                "relu": _part(_noise(0.9), auc=slow),
                                "relu_centred": _part(_noise(0.9), auc=slow)})}
    v = JUDGES["faster"](r, rule, 0.05)
    assert v.kind == "nuanced" and "centred ReLU is not significantly faster" in v.condition
    r["training"]["parts"]["d1/relu_centred"]["loss_auc"] = \
        r["training"]["parts"]["d1/elu"]["loss_auc"]
    r["training"]["parts"]["d2/relu_centred"]["loss_auc"] = \
        r["training"]["parts"]["d2/elu"]["loss_auc"]
    assert JUDGES["faster"](r, rule, 0.05).kind == "supported"


def _alpha(effect: float, sd: float = 0.002) -> dict:
    alphas = [0.1, 1.0, 10.0]
    x = np.log10(alphas)
    rng = np.random.default_rng(5)
    test = [[0.9 + effect * (xi - x.min()) / (x.max() - x.min()) + sd * rng.standard_normal()
             for xi in x] for _ in range(S)]
    best = 0
    return {"config": {"alphas": alphas, "lrs": LRS},
            "seeds": list(range(S)),
            "parts": {"d1": {
                "val_acc": [[[0.9, 0.5, 0.5]] * 3 for _ in range(S)],
                "test_acc": [[[row[c], 0, 0] for c in range(3)] for row in test],
                "n_test": 300}}, "_best": best}


@pytest.mark.parametrize(("effect", "expected"), [
    (0.05, "supported"), (-0.05, "supported"), (0.0, "refuted"), (0.012, "inconclusive"),
])
def test_trend_rule_for_a_sweep(effect, expected) -> None:
    rule = {"kind": "trend", "metric": "test_acc", "margin": 0.01, "two_sided": True}
    sd = 0.03 if expected == "inconclusive" else 0.002
    v = JUDGES["trend"]({"celu-alpha": _alpha(effect, sd)}, rule, 0.05)
    assert v.kind == expected, v.evidence


def test_trend_is_not_best_vs_worst() -> None:
    # pure noise across alpha: picking best and worst would find a 'spread'; the trend is 0
    rule = {"kind": "trend", "metric": "test_acc", "margin": 0.01, "two_sided": True}
    v = JUDGES["trend"]({"celu-alpha": _alpha(0.0, 0.004)}, rule, 0.05)
    assert v.kind == "refuted"


def _dead_training(relu: float, other: float) -> dict:
    # dead fractions per lr: only the largest lr kills units
    def d(x: float) -> list[list[float]]:
        return [[0.0, 0.0, x + 0.01 * ((s % 3) - 1) * (x > 0)] for s in range(S)]

    t = _training({"relu": _part(_noise(0.9), dead=d(relu)),
                   "elu": _part(_noise(0.9), dead=d(other))})
    t["config"]["width"] = 32  # 64 hidden units: one unit is 1/64 of a model
    return t


@pytest.mark.parametrize(("relu", "other", "expected"), [
    (0.3, 0.0, "supported"), (0.3, 0.1, "nuanced"), (0.3, 0.3, "refuted"),
])
def test_no_dead_units_rule(relu, other, expected) -> None:
    rule = {"kind": "no-dead-units", "arms": ["elu"], "tol": 0.01, "base": "relu"}
    v = JUDGES["no-dead-units"]({"training": _dead_training(relu, other)}, rule, 0.05)
    assert v.kind == expected, v.evidence
    assert "[" in v.evidence  # intervals over seeds shown, never below 0
    los = [float(x.split("[")[1].split(",")[0]) for x in v.evidence.split("vs relu")[:-1]]
    assert all(lo >= 0 for lo in los)


def test_relu_dying_rule_states_the_learning_rate() -> None:
    rule = {"kind": "dead-units-occur", "arm": "relu", "tol": 0.01}
    v = JUDGES["dead-units-occur"]({"training": _dead_training(0.3, 0.0)}, rule, 0.05)
    assert v.kind == "nuanced" and "≥ 0.1" in v.condition
    v = JUDGES["dead-units-occur"]({"training": _dead_training(0.0, 0.0)}, rule, 0.05)
    assert v.kind == "refuted"


def test_failure_rate_rule() -> None:
    rule = {"kind": "failure-rate", "arm": "relu", "loss": 0.5, "rate": 0.15}
    bad = [[0.1, 0.1, 2.0 if s % 2 else 0.1] for s in range(S)]
    good = [[0.1, 0.1, 0.1] for _ in range(S)]
    t = _training({"relu": _part(_noise(0.9), final_loss=bad),
                   "elu": _part(_noise(0.9), final_loss=good)})
    v = JUDGES["failure-rate"]({"training": t}, rule, 0.05)
    assert v.kind == "supported" and "d1: 7/15" in v.evidence  # per data set, not pooled
    # 0 of 15 seeds fail: a 15 % rate is not excluded (0.85**15 = 0.087): no refutation ...
    t = _training({"relu": _part(_noise(0.9), final_loss=good),
                   "elu": _part(_noise(0.9), final_loss=good)})
    assert JUDGES["failure-rate"]({"training": t}, rule, 0.05).kind == "inconclusive"
    # ... 0 of 40 seeds does (0.85**40 < 0.001)
    good40 = [[0.1, 0.1, 0.1] for _ in range(40)]
    t = _training({"relu": _part([0.9] * 40, final_loss=good40),
                   "elu": _part([0.9] * 40, final_loss=good40)})
    assert JUDGES["failure-rate"]({"training": t}, rule, 0.05).kind == "refuted"


def test_failure_rate_does_not_pool_data_sets() -> None:
    # all failures on one data set: nuanced (holds there), not an average over both
    rule = {"kind": "failure-rate", "arm": "relu", "loss": 0.5, "rate": 0.15}
    good40 = [[0.1, 0.1, 0.1] for _ in range(40)]
    bad40 = [[0.1, 0.1, 2.0 if s % 2 else 0.1] for s in range(40)]
    t = _training({"relu": _part([0.9] * 40, final_loss=good40),
                   "elu": _part([0.9] * 40, final_loss=good40)})
    t["parts"]["d1/relu"] = _part([0.9] * 40, final_loss=bad40)
    v = JUDGES["failure-rate"]({"training": t}, rule, 0.05)
    assert v.kind == "nuanced" and v.condition.startswith("holds for d1; not for d2")


def test_dead_units_use_the_seed_as_unit_and_enter_the_bh_family() -> None:
    # one seed with every unit dead, fourteen with none: the pooled-units count (64 of
    # 960 units, Wilson lower bound 0.05) would call it 'units die'; per seed it is one
    # model out of 15, an interval over seeds that includes the tolerance
    rule = {"kind": "dead-units-occur", "arm": "relu", "tol": 0.01}
    dead = [[0.0, 0.0, 1.0 if s == 0 else 0.0] for s in range(S)]
    t = _training({"relu": _part(_noise(0.9), dead=dead)})
    t["config"]["width"] = 32
    v = JUDGES["dead-units-occur"]({"training": t}, rule, 0.05)
    assert v.kind == "inconclusive", v.evidence
    assert len(v.pvalues) == 2 * len(LRS)  # one per data set and learning rate
    assert "dead-units-occur" in STATISTICAL and "no-dead-units" in STATISTICAL


def _deep(selu: np.ndarray, bn: np.ndarray) -> dict:
    return {"config": {"lrs": LRS, "depth": 12, "width": 32}, "seeds": list(range(S)),
            "parts": {"selu@lecun": _part(selu), "relu+batchnorm@he": _part(bn)}}


@pytest.mark.parametrize(("selu", "bn", "expected"), [
    (_noise(0.95, seed=1), _noise(0.95, seed=2), "supported"),   # non-inferior
    (_noise(0.90, seed=1), _noise(0.95, seed=2), "refuted"),     # worse beyond 1 pt
    (_noise(0.94, 0.03, seed=1), _noise(0.95, seed=2), "inconclusive"),
])
def test_non_inferiority_rule(selu, bn, expected) -> None:
    rule = {"kind": "non-inferior", "arm": "selu", "base": "relu+batchnorm",
            "metric": "test_acc", "margin": 0.01}
    v = JUDGES["non-inferior"]({"deep-training": _deep(selu, bn)}, rule, 0.05)
    assert v.kind == expected, v.evidence


def _cost(ratios: dict[str, float], timing: dict[str, list[float]] | None = None) -> dict:
    timing = timing or {}
    return {"cost": {"config": {"processes": 6}, "hardware": "test cpu",
                     "instruction_ratio": {k: {"f": v, "df": v, "fdf": v}
                                           for k, v in ratios.items()},
                     "timing": {k: {"fdf": t} for k, t in timing.items()}}}


@pytest.mark.parametrize(("ratio", "direction", "expected"), [
    (2.0, "greater", "supported"), (1.05, "greater", "refuted"), (0.5, "greater", "refuted"),
    (0.5, "less", "supported"), (0.95, "less", "refuted"),
])
def test_cost_ratio_rule_with_margin(ratio, direction, expected) -> None:
    rule = {"kind": "cost-ratio", "kernels": ["gelu"], "direction": direction, "margin": 0.1}
    v = JUDGES["cost-ratio"](_cost({"relu": 1.0, "gelu": ratio}), rule, 0.05)
    assert v.kind == expected


def test_cost_ratio_flags_time_that_disagrees() -> None:
    rule = {"kind": "cost-ratio", "kernels": ["gelu"], "direction": "greater", "margin": 0.1}
    v = JUDGES["cost-ratio"](_cost({"relu": 1.0, "gelu": 2.0}, {"gelu": [0.8, 0.7, 0.9]}),
                             rule, 0.05)
    assert v.kind == "nuanced" and "time" in v.condition


def test_cost_cheapest_rule() -> None:
    rule = {"kind": "cost-cheapest", "kernel": "relu", "heavy": ["elu"], "margin": 0.1}
    assert JUDGES["cost-cheapest"](_cost({"relu": 1.0, "x": 0.95, "elu": 3.0}), rule,
                                   0.05).kind == "supported"
    assert JUDGES["cost-cheapest"](_cost({"relu": 1.0, "x": 0.5, "elu": 3.0}), rule,
                                   0.05).kind == "nuanced"
    assert JUDGES["cost-cheapest"](_cost({"relu": 1.0, "elu": 1.0}), rule,
                                   0.05).kind == "refuted"


# -- exact rules (moved from test_experiments.py) ------------------------------------------------
def _grad_data(norms: dict[str, tuple[float, float]]) -> dict:
    return {"depths": [2, 64], "conventional_init": {"relu": "he", "sigmoid": "lecun"},
            "norm": {k: [[a * f for f in (0.9, 1.0, 1.1)], [b * f for f in (0.9, 1.0, 1.1)]]
                     for k, (a, b) in norms.items()}}


def test_gradient_trend_classes() -> None:
    d = _grad_data({"x/he": (1.0, 1e-5), "y/he": (1.0, 0.5), "z/he": (1.0, 100.0)})
    assert gradient_trend(d, "x", "he")[0] == "vanishing"
    assert gradient_trend(d, "y", "he")[0] == "stable"
    assert gradient_trend(d, "z", "he")[0] == "exploding"


@pytest.mark.parametrize(("act", "want", "he", "lecun", "expected"), [
    ("relu", "stable", (1.0, 0.9), (1.0, 0.8), "supported"),
    ("relu", "stable", (1.0, 0.9), (1.0, 1e-9), "nuanced"),
    ("relu", "stable", (1.0, 1e-6), (1.0, 1e-9), "refuted"),
    ("sigmoid", "vanishing", (1.0, 1e-20), (1.0, 1e-30), "supported"),
    ("sigmoid", "vanishing", (1.0, 1.0), (1.0, 1e-30), "nuanced"),
    ("sigmoid", "vanishing", (1.0, 2.0), (1.0, 1.0), "refuted"),
])
def test_gradient_rule(act, want, he, lecun, expected) -> None:
    d = _grad_data({f"{act}/he": he, f"{act}/lecun": lecun})
    rule = {"kind": "gradient-trend", "act": act, "claim": want, "vanish": 0.1,
            "explode": 10.0}
    assert JUDGES["gradient-trend"]({"vanishing-gradients": d}, rule, 0.05).kind == expected


def test_selu_constants_rule() -> None:
    good = {"alpha": SELU_ALPHA, "scale": SELU_SCALE, "alpha_error": 0.0, "scale_error": 0.0,
            "final_distance": 1e-6,
            "targets": [{"jacobian": [[0, 0.09], [0, 0.78]], "spectral_radius": 0.78}]}
    rule = {"kind": "selu-constants", "tol": 1e-12}
    j = JUDGES["selu-constants"]
    assert j({"selu-fixed-point": good}, rule, 0.05).kind == "supported"
    assert j({"selu-fixed-point": {**good, "alpha_error": 1e-3}}, rule, 0.05).kind == "refuted"
    unstable = {**good, "targets": [{"jacobian": [[0, 0], [0, 1.2]], "spectral_radius": 1.2}]}
    assert j({"selu-fixed-point": unstable}, rule, 0.05).kind == "nuanced"


def test_self_normalization_from_several_starts() -> None:
    def run(m: float, v: float) -> dict:
        return {"mean": [[0.5, m]] * 3, "var": [[2.0, v]] * 3}

    d = {"depth": 100, "width": 10, "seeds": [0, 1, 2],
         "starts": {"(0, 1)": run(0.0, 1.0), "(2, 9)": run(0.01, 1.02)},
         "runs": {"selu/he": run(0.3, 1e4)}}
    rule = {"kind": "self-normalizing", "mean_tol": 0.1, "var_tol": 0.2}
    v = JUDGES["self-normalizing"]({"self-normalization": d}, rule, 0.05)
    assert v.kind == "nuanced" and v.condition == "LeCun init only"
    d["starts"]["(2, 9)"] = run(0.5, 3.0)  # one start that does not converge
    assert JUDGES["self-normalizing"]({"self-normalization": d}, rule, 0.05).kind == "refuted"


# -- combination, FDR, quick ---------------------------------------------------------------------
def test_combine() -> None:
    assert combine({"a": "claim", "b": "claim"}, "e").kind == "supported"
    assert combine({"a": "equivalent", "b": "opposite"}, "e").kind == "refuted"
    assert combine({"a": "claim", "b": "equivalent"}, "e").kind == "nuanced"
    assert combine({"a": "claim", "b": "open"}, "e").kind == "inconclusive"
    assert combine({}, "e").kind == "inconclusive"


def test_every_rule_kind_in_claims_toml_has_a_judge() -> None:
    kinds = {c.rule["kind"] for c in claims()}
    assert kinds <= set(JUDGES)
    assert {"paired-difference", "faster", "trend", "cost-ratio"} <= STATISTICAL


def test_quick_never_decides_statistical_claims_and_fdr_is_applied() -> None:
    cl = [c for c in claims() if c.id == "gelu-generalises-better"]
    # data sets named as in claims.toml: version 5 declares a margin per data set
    r = {"training": _training({"gelu": _part(_noise(0.98)), "relu": _part(_noise(0.95))},
                               groups=("digits", "wine"))}
    full, level = judge_all(cl, r, fdr=0.05)
    assert full["gelu-generalises-better"].kind == "supported" and 0 < level <= 0.05
    quick, _ = judge_all(cl, r, quick=True)
    v = quick["gelu-generalises-better"]
    assert v.kind == "inconclusive" and v.label == "inconclusive (quick)"
    # a claim whose experiment did not run is inconclusive, never decided
    missing, _ = judge_all(cl, {}, fdr=0.05)
    assert missing["gelu-generalises-better"].kind == "inconclusive"


def test_not_vanishing_accepts_growth() -> None:
    # "keeps gradients from vanishing" says nothing about exploding: growth satisfies it
    d = _grad_data({"relu/he": (1.0, 100.0), "relu/lecun": (1.0, 1e-9)})
    rule = {"kind": "gradient-trend", "act": "relu", "claim": "not-vanishing", "vanish": 0.1,
            "explode": 10.0}
    v = JUDGES["gradient-trend"]({"vanishing-gradients": d}, rule, 0.05)
    assert v.kind == "nuanced" and v.condition.startswith("with he init")
    stable = {**rule, "claim": "stable"}
    assert JUDGES["gradient-trend"]({"vanishing-gradients": d}, stable, 0.05).kind == "refuted"
