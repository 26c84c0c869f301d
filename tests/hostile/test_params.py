"""Issue 9, "Accepted parameters that give wrong values": every accepted parameter value
gives f, f' and f'' within the accuracy bounds (tests/test_accuracy.py) on both NumPy
paths, limits at ±inf are the mathematical ones, and names are validated.

Ground truth is the independent mpmath oracle (tests/oracle.py). ±inf inputs are
compared with the oracle's value at ±10**4000, far enough out for every parameter the
validator accepts (the smallest, 5e-324, still gives |βx| ≈ 10**3676).
"""

from __future__ import annotations

import contextlib
import decimal
import fractions
import math
import sys
import warnings

import mpmath
import numpy as np
import pytest

import actfn
from actfn import _fast, _registry

from ..oracle import DTYPES, exact, oracle, round_to, ulp_distance

MAX = sys.float_info.max
TINY = 5e-324
NORMAL_MIN = sys.float_info.min
HUGE = mpmath.mpf(10) ** 4000
PATHS = ("compiled", "numpy")
F64_BOUND = {0: 2, 1: 4, 2: 4}


def _path(path: str):
    return _fast.disabled() if path == "numpy" else contextlib.nullcontext()


def _expected(name: str, params: dict, which: int, x: np.ndarray) -> np.ndarray:
    fn = oracle(name, params)[which]
    dtn = next(k for k, v in DTYPES.items() if v == x.dtype)
    out = []
    for xi in x.astype(np.float64).tolist():
        v = fn(HUGE if xi > 0 else -HUGE) if math.isinf(xi) else exact(fn, xi)
        out.append(round_to(v, dtn))
    return np.array(out, dtype=x.dtype)


def _inputs(params: dict) -> np.ndarray:
    """±0, subnormals, ±1, ±max, ±inf, nan, and points scaled by each parameter p
    (k·p and k/p for k from 1e-10 to 3000, where the exponentials turn over)."""
    base = [0.0, TINY, NORMAL_MIN, 1e-300, 1e-150, 1e-20, 0.5, 1.0, 2.0, 10.0, 740.0,
            1e20, 1e150, 1e300, MAX]
    for v in params.values():
        if isinstance(v, float) and v != 0.0:
            for k in (1e-10, 0.5, 1.0, 1.5, 40.0, 740.0, 745.0, 1500.0, 3000.0):
                base += [k * abs(v), k / abs(v)]
    vals = sorted({abs(v) for v in base if math.isfinite(v) and abs(v) <= MAX})
    with np.errstate(over="ignore"):
        vals = [float(v) for v in vals]
    return np.array(vals + [-v for v in vals] + [-0.0, math.inf, -math.inf, math.nan])


def assert_accurate(name: str, params: dict, dtypes=("float64", "float32"),
                    paths=PATHS) -> None:
    """f, f', f'' of ``name(**params)`` within bounds at :func:`_inputs`, no warnings."""
    act = actfn.get(name, **params)
    x64 = _inputs(act.params)
    failures = []
    for dtn in dtypes:
        with np.errstate(over="ignore", under="ignore"):
            x = x64.astype(DTYPES[dtn])
        for which in range(3):
            want = _expected(name, act.params, which, x)
            bound = F64_BOUND[which] if dtn == "float64" else 1
            for path in paths:
                meth = (act, act.derivative, act.second_derivative)[which]
                with warnings.catch_warnings(), _path(path):
                    warnings.simplefilter("error")
                    got = np.asarray(meth(x))
                assert got.dtype == x.dtype
                ulps = ulp_distance(got, want)
                if ulps.max() > bound:
                    i = int(np.argmax(ulps))
                    failures.append(
                        f"{act!r} {('f', 'df', 'd2f')[which]} {dtn} {path}: {ulps.max()} ulp "
                        f"at x={x[i]!r}: got {got[i]!r}, want {want[i]!r}"
                    )
    assert not failures, "\n".join(failures)


# -- the failures named in the issue ------------------------------------------------------


@pytest.mark.parametrize("alpha", [TINY, 1e-320, 1e-300, 1e-200, 1.4e-162, 1e-155])
def test_celu_second_derivative_small_alpha(alpha):
    # Was: ZeroDivisionError below 1.5e-162 (α·α underflows to 0 in a Python float
    # division at parameter binding) and 9 % off up to 1e-154 (α² subnormal).
    assert_accurate("celu", {"alpha": alpha})


