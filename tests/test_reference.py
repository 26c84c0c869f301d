"""actfn.reference against an independent path: the same reference formulas
(``Spec.exact``) evaluated with mpmath at 256 bits (4096 near a rounding boundary) and
rounded here by comparing the neighbouring candidates exactly, ties to even — neither
python-flint nor actfn.reference's rounding code is involved.

CI cost is kept low: every run checks all cases × orders on a fixed sample of the
standard points, plus 10⁴ points for three (activation, order) pairs chosen by the date
(seeded rotation, so every pair is covered over a month of runs).
"""

from __future__ import annotations

import datetime
import math
import zlib

import ml_dtypes
import mpmath
import numpy as np
import pytest

import actfn
from actfn.reference import _core
from actfn.reference._points import from_ordinal, ordinal, points

from .accuracy import case_id, cases

DTYPES = {"float16": np.dtype(np.float16), "bfloat16": np.dtype(ml_dtypes.bfloat16),
          "float32": np.dtype(np.float32), "float64": np.dtype(np.float64)}
ALL_CASES = cases()
_ORDERS = ("f", "df", "d2f")


# -- the independent path -------------------------------------------------------------
def _mp_value(name: str, params: dict, order: int, x: float, prec: int) -> mpmath.mpf:
    fn = getattr(actfn.lookup(name).exact, _ORDERS[order])
    with mpmath.workprec(prec):
        p = {k: (mpmath.mpf(v) if isinstance(v, float) else v) for k, v in params.items()}
        xm = mpmath.mpf(2) ** 1400 * (1 if x > 0 else -1) if math.isinf(x) else mpmath.mpf(x)
        return +mpmath.mpf(fn(xm, mpmath, **p))


def _round_independent(name: str, params: dict, order: int, x: float,
                       dt: np.dtype) -> tuple[float, bool]:
    """(correctly rounded value, decided): ``decided`` is False when even 4096 bits show
    a tie (the exact value is then within 2^-4000 of a rounding boundary)."""
    if math.isnan(x):
        return math.nan, True
    fi = ml_dtypes.finfo(dt)
    mx = float(fi.max)
    for prec in (256, 4096):
        v = _mp_value(name, params, order, x, prec)
        with mpmath.workprec(prec):
            if v == 0:
                return 0.0, True
            ulp_max = mpmath.mpf(2) ** (math.frexp(mx)[1] - fi.nmant - 1)
            if abs(v) >= mx + ulp_max / 2:
                return math.copysign(math.inf, float(v)), True
            with np.errstate(over="ignore"):
                c = np.array([float(v)]).astype(dt)
            if not np.isfinite(c[0].astype(np.float64)):
                c = np.array([math.copysign(mx, float(v))]).astype(dt)
            k = int(ordinal(c)[0])
            ks = [j for j, cd in zip((k - 1, k, k + 1), from_ordinal(
                np.array([k - 1, k, k + 1]), dt).astype(np.float64).tolist(), strict=True)
                if math.isfinite(cd)]
            cands = from_ordinal(np.array(ks), dt).astype(np.float64).tolist()
            errs = [abs(mpmath.mpf(cd) - v) for cd in cands]
            order_ = sorted(range(len(cands)), key=lambda i: errs[i])
            best, second = order_[0], order_[1]
            if errs[best] != errs[second] and abs(errs[best] - errs[second]) > abs(v) * mpmath.mpf(2) ** (40 - prec):
                r = float(cands[best])
                return (0.0 if r == 0 else r), True
    # a tie at 4096 bits: ties to even (the exact value may still be off the midpoint)
    even = [i for i in (best, second) if ks[i] % 2 == 0]
    r = float(cands[even[0]])
    return (0.0 if r == 0 else r), False


def _check(name: str, params: dict, order: int, x: np.ndarray, dtn: str) -> int:
    dt = DTYPES[dtn]
    got = actfn.reference(name, x, derivative=order, dtype=dt, **params)
    assert got.dtype == dt and got.shape == x.shape
    bad = []
    for xi, g in zip(x.astype(np.float64).tolist(), got.astype(np.float64).tolist(), strict=True):
        want, decided = _round_independent(name, params, order, xi, dt)
        same = (math.isnan(want) and math.isnan(g)) or want == g
        if not same and decided:
            bad.append((xi, g, want))
    assert not bad, f"{name}{params} order {order} {dtn}: {len(bad)} wrong, first {bad[:5]}"
    return x.size


