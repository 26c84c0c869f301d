"""actfn.reference on the review's cases (issue 11, F11b): values next to a rounding
midpoint by a vanishing exp/erfc/σ tail are decided (checked against mpmath at enough
bits to see the tail, rounding by comparing the neighbours), per-channel parameters,
argument checks and the mpmath fallback's documented limit."""

from __future__ import annotations

import ml_dtypes
import mpmath
import numpy as np
import pytest

import actfn
from actfn.reference import _core
from actfn.reference._points import from_ordinal, ordinal


def _nearest_is(got: float, exact: mpmath.mpf, dtype: np.dtype) -> bool:
    """``got`` is strictly nearer to ``exact`` than both of its neighbours in ``dtype``
    (no tie: the exact value is not a midpoint)."""
    k = ordinal(np.array([got], dtype=dtype))
    nb = from_ordinal(np.concatenate([k - 1, k + 1]), dtype).astype(np.float64)
    d = abs(exact - mpmath.mpf(got))
    return all(d < abs(exact - mpmath.mpf(float(n))) for n in nb)


@pytest.mark.parametrize("prepass", [True, False])
def test_elu_family_far_left_with_a_midpoint_alpha_is_decided(prepass) -> None:
    """-α + α·e^x with α = 1 + 3·2^-24 (a float32 midpoint between 1 + 2^-23 and the even
    1 + 2^-22) and x = -30000: e^x ≈ 2^-43281 lies below every precision; the tail's sign
    decides (-(1 + 2^-23), not the tie's -(1 + 2^-22)). Was ReferenceUndecided."""
    a = 1 + 3 * 2.0**-24
    x = np.float32([-30000.0])
    # every activation of the ELU family (its reference formula is _exact.elu_family)
    family = [n for n in actfn.names()
              if actfn.lookup(n).exact.f.__qualname__.startswith("elu_family")]
    assert len(family) >= 3
    for name in family:
        has_scale = any(p.name == "scale" for p in actfn.lookup(name).params)
        kw = {"scale": a, "alpha": 1.0} if has_scale else {"alpha": a}
        got = actfn.reference(name, x, prepass=prepass, **kw)
        assert got[0] == np.float32(-(1 + 2.0**-23)), name
        with mpmath.workprec(45000):
            c = 1 / mpmath.mpf(a) if name == "celu" else 1
            exact = mpmath.mpf(a) * mpmath.expm1(mpmath.mpf(-30000) * c)
            assert _nearest_is(float(got[0]), exact, np.float32), name
    # the reviewer's alpha = 1 + 2^-24 (a midpoint below the even 1): -1
    assert actfn.reference("elu", x, alpha=1 + 2.0**-24, prepass=prepass)[0] == -1
    assert actfn.reference("selu", x, scale=1 + 2.0**-24, prepass=prepass).dtype == np.float32
    for order in (1, 2):  # the tiny derivatives are plain balls: decided as before
        assert actfn.reference("celu", x, derivative=order, alpha=a)[0] == 0


def test_gelu_and_silu_just_below_a_bfloat16_midpoint_are_decided() -> None:
    bf = np.dtype(ml_dtypes.bfloat16)
    # x·Φ(x) at 151.5 = 151.5 - 151.5·erfc(107.1)/2: below the midpoint of 151 and 152
    x = np.arange(0, 1024, 0.25, dtype=np.float32)
    got = actfn.reference("gelu", x, dtype="bfloat16")  # was: ReferenceUndecided at 151.5
    i = int(np.flatnonzero(x == 151.5)[0])
    assert float(got[i]) == 151.0
    # independent: exact = 151.5 - 151.5·erfc(151.5/√2)/2 with 0 < that tail < 1/2, so
    # exact lies in (151, 151.5): strictly nearest to 151 of 150, 151, 152
    tail = mpmath.mpf(151.5) * mpmath.erfc(mpmath.mpf(151.5) / mpmath.sqrt(2)) / 2
    assert 0 < tail < mpmath.mpf(2) ** -16000
    with mpmath.workprec(16100):
        assert _nearest_is(151.0, mpmath.mpf(151.5) - mpmath.mpf(2) ** -16000, bf)
    near = slice(i - 8, i + 9)
    assert np.array_equal(got[near], actfn.reference("gelu", x[near], dtype="bfloat16",
                                                     prepass=False))
    # x·σ(x) at 2^20 + 3·2^12: a bfloat16 midpoint (odd 2^20 + 2^13, even 2^20 + 2^14),
    # minus x·e^-x/(1 + e^-x) ≈ 2^-1.5e6
    s = actfn.reference("silu", np.float32([2**20 + 3 * 2**12, 2**20 + 2**12]), dtype=bf)
    assert s.astype(np.float64).tolist() == [2**20 + 2**13, 2**20]


