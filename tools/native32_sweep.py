"""Exhaustive check of the float32-native compiled loops (``Spec.native32``) over float32 inputs.

For every activation whose spec has float32-native kernels (:class:`actfn._registry.Native32`;
defaults and ``Spec.cases``), over float32 bit patterns in chunks of 2**24: the fused
f-and-f′ loop of the NumPy path (float32 arithmetic, :mod:`actfn._fast._vmath32`) against
the float64-working loop it replaced (the spec's kernels traced as before; within
0.5 + 2**-26 ulp of the exact value: float64 work rounded once). Equal bits (NaN as NaN)
inherit that bound. Every input where the two differ is resolved against python-flint:
the exact value, rounded to float64 by ``actfn.reference`` (ball arithmetic), gives the
error of both loops in float32 ulp of the exact value's binade (subnormal spacing 2**-149
below 2**-126), to within 2**-29 ulp. Bound: 1 ulp (the float32 contract).

    python tools/native32_sweep.py                 # 16 chunks spread over the bit patterns
    python tools/native32_sweep.py --full          # all 2**32 float32 inputs (256 chunks)
    python tools/native32_sweep.py --only sigmoid --chunks 0,128

Prints, per activation and output: differing inputs, the new loop's max error and the
number above 0.5 ulp (with the worst input), the old loop's max at the same inputs.
Exits 1 if any error exceeds 1 ulp or a NaN/non-NaN mismatch occurs.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np

import actfn
from actfn import _fast
from actfn import reference as R
from actfn._fast import _trace
from actfn._registry import lookup

__all__ = ["main", "ulp_error", "old_loop", "new_loop", "native_cases"]

CHUNK = 1 << 24
WHICH = ("f", "df")


def native_cases(only: set[str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(name, params) for every registered activation with ``native32`` kernels."""
    out = []
    for name in actfn.names():
        spec = lookup(name)
        if spec.native32 is None or (only and name not in only):
            continue
        sets = [spec.bind(), *(spec.bind(**c) for c in spec.cases)]
        out += [(name, p) for i, p in enumerate(sets) if p not in sets[:i]]
    return out


def _kernels(act: Any) -> tuple[tuple[Any, ...], bool]:
    spec = act.spec
    if spec.f_df is not None:
        return (spec.f_df,), True
    return (spec.f, spec.df), False


def new_loop(act: Any, parallel: bool = True) -> Any:
    """The float32 loop the NumPy path runs for ``act`` (f and f′): the native one."""
    kernels, fused = _kernels(act)
    entry = _fast.compiled_kernel(act, kernels, fused, "float32")
    if entry is None:
        raise RuntimeError(f"{act!r}: no compiled float32 loop")
    return entry.par if parallel else entry.ser


def old_loop(act: Any, parallel: bool = True) -> Any:
    """The float64-working float32 loop (the spec's kernels traced), as before native32."""
    kernels, fused = _kernels(act)
    prog = _trace.trace(kernels, fused, dict(_fast.params_key(act.params) or ()), "v")
    src = _trace.loop_source(prog, "float32", f"{act!r} (float64 working, reference)")
    module, _ = _fast.load_module(src)
    return module.par if parallel else module.ser


def ulp_error(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|got - exact| in float32 ulp of ``exact``'s binade (2**-149 below 2**-126); NaN
    against NaN is 0, NaN against a number inf; ``exact`` is float64."""
    g = got.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        _, e = np.frexp(exact)
        ulp = np.maximum(np.ldexp(1.0, e - 24), 2.0**-149)
        err = np.abs(g - exact) / ulp
    gn, rn = np.isnan(g), np.isnan(exact)
    err[gn != rn] = np.inf
    err[gn & rn] = 0.0
    inf = np.isinf(exact) & (g == exact)
    err[inf] = 0.0
    return err


def chunk_inputs(c: int) -> np.ndarray:
    """The float32 values with bit patterns c·2**24 … (c + 1)·2**24 - 1."""
    return (np.arange(CHUNK, dtype=np.uint32) + np.uint32(c * CHUNK)).view(np.float32)


def sweep(name: str, params: dict[str, Any], chunks: list[int]) -> tuple[list[str], bool]:
    """Lines of the report for one case, and whether it stayed within 1 ulp."""
    act = actfn.get(name, **params)
    new, old = new_loop(act), old_loop(act)
    diffs: dict[str, list[np.ndarray]] = {w: [] for w in WHICH}
    for c in chunks:
        x = chunk_inputs(c)
        a = [np.empty_like(x), np.empty_like(x)]
        b = [np.empty_like(x), np.empty_like(x)]
        new(x, *a)
        old(x, *b)
        for j, w in enumerate(WHICH):
            ai, bi = a[j].view(np.uint32), b[j].view(np.uint32)
            nan_a, nan_b = np.isnan(a[j]), np.isnan(b[j])
            d = (ai != bi) & ~(nan_a & nan_b)
            diffs[w].append(x[d])
    lines, ok = [], True
    for j, w in enumerate(WHICH):
        xd = np.concatenate(diffs[w]) if diffs[w] else np.empty(0, np.float32)
        if xd.size == 0:
            lines.append(f"{name} {params} {w}: identical on all {len(chunks) * CHUNK:,} inputs")
            continue
        exact = R(name, xd, derivative=j, dtype="float64", **params)
        a, b = [np.empty_like(xd), np.empty_like(xd)], [np.empty_like(xd), np.empty_like(xd)]
        new_loop(act, False)(xd, *a)
        old_loop(act, False)(xd, *b)
        en, eo = ulp_error(a[j], exact), ulp_error(b[j], exact)
        i = int(np.argmax(en))
        over = int((en > 0.5).sum())
        normal = np.abs(exact) >= 2.0**-126
        en_n = en[normal]
        norm = (f"; normal results: max {en_n.max():.4f} ulp at x = {xd[normal][np.argmax(en_n)]!r}"
                f" ({int((en_n > 0.5).sum()):,} above 0.5)") if en_n.size else ""
        ok = ok and bool(en.max() <= 1.0)
        lines.append(
            f"{name} {params} {w}: {xd.size:,} of {len(chunks) * CHUNK:,} inputs differ; "
            f"new max {en.max():.4f} ulp at x = {xd[i]!r} ({over:,} above 0.5 ulp), "
            f"old max there {eo.max():.4f} ulp{norm}")
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="all 2**32 inputs (256 chunks)")
    ap.add_argument("--chunks", default="", help="comma-separated chunk numbers 0..255")
    ap.add_argument("--only", default="", help="comma-separated activation names")
    args = ap.parse_args(argv)
    if args.chunks:
        chunks = [int(c) for c in args.chunks.split(",")]
    else:
        chunks = list(range(256)) if args.full else list(range(0, 256, 16))
    if any(not 0 <= c < 256 for c in chunks):
        print("error: chunk numbers are 0..255", file=sys.stderr)
        return 2
    only = set(filter(None, args.only.split(","))) or None
    cases = native_cases(only)
    if not cases:
        print("error: no activation with float32-native kernels selected", file=sys.stderr)
        return 2
    ok = True
    for name, params in cases:
        t = time.perf_counter()
        lines, good = sweep(name, params, chunks)
        ok = ok and good
        for line in lines:
            print(line)
        print(f"  ({time.perf_counter() - t:.0f} s)", flush=True)
    print("within 1 ulp" if ok else "BOUND EXCEEDED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