def _fixed_sample(name: str, params: dict, dtn: str, k: int) -> np.ndarray:
    p = points(name, DTYPES[dtn], **params)
    rng = np.random.default_rng(zlib.crc32(f"{name}{params}{dtn}".encode()))
    idx = np.sort(rng.choice(p.size - 5, k, replace=False))
    return np.concatenate([p[idx], p[-5:]])  # the specials are the last five


@pytest.mark.parametrize("case", ALL_CASES, ids=[case_id(c) for c in ALL_CASES])
def test_fixed_sample_all_cases_orders_dtypes(case) -> None:
    """Every case, order and dtype on a fixed sample of its standard points."""
    name, params = case
    for order in (0, 1, 2):
        for dtn, k in (("float32", 40), ("float64", 20), ("bfloat16", 12), ("float16", 12)):
            _check(name, params, order, _fixed_sample(name, params, dtn, k), dtn)


#: (activation, order) pairs checked on 10⁴ points per run.
SLOTS = 2


def _rotation(today: datetime.date) -> list[tuple[tuple[str, dict], int]]:
    """Today's pairs: a fixed shuffle of all (case, order) pairs walked SLOTS a day."""
    pairs = [(c, o) for c in ALL_CASES for o in (0, 1, 2)]
    perm = np.random.default_rng(20261201).permutation(len(pairs))
    start = SLOTS * today.toordinal()
    return [pairs[perm[(start + i) % len(pairs)]] for i in range(SLOTS)]


@pytest.mark.parametrize("slot", range(SLOTS))
def test_rotating_1e4_points_float32(slot: int) -> None:
    """10⁴ float32 points (standard points, then seeded random values) for one
    (activation, order) pair of today's rotation."""
    (name, params), order = _rotation(datetime.date.today())[slot]
    x = points(name, np.float32, **params)
    rng = np.random.default_rng(slot)
    extra = (rng.standard_normal(10_000 - x.size) * 8).astype(np.float32)
    assert _check(name, params, order, np.concatenate([x, extra]), "float32") >= 10_000


