r"""Training experiments on scikit-learn's bundled data sets, with PyTorch.

The networks use PyTorch's built-in activation modules (``torch.nn.ReLU``, ``SELU``,
``CELU``, ``GELU``, ...), not ``actfn.torch``: the built-ins are one fused kernel each,
and the audit needs hundreds of training runs on two CPU cores. Before training, every
built-in is checked against actfn's f on a grid (``builtin_max_abs_diff`` in the
results), so the functions trained are the functions actfn documents. actfn's
derivatives classify dead units after training.

Every run is seeded (``torch.manual_seed``) and uses a fixed, stratified train/test
split; the seed changes the initial weights and the order of the mini-batches.
Loss: cross-entropy :math:`-\frac1N\sum_i \log p_{i,y_i}`; optimiser: Adam.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import numpy as np

__all__ = ["SEED_ACTIVATIONS", "run_training", "run_deep", "run_dead_units", "run_celu_alpha",
           "run_gelu_variants"]

#: The activations the seed tutorials discuss.
SEED_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu", "celu",
                    "gelu")


#: Threads for torch (and numba, which actfn's NumPy kernels use): set by
#: :func:`torch_threads`, re-applied before each training run.
_THREADS: list[int] = []


def threads() -> int:
    """The thread count of the innermost :func:`torch_threads` (1 outside any)."""
    return _THREADS[-1] if _THREADS else 1


@contextlib.contextmanager
def torch_threads(n: int = 1) -> Iterator[Any]:
    """Run with ``n`` torch and numba threads and subnormal floats flushed to zero;
    restore the previous settings afterwards.

    numba's OpenMP layer resets the process-wide OpenMP thread count when actfn runs a
    parallel kernel, which silently changes ``torch.get_num_threads()``; so the count is
    also re-applied at the start of every :func:`train`. Flushing subnormals matters
    after large learning-rate steps, when ELU-type units take ``exp`` of very negative
    inputs; values below ~1e-38 in float32 do not change any result reported here.
    """
    import torch

    old = torch.get_num_threads()
    nb = None
    if importlib.util.find_spec("numba") is not None:
        import numba as nb

        old_nb = nb.get_num_threads()
        nb.set_num_threads(min(n, nb.config.NUMBA_NUM_THREADS))
    torch.set_num_threads(n)
    torch.set_flush_denormal(True)
    _THREADS.append(n)
    try:
        yield torch
    finally:
        _THREADS.pop()
        if nb is not None:
            nb.set_num_threads(old_nb)
        torch.set_num_threads(old)
        torch.set_flush_denormal(False)


def _module(name: str, **params: Any) -> Any:
    import torch.nn as nn

    if name == "gelu":
        return nn.GELU(approximate=params.get("approximate", "none"))
    if name == "gelu_sigmoid":
        return _QuickGELU()
    if name == "celu":
        return nn.CELU(alpha=params.get("alpha", 1.0))
    table = {
        "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "elu": nn.ELU,
        "selu": nn.SELU, "leaky_relu": nn.LeakyReLU, "prelu": nn.PReLU,
    }
    return table[name]()


class _QuickGELU:  # wrapped into an nn.Module lazily (torch is imported on demand)
    def __new__(cls) -> Any:  # type: ignore[misc]
        import torch
        import torch.nn as nn

        class QuickGELU(nn.Module):
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return x * torch.sigmoid(1.702 * x)

        return QuickGELU()


def builtin_max_abs_diff(name: str, **params: Any) -> float:
    """max |torch built-in(x) - actfn f(x)| on x ∈ [-8, 8] (float64)."""
    import torch

    import actfn

    x = np.linspace(-8.0, 8.0, 4001)
    ours = np.asarray(actfn.get(name, **params)(x))
    with torch.no_grad():
        theirs = _module(name, **params).double()(torch.from_numpy(x)).numpy()
    return float(np.max(np.abs(ours - theirs)))


_INIT = {"sigmoid": "glorot", "tanh": "glorot", "selu": "lecun"}  # others: He


def _init_linear(layer: Any, scheme: str) -> None:
    import torch.nn as nn

    fan_in = layer.weight.shape[1]
    if scheme == "glorot":
        nn.init.xavier_normal_(layer.weight)
    else:
        gain = 2.0 if scheme == "he" else 1.0
        nn.init.normal_(layer.weight, 0.0, math.sqrt(gain / fan_in))
    nn.init.zeros_(layer.bias)


def make_mlp(n_in: int, n_out: int, act: str, *, width: int = 128, depth: int = 2,
             batchnorm: bool = False, init: str | None = None, **params: Any) -> Any:
    """``depth`` hidden layers of ``width`` units with activation ``act``; LeCun-normal
    init for SELU, Glorot for sigmoid/tanh, He-normal otherwise (unless ``init``)."""
    import torch.nn as nn

    scheme = init or _INIT.get(act, "he")
    layers: list[Any] = []
    d = n_in
    for _ in range(depth):
        lin = nn.Linear(d, width)
        _init_linear(lin, scheme)
        layers.append(lin)
        if batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(_module(act, **params))
        d = width
    out = nn.Linear(d, n_out)
    _init_linear(out, "glorot")
    layers.append(out)
    return nn.Sequential(*layers)


@cache
def load(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardised (X_train, y_train, X_test, y_test), fixed stratified 75/25 split."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    loader = {"digits": datasets.load_digits, "breast_cancer": datasets.load_breast_cancer,
              "wine": datasets.load_wine}[dataset]
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd == 0] = 1.0
    return ((Xtr - mu) / sd).astype(np.float32), ytr, ((Xte - mu) / sd).astype(np.float32), yte


def train(dataset: str, act: str, *, seed: int, epochs: int, lr: float = 1e-3,
          batch: int = 64, width: int = 128, depth: int = 2, batchnorm: bool = False,
          init: str | None = None, target_loss: float | None = None,
          keep_model: bool = False, **params: Any) -> dict[str, Any]:
    """Train one MLP; returns per-epoch train loss, final accuracies and epochs to target."""
    import torch
    import torch.nn.functional as F

    Xtr, ytr, Xte, yte = load(dataset)
    if _THREADS and torch.get_num_threads() != _THREADS[-1]:
        torch.set_num_threads(_THREADS[-1])
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    n_out = int(ytr.max()) + 1
    model = make_mlp(Xtr.shape[1], n_out, act, width=width, depth=depth, batchnorm=batchnorm,
                     init=init, **params)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xtr, ttr = torch.from_numpy(Xtr), torch.from_numpy(ytr).long()
    xte, tte = torch.from_numpy(Xte), torch.from_numpy(yte).long()
    losses: list[float] = []
    reached: int | None = None
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        for i in range(0, len(xtr), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ttr[idx])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            full = float(F.cross_entropy(model(xtr), ttr))
        losses.append(full if math.isfinite(full) else float("inf"))
        if target_loss is not None and reached is None and full <= target_loss:
            reached = epoch
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc_tr = float((model(xtr).argmax(1) == ttr).float().mean())
        acc_te = float((model(xte).argmax(1) == tte).float().mean())
    out = {"loss": losses, "train_acc": acc_tr, "test_acc": acc_te, "seconds": seconds,
           "epochs_to_target": reached,
           "n_params": int(sum(p.numel() for p in model.parameters()))}
    if keep_model:
        out["model"] = model
    return out


# -- experiments ----------------------------------------------------------------------------
TARGETS = {"digits": 0.05, "breast_cancer": 0.05, "wine": 0.05}


def run_training(quick: bool = False,
                 progress: Callable[[], None] | None = None) -> dict[str, Any]:
    """Every seed activation on digits and breast cancer, several seeds each."""
    seeds = range(2) if quick else range(5)
    epochs = 8 if quick else 30
    data: dict[str, Any] = {"seeds": list(seeds), "epochs": epochs, "targets": TARGETS,
                            "datasets": {}, "builtin_max_abs_diff": {}}
    with torch_threads(threads()):
        for act in SEED_ACTIVATIONS:
            data["builtin_max_abs_diff"][act] = builtin_max_abs_diff(act)
        for ds in ("digits", "breast_cancer"):
            per: dict[str, Any] = {}
            for act in SEED_ACTIVATIONS:
                runs = [train(ds, act, seed=s, epochs=epochs, target_loss=TARGETS[ds])
                        for s in seeds]
                per[act] = {k: [r[k] for r in runs] for k in runs[0]}
                if progress:
                    progress()
            data["datasets"][ds] = per
    return data


def run_deep(quick: bool = False, progress: Callable[[], None] | None = None) -> dict[str, Any]:
    """Deep narrow MLPs on digits: SELU (no normalisation) vs ReLU with/without BatchNorm."""
    seeds = range(2) if quick else range(5)
    depth = 16 if quick else 24
    epochs = 6 if quick else 30
    configs = {"selu": {"act": "selu"}, "relu": {"act": "relu"},
               "relu+batchnorm": {"act": "relu", "batchnorm": True},
               "selu (He init)": {"act": "selu", "init": "he"}}
    data: dict[str, Any] = {"depth": depth, "width": 64, "epochs": epochs, "seeds": list(seeds),
                            "runs": {}}
    with torch_threads(threads()):
        for key, cfg in configs.items():
            cfg = dict(cfg)
            act = cfg.pop("act")
            runs = [train("digits", act, seed=s, epochs=epochs, width=64, depth=depth,
                          target_loss=0.05, **cfg) for s in seeds]
            data["runs"][key] = {k: [r[k] for r in runs] for k in runs[0]}
            if progress:
                progress()
    return data


DEAD_ACTS = ("relu", "leaky_relu", "prelu", "elu", "celu", "selu", "gelu")


def dead_fractions(model: Any, X: np.ndarray, act: str, tol: float = 1e-3) -> dict[str, float]:
    """Over all hidden units: the fraction whose pre-activation z is ≤ 0 for every
    sample ("never active") and whose actfn derivative satisfies |f'(z)| ≤ tol for every
    sample ("no gradient": the unit's incoming weights can no longer learn)."""
    import torch
    import torch.nn as nn

    import actfn

    never, nograd, total = 0, 0, 0
    h = torch.from_numpy(X)
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear) and layer is not model[-1]:
                z = layer(h)
                zn = z.double().numpy()
                params = {}
                if act == "prelu":
                    nxt = model[list(model).index(layer) + 1]
                    params = {"weight": float(nxt.weight.reshape(-1)[0])}
                d = np.abs(np.asarray(actfn.get(act, **params).derivative(zn)))
                never += int(np.sum(np.all(zn <= 0.0, axis=0)))
                nograd += int(np.sum(np.all(d <= tol, axis=0)))
                total += zn.shape[1]
            h = layer(h)
    return {"never_active": never / total, "no_gradient": nograd / total}


