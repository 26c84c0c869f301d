"""Hypothesis property tests of the core catalog: monotonicity, bounds and identities.

Deterministic: every test runs with ``derandomize=True`` (the examples are a function of
the test), so CI and local runs see the same inputs. Inputs are float64 arrays drawn by
hypothesis; identities hold to within a few ulps of the magnitudes involved, which is
what float64 evaluation of both sides can promise.

Monotonicity, bounds and the reflection identity are parametrized over the registry and
read each spec's ``knowledge.properties`` (``monotone``, ``range``, ``reflection`` and
``also_at``), so a new spec is covered as soon as its knowledge file states them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import actfn

SETTINGS = settings(derandomize=True, max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
EPS = np.finfo(np.float64).eps


def floats(lo: float = -50.0, hi: float = 50.0) -> st.SearchStrategy[np.ndarray]:
    """Arrays of 1..64 finite float64 values in [lo, hi] (hypothesis includes the ends,
    ±0, tiny and subnormal values)."""
    return arrays(np.float64, st.integers(1, 64),
                  elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False))


ANY_FINITE = arrays(np.float64, st.integers(1, 64),
                    elements=st.floats(allow_nan=False, allow_infinity=False))


def assert_ulps(a: np.ndarray, b: np.ndarray, n: float | np.ndarray,
                scale: np.ndarray | None = None, what: str = "") -> None:
    """|a - b| ≤ n·eps·max(|a|, |b|, scale) elementwise (scale: magnitudes of the terms
    a side was computed from, where they exceed the result)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mag = np.maximum(np.abs(a), np.abs(b))
    if scale is not None:
        mag = np.maximum(mag, np.abs(scale))
    tol = n * EPS * mag + np.finfo(np.float64).smallest_subnormal
    bad = ~(np.abs(a - b) <= tol)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise AssertionError(f"{what}: {a[i]!r} vs {b[i]!r} (index {i}, {bad.sum()} bad)")


def props(name: str) -> actfn.Properties | None:
    return actfn.lookup(name).knowledge.properties


WITH_PROPS = [n for n in actfn.names() if props(n) is not None]
MONOTONE = [n for n in WITH_PROPS if props(n).monotone]
NOT_MONOTONE = [n for n in WITH_PROPS if not props(n).monotone]


def test_every_builtin_has_properties() -> None:
    assert WITH_PROPS == actfn.names()


# -- monotonicity and bounds, over the registry -----------------------------------------------
@pytest.mark.parametrize("name", MONOTONE)
@SETTINGS
@given(x=ANY_FINITE)
def test_monotone(name: str, x: np.ndarray) -> None:
    act = actfn.get(name)
    xs = np.sort(x)
    y = act(xs)
    assert (y[1:] >= y[:-1]).all(), (xs, y)
    assert (act.derivative(x) >= 0).all()


@pytest.mark.parametrize("name", NOT_MONOTONE)
def test_not_monotone_somewhere(name: str) -> None:
    x = np.linspace(-10.0, 10.0, 20001)
    act = actfn.get(name)
    assert (np.diff(act(x)) < 0).any() and (act.derivative(x) < 0).any()


@pytest.mark.parametrize("name", WITH_PROPS)
@SETTINGS
@given(x=ANY_FINITE)
def test_bounds(name: str, x: np.ndarray) -> None:
    lo, hi = props(name).range
    y = actfn.get(name)(np.concatenate([x, [math.inf, -math.inf]]))
    # The stored ends are floats near the exact extrema: allow 4 ulps of slack.
    assert (y >= lo - 4 * EPS * abs(lo)).all(), (lo, y.min())
    assert (y <= hi + 4 * EPS * abs(hi)).all(), (hi, y.max())


# -- symmetry identities -------------------------------------------------------------------------
@SETTINGS
@given(x=floats(-800, 800))
def test_sigmoid_reflection(x: np.ndarray) -> None:
    s = actfn.get("sigmoid")
    assert_ulps(s(-x), 1.0 - s(x), 2, scale=np.ones_like(x), what="σ(-x) = 1 - σ(x)")
    assert_ulps(s(x) + s(-x), np.ones_like(x), 1, what="σ(x) + σ(-x) = 1")
    np.testing.assert_array_equal(s.derivative(-x), s.derivative(x))  # σ' even, exactly
    np.testing.assert_array_equal(s.second_derivative(-x), -s.second_derivative(x))


@SETTINGS
@given(x=ANY_FINITE)
def test_tanh_odd(x: np.ndarray) -> None:
    t = actfn.get("tanh")
    np.testing.assert_array_equal(t(-x), -t(x))
    np.testing.assert_array_equal(t.derivative(-x), t.derivative(x))
    np.testing.assert_array_equal(t.second_derivative(-x), -t.second_derivative(x))