@pytest.mark.parametrize("alpha", [1.5e154, 1e200, 1.3e300, 1e307, MAX])
def test_celu_huge_alpha(alpha):
    # Was: f'' = 0 above 1.4e154 (α² overflows) and NaN everywhere for α ≳ 1.3e300 (the
    # Veltkamp split of α overflowed).
    assert_accurate("celu", {"alpha": alpha})


def test_celu_second_derivative_values_named_in_issue():
    act = actfn.get("celu", alpha=1e-155)
    x = np.array([-1e-155])
    assert act.second_derivative(x)[0] == pytest.approx(math.exp(-1.0) / 1e-155, rel=1e-15)
    assert actfn.get("celu", alpha=1.5e154).second_derivative(np.array([-1e154]))[0] > 0


def test_celu_tiny_alpha_no_zero_division():
    # `actfn eval celu --param alpha=1e-200 -1` raised ZeroDivisionError in the kernel.
    act = actfn.get("celu", alpha=1e-200)
    for path in PATHS:
        with _path(path):
            assert act(np.array([-1.0]))[0] == -1e-200
            assert act.second_derivative(np.array([-1.0]))[0] == 0.0
            assert act.derivative(-1.0) == 0.0


@pytest.mark.parametrize(
    "args,want",
    [(["eval", "celu", "--param", "alpha=1e-200", "--dtype", "float64", "--", "-1"],
      "-1e-200"),
     (["eval", "selu", "--param", "alpha=1e300", "--param", "scale=1e10", "--", "-1"], "-inf")],
)
def test_cli_eval_extreme_parameters(args, want):
    # Were a ZeroDivisionError and an OverflowError traceback from the kernels.
    from typer.testing import CliRunner

    from actfn.cli import app

    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert res.exception is None
    assert want in res.output


@pytest.mark.parametrize("alpha", [0.0, TINY, 1e-300, 1e-150, 1e150, 1e300, MAX])
def test_elu_extreme_alpha(alpha):
    assert_accurate("elu", {"alpha": alpha})


def test_elu_huge_alpha_derivative_in_the_subnormal_tail():
    # Was 0.26 % off: α·exp(-740) multiplied a subnormal exp(-740) by 1e300.
    got = actfn.get("elu", alpha=1e300).derivative(np.array([-740.0]))[0]
    want = mpmath.mpf(10) ** 300 * mpmath.exp(-740)
    assert abs(got - want) <= 2 * abs(want) * 2.0**-53


@pytest.mark.parametrize(
    "alpha,scale",
    [(1e300, 1e10), (MAX, MAX), (TINY, TINY), (0.0, 1.0), (1e-300, 1e300), (1e200, 1e-200),
     (1.6732632423543772, 1e-320)],
)
def test_selu_extreme_parameters(alpha, scale):
    # Was: OverflowError at binding (the product error of scale·alpha went through
    # Fraction(inf)) whenever scale·alpha overflows.
    assert_accurate("selu", {"alpha": alpha, "scale": scale})


def test_selu_overflowing_product_evaluates():
    act = actfn.get("selu", alpha=1e300, scale=1e10)
    y = act(np.array([-1e-300, 1.0, -1.0]))
    np.testing.assert_array_equal(y, [-1e10, 1e10, -np.inf])


@pytest.mark.parametrize("name", ["softplus", "silu"])
@pytest.mark.parametrize("beta", [1.3e300, 1e17, 1e-17, 1e-300, TINY])
def test_beta_outside_the_exact_range_is_refused_with_reason(name, beta):
    # Was: NaN everywhere for β ≳ 1.3e300, NaN at ±inf for β = 1e-300, and wrong tails
    # (β·x clipped at ±800) beyond 1e±16. The range is narrowed, and the message says why.
    with pytest.raises(ValueError, match=r"beta=.* is out of range; valid: beta >= 1e-16 and "
                       r"beta <= 1e\+16 .*clip β·x at ±800"):
        actfn.get(name, beta=beta)


@pytest.mark.parametrize("name", ["softplus", "silu"])
@pytest.mark.parametrize("beta", [1e-16, 1.5e-16, 1e-8, 0.1, 10.0, 1e8, 1e16])
def test_beta_within_range(name, beta):
    assert_accurate(name, {"beta": beta})


