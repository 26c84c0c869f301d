r"""Signal and gradient propagation through deep random dense networks (NumPy + actfn).

A network of :math:`L` layers maps :math:`h_0 = x \sim \mathcal N(0, I)` by
:math:`z_l = h_{l-1} W_l`, :math:`h_l = f(z_l)` with square weights
:math:`W_l \sim \mathcal N(0, \sigma_w^2/n)`: LeCun-normal (:math:`\sigma_w^2 = 1`) or
He-normal (:math:`\sigma_w^2 = 2`). Backpropagation uses actfn's derivative:
:math:`\delta_L = r \odot f'(z_L)`, :math:`\delta_{l-1} = (\delta_l W_l^\top) \odot
f'(z_{l-1})`, :math:`\partial \mathcal L/\partial W_l = h_{l-1}^\top \delta_l / B`
for the linear read-out :math:`\mathcal L = \frac1B\sum_b r_b \cdot h_{L,b}` with a fixed
random :math:`r`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "forward_moments", "first_layer_gradient", "run_depth", "run_gradients", "per_layer_factor",
    "CONVENTIONAL_INIT",
]

INITS = {"lecun": 1.0, "he": 2.0}
#: The initialisation each activation is normally paired with (He for the rectifier
#: family, LeCun/Glorot for the saturating ones and SELU).
CONVENTIONAL_INIT = {
    "sigmoid": "lecun", "tanh": "lecun", "selu": "lecun",
    "relu": "he", "leaky_relu": "he", "elu": "he", "celu": "he", "gelu": "he",
}


def _act(name: str) -> Any:
    import actfn

    return actfn.get(name)


def forward_moments(
    name: str, init: str, *, depth: int, width: int, batch: int, seed: int,
    input_mean: float = 0.0, input_var: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and variance of :math:`h_l` (over units and samples) for l = 1..depth, from
    inputs :math:`h_0 \sim \mathcal N(\mu_0, \sigma_0^2)` (``input_mean``,
    ``input_var``)."""
    rng = np.random.default_rng(seed)
    act = _act(name)
    h = input_mean + np.sqrt(input_var) * rng.standard_normal((batch, width))
    sd = np.sqrt(INITS[init] / width)
    means, variances = np.empty(depth), np.empty(depth)
    with np.errstate(all="ignore"):
        for layer in range(depth):
            w = rng.standard_normal((width, width)) * sd
            h = act(h @ w)
            means[layer] = h.mean()
            variances[layer] = h.var()
    return means, variances


def first_layer_gradient(
    name: str, init: str, *, depths: list[int], width: int, batch: int, seed: int
) -> list[tuple[float, float]]:
    r"""``(g1, g1/gL)`` for each depth L in ``depths``: :math:`g_l = \|\partial\mathcal
    L/\partial W_l\|_F` with the read-out placed after layer L of one random network.

    :math:`g_1` far below its shallow-network value means vanishing gradients at the
    first layer; the ratio :math:`g_1/g_L` says how much slower the first layer learns
    than the last (it is blind to a common scale, e.g. ReLU's under LeCun init).
    """
    rng = np.random.default_rng(seed)
    act = _act(name)
    sd = np.sqrt(INITS[init] / width)
    h = rng.standard_normal((batch, width))
    hs, ds, ws = [h], [], []
    r = rng.standard_normal((1, width))
    with np.errstate(all="ignore"):
        for _ in range(max(depths)):
            w = rng.standard_normal((width, width)) * sd
            h, d = act.value_and_derivative(h @ w)
            ws.append(w)
            ds.append(d)
            hs.append(h)
        out = []
        for depth in depths:
            delta = r * ds[depth - 1]
            last = np.linalg.norm(hs[depth - 1].T @ delta) / batch
            for layer in range(depth - 1, 0, -1):
                delta = (delta @ ws[layer].T) * ds[layer - 1]
            first = np.linalg.norm(hs[0].T @ delta) / batch
            out.append((float(first), float(first / last) if last > 0 else float("nan")))
    return out


DEPTH_ACTS = ("selu", "relu", "tanh", "elu", "gelu")
#: Input (mean, variance) pairs from which SELU's self-normalization is tested.
SELU_STARTS = ((0.0, 1.0), (1.0, 0.25), (-1.0, 4.0), (2.0, 9.0), (0.0, 0.05))
GRAD_ACTS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "celu", "selu", "gelu")


def _seeds(seeds: Sequence[int] | None, quick: bool) -> list[int]:
    """The run's seeds (``--seeds``/``--seed-start``); 0..4 (0..2 quick) when called alone."""
    if seeds is None or len(seeds) == 0:
        return list(range(3) if quick else range(5))
    return [int(s) for s in seeds]


