"""Judges: small pure functions that turn measurements into a verdict, keyed by rule kind.

Every judge has the signature ``judge(results, rule, level) -> Verdict``: ``results`` maps
experiment id → data, ``rule`` is the claim's pre-registered rule from ``claims.toml``
(its margins and arms), ``level`` the significance threshold for one-sided p-values (the
Benjamini–Hochberg threshold over the whole audit, see :func:`judge_all`). Exact
computations ignore ``level``. A verdict's ``pvalues`` hold one p-value per tested
condition (data set, training-set size, learning rate...): the smallest of the tests that
can decide it (claimed direction, opposite direction, equivalence), so the false-discovery
family has one member per condition. Judges read nothing else, so they can be unit-tested on
synthetic data with known answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._core import Claim, Verdict
from ._stats import (
    bh_threshold,
    dependence,
    paired,
)

__all__ = ["JUDGES", "STATISTICAL", "judge_all", "combine", "gradient_trend", "two_inits",
           "GradTrend", "edge_optima", "margin_for"]

R = Mapping[str, Any]
Judge = Callable[[R, R, float], Verdict]
JUDGES: dict[str, Judge] = {}
#: Rule kinds decided from seeds or timing: a ``--quick`` run leaves them inconclusive.
STATISTICAL: set[str] = set()


def _judge(kind: str, statistical: bool = False) -> Callable[[Judge], Judge]:
    def deco(fn: Judge) -> Judge:
        JUDGES[kind] = fn
        if statistical:
            STATISTICAL.add(kind)
        return fn

    return deco


def combine(outcomes: Mapping[str, str], ev: str, pvalues: Sequence[float] = ()) -> Verdict:
    """One verdict from per-condition outcomes (``"claim"``, ``"opposite"``,
    ``"equivalent"``, ``"open"``; the keys name the conditions, e.g. data sets).

    All hold → supported; none holds and all are decided against → refuted; some hold
    and some are decided against → nuanced (the condition names where it holds);
    anything else → inconclusive.
    """
    holds = [k for k, o in outcomes.items() if o == "claim"]
    against = [k for k, o in outcomes.items() if o in ("opposite", "equivalent")]
    ps = tuple(pvalues)
    if outcomes and len(holds) == len(outcomes):
        return Verdict("supported", ev, pvalues=ps)
    if outcomes and len(against) == len(outcomes):
        return Verdict("refuted", ev, pvalues=ps)
    if holds and against:
        return Verdict("nuanced", ev, f"holds for {', '.join(holds)}; not for "
                       f"{', '.join(against)}", pvalues=ps)
    return Verdict("inconclusive", ev, pvalues=ps)


# -- exact computations (deterministic) ------------------------------------------------------
@_judge("selu-constants")
def j_selu_constants(r: R, rule: R, level: float) -> Verdict:
    d = r["selu-fixed-point"]
    row = d["targets"][0]
    ev = (f"Solving the moment equations for target (0, 1) gives alpha = {d['alpha']:.16g}, "
          f"scale = {d['scale']:.16g}; differences from the published constants "
          f"{d['alpha_error']:.1g} and {d['scale_error']:.1g} (rule: ≤ {rule['tol']:g}). "
          f"Jacobian at the fixed point {np.round(row['jacobian'], 6).tolist()}, spectral "
          f"radius {row['spectral_radius']:.4f} (rule: < 1).")
    ok = d["alpha_error"] <= rule["tol"] and d["scale_error"] <= rule["tol"]
    if ok and row["spectral_radius"] < 1.0:
        return Verdict("supported", ev)
    if ok:
        return Verdict("nuanced", ev, "the constants solve the equations but the fixed point "
                       "is not attracting")
    return Verdict("refuted", ev)


def _last(run: R, key: str) -> float:
    return float(np.mean([v[-1] for v in run[key]]))


@_judge("self-normalizing")
def j_self_norm(r: R, rule: R, level: float) -> Verdict:
    d = r["self-normalization"]
    mt, vt = rule["mean_tol"], rule["var_tol"]
    starts = d["starts"]
    ends = {k: (_last(v, "mean"), _last(v, "var")) for k, v in starts.items()}
    he = d["runs"]["selu/he"]
    m2, v2 = _last(he, "mean"), _last(he, "var")
    ev = (f"After {d['depth']} layers (width {d['width']}, {len(d['seeds'])} seeds), SELU with "
          "LeCun-normal weights from input moments (mean, variance) "
          + ", ".join(f"{k} → ({m:.3f}, {v:.3f})" for k, (m, v) in ends.items())
          + f"; with He-normal weights from (0, 1) → ({m2:.3g}, {v2:.3g}). Rule: |mean| < "
          f"{mt:g} and |variance − 1| < {vt:g} at the last layer.")
    good = all(abs(m) < mt and abs(v - 1) < vt for m, v in ends.values())
    he_good = abs(m2) < mt and abs(v2 - 1) < vt
    if good and he_good:
        return Verdict("supported", ev)
    if good:
        return Verdict("nuanced", ev, "LeCun init only")
    return Verdict("refuted", ev)


@_judge("selu-init")
def j_selu_init(r: R, rule: R, level: float) -> Verdict:
    d = r["self-normalization"]
    v1, v2 = _last(d["runs"]["selu/lecun"], "var"), _last(d["runs"]["selu/he"], "var")
    ev = (f"Variance at layer {d['depth']}: {v1:.3f} with LeCun-normal, {v2:.3g} with "
          f"He-normal init (rule: He drifts by more than ×{rule['drift']:g}, LeCun stays "
          f"within ×{rule['keep']:g} of 1).")
    if (abs(math.log(max(v2, 1e-300))) > math.log(rule["drift"])
            and abs(math.log(v1)) < math.log(rule["keep"])):
        return Verdict("supported", ev)
    return Verdict("refuted", ev)


@_judge("selu-attractor")
def j_selu_attractor(r: R, rule: R, level: float) -> Verdict:
    d = r["selu-fixed-point"]
    small = [p for p in d["trajectories"] if p[0][1] < 0.5]
    large = [p for p in d["trajectories"] if p[0][1] > 2.0]
    up = all(p[1][1] > p[0][1] for p in small)
    down = all(p[1][1] < p[0][1] for p in large)
    ev = ("One step of the SELU moment map (omega = 0, tau = 1) takes variance "
          + ", ".join(f"{p[0][1]:g} → {p[1][1]:.3g}" for p in small + large)
          + f"; after {len(d['trajectories'][0]) - 1} steps every start is within "
          f"{d['final_distance']:.1g} of (0, 1) (rule: < {rule['distance']:g}).")
    if up and down and d["final_distance"] < rule["distance"]:
        return Verdict("supported", ev)
    return Verdict("refuted", ev)


_CLASSES = ("vanishing", "stable", "exploding")


class GradTrend(NamedTuple):
    """Change of the first-layer gradient norm from the shallowest to the deepest network:
    ``label`` (``"vanishing"``, ``"stable"``, ``"exploding"``, or ``"uncertain"`` when the
    interval straddles a threshold), the geometric mean ``change`` over seeds and its 95 %
    interval [``low``, ``high``], and the classes the interval ``covers``."""

    label: str
    change: float
    low: float
    high: float
    covers: tuple[str, ...]

    def decide(self, want: set[str] | frozenset[str]) -> str:
        """``"holds"`` if the whole interval lies in the classes ``want``, ``"fails"`` if
        none of it does, ``"open"`` otherwise (the inconclusive band)."""
        if set(self.covers) <= set(want):
            return "holds"
        if not set(self.covers) & set(want):
            return "fails"
        return "open"

    def fmt(self) -> str:
        return f"×{self.change:.2g} [{self.low:.2g}, {self.high:.2g}]"


def _cls(x: float, vanish: float, explode: float) -> int:
    return 0 if x < vanish else 2 if x > explode else 1


def gradient_trend(data: R, act: str, init: str, vanish: float = 0.1,
                   explode: float = 10.0) -> GradTrend:
    r"""How the first-layer gradient norm changes from the shallowest to the deepest depth.

    Seed :math:`s` is one random network measured at every depth, so its change is
    :math:`c_s = g_{1,s}(L_{max})/g_{1,s}(L_{min})`. The estimate is the geometric mean
    :math:`\exp(\overline{\log c})` with the 95 % t-interval of :math:`\log c` over seeds
    (``scipy.stats.t``). The class is decided only when the whole interval lies on one side
    of a threshold (below ``vanish``: vanishing; above ``explode``: exploding; between:
    stable); an interval that straddles a threshold is ``"uncertain"``, so no verdict hangs
    on a point estimate at the threshold's edge."""
    from scipy import stats

    norms = np.asarray(data["norm"][f"{act}/{init}"], dtype=float)
    with np.errstate(all="ignore"):
        logs = np.log(np.maximum(norms, 1e-300))
    per_seed = logs[-1] - logs[0]
    per_seed = per_seed[np.isfinite(per_seed)]
    n = per_seed.size
    mean = float(per_seed.mean()) if n else math.nan
    if n >= 2 and float(np.ptp(per_seed)) > 0.0:
        half = float(stats.t(df=n - 1).ppf(0.975)) * float(per_seed.std(ddof=1)) / math.sqrt(n)
    elif n >= 2:  # every network gave the same change (a deterministic input)
        half = 0.0
    else:
        half = math.inf
    lo, hi = math.exp(mean - half), math.exp(mean + half)
    covers = _CLASSES[_cls(lo, vanish, explode):_cls(hi, vanish, explode) + 1]
    label = covers[0] if len(covers) == 1 else "uncertain"
    return GradTrend(label, math.exp(mean), lo, hi, covers)