def test_undecided_message_does_not_claim_a_midpoint(monkeypatch) -> None:
    monkeypatch.setattr(_core, "MAX_PREC", 128)
    with pytest.raises(_core.ReferenceUndecided) as err:
        # 1 + 2^-24 (a float32 midpoint) + √(e^-400): sqrt keeps no tail, 128 bits
        # cannot see 2^-288
        _core._arb_batch(lambda x, m: m.mpf(1 + 2**-24) + m.sqrt(m.exp(-x * x)), {}, [20.0],
                         _core.format_of(np.float32), "demo")
    msg = str(err.value)
    assert "demo at x = 20.0" in msg and "within about 2^-128" in msg
    assert "is a rounding midpoint" not in msg


def test_prelu_per_channel_weight_broadcasts_on_dim_1_in_both_paths() -> None:
    x = -np.ones((2, 2, 3), np.float32)
    x[0, 0, 0] = 2
    want_f = np.where(x > 0, x, np.float32([0.1, 0.2])[None, :, None] * x)
    want_d = np.where(x > 0, 1, np.float32([0.1, 0.2])[None, :, None] + 0 * x)
    for pre in (True, False):
        assert np.array_equal(actfn.reference("prelu", x, weight=[0.1, 0.2], prepass=pre),
                              want_f)
        assert np.array_equal(actfn.reference("prelu", x, derivative=1, weight=[0.1, 0.2],
                                              prepass=pre), want_d)
        with pytest.raises(ValueError, match=r"2 channels on dim 1; got shape \(12,\)"):
            actfn.reference("prelu", x.ravel(), weight=[0.1, 0.2], prepass=pre)
        assert np.array_equal(actfn.reference("prelu", -np.ones(3), weight=[0.5], prepass=pre),
                              [-0.5] * 3)


def test_derivative_must_be_an_int_and_longdouble_is_exact_or_refused() -> None:
    x = np.float32([1.0, -1.0])
    for bad in (1.0, "1", None):
        with pytest.raises(ValueError, match="derivative must be 0"):
            actfn.reference("relu", x, derivative=bad)
    assert actfn.reference("relu", x, derivative=np.int64(1)).tolist() == [1, 0]
    ld = np.array([np.longdouble(1) / 3, np.longdouble(0.5)])
    if np.finfo(np.longdouble).nmant > 52:  # x87 / quad long double: 1/3 is not a float64
        before = ld.copy()
        with pytest.raises(ValueError, match="float64 cannot represent exactly"):
            actfn.reference("sigmoid", ld, dtype="float64")
        assert np.array_equal(ld, before)
    else:  # long double is float64: used exactly
        assert actfn.reference("sigmoid", ld, dtype="float64").size == 2
    got = actfn.reference("sigmoid", ld[1:], dtype="float64")  # 0.5 is exact: accepted
    assert got[0] == actfn.reference("sigmoid", np.array([0.5]))[0]


def test_mpmath_fallback_warns_when_it_rounds_a_heuristic_midpoint(monkeypatch) -> None:
    """Without python-flint there are no tails: tanhshrink(2^24 + 2) (exactly e^-2x above
    the midpoint 2^24 + 1) is taken for the midpoint; the result says so."""
    x = np.float32([2.0**24 + 2])
    assert actfn.reference("tanhshrink", x, prepass=False)[0] == x[0]  # flint: proven
    monkeypatch.setattr(_core, "have_flint", lambda: False)
    with pytest.warns(RuntimeWarning, match="rounding midpoint.*python-flint"):
        actfn.reference("tanhshrink", x, prepass=False)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an exact non-midpoint value does not warn
        assert actfn.reference("relu", x, prepass=False)[0] == x[0]


def test_far_out_values_with_an_exact_logarithm_or_a_far_tiny_part_are_decided() -> None:
    """bfloat16 midpoints as float32 inputs (spacing 64 near 10^4, 2^23 near 2·10^9):
    softplus = x + ln(1 + e^-x) just above, logsigmoid = -(|x| + ln(1 + e^-|x|)) just
    beyond, gelu = x·(1 - 2^-10^7) beyond |x| = 10^4 just below — each away from the
    tie's even neighbour. Were ReferenceUndecided."""
    bf = "bfloat16"
    got = [float(actfn.reference("softplus", np.float32([12832.0]), dtype=bf)[0]),
           float(actfn.reference("logsigmoid", np.float32([-234.5 * 2**23]), dtype=bf)[0]),
           float(actfn.reference("gelu", np.float32([10464.0]), dtype=bf, prepass=False)[0])]
    assert got == [12864.0, -235.0 * 2**23, 10432.0]
    # the tie would give the even neighbours: 12800 = 200·64, -234·2^23, 10496 = 164·64