@pytest.mark.parametrize("beta", [1e-16, 1e16])
def test_beta_limits_at_infinity(beta):
    x = np.array([-np.inf, np.inf])
    for name in ("softplus", "silu"):
        act = actfn.get(name, beta=beta)
        for path in PATHS:
            with _path(path):
                np.testing.assert_array_equal(act(x), [0.0, np.inf])
                np.testing.assert_array_equal(act.derivative(x), [0.0, 1.0])
                np.testing.assert_array_equal(act.second_derivative(x), [0.0, 0.0])


def test_rrelu_huge_bounds():
    # Was NaN at 0: (lower + upper) overflowed to inf and 0·inf = NaN.
    act = actfn.get("rrelu", lower=1e308, upper=1.7e308)
    for path in PATHS:
        with _path(path):
            assert act(np.array([0.0]))[0] == 0.0
            assert act.derivative(np.array([-1.0]))[0] == 1.35e308
    assert_accurate("rrelu", {"lower": 1e308, "upper": 1.7e308})
    assert_accurate("rrelu", {"lower": TINY, "upper": TINY})  # 0.5·lower would round to 0


def test_squareplus_huge_b_derivative():
    # Was 4.25e-293: x was clipped to -1e300 before h = hypot(x, √b).
    act = actfn.get("squareplus", b=1.7e308)
    for path in PATHS:
        with _path(path):
            got = act.derivative(np.array([-1e308]))[0]
            assert got == pytest.approx(4.25e-309, rel=1e-6)


@pytest.mark.parametrize("b", [TINY, 1e-320, 1e-300, 1e-100, 1e100, 1e300, 1.7e308, MAX])
def test_squareplus_extreme_b(b):
    assert_accurate("squareplus", {"b": b})


@pytest.mark.parametrize(
    "name,params",
    [("leaky_relu", {"negative_slope": 0.0}), ("leaky_relu", {"negative_slope": -0.0}),
     ("prelu", {"weight": 0.0}), ("rrelu", {"lower": 0.0, "upper": 0.0})],
)
def test_zero_slope_limit_at_minus_infinity(name, params):
    # Was NaN: -inf·0. The limit of 0·x as x → -inf is 0.
    act = actfn.get(name, **params)
    for path in PATHS:
        with _path(path):
            assert act(np.array([-np.inf]))[0] == 0.0
            assert act.derivative(np.array([-np.inf]))[0] == 0.0
    assert_accurate(name, params)


def test_prelu_per_channel_zero_weight_at_minus_infinity():
    act = actfn.get("prelu", weight=[0.0, 2.0, -1.0])
    x = np.full((2, 3), -np.inf)
    for path in PATHS:
        with _path(path):
            np.testing.assert_array_equal(act(x)[0], [0.0, -np.inf, np.inf])


# -- the systematic sweep: every real parameter at the extremes of its valid range ---------


def _extremes(p: _registry.Param) -> list[float]:
    lo = -MAX if p.lower is None else p.lower
    hi = MAX if p.upper is None else p.upper
    cands = [lo, hi, math.nextafter(lo, math.inf), math.nextafter(hi, -math.inf), 0.0, TINY,
             NORMAL_MIN, 1e-300, 1e-150, 1e-20, 1.0, 1e20, 1e150, 1e300, -TINY, -1e-150,
             -1e150, -MAX]
    out = []
    for c in cands:
        try:
            v = p.validate(float(c), "t")
        except ValueError:
            continue
        if v not in out:
            out.append(v)
    return out


def _sweep_cases() -> list[tuple[str, dict]]:
    out = []
    for name in actfn.names():
        spec = actfn.get(name).spec
        for p in spec.params:
            if p.choices is not None:
                continue
            for v in _extremes(p):
                params = {p.name: v}
                try:
                    actfn.get(name, **params)
                except ValueError:  # a cross-parameter check (rrelu, hardtanh)
                    other = [q for q in spec.params if q.name != p.name]
                    params.update({q.name: v for q in other})
                    if name == "hardtanh":
                        up = math.nextafter(v, math.inf)
                        params = ({"min_val": v, "max_val": up} if up < math.inf
                                  else {"min_val": math.nextafter(v, -math.inf), "max_val": v})
                    try:
                        actfn.get(name, **params)
                    except ValueError:
                        continue
                out.append((name, params))
    return out


SWEEP = _sweep_cases()


@pytest.mark.parametrize("name,params", SWEEP,
                         ids=[f"{n}-{','.join(f'{k}={v:g}' for k, v in p.items())}"
                              for n, p in SWEEP])
def test_parameter_extremes_sweep(name, params):
    # Pure-NumPy path only here (each new parameter value compiles a new loop, seconds
    # each); the compiled path is checked at the named extremes above.
    assert_accurate(name, params, paths=("numpy",))