def two_inits(data: R, act: str, rule: R,
              inits: Sequence[str] | None = None) -> dict[str, GradTrend]:
    """:func:`gradient_trend` of ``act`` under each init (default: the activation's
    conventional init first, then the other), with the rule's thresholds."""
    if inits is None:
        conv = data["conventional_init"][act]
        inits = (conv, "he" if conv == "lecun" else "lecun")
    return {i: gradient_trend(data, act, i, rule["vanish"], rule["explode"]) for i in inits}


def _nseeds(d: R) -> int:
    return len(next(iter(d["norm"].values()))[0])


def _trend_ev(d: R, trends: Mapping[str, GradTrend]) -> str:
    return ", ".join(f"{t.fmt()} with {i} init ({t.label})" for i, t in trends.items())


def _by_init(trends: Mapping[str, GradTrend], want: set[str]) -> tuple[list[str], list[str]]:
    dec = {i: t.decide(want) for i, t in trends.items()}
    return [i for i, o in dec.items() if o == "holds"], [i for i, o in dec.items()
                                                         if o == "fails"]


_RULE_BAND = ("; 95 % intervals over seeds; a class is decided only when the whole interval "
              "is on one side of a threshold")


@_judge("gradient-trend", statistical=True)
def j_grad(r: R, rule: R, level: float) -> Verdict:
    d = r["vanishing-gradients"]
    act = rule["act"]
    trends = two_inits(d, act, rule)
    ev = (f"First-layer gradient norm from depth {d['depths'][0]} to {d['depths'][-1]} "
          f"({_nseeds(d)} seeds) changes by {_trend_ev(d, trends)}; rule: below "
          f"×{rule['vanish']:g} vanishing, above ×{rule['explode']:g} exploding"
          + _RULE_BAND + ".")
    # "stable": neither vanishing nor exploding; "not-vanishing": stable or exploding
    want = {"stable": {"stable"}, "vanishing": {"vanishing"},
            "not-vanishing": {"stable", "exploding"}}[rule["claim"]]
    holds, fails = _by_init(trends, want)
    if len(holds) == len(trends):
        return Verdict("supported", ev)
    if len(fails) == len(trends):
        return Verdict("refuted", ev)
    if holds and fails:
        good, bad = holds[0], fails[0]
        return Verdict("nuanced", ev, f"with {good} init; with {bad} init the first-layer "
                       f"gradient is {trends[bad].label}")
    return Verdict("inconclusive", ev)


@_judge("gelu-vanishing", statistical=True)
def j_gelu_vanish(r: R, rule: R, level: float) -> Verdict:
    d = r["vanishing-gradients"]
    g = two_inits(d, "gelu", rule, ("he",))["he"]
    sg = two_inits(d, "sigmoid", rule, ("lecun",))["lecun"]
    ev = (f"Over depths {d['depths'][0]}–{d['depths'][-1]} ({_nseeds(d)} seeds) the "
          f"first-layer gradient changes by {g.fmt()} for GELU (He init, {g.label}) against "
          f"{sg.fmt()} for sigmoid (LeCun init); 95 % intervals over seeds.")
    stable = g.decide({"stable"})
    if stable == "holds":
        return Verdict("supported", ev)
    if stable == "fails" and g.low > sg.high:  # keeps more gradient than sigmoid
        return Verdict("nuanced", ev, f"relative to sigmoid ({g.fmt()} against {sg.fmt()}); "
                       f"GELU with He init is itself {g.label} over these depths")
    if stable == "fails" and g.high < sg.low:
        return Verdict("refuted", ev)
    return Verdict("inconclusive", ev)


