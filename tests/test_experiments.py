"""The claims audit: the SELU solver against the closed form, the verdict rules on
synthetic data whose answer is known, the quick run of every experiment through the CLI,
and the report files."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

import actfn
from actfn.catalog.selu import SELU_ALPHA, SELU_SCALE
from actfn.cli import app
from actfn.experiments import _claims as C
from actfn.experiments import claims, experiments, moment_jacobian, moment_map, resolve
from actfn.experiments._core import (
    Verdict,
    atomic_write_text,
    compare,
    difference,
    estimate,
)

runner = CliRunner()


# -- SELU fixed point -------------------------------------------------------------------
def _closed_form() -> tuple[float, float]:
    """Klambauer et al. (2017), eq. 14, evaluated with mpmath at 40 digits."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    r = mp.erfc(1 / mp.sqrt(2))
    alpha = -mp.sqrt(2 / mp.pi) / (r * mp.sqrt(mp.e) - 1)
    scale = (1 - r * mp.sqrt(mp.e)) * mp.sqrt(2 * mp.pi) * (
        2 * mp.erfc(mp.sqrt(2)) * mp.e**2 + mp.pi * r**2 * mp.e
        - 2 * (2 + mp.pi) * r * mp.sqrt(mp.e) + mp.pi + 2) ** mp.mpf(-0.5)
    return float(alpha), float(scale)


def test_selu_parameters_reproduce_published_constants() -> None:
    alpha, scale = actfn.selu_parameters()
    ca, cs = _closed_form()
    assert abs(alpha - SELU_ALPHA) < 1e-12 and abs(scale - SELU_SCALE) < 1e-12
    assert abs(alpha - ca) < 1e-12 and abs(scale - cs) < 1e-12
    assert "selu_parameters" in actfn.__all__


@pytest.mark.parametrize(("mean", "var"), [(0.0, 1.0), (0.0, 0.5), (0.0, 3.0), (0.1, 1.0),
                                           (-0.3, 1.0), (0.2, 0.8), (0.5, 2.0)])
def test_selu_parameters_solve_the_fixed_point(mean: float, var: float) -> None:
    alpha, scale = actfn.selu_parameters(mean, var)
    assert alpha >= 0 and scale > 0
    mu, nu = moment_map(mean, var, alpha=alpha, scale=scale)
    assert abs(mu - mean) < 1e-12 and abs(nu - var) < 1e-12


def test_selu_fixed_point_moments_by_quadrature() -> None:
    # Independent check: the actfn SELU built with the solved constants, integrated
    # against N(0, var) (the paper's omega = 0, tau = 1), has the target moments.
    alpha, scale = actfn.selu_parameters(0.2, 0.8)
    x, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / w.sum()
    y = np.asarray(actfn.get("selu", alpha=alpha, scale=scale)(x * math.sqrt(0.8)))
    assert abs(w @ y - 0.2) < 1e-4 and abs(w @ y**2 - 0.2**2 - 0.8) < 1e-4


