"""The command line shared by the table generators (gen_erfc.py, gen_erfc32.py,
gen_tanh32.py): print the generated module, ``--write`` it, or ``--check`` that the
shipped one is byte-identical (exit 1 with a one-line hint otherwise)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["chebyshev_powers", "table_cli"]


def chebyshev_powers(fn: Callable, lo: float, hi: float, degree: int) -> tuple:
    """(m, [p_0, p_1, …]): the degree-``degree`` Chebyshev interpolant of ``fn`` on [lo, hi]
    (``degree + 1`` Chebyshev nodes, mpmath at the caller's precision) in powers of
    (v − m), m the midpoint: Σ_j c_j T_j(y), y = (v − m)/h, converted exactly to Σ_i p_i (v − m)^i."""
    import mpmath as mp

    n = degree + 1
    lo_, hi_ = mp.mpf(lo), mp.mpf(hi)
    m = (lo_ + hi_) / 2
    h = (hi_ - lo_) / 2
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    vals = [fn(m + h * y) for y in nodes]
    cheb = []
    for j in range(n):
        c = sum(vals[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) * 2 / n
        cheb.append(c / 2 if j == 0 else c)
    # T_j(y) in powers of y, then y = s/h.
    poly = [mp.mpf(0)] * n
    t_prev, t_cur = [mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]
    for j in range(n):
        tj = t_prev if j == 0 else t_cur if j == 1 else None
        if j >= 2:
            nxt = [mp.mpf(0)] + [2 * c for c in t_cur]
            for i, c in enumerate(t_prev):
                nxt[i] -= c
            t_prev, t_cur = t_cur, nxt
            tj = t_cur
        for i, c in enumerate(tj):
            poly[i] += cheb[j] * c
    return m, [c / h**i for i, c in enumerate(poly)]


def table_cli(argv: list[str] | None, doc: str | None, source: Callable[[], str], out: Path,
              script: str) -> int:
    """Run the generator ``script`` (its file name under tools/), whose ``source()``
    returns the text of the module ``out``."""
    ap = argparse.ArgumentParser(description=(doc or script).splitlines()[0])
    rel = out.relative_to(Path(__file__).resolve().parents[1]).as_posix()
    ap.add_argument("--check", action="store_true", help=f"exit 1 if {rel} differs")
    ap.add_argument("--write", action="store_true", help="write the table module")
    args = ap.parse_args(argv)
    text = source()
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{rel} is out of date: run python tools/{script} --write")
            return 1
        return 0
    if args.write:
        out.write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0