@_judge("tanh-centred-vanishing", statistical=True)
def j_tanh(r: R, rule: R, level: float) -> Verdict:
    m = r["zero-centred"]["moments"]["tanh"]
    d = r["vanishing-gradients"]
    trends = two_inits(d, "tanh", rule, ("lecun", "he"))
    ev = (f"E tanh(X) = {m['mean']:.1g} (X ~ N(0,1)). First-layer gradient change over depth "
          f"({_nseeds(d)} seeds): {_trend_ev(d, trends)}" + _RULE_BAND + ".")
    centred = abs(m["mean"]) < 1e-9
    holds, fails = _by_init(trends, {"vanishing"})
    if not centred:
        return Verdict("refuted", ev)
    if len(holds) == len(trends):
        return Verdict("supported", ev)
    if holds and fails:
        which = {"lecun": "LeCun", "he": "He"}[holds[0]]
        return Verdict("nuanced", ev, f"zero-centred yes; vanishing with {which} init only")
    if len(fails) == len(trends):
        # zero-centred but vanishing under no init tested: no condition makes the claim hold
        return Verdict("refuted", ev)
    return Verdict("inconclusive", ev)


@_judge("relu-range", statistical=True)
def j_relu_range(r: R, rule: R, level: float) -> Verdict:
    d = r["vanishing-gradients"]
    trends = two_inits(d, "relu", rule, ("he", "lecun"))
    ev = (f"ReLU's range [0, ∞) is unbounded above. First-layer gradient change from depth "
          f"{d['depths'][0]} to {d['depths'][-1]} ({_nseeds(d)} seeds): "
          f"{_trend_ev(d, trends)}" + _RULE_BAND + ".")
    holds, fails = _by_init(trends, {"stable"})
    if len(holds) == len(trends):
        return Verdict("supported", ev)
    if len(fails) == len(trends):
        return Verdict("refuted", ev)
    if holds == ["he"] and fails:
        return Verdict("nuanced", ev, "only with the matching weight scale, He init")
    if holds and fails:
        return Verdict("nuanced", ev, f"only with {holds[0]} init")
    return Verdict("inconclusive", ev)


@_judge("moment-mean")
def j_moment_mean(r: R, rule: R, level: float) -> Verdict:
    mo = r["zero-centred"]["moments"]
    act = rule["act"]
    m = mo[act]
    ev = (f"E {act}(X) = {m['mean']:.6f}, Var = {m['var']:.6f} for X ~ N(0, 1) "
          f"(quadrature error < {max(m['mean_err'], 1e-16):.0e})")
    if "base" in rule:
        b = mo[rule["base"]]
        ev += f"; E {rule['base']}(X) = {b['mean']:.6f}."
        return Verdict("supported" if abs(m["mean"]) < abs(b["mean"]) else "refuted", ev)
    ev += f" (rule: |mean| < {rule['tol']:g} is zero-centred)."
    centred = abs(m["mean"]) < rule["tol"]
    return Verdict("supported" if centred == rule["centred"] else "refuted", ev)


@_judge("sparse")
def j_sparse(r: R, rule: R, level: float) -> Verdict:
    mo = r["zero-centred"]["moments"]
    m = mo[rule["act"]]
    ev = (f"P({rule['act']}(X) = 0) = {m['p_zero']:.4f} for X ~ N(0, 1); elu, gelu and "
          "leaky_relu give " + ", ".join(f"{mo[a]['p_zero']:.2g}"
                                        for a in ("elu", "gelu", "leaky_relu"))
          + f" (rule: > {rule['p_zero']:g}).")
    return Verdict("supported" if m["p_zero"] > rule["p_zero"] else "refuted", ev)


@_judge("smooth-c1")
def j_smooth(r: R, rule: R, level: float) -> Verdict:
    d = r["smoothness"]
    rows = list(zip(d["alphas"], (j["df"] for j in d[rule["act"]]), strict=True))
    ev = (f"Jump of {rule['act']}′ at 0: " + ", ".join(f"alpha={a:g}: {j:.3g}" for a, j in rows)
          + f" (probe ±{d['eps']:g}; rule: < {rule['tol']:g}).")
    smooth = [a for a, j in rows if j < rule["tol"]]
    if len(smooth) == len(rows):
        return Verdict("supported", ev)
    if smooth:
        return Verdict("nuanced", ev, "alpha = " + ", ".join(f"{a:g}" for a in smooth)
                       + " only")
    return Verdict("refuted", ev)


@_judge("celu-vs-relu-smooth")
def j_celu_vs_relu_smooth(r: R, rule: R, level: float) -> Verdict:
    d = r["smoothness"]
    rl = d["relu"]
    d2 = [j["d2f"] for j in d["celu"]]
    ev = (f"ReLU itself is continuous at 0 (jump {rl['f']:.1g}); its derivative jumps by "
          f"{rl['df']:g}. CELU's derivative jump is ≤ {max(j['df'] for j in d['celu']):.1g}, "
          f"its second derivative jumps by {min(d2):.3g}–{max(d2):.3g} (1/alpha).")
    if rl["f"] > 1e-6:  # a jump beyond what the ±1e-9 probe itself shows
        return Verdict("supported", ev)
    if max(j["df"] for j in d["celu"]) < 1e-6 and min(d2) > 1e-6:
        return Verdict("nuanced", ev, "read 'discontinuous' as the jump of ReLU's derivative "
                       "and 'smooth' as C¹: CELU's second derivative still jumps")
    return Verdict("refuted", ev)


