"""Exhaustive check of actfn.torch's delegation to torch's own exact ops (``Spec.torch_exact``).

For every activation the registry declares exact in torch (defaults, ``Spec.cases`` and each
rounded to bfloat16, where delegated on float32), over float32 bit patterns in chunks of
2**24: f bit for bit (NaN as NaN) and x.grad for g = 1 bit for bit at every non-NaN input,
torch's op against actfn's own compiled path (tests/test_torch_exact.py runs a seeded
10**5-input subset and all 16-bit inputs in CI).

    python tools/torch_exact_sweep.py              # 16 chunks spread over the bit patterns
    python tools/torch_exact_sweep.py --full       # all 2**32 float32 inputs (256 chunks)
    python tools/torch_exact_sweep.py --only relu

Exits 1 and names the first differing input if any.
"""

from __future__ import annotations

import argparse
import sys

import torch

import actfn
import actfn.torch as at
from actfn._registry import lookup

__all__ = ["main"]

CHUNK = 1 << 24


def _param_sets(name: str) -> list[dict]:
    spec = lookup(name)
    sets = [spec.bind(), *(spec.bind(**c) for c in spec.cases)]
    sets += [{k: torch.tensor(v).to(torch.bfloat16).item() for k, v in p.items()} for p in sets]
    return [p for i, p in enumerate(sets) if p not in sets[:i]]


def _step(x: torch.Tensor, op: at._Op) -> tuple[torch.Tensor, torch.Tensor]:
    x = x.clone().requires_grad_()
    y = at._forward(x, op, ())
    y.backward(torch.ones_like(y))
    return y.detach(), x.grad


def _check(name: str, params: dict, chunks: range) -> str | None:
    """The first difference as a line, "" where not delegated, None where identical."""
    spec = lookup(name)
    op = at._Op(spec, params, ())
    if not at._native(op, torch.float32):
        return ""
    own = at._Op(spec, params, ())
    own.native[torch.float32] = False
    for c in chunks:
        bits = torch.arange(c * CHUNK, (c + 1) * CHUNK, dtype=torch.int64)
        x = bits.to(torch.int32).view(torch.float32) if c < 128 else \
            (bits - (1 << 32)).to(torch.int32).view(torch.float32)
        (y, gx), (y0, gx0) = _step(x, op), _step(x, own)
        nan = x.isnan()
        bad = ((y.view(torch.int32) != y0.view(torch.int32)) & ~(y.isnan() & y0.isnan())) | (
            (gx.view(torch.int32) != gx0.view(torch.int32)) & ~nan)
        if bad.any():
            i = int(bad.nonzero()[0])
            return (f"{name} {params}: x = {x[i].item()!r}: f {y[i].item()!r} vs "
                    f"{y0[i].item()!r}, f' {gx[i].item()!r} vs {gx0[i].item()!r}")
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="all 2**32 float32 inputs")
    ap.add_argument("--only", default="", help="comma-separated activation names")
    args = ap.parse_args(argv)
    names = [n for n in actfn.names() if lookup(n).torch_exact is not None]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    chunks = range(256) if args.full else range(0, 256, 16)
    for name in names:
        for params in _param_sets(name):
            err = _check(name, params, chunks)
            print(f"{name} {params}: not delegated (a parameter is not a float32)"
                  if err == "" else err
                  or f"{name} {params}: identical on {len(chunks) * CHUNK:,} inputs", flush=True)
            if err:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
