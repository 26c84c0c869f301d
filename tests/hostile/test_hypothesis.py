"""Issue 9, item 7: property-based tests over (activation, every parameter across its
whole valid range including its extremes, dtype, inputs including specials).

Each example draws parameters from a strategy built from the activation's
:class:`~actfn._registry.Param` declarations (bounds, inclusive flags, choices, vector),
a dtype and 16 inputs mixing ±0, ±inf, nan, subnormals, ±max, kinks, points scaled by
the parameters and random values, and asserts

* no warnings (``simplefilter("error")``), dtype and shape preserved;
* NaN in ↔ NaN out, for f, f' and f'';
* finite where the exact value is finite (a non-finite output at a finite input is
  checked against the mpmath oracle: the exact value must round to that infinity);
* limits at ±inf equal the mathematical limits (:func:`limits`, derived by hand);
* ``value_and_derivative(x)`` is ``(f(x), f'(x))`` bit for bit (once per drawn
  parameter set).

A second, smaller test compares f, f' and f'' at a random finite point with the oracle
(tests/oracle.py) within the accuracy bounds of tests/test_accuracy.py.

Parameterised activations run on the pure-NumPy path (each new parameter value would
compile a new loop, seconds each); those whose parameters are only categorical run on
the compiled path. The number of examples run per activation is printed in the terminal
summary ("hypothesis examples per activation").
"""

from __future__ import annotations

import collections
import contextlib
import functools
import math
import os
import sys
import warnings
from typing import Any

import ml_dtypes
import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actfn
from actfn import _fast
from actfn._registry import Param

from ..oracle import exact, oracle, ordinal, round_to

MAX = sys.float_info.max
NAMES = actfn.names()
DTYPE_NAMES = ("float16", "bfloat16", "float32", "float64")
#: Hypothesis examples per activation; each draws one parameter set and checks it in
#: BATCH cases (dtype, 16 inputs): 1000 × 10 = 10**4 cases per activation (issue 9,
#: item 7). Batching keeps hypothesis's own per-example cost (~2 ms: entropy
#: save/restore, choice bookkeeping) from dominating the CPU budget. ACTFN_HYPOTHESIS_EXAMPLES overrides
#: the number of examples (quick local runs).
EXAMPLES = int(os.environ.get("ACTFN_HYPOTHESIS_EXAMPLES", "1000"))
BATCH = 10
ORACLE_EXAMPLES = 150
F64_BOUND = (2, 4, 4)

COUNTS: collections.Counter[str] = collections.Counter()  # cases checked
RUNS: collections.Counter[str] = collections.Counter()  # hypothesis examples
ORACLE_COUNTS: collections.Counter[str] = collections.Counter()  # cases checked


@pytest.fixture(autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> Any:
    """Attach this test's example counts to its report (``user_properties``), which
    pytest-xdist forwards to the controller; tests/conftest.py adds them up in the
    terminal summary ("hypothesis examples per activation"), with or without ``-n``."""
    before = (COUNTS.copy(), RUNS.copy(), ORACLE_COUNTS.copy())
    yield
    for name in set(COUNTS) | set(RUNS) | set(ORACLE_COUNTS):
        delta = (COUNTS[name] - before[0][name], RUNS[name] - before[1][name],
                 ORACLE_COUNTS[name] - before[2][name])
        if any(delta):
            request.node.user_properties.append(("actfn_hypothesis", (name, *delta)))


# -- strategies ---------------------------------------------------------------------------


def _valid(p: Param, v: float) -> bool:
    try:
        p.validate(v, "t")
    except ValueError:
        return False
    return True


def real_strategy(p: Param) -> st.SearchStrategy[float]:
    """Every float ``p`` accepts, with its extremes drawn often: the bounds (or
    ±max), the floats next to them, 0, ±5e-324, the smallest normal, 1e±300 …"""
    lo = -MAX if p.lower is None else p.lower
    hi = MAX if p.upper is None else p.upper
    cands = [lo, hi, math.nextafter(lo, math.inf), math.nextafter(hi, -math.inf), p.default,
             0.0, -0.0, 1.0, -1.0]
    for m in (5e-324, sys.float_info.min, 1e-300, 1e-150, 1e-20, 1e20, 1e150, 1e300, MAX):
        cands += [m, -m]
    extremes = [c for c in dict.fromkeys(float(c) for c in cands) if _valid(p, c)]
    span = st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False,
                     exclude_min=p.lower is not None and not p.lower_inclusive,
                     exclude_max=p.upper is not None and not p.upper_inclusive)
    return st.one_of(st.sampled_from(extremes), span).filter(lambda v: _valid(p, v))