@_judge("celu-alpha0")
def j_celu_alpha0(r: R, rule: R, level: float) -> Verdict:
    """Not decided by whether actfn accepts alpha = 0 (that would be circular): CELU's
    formula max(0, x) + min(0, α(exp(x/α) − 1)) divides by α, so at α = 0 it is
    undefined (measured: the formula in IEEE arithmetic); its limit as α → 0⁺ is measured
    (sup |celu_α − relu| on a grid shrinking with α, and f′ converging pointwise off 0)."""
    d = r["smoothness"]
    lim = d["limit"]
    naive = d["naive_alpha0"]
    undefined = any(v in ("nan", "inf", "-inf") for v in naive["value"])
    sup_f = lim["sup_abs_diff"]
    order = np.argsort(lim["alpha"])
    shrinking = np.asarray(sup_f, float)[order]
    # sup |celu_α − relu| decreases with α and is below 1e-3 at the smallest α measured
    converges = bool(np.all(np.diff(shrinking) > 0) and shrinking[0] < 1e-3)
    df_off = lim.get("sup_abs_diff_df_off0")
    ev = (f"alpha·(exp(x/alpha) − 1) evaluated in IEEE arithmetic at alpha = 0 gives "
          f"{naive['value']} at x = {naive['x']} (the formula divides by alpha). As alpha → 0⁺: "
          f"sup_x |celu_alpha(x) − relu(x)| = {min(sup_f):.2g} at alpha = {min(lim['alpha']):g} "
          f"(= alpha, uniform convergence)"
          + (f"; sup over |x| ≥ 1e-2 of |celu′ − relu′| = {df_off[0]:.2g} at alpha "
             f"{lim['alpha'][0]:g}" if df_off else "")
          + f". For information: actfn.get('celu', alpha=0): {d['actfn_alpha0']}; PyTorch: "
          f"{d['torch_alpha0']}.")
    if not converges:
        return Verdict("refuted", ev)
    if undefined:
        return Verdict("nuanced", ev, "only as the limit alpha → 0⁺: the formula is undefined "
                       "at alpha = 0 (it divides by alpha)")
    return Verdict("supported", ev)


@_judge("celu-limit")
def j_celu_limit(r: R, rule: R, level: float) -> Verdict:
    lim = r["smoothness"]["limit"]
    ev = (f"sup_x |celu_alpha(x) − relu(x)| equals alpha to relative "
          f"{lim['max_rel_dev_from_alpha']:.1g} for alpha from {lim['alpha'][0]:g} to "
          f"{lim['alpha'][-1]:g} (log–log slope {lim['loglog_slope']:.4f}): uniform "
          f"convergence at rate O(alpha). sup |celu′ − relu′| = "
          f"{max(lim['sup_abs_diff_df']):.3g} for every alpha.")
    ok = (abs(lim["loglog_slope"] - 1) < rule["slope_tol"]
          and lim["max_rel_dev_from_alpha"] < rule["rel_tol"])
    return Verdict("supported" if ok else "refuted", ev)


@_judge("gelu-formula")
def j_gelu_formula(r: R, rule: R, level: float) -> Verdict:
    d = r["approximations"]
    t = d["tanh"]["f"]
    ev = (f"The tanh formula approximates GELU = x·Φ(x): max |error| = {t['max_abs_error']:.3g} "
          f"at x = {t['at']:.3f}; bfloat16 spacing at 1 is {d['bfloat16_eps']:.3g}, float32's "
          f"{d['float32_eps']:.2g}.")
    if t["max_abs_error"] == 0.0:
        return Verdict("supported", ev)
    if t["max_abs_error"] < d["bfloat16_eps"]:
        return Verdict("nuanced", ev, "as an approximation within bfloat16 resolution; as a "
                       "definition it is wrong, GELU being x times the normal CDF")
    return Verdict("refuted", ev)


@_judge("gelu-smooth")
def j_gelu_smooth(r: R, rule: R, level: float) -> Verdict:
    g = r["smoothness"]["gelu"]
    ev = (f"GELU has no kinks ({g['kinks']}); |f″| ≤ {g['max_abs_d2f']:.4f} on [-12, 12]; f′ "
          f"jump at 0: {g['jumps']['df']:.1g}.")
    return Verdict("supported" if not g["kinks"] else "refuted", ev)


@_judge("parameter-count")
def j_params(r: R, rule: R, level: float) -> Verdict:
    parts = r["training"]["parts"]
    counts = {k.split("/")[1]: v["n_params"] for k, v in parts.items()
              if k.startswith("digits/")}
    ev = ("Trainable parameters of the digits MLP: "
          + ", ".join(f"{a} {n}" for a, n in counts.items()) + ".")
    a, b = counts[rule["arm"]], counts[rule["base"]]
    return Verdict("supported" if a < b else "refuted", ev)


# -- training: paired by seed, each arm at its own best learning rate ----------------------------
def _best(run: R, config: int = 0) -> int:
    from ._train import best_lr

    return best_lr(run, config)


def metric_values(run: R, metric: str, config: int = 0) -> np.ndarray:
    i = _best(run, config)
    if metric == "gap":
        return (np.asarray(run["train_acc"], float)[:, config, i]
                - np.asarray(run["test_acc"], float)[:, config, i])
    return np.asarray(run[metric], dtype=float)[:, config, i]


def group_names(data: R) -> list[str]:
    """The conditions of a training experiment (data sets, or training-set sizes)."""
    return list(dict.fromkeys(p.split("/")[0] for p in data["parts"] if "/" in p))


def _lr(data: R, run: R, config: int = 0) -> str:
    return f"{data['config']['lrs'][_best(run, config)]:g}"


def margin_for(rule: R, condition: str) -> float:
    """The rule's equivalence margin for ``condition`` (a data set or training-set size):
    ``margin`` is one number, or a table by condition (version 5: no finer than one test
    sample of each data set). A table without the condition raises ``KeyError`` naming it."""
    m = rule["margin"]
    if isinstance(m, Mapping):
        if condition not in m:
            raise KeyError(f"rule margin has no entry for {condition!r} (has "
                           f"{', '.join(m)})")
        return float(m[condition])
    return float(m)


def _margin_text(rule: R, pct: float = 100.0) -> str:
    m = rule["margin"]
    if isinstance(m, Mapping):
        return ", ".join(f"±{v * pct:g} pt on {k}" for k, v in m.items())
    return f"±{m * pct:g} pt"


@_judge("paired-difference", statistical=True)
def j_paired(r: R, rule: R, level: float) -> Verdict:
    # ``experiment`` (version 6) names the training experiment; ``base`` may be a list
    # (every arm against every base: one condition each)
    exp = rule.get("experiment") or ("overfit" if rule["metric"] == "gap" else "training")
    d = r[exp]
    pct = 100.0
    bases = [rule["base"]] if isinstance(rule["base"], str) else list(rule["base"])
    outcomes, parts, ps = {}, [], []
    for g in group_names(d):
        for b in bases:
            base = d["parts"][f"{g}/{b}"]
            for arm in rule["arms"]:
                run = d["parts"][f"{g}/{arm}"]
                diff = metric_values(run, rule["metric"]) - metric_values(base, rule["metric"])
                res = paired(diff, margin=margin_for(rule, g), direction=rule["direction"],
                             resolution=1.0 / run["n_test"])
                label = f"{arm} on {g}" if len(rule["arms"]) > 1 else g
                label = f"{arm} − {b} on {g}" if len(bases) > 1 else label
                outcomes[label] = res.outcome(level)
                ps.append(min(res.pvalues))
                parts.append(f"{label}: {res.fmt(pct, ' pt', 1)} (lr {_lr(d, run)} vs "
                             f"{_lr(d, base)}; {outcomes[label]})")
    name = "generalisation gap (train − test accuracy)" if rule["metric"] == "gap" else \
        "test accuracy"
    ev = (f"Paired difference in {name}, arm − {' / '.join(bases)}, mean [95 % CI] over "
          f"{len(d['seeds'])} seeds, each at its best learning rate: " + "; ".join(parts)
          + f". Rule: {rule['direction']} than 0, equivalent within "
          f"{_margin_text(rule, pct)}.")
    return combine(outcomes, ev, ps)


