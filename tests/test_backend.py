"""The NumPy path's final rounding to bfloat16 is a single correct rounding."""

from __future__ import annotations

import ml_dtypes
import numpy as np

from actfn._backend import _to_bfloat16


def _neighbour(b: np.ndarray, step: int) -> np.ndarray:
    bits = (b.view(np.uint16).astype(np.int64) + step) & 0xFFFF
    return bits.astype(np.uint16).view(ml_dtypes.bfloat16).astype(np.float64)


def test_float64_to_bfloat16_rounds_once_to_nearest():
    rng = np.random.default_rng(7)
    bb = np.abs(rng.normal(size=50_000)).astype(ml_dtypes.bfloat16)
    b = bb.astype(np.float64)
    half_ulp = (_neighbour(bb, 1) - b) / 2  # the exact midpoint to the next value up
    # just above, just below and exactly at the midpoints between bfloat16 neighbours:
    # ml_dtypes' own cast (through float32) gets some of the first two wrong.
    y = np.concatenate([b + half_ulp * (1 + 2**-30), b + half_ulp * (1 - 2**-30), b + half_ulp,
                        rng.normal(size=50_000) * 10.0 ** rng.integers(-40, 38, 50_000)])
    got = _to_bfloat16(y)
    g = got.astype(np.float64)
    with np.errstate(all="ignore"):
        for step in (-1, 1):
            n = _neighbour(got, step)
            ok = ~np.isfinite(n) | (np.sign(n) != np.sign(g))
            assert np.all(ok | (np.abs(n - y) >= np.abs(g - y)))
    # exact ties go to the even neighbour
    ties = got[2 * b.size : 3 * b.size].view(np.uint16)
    assert np.all(ties % 2 == 0)
    assert (y.astype(ml_dtypes.bfloat16).view(np.uint16) != got.view(np.uint16)).any()


def test_bfloat16_specials():
    y = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e39, -1e39, 3.4e38, 1e-45])
    got = _to_bfloat16(y).astype(np.float64)
    assert np.signbit(got[1]) and not np.signbit(got[0])
    assert np.isnan(got[4])
    assert list(got[[2, 3, 5, 6, 7]]) == [np.inf, -np.inf, np.inf, -np.inf, np.inf]
    assert got[8] == 0.0
