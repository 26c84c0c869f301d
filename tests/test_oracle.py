"""The test oracle's own rounding (tests/oracle.py): correct, ties to even.

float64 holds every midpoint between neighbouring float16/bfloat16/float32 values exactly:
the midpoint must round to the neighbour whose last significand bit is 0, and the float64
values just below and above it to the lower and upper neighbour. (ml_dtypes' float64 →
bfloat16 cast is not a reference here: it rounds twice, through float32.)
"""

from __future__ import annotations

import numpy as np
import pytest
from mpmath import mpf

from .oracle import DTYPES, round_to


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32"])
def test_round_to_breaks_ties_to_even(dtype_name: str) -> None:
    dt = DTYPES[dtype_name]
    rng = np.random.default_rng(7)
    mag = rng.uniform(2.0**-12, 4, 300).astype(dt)
    uint = np.uint16 if dt.itemsize == 2 else np.uint32
    nxt = (mag.view(uint) + uint(1)).view(dt)  # the next float up
    sign = np.where(rng.random(300) < 0.5, -1, 1).astype(dt)
    lo, hi = mag * sign, nxt * sign
    assert np.all(lo != hi)
    mid = (lo.astype(np.float64) + hi.astype(np.float64)) / 2  # exact in float64
    lo_even = (mag.view(uint) & uint(1)) == 0
    for m, a, b, a_even in zip(mid, lo, hi, lo_even, strict=True):
        below, above = (a, b) if a < b else (b, a)
        tie = a if a_even else b
        cases = ((m, tie), (np.nextafter(m, -np.inf), below), (np.nextafter(m, np.inf), above))
        for v, want in cases:
            got = round_to(mpf(float(v)), dtype_name)
            assert got == want and np.signbit(got) == np.signbit(want), (v, got, want)