def param_strategy(p: Param) -> st.SearchStrategy[Any]:
    if p.choices is not None:
        return st.sampled_from(p.choices)
    real = real_strategy(p)
    if p.vector:
        return st.one_of(real, st.lists(real, min_size=1, max_size=4).map(tuple))
    return real


_STRATS: dict[str, st.SearchStrategy[Any]] = {}


def params_strategy(name: str) -> st.SearchStrategy[dict[str, Any]]:
    if name not in _STRATS:
        spec = actfn.get(name).spec
        _STRATS[name] = st.fixed_dictionaries({p.name: param_strategy(p) for p in spec.params})
    return _STRATS[name]


def bind(name: str, params: dict[str, Any]) -> actfn.Activation:
    """The activation, repairing cross-parameter checks (min_val < max_val, lower ≤
    upper) by swapping, or by moving one of two equal values to the next float."""
    try:
        return actfn.get(name, **params)
    except ValueError:
        keys = list(params)
        if len(keys) != 2:
            raise
        swapped = {keys[0]: params[keys[1]], keys[1]: params[keys[0]]}
        try:
            return actfn.get(name, **swapped)
        except ValueError:
            pass
        a, b = params[keys[0]], params[keys[1]]
        if a != b:
            raise
        # hardtanh with min_val == max_val: the closest valid pair
        lo, hi = (math.nextafter(a, -math.inf), a) if a == MAX else (a, math.nextafter(a, math.inf))
        try:
            return actfn.get(name, **{keys[0]: lo, keys[1]: hi})
        except ValueError:
            return actfn.get(name, **{keys[0]: hi, keys[1]: lo})


def _dtype(dtn: str) -> np.dtype:
    return np.dtype(ml_dtypes.bfloat16) if dtn == "bfloat16" else np.dtype(dtn)


def _finfo(dtn: str) -> Any:
    return ml_dtypes.finfo(_dtype(dtn)) if dtn == "bfloat16" else np.finfo(_dtype(dtn))