def run_dead_units(quick: bool = False,
                   progress: Callable[[], None] | None = None) -> dict[str, Any]:
    """Train on digits with a moderate and a large Adam learning rate; count dead units."""
    seeds = range(2) if quick else range(5)
    epochs = 4 if quick else 15
    width = 128 if quick else 256
    lrs = (1e-3, 3e-2)
    data: dict[str, Any] = {"seeds": list(seeds), "epochs": epochs, "lrs": list(lrs),
                            "width": width, "depth": 3, "runs": {}}
    from ._core import plain_numpy

    Xtr = load("digits")[0]
    with torch_threads(threads()):
        for act in DEAD_ACTS:
            for lr in lrs:
                rows = []
                for s in seeds:
                    r = train("digits", act, seed=s, epochs=epochs, lr=lr, width=width,
                              depth=3, keep_model=True)
                    with plain_numpy():
                        fr = dead_fractions(r.pop("model"), Xtr, act)
                    rows.append({**fr, "final_loss": r["loss"][-1], "test_acc": r["test_acc"]})
                data["runs"][f"{act}@{lr:g}"] = {k: [row[k] for row in rows] for k in rows[0]}
            if progress:
                progress()
    return data


def run_celu_alpha(quick: bool = False,
                   progress: Callable[[], None] | None = None) -> dict[str, Any]:
    """CELU with alpha from 0.1 to 4 on digits: is accuracy sensitive to alpha?"""
    seeds = range(2) if quick else range(5)
    epochs = 8 if quick else 30
    alphas = (0.1, 0.5, 1.0, 2.0, 4.0)
    data: dict[str, Any] = {"seeds": list(seeds), "epochs": epochs, "alphas": list(alphas),
                            "runs": {}}
    with torch_threads(threads()):
        for a in alphas:
            runs = [train("digits", "celu", seed=s, epochs=epochs, alpha=a,
                          target_loss=TARGETS["digits"]) for s in seeds]
            data["runs"][f"{a:g}"] = {k: [r[k] for r in runs] for k in ("test_acc", "loss")}
            if progress:
                progress()
    return data


