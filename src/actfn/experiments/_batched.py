r"""Many small MLPs trained at once: one batched model over seeds × configurations.

Model :math:`m` (a seed :math:`s_m` and a configuration :math:`c_m`: learning rate,
CELU alpha, ...) has its own weights; they are stacked, so a layer is one batched
matrix product :math:`z = h W + b` with :math:`W \in \mathbb R^{M\times d_{in}\times
d_{out}}` (``torch.baddbmm``). Models of the same seed share their initial weights, their
train/validation/test split and their mini-batch order, so comparisons between
configurations or activations are paired by seed.

Optimiser: Adam (Kingma & Ba 2015) with one learning rate per model,

.. math:: m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2)
   g_t^2,\quad \theta_t = \theta_{t-1} - \eta_m \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-
   \beta_2^t)} + \epsilon},

written out because ``torch.optim.Adam`` takes one learning rate per parameter group, not
per slice of a stacked tensor. Loss: mean cross-entropy per model, summed over models (the
models do not interact: each one's gradient is its own loss's gradient). Mini-batches
drop the incomplete last batch (``drop_last``), so BatchNorm never sees a batch of 3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Split", "splits", "train_batched", "activation_fn", "ACTIVATIONS", "INIT",
           "CENTRED_RELU_SHIFT", "LOSS_CAP"]

#: E relu(Z) for Z ~ N(0, 1) = 1/sqrt(2π): the shift of the mean-centred ReLU control.
CENTRED_RELU_SHIFT = 1.0 / math.sqrt(2.0 * math.pi)

#: Cap on one step's mini-batch loss in the loss AUC (a diverged step counts as this).
LOSS_CAP = 1e3

#: Weight initialisation per activation (He for the rectifier family).
INIT = {"sigmoid": "glorot", "tanh": "glorot", "selu": "lecun"}


def activation_fn(name: str, p: Any) -> Any:
    """Elementwise activation for a batched tensor; ``p`` is the per-model parameter
    (shape (M, 1, 1)) or None."""
    import torch
    import torch.nn.functional as F

    if p is None and name in ("celu", "leaky_relu"):
        p = 1.0 if name == "celu" else 0.01
    if isinstance(p, float):  # one value for every model: the fused built-ins
        return {"celu": lambda x: F.celu(x, alpha=p),
                "leaky_relu": lambda x: F.leaky_relu(x, negative_slope=p)}[name]
    if name == "celu":  # alpha * expm1(x / alpha) on the negative side, per model alpha
        return lambda x: torch.where(x > 0, x, p * torch.expm1(torch.clamp(x, max=0) / p))
    if name in ("leaky_relu", "prelu"):
        return lambda x: torch.where(x > 0, x, p * x)
    if name == "relu_centred":
        return lambda x: F.relu(x) - CENTRED_RELU_SHIFT
    if name == "gelu_tanh":
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "gelu_sigmoid":
        return lambda x: x * torch.sigmoid(1.702 * x)
    return {"relu": F.relu, "elu": F.elu, "selu": F.selu, "gelu": F.gelu,
            "sigmoid": torch.sigmoid, "tanh": torch.tanh}[name]


#: Activations :func:`train_batched` knows (``relu_centred``: relu(x) − 1/√(2π), the
#: zero-mean control for ELU; ``gelu_tanh``/``gelu_sigmoid``: GELU's approximations).
ACTIVATIONS = ("relu", "leaky_relu", "prelu", "elu", "celu", "selu", "gelu", "gelu_tanh",
               "gelu_sigmoid", "sigmoid", "tanh", "relu_centred")


@dataclass(frozen=True)
class Split:
    """Standardised train/validation/test arrays of one seed's split."""

    xtr: np.ndarray
    ytr: np.ndarray
    xva: np.ndarray
    yva: np.ndarray
    xte: np.ndarray
    yte: np.ndarray


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of a scikit-learn bundled data set or a synthetic task (nothing downloads).

    ``synthetic``: ``make_classification`` with 1000 samples, 20 features of which 6
    informative, 4 classes (fixed ``random_state=0``: the task is fixed, the splits vary).
    """
    from sklearn import datasets

    if name == "synthetic":
        return datasets.make_classification(n_samples=1000, n_features=20, n_informative=6,
                                            n_redundant=4, n_classes=4, random_state=0)
    loader = {"digits": datasets.load_digits, "breast_cancer": datasets.load_breast_cancer,
              "wine": datasets.load_wine, "iris": datasets.load_iris}[name]
    return loader(return_X_y=True)


def splits(dataset: str, seeds: Sequence[int], *, n_train: int | None = None) -> list[Split]:
    """One stratified 60/20/20 train/validation/test split per seed (the seed is the
    split's ``random_state``), standardised with the training part's mean and deviation.
    ``n_train`` subsamples the training part (stratified) for the overfitting regime."""
    from sklearn.model_selection import train_test_split

    X, y = load_dataset(dataset)
    out = []
    for s in seeds:
        xa, xte, ya, yte = train_test_split(X, y, test_size=0.2, random_state=s, stratify=y)
        xtr, xva, ytr, yva = train_test_split(xa, ya, test_size=0.25, random_state=s,
                                              stratify=ya)
        if n_train is not None and n_train < len(ytr):
            xtr, _, ytr, _ = train_test_split(xtr, ytr, train_size=n_train, random_state=s,
                                              stratify=ytr)
        mu, sd = xtr.mean(0), xtr.std(0)
        sd[sd == 0] = 1.0

        def z(a: np.ndarray, mu: np.ndarray = mu, sd: np.ndarray = sd) -> np.ndarray:
            return ((a - mu) / sd).astype(np.float32)

        out.append(Split(z(xtr), ytr, z(xva), yva, z(xte), yte))
    return out


def stack_splits(parts: list[np.ndarray]) -> Any:
    """Stack ragged per-seed arrays (equal sizes by construction) into one tensor."""
    import torch

    return torch.from_numpy(np.stack(parts))


def _init(gen: Any, n_seeds: int, d_in: int, d_out: int, scheme: str) -> Any:
    import torch

    if scheme == "glorot":
        var = 2.0 / (d_in + d_out)
    else:
        var = (2.0 if scheme == "he" else 1.0) / d_in
    return torch.randn(n_seeds, d_in, d_out, generator=gen) * math.sqrt(var)


def _flush_denormal_enabled() -> bool:
    """Whether the CPU currently flushes subnormals (FTZ/DAZ): probed, torch has no getter."""
    import torch

    tiny = torch.tensor([1e-40], dtype=torch.float32)
    return bool((tiny * torch.tensor([1.0], dtype=torch.float32)).item() == 0.0)


def train_batched(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Train the batched models (see :func:`_train_batched`) with subnormals flushed to
    zero for speed, restoring the caller's floating-point mode afterwards: the flag is
    process-wide, and leaving it on made every later subnormal computation in the
    process (actfn's own kernels included) flush to 0."""
    import torch

    before = _flush_denormal_enabled()
    torch.set_flush_denormal(True)
    try:
        return _train_batched(*args, **kwargs)
    finally:
        torch.set_flush_denormal(before)


def _train_batched(
    data: list[Split], act: str, lrs: Sequence[float], *, configs: Sequence[float] | None = None,
    epochs: int, batch: int, width: int = 64, depth: int = 2, batchnorm: bool = False,
    init: str | None = None, seed_keys: Sequence[int], target_loss: float | None = None,
    full_batch: bool = False, dead_tol: float = 1e-3,
) -> dict[str, Any]:
    r"""Train ``len(seeds) × len(configs) × len(lrs)`` MLPs of ``depth`` hidden layers at once.

    ``configs`` is the activation parameter per model (CELU alpha, leaky slope; PReLU's
    initial slope, 0.25 by default). Returns, per model (nested lists of shape
    (seeds, configs, lrs)): final train/validation/test accuracy and full-batch training
    loss, epochs to
    ``target_loss`` (0 = never, so the censoring is explicit), the loss AUC
    :math:`\frac1T\sum_{t=1}^T \ell_t` (mean mini-batch training loss over the :math:`T`
    optimiser steps, before each step's update: smaller = faster descent; paired by seed, as
    every model of a seed sees the same batches), the fraction of hidden units
    with ``|f'(z)| <= dead_tol`` on every training sample ("dead"), and the fraction of
    hidden outputs exactly 0 on the test set ("sparsity"); the training-loss and
    validation-accuracy curves averaged over this batch's seeds (configs, lrs, epochs); the
    number of test samples and of parameters per model.
    """
    import torch
    import torch.nn.functional as F

    S = len(data)
    if act == "prelu" and configs is None:
        configs = [0.25]
    if act in ("leaky_relu",) and configs is None:
        configs = [0.01]
    C = len(configs) if configs is not None else 1
    L = len(lrs)
    M = S * C * L
    seed_of = torch.arange(M) // (C * L)
    xtr, ytr = stack_splits([d.xtr for d in data]), stack_splits([d.ytr for d in data]).long()
    xva, yva = stack_splits([d.xva for d in data]), stack_splits([d.yva for d in data]).long()
    xte, yte = stack_splits([d.xte for d in data]), stack_splits([d.yte for d in data]).long()
    n_tr, d_in = xtr.shape[1], xtr.shape[2]
    k = int(max(int(ytr.max()), int(yva.max()), int(yte.max()))) + 1
    scheme = init or INIT.get(act, "he")
    # Initial weights: one draw per seed (its generator seeded by the seed's key), shared
    # by every configuration and learning rate of that seed.
    Ws, bs = [], []
    per_seed: list[list[Any]] = []
    for key in seed_keys:
        gen = torch.Generator().manual_seed(int(key))
        layers, dims = [], [d_in] + [width] * depth + [k]
        for i in range(depth + 1):
            sch = scheme if i < depth else "glorot"
            layers.append(_init(gen, 1, dims[i], dims[i + 1], sch)[0])
        per_seed.append(layers)
    for i in range(depth + 1):
        Ws.append(torch.stack([per_seed[s][i] for s in range(S)])[seed_of].clone()
                  .requires_grad_(True))
        bs.append(torch.zeros(M, 1, Ws[-1].shape[2], requires_grad=True))
    params: list[Any] = [*Ws, *bs]
    p = None
    if configs is not None:
        cvals = torch.tensor(configs, dtype=torch.float32)
        p = cvals[(torch.arange(M) // L) % C].reshape(M, 1, 1).clone()
        if act == "prelu":  # one learnable slope per layer and model, as nn.PReLU()
            p = [p.clone().requires_grad_(True) for _ in range(depth)]
            params += p
    gammas, betas, run_mean, run_var = [], [], [], []
    if batchnorm:
        for _ in range(depth):
            gammas.append(torch.ones(M, 1, width, requires_grad=True))
            betas.append(torch.zeros(M, 1, width, requires_grad=True))
            run_mean.append(torch.zeros(M, 1, width))
            run_var.append(torch.ones(M, 1, width))
        params += gammas + betas
    shared = (float(configs[0]) if configs is not None and len(set(configs)) == 1
              and act in ("celu", "leaky_relu") else None)
    fs = [activation_fn(act, shared if shared is not None else p[i] if isinstance(p, list) else p)
          for i in range(depth)]
    lr = torch.tensor(np.tile(np.asarray(lrs, dtype=np.float32), S * C))
    m1 = [torch.zeros_like(q) for q in params]
    m2 = [torch.zeros_like(q) for q in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    step = 0

    def forward(x: Any, train: bool, keep: bool = False) -> Any:
        h, zs = x, []
        for i in range(depth):
            z = torch.baddbmm(bs[i], h, Ws[i])
            if batchnorm:
                if train:
                    mu = z.mean(1, keepdim=True)
                    var = z.var(1, unbiased=False, keepdim=True)
                    with torch.no_grad():
                        n = z.shape[1]
                        run_mean[i].mul_(0.9).add_(0.1 * mu)
                        run_var[i].mul_(0.9).add_(0.1 * var * n / max(n - 1, 1))
                else:
                    mu, var = run_mean[i], run_var[i]
                z = (z - mu) / torch.sqrt(var + 1e-5) * gammas[i] + betas[i]
            if keep:
                zs.append(z)
            h = fs[i](z)
        out = torch.baddbmm(bs[depth], h, Ws[depth])
        return (out, zs) if keep else out

    def xent(logits: Any, y: Any) -> Any:  # mean cross-entropy per model, shape (M,)
        return F.cross_entropy(logits.transpose(1, 2), y, reduction="none").mean(1)

    def acc(x: Any, y: Any) -> Any:
        with torch.no_grad():
            logits = torch.nan_to_num(forward(x[seed_of], False), nan=-1e30)
            return (logits.argmax(2) == y[seed_of]).float().mean(1)

    losses, val_curve = [], []
    reached = torch.zeros(M, dtype=torch.long)
    # area under the per-step mini-batch training loss (a diverged step counts as LOSS_CAP)
    auc = torch.zeros(M, dtype=torch.float64)
    gens = [torch.Generator().manual_seed(int(key) + 7919) for key in seed_keys]
    bsz = n_tr if full_batch else batch
    steps = max(n_tr // bsz, 1)
    for epoch in range(1, epochs + 1):
        perm = torch.stack([torch.randperm(n_tr, generator=g) for g in gens])  # (S, n_tr)
        for j in range(steps):
            idx = perm[:, j * bsz:(j + 1) * bsz]
            xb = torch.gather(xtr, 1, idx[:, :, None].expand(-1, -1, d_in))[seed_of]
            yb = torch.gather(ytr, 1, idx)[seed_of]
            loss = xent(forward(xb, True), yb)
            grads = torch.autograd.grad(torch.nan_to_num(loss, nan=0.0).sum(), params)
            step += 1
            auc += torch.nan_to_num(loss.detach(), nan=LOSS_CAP, posinf=LOSS_CAP).clamp(
                max=LOSS_CAP).double()
            with torch.no_grad():
                c1, c2 = 1 - b1**step, 1 - b2**step
                for q, g, a, v in zip(params, grads, m1, m2, strict=True):
                    a.mul_(b1).add_(g, alpha=1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    shape = (M,) + (1,) * (q.dim() - 1)
                    q.sub_(lr.reshape(shape) * (a / c1) / ((v / c2).sqrt() + eps))
        with torch.no_grad():
            full = xent(forward(xtr[seed_of], False), ytr[seed_of])
            full = torch.where(torch.isfinite(full), full, torch.full_like(full, float("inf")))
        losses.append(full)
        val_curve.append(acc(xva, yva))
        if target_loss is not None:
            hit = (full <= target_loss) & (reached == 0)
            reached[hit] = epoch
    # dead units (|f'(z)| <= tol on every training sample) and exact-zero sparsity
    z_tr = forward(xtr[seed_of], False, keep=True)[1]
    dead = torch.zeros(M)
    for i, z in enumerate(z_tr):
        z = z.detach().requires_grad_(True)
        (d,) = torch.autograd.grad(fs[i](z).sum(), z)
        dead += (d.abs() <= dead_tol).all(1).float().sum(-1)
    dead /= depth * width
    with torch.no_grad():
        z_te = forward(xte[seed_of], False, keep=True)[1]
        sparsity = torch.stack([(fs[i](z) == 0).float().mean((1, 2))
                                for i, z in enumerate(z_te)]).mean(0)

    def shape(t: Any) -> list[Any]:
        return t.reshape(S, C, L, *t.shape[1:]).tolist()

    def curve(ts: list[Any]) -> list[Any]:  # mean over this batch's seeds: (C, L, epochs)
        return torch.stack(ts, 1).reshape(S, C, L, -1).mean(0).tolist()

    return {
        "train_acc": shape(acc(xtr, ytr)), "val_acc": shape(acc(xva, yva)),
        "test_acc": shape(acc(xte, yte)), "n_test": int(xte.shape[1]),
        "n_train": int(n_tr), "final_loss": shape(losses[-1]),
        "loss_curve": curve([torch.clamp(x, max=1e6) for x in losses]),
        "val_curve": curve(val_curve), "epochs_to_target": shape(reached),
        "loss_auc": shape((auc / max(step, 1)).float()), "steps": int(step),
        "dead": shape(dead), "sparsity": shape(sparsity),
        "n_params": int(sum(q[0].numel() for q in params)),
    }