def edge_optima(data: R) -> list[str]:
    """The parts (and configurations) of a training experiment whose best learning rate
    (mean validation accuracy) is the smallest or the largest of the grid: their optimum
    may lie outside it, so a comparison at "the best learning rate" is not one there."""
    lrs = data["config"]["lrs"]
    out = []
    for part, run in data["parts"].items():
        n_cfg = np.asarray(run["val_acc"], dtype=float).shape[1]
        for c in range(n_cfg):
            i = _best(run, c)
            if len(lrs) > 1 and i in (0, len(lrs) - 1):
                cfg = data["config"]
                names = cfg.get("alphas") or cfg.get("slopes")
                label = part + (f" ({names[c]:g})" if n_cfg > 1 and names else "")
                out.append(f"{label} at lr {lrs[i]:g} ({'lowest' if i == 0 else 'highest'})")
    return out


@_judge("non-inferior", statistical=True)
def j_non_inferior(r: R, rule: R, level: float) -> Verdict:
    d = r["deep-training"]
    parts = d["parts"]
    arm = next(p for p in parts if p.startswith(rule["arm"] + "@"))
    base = next(p for p in parts if p.startswith(rule["base"] + "@"))
    a, b = parts[arm], parts[base]
    diff = metric_values(a, rule["metric"]) - metric_values(b, rule["metric"])
    m = rule["margin"]
    shifted = paired(diff + m, margin=m, direction="greater", resolution=1.0 / a["n_test"])
    plain = paired(diff, margin=m, resolution=1.0 / a["n_test"])
    accs = ", ".join(f"{k} {np.mean(metric_values(v, 'test_acc')):.3f} (lr {_lr(d, v)}, train acc "
                     f"{np.mean(metric_values(v, 'train_acc')):.3f})" for k, v in parts.items())
    ev = (f"Digits, {d['config']['depth']} hidden layers of {d['config']['width']}, "
          f"{len(d['seeds'])} seeds, each configuration at its best learning rate; mean test "
          f"accuracy: {accs}. {arm} − {base}: {plain.fmt(100, ' pt', 1)}. Rule: non-inferior "
          f"(difference > −{m * 100:g} pt) supports; inferior beyond the margin refutes.")
    ps = (min(shifted.p_claim, shifted.p_opposite),)
    edge = [e for e in edge_optima(d) if e.split(" ")[0] in (arm, base)]
    if edge:  # pre-registered (version 4): no decision at an optimum on the grid's edge
        return Verdict("inconclusive", ev + " Best learning rate on the grid's edge: "
                       + "; ".join(edge) + ".", "learning-rate optimum on the grid's edge", ps)
    if shifted.p_claim <= level:
        return Verdict("supported", ev, pvalues=ps)
    if shifted.p_opposite <= level:
        return Verdict("refuted", ev, pvalues=ps)
    return Verdict("inconclusive", ev, pvalues=ps)


def _faster(d: R, arm: str, base: str, level: float) -> tuple[dict[str, str], list[str],
                                                               list[float]]:
    outcomes, parts, ps = {}, [], []
    for g in group_names(d):
        a, b = d["parts"][f"{g}/{arm}"], d["parts"][f"{g}/{base}"]
        diff = metric_values(a, "loss_auc") - metric_values(b, "loss_auc")
        res = paired(diff, margin=0.0, direction="less")
        # no equivalence margin: refuted only by a significantly larger area (slower)
        outcomes[g] = ("claim" if res.p_claim <= level else "opposite"
                       if res.p_opposite <= level else "open")
        ps.append(min(res.p_claim, res.p_opposite))
        parts.append(f"{g}: {np.mean(metric_values(a, 'loss_auc')):.3f} vs "
                     f"{np.mean(metric_values(b, 'loss_auc')):.3f}, difference {res.fmt(1, '', 3)} "
                     f"over {a.get('steps', '?')} steps ({outcomes[g]})")
    return outcomes, parts, ps


@_judge("faster", statistical=True)
def j_faster(r: R, rule: R, level: float) -> Verdict:
    d = r["training"]
    arm, base = rule["arm"], rule["base"]
    outcomes, parts, ps = _faster(d, arm, base, level)
    ev = (f"Loss AUC (mean mini-batch training loss over every optimiser step: smaller = "
          f"faster), {arm} vs {base}, each at its best learning rate, {len(d['seeds'])} seeds "
          "paired (same split, initial weights and batches), mean [95 % CI]: "
          + "; ".join(parts) + ". Rule: paired t-test on the per-seed difference; refuted "
          "only if significantly slower.")
    v = combine(outcomes, ev, ps)
    if "control" not in rule or v.kind not in ("supported", "nuanced"):
        return v
    c_out, c_parts, c_ps = _faster(d, rule["control"], base, level)
    ev += (f" Control ({rule['control']}: ReLU shifted to zero mean): " + "; ".join(c_parts)
           + ".")
    ps += c_ps
    if all(o == "claim" for o in c_out.values()):
        return Verdict(v.kind, ev, v.condition, tuple(ps))
    # say only what the control's tests showed: slower where significant, else not shown
    slower = [g for g, o in c_out.items() if o == "opposite"]
    unshown = [g for g, o in c_out.items() if o == "open"]
    what = "; ".join(
        ([f"centred ReLU is significantly slower than ReLU on {', '.join(slower)}"]
         if slower else [])
        + ([f"centred ReLU is not significantly faster than ReLU on {', '.join(unshown)}"]
           if unshown else []))
    return Verdict("nuanced", ev, (v.condition + "; " if v.condition else "")
                   + f"{arm} is faster, but {what}: zero mean is not shown to be the reason",
                   tuple(ps))


