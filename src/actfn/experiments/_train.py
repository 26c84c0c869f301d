r"""Training experiments: small MLPs on scikit-learn's bundled data sets and a synthetic
task, every activation at every learning rate of a sweep, many seeds at once.

An experiment is split into independent *parts* (data set × activation or configuration)
and each part into *seed batches*; one task trains every model of a part for a batch of
seeds in one batched model (:func:`actfn.experiments._batched.train_batched`). Results
come back as nested lists indexed ``[seed][config][lr]`` and are concatenated over seed
batches by :func:`merge`.

Fairness rules (pre-registered in ``claims.toml``):

* every arm gets the same learning-rate sweep (≥ 5 log-spaced values) and is compared at
  *its own* best learning rate, chosen by mean validation accuracy over seeds — never by
  test accuracy;
* seeds are paired: seed s fixes the split (stratified 60/20/20), the initial weights and
  the batch order for every arm;
* the BatchNorm baseline drops the incomplete last batch (``drop_last``), so no batch of 3
  samples ruins its statistics;
* PyTorch built-in activations are used for speed; ``builtin_max_abs_diff`` records their
  largest deviation from actfn's f on [-8, 8].
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["PARTS", "run_part", "merge", "best_lr", "at_best", "torch_threads",
           "builtin_max_abs_diff", "TRAIN_EXPERIMENTS"]

#: The training experiments (each is split into parts and seed batches).
TRAIN_EXPERIMENTS = ("training", "deep-training", "celu-alpha", "gelu-variants", "overfit",
                     "gated-ffn")


@contextlib.contextmanager
def torch_threads(n: int = 1) -> Iterator[Any]:
    """Run with ``n`` torch (and numba) threads; restore the previous settings after."""
    import torch

    old = torch.get_num_threads()
    nb = None
    if importlib.util.find_spec("numba") is not None:
        import numba as nb

        old_nb = nb.get_num_threads()
        nb.set_num_threads(min(n, nb.config.NUMBA_NUM_THREADS))
    torch.set_num_threads(n)
    try:
        yield torch
    finally:
        if nb is not None:
            nb.set_num_threads(old_nb)
        torch.set_num_threads(old)


def builtin_max_abs_diff(name: str, **params: Any) -> float:
    """max |torch f(x) − actfn f(x)| on x ∈ [-8, 8] (float64) for the batched trainer's
    activation ``name`` (``gelu_tanh`` is actfn's ``gelu(approximate="tanh")``)."""
    import torch

    import actfn

    from ._batched import activation_fn

    x = np.linspace(-8.0, 8.0, 4001)
    if name == "gelu_tanh":
        ours = np.asarray(actfn.get("gelu", approximate="tanh")(x))
    else:
        ours = np.asarray(actfn.get(name, **params)(x))
    p = None
    if name in ("celu", "elu"):
        p = torch.tensor(params.get("alpha", 1.0), dtype=torch.float64)
    elif name in ("leaky_relu", "prelu"):
        p = torch.tensor(params.get("negative_slope", params.get("weight", 0.01 if name ==
                                                                   "leaky_relu" else 0.25)),
                         dtype=torch.float64)
    with torch.no_grad():
        theirs = activation_fn(name, p)(torch.from_numpy(x)).numpy()
    return float(np.max(np.abs(ours - theirs)))


def _arm(part: str) -> dict[str, Any]:
    """Model settings of an arm name used in parts (``relu+batchnorm``, ``selu@he``...)."""
    out: dict[str, Any] = {}
    name = part
    if "@" in name:
        name, out["init"] = name.split("@")
    if name.endswith("+batchnorm"):
        name = name[: -len("+batchnorm")]
        out["batchnorm"] = True
    out["act"] = name
    return out


def PARTS(experiment: str, cfg: Mapping[str, Any]) -> list[str]:  # noqa: N802
    """The parts of a training experiment, from its configuration ``cfg``."""
    if experiment in ("training", "gelu-variants", "gated-ffn"):
        return [f"{ds}/{a}" for ds in cfg["datasets"] for a in cfg["arms"]]
    if experiment == "deep-training":
        return list(cfg["arms"])
    if experiment == "celu-alpha":
        return list(cfg["datasets"])
    if experiment == "overfit":
        return [f"{n}/{a}" for n in cfg["n_train"] for a in [*cfg["arms"], "leaky-sweep"]]
    raise KeyError(experiment)


def run_part(experiment: str, part: str, seeds: Sequence[int],
             cfg: Mapping[str, Any]) -> dict[str, Any]:
    """Train one part of a training experiment for ``seeds``; JSON-able result."""
    from ._batched import splits, train_batched

    with torch_threads(1):
        if experiment in ("training", "gelu-variants"):
            ds, arm = part.split("/")
            d = cfg["sizes"][ds]
            return train_batched(splits(ds, seeds), arm, cfg["lrs"], epochs=d["epochs"],
                                 batch=d["batch"], width=cfg["width"], depth=cfg["depth"],
                                 seed_keys=seeds, target_loss=d.get("target", cfg["target_loss"]))
        if experiment == "gated-ffn":
            from ._ffn import train_ffn

            ds, arm = part.split("/")
            d = cfg["sizes"][ds]
            return train_ffn(splits(ds, seeds), arm, cfg["lrs"], epochs=d["epochs"],
                             batch=d["batch"], d_model=cfg["d_model"], d_ff=cfg["d_ff"],
                             blocks=cfg["blocks"], seed_keys=seeds)
        if experiment == "deep-training":
            a = _arm(part)
            return train_batched(splits(cfg["dataset"], seeds), a["act"], cfg["lrs"],
                                 epochs=cfg["epochs"], batch=cfg["batch"], width=cfg["width"],
                                 depth=cfg["depth"], batchnorm=a.get("batchnorm", False),
                                 init=a.get("init"), seed_keys=seeds)
        if experiment == "celu-alpha":
            d = cfg["sizes"][part]
            return train_batched(splits(part, seeds), "celu", cfg["lrs"],
                                 configs=cfg["alphas"], epochs=d["epochs"], batch=d["batch"],
                                 width=cfg["width"], depth=cfg["depth"], seed_keys=seeds)
        if experiment == "overfit":
            n, arm = part.split("/")
            data = splits(cfg["dataset"], seeds, n_train=int(n))
            if arm == "leaky-sweep":
                return train_batched(data, "leaky_relu", cfg["lrs"], configs=cfg["slopes"],
                                     epochs=cfg["steps"], batch=0, full_batch=True,
                                     width=cfg["width"], depth=cfg["depth"], seed_keys=seeds)
            return train_batched(data, arm, cfg["lrs"], epochs=cfg["steps"], batch=0,
                                 full_batch=True, width=cfg["width"], depth=cfg["depth"],
                                 seed_keys=seeds)
    raise KeyError(experiment)


def merge(experiment: str, cfg: Mapping[str, Any],
          pieces: Mapping[str, list[tuple[Sequence[int], dict[str, Any]]]]) -> dict[str, Any]:
    """Concatenate the seed batches of every part: ``{"config", "seeds", "parts"}``."""
    parts: dict[str, Any] = {}
    seeds: list[int] = []
    for part, batches in pieces.items():
        batches = sorted(batches, key=lambda b: b[0][0])
        seeds = [s for b in batches for s in b[0]]
        first = batches[0][1]
        merged: dict[str, Any] = {}
        for k, v in first.items():
            if k.endswith("_curve"):  # seed means per batch: weighted mean over batches
                w = np.asarray([len(b[0]) for b in batches], dtype=float)
                arr = np.stack([np.asarray(b[1][k], dtype=float) for b in batches])
                merged[k] = np.tensordot(w / w.sum(), arr, axes=1).tolist()
            else:
                merged[k] = ([x for b in batches for x in b[1][k]] if isinstance(v, list)
                             else v)
        parts[part] = merged
    builtin = {}
    if experiment == "training":
        for a in cfg["arms"]:
            if a != "relu_centred":
                with contextlib.suppress(Exception):
                    builtin[a] = builtin_max_abs_diff(a)
    return {"config": dict(cfg), "seeds": seeds, "parts": parts,
            "builtin_max_abs_diff": builtin}


def best_lr(run: Mapping[str, Any], config: int = 0) -> int:
    """Index of the learning rate with the highest mean validation accuracy over seeds
    (ties: the smaller learning rate)."""
    val = np.asarray(run["val_acc"], dtype=float)[:, config, :]
    return int(np.argmax(np.nanmean(val, axis=0)))


def at_best(run: Mapping[str, Any], metric: str, config: int = 0) -> np.ndarray:
    """Per-seed values of ``metric`` at the arm's best learning rate."""
    i = best_lr(run, config)
    return np.asarray(run[metric], dtype=float)[:, config, i]


# -- figures ------------------------------------------------------------------------------
def plot_sweeps(data: Mapping[str, Any], path: Any) -> None:
    """Validation accuracy against learning rate for every part (the lr sweep curves)."""
    from ._core import new_figure, save_figure

    parts = data["parts"]
    groups: dict[str, list[str]] = {}
    for p in parts:
        groups.setdefault(p.split("/")[0] if "/" in p else "", []).append(p)
    fig, axes = new_figure(len(groups), 1, width=4.6, height=3.6)
    lrs = data["config"]["lrs"]
    cfg = data["config"]
    names = ("alpha", cfg["alphas"]) if "alphas" in cfg else ("slope", cfg.get("slopes", []))
    for ax, (g, members) in zip(axes[0], groups.items(), strict=True):
        for p in members:
            val = np.asarray(parts[p]["val_acc"], dtype=float)
            for c in range(val.shape[1]):
                arm = "leaky_relu" if p.endswith("leaky-sweep") else p.split("/")[-1]
                arm = "celu" if "alphas" in cfg else arm
                label = arm + (f" {names[0]}={names[1][c]:g}" if val.shape[1] > 1 else "")
                ax.semilogx(lrs, np.nanmean(val[:, c, :], axis=0), "o-", ms=3, label=label)
        where = (f"n = {g}" if "n_train" in cfg else g) if g else cfg.get("dataset", "")
        ax.set_title(f"{where}: mean validation accuracy over seeds", fontsize=9)
        ax.set_xlabel("Adam learning rate")
        ax.legend(fontsize=6)
    save_figure(fig, path)