# -- registered names ---------------------------------------------------------------------


def _spec(name: str, aliases: tuple[str, ...] = ()) -> _registry.Spec:
    base = actfn.get("relu").spec
    return _registry.Spec(name=name, f=base.f, df=base.df, d2f=base.d2f, aliases=aliases)


@pytest.mark.parametrize("bad", ["../x", "x'y", "X", "1x", "_x", "a-b", "a b", "", "é", "a.b",
                                 "x\n"])
def test_register_rejects_bad_names(bad):
    with pytest.raises(ValueError, match=r"must match \[a-z\]\[a-z0-9_\]\*"):
        _registry.register(_spec(bad))
    with pytest.raises(ValueError, match=r"alias .* must match"):
        _registry.register(_spec("ok_name_t9", aliases=(bad,)))
    assert "ok_name_t9" not in actfn.names()


def test_existing_names_and_aliases_pass_the_rule():
    names = list(actfn.names()) + list(_registry.aliases())
    assert names and all(_registry.NAME_RULE.fullmatch(n) for n in names)


def test_register_accepts_a_good_name():
    spec = _registry.register(_spec("relu_copy_t9", aliases=("relu_alias_t9",)))
    try:
        assert actfn.get("relu_alias_t9").name == "relu_copy_t9"
    finally:
        _registry.unregister(spec.name)


# -- the independent review's findings ----------------------------------------------------


@pytest.mark.parametrize(
    "lower,upper,x,want",
    [(0.0, TINY, -1e308, "-2.470328229206232748004735e-16"),
     (0.0, TINY, -1e300, "-2.470328229206232850586835e-24"),
     (TINY, 1e-323, -1e308, "-7.410984687618698244014204e-16"),
     (1e-323, 1.5e-323, -1e308, "-1.235164114603116374002367e-15"),
     (1e-310, 1.00000000000005e-310, -1e308, "-0.01000000000000021659194106")],
)
def test_review_B_rrelu_subnormal_slope_kept_exact(lower, upper, x, want):
    # Was -0.0 / 142 ulp off: (lower + upper)/2 was rounded to a subnormal before use.
    act = actfn.get("rrelu", lower=lower, upper=upper)
    w = round_to(mpmath.mpf(want), "float64")
    for path in PATHS:
        with _path(path):
            got = act(np.array([x]))[0]
            assert ulp_distance(np.array([got]), np.array([w]))[0] <= 1, (path, got, w)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_review_B_rrelu_limit_from_the_exact_slope(dtype):
    # Was +0.0: the slope 2**-1075 rounds to 0 in float64, but it is positive.
    act = actfn.get("rrelu", lower=0.0, upper=TINY)
    for path in PATHS:
        with _path(path):
            got = act(np.array([-np.inf, np.inf], dtype=DTYPES[dtype]))
            np.testing.assert_array_equal(got, [-np.inf, np.inf])
            # f' is the slope correctly rounded (2**-1075 → 0, ties to even)
            assert act.derivative(np.array([-1.0]))[0] == 0.0


@pytest.mark.parametrize(
    "lower,upper",
    [(0.0, TINY), (TINY, 1e-323), (1e-323, 1.5e-323), (1e-310, 1.00000000000005e-310),
     (0.0, 1e-300), (1e-320, NORMAL_MIN), (2.0**-1001, 2.0**-999), (TINY, 1.0),
     (1e300, MAX)],
)
def test_review_B_rrelu_tiny_and_huge_bounds_all_dtypes(lower, upper):
    assert_accurate("rrelu", {"lower": lower, "upper": upper},
                    dtypes=("float64", "float32", "float16"))


@pytest.mark.parametrize(
    "name,params",
    [("elu", {"alpha": 10**400}), ("squareplus", {"b": 10**309}),
     ("hardtanh", {"min_val": -10**400}), ("threshold", {"threshold": 10**400}),
     ("leaky_relu", {"negative_slope": -10**400}), ("prelu", {"weight": [1, 10**400]}),
     ("celu", {"alpha": np.longdouble("1e4000")} if np.finfo(np.longdouble).maxexp > 1024
      else {"alpha": 10**400})],
)
def test_review_F_huge_ints_are_a_value_error(name, params):
    # Was a bare OverflowError: int too large to convert to float.
    pname = next(iter(params))
    with pytest.raises(ValueError, match=rf"{name}: parameter {pname}=.*overflows float64"):
        actfn.get(name, **params)


