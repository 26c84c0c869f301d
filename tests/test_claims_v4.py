"""claims.toml version 4 (issue 15, second round): the random-network experiments use the
run's seeds and decide only outside an inconclusive band; the sparsity rule compares slope 0
with slopes > 0; an edge optimum of the learning-rate grid is flagged and blocks
selu-replaces-batchnorm; celu-alpha-zero-is-relu is judged on the formula and the measured
limit, not on actfn refusing alpha = 0; one-line errors for non-numeric options; reports
count computed and cached tasks apart."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from actfn.cli import app
from actfn.experiments import _depth, _tasks
from actfn.experiments._claims import plan, registry
from actfn.experiments._judges import JUDGES, STATISTICAL, edge_optima, gradient_trend, two_inits

S = 15
RULE = {"vanish": 0.1, "explode": 10.0}


# -- item 1: seeds of the run, intervals, an inconclusive band -----------------------------------
def test_depth_experiments_use_the_runs_seeds() -> None:
    tasks = _tasks.plan_tasks(["vanishing-gradients", "self-normalization", "zero-centred"],
                              plan(quick=True, seeds=3, seed_start=100))
    by = {t.experiment: t for t in tasks}
    assert by["vanishing-gradients"].seeds == (100, 101, 102)
    assert by["self-normalization"].seeds == (100, 101, 102)
    assert by["zero-centred"].seeds == ()  # exact quadrature: no seeds
    other = _tasks.plan_tasks(["vanishing-gradients"], plan(quick=True, seeds=3))[0]
    assert other.key != by["vanishing-gradients"].key  # another seed set is another task
    a = _depth.run_gradients(quick=True, seeds=[0, 5])
    b = _depth.run_gradients(quick=True, seeds=[5])
    assert a["seeds"] == [0, 5] and b["seeds"] == [5]
    for key, rows in a["norm"].items():  # norm[depth][seed]: seed 5 alike in both, seeded
        assert [r[1] for r in rows] == [r[0] for r in b["norm"][key]]
        assert [r[0] for r in rows] != [r[1] for r in rows]


def _grads(changes: dict[str, list[float]]) -> dict:
    """Per-seed first-layer norms: 1 at depth 2, ``change`` at depth 64."""
    return {"depths": [2, 64], "seeds": list(range(S)),
            "conventional_init": {"selu": "lecun", "relu": "he", "sigmoid": "lecun",
                                  "tanh": "lecun", "gelu": "he"},
            "norm": {k: [[1.0] * len(v), list(v)] for k, v in changes.items()}}


def _spread(centre: float, rel: float, seed: int = 0) -> list[float]:
    return list(centre * np.exp(rel * np.random.default_rng(seed).standard_normal(S)))


def test_gradient_trend_has_an_interval_and_an_inconclusive_band() -> None:
    d = _grads({"selu/lecun": _spread(10.3, 0.15), "selu/he": _spread(300.0, 0.3, 1)})
    t = gradient_trend(d, "selu", "lecun", 0.1, 10.0)
    assert t.low < 10.0 < t.high and t.label == "uncertain"  # straddles: no class
    assert t.decide({"stable"}) == "open" and t.decide({"stable", "exploding"}) == "holds"
    rule = {"kind": "gradient-trend", "act": "selu", "claim": "stable", **RULE}
    v = JUDGES["gradient-trend"]({"vanishing-gradients": d}, rule, 0.05)
    assert v.kind == "inconclusive", v.evidence  # not 'nuanced' on a ×10.3 point estimate
    assert "[" in v.evidence and "15 seeds" in v.evidence
    # the same point estimate with a tight interval is decided
    tight = _grads({"selu/lecun": _spread(10.3, 0.01), "selu/he": _spread(300.0, 0.3, 1)})
    assert gradient_trend(tight, "selu", "lecun", 0.1, 10.0).label == "exploding"
    assert JUDGES["gradient-trend"]({"vanishing-gradients": tight}, rule,
                                    0.05).kind == "refuted"
    assert {"gradient-trend", "relu-range", "tanh-centred-vanishing",
            "gelu-vanishing"} <= STATISTICAL  # decided from seeds: a quick run does not


def test_two_inits_serves_every_gradient_judge() -> None:
    d = _grads({"tanh/lecun": _spread(1e-4, 0.1), "tanh/he": _spread(1.0, 0.1, 2),
                "relu/he": _spread(1.0, 0.1, 3), "relu/lecun": _spread(1e-6, 0.1, 4),
                "gelu/he": _spread(0.01, 0.1, 5), "sigmoid/lecun": _spread(1e-9, 0.1, 6)})
    both = two_inits(d, "tanh", RULE)
    assert list(both) == ["lecun", "he"] and both["lecun"].label == "vanishing"
    assert list(two_inits(d, "relu", RULE)) == ["he", "lecun"]  # conventional init first
    zc = {"zero-centred": {"moments": {"tanh": {"mean": 0.0}}}, "vanishing-gradients": d}
    v = JUDGES["tanh-centred-vanishing"](zc, {**RULE}, 0.05)
    assert v.kind == "nuanced" and "LeCun" in v.condition
    v = JUDGES["relu-range"]({"vanishing-gradients": d}, RULE, 0.05)
    assert v.kind == "nuanced" and "He init" in v.condition
    v = JUDGES["gelu-vanishing"]({"vanishing-gradients": d}, RULE, 0.05)
    assert v.kind == "nuanced" and "relative to sigmoid" in v.condition


# -- item 3: sparsity, slope 0 against slopes > 0 ------------------------------------------------
def _overfit(gaps: list[float], sd: float = 0.005) -> dict:
    slopes = [0.0, 0.01, 0.1, 0.3]
    rng = np.random.default_rng(11)
    run = {"val_acc": [[[0.9]] * 4 for _ in range(S)],
           "test_acc": [[[0.7]] * 4 for _ in range(S)],
           "train_acc": [[[0.7 + g + sd * rng.standard_normal()] for g in gaps]
                         for _ in range(S)],
           "sparsity": [[[0.5]] + [[0.0]] * 3 for _ in range(S)], "n_test": 300}
    return {"config": {"slopes": slopes, "lrs": [1e-2]}, "seeds": list(range(S)),
            "parts": {"50/leaky-sweep": run}}


@pytest.mark.parametrize(("gaps", "expected"), [
    ([0.10, 0.15, 0.15, 0.15], "supported"),  # the step where sparsity goes: 0 -> 0.01
    ([0.10, 0.10, 0.10, 0.10], "refuted"),    # no change: equivalent within the margin
    ([0.15, 0.10, 0.10, 0.10], "refuted"),    # removing sparsity lowers the gap: opposite
])
def test_sparsity_rule_compares_slope_zero_with_positive_slopes(gaps, expected) -> None:
    rule = {"kind": "sparsity-trend", "metric": "gap", "margin": 0.01}
    v = JUDGES["sparsity-trend"]({"overfit": _overfit(gaps)}, rule, 0.05)
    assert v.kind == expected, v.evidence
    assert "slope > 0 − slope 0" in v.evidence


# -- item 4: the learning-rate grid must bracket the optimum -------------------------------------
def _deep(best_bn: int) -> dict:
    lrs = [1e-3, 1e-2, 1e-1]
    rng = np.random.default_rng(2)

    def part(best: int, acc: float) -> dict:
        return {"val_acc": [[[0.9 if i == best else 0.5 for i in range(3)]] for _ in range(S)],
                "test_acc": [[[acc + 0.01 * rng.standard_normal() if i == best else 0.0
                               for i in range(3)]] for _ in range(S)],
                "train_acc": [[[1.0] * 3] for _ in range(S)], "n_test": 300}

    return {"config": {"lrs": lrs, "depth": 10, "width": 32}, "seeds": list(range(S)),
            "parts": {"selu@lecun": part(1, 0.95), "relu+batchnorm@he": part(best_bn, 0.90)}}


def test_edge_optimum_is_flagged_and_blocks_non_inferiority() -> None:
    rule = {"kind": "non-inferior", "arm": "selu", "base": "relu+batchnorm",
            "metric": "test_acc", "margin": 0.01}
    inside = _deep(1)
    assert edge_optima(inside) == []
    assert JUDGES["non-inferior"]({"deep-training": inside}, rule, 0.05).kind == "supported"
    edge = _deep(2)
    assert edge_optima(edge) == ["relu+batchnorm@he at lr 0.1 (highest)"]
    v = JUDGES["non-inferior"]({"deep-training": edge}, rule, 0.05)
    assert v.kind == "inconclusive" and "edge" in v.condition
    lrs = registry()["experiments"]["deep-training"]["lrs"]
    assert len(lrs) >= 5 and max(lrs) >= 0.1  # the grid reaches past the old top, 0.01
    assert np.allclose(np.diff(np.log10(lrs)), np.diff(np.log10(lrs))[0], atol=0.06)


# -- item 6: alpha = 0 without circularity -------------------------------------------------------
def _smooth(accepted: str, sup: list[float], naive: list[str]) -> dict:
    return {"smoothness": {
        "limit": {"alpha": [1e-4, 1e-2, 1.0], "sup_abs_diff": sup,
                  "sup_abs_diff_df": [1.0] * 3, "sup_abs_diff_df_off0": [0.0, 1e-40, 0.3]},
        "naive_alpha0": {"x": [-1.0, 0.0], "value": naive},
        "actfn_alpha0": accepted, "torch_alpha0": "RuntimeError: alpha cannot be 0"}}


def test_celu_alpha_zero_does_not_hang_on_actfn_refusing_it() -> None:
    rule = {"kind": "celu-alpha0"}
    for accepted in ("ValueError: alpha=0 out of range", "accepted"):
        v = JUDGES["celu-alpha0"](_smooth(accepted, [1e-4, 1e-2, 1.0], ["-0.0", "nan"]), rule,
                                  0.05)
        assert v.kind == "nuanced" and "limit" in v.condition, v.evidence
    assert JUDGES["celu-alpha0"](_smooth("accepted", [1e-4, 1e-2, 1.0], ["-0.0", "0.0"]),
                                 rule, 0.05).kind == "supported"
    assert JUDGES["celu-alpha0"](_smooth("accepted", [0.5, 0.5, 1.0], ["-0.0", "nan"]),
                                 rule, 0.05).kind == "refuted"  # no convergence to relu


# -- item 7: CLI and report honesty -------------------------------------------------------------
@pytest.mark.parametrize("opt", ["--seeds", "--seed-start", "--seed-batch", "--workers",
                                 "--scale"])
def test_non_numeric_option_is_one_line(opt, tmp_path) -> None:
    res = CliRunner().invoke(app, ["claims", "run", "relu-dying", opt, "abc",
                                   "-o", str(tmp_path / "r")])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines == [f"actfn: error: {opt}='abc' must be "
                     + ("a number" if opt == "--scale" else "an integer")]
    assert not (tmp_path / "r").exists()


def test_report_counts_computed_and_cached_tasks_apart(tmp_path) -> None:
    out = tmp_path / "r"
    args = ["claims", "run", "selu-constants", "--quick", "--seeds", "2", "--no-figures",
            "-o", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert "Ran 1 tasks (1 computed, 0 read from the cache)" in (out / "README.md").read_text()
    assert CliRunner().invoke(app, args).exit_code == 0  # same plan: resumes from the cache
    assert "Ran 1 tasks (0 computed, 1 read from the cache)" in (out / "README.md").read_text()
    data = json.loads((out / "results.json").read_text())
    assert (data["computed"], data["cached"]) == (0, 1)


def test_compare_tool_marks_verdicts_that_differ(tmp_path) -> None:
    from pathlib import Path

    from .tooling import load_tool

    mod = load_tool("claims_table")

    def run(name: str, kind: str, start: int) -> Path:
        data = {"version": 4, "wall": 600.0, "scheduler": "this process", "computed": 72,
                "cached": 0, "task_seconds": {"training": 60.0},
                "plan": {"seeds": list(range(start, start + 15))},
                "verdicts": {"a": {"kind": "supported", "condition": ""},
                             "b": {"kind": kind, "condition": ""}}}
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps(data))
        return p

    lines = mod.compare([("A", run("A", "refuted", 0)), ("C", run("C", "inconclusive", 100))])
    assert "| a | supported | supported | yes |" in lines
    assert "| b | refuted | inconclusive | **no** |" in lines
    assert any("differ for b" in ln for ln in lines)
    assert any("seeds 100–114 (15)" in ln and "72 tasks computed, 0 read" in ln for ln in lines)
