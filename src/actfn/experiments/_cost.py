r"""Cost of f and f′ per element, relative to ReLU, on this machine.

Two implementations are timed:

* **torch** — PyTorch's built-in float32 kernels (what a network trains with): the
  forward ``f(x)`` and the backward (autograd's :math:`g \odot f'(x)`), for the seed
  activations and GELU's tanh approximation. For context, the forward + backward of a
  dense layer (batch 256, 256 → 256) is timed too, to say what share of a training step
  an activation takes.
* **actfn** — actfn's own float64 NumPy kernels for every activation in the catalog
  (``act(x)`` and ``act.derivative(x)``).

Each timing is the median of repeated runs; the noise is reported as the relative
interquartile range :math:`(q_{75} - q_{25})/q_{50}`. Per-element cost ratios
:math:`t_f / t_{\mathrm{relu}}` above 1 mean slower than ReLU.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["run", "plot", "table", "time_calls"]


def time_calls(fns: dict[str, Callable[[], Any]], repeats: int,
               inner: int = 1) -> dict[str, tuple[float, float]]:
    """{name: (median seconds per call, relative IQR)}.

    The candidates are timed in interleaved rounds (every function once per round,
    after one warm-up round), so a change of machine load hits all of them alike
    instead of biasing whichever ran during the busy spell.
    """
    ts: dict[str, list[float]] = {k: [] for k in fns}
    for r in range(repeats + 1):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            if r:
                ts[k].append((time.perf_counter() - t0) / inner)
    out = {}
    for k, v in ts.items():
        q25, q50, q75 = np.percentile(v, [25, 50, 75])
        out[k] = (float(q50), float((q75 - q25) / q50) if q50 > 0 else 0.0)
    return out


TORCH_ACTS = ("relu", "leaky_relu", "prelu", "sigmoid", "tanh", "elu", "celu", "selu", "gelu",
              "gelu_tanh")


def _torch_fn(name: str) -> Callable[[Any], Any]:
    import torch
    import torch.nn.functional as F

    w = torch.tensor([0.25])
    return {
        "relu": F.relu, "leaky_relu": F.leaky_relu, "prelu": lambda x: F.prelu(x, w),
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "elu": F.elu, "celu": F.celu,
        "selu": F.selu, "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    }[name]


def run(quick: bool = False, progress: Callable[[], None] | None = None) -> dict[str, Any]:
    import torch

    import actfn

    from ._train import threads, torch_threads

    n_torch = 1 << (16 if quick else 20)
    n_np = 1 << (14 if quick else 17)
    reps = 5 if quick else 15
    out: dict[str, Any] = {"n_torch": n_torch, "n_actfn": n_np, "repeats": reps,
                           "torch": {}, "actfn": {}}
    with torch_threads(threads()):
        out["torch_threads"] = torch.get_num_threads()
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(n_torch, generator=gen)
        g = torch.randn(n_torch, generator=gen)
        fwd_fns: dict[str, Callable[[], Any]] = {}
        both_fns: dict[str, Callable[[], Any]] = {}
        for name in TORCH_ACTS:
            fn = _torch_fn(name)
            xr = x.clone().requires_grad_(True)
            fwd_fns[name] = lambda fn=fn: fn(x)
            both_fns[name] = lambda fn=fn, xr=xr: torch.autograd.grad(fn(xr), xr, g)
        fwd = time_calls(fwd_fns, reps, inner=3)
        if progress:
            progress()
        fb = time_calls(both_fns, reps, inner=3)
        for name in TORCH_ACTS:
            out["torch"][name] = {
                "f_ns": fwd[name][0] / n_torch * 1e9, "f_noise": fwd[name][1],
                "df_ns": max(fb[name][0] - fwd[name][0], 0.0) / n_torch * 1e9,
                "fdf_ns": fb[name][0] / n_torch * 1e9, "fdf_noise": fb[name][1],
            }
        if progress:
            progress()
        # A dense layer's forward + backward at batch 256, width 256, for scale.
        lin = torch.nn.Linear(256, 256)
        xb = torch.randn(256, 256, generator=gen, requires_grad=True)

        def layer() -> None:
            y = lin(xb)
            torch.autograd.grad(y, [xb, lin.weight, lin.bias], torch.ones_like(y))

        lt = time_calls({"layer": layer}, reps, inner=5)["layer"]
        out["dense_layer"] = {"seconds": lt[0], "noise": lt[1], "elements": 256 * 256}
    rng = np.random.default_rng(0)
    xn = rng.standard_normal(n_np) * 3.0
    acts = {name: actfn.get(name) for name in actfn.names()}
    nrep = max(3, reps // 3)
    f = time_calls({n: (lambda a=a: a(xn)) for n, a in acts.items()}, nrep)
    d = time_calls({n: (lambda a=a: a.derivative(xn)) for n, a in acts.items()}, nrep)
    for name in acts:
        out["actfn"][name] = {"f_ns": f[name][0] / n_np * 1e9, "f_noise": f[name][1],
                              "df_ns": d[name][0] / n_np * 1e9, "df_noise": d[name][1]}
    if progress:
        progress()
    for key in ("torch", "actfn"):
        base = out[key]["relu"]
        for row in out[key].values():
            row["f_rel"] = row["f_ns"] / base["f_ns"]
            row["df_rel"] = row["df_ns"] / base["df_ns"] if base["df_ns"] > 0 else float("nan")
    return out


def plot(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(2, 1, width=6.5, height=4)
    t = data["torch"]
    names = list(t)
    xs = np.arange(len(names))
    ax = axes[0][0]
    ax.bar(xs - 0.2, [t[n]["f_rel"] for n in names], 0.4, label="f (forward)")
    ax.bar(xs + 0.2, [t[n]["df_rel"] for n in names], 0.4, label="f′ (backward)")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xticks(xs, names, rotation=60)
    ax.set_title("PyTorch float32: time per element / ReLU's")
    ax.legend()
    a = data["actfn"]
    names = sorted(a, key=lambda n: a[n]["f_rel"])
    ax = axes[0][1]
    ax.bar(names, [a[n]["f_rel"] for n in names])
    ax.set_yscale("log")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.tick_params(axis="x", rotation=80, labelsize=7)
    ax.set_title("actfn (NumPy float64) f: time / ReLU's")
    save_figure(fig, path)


def table(data: Any) -> list[str]:
    """Markdown rows: PyTorch and actfn times per element relative to ReLU."""
    rows = ["| activation | torch f | torch f′ | torch noise | actfn f | actfn f′ |",
            "|---|---|---|---|---|---|"]
    t, a = data["torch"], data["actfn"]
    for name in sorted(a, key=lambda n: a[n]["f_rel"]):
        tt = t.get(name)
        tcols = (f"×{tt['f_rel']:.2f} | ×{tt['df_rel']:.2f} | {tt['fdf_noise']:.0%}"
                 if tt else "– | – | –")
        rows.append(f"| {name} | {tcols} | ×{a[name]['f_rel']:.1f} | ×{a[name]['df_rel']:.1f} |")
    if "gelu_tanh" in t:
        g = t["gelu_tanh"]
        rows.append(f"| gelu (tanh approx.) | ×{g['f_rel']:.2f} | ×{g['df_rel']:.2f} | "
                    f"{g['fdf_noise']:.0%} | – | – |")
    return rows