@pytest.mark.parametrize(
    "value,want",
    [(fractions.Fraction(1, 3), 1 / 3), (decimal.Decimal("0.25"), 0.25),
     (np.longdouble(2) if hasattr(np, "longdouble") else 2.0, 2.0)],
)
def test_review_F_any_real_number_is_accepted(value, want):
    # Was "not a real number" for Fraction and Decimal.
    assert actfn.get("celu", alpha=value).params["alpha"] == want


@pytest.mark.parametrize(
    "value",
    [np.longdouble("1e-4000") if np.finfo(np.longdouble).minexp < -1022
     else fractions.Fraction(1, 10**400), fractions.Fraction(1, 10**400),
     decimal.Decimal("1e-400")],
)
def test_review_F_a_positive_value_that_rounds_to_zero_says_so(value):
    # Was "valid: alpha > 0" although the value is positive.
    with pytest.raises(ValueError, match="celu: parameter alpha=.*rounds to 0 in float64"):
        actfn.get("celu", alpha=value)
    with pytest.raises(ValueError, match="leaky_relu: .*rounds to 0 in float64"):
        actfn.get("leaky_relu", negative_slope=value)


def test_review_F_exact_value_out_of_range_is_refused_as_such():
    with pytest.raises(ValueError, match=r"alpha=Decimal\('-1E-400'\) is out of range; valid"):
        actfn.get("celu", alpha=decimal.Decimal("-1e-400"))
    with pytest.raises(ValueError, match="is not a real number"):
        actfn.get("celu", alpha=1 + 2j)


@pytest.mark.parametrize(
    "x,want",
    [(-1.0150364507583869e-152, "4.781062895063053317238812e+145"),
     (-1.5816116019576732e-153, "1.263701312257813507399226e+148"),
     (1.0235960709452218e-151, "4.662127726641090719127122e+142")],
)
def test_review_C_squareplus_subnormal_b_second_derivative(x, want):
    # Was 5-6 ulp: hypot(x, √b) and √b each rounded, cubed in b/(2h³). Now h² = X² + B
    # is formed exactly on x, b scaled by powers of two so that B ∈ [1, 4).
    act = actfn.get("squareplus", b=1e-310)
    w = round_to(mpmath.mpf(want), "float64")
    for path in PATHS:
        with _path(path):
            got = act.second_derivative(np.array([x]))[0]
            assert ulp_distance(np.array([got]), np.array([w]))[0] <= 2, (path, got, w)


@pytest.mark.parametrize("b", [TINY, 1e-310, 1e-300, 1e-61, 1.0, 4.0, 1e100, MAX])
def test_review_C_squareplus_random_inputs_near_sqrt_b(b):
    # Random x around ±√b, where all three forms are most sensitive to the rounding of h.
    act = actfn.get("squareplus", b=b)
    rng = np.random.default_rng(9)
    x = math.sqrt(b) * 10 ** rng.uniform(-3, 4, 300) * rng.choice([-1.0, 1.0], 300)
    for which in range(3):
        want = _expected("squareplus", act.params, which, x)
        for path in PATHS:
            with _path(path), warnings.catch_warnings():
                warnings.simplefilter("error")
                got = (act, act.derivative, act.second_derivative)[which](x)
            assert ulp_distance(got, want).max() <= F64_BOUND[which], (which, path)


@pytest.mark.parametrize("name, params", [
    ("celu", {"alpha": 0.5}), ("celu", {"alpha": 2.0}), ("celu", {"alpha": 1e-300}),
    ("celu", {"alpha": 1e300}), ("elu", {"alpha": 0.0}), ("elu", {"alpha": 0.3}),
    ("elu", {"alpha": 1e300}), ("selu", {}), ("selu", {"alpha": 1e300, "scale": 1e-300}),
    ("selu", {"alpha": 1e-300, "scale": 1e300}),
])
def test_elu_family_keeps_the_sign_of_zero_for_every_parameter(name: str, params: dict) -> None:
    # f(±0) = ±0 as in PyTorch; the small-|x/α| series of celu turned -0 into +0.
    act = actfn.get(name, **params)
    for dtype in (np.float16, np.float32, np.float64):
        x = np.array([-0.0, 0.0], dtype=dtype)
        with _path("numpy"):
            pure = act(x)
        for y in (act(x), pure):
            assert np.signbit(y).tolist() == [True, False], (name, params, dtype, y)