@_judge("trend", statistical=True)
def j_trend(r: R, rule: R, level: float) -> Verdict:
    """A metric 'strongly depends' on CELU's alpha: supported where the dependence is
    significant in any shape (Friedman, paired by seed) and the level means spread beyond
    the margin; refuted only where every alpha is within the margin of every other
    (equivalence of the max − min spread); otherwise open."""
    d = r["celu-alpha"]
    alphas = d["config"]["alphas"]
    m = rule["margin"]
    outcomes, parts, ps = {}, [], []
    for g, run in d["parts"].items():
        ys = np.stack([metric_values(run, rule["metric"], c) for c in range(len(alphas))], axis=1)
        dep = dependence(ys, margin=m)
        outcomes[g] = ("claim" if dep.p_dependence <= level and dep.spread > m
                       else "equivalent" if dep.p_equivalent <= level else "open")
        ps.append(min(dep.p_dependence, dep.p_equivalent))
        means = ", ".join(f"{a:g}: {mu:.3f}" for a, mu in zip(alphas, dep.means, strict=True))
        parts.append(f"{g}: {means}; spread (max − min) {dep.spread * 100:.1f} pt, Friedman "
                     f"p = {dep.p_dependence:.2g}, all-pairs equivalence p = "
                     f"{dep.p_equivalent:.2g} ({outcomes[g]})")
    ev = (f"Test accuracy by CELU alpha (each alpha at its best learning rate, "
          f"{len(d['seeds'])} seeds): " + "; ".join(parts) + ". Rule: a dependence of any "
          f"shape (Friedman test over alpha, paired by seed) with a spread beyond ±{m * 100:g} "
          f"pt supports; every alpha within ±{m * 100:g} pt of every other (paired TOST on "
          "each pair) refutes.")
    return combine(outcomes, ev, ps)


@_judge("sparsity-trend", statistical=True)
def j_sparsity_trend(r: R, rule: R, level: float) -> Verdict:
    d = r["overfit"]
    slopes = d["config"]["slopes"]
    m = rule["margin"]
    outcomes, parts, ps = {}, [], []
    for g in group_names(d):
        run = d["parts"][f"{g}/leaky-sweep"]
        gaps = np.stack([metric_values(run, "gap", c) for c in range(len(slopes))], axis=1)
        sp = [float(np.mean(np.asarray(run["sparsity"], float)[:, c, _best(run, c)]))
              for c in range(len(slopes))]
        pos = [i for i, x in enumerate(slopes) if x > 0]
        zero = [i for i, x in enumerate(slopes) if x == 0]
        diff = gaps[:, pos].mean(axis=1) - gaps[:, zero].mean(axis=1)
        res = paired(diff, margin=m, direction="greater", resolution=1.0 / run["n_test"])
        outcomes[g] = res.outcome(level)
        ps.append(min(res.pvalues))
        parts.append(f"n={g}: exact-zero fraction {', '.join(f'{s:.2f}' for s in sp)}, gap "
                     + ", ".join(f"{np.mean(gaps[:, i]) * 100:.1f}" for i in range(len(slopes)))
                     + f" pt; slope > 0 − slope 0: {res.fmt(100, ' pt', 1)} ({outcomes[g]})")
    ev = (f"Leaky ReLU with negative slope {slopes} (slope 0 = ReLU: the only one with exact "
          f"zeros), digits training sets of n samples, trained to convergence, each slope at "
          f"its best learning rate, {len(d['seeds'])} seeds: " + "; ".join(parts)
          + ". Rule: per seed, the mean gap over the slopes > 0 (no exact zeros) minus the gap "
          f"at slope 0 (sparse) must be > 0 (paired t-test); equivalence within ±{m * 100:g} "
          "pt refutes.")
    return combine(outcomes, ev, ps)


@_judge("variants-equivalent", statistical=True)
def j_variants(r: R, rule: R, level: float) -> Verdict:
    d = r["gelu-variants"]
    outcomes, parts, ps = {}, [], []
    for g in group_names(d):
        base = d["parts"][f"{g}/{rule['base']}"]
        for arm in rule["arms"]:
            run = d["parts"][f"{g}/{arm}"]
            diff = metric_values(run, rule["metric"]) - metric_values(base, rule["metric"])
            res = paired(diff, margin=rule["margin"], resolution=1.0 / run["n_test"])
            two = min(res.p_claim, res.p_opposite)
            # the claim (tuning matters) holds where a variant differs significantly
            o = "claim" if two <= level / 2 else "equivalent" if res.p_equivalent <= level \
                else "open"
            outcomes[f"{arm} on {g}"] = o
            ps.append(min(two, res.p_equivalent))
            parts.append(f"{arm} − {rule['base']} on {g}: {res.fmt(100, ' pt', 1)} ({o})")
    ev = ("GELU's only parameter is the choice of formula ('none' or 'tanh'; not a number to "
          "tune). Test accuracy of the variants, paired by seed at each one's best learning "
          "rate: " + "; ".join(parts) + f". Rule: equivalent within ±{rule['margin'] * 100:g} "
          "pt refutes.")
    return combine(outcomes, ev, ps)


def _dead(d: R, g: str, arm: str) -> np.ndarray:
    """Per-seed dead-unit fractions of ``arm`` on data set ``g``: shape (seeds, lrs)."""
    return np.asarray(d["parts"][f"{g}/{arm}"]["dead"], float)[:, 0, :]


def _units(d: R) -> int:
    return int(d["config"]["width"] * d["config"]["depth"])


def _prop(x: np.ndarray, tol: float, units: int) -> Any:
    """Paired-style t-test of per-seed proportions ``x`` against ``tol``: the seed is the
    unit of replication (a model's hidden units are not independent trials); claimed
    direction: mean above ``tol``."""
    return paired(x - tol, margin=0.0, direction="greater", resolution=1.0 / units)


def _cell(res: Any, tol: float) -> str:
    return f"{res.mean + tol:.3f} [{max(res.low + tol, 0.0):.3f}, {res.high + tol:.3f}]"


def _pooled(d: R, arm: str) -> np.ndarray:
    r"""Per-seed dead fraction of ``arm`` pooled over every data set and learning rate:
    :math:`\bar x_s = \frac{1}{|G||L|}\sum_{g, l} x_{s,g,l}` (the seed stays the unit of
    replication; data sets share the seeds 0..n-1 of the run)."""
    return np.stack([_dead(d, g, arm) for g in group_names(d)], axis=1).mean(axis=(1, 2))