def test_selu_jacobian_matches_the_paper() -> None:
    jac = moment_jacobian(0.0, 1.0, alpha=SELU_ALPHA, scale=SELU_SCALE)
    # Klambauer et al. (2017), section 3: J(0, 1) = [[0, 0.088834], [0, 0.782648]].
    assert np.allclose(jac, [[0.0, 0.088834], [0.0, 0.782648]], atol=1e-6)
    assert max(abs(np.linalg.eigvals(jac))) < 1


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"var": 0.0}, "var"), ({"var": -1.0}, "var"), ({"mean": float("nan")}, "mean"),
    ({"mean": 2.0}, "no alpha"), ({"tau": 0.0}, "tau"), ({"mean": True}, "mean"),
])
def test_selu_parameters_errors_name_the_argument(kwargs: dict, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        actfn.selu_parameters(**kwargs)


# -- statistics ------------------------------------------------------------------------
def test_estimate_and_difference_known_values() -> None:
    e = estimate([1.0, 2.0, 3.0])
    # mean 2, s = 1, t_{2, 0.975} = 4.302653 → half-width 4.302653/√3
    assert e.mean == 2.0 and abs(e.half_width - 4.302652729911275 / math.sqrt(3)) < 1e-9
    assert estimate([5.0]).half_width == math.inf
    d = difference([10.0, 10.1, 9.9], [0.0, 0.1, -0.1])
    assert abs(d.mean - 10.0) < 1e-12 and d.low > 9
    assert compare([10.0, 10.1, 9.9], [0.0, 0.1, -0.1]) == "greater"
    assert compare([0.0, 0.1, -0.1], [10.0, 10.1, 9.9]) == "less"
    assert compare([1.0, 2.0, 3.0], [1.5, 2.5, 1.0]) == "tie"
    assert compare([1.00, 1.01], [1.02, 1.03], tolerance=0.5) == "tie"


def test_nuanced_verdict_needs_a_condition() -> None:
    with pytest.raises(ValueError, match="condition"):
        Verdict("nuanced", "evidence")
    with pytest.raises(ValueError, match="kind"):
        Verdict("maybe", "evidence")  # type: ignore[arg-type]


# -- verdict rules on synthetic data ------------------------------------------------------
def _grad_data(norms: dict[str, tuple[float, float]]) -> dict:
    """First-layer gradient norms: per 'act/init' a (shallow, deep) pair, 3 seeds."""
    return {"depths": [2, 64], "conventional_init": {"relu": "he", "sigmoid": "lecun"},
            "norm": {k: [[a * f for f in (0.9, 1.0, 1.1)], [b * f for f in (0.9, 1.0, 1.1)]]
                     for k, (a, b) in norms.items()}}


def test_gradient_trend_classes() -> None:
    d = _grad_data({"x/he": (1.0, 1e-5), "y/he": (1.0, 0.5), "z/he": (1.0, 100.0)})
    assert C.gradient_trend(d, "x", "he")[0] == "vanishing"
    assert C.gradient_trend(d, "y", "he")[0] == "stable"
    assert C.gradient_trend(d, "z", "he")[0] == "exploding"


@pytest.mark.parametrize(("relu_he", "relu_lecun", "expected"), [
    ((1.0, 0.9), (1.0, 0.8), "supported"),
    ((1.0, 0.9), (1.0, 1e-9), "nuanced"),
    ((1.0, 1e-6), (1.0, 1e-9), "refuted"),
])
def test_no_vanishing_rule(relu_he, relu_lecun, expected) -> None:
    d = _grad_data({"relu/he": relu_he, "relu/lecun": relu_lecun})
    v = C.j_grad("relu", claim_no_vanish=True)({"vanishing-gradients": d})
    assert v.kind == expected


@pytest.mark.parametrize(("lecun", "he", "expected"), [
    ((1.0, 1e-30), (1.0, 1e-20), "supported"),
    ((1.0, 1e-30), (1.0, 1.0), "nuanced"),
    ((1.0, 1.0), (1.0, 2.0), "refuted"),
])
def test_vanishing_rule(lecun, he, expected) -> None:
    d = _grad_data({"sigmoid/lecun": lecun, "sigmoid/he": he})
    assert C.j_grad("sigmoid", claim_no_vanish=False)({"vanishing-gradients": d}).kind == expected


def _training(epochs_act: dict[str, list], epochs_relu: dict[str, list]) -> dict:
    ds = {}
    for name in epochs_act:
        ds[name] = {"selu": {"epochs_to_target": epochs_act[name]},
                    "relu": {"epochs_to_target": epochs_relu[name]}}
    return {"epochs": 30, "datasets": ds}


@pytest.mark.parametrize(("a", "b", "expected"), [
    ({"d1": [5, 6, 5, 6, 5], "d2": [3, 3, 4, 3, 3]},
     {"d1": [9, 10, 9, 10, 9], "d2": [8, 8, 9, 8, 8]}, "supported"),
    ({"d1": [9, 10, 9, 10, 9], "d2": [8, 8, 9, 8, 8]},
     {"d1": [5, 6, 5, 6, 5], "d2": [3, 3, 4, 3, 3]}, "refuted"),
    ({"d1": [5, 6, 5, 6, 5], "d2": [8, 8, 9, 8, 8]},
     {"d1": [9, 10, 9, 10, 9], "d2": [8, 9, 8, 8, 8]}, "nuanced"),
    # ahead on average everywhere but within the noise: a trend, not a result
    ({"d1": [5, 9, 6, 10, 7], "d2": [3, 8, 4, 9, 5]},
     {"d1": [6, 10, 7, 10, 8], "d2": [4, 9, 5, 9, 6]}, "nuanced"),
    # never reaching the target counts as epochs + 1, so it is slower, not missing
    ({"d1": [None] * 5, "d2": [None] * 5},
     {"d1": [9, 10, 9, 10, 9], "d2": [8, 8, 9, 8, 8]}, "refuted"),
])
def test_speed_rule(a, b, expected) -> None:
    v = C.speed_verdict(_training(a, b), "selu")
    assert v.kind == expected
    if expected == "nuanced":
        assert "d1" in v.condition or "trend" in v.condition


def _dead(relu: list, other: list) -> dict:
    return {"lrs": [1e-3, 3e-2], "seeds": [0, 1, 2],
            "runs": {"relu@0.03": {"no_gradient": relu, "final_loss": [1.0] * 3},
                     "elu@0.03": {"no_gradient": other, "final_loss": [1.0] * 3},
                     "relu@0.001": {"no_gradient": [0.0, 0.0, 0.01], "final_loss": [0.01] * 3}}}


@pytest.mark.parametrize(("relu", "other", "expected"), [
    ([0.3, 0.35, 0.32], [0.0, 0.0, 0.0], "supported"),
    ([0.3, 0.35, 0.32], [0.1, 0.12, 0.11], "nuanced"),
    ([0.3, 0.35, 0.32], [0.3, 0.36, 0.33], "refuted"),
])
def test_dead_units_rule(relu, other, expected) -> None:
    assert C.dead_verdict(_dead(relu, other), ("elu",)).kind == expected


def test_relu_dying_rule() -> None:
    v = C.j_dying({"dead-units": _dead([0.3, 0.35, 0.32], [0.0] * 3)})
    assert v.kind == "nuanced" and "0.03" in v.condition
    assert C.j_dying({"dead-units": _dead([0.0, 0.01, 0.0], [0.0] * 3)}).kind == "refuted"


def test_selu_constants_rule() -> None:
    good = {"alpha": SELU_ALPHA, "scale": SELU_SCALE, "alpha_error": 0.0, "scale_error": 0.0,
            "final_distance": 1e-6,
            "targets": [{"jacobian": [[0, 0.09], [0, 0.78]], "spectral_radius": 0.78}]}
    assert C.j_selu_constants({"selu-fixed-point": good}).kind == "supported"
    bad = {**good, "alpha_error": 1e-3}
    assert C.j_selu_constants({"selu-fixed-point": bad}).kind == "refuted"
    unstable = {**good, "targets": [{"jacobian": [[0, 0], [0, 1.2]], "spectral_radius": 1.2}]}
    assert C.j_selu_constants({"selu-fixed-point": unstable}).kind == "nuanced"


def test_cost_rules() -> None:
    def cost(gelu: float) -> dict:
        t = {a: {"f_ns": 1.0, "fdf_ns": 1.0, "fdf_noise": 0.05}
             for a in ("relu", "elu", "celu", "selu", "gelu_tanh")}
        t["gelu"] = {"f_ns": gelu, "fdf_ns": gelu, "fdf_noise": 0.05}
        t["gelu_tanh"] = {"f_ns": gelu, "fdf_ns": gelu, "fdf_noise": 0.05}
        return {"cost": {"torch": t, "actfn": {"gelu": {"f_rel": gelu}}}}

    faster = C.j_gelu_vs_relu_cost(claim_faster=True)
    costlier = C.j_gelu_vs_relu_cost(claim_faster=False)
    assert faster(cost(3.0)).kind == "refuted" and costlier(cost(3.0)).kind == "supported"
    assert costlier(cost(0.5)).kind == "refuted"


# -- a few measurements with exact answers ---------------------------------------------------
def test_relu_and_selu_moments_exact() -> None:
    from actfn.experiments._moments import normal_moments

    r = normal_moments("relu")
    assert abs(r["mean"] - 1 / math.sqrt(2 * math.pi)) < 1e-13
    assert abs(r["var"] - (0.5 - 1 / (2 * math.pi))) < 1e-13
    assert abs(r["p_zero"] - 0.5) < 1e-12
    s = normal_moments("selu")
    assert abs(s["mean"]) < 1e-12 and abs(s["var"] - 1) < 1e-12


def test_celu_alpha_zero_is_rejected() -> None:
    with pytest.raises(ValueError, match="alpha"):
        actfn.get("celu", alpha=0)


def test_gelu_tanh_approximation_error() -> None:
    from actfn.experiments._shape import run_approximations

    d = run_approximations()
    assert 4.7e-4 < d["tanh"]["f"]["max_abs_error"] < 4.8e-4
    assert 0.019 < d["sigmoid"]["f"]["max_abs_error"] < 0.021


def test_training_uses_the_functions_actfn_documents() -> None:
    pytest.importorskip("torch")
    from actfn.experiments._train import SEED_ACTIVATIONS, builtin_max_abs_diff

    for name in SEED_ACTIVATIONS:
        assert builtin_max_abs_diff(name) < 1e-12, name


def test_atomic_write_leaves_no_temporaries(tmp_path) -> None:
    p = tmp_path / "sub" / "a.md"
    atomic_write_text(p, "one")
    atomic_write_text(p, "two")
    assert p.read_text() == "two"
    assert sorted(x.name for x in p.parent.iterdir()) == ["a.md"]


# -- registry and CLI ---------------------------------------------------------------------
def test_claims_are_complete_and_consistent() -> None:
    ids = [c.id for c in claims()]
    assert len(ids) == len(set(ids)) and len(ids) >= 30
    exps = experiments()
    for c in claims():
        assert c.en and c.zh and c.seeds and c.activations
        assert all(e in exps for e in c.experiments)
        assert all(a in actfn.names() for a in c.activations)
    # every experiment is used by some claim
    assert {e for c in claims() for e in c.experiments} == set(exps)
    assert [c.id for c in resolve(["cost"])] == [c.id for c in claims() if "cost" in c.experiments]
    with pytest.raises(ValueError, match="did you mean"):
        resolve(["selu-constant"])


def test_cli_lists_claims() -> None:
    res = runner.invoke(app, ["claims"])
    assert res.exit_code == 0, res.output
    for c in claims():
        assert c.id in res.output


def test_cli_unknown_id_is_one_line_error(tmp_path) -> None:
    res = runner.invoke(app, ["claims", "run", "no-such-claim", "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "unknown claim or experiment id 'no-such-claim'" in res.output


def test_import_actfn_stays_light() -> None:
    code = ("import sys, actfn; print([m for m in ('matplotlib', 'sklearn', 'scipy.optimize', "
            "'actfn.experiments._report') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_quick_run_of_every_experiment(tmp_path) -> None:
    """`actfn claims run --quick` runs each experiment's quick variant and writes the report."""
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    out = tmp_path / "report"
    res = runner.invoke(app, ["claims", "run", "--quick", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "claims:" in res.output
    data = json.loads((out / "results.json").read_text())
    assert set(data["results"]) == set(experiments())
    assert set(data["verdicts"]) == {c.id for c in claims()}
    assert {v["kind"] for v in data["verdicts"].values()} <= {"supported", "refuted", "nuanced"}
    for eid in experiments():
        png = out / f"{eid}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = (out / "README.md").read_text()
    for c in claims():
        assert f"### {c.id}" in text and c.zh in text
    # Deterministic verdicts that do not depend on timing or training noise.
    v = data["verdicts"]
    assert v["selu-constants"]["kind"] == "supported"
    assert v["celu-limit-relu"]["kind"] == "supported"
    assert v["celu-alpha-zero-is-relu"]["kind"] == "refuted"
    assert v["elu-c1"]["kind"] == "nuanced"
    assert v["sigmoid-vanishing"]["kind"] == "supported"
    assert v["relu-fewer-parameters"]["kind"] == "refuted"
    assert not list(out.glob("*.tmp"))


@pytest.mark.parametrize(("selu", "relu", "bn", "expected"), [
    ([0.95, 0.96, 0.95], [0.80, 0.81, 0.80], [0.95, 0.95, 0.96], "supported"),
    ([0.95, 0.96, 0.95], [0.95, 0.95, 0.96], [0.10, 0.12, 0.11], "nuanced"),
    ([0.85, 0.86, 0.85], [0.80, 0.81, 0.80], [0.95, 0.95, 0.96], "nuanced"),
    ([0.50, 0.52, 0.51], [0.80, 0.81, 0.80], [0.95, 0.95, 0.96], "refuted"),
])
def test_batchnorm_rule(selu, relu, bn, expected) -> None:
    runs = {k: {"test_acc": v, "loss": [[0.1]] * 3}
            for k, v in (("selu", selu), ("relu", relu), ("relu+batchnorm", bn))}
    d = {"deep-training": {"depth": 24, "width": 64, "epochs": 30, "seeds": [0, 1, 2],
                           "runs": runs}}
    assert C.j_batchnorm(d).kind == expected


def test_experiments_are_deterministic() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    from actfn.experiments._depth import forward_moments
    from actfn.experiments._train import torch_threads, train

    a = forward_moments("selu", "lecun", depth=10, width=32, batch=32, seed=3)
    b = forward_moments("selu", "lecun", depth=10, width=32, batch=32, seed=3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    with torch_threads(1):
        r1 = train("breast_cancer", "celu", seed=4, epochs=2)
        r2 = train("breast_cancer", "celu", seed=4, epochs=2)
    assert r1["loss"] == r2["loss"] and r1["test_acc"] == r2["test_acc"]