def test_rotation_covers_every_pair() -> None:
    seen = set()
    day = datetime.date(2026, 12, 1)
    days = -(-3 * len(ALL_CASES) // SLOTS)
    for i in range(days):
        seen |= {(case_id(c), o) for c, o in _rotation(day + datetime.timedelta(days=i))}
    assert len(seen) == 3 * len(ALL_CASES)


# -- midpoint-hard inputs -------------------------------------------------------------
def _near_midpoints(name: str, order: int, lo: float, n: int) -> np.ndarray:
    """float32 inputs from ``lo`` on whose f^(order) lies within 2^-40 relative of a
    float32 rounding midpoint (found with float64, confirmed with python-flint)."""
    from flint import arb, ctx

    x = from_ordinal(ordinal(np.array([lo], np.float32))[0] + np.arange(n), np.float32)
    act = actfn.get(name)
    v = np.asarray((act, act.derivative, act.second_derivative)[order](x.astype(np.float64)))
    # |v| = m·2^e, m in [0.5, 1): float32 values near v are the integer multiples of
    # 2^(e-24), midpoints lie half-way: t = |v|/2^(e-24) is k + 1/2 there
    m, _ = np.frexp(np.abs(v))
    t = np.ldexp(m, 24)
    dist = np.abs(t - np.floor(t) - 0.5) / t  # relative distance to the nearest midpoint
    cand = x[dist < 2.0**-38]
    fn = getattr(actfn.lookup(name).exact, _ORDERS[order])
    from actfn.reference._arb import arb_math

    params = {k: (arb_math.mpf(v) if isinstance(v, float) else v) for k, v in act.params.items()}
    keep = []
    old = ctx.prec
    ctx.prec = 200
    try:
        for xi in cand.tolist():
            r = fn(arb_math.mpf(xi), arb_math, **params).v
            mid = float(np.float32(float(r.mid())))  # a float32 neighbour
            # distance to the nearest midpoint between float32 neighbours
            up = np.nextafter(np.float32(mid), np.float32(np.inf))
            dn = np.nextafter(np.float32(mid), np.float32(-np.inf))
            mids = [(arb(mid) + arb(float(up))) / 2, (arb(mid) + arb(float(dn))) / 2]
            if min(abs(r - mp) for mp in mids) < abs(r) * arb(2) ** -40:
                keep.append(xi)
    finally:
        ctx.prec = old
    return np.array(keep, dtype=np.float32)


@pytest.mark.parametrize("name,order,lo", [("sigmoid", 0, 0.5), ("gelu", 1, 1.25),
                                           ("tanh", 0, -0.75)])
def test_midpoint_hard_inputs_go_to_ball_arithmetic(name, order, lo) -> None:
    x = _near_midpoints(name, order, lo, 1 << 19)
    assert x.size >= 2, "the search should find inputs within 2^-40 of a midpoint"
    act = actfn.get(name)
    fmt = _core.format_of(np.float32)
    _, decided = _core._prepass(act, order, x.astype(np.float64), fmt)
    assert not decided.any(), "the pre-pass must hand midpoint-hard inputs to Arb"
    _check(name, act.params, order, x, "float32")
    assert np.array_equal(actfn.reference(name, x, derivative=order),
                          actfn.reference(name, x, derivative=order, prepass=False))


def test_exact_midpoints_round_to_even() -> None:
    """(x + 1)/2 and x/6 + 1/2 at float16 points land exactly on float16 midpoints:
    the zero-radius ball is rounded as an exact value, ties to even."""
    x = points("sparse_sigmoid", np.float16, kind="exhaustive")
    x = x[np.isfinite(x) & (np.abs(x) < 1)]
    got = actfn.reference("sparse_sigmoid", x, prepass=False)
    exact = (x.astype(np.float64) + 1) / 2  # exact in float64
    assert np.array_equal(got, exact.astype(np.float16))  # NumPy's cast: ties to even
    ties = exact != exact.astype(np.float16).astype(np.float64)
    assert ties.sum() > 100


def test_tanhshrink_just_above_a_midpoint() -> None:
    """x - tanh x = x - 1 + 2/(e^{2x} + 1): for even x in [2^24, 2^25) x - 1 is a float32
    midpoint and the exact value lies e^{-2x} above it, far beyond any precision: the
    exact-plus-tail form decides it (rounds away from x - 2, to x)."""
    x = np.array([2.0**24 + 2, 2.0**24 + 6, 3.1e7, -(2.0**24) - 2], dtype=np.float32)
    assert np.array_equal(actfn.reference("tanhshrink", x, prepass=False), x)
    x64 = np.array([2.0**53 + 2, -(2.0**53) - 6])
    assert np.array_equal(actfn.reference("tanhshrink", x64), x64)


# -- exhaustive 16-bit against tests/oracle.py --------------------------------------------
@pytest.mark.parametrize("name,order,dtn,part", [("softsign", 0, "float16", 4),
                                                 ("softsign", 1, "bfloat16", 4),
                                                 ("tanh", 0, "float16", 8)])
def test_exhaustive_16_bit_agrees_with_oracle(name, order, dtn, part) -> None:
    """Every value of the dtype, a ``part``-th of them per run (the oracle costs ~0.1 ms a
    point): the slice rotates with the date, so a few days cover all 65,536."""
    from .accuracy import expected

    x = points(name, DTYPES[dtn], kind="exhaustive")
    assert x.size == 65536
    x = x[datetime.date.today().toordinal() % part::part]
    got = actfn.reference(name, x, derivative=order)
    with np.errstate(invalid="ignore"):  # ml_dtypes' casts of nan
        want = expected(name, actfn.get(name).params, order, x)
        nan = np.isnan(got.astype(np.float64))
        assert np.array_equal(nan, np.isnan(want.astype(np.float64)))
    assert np.array_equal(ordinal(got[~nan]), ordinal(want[~nan]))


# -- the contract -------------------------------------------------------------------------
def test_limits_specials_and_exact_values() -> None:
    x = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0])
    np.testing.assert_array_equal(actfn.reference("sigmoid", x), [1, 0, np.nan, 0.5, 0.5])
    np.testing.assert_array_equal(actfn.reference("exponential", x, dtype=np.float16),
                                  [np.inf, 0, np.nan, 1, 1])
    np.testing.assert_array_equal(actfn.reference("gelu", x, derivative=1), [1, 0, np.nan, .5, .5])
    rng = np.random.default_rng(3)
    xs = rng.standard_normal(200) * 10.0 ** rng.integers(-300, 300, 200)
    for pre in (True, False):
        np.testing.assert_array_equal(actfn.reference("relu", xs, prepass=pre), np.maximum(xs, 0))
        np.testing.assert_array_equal(
            actfn.reference("relu", xs, derivative=1, prepass=pre), (xs > 0).astype(float))
    # overflow to inf and gradual underflow, as IEEE rounds
    assert actfn.reference("exponential", np.float32(89.0)) == np.inf
    assert actfn.reference("exponential", np.array([-103.5]), dtype="float32")[0] == np.float32(
        math.exp(-103.5))