@_judge("no-dead-units", statistical=True)
def j_no_dead(r: R, rule: R, level: float) -> Verdict:
    """Pooled rule (version 5). Cells are (data set, learning rate); per seed, the pooled
    fraction is the mean over cells. Supported: the pooled 95 % t-interval is ≤ ``tol``
    and no cell is significantly above ``tol``. Where cells are significantly above
    ``tol`` (units die there): nuanced if the pooled fraction is significantly below
    ReLU's by more than ``tol`` (paired by seed), refuted if not. Otherwise
    (no cell significant, pooled interval reaching ``tol``) inconclusive. A cell whose
    interval merely reaches ``tol`` does not block a decision."""
    d = r["training"]
    lrs = d["config"]["lrs"]
    tol = rule["tol"]
    units = _units(d)
    parts, ps, pooled_txt = [], [], []
    die: dict[str, list[str]] = {}
    none_pooled, fewer_pooled = {}, {}
    for arm in rule["arms"]:
        die[arm] = []
        for g in group_names(d):
            x, base = _dead(d, g, arm), _dead(d, g, rule["base"])
            cells = []
            for i, lr in enumerate(lrs):
                res = _prop(x[:, i], tol, units)
                ps.append(res.p_claim)
                if res.p_claim <= level:  # units die here
                    die[arm].append(f"{arm} on {g} @{lr:g}")
                cells.append(f"{lr:g}: {_cell(res, tol)} vs relu {float(base[:, i].mean()):.3f}")
            parts.append(f"{arm} on {g}: " + ", ".join(cells))
        xa, xb = _pooled(d, arm), _pooled(d, rule["base"])
        pool = _prop(xa, tol, units)
        fewer = paired(xa - xb, margin=tol, direction="less", resolution=1.0 / units)
        ps += [min(pool.p_claim, pool.p_opposite), fewer.p_claim]
        none_pooled[arm] = pool.high <= 0.0
        fewer_pooled[arm] = fewer.p_claim <= level
        pooled_txt.append(f"{arm} pooled {_cell(pool, tol)} vs relu {float(xb.mean()):.3f}, "
                          f"{arm} − relu {fewer.fmt(1, '', 3)}")
    ev = (f"Fraction of hidden units with |f′(z)| ≤ 1e-3 on every training sample, per data set, "
          f"mean over {len(d['seeds'])} seeds (95 % t-interval, the seed the unit of "
          "replication), by Adam learning rate: " + "; ".join(parts) + ". Pooled over data "
          "sets and learning rates (per seed): " + "; ".join(pooled_txt) + f". Rule (pooled, "
          f"version 5): none = the pooled interval ≤ {tol:g} and no cell significantly above "
          f"{tol:g}; where cells are significantly above {tol:g}, fewer than ReLU = the pooled "
          f"fraction significantly below ReLU's by more than {tol:g}.")
    arms = rule["arms"]
    dying = [w for a in arms for w in die[a]]
    if all(none_pooled[a] and not die[a] for a in arms):
        return Verdict("supported", ev, pvalues=tuple(ps))
    if dying and any(die[a] and not fewer_pooled[a] for a in arms):
        bad = [a for a in arms if die[a] and not fewer_pooled[a]]
        return Verdict("refuted", ev + " Units die and the pooled fraction is not significantly "
                       "below ReLU's for " + ", ".join(bad) + ".", pvalues=tuple(ps))
    if dying and all(not die[a] or fewer_pooled[a] for a in arms) and all(
            die[a] or none_pooled[a] for a in arms):
        return Verdict("nuanced", ev, "fewer dead units than ReLU, not none: units die at "
                       + ", ".join(dying), pvalues=tuple(ps))
    return Verdict("inconclusive", ev, pvalues=tuple(ps))


@_judge("dead-units-occur", statistical=True)
def j_dead_occur(r: R, rule: R, level: float) -> Verdict:
    d = r["training"]
    lrs = d["config"]["lrs"]
    tol = rule["tol"]
    units = _units(d)
    outcomes: dict[str, str] = {}
    ps, parts, at = [], [], []
    for g in group_names(d):
        x = _dead(d, g, rule["arm"])
        cells = []
        for i, lr in enumerate(lrs):
            res = _prop(x[:, i], tol, units)
            ps.append(min(res.p_claim, res.p_opposite))
            o = ("claim" if res.p_claim <= level else "equivalent" if res.high <= 0.0
                 else "open")
            outcomes[f"{g} @{lr:g}"] = o
            if o == "claim":
                at.append(lr)
            cells.append(f"{lr:g}: {_cell(res, tol)}")
        parts.append(f"{g}: " + ", ".join(cells))
    ev = (f"Fraction of {rule['arm']} hidden units that output 0 with zero gradient on every "
          f"training sample, per data set, mean over {len(d['seeds'])} seeds (95 % t-interval, "
          "the seed the unit of replication), by Adam learning rate: " + "; ".join(parts)
          + f". Rule: units die where the fraction is significantly above {tol:g}; none "
          f"die where the interval's upper bound is ≤ {tol:g}.")
    v = combine(outcomes, ev, ps)
    if v.kind != "nuanced":
        return v
    lo = min(at)
    cond = (f"at learning rates ≥ {lo:g}" if all(
        o == "claim" for k, o in outcomes.items() if float(k.split("@")[1]) >= lo)
        else v.condition)
    return Verdict("nuanced", ev, cond, tuple(ps))


@_judge("failure-rate", statistical=True)
def j_failure(r: R, rule: R, level: float) -> Verdict:
    """Per data set (never pooled): the runs of the arm at the largest learning rate whose
    final training loss exceeds ``loss``, one run per seed (independent), against the
    rate ``rate`` by exact binomial tests (``scipy.stats.binomtest``, Clopper–Pearson
    interval). Refuted where the failure rate is significantly below ``rate`` at every
    learning rate."""
    from scipy import stats

    d = r["training"]
    lrs = d["config"]["lrs"]
    big = len(lrs) - 1
    arms = list(dict.fromkeys(p.split("/")[1] for p in d["parts"]))
    outcomes, ps, parts = {}, [], []
    opened: list[str] = []
    for g in group_names(d):
        def fails(arm: str, i: int, g: str = g) -> tuple[int, int]:
            f = np.asarray(d["parts"][f"{g}/{arm}"]["final_loss"], float)[:, 0, i]
            return int((~(f <= rule["loss"])).sum()), int(f.size)

        k, n = fails(rule["arm"], big)
        t = stats.binomtest(k, n, rule["rate"], alternative="greater")
        below = [stats.binomtest(*fails(rule["arm"], i), rule["rate"], alternative="less").pvalue
                 for i in range(len(lrs))]
        ci = stats.binomtest(k, n, rule["rate"]).proportion_ci(0.95, method="exact")
        outcomes[g] = ("claim" if t.pvalue <= level else "equivalent"
                       if max(below) <= level else "open")
        ps.append(min(float(t.pvalue), float(max(below))))
        if outcomes[g] == "open":
            opened.append(f"{g} {k}/{n} failures (rate ≤ {ci.high:.2f}; p = "
                          f"{max(below):.2g} against a rate of {rule['rate']:g})")
        others = ", ".join(f"{a} {fails(a, big)[0]}/{n}" for a in arms if a != rule["arm"])
        parts.append(f"{g}: {k}/{n} [{ci.low:.2f}, {ci.high:.2f}] (others: {others}; "
                     f"{outcomes[g]})")
    ev = (f"Runs of {rule['arm']} at the largest Adam learning rate {lrs[big]:g} whose final "
          f"training loss exceeds {rule['loss']:g} (or is not finite), per data set, one run "
          f"per seed (Clopper–Pearson 95 %): " + "; ".join(parts) + f". Rule: a failure rate "
          f"significantly above {rule['rate']:g} supports; significantly below it at every "
          "learning rate refutes (exact binomial tests).")
    v = combine(outcomes, ev, ps)
    if v.kind != "inconclusive" or not opened:
        return v
    # version 5: say at which n it is open and what the runs do bound
    holds = [g for g, o in outcomes.items() if o == "claim"]
    n_runs = len(d["seeds"])
    return Verdict("inconclusive", ev, f"at n = {n_runs} runs per data set"
                   + (f": holds for {', '.join(holds)}" if holds else "")
                   + "; open on " + ", ".join(opened) + f", above the audit's threshold "
                   f"p ≤ {level:.2g}", tuple(ps))


