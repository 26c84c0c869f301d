"""Accuracy of f, f' and f'' against the mpmath oracle (tests/oracle.py).

Bounds (issue 2): float16, bfloat16 and float32 within 1 ulp of the correctly rounded
value everywhere (the whole range including subnormals, the largest finite values,
±0, ±inf and nan); float64 within 2 ulp for f and 4 ulp for f' and f'', for every
activation with no exception list (issue 10; the dense band / random / exhaustive
sweeps are tests/test_f64_sweep.py). Both NumPy code paths are measured: the compiled
numba loops and the pure-NumPy fallback.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import actfn
from actfn import _fast

from .accuracy import PATHS, case_id, cases, measure
from .oracle import exact, oracle

WHICH = ("f", "df", "d2f")
F64_BOUND = {"f": 2, "df": 4, "d2f": 4}

CASES = cases()
IDS = [case_id(c) for c in CASES]


def _bound(cid: str, which: str, dtype: str) -> int:
    # No exception list (issue 10): every activation meets the float64 bounds.
    return F64_BOUND[which] if dtype == "float64" else 1


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_ulp_error_within_bound(case, which, dtype, path):
    if path == "compiled" and not _fast.available():
        pytest.fail("the compiled path is unavailable: numba is part of the dev install")
    cid = case_id(case)
    x, got, want, ulps = measure(case[0], case[1], WHICH.index(which), dtype, path)
    assert got.dtype == x.dtype
    bound = _bound(cid, which, dtype)
    bad = np.flatnonzero(ulps > bound)
    if bad.size:
        i = bad[np.argmax(ulps[bad])]
        pytest.fail(
            f"{cid} {which} {dtype}: {bad.size} of {x.size} points beyond {bound} ulp; worst "
            f"{ulps[i]} ulp at x={x[i]!r}: got {got[i]!r}, want {want[i]!r}"
        )


# -- derivatives are derivatives: finite differences at high precision ----------------

SMOOTH = np.linspace(-6.0, 6.0, 25) + 0.0123


def _smooth_points(act):
    kinks = act.kinks()
    return [float(x) for x in SMOOTH if all(abs(x - k) > 0.05 for k in kinks)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_oracle_derivatives_match_finite_differences(case):
    """The oracle's f' and f'' agree with mpmath.diff of the oracle's f."""
    f, df, d2f = oracle(*case)
    act = actfn.get(case[0], **case[1])
    with mpmath.workprec(256):
        for x in _smooth_points(act):
            X = mpmath.mpf(x)
            for n, ref in ((1, df), (2, d2f)):
                fd = mpmath.diff(f, X, n)
                want = ref(X)
                assert abs(fd - want) <= mpmath.mpf(10) ** -40 * (1 + abs(want)), (x, n)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_implementation_derivatives_match_finite_differences(case):
    """actfn's f' and f'' agree with central differences of actfn's own f and f'."""
    act = actfn.get(case[0], **case[1])
    x = np.array(_smooth_points(act))
    h = 1e-5
    for fn, dfn in ((act, act.derivative), (act.derivative, act.second_derivative)):
        # Richardson-extrapolated central difference: error O(h⁴).
        d1 = (fn(x + h) - fn(x - h)) / (2 * h)
        d2 = (fn(x + 2 * h) - fn(x - 2 * h)) / (4 * h)
        fd = (4 * d1 - d2) / 3
        np.testing.assert_allclose(fd, dfn(x), rtol=1e-7, atol=1e-8)


def test_oracle_is_exact_at_simple_points():
    # Sanity check of the oracle itself with values known in closed form.
    f, df, _ = oracle("sigmoid", {})
    assert exact(f, 0.0) == mpmath.mpf(1) / 2
    assert exact(df, 0.0) == mpmath.mpf(1) / 4
    g = oracle("gelu", {"approximate": "none"})[0]
    assert abs(exact(g, 1.0) - mpmath.mpf("0.841344746068542948585232545632")) < 1e-29
    assert math.isnan(float(exact(f, float("nan"))))