def run_gelu_variants(quick: bool = False,
                      progress: Callable[[], None] | None = None) -> dict[str, Any]:
    """GELU exact, tanh and sigmoid approximations trained alike on digits."""
    seeds = range(2) if quick else range(5)
    epochs = 8 if quick else 30
    variants = {"exact": ("gelu", {}), "tanh": ("gelu", {"approximate": "tanh"}),
                "sigmoid": ("gelu_sigmoid", {})}
    data: dict[str, Any] = {"seeds": list(seeds), "epochs": epochs, "runs": {}}
    with torch_threads(threads()):
        for key, (act, params) in variants.items():
            runs = [train("digits", act, seed=s, epochs=epochs, **params) for s in seeds]
            data["runs"][key] = {k: [r[k] for r in runs] for k in ("test_acc", "loss")}
            if progress:
                progress()
    import actfn

    spec = actfn.lookup("gelu")
    data["gelu_params"] = {p.name: {"default": p.default, "choices": p.choices,
                                    "learnable": p.learnable} for p in spec.params}
    return data


# -- figures ------------------------------------------------------------------------------
def _ci(v: list[float]) -> tuple[float, float]:
    from ._core import estimate

    e = estimate(v)
    return e.mean, (e.half_width if np.isfinite(e.half_width) else 0.0)


