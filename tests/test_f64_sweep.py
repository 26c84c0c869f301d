"""Dense accuracy sweeps (issue 10): the inputs that the fixed test points of
tests/test_accuracy.py missed.

Bounds: float64 f ≤ 2 ulp, f′ and f″ ≤ 4 ulp; float32, float16 and bfloat16 ≤ 1 ulp; for
every activation (defaults and ``Spec.cases``), on both NumPy code paths, against
``actfn.reference`` (python-flint ball arithmetic, correctly rounded), with mpmath as a
second, independent check on a subset. No exception list.

* bands: every input where f, f′, f″ or an exponential inside the kernel crosses the
  smallest normal, the smallest subnormal or the largest value of float64 or float32,
  found from the kernels themselves (tests/f64sweep.py), sampled densely around each;
* random float64: every function gets ``RANDOM_EACH`` = 10⁵ inputs each run (seeded per
  function and day, seed printed; replay with ``ACTFN_SWEEP_SEED``), and a rotating choice
  of ``ROTATING`` functions gets ``RANDOM_ROTATING`` = 10⁶;
* exhaustive float16 and bfloat16: all 65,536 inputs of every function (the reference's
  float64 pre-pass decides most of them from actfn's float64 value, so this takes
  seconds; the rest go to ball arithmetic).

``ACTFN_SWEEP_FULL=1`` runs 10⁶ random float64 inputs for every function and 2,000
random inputs per band edge (hours; a command to run, not CI).
``python tools/f64_sweep.py [--full]`` prints the per-activation × dtype table.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from . import f64sweep as S

FULL = os.environ.get("ACTFN_SWEEP_FULL") == "1"
#: Random float64 inputs per function per run, for every function / the rotating ones.
RANDOM_EACH = 1_000_000 if FULL else 100_000
RANDOM_ROTATING = 1_000_000
#: How many (activation, function) pairs get RANDOM_ROTATING inputs on top, each run.
ROTATING = 1
#: Random points and float neighbours per band edge.
PER_EDGE = 2000 if FULL else 24
NEIGHBOURS = 8

CASES = S.sweep_cases()
IDS = [S.case_id(c) for c in CASES]
PAIRS = [(c, w) for c in CASES for w in S.WHICH]
PAIR_IDS = [f"{S.case_id(c)}-{w}" for c, w in PAIRS]


def _check(case, which, x, dtype_name, what):
    if x.size == 0:  # no edge (f″ of a piecewise-linear activation is 0 everywhere)
        return
    want = S.reference(case, which, x)
    keep = S.decided(want, x)
    assert keep.mean() > 0.999, f"reference undecided at {np.flatnonzero(~keep).size} inputs"
    x, want = x[keep], want[keep]
    bound = S.BOUNDS[dtype_name][which]
    for path in ("compiled", "numpy"):
        got = S.evaluate(case, which, x, path)
        assert got.dtype == x.dtype
        u = S.ulps(got, want)
        bad = np.flatnonzero(u > bound)
        if bad.size:
            i = bad[np.argmax(u[bad])]
            pytest.fail(f"{S.case_id(case)} {which} {dtype_name} {path} ({what}): {bad.size} of "
                        f"{x.size} inputs beyond {bound} ulp; worst {u[i]} ulp at x={x[i]!r}: "
                        f"got {got[i]!r}, want {want[i]!r}")


def _rotating(pairs, k, salt):
    seed = S.rotation(salt)
    print(f"rotation seed {seed} (ACTFN_SWEEP_SEED={seed // 1000003} replays it)")
    if FULL:
        return list(range(len(pairs)))
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(len(pairs), size=k, replace=False).tolist())


@pytest.mark.parametrize(("case", "which"), PAIRS, ids=PAIR_IDS)
def test_underflow_and_overflow_bands(case, which):
    """Dense sweep around every edge where a value or an intermediate exponential crosses
    float64's or float32's smallest normal, smallest subnormal or largest value."""
    seed = S.rotation(S.case_id(case) + which)
    e = S.edges(case, which)
    for dt in ("float64", "float32"):
        x = S.band_points(e, dt, PER_EDGE, seed, NEIGHBOURS)
        _check(case, which, np.concatenate([x, S.specials(dt)]), dt,
               f"bands around {e.size} edges, ±0, ±inf, ±largest, ±smallest")


@pytest.mark.parametrize(("case", "which"), PAIRS, ids=PAIR_IDS)
def test_random_float64(case, which):
    """Log-uniform |x| in 1e-300…1e300 (both signs) and uniform [-40, 40]."""
    seed = S.rotation(S.case_id(case) + which)
    print(f"seed {seed} (ACTFN_SWEEP_SEED={seed // 1000003} replays it)")
    _check(case, which, S.random_points(RANDOM_EACH, seed), "float64", f"{RANDOM_EACH} random")


def test_random_float64_rotating():
    """10⁶ random float64 inputs for a daily rotating choice of (activation, function)
    (every function over about five months; ``ACTFN_SWEEP_FULL=1``: all of them)."""
    if FULL:
        return  # test_random_float64 already runs 10⁶ for every function
    for i in _rotating(PAIRS, ROTATING, "random"):
        case, which = PAIRS[i]
        x = S.random_points(RANDOM_ROTATING, S.rotation("big" + S.case_id(case) + which))
        _check(case, which, x, "float64", f"{RANDOM_ROTATING} random")


#: Activations with parameters that get a random parameter set each run, and inputs per
#: set and function (tools/param_hunt.py runs every activation, with more sets).
PARAM_ROTATING, PARAM_POINTS = 2, 600


def test_random_parameters_rotating():
    """A daily rotating choice of activations at random parameter values (each real
    parameter log-uniform over its whole valid range, extremes like 1e-300 and 1e300
    included: :func:`tests.f64sweep.random_params`), f, f′, f″ in float64 and float32 on
    inputs log-uniform in ±1e-320…1e308, uniform in [-800, 800] and around the band edges
    of that parameter set."""
    import actfn

    seed = S.rotation("params")
    print(f"rotation seed {seed} (ACTFN_SWEEP_SEED={seed // 1000003} replays it)")
    rng = np.random.default_rng(seed)
    names = [n for n in actfn.names() if actfn.get(n).spec.params]
    for name in rng.choice(names, size=PARAM_ROTATING, replace=False).tolist():
        params = S.random_params(name, rng)
        assert params is not None, name
        for which in S.WHICH:
            x = S.hunt_points((name, params), which, PARAM_POINTS, seed)
            for dt in ("float64", "float32"):
                with np.errstate(over="ignore"):
                    xd = np.unique(x.astype(S.DTYPES[dt]))
                _check((name, params), which, xd, dt, f"random parameters {params}")


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
@pytest.mark.parametrize(("case", "which"), PAIRS, ids=PAIR_IDS)
def test_exhaustive_16bit(case, which, dtype_name):
    """All 65,536 float16 / bfloat16 inputs (the NaN patterns as one quiet NaN)."""
    _check(case, which, S.all_16bit(dtype_name), dtype_name, "exhaustive")


#: Inputs that reviews found beyond the bound, (activation, parameters, function, dtype,
#: inputs), each checked on both paths: cheap, and each failed before its fix.
REGRESSIONS = [
    # softplus f: exp, log1p and the division by β rounded in turn (3 ulp, issue 10)
    ("softplus", {"beta": 37.0}, "f", "float64", [-18.918524768926744]),
    ("softplus", {"beta": 1.1}, "f", "float64", [-577.1170191398407, -587.8609922116316]),
    ("softplus", {"beta": 1e16}, "f", "float64", [-6.11994860203372e-14]),
    ("softplus", {"beta": 1e10}, "f", "float64", [-6.82620237753571e-08]),
    ("softplus", {"beta": 1.1}, "f", "float64", [-21.415184412276638]),
    ("softplus", {"beta": 37.0}, "f", "float64", [-0.521261139187892]),
    ("softplus", {"beta": 1e10}, "f", "float64", [-1.5865253922731153e-09]),
    ("softplus", {"beta": 0.37}, "f", "float64", [-42.094680950282914]),
    ("softplus", {"beta": 3e-7}, "f", "float64", [-89908310.55503762]),
    # xielu f near its negative root x_r ≈ -2β/αn for β ≲ 1e-60: the root's constants at 60
    # digits took e^x − 1 − x as −x (f(x_r) = 1.7e-73 instead of 0: 10¹⁴ ulp)
    ("xielu", {"alpha_p": 1.1995127198574599e-84, "alpha_n": 1.000313651731262,
               "beta": 8.427915267747972e-74, "eps": -9.670484766473739e-127}, "f", "float64",
     [-9.051313862680842e-26, -3e-30]),
    # silu f: x·e and the tail's e·(1 + δ) rounded before the quotient (3 ulp compiled)
    ("silu", {"beta": 52091.155}, "f", "float64",
     [-0.013198524948746695, -0.013198537757375934, -0.013198559892872913,
      -0.01319852486405052, -0.013198546624439431, -0.013198533870037776]),
    # gelu_sigmoid f′: the bracket 1 + zσ(-z) without z's low part (5 ulp, jax-acc)
    ("gelu_sigmoid", {}, "df", "float64",
     [-2.850011690086506, -2.8500116900867027, -2.850011690086575]),
]


@pytest.mark.parametrize(("name", "params", "which", "dtype_name", "xs"), REGRESSIONS,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}-{r[3]}-{i}" for i, r in enumerate(REGRESSIONS)])
def test_regression_points(name, params, which, dtype_name, xs):
    """Points found by reviews and the parameter hunt (tools/f64_sweep.py --hunt)."""
    _check((name, params), which, np.array(xs, dtype=S.DTYPES[dtype_name]), dtype_name,
           "regression points")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_mpmath_agrees_with_flint(case):
    """Two independent arbitrary-precision implementations give the same correctly
    rounded float64 values (a subset: random, and one band point per edge)."""
    seed = S.rotation("mp" + S.case_id(case))
    for which in S.WHICH:
        e = S.edges(case, which)
        # (mpmath's fixed 256 bits cannot round results within 2^-256 of a midpoint, such
        # as f(x) ≈ x/2 for a subnormal x: edges below 1e-300 are left to the ball check)
        e = e[np.isfinite(e) & (np.abs(e) > 1e-300)]
        x = np.concatenate([S.random_points(8, seed), e[:8]])
        a = S.reference(case, which, x)
        b = S.mpmath_reference(case, which, x)
        keep = S.decided(a, x)
        np.testing.assert_array_equal(S.ulps(a[keep], b[keep]), 0)


def test_edges_are_derived_from_the_functions():
    """The edge finder locates, for sigmoid, the inputs where σ' = e^x/(1 + e^x)²
    becomes subnormal (x = ln 2^-1022 ≈ -708.40) and where it underflows to 0, and
    where σ crosses float32's smallest normal (x ≈ ln 2^-126 ≈ -87.34)."""
    import math

    e = S.edges(("sigmoid", {}), "df")
    for target in (-1022 * math.log(2), 1022 * math.log(2), -126 * math.log(2)):
        assert np.min(np.abs(e - target)) < 1e-6, target
    assert np.any((e < -745.0) & (e > -745.2))  # σ'(x) < 2^-1075: rounds to 0


def test_band_points_surround_each_edge():
    pts = S.band_points(np.array([-708.4, 1e-310]), "float64", 50, 1, 4)
    assert np.any((pts > -709) & (pts < -708.4)) and np.any((pts > -708.4) & (pts < -708))
    assert np.any((pts > 1e-311) & (pts < 1e-310)) and np.any((pts > 1e-310) & (pts < 1e-309))
    assert -708.4 in pts.tolist()
