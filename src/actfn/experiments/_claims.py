"""The claims the seed tutorials make, each with the rule that turns measurements into a
verdict.

Every judge reads the results of its experiments (a mapping experiment id → data dict,
see :data:`actfn.experiments.EXPERIMENTS`) and returns a :class:`Verdict`. The rules are
written out below so they can be tested on synthetic data with known answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._core import Claim, Verdict, compare, difference, estimate

__all__ = ["CLAIMS", "gradient_trend", "speed_verdict", "dead_verdict"]

S0, S1, S2, S3, S4 = (
    "000_5b9393d551984eb5.txt",
    "001_b9dc7a45c90d17ff.txt",
    "002_63649c74955d09e1.txt",
    "003_5ddc89a5dc250c86.txt",
    "004_29a13a0f6c8f2fa7.txt",
)

R = Mapping[str, Any]


# -- reusable rules ----------------------------------------------------------------------
def gradient_trend(data: R, act: str, init: str) -> tuple[str, float]:
    """``("vanishing" | "stable" | "exploding", change)`` of the first-layer gradient.

    ``change`` is the geometric mean (over seeds) of the first-layer gradient norm at the
    deepest depth divided by that at the shallowest. Below 1/10: vanishing; above 10:
    exploding; otherwise stable.
    """
    norms = np.asarray(data["norm"][f"{act}/{init}"], dtype=float)
    with np.errstate(all="ignore"):
        logs = np.log(np.maximum(norms, 1e-300))
    change = float(np.exp(np.mean(logs[-1]) - np.mean(logs[0])))
    if change < 0.1:
        return "vanishing", change
    if change > 10.0:
        return "exploding", change
    return "stable", change


def _epochs(per: R, act: str, epochs: int) -> list[float]:
    return [float(v) if v is not None else float(epochs + 1) for v in per[act]["epochs_to_target"]]


def speed_verdict(data: R, act: str, base: str = "relu") -> Verdict:
    """Does ``act`` reach the target training loss in fewer epochs than ``base``?

    Per data set the Welch 95 % interval of the difference in epochs decides "faster",
    "slower" or "no difference"; faster everywhere → supported, nowhere faster →
    refuted, mixed → nuanced.
    """
    parts, outcomes = [], []
    for ds, per in data["datasets"].items():
        a, b = _epochs(per, act, data["epochs"]), _epochs(per, base, data["epochs"])
        c = compare(a, b)
        outcomes.append(c)
        d = difference(a, b)
        parts.append(f"{ds}: {estimate(a).fmt()} vs {estimate(b).fmt()} epochs "
                     f"(difference {d.mean:+.2g} ± {d.half_width:.2g})")
    ev = f"Epochs to reach the target training loss, {act} vs {base}: " + "; ".join(parts) + "."
    faster = [ds for ds, c in zip(data["datasets"], outcomes, strict=True) if c == "less"]
    slower = [ds for ds, c in zip(data["datasets"], outcomes, strict=True) if c == "greater"]
    if len(faster) == len(outcomes):
        return Verdict("supported", ev)
    if faster:
        return Verdict("nuanced", ev, f"faster only on {', '.join(faster)}")
    trend = all(difference(_epochs(per, act, data["epochs"]),
                           _epochs(per, base, data["epochs"])).mean < 0
                for per in data["datasets"].values())
    if trend and not slower:
        n = min(len(per[act]["epochs_to_target"]) for per in data["datasets"].values())
        return Verdict("nuanced", ev, f"as a trend only: {act} is ahead on average on every "
                       f"data set, but not significantly with {n} seeds")
    return Verdict("refuted", ev + f" No data set shows {act} converging faster.")


def dead_verdict(data: R, acts: tuple[str, ...], tol: float = 0.01) -> Verdict:
    """Do ``acts`` avoid dead units where ReLU gets them (large learning rate)?

    A unit is dead when |f′(z)| ≤ 1e-3 on every training sample. Supported when every
    act's dead fraction stays ≤ ``tol`` at the large learning rate; nuanced when they are
    credibly below ReLU's but above ``tol``; refuted when not below ReLU's.
    """
    lr = max(data["lrs"])
    relu = data["runs"][f"relu@{lr:g}"]["no_gradient"]
    parts, ok, better = [], [], []
    for a in acts:
        v = data["runs"][f"{a}@{lr:g}"]["no_gradient"]
        parts.append(f"{a} {estimate(v).fmt(2)}")
        ok.append(estimate(v).mean <= tol)
        better.append(compare(v, relu) == "less")
    ev = (f"Fraction of hidden units with |f′| ≤ 1e-3 on every training sample after Adam "
          f"lr={lr:g}: relu {estimate(relu).fmt(2)}; " + ", ".join(parts) + ".")
    if all(ok):
        return Verdict("supported", ev)
    if all(b or o for b, o in zip(better, ok, strict=True)):
        return Verdict("nuanced", ev, "fewer dead units than ReLU, not none: at large learning "
                       "rates units also die by saturating deep in the negative branch (f′ ≈ 0)")
    return Verdict("refuted", ev + " No fewer dead units than ReLU.")


def _acc_compare(data: R, act: str, base: str, key: str = "test_acc") -> list[tuple[str, str]]:
    return [(ds, compare(per[act][key], per[base][key], tolerance=0.0))
            for ds, per in data["datasets"].items()]


# -- judges ----------------------------------------------------------------------------
def j_selu_constants(r: R) -> Verdict:
    d = r["selu-fixed-point"]
    row = d["targets"][0]
    ev = (f"Solving the moment equations for target (0, 1) gives alpha = {d['alpha']:.16g}, "
          f"scale = {d['scale']:.16g}; differences from the published constants "
          f"{d['alpha_error']:.1g} and {d['scale_error']:.1g}. Jacobian at the fixed point "
          f"{np.round(row['jacobian'], 6).tolist()}, spectral radius "
          f"{row['spectral_radius']:.4f}; iterating the map from 5 starts ends within "
          f"{d['final_distance']:.1g} of (0, 1).")
    ok = d["alpha_error"] < 1e-12 and d["scale_error"] < 1e-12
    if ok and row["spectral_radius"] < 1.0:
        return Verdict("supported", ev)
    if ok:
        return Verdict("nuanced", ev, "the constants solve the equations but the fixed point "
                       "is not attracting")
    return Verdict("refuted", ev)


def _last(run: R, key: str) -> float:
    return float(np.mean([v[-1] for v in run[key]]))


def j_selu_self_norm(r: R) -> Verdict:
    d = r["self-normalization"]
    lec, he = d["runs"]["selu/lecun"], d["runs"]["selu/he"]
    m1, v1, m2, v2 = _last(lec, "mean"), _last(lec, "var"), _last(he, "mean"), _last(he, "var")
    relu_v = _last(d["runs"]["relu/lecun"], "var")
    ev = (f"After {d['depth']} layers (width {d['width']}, {len(d['seeds'])} seeds): SELU with "
          f"LeCun-normal weights has mean {m1:.3f}, variance {v1:.3f}; with He-normal weights "
          f"mean {m2:.3g}, variance {v2:.3g}. For comparison ReLU with LeCun weights ends "
          f"at variance {relu_v:.2g}.")
    good = abs(m1) < 0.1 and abs(v1 - 1) < 0.2
    he_good = abs(m2) < 0.1 and abs(v2 - 1) < 0.2
    if good and he_good:
        return Verdict("supported", ev)
    if good:
        return Verdict("nuanced", ev, "only with weights of variance 1/fan-in (LeCun normal); "
                       "'normally distributed' weights of another scale drift away")
    return Verdict("refuted", ev)


def j_selu_init(r: R) -> Verdict:
    d = r["self-normalization"]
    v1, v2 = _last(d["runs"]["selu/lecun"], "var"), _last(d["runs"]["selu/he"], "var")
    ev = (f"Variance at layer {d['depth']}: {v1:.3f} with LeCun-normal, {v2:.3g} with "
          f"He-normal init.")
    if abs(math.log(max(v2, 1e-300))) > math.log(2.0) and abs(math.log(v1)) < math.log(1.2):
        return Verdict("supported", ev)
    return Verdict("refuted", ev)


def j_grad(act: str, *, claim_no_vanish: bool, init: str | None = None) -> Any:
    def judge(r: R) -> Verdict:
        d = r["vanishing-gradients"]
        conv = init or d["conventional_init"][act]
        other = "he" if conv == "lecun" else "lecun"
        t1, c1 = gradient_trend(d, act, conv)
        t2, c2 = gradient_trend(d, act, other)
        ev = (f"First-layer gradient norm from depth {d['depths'][0]} to {d['depths'][-1]} "
              f"changes by ×{c1:.2g} with {conv} init ({t1}) and ×{c2:.2g} with {other} init "
              f"({t2}).")
        if not claim_no_vanish:  # the claim is that gradients DO vanish
            if t1 == "vanishing" and t2 == "vanishing":
                return Verdict("supported", ev)
            if t1 == "vanishing" or t2 == "vanishing":
                return Verdict("nuanced", ev, f"vanishes with {conv if t1 == 'vanishing' else other}"
                               " init only")
            return Verdict("refuted", ev)
        if t1 == "stable" and t2 == "stable":
            return Verdict("supported", ev)
        if "stable" in (t1, t2):
            good, bad, tb = (conv, other, t2) if t1 == "stable" else (other, conv, t1)
            return Verdict("nuanced", ev, f"with {good} init; with {bad} init the first-layer "
                           f"gradient is {tb}")
        if t1 == "exploding":
            return Verdict("nuanced", ev, f"it does not vanish with {conv} init, but grows "
                           f"×{c1:.2g} over the depths tested (explodes) instead"
                           + ("" if t2 == "exploding" else f"; with {other} init it is {t2}"))
        if t2 == "exploding":
            return Verdict("nuanced", ev, f"it vanishes with {conv} init and explodes with "
                           f"{other} init; neither standard init keeps it stable")
        return Verdict("refuted", ev)

    return judge


def j_gelu_vanish(r: R) -> Verdict:
    d = r["vanishing-gradients"]
    tg, cg = gradient_trend(d, "gelu", "he")
    ts, cs = gradient_trend(d, "sigmoid", "lecun")
    ev = (f"Over depths {d['depths'][0]}–{d['depths'][-1]} the first-layer gradient changes by "
          f"×{cg:.2g} for GELU (He init, {tg}) against ×{cs:.2g} for sigmoid (LeCun init).")
    if tg == "stable":
        return Verdict("supported", ev)
    if cg > cs * 1e3:
        return Verdict("nuanced", ev, "only relative to saturating units such as sigmoid; a "
                       "plain deep GELU network with standard init still loses gradient")
    return Verdict("refuted", ev)


def j_tanh(r: R) -> Verdict:
    m = r["zero-centred"]["moments"]["tanh"]
    d = r["vanishing-gradients"]
    t1, c1 = gradient_trend(d, "tanh", "lecun")
    t2, c2 = gradient_trend(d, "tanh", "he")
    ts, cs = gradient_trend(d, "sigmoid", "lecun")
    ev = (f"E tanh(X) = {m['mean']:.1g} (X ~ N(0,1)), so the output is zero-centred. "
          f"First-layer gradient change over depth: ×{c1:.2g} (LeCun, {t1}), ×{c2:.2g} "
          f"(He, {t2}); sigmoid ×{cs:.2g}.")
    centred = abs(m["mean"]) < 1e-9
    if centred and (t1 == "vanishing" and t2 == "vanishing"):
        return Verdict("supported", ev)
    if centred:
        return Verdict("nuanced", ev, "zero-centred yes; vanishing only for small weights "
                       "(ordered regime) and far milder than sigmoid's, while large weights "
                       "make the gradient grow instead")
    return Verdict("refuted", ev)


def j_moment_mean(act: str, *, claim_centred: bool, base: str | None = None) -> Any:
    def judge(r: R) -> Verdict:
        mo = r["zero-centred"]["moments"]
        m = mo[act]
        ev = (f"E {act}(X) = {m['mean']:.6f}, Var = {m['var']:.6f} for X ~ N(0, 1) "
              f"(quadrature error < {max(m['mean_err'], 1e-16):.0e})")
        if base is not None:
            b = mo[base]
            ev += f"; E {base}(X) = {b['mean']:.6f}"
            ev += "."
            if abs(m["mean"]) < abs(b["mean"]):
                return Verdict("supported", ev + " This is for standard-normal inputs; "
                               "a unit whose input has a shifted mean moves with it.")
            return Verdict("refuted", ev)
        ev += "."
        centred = abs(m["mean"]) < 0.05
        return Verdict("supported" if centred == claim_centred else "refuted", ev)

    return judge


def j_sparse(r: R) -> Verdict:
    m = r["zero-centred"]["moments"]["relu"]
    ev = (f"P(relu(X) = 0) = {m['p_zero']:.4f} for X ~ N(0, 1): half of the outputs are "
          "exact zeros; elu, gelu and leaky_relu give "
          + ", ".join(f"{r['zero-centred']['moments'][a]['p_zero']:.2g}"
                      for a in ("elu", "gelu", "leaky_relu")) + ".")
    return Verdict("supported" if m["p_zero"] > 0.25 else "refuted", ev)


def j_dying(r: R) -> Verdict:
    d = r["dead-units"]
    lo, hi = min(d["lrs"]), max(d["lrs"])
    a = d["runs"][f"relu@{lo:g}"]["no_gradient"]
    b = d["runs"][f"relu@{hi:g}"]["no_gradient"]
    ev = (f"Fraction of ReLU hidden units that output 0 on every training sample: "
          f"{estimate(a).fmt(2)} after Adam lr={lo:g}, {estimate(b).fmt(2)} after lr={hi:g} "
          f"({len(d['seeds'])} seeds).")
    big_hi, big_lo = estimate(b).mean > 0.05, estimate(a).mean > 0.05
    if big_hi and big_lo:
        return Verdict("supported", ev)
    if big_hi:
        return Verdict("nuanced", ev, f"at large learning rates (lr={hi:g}); at lr={lo:g} "
                       "only a few units die")
    return Verdict("refuted", ev)


def j_relu_lr(r: R) -> Verdict:
    d = r["dead-units"]
    hi, lo = max(d["lrs"]), min(d["lrs"])
    relu = d["runs"][f"relu@{hi:g}"]["final_loss"]
    others = {a: d["runs"][f"{a}@{hi:g}"]["final_loss"]
              for a in ("leaky_relu", "elu", "selu", "gelu")}
    worse = [a for a, v in others.items() if compare(relu, v) == "greater"]
    ev = (f"Final training loss after Adam lr={hi:g}: relu {estimate(relu).fmt(2)}; "
          + ", ".join(f"{a} {estimate(v).fmt(2)}" for a, v in others.items())
          + f"; relu at lr={lo:g}: {estimate(d['runs'][f'relu@{lo:g}']['final_loss']).fmt(2)}.")
    if estimate(relu).mean > 10 * estimate(d["runs"][f"relu@{lo:g}"]["final_loss"]).mean:
        if len(worse) == len(others):
            return Verdict("supported", ev)
        return Verdict("nuanced", ev, "large learning rates hurt ReLU, but they hurt the other "
                       "activations as much or more; it is not specific to ReLU")
    return Verdict("refuted", ev)


def j_overfit(r: R) -> Verdict:
    d = r["training"]
    parts, greater = [], []
    for ds, per in d["datasets"].items():
        gap = {a: [tr - te for tr, te in zip(per[a]["train_acc"], per[a]["test_acc"], strict=True)]
               for a in ("relu", "celu", "selu")}
        parts.append(f"{ds}: relu {estimate(gap['relu']).fmt(2)}, celu "
                     f"{estimate(gap['celu']).fmt(2)}, selu {estimate(gap['selu']).fmt(2)}")
        for a in ("celu", "selu"):
            if compare(gap[a], gap["relu"]) == "greater":
                greater.append(f"{a} on {ds}")
    ev = "Generalisation gap (train − test accuracy): " + "; ".join(parts) + "."
    if not greater:
        return Verdict("refuted", ev + " Neither gap is credibly larger than ReLU's.")
    return Verdict("nuanced", ev, "larger gap for " + ", ".join(greater))


def j_exp_cost(r: R) -> Verdict:
    c = r["cost"]
    t = c["torch"]
    rel = {a: t[a]["fdf_ns"] / t["relu"]["fdf_ns"] for a in ("elu", "celu", "selu")}
    n = c["dense_layer"]["elements"]
    share = {a: (t[a]["fdf_ns"] - t["relu"]["fdf_ns"]) * 1e-9 * n / c["dense_layer"]["seconds"]
             for a in rel}
    ev = ("PyTorch float32 forward+backward per element relative to ReLU: "
          + ", ".join(f"{a} ×{v:.2f}" for a, v in rel.items())
          + f" (noise up to {max(t[a]['fdf_noise'] for a in rel):.0%}); actfn float64 f: "
          + ", ".join(f"{a} ×{c['actfn'][a]['f_rel']:.1f}" for a in rel)
          + ". Extra time over ReLU for a 256×256 activation, relative to one dense "
          "256→256 layer's forward+backward at batch 256: "
          + ", ".join(f"{a} {v:+.0%}" for a, v in share.items()) + ".")
    if min(rel.values()) <= 1.05:
        return Verdict("refuted", ev)
    if max(share.values()) < 0.5:
        return Verdict("nuanced", ev, "per element, yes; in a network the matrix products "
                       "dominate, so the training step grows much less than the ratio suggests")
    return Verdict("supported", ev)


def j_relu_fast(r: R) -> Verdict:
    """ReLU's forward time must be within 1.5× of the cheapest and below every unit that
    needs exp, erf or tanh (elu, celu, selu, gelu, gelu_tanh); timing noise is ~10-30 %."""
    c = r["cost"]
    t = c["torch"]
    ranked = sorted(t, key=lambda a: t[a]["f_ns"])
    ev = ("PyTorch float32 forward, ns per element: "
          + ", ".join(f"{a} {t[a]['f_ns']:.2g}" for a in ranked)
          + "; forward+backward: " + ", ".join(f"{a} {t[a]['fdf_ns']:.2g}"
                                               for a in sorted(t, key=lambda a: t[a]['fdf_ns']))
          + f". actfn (NumPy) f: relu is ×1, elu ×{c['actfn']['elu']['f_rel']:.1f}, gelu "
          f"×{c['actfn']['gelu']['f_rel']:.0f}.")
    heavy = ("elu", "celu", "selu", "gelu", "gelu_tanh")
    cheap = t["relu"]["f_ns"] <= 1.5 * t[ranked[0]]["f_ns"]
    below = all(t["relu"]["f_ns"] < t[a]["f_ns"] for a in heavy)
    if cheap and below:
        return Verdict("supported", ev)
    if below:
        return Verdict("nuanced", ev, "cheaper than the exponential and Gaussian units, but "
                       "not the cheapest elementwise function measured here")
    return Verdict("refuted", ev)


def j_gelu_vs_relu_cost(*, claim_faster: bool) -> Any:
    def judge(r: R) -> Verdict:
        c = r["cost"]
        t = c["torch"]
        g = {k: t[k]["fdf_ns"] / t["relu"]["fdf_ns"] for k in ("gelu", "gelu_tanh")}
        gf = {k: t[k]["f_ns"] / t["relu"]["f_ns"] for k in ("gelu", "gelu_tanh")}
        ev = (f"PyTorch float32, time per element relative to ReLU: exact GELU ×{gf['gelu']:.2f} "
              f"forward, ×{g['gelu']:.2f} forward+backward; tanh approximation "
              f"×{gf['gelu_tanh']:.2f} / ×{g['gelu_tanh']:.2f}; actfn float64 f: "
              f"×{c['actfn']['gelu']['f_rel']:.1f}. The approximation makes GELU cheaper to "
              "evaluate than erf on some hardware, never cheaper than a comparison with 0.")
        slower = min(g.values()) > 1.0 and min(gf.values()) > 1.0
        if claim_faster:
            return Verdict("refuted" if slower else "nuanced", ev, "" if slower else
                           "measured faster here in some variant")
        return Verdict("supported" if slower else "refuted", ev)

    return judge


def j_smooth_celu(r: R) -> Verdict:
    d = r["smoothness"]
    jumps = [j["df"] for j in d["celu"]]
    d2 = ", ".join(f"{j['d2f']:.3g}" for j in d["celu"])
    ev = (f"Jump of CELU′ at 0 for alpha in {d['alphas']}: at most {max(jumps):.1g} "
          f"(the probe is ±{d['eps']:g}); f″ jumps by 1/alpha ({d2}).")
    return Verdict("supported" if max(jumps) < 1e-6 else "refuted", ev)


def j_smooth_elu(r: R) -> Verdict:
    d = r["smoothness"]
    rows = list(zip(d["alphas"], (j["df"] for j in d["elu"]), strict=True))
    ev = ("Jump of ELU′ at 0, |1 − alpha|: "
          + ", ".join(f"alpha={a:g}: {j:.3g}" for a, j in rows) + ".")
    smooth = [a for a, j in rows if j < 1e-6]
    if len(smooth) == len(rows):
        return Verdict("supported", ev)
    if smooth:
        return Verdict("nuanced", ev, "only for alpha = 1 (the default); any other alpha "
                       "leaves a kink in the derivative")
    return Verdict("refuted", ev)


def j_celu_vs_relu_smooth(r: R) -> Verdict:
    d = r["smoothness"]
    rl = d["relu"]
    ev = (f"ReLU itself is continuous at 0 (jump {rl['f']:.1g}); its derivative jumps by "
          f"{rl['df']:g}. CELU removes that jump (≤ {max(j['df'] for j in d['celu']):.1g}) but "
          "its second derivative still jumps by 1/alpha, so it is C¹, not smooth (C^∞).")
    return Verdict("nuanced", ev, "read 'discontinuity' as the jump of the derivative and "
                   "'smooth' as continuously differentiable")


def j_celu_alpha0(r: R) -> Verdict:
    d = r["smoothness"]
    ev = (f"actfn.get('celu', alpha=0): {d['actfn_alpha0']}. PyTorch: {d['torch_alpha0']}. "
          f"The formula alpha·(exp(x/alpha) − 1) divides by alpha; evaluated in IEEE "
          f"arithmetic at alpha = 0 it gives {d['naive_alpha0']['value']} at x = "
          f"{d['naive_alpha0']['x']}. ReLU is only the limit alpha → 0⁺ (see celu-limit-relu).")
    rejected = d["actfn_alpha0"].startswith("ValueError")
    return Verdict("refuted" if rejected else "nuanced", ev,
                   "" if rejected else "alpha = 0 is accepted by this build")


def j_celu_limit(r: R) -> Verdict:
    lim = r["smoothness"]["limit"]
    ev = (f"sup_x |celu_alpha(x) − relu(x)| equals alpha to relative "
          f"{lim['max_rel_dev_from_alpha']:.1g} for alpha from {lim['alpha'][0]:g} to "
          f"{lim['alpha'][-1]:g} (log–log slope {lim['loglog_slope']:.4f}): uniform "
          f"convergence at rate O(alpha). The derivatives do not converge uniformly: "
          f"sup |celu′ − relu′| = {max(lim['sup_abs_diff_df']):.3g} for every alpha.")
    ok = abs(lim["loglog_slope"] - 1) < 0.01 and lim["max_rel_dev_from_alpha"] < 1e-6
    return Verdict("supported" if ok else "refuted", ev)


def j_celu_alpha_sens(r: R) -> Verdict:
    d = r["celu-alpha"]
    est = {a: estimate(v["test_acc"]) for a, v in d["runs"].items()}
    best = max(est, key=lambda a: est[a].mean)
    worst = min(est, key=lambda a: est[a].mean)
    c = compare(d["runs"][best]["test_acc"], d["runs"][worst]["test_acc"])
    spread = est[best].mean - est[worst].mean
    ev = ("Digits test accuracy by alpha: " + ", ".join(f"{a}: {e.fmt(3)}" for a, e in est.items())
          + f" (spread {spread:.3f}).")
    if c == "greater" and spread > 0.02:
        return Verdict("supported", ev)
    if c == "greater":
        return Verdict("nuanced", ev, f"a measurable but small effect ({100 * spread:.1f} "
                       f"accuracy points between alpha={best} and alpha={worst}, across a "
                       "40-fold range of alpha)")
    return Verdict("refuted", ev)


def j_gelu_tuning(r: R) -> Verdict:
    d = r["gelu-variants"]
    est = {k: estimate(v["test_acc"]) for k, v in d["runs"].items()}
    keys = list(est)
    diffs = [compare(d["runs"][a]["test_acc"], d["runs"][b]["test_acc"], tolerance=0.005)
             for i, a in enumerate(keys) for b in keys[i + 1:]]
    params = d["gelu_params"]
    ev = (f"GELU's only parameter is {', '.join(params)} with choices "
          f"{[p['choices'] for p in params.values()]}, not learnable and not a tuned number. "
          "Digits test accuracy: " + ", ".join(f"{k} {e.fmt(3)}" for k, e in est.items()) + ".")
    if all(x == "tie" for x in diffs):
        return Verdict("refuted", ev + " The variants are indistinguishable (within 0.5 point).")
    return Verdict("nuanced", ev, "the choice of approximation changed accuracy here")


def j_gelu_formula(r: R) -> Verdict:
    d = r["approximations"]
    t = d["tanh"]["f"]
    ev = (f"The tanh formula is an approximation of GELU = x·Φ(x): max |error| = "
          f"{t['max_abs_error']:.3g} at x = {t['at']:.3f} (derivative error "
          f"{d['tanh']['df']['max_abs_error']:.2g}); the sigmoid form x·σ(1.702x) errs by up to "
          f"{d['sigmoid']['f']['max_abs_error']:.3g}. bfloat16 spacing at 1 is "
          f"{d['bfloat16_eps']:.3g}, float32's {d['float32_eps']:.2g}.")
    return Verdict("nuanced", ev, "as a definition it is wrong (GELU is x·Φ(x)); as an "
                   "approximation it is within 5e-4, below bfloat16 resolution but far above "
                   "float32's")


def j_gelu_smooth(r: R) -> Verdict:
    g = r["smoothness"]["gelu"]
    ev = (f"GELU has no kinks ({g['kinks']}); |f″| ≤ {g['max_abs_d2f']:.4f} on [-12, 12] so f′ "
          f"moves at most {g['max_step_df']:.2g} per step of {g['grid_step']:.0e}; one-sided "
          f"limits at 0 agree (f′ jump {g['jumps']['df']:.1g}).")
    return Verdict("supported" if not g["kinks"] else "refuted", ev)


def j_relu_params(r: R) -> Verdict:
    d = r["training"]
    per = d["datasets"]["digits"]
    counts = {a: per[a]["n_params"][0] for a in per}
    ev = ("Trainable parameters of the digits MLP: "
          + ", ".join(f"{a} {n}" for a, n in counts.items())
          + ". Zero outputs leave every weight in place (and still receiving updates from "
          "other samples).")
    if counts["relu"] < counts["sigmoid"]:
        return Verdict("supported", ev)
    return Verdict("refuted", ev)


def j_generalisation(act: str) -> Any:
    def judge(r: R) -> Verdict:
        d = r["training"]
        parts, res = [], []
        for ds, per in d["datasets"].items():
            c = compare(per[act]["test_acc"], per["relu"]["test_acc"])
            res.append((ds, c))
            parts.append(f"{ds}: {act} {estimate(per[act]['test_acc']).fmt(3)} vs relu "
                         f"{estimate(per['relu']['test_acc']).fmt(3)}")
        ev = "Test accuracy: " + "; ".join(parts) + "."
        better = [ds for ds, c in res if c == "greater"]
        if len(better) == len(res):
            return Verdict("supported", ev)
        if not better:
            return Verdict("refuted", ev + " No credible improvement over ReLU.")
        return Verdict("nuanced", ev, "better only on " + ", ".join(better))

    return judge


def j_batchnorm(r: R) -> Verdict:
    d = r["deep-training"]
    runs = d["runs"]
    est = {k: estimate(v["test_acc"]) for k, v in runs.items()}
    loss = {k: estimate([x[-1] for x in v["loss"]]) for k, v in runs.items()}
    ev = (f"Digits, {d['depth']} hidden layers of {d['width']}, {d['epochs']} epochs, "
          f"{len(d['seeds'])} seeds. Test accuracy: "
          + ", ".join(f"{k} {e.fmt(3)}" for k, e in est.items())
          + ". Final training loss: " + ", ".join(f"{k} {e.fmt(2)}" for k, e in loss.items())
          + ".")
    ev += (" Plain deep BatchNorm networks without skip connections are known to have "
           "exploding gradients at initialisation (Yang et al. 2019), which is what the "
           "ReLU+BatchNorm runs show here.")
    vs_bn = compare(runs["selu"]["test_acc"], runs["relu+batchnorm"]["test_acc"], tolerance=0.005)
    vs_relu = compare(runs["selu"]["test_acc"], runs["relu"]["test_acc"], tolerance=0.005)
    if vs_bn in ("tie", "greater") and vs_relu == "greater":
        return Verdict("supported", ev)
    if vs_bn in ("tie", "greater") and vs_relu == "tie":
        return Verdict("nuanced", ev, "SELU trains the deep network without normalisation, "
                       "but so does ReLU with He init; BatchNorm is not needed by either here")
    if vs_relu == "greater":
        return Verdict("nuanced", ev, "SELU beats plain ReLU but not ReLU with BatchNorm")
    return Verdict("refuted", ev)


def j_relu_range(r: R) -> Verdict:
    d = r["vanishing-gradients"]
    t_he, c_he = gradient_trend(d, "relu", "he")
    t_le, c_le = gradient_trend(d, "relu", "lecun")
    ev = (f"ReLU's range [0, ∞) is unbounded above. First-layer gradient change from depth "
          f"{d['depths'][0]} to {d['depths'][-1]}: ×{c_he:.2g} with He init ({t_he}), "
          f"×{c_le:.2g} with LeCun init ({t_le}); ReLU is positively homogeneous, so the "
          "weight scale alone sets the gain per layer.")
    if t_he == "stable" and t_le == "stable":
        return Verdict("supported", ev)
    if "stable" in (t_he, t_le):
        return Verdict("nuanced", ev, "only with the matching weight scale (He init); the "
                       "output range plays no part")
    return Verdict("refuted", ev)


def j_selu_attractor(r: R) -> Verdict:
    d = r["selu-fixed-point"]
    small = [p for p in d["trajectories"] if p[0][1] < 0.5]
    large = [p for p in d["trajectories"] if p[0][1] > 2.0]
    up = all(p[1][1] > p[0][1] for p in small)
    down = all(p[1][1] < p[0][1] for p in large)
    ev = ("One step of the SELU moment map (omega = 0, tau = 1) takes variance "
          + ", ".join(f"{p[0][1]:g} → {p[1][1]:.3g}" for p in small + large)
          + f"; after {len(d['trajectories'][0]) - 1} steps every start is within "
          f"{d['final_distance']:.1g} of (0, 1).")
    if up and down and d["final_distance"] < 0.3:
        return Verdict("supported", ev)
    return Verdict("refuted", ev)


def j_leaky_mean(r: R) -> Verdict:
    mo = r["zero-centred"]["moments"]
    lk, rl, el = mo["leaky_relu"], mo["relu"], mo["elu"]
    ev = (f"E f(X) for X ~ N(0, 1): leaky_relu {lk['mean']:.6f}, relu {rl['mean']:.6f}, "
          f"elu {el['mean']:.6f}: a slope of 0.01 moves the mean by "
          f"{rl['mean'] - lk['mean']:.4f}; a leaky unit is no closer to zero-centred than "
          "ReLU (nor is ELU zero-centred, only closer).")
    return Verdict("supported" if abs(lk["mean"]) < 0.05 else "refuted", ev)


def j_sparsity_overfit(r: R) -> Verdict:
    d = r["training"]
    dense = ("leaky_relu", "elu", "gelu")
    parts, smaller = [], []
    for ds, per in d["datasets"].items():
        gap = {a: [tr - te for tr, te in zip(per[a]["train_acc"], per[a]["test_acc"], strict=True)]
               for a in ("relu", *dense)}
        parts.append(f"{ds}: " + ", ".join(f"{a} {estimate(g).fmt(2)}" for a, g in gap.items()))
        if all(compare(gap["relu"], gap[a]) == "less" for a in dense):
            smaller.append(ds)
    ev = ("Generalisation gap (train − test accuracy) of ReLU (half its outputs exactly 0) "
          "against units without exact zeros: " + "; ".join(parts) + ".")
    if len(smaller) == len(d["datasets"]):
        return Verdict("supported", ev)
    if smaller:
        return Verdict("nuanced", ev, "smaller gap only on " + ", ".join(smaller))
    return Verdict("refuted", ev + " ReLU's gap is not credibly smaller than theirs.")


# -- the claims ----------------------------------------------------------------------------
def _c(id: str, acts: str, en: str, zh: str, seeds: tuple[str, ...], exps: str,
       judge: Any) -> Claim:
    return Claim(id, tuple(acts.split()), en, zh, seeds, tuple(exps.split()), judge)


CLAIMS: tuple[Claim, ...] = (
    _c("selu-constants", "selu",
       "With alpha ≈ 1.6733 and scale ≈ 1.0507, zero mean and unit variance is a stable "
       "fixed point of the layer-to-layer moment map.",
       "取 alpha ≈ 1.6733、scale ≈ 1.0507 时,均值 0、方差 1 是逐层矩映射的稳定不动点。",
       (S2,), "selu-fixed-point", j_selu_constants),
    _c("selu-self-normalizing", "selu",
       "With normally distributed weights, SELU layer outputs drift towards zero mean and "
       "unit variance as depth grows.",
       "权重服从正态分布时,SELU 各层输出随深度趋向均值 0、方差 1。",
       (S2,), "self-normalization", j_selu_self_norm),
    _c("selu-variance-attractor", "selu",
       "A slope above 1 for positive inputs raises small variances while saturation damps "
       "large ones, so SELU's variance settles at a fixed point.",
       "正半轴斜率大于 1 会放大过小的方差,负半轴饱和会压低过大的方差,于是 SELU 的方差停在一个不动点上。",
       (S2,), "selu-fixed-point", j_selu_attractor),
    _c("selu-needs-lecun-init", "selu",
       "SELU is sensitive to the weight initialisation and needs LeCun-normal weights.",
       "SELU 离不开 LeCun 正态初始化,换用别的初始化就会失效。",
       (S2,), "self-normalization", j_selu_init),
    _c("selu-no-vanishing", "selu",
       "Self-normalization keeps SELU networks free of vanishing and exploding gradients.",
       "自归一化使 SELU 网络不出现梯度消失或梯度爆炸。",
       (S2,), "vanishing-gradients", j_grad("selu", claim_no_vanish=True)),
    _c("selu-converges-faster", "selu relu",
       "SELU networks converge faster than ReLU networks.",
       "SELU 网络比 ReLU 网络收敛得更快。",
       (S2,), "training", lambda r: speed_verdict(r["training"], "selu")),
    _c("selu-replaces-batchnorm", "selu relu",
       "SELU's self-normalization reduces the need for batch normalization in deep networks.",
       "SELU 的自归一化让深层网络不再那么依赖批量归一化。",
       (S2,), "deep-training", j_batchnorm),
    _c("selu-no-dead-units", "selu",
       "SELU does not suffer from dying units, because negative inputs keep a gradient.",
       "SELU 对负输入仍有梯度,因此不会出现神经元死亡。",
       (S2,), "dead-units", lambda r: dead_verdict(r["dead-units"], ("selu",))),
    _c("exp-units-overfit", "celu selu",
       "CELU and SELU may overfit more easily on small data sets.",
       "数据量小时,用 CELU 或 SELU 的模型更易过拟合。",
       (S0, S2), "training", j_overfit),
    _c("exp-units-cost-more", "elu celu selu",
       "The exponential in ELU, CELU and SELU makes them costlier than ReLU and lengthens "
       "training.",
       "ELU、CELU、SELU 含指数运算,计算比 ReLU 贵,训练时间随之变长。",
       (S0, S1, S2), "cost", j_exp_cost),
    _c("celu-c1", "celu",
       "CELU is continuously differentiable on the whole real line.",
       "无论 alpha 取何值,CELU 的导数在实数轴上处处连续。",
       (S0,), "smoothness", j_smooth_celu),
    _c("celu-alpha-zero-is-relu", "celu relu",
       "Alpha may be zero, and at alpha = 0 CELU is exactly ReLU.",
       "alpha 可以取 0,且 alpha = 0 时 CELU 就是 ReLU。",
       (S0,), "smoothness", j_celu_alpha0),
    _c("celu-limit-relu", "celu relu",
       "As alpha tends to 0, CELU tends to ReLU.",
       "当 alpha 趋于 0 时,CELU 趋于 ReLU。",
       (S0,), "smoothness", j_celu_limit),
    _c("celu-smooth-where-relu-is-not", "celu relu",
       "CELU is smooth at zero, where ReLU is discontinuous.",
       "CELU 在零点光滑,而 ReLU 在零点不连续。",
       (S0,), "smoothness", j_celu_vs_relu_smooth),
    _c("celu-no-vanishing", "celu",
       "CELU's exponential negative branch keeps gradients from vanishing.",
       "CELU 负半轴的指数形式使梯度不会消失。",
       (S0,), "vanishing-gradients", j_grad("celu", claim_no_vanish=True)),
    _c("celu-converges-faster", "celu relu",
       "CELU can converge faster than ReLU.",
       "CELU 的训练收敛速度可能快于 ReLU。",
       (S0,), "training", lambda r: speed_verdict(r["training"], "celu")),
    _c("celu-alpha-sensitive", "celu",
       "CELU's performance depends strongly on the choice of alpha.",
       "CELU 的效果对 alpha 的取值很敏感。",
       (S0,), "celu-alpha", j_celu_alpha_sens),
    _c("elu-c1", "elu",
       "ELU's derivative is continuous at zero.",
       "ELU 的导数在零点连续。",
       (S1,), "smoothness", j_smooth_elu),
    _c("elu-closer-to-zero-mean", "elu relu",
       "ELU's outputs have a mean closer to zero than ReLU's.",
       "ELU 输出的均值比 ReLU 更接近 0。",
       (S1,), "zero-centred", j_moment_mean("elu", claim_centred=True, base="relu")),
    _c("leaky-zero-centred", "leaky_relu relu",
       "Unlike ReLU, Leaky ReLU gives zero-mean outputs.",
       "与 ReLU 不同,Leaky ReLU 的输出均值为零。",
       (S1,), "zero-centred", j_leaky_mean),
    _c("elu-learns-faster", "elu relu",
       "Because its outputs are closer to zero mean, ELU speeds up learning.",
       "由于输出更接近零均值,ELU 能加快学习。",
       (S1,), "training", lambda r: speed_verdict(r["training"], "elu")),
    _c("elu-no-dead-units", "elu",
       "ELU solves the dying-neuron problem of ReLU.",
       "换成 ELU 后,ReLU 的“死神经元”现象就不再出现。",
       (S1, S3), "dead-units", lambda r: dead_verdict(r["dead-units"], ("elu",))),
    _c("leaky-no-dead-units", "leaky_relu prelu",
       "A small negative slope (Leaky ReLU, PReLU) prevents dead neurons.",
       "负半轴保留小斜率(Leaky ReLU、PReLU)可避免神经元死亡。",
       (S1, S3), "dead-units", lambda r: dead_verdict(r["dead-units"], ("leaky_relu", "prelu"))),
    _c("relu-dying", "relu",
       "ReLU units can die: once their input stays negative they get no gradient.",
       "ReLU 单元可能死亡:输入一直为负时便得不到梯度。",
       (S1, S4), "dead-units", j_dying),
    _c("relu-large-lr-fails", "relu",
       "With a large learning rate, ReLU networks may fail to converge.",
       "学习率取得偏大时,ReLU 网络可能训练不收敛。",
       (S4,), "dead-units", j_relu_lr),
    _c("relu-no-vanishing", "relu",
       "ReLU does not suffer from vanishing gradients, unlike sigmoid and tanh.",
       "ReLU 不像 sigmoid、tanh 那样会让梯度消失。",
       (S1, S3, S4), "vanishing-gradients", j_grad("relu", claim_no_vanish=True)),
    _c("relu-not-zero-centred", "relu",
       "ReLU's outputs are not zero-centred.",
       "ReLU 输出的均值不为零,不是零中心的。",
       (S1, S4), "zero-centred", j_moment_mean("relu", claim_centred=False)),
    _c("relu-sparse", "relu",
       "ReLU produces sparse activations: many outputs are exactly zero.",
       "ReLU 产生稀疏激活:很多输出恰好为 0。",
       (S1,), "zero-centred", j_sparse),
    _c("relu-sparsity-prevents-overfitting", "relu",
       "ReLU's sparse outputs help prevent overfitting.",
       "ReLU 输出稀疏,有助于抑制过拟合。",
       (S1,), "training", j_sparsity_overfit),
    _c("relu-range-no-explosion", "relu",
       "Keeping outputs in [0, ∞) protects ReLU networks from vanishing and exploding "
       "gradients.",
       "把输出限制在 [0, ∞) 使 ReLU 网络免于梯度消失和梯度爆炸。",
       (S1,), "vanishing-gradients", j_relu_range),
    _c("relu-fewer-parameters", "relu",
       "ReLU reduces the number of parameters of a model.",
       "使用 ReLU 可以让模型的参数变少。",
       (S4,), "training", j_relu_params),
    _c("relu-cheap", "relu",
       "ReLU is cheap to compute.",
       "ReLU 的计算开销很低。",
       (S1, S3, S4), "cost", j_relu_fast),
    _c("sigmoid-vanishing", "sigmoid",
       "Sigmoid gradients vanish in deep networks.",
       "深层网络中 sigmoid 的梯度会消失。",
       (S3, S4), "vanishing-gradients", j_grad("sigmoid", claim_no_vanish=False)),
    _c("tanh-centred-but-vanishing", "tanh",
       "Tanh is zero-centred, but its gradients still vanish for large inputs in deep "
       "networks.",
       "tanh 以 0 为中心,但在深层网络中输入较大时梯度仍会消失。",
       (S3,), "zero-centred vanishing-gradients", j_tanh),
    _c("gelu-faster-than-relu", "gelu relu",
       "GELU is computed faster than ReLU because it is approximated.",
       "GELU 采用近似计算,因此比 ReLU 更快。",
       (S3,), "cost", j_gelu_vs_relu_cost(claim_faster=True)),
    _c("gelu-costlier-than-relu", "gelu relu",
       "GELU is more expensive to compute than ReLU.",
       "GELU 的计算开销高于 ReLU。",
       (S4,), "cost", j_gelu_vs_relu_cost(claim_faster=False)),
    _c("gelu-needs-tuning", "gelu",
       "GELU has parameters that need careful tuning.",
       "GELU 有需要仔细调节的参数。",
       (S4,), "gelu-variants", j_gelu_tuning),
    _c("gelu-is-tanh-formula", "gelu",
       "GELU is 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).",
       "GELU 的公式是 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))。",
       (S4,), "approximations", j_gelu_formula),
    _c("gelu-smooth", "gelu",
       "GELU is differentiable everywhere with a continuous derivative.",
       "GELU 处处可导,且导数连续。",
       (S3, S4), "smoothness", j_gelu_smooth),
    _c("gelu-no-vanishing", "gelu",
       "GELU reduces vanishing gradients.",
       "GELU 能缓解梯度消失。",
       (S3,), "vanishing-gradients", j_gelu_vanish),
    _c("gelu-generalises-better", "gelu relu",
       "GELU improves generalisation over ReLU.",
       "GELU 比 ReLU 泛化能力更好。",
       (S3,), "training", j_generalisation("gelu")),
)