def run_depth(quick: bool = False, progress: Callable[[], None] | None = None,
              seeds: Sequence[int] | None = None) -> dict[str, Any]:
    """Per-layer mean/variance through 100 layers, for LeCun and He init, one random
    network per seed of the run (network seed 1000 + s)."""
    seeds = _seeds(seeds, quick)
    width, batch = (96, 96) if quick else (200, 200)
    depth = 100
    out: dict[str, Any] = {"depth": depth, "width": width, "batch": batch,
                           "seeds": list(seeds), "runs": {}}
    for name in DEPTH_ACTS:
        for init in INITS:
            ms, vs = [], []
            for s in seeds:
                m, v = forward_moments(name, init, depth=depth, width=width, batch=batch,
                                       seed=1000 + s)
                ms.append(m.tolist())
                vs.append(v.tolist())
            out["runs"][f"{name}/{init}"] = {"mean": ms, "var": vs}
            if progress:
                progress()
    # SELU from other starting moments (LeCun-normal weights): does it still converge?
    out["starts"] = {}
    for m0, v0 in SELU_STARTS:
        ms, vs = [], []
        for s in seeds:
            m, v = forward_moments("selu", "lecun", depth=depth, width=width, batch=batch,
                                   seed=1000 + s, input_mean=m0, input_var=v0)
            ms.append(m.tolist())
            vs.append(v.tolist())
        out["starts"][f"({m0:g}, {v0:g})"] = {"mean": ms, "var": vs}
    return out


def run_gradients(quick: bool = False, progress: Callable[[], None] | None = None,
                  seeds: Sequence[int] | None = None) -> dict[str, Any]:
    """First-layer gradient norm and first/last ratio against depth for both inits, one
    random network per seed of the run (network seed 2000 + s): ``norm[key][depth][seed]``."""
    seeds = _seeds(seeds, quick)
    width, batch = (64, 64) if quick else (128, 128)
    depths = [2, 4, 8, 16, 32] if quick else [2, 4, 8, 16, 32, 64]
    out: dict[str, Any] = {"depths": depths, "width": width, "batch": batch,
                           "seeds": list(seeds), "conventional_init": CONVENTIONAL_INIT,
                           "norm": {}, "ratio": {}}
    for name in GRAD_ACTS:
        for init in INITS:
            per_seed = [first_layer_gradient(name, init, depths=depths, width=width,
                                             batch=batch, seed=2000 + s) for s in seeds]
            res = [[per_seed[j][i] for j in range(len(per_seed))] for i in range(len(depths))]
            out["norm"][f"{name}/{init}"] = [[r[0] for r in row] for row in res]
            out["ratio"][f"{name}/{init}"] = [[r[1] for r in row] for row in res]
            if progress:
                progress()
    return out


def per_layer_factor(depths: list[int], ratios: list[list[float]]) -> float:
    r"""Geometric per-layer gain :math:`10^{b}` from the least-squares fit
    :math:`\log_{10} \text{ratio} \approx a + b\,L` over depths and seeds."""
    xs, ys = [], []
    for d, row in zip(depths, ratios, strict=True):
        for r in row:
            if r > 0 and np.isfinite(r):
                xs.append(d)
                ys.append(np.log10(r))
    if len(set(xs)) < 2:
        return float("nan")
    b = np.polyfit(np.asarray(xs, float), np.asarray(ys), 1)[0]
    return float(10.0**b)


def plot_depth(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(2, 1, width=5.5)
    layers = np.arange(1, data["depth"] + 1)
    for key, run in data["runs"].items():
        name, init = key.split("/")
        ls = "-" if init == "lecun" else "--"
        axes[0][0].plot(layers, np.mean(run["mean"], axis=0), ls, label=key)
        axes[0][1].semilogy(layers, np.maximum(np.mean(run["var"], axis=0), 1e-300), ls,
                            label=key)
    axes[0][0].set_title("mean of layer outputs")
    axes[0][1].set_title("variance of layer outputs (log)")
    for ax in axes[0]:
        ax.set_xlabel("layer")
    axes[0][1].axhline(1.0, color="k", lw=0.8)
    axes[0][1].legend(fontsize=6, ncol=2)
    save_figure(fig, path)


def plot_gradients(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(2, 1, width=5.5)
    for i, init in enumerate(INITS):
        ax = axes[0][i]
        for name in GRAD_ACTS:
            r = np.asarray(data["norm"][f"{name}/{init}"], dtype=float)
            gm = np.exp(np.nanmean(np.log(np.maximum(r, 1e-300)), axis=1))
            ax.semilogy(data["depths"], gm, "o-", ms=3, label=name)
        ax.set_title(f"{init} init: first-layer gradient norm |dL/dW1|")
        ax.set_xlabel("depth L")
        ax.axhline(1.0, color="k", lw=0.8)
    axes[0][1].legend(fontsize=7)
    save_figure(fig, path)