def inputs(act: actfn.Activation, dtn: str, seed: int) -> np.ndarray:
    """16 inputs of dtype ``dtn``: specials, kinks, parameter-scaled points, random."""
    fi = _finfo(dtn)
    tiny = float(fi.smallest_subnormal)
    pool = [0.0, -0.0, math.inf, -math.inf, math.nan, tiny, -tiny, float(fi.smallest_normal),
            -float(fi.smallest_normal), float(fi.max), -float(fi.max), 1.0, -1.0]
    pool += [float(k) for k in act.kinks()]
    for v in act.params.values():
        for p in (v if isinstance(v, tuple) else (v,)):
            if isinstance(p, float) and p != 0.0:
                for k in (1.0, 40.0, 745.0, 1500.0):
                    pool += [k * p, -k * p, k / p, -k / p]
    rng = np.random.default_rng(seed)
    lo, hi = math.log10(tiny), math.log10(float(fi.max))
    u = rng.random(16)
    picked = np.array(pool)[rng.integers(len(pool), size=16)]
    uniform = rng.uniform(-10.0, 10.0, 16)
    wide = np.where(rng.random(16) < 0.5, -1.0, 1.0) * 10.0 ** rng.uniform(lo, hi, 16)
    vals = np.where(u < 0.45, picked, np.where(u < 0.7, uniform, wide))
    with np.errstate(all="ignore"):
        x = vals.astype(_dtype(dtn))
    c = _channels(act)
    if c > 1:
        x = x[: (16 // c) * c].reshape(16 // c, c)
    return x


def _channels(act: actfn.Activation) -> int:
    w = act.params.get("weight") if act.name == "prelu" else None
    return len(w) if isinstance(w, tuple) else 1


# -- mathematical limits at ±inf ----------------------------------------------------------

#: Far enough out for the reference formulas' limits at ±inf (as tests/hostile/test_params).
_FAR = mpmath.mpf(10) ** 4000


def limits(name: str, p: dict[str, Any]) -> tuple[Any, ...]:
    """(f(-inf), f(+inf), f'(-inf), f'(+inf), f''(-inf), f''(+inf)) of ``name`` at
    parameters ``p``: its reference formulas (Spec.exact, through the oracle) at
    ±10**4000, which round to the limit in every float format (for every built-in
    activation they agreed with the limits worked out by hand that this replaced: no
    list of names by shape to keep up to date)."""
    fns = oracle(name, p)
    return tuple(fn(s * _FAR) for fn in fns for s in (-1, 1))


# -- checks -------------------------------------------------------------------------------


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


@functools.lru_cache(maxsize=4096)
def _rounded(want: mpmath.mpf, dtn: str) -> Any:
    return round_to(want, dtn)


def _ulps(got: float, want: mpmath.mpf, dtn: str) -> int:
    w = np.array([_rounded(want, dtn)], dtype=_dtype(dtn))
    g = np.array([got], dtype=_dtype(dtn))
    if np.isnan(g[0].astype(np.float64)):
        return 1 << 62
    return abs(ordinal(g)[0] - ordinal(w)[0])


def _path(act: actfn.Activation):
    categorical = all(q.choices is not None for q in act.spec.params)
    return contextlib.nullcontext() if categorical else _fast.disabled()


def check_example(act: actfn.Activation, dtn: str, x: np.ndarray, fused: bool = True) -> None:
    """The properties listed in the module docstring; ``fused=False`` skips the
    value_and_derivative identity (two more kernel runs on the NumPy path)."""
    with warnings.catch_warnings(), _path(act):
        warnings.simplefilter("error")
        outs = [act(x), act.derivative(x), act.second_derivative(x)]
        vf, vd = act.value_and_derivative(x) if fused else outs[:2]
    nan_in = np.isnan(x.astype(np.float64))
    for which, y in enumerate(outs):
        assert y.dtype == x.dtype and y.shape == x.shape, (which, y.dtype, y.shape)
        nan_out = np.isnan(y.astype(np.float64))
        assert np.array_equal(nan_out, nan_in), f"NaN in/out differ: {act!r} {which} x={x}"
    for got, ref, what in ((vf, outs[0], "f"), (vd, outs[1], "f'")):
        assert got.dtype == x.dtype
        assert np.array_equal(_bits(got), _bits(ref)), (
            f"value_and_derivative {what} differs from the separate call: {act!r} x={x}"
        )
    flat = x.astype(np.float64).ravel()
    bound = F64_BOUND if dtn == "float64" else (1, 1, 1)
    for i in np.flatnonzero(np.isinf(flat)):
        lim = limits(act.name, _oracle_params(act, i, x))
        side = 1 if flat[i] > 0 else 0
        for which in range(3):
            got = outs[which].ravel()[i]
            want = lim[2 * which + side]
            assert _ulps(got, want, dtn) <= bound[which], (
                f"{act!r} {('f', 'df', 'd2f')[which]}({flat[i]}) = {got!r}, limit "
                f"{mpmath.nstr(want, 17)} ({dtn})"
            )
    for which in range(3):
        y64 = outs[which].astype(np.float64).ravel()
        for i in np.flatnonzero(np.isfinite(flat) & ~np.isfinite(y64)):
            # inf where the exact value rounds to the largest finite float is the next
            # float (1 ulp in the ordinal measure of tests/oracle.py): within the bound.
            fns = oracle(act.name, _oracle_params(act, i, x))
            want = exact(fns[which], float(flat[i]))
            got = outs[which].ravel()[i]
            assert _ulps(got, want, dtn) <= bound[which], (
                f"{act!r} {('f', 'df', 'd2f')[which]}({flat[i]!r}) = {got!r} but the exact "
                f"value is {mpmath.nstr(want, 17)} ({dtn})"
            )


def _oracle_params(act: actfn.Activation, i: int, x: np.ndarray) -> dict[str, Any]:
    p = act.params
    if act.name == "prelu" and isinstance(p["weight"], tuple):
        c = len(p["weight"])
        return {"weight": p["weight"][i % c]}
    return p


def case_strategy(name: str) -> st.SearchStrategy[tuple[actfn.Activation, str, int]]:
    """(activation with drawn parameters, dtype name, seed of the 16 inputs)."""
    return st.tuples(params_strategy(name).map(lambda p: bind(name, p)),
                     st.sampled_from(DTYPE_NAMES), st.integers(0, 2**28))


_SETTINGS = {"deadline": None, "derandomize": True, "database": None,
             "suppress_health_check": list(HealthCheck)}


def _properties_test(name: str):
    @settings(max_examples=EXAMPLES, **_SETTINGS)
    @given(case=case_strategy(name))
    def test(case):
        # One drawn parameter set, BATCH cases: every dtype in turn, each with its own
        # 16 inputs (input seeds derived from the drawn one).
        act, dtn, seed = case
        first = DTYPE_NAMES.index(dtn)
        for k in range(BATCH):
            d = DTYPE_NAMES[(first + k) % len(DTYPE_NAMES)]
            # value_and_derivative once per drawn parameter set (the dtype rotates)
            check_example(act, d, inputs(act, d, seed * BATCH + k), fused=k == 0)
            COUNTS[name] += 1
        RUNS[name] += 1

    return test


def _oracle_test(name: str):
    @settings(max_examples=ORACLE_EXAMPLES, **_SETTINGS)
    @given(case=case_strategy(name))
    def test(case):
        act, dtn, seed = case
        check_oracle(act, dtn, inputs(act, dtn, seed), seed)
        ORACLE_COUNTS[name] += 1

    return test


_PROPERTY_TESTS = {name: _properties_test(name) for name in NAMES}
_ORACLE_TESTS = {name: _oracle_test(name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_properties_over_parameters_dtypes_and_specials(name):
    _PROPERTY_TESTS[name]()


@pytest.mark.parametrize("name", NAMES)
def test_values_match_the_oracle_at_random_points(name):
    _ORACLE_TESTS[name]()


def check_oracle(act: actfn.Activation, dtn: str, x: np.ndarray, seed: int) -> None:
    """f, f', f'' at one finite input (chosen by ``seed``) within the accuracy bounds."""
    flat = x.astype(np.float64).ravel()
    finite = np.flatnonzero(np.isfinite(flat))
    if finite.size == 0:
        return
    i = int(finite[seed % finite.size])
    bound = F64_BOUND if dtn == "float64" else (1, 1, 1)
    fns = oracle(act.name, _oracle_params(act, i, x))
    with warnings.catch_warnings(), _path(act):
        warnings.simplefilter("error")
        outs = [act(x), act.derivative(x), act.second_derivative(x)]
    for which in range(3):
        got = outs[which].ravel()[i]
        want = exact(fns[which], float(flat[i]))
        assert _ulps(got, want, dtn) <= _bound(act.name, which, bound), (
            f"{act!r} {('f', 'df', 'd2f')[which]}({flat[i]!r}) = {got!r}, exact "
            f"{mpmath.nstr(want, 17)} ({dtn})"
        )


def _bound(name: str, which: int, bound: tuple[int, ...]) -> int:
    # Every activation, at any parameter value, meets the bound: no float64 exception
    # list any more (issue 10).
    return bound[which]