def test_kink_conventions_follow_the_catalog() -> None:
    for name in actfn.names():
        act = actfn.get(name)
        k = np.array(sorted(set(act.kinks())), dtype=np.float64)
        if k.size == 0:
            continue
        for order in (0, 1, 2):
            got = actfn.reference(name, k, derivative=order, prepass=False)
            fn = getattr(actfn.lookup(name).exact, _ORDERS[order])
            want = [float(mpmath.mpf(fn(mpmath.mpf(v), mpmath, **act.params))) for v in k]
            np.testing.assert_array_equal(got, want, err_msg=f"{name} order {order}")


def test_mpmath_fallback(monkeypatch) -> None:
    x = np.concatenate([points("gelu", np.float32)[::40], [np.float32(2.0**24 + 2)]])
    x = x.astype(np.float32)
    want = {o: actfn.reference("gelu", x, derivative=o, prepass=False) for o in (0, 1)}
    t = np.array([2.0**24 + 2, 0.25, -3.0], dtype=np.float32)
    want_t = actfn.reference("hardswish", t, prepass=False)
    monkeypatch.setattr(_core, "have_flint", lambda: False)
    for o in (0, 1):
        assert np.array_equal(actfn.reference("gelu", x, derivative=o, prepass=False), want[o],
                              equal_nan=True)
    assert np.array_equal(actfn.reference("hardswish", t, prepass=False), want_t)


def test_bad_arguments_are_named_and_input_is_untouched() -> None:
    x = np.array([1.0, -2.0])
    before = x.copy()
    with pytest.raises(ValueError, match="derivative"):
        actfn.reference("relu", x, derivative=3)
    with pytest.raises(ValueError, match="derivative"):
        actfn.reference("relu", x, derivative=True)
    with pytest.raises(TypeError, match="unsupported dtype.*float16.*float64"):
        actfn.reference("relu", x, dtype="int8")
    with pytest.raises(TypeError, match="pass dtype="):
        actfn.reference("relu", np.array([1, 2]))
    with pytest.raises(ValueError, match="alpha > 0"):
        actfn.reference("celu", x, alpha=0.0)
    with pytest.raises(TypeError, match="unexpected parameter"):
        actfn.reference("relu", x, alpha=1.0)
    with pytest.raises((KeyError, ValueError), match="no_such"):
        actfn.reference("no_such", x)
    np.testing.assert_array_equal(x, before)
    assert actfn.reference("relu", np.array([1, -2]), dtype="bfloat16").dtype == DTYPES["bfloat16"]
    assert actfn.reference("celu", x, alpha=0.5).shape == (2,)


def test_undecided_raises_naming_the_element(monkeypatch) -> None:
    """A branch that no precision can tell (π - π > 0 is an overlapping ball at every
    precision) raises ReferenceUndecided naming the element instead of looping."""
    monkeypatch.setattr(_core, "MAX_PREC", 512)

    def undecidable(x, m):
        return m.mpf(1) if (m.pi - m.pi) > 0 else m.mpf(0)

    with pytest.raises(_core.ReferenceUndecided, match=r"demo at x = 0\.5"):
        _core._arb_batch(undecidable, {}, [0.5], _core.format_of(np.float32), "demo")
