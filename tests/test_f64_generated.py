"""The float64 normal tail of actfn.kernels.erfc: shipped tables equal their generator's
output (tools/gen_erfc.py), and the evaluated W(a) = Φ(-a)·exp(a²/2) is accurate."""

from __future__ import annotations

from pathlib import Path

import mpmath
import numpy as np

from actfn.kernels import _erfc_tables
from actfn.kernels.erfc import tail_aw, tail_w

from .tooling import load_tool

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _gen():
    return load_tool("gen_erfc")


def test_erfc_tables_match_their_generator() -> None:
    gen = _gen()
    a, t = gen.pieces()
    as_tuples = [tuple((lo, hi, m, tuple(c)) for lo, hi, m, c in p) for p in (a, t)]
    assert as_tuples == [_erfc_tables.A_PIECES, _erfc_tables.T_PIECES]
    assert gen.main(["--check"]) == 0


def test_pieces_cover_the_range_without_gaps() -> None:
    a, t = _erfc_tables.A_PIECES, _erfc_tables.T_PIECES
    assert a[0][0] == 0.0 and a[-1][1] == 6.0
    assert all(p[1] == q[0] for p, q in zip(a, a[1:], strict=False))
    assert all(p[1] == q[0] for p, q in zip(t, t[1:], strict=False))
    assert t[0][0] <= 1 / 40 and t[-1][1] == 1 / 6


def test_tail_is_within_a_few_tenths_of_an_ulp() -> None:
    """W and a·W against mpmath at 120 bits on 2,000 seeded points of [0, 40]."""
    rng = np.random.default_rng(20261201)
    a = np.concatenate([rng.uniform(0.0, 6.0, 1000), rng.uniform(6.0, 40.0, 1000),
                        [0.0, 0.5, 6.0, 40.0]])
    w = tail_w(a, np)
    hi, lo = tail_aw(a, np)
    worst_w = worst_aw = 0.0
    with mpmath.workprec(120):
        for ai, wi, h, low in zip(a.tolist(), w.tolist(), hi.tolist(), lo.tolist(), strict=True):
            x = mpmath.mpf(ai)
            ref = mpmath.erfc(x / mpmath.sqrt(2)) / 2 * mpmath.exp(x * x / 2)
            worst_w = max(worst_w, float(abs(mpmath.mpf(wi) / ref - 1)) * 2**53)
            if ai > 0:
                aw = (mpmath.mpf(h) + mpmath.mpf(low)) / (x * ref) - 1
                worst_aw = max(worst_aw, float(abs(aw)) * 2**53)
    # relative errors in units of 2^-53 (half an ulp at the top of a binade)
    assert worst_w < 2.5, worst_w
    assert worst_aw < 1.5, worst_aw