@SETTINGS
@given(x=floats(-300, 300))
def test_tanh_is_shifted_sigmoid(x: np.ndarray) -> None:
    s = actfn.get("sigmoid")(2 * x)
    assert_ulps(actfn.tanh(x), 2 * s - 1, 4, scale=np.ones_like(x), what="tanh = 2σ(2x) - 1")


#: (name, parameters) for f(x) - f(-x) = x: every activation whose properties state
#: ``reflection``, at the defaults and at each of its ``also_at`` parameter sets.
REFLECTION = [(n, dict(p)) for n in WITH_PROPS if props(n).reflection
              for p in ({}, *props(n).also_at)]


@pytest.mark.parametrize(("name", "params"), REFLECTION)
@SETTINGS
@given(x=floats(-60, 60))
def test_f_minus_reflection_is_x(name: str, params: dict, x: np.ndarray) -> None:
    """f(x) - f(-x) = x and f'(x) + f'(-x) = 1 for f = x·g(x) with g(x) + g(-x) = 1 (and
    softplus, log σ): every activation whose knowledge states ``reflection``."""
    act = actfn.get(name, **params)
    a, b = act(x), act(-x)
    assert_ulps(a - b, x, 3, scale=np.maximum(abs(a), abs(b)), what=f"{act}: f(x) - f(-x)")
    x = x[~np.isin(np.abs(x), np.abs(act.kinks()))]  # f′ there is a convention (relu: 0)
    da, db = act.derivative(x), act.derivative(-x)
    assert_ulps(da + db, np.ones_like(x), 3, scale=np.maximum(abs(da), abs(db)),
                what=f"{act}: f'(x) + f'(-x) away from the kinks")


# -- family identities -----------------------------------------------------------------------------
METHODS = ("__call__", "derivative", "second_derivative")


def _all(act: actfn.Activation, x: np.ndarray) -> list[np.ndarray]:
    return [getattr(act, m)(x) for m in METHODS]


@SETTINGS
@given(x=floats(-750, 750))
def test_selu_is_scaled_elu(x: np.ndarray) -> None:
    selu = actfn.get("selu")
    p = selu.params
    elu = actfn.get("elu", alpha=p["alpha"])
    for m, a, b in zip(METHODS, _all(selu, x), _all(elu, x), strict=True):
        assert_ulps(a, p["scale"] * b, 2, what=f"selu.{m} = scale·elu.{m}")


@SETTINGS
@given(x=floats(-750, 750))
def test_celu_alpha_1_is_elu(x: np.ndarray) -> None:
    for m, a, b in zip(METHODS, _all(actfn.get("celu", alpha=1.0), x),
                       _all(actfn.get("elu", alpha=1.0), x), strict=True):
        assert_ulps(a, b, 1, what=f"celu(1).{m} = elu(1).{m}")


@SETTINGS
@given(x=floats(-100, 100), alpha=st.sampled_from([0.25, 0.5, 2.0, 4.0]))
def test_celu_scaling(x: np.ndarray, alpha: float) -> None:
    """celu(x; α) = α·celu(x/α; 1) (α a power of two, so x/α is exact)."""
    lhs = actfn.get("celu", alpha=alpha)(x)
    rhs = alpha * actfn.get("celu", alpha=1.0)(x / alpha)
    assert_ulps(lhs, rhs, 2, what="celu scaling")


@SETTINGS
@given(x=floats(-700, 700))
def test_elu_is_expm1_below_zero(x: np.ndarray) -> None:
    alpha = 0.75
    elu = actfn.get("elu", alpha=alpha)
    neg = np.minimum(x, 0.0)
    assert_ulps(elu(neg), alpha * np.expm1(neg), 2, what="elu = α·expm1")
    assert_ulps(elu.derivative(neg), alpha * np.exp(neg), 2, what="elu' = α·exp")


@SETTINGS
@given(x=floats(-400, 400))
def test_gelu_sigmoid_is_silu_1702(x: np.ndarray) -> None:
    """gelu_sigmoid uses the decimal 1.702 exactly, silu(beta=1.702) the nearest double
    (2.2e-17 relative below it): exp(1.702x) magnifies that by |1.702x|."""
    n = 4 + 0.25 * np.abs(1.702 * x)
    for m, a, b in zip(METHODS, _all(actfn.get("gelu_sigmoid"), x),
                       _all(actfn.get("silu", beta=1.702), x), strict=True):
        assert_ulps(a, b, n, what=f"gelu_sigmoid.{m} = silu(1.702).{m}")


