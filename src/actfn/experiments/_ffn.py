r"""Gated against ungated feed-forward blocks at equal parameter count (Shazeer 2020).

"GLU Variants Improve Transformer" (Shazeer 2020, arXiv 2002.05202) compares the
Transformer FFN :math:`\mathrm{FFN}(x) = W_2\,a(W_1 x)` with gated FFNs
:math:`\mathrm{FFN}(x) = W_2\,(g(W_g x) \odot W_u x)` (GEGLU: g = GELU, SwiGLU: g = SiLU)
and keeps the parameter count equal by shrinking the gated hidden width to 2/3: an
ungated block of width :math:`d_{ff}` has :math:`2\,d\,d_{ff}` weights, a gated one of
width :math:`h` has :math:`3\,d\,h`, equal exactly when :math:`h = 2 d_{ff}/3`
(:func:`hidden_width` asks :math:`d_{ff}` divisible by 3). The FFNs have no biases, as in
the paper.

The model here is a small residual MLP in that shape, batched over seeds × learning rates
as :mod:`actfn.experiments._batched` (same splits, Adam written out, paired seeds):

.. math:: h_0 = x W_{in} + b_{in},\quad h_{i} = h_{i-1} + \mathrm{FFN}_i(\mathrm{LN}(h_{i-1})),
   \quad \mathrm{logits} = h_B W_{out} + b_{out},

with a parameter-free layer norm LN (pre-norm, as T5). The activation is the registry's
unit through :mod:`actfn.torch`: an elementwise one (``relu``, ``gelu``) by
``actfn.torch.function(name)``, a gated one (``actfn.names(kind="gated")``: ``swiglu``,
``geglu``, ...) by ``actfn.torch.<name>(gate, up)``; which arms run is read from
``claims.toml``, never listed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["is_gated", "hidden_width", "n_params", "train_ffn"]


def is_gated(name: str) -> bool:
    """Whether ``name`` is a gated unit of the registry (two inputs: gate, up)."""
    import actfn

    return name in actfn.names(kind="gated")


def hidden_width(name: str, d_ff: int) -> int:
    """Hidden width of an FFN block of activation ``name`` at the parameter count of an
    ungated block of width ``d_ff``: ``d_ff`` itself, or ``2 d_ff / 3`` for a gated unit
    (``ValueError`` unless ``d_ff`` is a positive multiple of 3, so the match is exact)."""
    if d_ff < 3 or d_ff % 3:
        raise ValueError(f"d_ff={d_ff} must be a positive multiple of 3 (gated width 2*d_ff/3)")
    return 2 * d_ff // 3 if is_gated(name) else d_ff


def n_params(name: str, *, d_in: int, d_model: int, d_ff: int, blocks: int,
             n_classes: int) -> int:
    r"""Trainable parameters of one model: input layer :math:`(d_{in}+1) d`, per block
    :math:`2 d d_{ff}` (ungated) or :math:`3 d h` (gated, :math:`h = 2 d_{ff}/3`), output
    layer :math:`(d+1) k`."""
    h = hidden_width(name, d_ff)
    per_block = (3 if is_gated(name) else 2) * d_model * h
    return (d_in + 1) * d_model + blocks * per_block + (d_model + 1) * n_classes


def _activation(name: str) -> Any:
    import actfn.torch as at

    if is_gated(name):
        return getattr(at, name)
    return at.function(name)


def train_ffn(data: Sequence[Any], act: str, lrs: Sequence[float], *, epochs: int, batch: int,
              d_model: int, d_ff: int, blocks: int, seed_keys: Sequence[int]) -> dict[str, Any]:
    """Train ``len(seeds) × len(lrs)`` residual FFN models at once (see the module doc).

    ``data`` are :class:`actfn.experiments._batched.Split` objects, one per seed. Weights
    are N(0, 1/fan_in), one draw per seed shared by its learning rates; mini-batches of
    ``batch`` drop the incomplete last one. Returns nested lists ``[seed][0][lr]`` (one
    configuration, as :func:`~actfn.experiments._batched.train_batched`) of final
    train/validation/test accuracy and test loss, the validation curve, ``n_test`` and
    ``n_params`` (counted from the tensors; equals :func:`n_params`).
    """
    import torch
    import torch.nn.functional as F

    from ._batched import stack_splits

    S, L = len(data), len(lrs)
    M = S * L
    seed_of = torch.arange(M) // L
    xtr, ytr = stack_splits([d.xtr for d in data]), stack_splits([d.ytr for d in data]).long()
    xva, yva = stack_splits([d.xva for d in data]), stack_splits([d.yva for d in data]).long()
    xte, yte = stack_splits([d.xte for d in data]), stack_splits([d.yte for d in data]).long()
    n_tr, d_in = xtr.shape[1], xtr.shape[2]
    k = int(max(int(ytr.max()), int(yva.max()), int(yte.max()))) + 1
    gated = is_gated(act)
    h = hidden_width(act, d_ff)
    f = _activation(act)

    # weight shapes (fan_in, fan_out); per block: W1 (or Wg, Wu), W2
    shapes = [(d_in, d_model)]
    for _ in range(blocks):
        shapes += [(d_model, h), (d_model, h), (h, d_model)] if gated else \
            [(d_model, h), (h, d_model)]
    shapes.append((d_model, k))
    per_seed = []
    for key in seed_keys:
        gen = torch.Generator().manual_seed(int(key))
        per_seed.append([torch.randn(a, b, generator=gen) / math.sqrt(a) for a, b in shapes])
    Ws = [torch.stack([per_seed[s][i] for s in range(S)])[seed_of].clone().requires_grad_(True)
          for i in range(len(shapes))]
    b_in = torch.zeros(M, 1, d_model, requires_grad=True)
    b_out = torch.zeros(M, 1, k, requires_grad=True)
    params = [*Ws, b_in, b_out]
    per = 3 if gated else 2

    def forward(x: Any) -> Any:
        z = torch.baddbmm(b_in, x, Ws[0])
        for i in range(blocks):
            w = Ws[1 + per * i: 1 + per * (i + 1)]
            n = F.layer_norm(z, (d_model,))
            if gated:
                a = f(torch.bmm(n, w[0]), torch.bmm(n, w[1]))  # g(gate) * up
            else:
                a = f(torch.bmm(n, w[0]))
            z = z + torch.bmm(a, w[-1])
        return torch.baddbmm(b_out, z, Ws[-1])

    def xent(logits: Any, y: Any) -> Any:
        return F.cross_entropy(logits.transpose(1, 2), y, reduction="none").mean(1)

    def evaluate(x: Any, y: Any) -> tuple[Any, Any]:
        with torch.no_grad():
            logits = torch.nan_to_num(forward(x[seed_of]), nan=-1e30)
            loss = xent(logits, y[seed_of])
            return (logits.argmax(2) == y[seed_of]).float().mean(1), loss

    lr = torch.tensor(np.tile(np.asarray(lrs, dtype=np.float32), S))
    m1 = [torch.zeros_like(q) for q in params]
    m2 = [torch.zeros_like(q) for q in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    gens = [torch.Generator().manual_seed(int(key) + 7919) for key in seed_keys]
    steps = max(n_tr // batch, 1)
    step = 0
    val_curve = []
    for _ in range(epochs):
        perm = torch.stack([torch.randperm(n_tr, generator=g) for g in gens])
        for j in range(steps):
            idx = perm[:, j * batch:(j + 1) * batch]
            xb = torch.gather(xtr, 1, idx[:, :, None].expand(-1, -1, d_in))[seed_of]
            yb = torch.gather(ytr, 1, idx)[seed_of]
            loss = xent(forward(xb), yb)
            grads = torch.autograd.grad(torch.nan_to_num(loss, nan=0.0).sum(), params)
            step += 1
            with torch.no_grad():
                c1, c2 = 1 - b1**step, 1 - b2**step
                for q, g, a, v in zip(params, grads, m1, m2, strict=True):
                    g = torch.nan_to_num(g, nan=0.0, posinf=0.0, neginf=0.0)
                    a.mul_(b1).add_(g, alpha=1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    shape = (M,) + (1,) * (q.dim() - 1)
                    q.sub_(lr.reshape(shape) * (a / c1) / ((v / c2).sqrt() + eps))
        val_curve.append(evaluate(xva, yva)[0])

    def shape(t: Any) -> list[Any]:
        return t.reshape(S, 1, L).tolist()

    tr_acc, _ = evaluate(xtr, ytr)
    va_acc, _ = evaluate(xva, yva)
    te_acc, te_loss = evaluate(xte, yte)
    te_loss = torch.where(torch.isfinite(te_loss), te_loss, torch.full_like(te_loss, 1e6))
    return {
        "train_acc": shape(tr_acc), "val_acc": shape(va_acc), "test_acc": shape(te_acc),
        "test_loss": shape(te_loss), "n_test": int(xte.shape[1]), "n_train": int(n_tr),
        "val_curve": torch.stack(val_curve, 1).reshape(S, 1, L, -1).mean(0).tolist(),
        "hidden_width": h, "steps": step,
        "n_params": int(sum(q[0].numel() for q in params)),
    }