# -- cost: instruction counts decide, fresh-process timing checks ------------------------------
def _cost_ratio(c: R, k: str) -> tuple[float, list[float] | None]:
    return c["instruction_ratio"][k]["fdf"], c["timing"].get(k, {}).get("fdf")


def _cost_intro(c: R) -> str:
    return (f"actfn NumPy float64 f + f′ per element relative to ReLU, on {c['hardware']} "
            f"(instructions from callgrind; time over {c['config']['processes']} fresh "
            "processes, 95 % CI): ")


@_judge("cost-ratio", statistical=True)
def j_cost_ratio(r: R, rule: R, level: float) -> Verdict:
    c = r["cost"]
    if "instruction_ratio" not in c:
        return Verdict("inconclusive", "No instruction counts: "
                       + str(c.get("instructions", {}).get("error", "not measured")) + ".")
    m = rule["margin"]
    cells, outcomes, clash = [], {}, []
    for k in rule["kernels"]:
        ri, t = _cost_ratio(c, k)
        cells.append(f"{k} ×{ri:.2f} instructions" + (f", ×{t[0]:.2f} [{t[1]:.2f}, {t[2]:.2f}] "
                                                      "time" if t else ""))
        if ri > 1 + m:
            o = "claim" if rule["direction"] == "greater" else "opposite"
        elif ri < 1 - m:
            o = "claim" if rule["direction"] == "less" else "opposite"
        else:
            o = "equivalent"
        if t and ((ri > 1 + m and t[2] < 1.0) or (ri < 1 - m and t[1] > 1.0)):
            clash.append(k)
        outcomes[k] = o
    ev = (_cost_intro(c) + "; ".join(cells) + f". Rule: within ±{m:.0%} of ReLU = same cost "
          f"(refutes); the claim needs {'more' if rule['direction'] == 'greater' else 'less'}.")
    v = combine(outcomes, ev)
    if not clash:
        return v
    # the wording follows what the counts said for each clashing kernel
    by_count = [k for k in clash if outcomes[k] == "claim"]
    by_time = [k for k in clash if outcomes[k] != "claim"]
    cond = ([v.condition] if v.condition else []) + (
        [f"by instruction count for {', '.join(by_count)}; measured time on this machine "
         "disagrees"] if by_count else []) + (
        [f"in measured time on this machine only for {', '.join(by_time)}; the instruction "
         "counts say the opposite"] if by_time else [])
    return Verdict("nuanced", ev, "; ".join(cond))


@_judge("cost-cheapest", statistical=True)
def j_cost_cheapest(r: R, rule: R, level: float) -> Verdict:
    c = r["cost"]
    if "instruction_ratio" not in c:
        return Verdict("inconclusive", "No instruction counts: "
                       + str(c.get("instructions", {}).get("error", "not measured")) + ".")
    ratio = {k: v["fdf"] for k, v in c["instruction_ratio"].items()}
    k0 = rule["kernel"]
    cheapest = min(ratio, key=lambda k: ratio[k])
    ev = (_cost_intro(c) + ", ".join(f"{k} ×{v:.2f}" for k, v in sorted(
        ratio.items(), key=lambda kv: kv[1])) + f". Rule: within {rule['margin']:.0%} of the "
          f"cheapest kernel ({cheapest}) and cheaper than every unit with exp, erf or tanh "
          f"({', '.join(rule['heavy'])}).")
    within = ratio[k0] <= (1 + rule["margin"]) * ratio[cheapest]
    below = all(ratio[k0] * (1 + rule["margin"]) < ratio[h] for h in rule["heavy"])
    if within and below:
        return Verdict("supported", ev)
    if below:
        return Verdict("nuanced", ev, "cheaper than the exponential and Gaussian units, not "
                       "the cheapest")
    return Verdict("refuted", ev)


# -- all claims -----------------------------------------------------------------------------------
def judge_all(claims: Sequence[Claim], results: R, *, quick: bool = False,
              fdr: float = 0.05) -> tuple[dict[str, Verdict], float]:
    """Verdicts for ``claims`` and the Benjamini–Hochberg threshold used.

    Pass 1 judges at level ``fdr`` to collect every p-value; the BH threshold over all of
    them at false discovery rate ``fdr`` is then the level of pass 2 (judges are pure, so
    judging twice is safe). In a quick run, statistical claims are not decided: their
    verdict is ``inconclusive`` with condition ``"quick"`` and the numbers as evidence.
    """
    def one(c: Claim, level: float) -> Verdict:
        missing = [e for e in c.experiments if e not in results or results[e].get("skipped")]
        if missing:
            return Verdict("inconclusive", f"Not measured in this run: {', '.join(missing)}.",
                           "quick" if quick else "")
        return JUDGES[c.rule["kind"]](results, c.rule, level)

    first = {c.id: one(c, fdr) for c in claims}
    ps = [p for c in claims if not (quick and c.statistical) for p in first[c.id].pvalues]
    level = bh_threshold(ps, fdr) if ps else fdr
    out = {}
    for c in claims:
        v = one(c, level)
        if quick and c.statistical:
            v = Verdict("inconclusive", v.evidence, "quick", v.pvalues)
        out[c.id] = v
    return out, level