@SETTINGS
@given(x=floats(-700, 700))
def test_silu_is_x_sigmoid(x: np.ndarray) -> None:
    s = actfn.get("sigmoid")
    assert_ulps(actfn.silu(x), x * s(x), 2, what="silu = x·σ(x)")
    d = actfn.get("silu").derivative(x)
    terms = (s(x), x * s.derivative(x))
    assert_ulps(d, terms[0] + terms[1], 4, scale=abs(terms[0]) + abs(terms[1]),
                what="silu' = σ + x·σ'")


@SETTINGS
@given(x=floats(-700, 700))
def test_softplus_logsigmoid(x: np.ndarray) -> None:
    sp, ls, s = actfn.get("softplus"), actfn.get("logsigmoid"), actfn.get("sigmoid")
    assert_ulps(ls(x), -sp(-x), 1, what="logsigmoid = -softplus(-x)")
    assert_ulps(ls.derivative(x), s(-x), 1, what="logsigmoid' = σ(-x)")
    assert_ulps(sp.derivative(x), s(x), 1, what="softplus' = σ")
    assert_ulps(sp.second_derivative(x), s.derivative(x), 1, what="softplus'' = σ'")
    assert_ulps(sp(x) - sp(-x), x, 2, scale=sp(x), what="softplus(x) - softplus(-x) = x")
    assert (sp(x) >= np.maximum(x, 0.0)).all()


@SETTINGS
@given(x=floats(-50, 50), beta=st.sampled_from([0.5, 2.0, 4.0]))
def test_softplus_beta_scaling(x: np.ndarray, beta: float) -> None:
    """softplus(x; β) = softplus(βx)/β (β a power of two: βx exact)."""
    assert_ulps(actfn.get("softplus", beta=beta)(x), actfn.softplus(beta * x) / beta, 2,
                what="softplus(β)")


@SETTINGS
@given(x=floats(-10, 10))
def test_hardswish_is_x_hardsigmoid(x: np.ndarray) -> None:
    hs = actfn.get("hardsigmoid")
    assert_ulps(actfn.hardswish(x), x * hs(x), 2, what="hardswish = x·hardsigmoid")
    inside = (x > -3) & (x < 3)
    d = actfn.get("hardswish").derivative(x)
    assert_ulps(d[inside], (hs(x) + x * hs.derivative(x))[inside], 2, scale=np.ones(inside.sum()),
                what="hardswish' = hardsigmoid + x·hardsigmoid'")


@SETTINGS
@given(x=floats(-20, 20))
def test_relu6_is_hardtanh_0_6(x: np.ndarray) -> None:
    x = np.concatenate([x, [0.0, -0.0, 6.0, math.inf, -math.inf]])
    for a, b in zip(_all(actfn.get("relu6"), x),
                    _all(actfn.get("hardtanh", min_val=0.0, max_val=6.0), x), strict=True):
        assert a.tobytes() == b.tobytes()


@SETTINGS
@given(x=ANY_FINITE, slope=st.sampled_from([0.0, 0.01, 0.2, 1.0, 3.0]))
def test_leaky_relu_family(x: np.ndarray, slope: float) -> None:
    x = np.concatenate([x, [0.0, -0.0]])
    leaky = actfn.get("leaky_relu", negative_slope=slope)
    np.testing.assert_array_equal(leaky.derivative(x), np.where(x > 0, 1.0, slope))
    with np.errstate(over="ignore"):  # slope·x = -inf is the right answer there
        np.testing.assert_array_equal(leaky(x), np.where(x > 0, x, slope * x))
    for a, b in zip(_all(leaky, x), _all(actfn.get("prelu", weight=slope), x), strict=True):
        np.testing.assert_array_equal(a, b)
    if slope == 0.0:  # leaky_relu(0) = relu (up to the sign of zero on x < 0)
        for a, b in zip(_all(leaky, x), _all(actfn.get("relu"), x), strict=True):
            np.testing.assert_array_equal(a, b)
    if slope == 1.0:
        np.testing.assert_array_equal(leaky(x), x)


@SETTINGS
@given(x=ANY_FINITE)
def test_rrelu_is_leaky_with_mean_slope(x: np.ndarray) -> None:
    r = actfn.get("rrelu", lower=0.125, upper=0.375)
    leaky = actfn.get("leaky_relu", negative_slope=0.25)
    for a, b in zip(_all(r, x), _all(leaky, x), strict=True):
        np.testing.assert_array_equal(a, b)


