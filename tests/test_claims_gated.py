"""The gated-FFN claim (Shazeer 2020) on synthetic data: exact parameter match between
gated and ungated arms, the arms read from claims.toml and the registry, and the judge's
four verdicts on made-up per-seed accuracies."""

from __future__ import annotations

import numpy as np
import pytest

import actfn
from actfn.experiments import _ffn
from actfn.experiments._batched import Split
from actfn.experiments._claims import CLAIMS, plan, registry
from actfn.experiments._judges import JUDGES
from actfn.experiments._train import PARTS, TRAIN_EXPERIMENTS

CLAIM = next(c for c in CLAIMS if c.experiments == ("gated-ffn",))
CFG = registry()["experiments"]["gated-ffn"]


def test_arms_are_registry_units_and_the_rule_names_them() -> None:
    gated = set(actfn.names(kind="gated"))
    arms = CFG["arms"]
    assert set(CLAIM.rule["arms"]) <= gated & set(arms)
    assert set(CLAIM.rule["base"]) <= set(arms) - gated
    assert set(arms) <= set(actfn.names(kind="all"))
    assert "gated-ffn" in TRAIN_EXPERIMENTS
    assert PARTS("gated-ffn", CFG) == [f"{d}/{a}" for d in CFG["datasets"] for a in arms]


def test_seed_count_follows_the_stated_power_assumption() -> None:
    from actfn.experiments._power import seeds_for

    power = registry()["power"][CLAIM.id]
    need = max(seeds_for(power["sd"], m) for m in CLAIM.rule["margin"].values())
    assert CFG["seeds"] >= need
    assert len(plan()["experiment_seeds"]["gated-ffn"]) == CFG["seeds"]


@pytest.mark.parametrize("d_ff", [3, 48, 99])
def test_parameter_counts_match_exactly(d_ff: int) -> None:
    counts = {a: _ffn.n_params(a, d_in=64, d_model=32, d_ff=d_ff, blocks=2, n_classes=10)
              for a in CFG["arms"]}
    assert len(set(counts.values())) == 1, counts
    for a in CFG["arms"]:
        assert _ffn.hidden_width(a, d_ff) == (2 * d_ff // 3 if _ffn.is_gated(a) else d_ff)


def test_width_not_divisible_by_three_is_refused() -> None:
    with pytest.raises(ValueError, match="multiple of 3"):
        _ffn.hidden_width(CFG["arms"][0], 50)


def _splits(n: int = 2) -> list[Split]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        x = rng.standard_normal((60, 5)).astype(np.float32)
        y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
        out.append(Split(x[:30], y[:30], x[30:45], y[30:45], x[45:], y[45:]))
    return out


def test_trained_models_have_the_counted_parameters_and_learn() -> None:
    """The tensors of a tiny run match :func:`n_params` for a gated and an ungated arm; the
    larger learning rate lowers the training error (both arms learn)."""
    gated = next(a for a in CLAIM.rule["arms"])
    plain = next(iter(CLAIM.rule["base"]))
    got = {}
    for a in (plain, gated):
        r = _ffn.train_ffn(_splits(), a, [1e-4, 3e-2], epochs=8, batch=10, d_model=8, d_ff=6,
                           blocks=1, seed_keys=[0, 1])
        got[a] = r["n_params"]
        assert r["n_params"] == _ffn.n_params(a, d_in=5, d_model=8, d_ff=6, blocks=1,
                                              n_classes=3)
        acc = np.asarray(r["train_acc"])[:, 0, :]
        assert acc[:, 1].mean() > acc[:, 0].mean()
        assert np.asarray(r["test_acc"]).shape == (2, 1, 2)
    assert got[plain] == got[gated]


def _results(effect: dict[str, float], sd: float = 0.003, n: int = 38) -> dict:
    """gated-ffn results: every base at 0.90, each gated arm at 0.90 + effect[data set]
    plus independent noise of ``sd`` per seed; best learning rate index 0."""
    rng = np.random.default_rng(1)
    parts = {}
    for ds, e in effect.items():
        for a in CFG["arms"]:
            mean = 0.90 + (e if a in CLAIM.rule["arms"] else 0.0)
            acc = mean + rng.normal(0, sd, n)
            run = np.stack([acc, acc - 0.2], axis=1)[:, None, :]  # lr 0 best
            parts[f"{ds}/{a}"] = {"val_acc": run.tolist(), "test_acc": run.tolist(),
                                  "train_acc": run.tolist(), "n_test": 360}
    return {"gated-ffn": {"config": {"lrs": [1e-3, 1e-2]}, "seeds": list(range(n)),
                          "parts": parts}}


@pytest.mark.parametrize("effect, sd, verdict", [
    ({"digits": 0.04, "synthetic": 0.05}, 0.003, "supported"),
    ({"digits": 0.0, "synthetic": 0.0}, 0.003, "refuted"),
    ({"digits": 0.04, "synthetic": 0.0}, 0.003, "nuanced"),
    ({"digits": 0.005, "synthetic": 0.005}, 0.08, "inconclusive"),
])
def test_judge_gives_each_verdict(effect: dict, sd: float, verdict: str) -> None:
    v = JUDGES[CLAIM.rule["kind"]](_results(effect, sd), CLAIM.rule, 0.05)
    assert v.kind == verdict, v.evidence
    # one condition (p-value) per gated arm × base × data set
    assert len(v.pvalues) == len(CLAIM.rule["arms"]) * len(CLAIM.rule["base"]) * len(effect)
    if verdict == "nuanced":
        assert "synthetic" in v.condition and "digits" in v.condition
