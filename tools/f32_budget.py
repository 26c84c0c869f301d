"""Speed and accuracy of the float32 compiled loops (the budgeted ``*_v`` helpers of
actfn._fast._vmath), for before/after comparisons of a helper change.

``speed``: ns per element of ``value_and_derivative(x, out=(f, df))`` on float32 at
2^16 and 2^20 elements, one thread (numba and torch both limited to one), CPU time of
the calling thread (``time.thread_time_ns``, so other jobs on the host count less),
rounds interleaved (actfn, then torch, per activation, per round), medians with the
spread (min–max) over the rounds, and the ratio torch / actfn (> 1: actfn faster).
torch's figure is its forward plus the derivative from its own ops (gelu: the exact
f′ = Φ + x·φ; tanh: 1 - t²; sigmoid: s(1 - s); others: autograd-free formulas below).

``accuracy``: float32 f and f′ at N seeded random points (half log-uniform over
[2^-30, 2^7] with random signs, half uniform on [-40, 40]) against the correctly rounded
``actfn.reference`` (python-flint): the max ulp distance and the count of results that
are not correctly rounded (distance ≠ 0).

    python tools/f32_budget.py speed --rounds 7
    python tools/f32_budget.py accuracy --n 1000000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["LABELS", "accuracy", "main", "speed"]

#: bench labels measured by default (gelu_tanh: gelu, tanh form)
LABELS = ("gelu", "gelu_tanh", "tanh", "sigmoid", "silu", "elu", "softplus", "mish")


def _torch_pair(label: str) -> Callable[[Any], Any]:
    import torch
    import torch.nn.functional as F

    inv_sqrt2pi = 0.3989422804014327

    def gelu(x: Any) -> Any:
        f = F.gelu(x)
        return f, 0.5 * (1.0 + torch.erf(x * 0.7071067811865476)) + x * inv_sqrt2pi * torch.exp(
            -0.5 * x * x)

    def gelu_tanh(x: Any) -> Any:
        f = F.gelu(x, approximate="tanh")
        u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
        t = torch.tanh(u)
        return f, 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.7978845608028654 * (
            1 + 3 * 0.044715 * x * x)

    def tanh(x: Any) -> Any:
        t = torch.tanh(x)
        return t, 1 - t * t

    def sigmoid(x: Any) -> Any:
        s = torch.sigmoid(x)
        return s, s * (1 - s)

    def silu(x: Any) -> Any:
        s = torch.sigmoid(x)
        return x * s, s * (1 + x * (1 - s))

    def elu(x: Any) -> Any:
        f = F.elu(x)
        return f, torch.where(x > 0, 1.0, f + 1.0)

    def softplus(x: Any) -> Any:
        return F.softplus(x), torch.sigmoid(x)

    def mish(x: Any) -> Any:
        sp = F.softplus(x)
        t = torch.tanh(sp)
        return x * t, t + x * torch.sigmoid(x) * (1 - t * t)

    return {"gelu": gelu, "gelu_tanh": gelu_tanh, "tanh": tanh, "sigmoid": sigmoid,
            "silu": silu, "elu": elu, "softplus": softplus, "mish": mish}[label]


def _cpu_ns(fn: Callable[[], Any], reps: int) -> float:
    fn()
    t = time.thread_time_ns()
    for _ in range(reps):
        fn()
    return (time.thread_time_ns() - t) / reps


def speed(labels: tuple[str, ...], sizes: tuple[int, ...], rounds: int,
          torch_too: bool = True) -> list[tuple[str, int, list[float], list[float]]]:
    """Per (label, size): ns/el of actfn and of torch, one value per round."""
    from actfn.bench import _activation

    acts = {label: _activation(label) for label in labels}
    out: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
    rng = np.random.default_rng(0)
    data = {n: (rng.standard_normal(n) * 3).astype(np.float32) for n in sizes}
    tpairs: dict[str, Any] = {}
    if torch_too:
        import torch

        torch.set_num_threads(1)
        tpairs = {label: _torch_pair(label) for label in labels}
    for _ in range(rounds):
        for n in sizes:
            x = data[n]
            a, b = np.empty_like(x), np.empty_like(x)
            reps = max(3, (1 << 22) // n)
            for label in labels:
                act = acts[label]
                t_a = _cpu_ns(lambda act=act, x=x, o=(a, b): act.value_and_derivative(x, out=o),
                              reps) / n
                t_t = float("nan")
                if torch_too:
                    import torch

                    xt = torch.from_numpy(x)
                    fn = tpairs[label]
                    with torch.no_grad():
                        t_t = _cpu_ns(lambda fn=fn, xt=xt: fn(xt), reps) / n
                rec = out.setdefault((label, n), ([], []))
                rec[0].append(t_a)
                rec[1].append(t_t)
    return [(label, n, *out[label, n]) for label in labels for n in sizes]


def accuracy(labels: tuple[str, ...], n: int, seed: int = 0) -> list[tuple[str, str, int, int]]:
    """Per (label, f/df): (max ulp, count not correctly rounded) on n float32 points."""
    import actfn.reference as ref
    from actfn.bench import PSEUDO, _activation

    rng = np.random.default_rng(seed)
    h = n // 2
    x = np.concatenate([
        np.exp2(rng.uniform(-30, 7, h)) * rng.choice([-1.0, 1.0], h),
        rng.uniform(-40, 40, n - h)]).astype(np.float32)
    rows = []
    for label in labels:
        act = _activation(label)
        name, params = PSEUDO.get(label, (label, {}))
        f, df = act.value_and_derivative(x)
        for which, got, d in (("f", f, 0), ("df", df, 1)):
            want = ref(name, x, derivative=d, dtype="float32", **dict(params))
            dist = ref.ulp_distance(np.asarray(got), np.asarray(want), "float32")
            rows.append((label, which, int(np.max(dist)), int(np.count_nonzero(dist))))
            print(f"| {label} | {which} | {rows[-1][2]} | {rows[-1][3]} |", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("speed")
    s.add_argument("labels", nargs="*")
    s.add_argument("--rounds", type=int, default=7)
    s.add_argument("--sizes", default="16,20", help="log2 sizes, comma-separated")
    s.add_argument("--no-torch", action="store_true")
    a = sub.add_parser("accuracy")
    a.add_argument("labels", nargs="*")
    a.add_argument("--n", type=int, default=1_000_000)
    a.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    labels = tuple(args.labels) or LABELS
    if args.cmd == "speed":
        os.environ.setdefault("NUMBA_NUM_THREADS", "1")
        import numba

        numba.set_num_threads(1)
        sizes = tuple(1 << int(v) for v in args.sizes.split(","))
        print("| activation | n | actfn ns/el median (min–max) | torch ns/el median | "
              "torch/actfn |")
        print("|---|---|---|---|---|")
        for label, n, ta, tt in speed(labels, sizes, args.rounds, not args.no_torch):
            ma, mt = float(np.median(ta)), float(np.median(tt))
            print(f"| {label} | 2^{n.bit_length() - 1} | {ma:.2f} ({min(ta):.2f}–{max(ta):.2f})"
                  f" | {mt:.2f} | {mt / ma:.2f} |", flush=True)
    else:
        print("| activation | result | max ulp | not correctly rounded |")
        print("|---|---|---|---|")
        accuracy(labels, args.n, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
