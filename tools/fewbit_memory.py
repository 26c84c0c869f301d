"""Measure the few-bit backward (``saved_bits=``): saved bytes, peak memory, training.

Three measurements, printed as Markdown tables (docs/fewbit.md holds a run's output):

1. bytes the autograd graph keeps per element of the activation's input, per mode
   (``torch.autograd.graph.saved_tensors_hooks`` adds up every tensor saved for backward);
2. peak CPU memory of one forward + backward of a small MLP per mode (the running sum of
   the allocation and free events that ``torch.profiler`` records with
   ``profile_memory=True``, above what was allocated before the step);
3. test accuracy of an MLP trained with the exact backward and with the 3-bit backward of
   GELU and SiLU on the claims suite's ``digits`` data (``actfn.experiments._batched.splits``:
   one stratified split per seed), 5 seeds paired (same split, initialisation and batch
   order per seed): mean difference (3-bit − exact) with its 95 % t-interval
   (``actfn.experiments._stats.paired``).

    nice -n 10 python tools/fewbit_memory.py            # all three (~2 min CPU)
    python tools/fewbit_memory.py --skip-training       # 1 and 2 only
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import actfn.torch as at
from actfn.experiments._batched import splits
from actfn.experiments._stats import paired

__all__ = ["saved_bytes", "peak_bytes", "train", "main"]

MODES: tuple[int | None, ...] = (None, 8, 4, 3, 2, 1)


def saved_bytes(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> int:
    """Bytes of the tensors that autograd saves for the backward of ``fn(x)``."""
    total = 0

    def keep(t: torch.Tensor) -> torch.Tensor:
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
        y = fn(x)
    y.sum().backward()
    return total


def _mlp(layer: Callable[[], torch.nn.Module], width: int, depth: int, d_in: int,
         d_out: int) -> torch.nn.Sequential:
    mods: list[torch.nn.Module] = []
    d = d_in
    for _ in range(depth):
        mods += [torch.nn.Linear(d, width), layer()]
        d = width
    mods.append(torch.nn.Linear(d, d_out))
    return torch.nn.Sequential(*mods)


def peak_bytes(model: torch.nn.Module, x: torch.Tensor) -> tuple[int, int]:
    """Peak bytes allocated during ``model(x).sum().backward()`` above the start, as
    (torch's CPU allocator, NumPy): the first is the running sum of the ``[memory]`` events
    (allocations positive, frees negative) that ``torch.profiler`` records with
    ``profile_memory=True``; the second is :mod:`tracemalloc`'s peak, which sees the NumPy
    buffers that actfn's compiled loops write (and wrap as tensors, unseen by the
    profiler). Their sum bounds the step's peak from above."""
    import tracemalloc

    from torch.profiler import ProfilerActivity, profile

    model.zero_grad(set_to_none=True)
    tracemalloc.start()
    try:
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            model(x).sum().backward()
        numpy_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    events = sorted((e for e in prof.profiler.kineto_results.events()
                     if e.name() == "[memory]"), key=lambda e: e.start_ns())
    run = peak = 0
    for e in events:
        run += e.nbytes()
        peak = max(peak, run)
    return peak, numpy_peak


def train(act: str, bits: int | None, seed: int, split: Any, epochs: int) -> float:
    """Test accuracy of a 2-hidden-layer MLP (128 units, ``act`` with ``saved_bits=bits``)
    trained with Adam (lr 1e-3, batch 64) for ``epochs`` on ``split``."""
    torch.manual_seed(seed)
    layer = at.native_class(act) or at.module_class(act)
    model = _mlp(lambda: layer(saved_bits=bits), 128, 2, split.xtr.shape[1],
                 int(split.ytr.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xtr, ytr = torch.from_numpy(split.xtr), torch.from_numpy(split.ytr).long()
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(ytr), generator=gen)
        for i in range(0, len(ytr), 64):
            idx = order[i:i + 64]
            loss = torch.nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    with torch.no_grad():
        pred = model(torch.from_numpy(split.xte)).argmax(1).numpy()
    return float(np.mean(pred == split.yte))


def _label(bits: int | None) -> str:
    return "exact" if bits is None else f"{bits}-bit"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-training", action="store_true")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    start = time.process_time()

    n = 1 << 20
    print(f"## Bytes saved for backward per element (float32 input, n = {n})\n")
    acts = ("ReLU", "GELU", "SiLU")
    print("| mode | " + " | ".join(acts) + " |")
    print("|---|" + "---|" * len(acts))
    for bits in MODES:
        row = []
        for a in acts:
            x = torch.randn(n, requires_grad=True)
            try:
                b = saved_bytes(getattr(at, a)(saved_bits=bits), x)
                row.append(f"{b / n:.4g}")
            except ValueError as err:
                row.append(f"({err})")
        print(f"| {_label(bits)} | " + " | ".join(row) + " |")
    x = torch.randn(n, requires_grad=True)
    print("| torch.nn (reference) | " + " | ".join(
        f"{saved_bytes(getattr(torch.nn, a)(), x) / n:.4g}" for a in acts) + " |")

    batch, width, depth = 512, 1024, 4
    print(f"\n## Peak memory of one forward + backward: MLP {depth}×{width}, batch {batch}, "
          "float32, CPU, MiB above the start: torch allocator + NumPy buffers (= upper "
          "bound)\n")
    print("| mode | GELU | SiLU | ReLU |")
    print("|---|---|---|---|")
    x = torch.randn(batch, width)
    for bits in MODES:
        row = []
        for a in ("GELU", "SiLU", "ReLU"):
            torch.manual_seed(0)
            model = _mlp(lambda a=a, b=bits: getattr(at, a)(saved_bits=b), width, depth, width,
                         width)
            peak_bytes(model, x)  # warm-up (compiled loops, tables)
            t, n = peak_bytes(model, x)
            row.append(f"{t / 2**20:.1f} + {n / 2**20:.1f} = {(t + n) / 2**20:.1f}")
        print(f"| {_label(bits)} | " + " | ".join(row) + " |")
    row = []
    for a in ("GELU", "SiLU", "ReLU"):
        torch.manual_seed(0)
        model = _mlp(getattr(torch.nn, a), width, depth, width, width)
        peak_bytes(model, x)
        t, n_ = peak_bytes(model, x)
        row.append(f"{t / 2**20:.1f} + {n_ / 2**20:.1f} = {(t + n_) / 2**20:.1f}")
    print("| torch.nn (reference) | " + " | ".join(row) + " |")

    if not args.skip_training:
        seeds = list(range(args.seeds))
        data = splits("digits", seeds)
        print(f"\n## Test accuracy, digits, {len(seeds)} seeds, {args.epochs} epochs: 3-bit "
              "backward − exact (paired by seed, 95 % t-interval)\n")
        print("| activation | exact (mean) | 3-bit (mean) | difference [95 % CI] |")
        print("|---|---|---|---|")
        for a in ("gelu", "silu"):
            ex = [train(a, None, s, data[i], args.epochs) for i, s in enumerate(seeds)]
            fb = [train(a, 3, s, data[i], args.epochs) for i, s in enumerate(seeds)]
            d = paired([f - e for f, e in zip(fb, ex, strict=True)], margin=0.01,
                       resolution=1 / len(data[0].yte))
            print(f"| {a} | {np.mean(ex):.4f} | {np.mean(fb):.4f} | "
                  f"{d.fmt(scale=100, unit=' pt')} |")
    print(f"\n(CPU time {time.process_time() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