def epochs_or_censored(values: list[int | None], epochs: int) -> list[float]:
    """Epochs to target, with runs that never reached it counted as ``epochs + 1``."""
    return [float(v) if v is not None else float(epochs + 1) for v in values]


def plot_training(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    dss = list(data["datasets"])
    fig, axes = new_figure(2, len(dss), width=5.5, height=3.8)
    for i, ds in enumerate(dss):
        per = data["datasets"][ds]
        names = list(per)
        acc = [_ci(per[n]["test_acc"]) for n in names]
        ep = [_ci(epochs_or_censored(per[n]["epochs_to_target"], data["epochs"])) for n in names]
        ax = axes[i][0]
        ax.errorbar(names, [a[0] for a in acc], yerr=[a[1] for a in acc], fmt="o", capsize=3)
        ax.set_title(f"{ds}: test accuracy (95% CI)", fontsize=9)
        ax.tick_params(axis="x", rotation=45)
        ax = axes[i][1]
        ax.errorbar(names, [e[0] for e in ep], yerr=[e[1] for e in ep], fmt="s", capsize=3)
        ax.set_title(f"{ds}: epochs to train loss ≤ {data['targets'][ds]} "
                     f"({data['epochs'] + 1} = never)", fontsize=9)
        ax.tick_params(axis="x", rotation=45)
    save_figure(fig, path)


def plot_deep(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(2, 1, width=5.5)
    ax = axes[0][0]
    for key, run in data["runs"].items():
        loss = np.asarray(run["loss"], dtype=float)
        ax.semilogy(np.arange(1, loss.shape[1] + 1), np.nanmedian(loss, axis=0), label=key)
    ax.set_title(f"digits, {data['depth']} hidden layers: train loss (median)")
    ax.set_xlabel("epoch")
    ax.legend(fontsize=8)
    ax = axes[0][1]
    names = list(data["runs"])
    acc = [_ci(data["runs"][n]["test_acc"]) for n in names]
    ax.errorbar(names, [a[0] for a in acc], yerr=[a[1] for a in acc], fmt="o", capsize=3)
    ax.set_title("test accuracy (95% CI)")
    ax.tick_params(axis="x", rotation=20)
    save_figure(fig, path)


def plot_dead(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(1, 1, width=8)
    ax = axes[0][0]
    acts = list(dict.fromkeys(k.split("@")[0] for k in data["runs"]))
    xs = np.arange(len(acts))
    for j, lr in enumerate(data["lrs"]):
        vals = [_ci(data["runs"][f"{a}@{lr:g}"]["no_gradient"]) for a in acts]
        ax.bar(xs + (j - 0.5) * 0.4, [v[0] for v in vals], 0.4, yerr=[v[1] for v in vals],
               capsize=3, label=f"Adam lr={lr:g}")
    ax.set_xticks(xs, acts)
    ax.set_ylabel("fraction of hidden units with |f′(z)| ≤ 1e-3 on all data")
    ax.set_title("Dead units after training on digits")
    ax.legend()
    save_figure(fig, path)


def plot_sweep(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(1, 1, width=6)
    ax = axes[0][0]
    names = list(data["runs"])
    acc = [_ci(data["runs"][n]["test_acc"]) for n in names]
    ax.errorbar(names, [a[0] for a in acc], yerr=[a[1] for a in acc], fmt="o", capsize=3)
    ax.set_ylabel("test accuracy on digits (95% CI)")
    save_figure(fig, path)
