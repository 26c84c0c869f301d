r"""Smoothness, limits and approximations, from actfn's f, f′ and f″.

Smoothness at 0: the one-sided limits of a derivative are read at :math:`\pm\varepsilon`
(:math:`\varepsilon = 10^{-9}`), and the jump :math:`|f'(0^+) - f'(0^-)|` is reported.
For ELU, :math:`f'(0^-) = \alpha` and :math:`f'(0^+) = 1`, so ELU is :math:`C^1` only at
:math:`\alpha = 1`; for CELU, :math:`f'(0^\pm) = 1` for every :math:`\alpha` while
:math:`f''` jumps from :math:`1/\alpha` to 0.

CELU → ReLU: for :math:`x \le 0`, :math:`|\operatorname{celu}_\alpha(x) - \operatorname{relu}(x)|
= \alpha(1 - e^{x/\alpha})`, increasing to :math:`\alpha` as :math:`x \to -\infty`, so
:math:`\sup_x |\operatorname{celu}_\alpha - \operatorname{relu}| = \alpha`: uniform
convergence with rate :math:`O(\alpha)`. The derivatives converge only pointwise:
:math:`\sup_x |\operatorname{celu}_\alpha' - \operatorname{relu}'| = 1` for every
:math:`\alpha` (just left of 0).

GELU approximations: :math:`\sup_x |\tilde f(x) - x\Phi(x)|` for
:math:`\tilde f = \tfrac x2(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3)))` and
:math:`\tilde f = x\,\sigma(1.702x)`, located on a grid over [-12, 12] (both errors decay
exponentially outside) and refined with a bounded scalar maximiser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["run_smoothness", "run_approximations", "plot_smoothness", "plot_approximations"]

EPS = 1e-9


def _jumps(name: str, **params: Any) -> dict[str, float]:
    import actfn

    act = actfn.get(name, **params)
    x = np.array([-EPS, EPS])
    f, d1, d2 = act(x), act.derivative(x), act.second_derivative(x)
    return {"f": float(abs(f[1] - f[0])), "df": float(abs(d1[1] - d1[0])),
            "d2f": float(abs(d2[1] - d2[0]))}


def run_smoothness(quick: bool = False,
                   progress: Callable[[], None] | None = None) -> dict[str, Any]:
    from ._core import plain_numpy

    with plain_numpy():
        return _run_smoothness(progress)


def _run_smoothness(progress: Callable[[], None] | None) -> dict[str, Any]:
    import actfn

    alphas = [0.1, 0.25, 0.5, 1.0, 2.0, 4.0]
    out: dict[str, Any] = {"alphas": alphas, "eps": EPS}
    out["elu"] = [_jumps("elu", alpha=a) for a in alphas]
    out["celu"] = [_jumps("celu", alpha=a) for a in alphas]
    out["relu"] = _jumps("relu")
    # GELU: no kinks; the largest |f''| bounds how fast f' can change.
    xg = np.linspace(-12, 12, 24_001)
    gelu = actfn.get("gelu")
    d2 = np.asarray(gelu.second_derivative(xg))
    d1 = np.asarray(gelu.derivative(xg))
    out["gelu"] = {"kinks": list(gelu.kinks()), "max_abs_d2f": float(np.max(np.abs(d2))),
                   "max_step_df": float(np.max(np.abs(np.diff(d1)))),
                   "grid_step": float(xg[1] - xg[0]), "jumps": _jumps("gelu")}
    if progress:
        progress()
    # Uniform convergence of CELU to ReLU.
    a_grid = np.logspace(-4, 0, 9)
    x = np.concatenate([-np.logspace(-8, 8, 1601)[::-1], [0.0], np.logspace(-8, 2, 201)])
    relu = actfn.get("relu")
    sup_f, sup_df, sup_df_off = [], [], []
    off0 = np.abs(x) >= 1e-2
    for a in a_grid:
        c = actfn.get("celu", alpha=float(a))
        sup_f.append(float(np.max(np.abs(np.asarray(c(x)) - np.asarray(relu(x))))))
        ddf = np.abs(np.asarray(c.derivative(x)) - np.asarray(relu.derivative(x)))
        sup_df.append(float(np.max(ddf)))
        sup_df_off.append(float(np.max(ddf[off0])))
    slope = float(np.polyfit(np.log(a_grid), np.log(sup_f), 1)[0])
    out["limit"] = {"alpha": a_grid.tolist(), "sup_abs_diff": sup_f, "sup_abs_diff_df": sup_df,
                    "sup_abs_diff_df_off0": sup_df_off,
                    "loglog_slope": slope,
                    "max_rel_dev_from_alpha": float(np.max(np.abs(np.array(sup_f) / a_grid - 1)))}
    # alpha = 0: actfn and torch.
    try:
        actfn.get("celu", alpha=0.0)
        out["actfn_alpha0"] = "accepted"
    except ValueError as exc:
        out["actfn_alpha0"] = f"ValueError: {exc}"
    try:
        import torch

        torch.nn.functional.celu(torch.tensor([-1.0, 1.0]), alpha=0.0)
        out["torch_alpha0"] = "accepted"
    except Exception as exc:  # noqa: BLE001  (torch raises RuntimeError here)
        out["torch_alpha0"] = f"{type(exc).__name__}: {exc}"
    # The naive formula alpha·(exp(x/alpha) - 1) at alpha = 0 in IEEE arithmetic.
    with np.errstate(all="ignore"):
        xs = np.array([-1.0, 0.0])
        naive = 0.0 * (np.exp(xs / 0.0) - 1.0)
    out["naive_alpha0"] = {"x": xs.tolist(), "value": [repr(float(v)) for v in naive]}
    if progress:
        progress()
    return out


def _sup_error(approx: Any, exact: Any, deriv: bool = False) -> dict[str, float]:
    from scipy import optimize

    def err(x: Any) -> Any:
        if deriv:
            return np.abs(np.asarray(approx.derivative(x)) - np.asarray(exact.derivative(x)))
        return np.abs(np.asarray(approx(x)) - np.asarray(exact(x)))

    xg = np.linspace(-12.0, 12.0, 48_001)
    e = err(xg)
    i = int(np.argmax(e))
    lo, hi = xg[max(i - 1, 0)], xg[min(i + 1, xg.size - 1)]
    res = optimize.minimize_scalar(lambda t: -float(err(np.array([t]))[0]), bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-12})
    x_star = float(res.x) if -res.fun >= e[i] else float(xg[i])
    return {"max_abs_error": float(max(-res.fun, e[i])), "at": x_star,
            "tail_error_at_12": float(max(e[0], e[-1]))}


def run_approximations(quick: bool = False,
                       progress: Callable[[], None] | None = None) -> dict[str, Any]:
    import actfn

    exact = actfn.get("gelu")
    out: dict[str, Any] = {}
    for key, approx in (("tanh", actfn.get("gelu", approximate="tanh")),
                        ("sigmoid", actfn.get("gelu_sigmoid"))):
        out[key] = {"f": _sup_error(approx, exact), "df": _sup_error(approx, exact, True)}
        if progress:
            progress()
    out["float32_eps"] = float(np.finfo(np.float32).eps)
    out["bfloat16_eps"] = 2.0**-7
    return out


def plot_smoothness(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(2, 1, width=5.2)
    ax = axes[0][0]
    al = data["alphas"]
    ax.plot(al, [j["df"] for j in data["elu"]], "o-", label="ELU: jump of f′ at 0")
    ax.plot(al, [j["df"] for j in data["celu"]], "s-", label="CELU: jump of f′ at 0")
    ax.plot(al, [j["d2f"] for j in data["celu"]], "^--", label="CELU: jump of f″ at 0")
    ax.set_xscale("log")
    ax.set_xlabel("alpha")
    ax.set_title("Derivative jumps at x = 0")
    ax.legend(fontsize=8)
    ax = axes[0][1]
    lim = data["limit"]
    ax.loglog(lim["alpha"], lim["sup_abs_diff"], "o-", label="sup |celu - relu|")
    ax.loglog(lim["alpha"], lim["sup_abs_diff_df"], "s--", label="sup |celu′ - relu′|")
    ax.loglog(lim["alpha"], lim["alpha"], "k:", label="alpha")
    ax.set_xlabel("alpha")
    ax.set_title("CELU → ReLU as alpha → 0⁺")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def plot_approximations(data: Any, path: Any) -> None:
    import actfn

    from ._core import new_figure, save_figure

    x = np.linspace(-6, 6, 2001)
    ex = np.asarray(actfn.get("gelu")(x))
    fig, axes = new_figure(1, 1, width=6)
    ax = axes[0][0]
    ax.plot(x, np.asarray(actfn.get("gelu", approximate="tanh")(x)) - ex,
            label=f"tanh form (max {data['tanh']['f']['max_abs_error']:.2g})")
    ax.plot(x, np.asarray(actfn.get("gelu_sigmoid")(x)) - ex,
            label=f"x·σ(1.702x) (max {data['sigmoid']['f']['max_abs_error']:.2g})")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_title("approximation − exact GELU x·Φ(x)")
    ax.legend()
    save_figure(fig, path)