@SETTINGS
@given(x=floats(-1e6, 1e6))
def test_mish_and_its_derivative(x: np.ndarray) -> None:
    """mish = x·tanh(softplus x), mish' = tanh(sp) + x·sech²(sp)·σ(x), from actfn's own
    tanh, softplus and sigmoid (tolerance relative to the terms, which can cancel)."""
    sp = actfn.softplus(x)
    g = actfn.tanh(sp)
    sech2 = actfn.get("tanh").derivative(sp)
    s = actfn.sigmoid(x)
    mish = actfn.get("mish")
    assert_ulps(mish(x), x * g, 4, what="mish = x·tanh(softplus)")
    t2 = x * sech2 * s
    assert_ulps(mish.derivative(x), g + t2, 8, scale=abs(g) + abs(t2), what="mish'")
    f, df = mish.value_and_derivative(x)
    assert f.tobytes() == mish(x).tobytes() and df.tobytes() == mish.derivative(x).tobytes()


@SETTINGS
@given(x=floats(-1e100, 1e100), b=st.sampled_from([0.25, 1.0, 4.0, 9.0]))
def test_squareplus(x: np.ndarray, b: float) -> None:
    sq = actfn.get("squareplus", b=b)
    y, yn = sq(x), sq(-x)
    prod = y * yn  # (x + h)/2 · (h - x)/2 = b/4
    ok = (y > 1e-150) & (yn > 1e-150)  # the product would underflow otherwise
    assert_ulps(prod[ok], np.full(ok.sum(), b / 4), 6, what="squareplus(x)·squareplus(-x)")
    assert (y >= np.maximum(x, 0.0)).all()
    assert_ulps(sq.derivative(x) + sq.derivative(-x), np.ones_like(x), 3,
                what="squareplus'(x) + squareplus'(-x) = 1")


@SETTINGS
@given(x=floats(-5, 5))
def test_sparse_plus_derivative_is_sparse_sigmoid(x: np.ndarray) -> None:
    x = np.concatenate([x, [-1.0, 1.0, 0.0]])
    np.testing.assert_array_equal(actfn.get("sparse_plus").derivative(x),
                                  np.where(np.abs(x) == 1.0, x > 0, actfn.sparse_sigmoid(x)))
    inside = np.abs(x) != 1.0
    np.testing.assert_array_equal(actfn.get("sparse_plus").derivative(x)[inside],
                                  actfn.sparse_sigmoid(x)[inside])


@SETTINGS
@given(x=floats(-20, 20), lambd=st.sampled_from([0.0, 0.5, 1.0, 2.5]))
def test_shrinks(x: np.ndarray, lambd: float) -> None:
    soft = actfn.get("softshrink", lambd=lambd)(x)
    np.testing.assert_array_equal(soft, x - np.clip(x, -lambd, lambd))
    hard = actfn.get("hardshrink", lambd=lambd)(x)
    np.testing.assert_array_equal(hard, np.where(np.abs(x) > lambd, x, 0.0))
    assert_ulps(actfn.tanhshrink(x), x - np.tanh(x), 4, scale=x, what="tanhshrink = x - tanh")


@SETTINGS
@given(x=floats(-20, 20), th=st.sampled_from([-1.0, 0.0, 0.5]), v=st.sampled_from([-2.0, 0.0]))
def test_threshold(x: np.ndarray, th: float, v: float) -> None:
    act = actfn.get("threshold", threshold=th, value=v)
    np.testing.assert_array_equal(act(x), np.where(x > th, x, v))
    np.testing.assert_array_equal(act.derivative(x), (x > th).astype(float))


@SETTINGS
@given(x=floats(-700, 700))
def test_exponential_identity_softsign(x: np.ndarray) -> None:
    e = actfn.get("exponential")
    for y in _all(e, x):
        assert_ulps(y, np.exp(x), 1, what="exponential = exp")  # np.exp: not always CR
    np.testing.assert_array_equal(actfn.identity(x), x)
    ss = actfn.get("softsign")
    assert_ulps(ss(x), x / (1 + np.abs(x)), 2, what="softsign")
    assert_ulps(ss.derivative(x), 1 / (1 + np.abs(x)) ** 2, 4, what="softsign'")


@SETTINGS
@given(x=floats(-30, 30))
def test_gelu_forms_close(x: np.ndarray) -> None:
    """The tanh and sigmoid forms approximate x·Φ(x) (documented: within ~5e-4 / 2e-2)."""
    exact = actfn.gelu(x)
    assert (abs(actfn.gelu(x, approximate="tanh") - exact) < 5e-4).all()
    assert (abs(actfn.gelu_sigmoid(x) - exact) < 2.1e-2).all()


@pytest.mark.parametrize("name", actfn.names())
@SETTINGS
@given(x=floats(-30, 30))
def test_value_and_derivative_is_f_and_derivative(name: str, x: np.ndarray) -> None:
    act = actfn.get(name)
    f, df = act.value_and_derivative(x)
    assert f.tobytes() == act(x).tobytes() and df.tobytes() == act.derivative(x).tobytes()
