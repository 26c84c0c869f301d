"""Parity with torch.nn.functional and jax.nn: values, autograd derivatives, conventions.

The frameworks are checked for *semantics*, not trusted for accuracy (the mpmath oracle
tests do that): on a float64 grid away from kinks, actfn's f, f′ and f″ must agree with
the framework's f, autograd f′ and autograd-of-autograd f″ to
|a − b| ≤ 1e-12·max(1, |b|). Separately and exactly: the derivative values at every
kink (``spec.kinks(params)``), the sign of f(±0), the limits at ±inf and nan → nan.

PyTorch is the reference where it defines the function, otherwise JAX. The cases are the
registry's knowledge (``spec.knowledge.frameworks``, from each activation's TOML file):
each PyTorch/JAX :class:`~actfn.Equivalent` names the parameter sets it is compared at
(``parity``) or why it is not (``parity_skip``), and carries the documented deviations,
nan gradients and nan limits at ±inf; a test checks that each entry still describes what
the frameworks do (so the data cannot rot). No list of names lives here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import actfn
from actfn import Equivalent

# Imported unconditionally: the dev extra installs both, and a missing framework must
# fail the run rather than skip the parity checks.
#: The framework modules a knowledge file's ``call`` may use, per parity framework.
MODULES: dict[str, dict[str, Any]] = {"torch": {"torch": torch}, "jax": {"jax": jax}}
#: Parity framework → the ``Equivalent.framework`` it reads.
FRAMEWORK = {"torch": "PyTorch", "jax": "JAX"}


@dataclass(frozen=True)
class Case:
    """One actfn activation with parameters and the framework code it should equal."""

    name: str
    params: dict[str, Any]
    framework: str
    eq: Equivalent
    #: The code evaluated: ``eq.call`` or one of ``eq.also``.
    code: str
    tags: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        inner = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.name}({inner})"

    @property
    def bound(self) -> dict[str, Any]:
        return actfn.lookup(self.name).bind(**self.params)

    def fn(self, x: Any) -> Any:
        return self.eq.evaluate(x, MODULES[self.framework], self.bound, self.code)

    @property
    def where(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """Only compare where this holds (softplus: PyTorch's linear switch-over)."""
        if not self.eq.compare_where:
            return None
        return lambda x: self.eq.evaluate(x, {"np": np}, self.bound, self.eq.compare_where)

    def act(self) -> actfn.Activation:
        return actfn.get(self.name, **self.params)


def _equivalents(framework: str) -> list[tuple[str, Equivalent]]:
    out = []
    for name in actfn.names():
        eq = actfn.lookup(name).knowledge.equivalent(FRAMEWORK[framework])
        if eq is not None and eq.call:
            out.append((name, eq))
    return out


def _cases(framework: str) -> list[Case]:
    out = []
    for name, eq in _equivalents(framework):
        out += [Case(name, dict(p), framework, eq, eq.call) for p in eq.parity]
        # other spellings (relu6 as hardtanh(x, 0, 6)): compared on the grid only
        out += [Case(name, {}, framework, eq, code, tags=("also",)) for code in eq.also]
    return out


TORCH_CASES = _cases("torch")
JAX_CASES = _cases("jax")
TORCH_NAMES = {c.name for c in TORCH_CASES}
JAX_NAMES = {c.name for c in JAX_CASES}


def reference_cases() -> list[tuple[str, Case]]:
    """The reference framework for every case: PyTorch where it defines the function."""
    out = [("torch", c) for c in TORCH_CASES if not c.tags]
    out += [("jax", c) for c in JAX_CASES if c.name not in TORCH_NAMES]
    return out


def test_every_registered_activation_is_classified() -> None:
    """Each activation is compared with a framework, or every PyTorch/JAX equivalent of
    it says why not; an equivalent never does both (so none is left out silently)."""
    for fw in FRAMEWORK:
        for name, eq in _equivalents(fw):
            assert bool(eq.parity) != bool(eq.parity_skip), (fw, name, eq.parity_skip)
    unclassified = set(actfn.names()) - TORCH_NAMES - JAX_NAMES
    for name in unclassified:
        know = actfn.lookup(name).knowledge
        eqs = [e for e in know.frameworks if e.framework in FRAMEWORK.values() and e.call]
        assert eqs and all(e.parity_skip for e in eqs), name


# -- framework evaluation -------------------------------------------------------------------
def torch_f_df_d2f(fn: Callable[[Any], Any], x: np.ndarray) -> tuple[np.ndarray, ...]:
    """f, autograd f′ and f″ (grad of grad, create_graph=True) in float64.

    f″ is None where PyTorch has no double backward for the function."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    (g,) = torch.autograd.grad(y.sum(), t, create_graph=True)
    g2: Any
    if not g.requires_grad:  # f′ does not depend on x (identity-like)
        g2 = np.zeros_like(x)
    else:
        try:
            (h,) = torch.autograd.grad(g.sum(), t, allow_unused=True)
        except RuntimeError as err:
            if "not implemented" not in str(err):
                raise
            g2 = None
        else:
            g2 = np.zeros_like(x) if h is None else h.detach().numpy().copy()
    return y.detach().numpy().copy(), g.detach().numpy().copy(), g2


def jax_f_df_d2f(fn: Callable[[Any], Any], x: np.ndarray) -> tuple[np.ndarray, ...]:
    """f, jax.grad f and jax.grad(jax.grad f), elementwise, in float64."""
    with jax.enable_x64(True):
        xj = jnp.asarray(x, dtype=jnp.float64)
        g1 = jax.vmap(jax.grad(fn))
        g2 = jax.vmap(jax.grad(jax.grad(fn)))
        return tuple(np.asarray(v, dtype=np.float64).copy() for v in (fn(xj), g1(xj), g2(xj)))


def framework_values(framework: str, case: Case, x: np.ndarray) -> tuple[np.ndarray, ...]:
    assert framework == case.framework, (framework, case)
    x = np.asarray(x, dtype=np.float64)
    return (torch_f_df_d2f if framework == "torch" else jax_f_df_d2f)(case.fn, x)


def actfn_values(case: Case, x: np.ndarray) -> tuple[np.ndarray, ...]:
    act = case.act()
    x = np.asarray(x, dtype=np.float64)
    return act(x), act.derivative(x), act.second_derivative(x)


METHODS = ("f", "derivative", "second_derivative")


# -- documented deviations ------------------------------------------------------------------
@dataclass(frozen=True)
class Deviation:
    framework: str
    name: str
    params: dict[str, Any]
    method: str  # "f", "derivative" or "second_derivative"
    x: float
    actfn_value: float
    framework_value: float  # nan where the framework returns nan
    reason: str
    grid: bool


_NAN = math.nan


def _deviations() -> list[Deviation]:
    out = []
    for fw in FRAMEWORK:
        for name, eq in _equivalents(fw):
            out += [Deviation(fw, name, dict(d.params), d.method, d.x, d.actfn, d.theirs,
                              d.reason, d.grid) for d in eq.deviations]
    return out


#: Grid/accuracy exceptions (``grid = true`` in the data): the framework is measurably
#: less accurate than 1e-12, or follows another definition. The grid test skips exactly
#: these (framework, case, method) combinations and compares them here instead.
DEVIATIONS: list[Deviation] = [d for d in _deviations() if d.grid]
#: Exact-value and convention differences at single points (kinks, ±0, ±inf, nan).
#: actfn follows PyTorch where PyTorch defines the function; JAX rows are where JAX's
#: convention differs from PyTorch's, and the rest are actfn's documented limits.
POINT_DEVIATIONS: list[Deviation] = [d for d in _deviations() if not d.grid]

#: Limits at ±inf where the framework returns nan (issue 2: ±inf → the mathematical limit,
#: never nan), from each equivalent's ``nan_at_inf``. The framework value is nan because it
#: evaluates inf·0 or inf/inf on the way: x·Φ(x), x·σ(x), x·tanh(softplus x) at -inf; x·φ(x)
#: or x³ inside autograd at +inf; inf/(1 + inf) for softsign; -inf·relu6(-inf + 3) for
#: hardswish; sqrt(x² + b) - |x| and x/sqrt(x² + b) for jax's squareplus; the untaken
#: (x+1)²/4 branch of jax's sparse_plus whose derivative 0·inf poisons jnp.where. Zeros are
#: compared with ==; the sign of the named ones is checked in test_named_limits.
INF_LIMITS: dict[tuple[str, str], dict[str, float]] = {
    (c.framework, c.id): dict(c.eq.nan_at_inf)
    for c in TORCH_CASES + JAX_CASES if c.eq.nan_at_inf and not c.tags}
_LABEL = {"f": "f", "derivative": "f'", "second_derivative": "f''"}

#: nan → nan in every output (issue 2). PyTorch's backward of piecewise-linear functions
#: picks a branch by comparisons that are false for nan and so returns a finite slope,
#: and its double backward returns 0; JAX likewise. actfn returns nan for all of them —
#: a nan input is never silently turned into a finite gradient. (framework, name) →
#: the framework's (f′(nan), f″(nan)), from each equivalent's ``nan_grads`` (torch's
#: hardsigmoid f″ is nan: no double backward).
NAN_DEVIATIONS: dict[tuple[str, str], tuple[float, float]] = {
    (fw, name): tuple(eq.nan_grads)  # type: ignore[misc]
    for fw in FRAMEWORK for name, eq in _equivalents(fw) if eq.nan_grads is not None}


def _dev_key(d: Deviation) -> tuple[str, str, str, str]:
    return d.framework, d.name, repr(sorted(d.params.items())), d.method


_GRID_EXCEPTIONS = {_dev_key(d) for d in DEVIATIONS}


def _point_key(framework: str, case: Case, method: str, x: float) -> tuple[Any, ...]:
    return framework, case.name, repr(sorted(case.params.items())), method, repr(float(x))


#: Documented point deviations (rounding, not convention: xielu's f at its kinks, where
#: PyTorch rounds twice and actfn is correctly rounded): the exact comparisons at kinks
#: and ±0 skip exactly these points, which test_documented_deviation_still_holds checks.
_POINT_EXCEPTIONS = {(*_dev_key(d), repr(float(d.x))) for d in POINT_DEVIATIONS}


def _same_value(a: float, b: float) -> bool:
    """Equal including the sign of zero; nan equals nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _case_for(framework: str, name: str, params: dict[str, Any]) -> Case:
    """The framework's equivalent of ``name`` at ``params`` (any parameters: the call is an
    expression in them)."""
    eq = actfn.lookup(name).knowledge.equivalent(FRAMEWORK[framework])
    if eq is None or not eq.call:
        raise AssertionError(f"no {framework} case for {name}{params}")
    return Case(name, dict(params), framework, eq, eq.call)


@pytest.mark.parametrize("dev", DEVIATIONS + POINT_DEVIATIONS,
                         ids=lambda d: f"{d.framework}-{d.name}-{d.method}-x={d.x}")
def test_documented_deviation_still_holds(dev: Deviation) -> None:
    """Each documented deviation is still what actfn and the framework compute."""
    case = _case_for(dev.framework, dev.name, dev.params)
    x = np.array([dev.x])
    i = METHODS.index(dev.method)
    ours = float(actfn_values(case, x)[i][0])
    theirs_all = framework_values(dev.framework, case, x)[i]
    theirs = _NAN if theirs_all is None else float(theirs_all[0])
    assert _same_value(ours, dev.actfn_value) or math.isclose(
        ours, dev.actfn_value, rel_tol=4e-16), (ours, dev.actfn_value)
    assert _same_value(theirs, dev.framework_value), (theirs, dev.framework_value)
    assert not _same_value(ours, theirs)


# -- the grid --------------------------------------------------------------------------------
def grid(case: Case) -> np.ndarray:
    """[-10, 10] in steps of 1/128 (exact binary fractions) plus a few small magnitudes,
    without the kinks themselves (checked exactly elsewhere)."""
    small = np.array([1e-300, 1e-30, 1e-8, 1e-3, 0.1, 0.3])
    x = np.concatenate([np.arange(-1280, 1281) / 128.0 + 1.0 / 1024.0, small, -small])
    for k in case.act().kinks():
        x = x[np.abs(x - k) > 1e-6]
    if case.where is not None:
        x = x[case.where(x)]
    return x


def _close(actual: np.ndarray, ref: np.ndarray) -> np.ndarray:
    both_nan = np.isnan(actual) & np.isnan(ref)
    with np.errstate(invalid="ignore"):
        ok = np.abs(actual - ref) <= 1e-12 * np.maximum(1.0, np.abs(ref))
    return ok | both_nan | (actual == ref)


@pytest.mark.parametrize(("framework", "case"),
                         [("torch", c) for c in TORCH_CASES] + [("jax", c) for c in JAX_CASES],
                         ids=lambda v: v if isinstance(v, str) else v.id)
def test_grid_parity(framework: str, case: Case) -> None:
    x = grid(case)
    ours = actfn_values(case, x)
    theirs = framework_values(framework, case, x)
    checked = 0
    for method, a, b in zip(METHODS, ours, theirs, strict=True):
        key = (framework, case.name, repr(sorted(case.params.items())), method)
        if b is None or key in _GRID_EXCEPTIONS:
            assert any(_dev_key(d) == key for d in DEVIATIONS), f"undocumented: {key}"
            continue
        ok = _close(a, b)
        bad = np.flatnonzero(~ok)
        assert bad.size == 0, (
            f"{framework} {case.id} {method}: {bad.size} points differ, e.g. x={x[bad[0]]!r}: "
            f"actfn {a[bad[0]]!r}, {framework} {b[bad[0]]!r}")
        checked += 1
    assert checked >= 1


def test_torch_celu_inexact_for_non_float32_alpha() -> None:
    """The documented celu deviation stays small (1e-7) and is absent for alpha = 0.5."""
    case = _case_for("torch", "celu", {"alpha": 0.7})
    x = grid(case)
    ours, theirs = actfn_values(case, x), framework_values("torch", case, x)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-300)  # f is exact
    for a, b in zip(ours[1:], theirs[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=5e-7)
        assert not np.allclose(a, b, rtol=1e-12, atol=0)
    jax_ref = framework_values("jax", _case_for("jax", "celu", {"alpha": 0.7}), x)
    for a, b in zip(ours[1:], jax_ref[1:], strict=True):
        assert _close(a, b).all()  # actfn agrees with JAX, which is exact here


# -- kinks ---------------------------------------------------------------------------------
def _kink_points(case: Case) -> list[float]:
    pts = [float(k) for k in case.act().kinks()]
    return pts + [-0.0 for k in pts if k == 0.0]


_KINK_CASES = [(fw, c) for fw, c in reference_cases() if c.act().kinks()]


def test_every_kinked_activation_has_a_reference() -> None:
    covered = {c.name for _, c in _KINK_CASES}
    kinked = {n for n in actfn.names() if actfn.get(n).kinks()}
    assert kinked - covered == set(), "kinked activations without a framework reference"


@pytest.mark.parametrize(("framework", "case"), _KINK_CASES,
                         ids=lambda v: v if isinstance(v, str) else v.id)
def test_kink_conventions(framework: str, case: Case) -> None:
    """f, f′ and f″ at every kink equal the reference framework's autograd exactly."""
    x = np.array(_kink_points(case))
    ours = actfn_values(case, x)
    theirs = framework_values(framework, case, x)
    if theirs[2] is None:  # no double backward in torch: JAX's autodiff decides f″
        jcase = _case_for("jax", case.name, case.params)
        theirs = (theirs[0], theirs[1], framework_values("jax", jcase, x)[2])
    for method, a, b in zip(METHODS, ours, theirs, strict=True):
        for xi, ai, bi in zip(x, a, b, strict=True):
            if _point_key(framework, case, method, xi) in _POINT_EXCEPTIONS:
                continue
            assert ai == bi, f"{case.id} {method}({xi!r}): actfn {ai!r}, {framework} {bi!r}"


def test_kink_convention_table() -> None:
    """The conventions issue 2 names, spelled out."""
    d = lambda name, x, **p: float(actfn.get(name, **p).derivative(x))  # noqa: E731
    d2 = lambda name, x, **p: float(actfn.get(name, **p).second_derivative(x))  # noqa: E731
    assert d("relu", 0.0) == 0.0
    assert d("leaky_relu", 0.0) == 0.01
    assert d("leaky_relu", 0.0, negative_slope=0.2) == 0.2
    assert d("prelu", 0.0, weight=0.3) == 0.3
    assert d("selu", 0.0) == actfn.get("selu").params["scale"] * actfn.get("selu").params["alpha"]
    assert d("elu", 0.0, alpha=0.7) == 0.7
    assert d2("elu", 0.0) == 0.0
    assert d("relu6", 6.0) == 0.0 and d("hardtanh", 1.0) == 0.0
    assert d("hardswish", -3.0) == 0.0 and d("hardswish", 3.0) == 1.0
    assert d("hardsigmoid", 3.0) == 0.0
    assert d("sparse_sigmoid", 1.0) == 0.25  # JAX's (torch has no sparse_sigmoid)


# -- signed zeros ----------------------------------------------------------------------------
@pytest.mark.parametrize(("framework", "case"), reference_cases(),
                         ids=lambda v: v if isinstance(v, str) else v.id)
def test_signed_zero_follows_reference(framework: str, case: Case) -> None:
    x = np.array([0.0, -0.0])
    keep = [_point_key(framework, case, "f", v) not in _POINT_EXCEPTIONS for v in x]
    ours = case.act()(x)[keep]
    theirs = framework_values(framework, case, x)[0][keep]
    assert ours.tobytes() == theirs.tobytes(), (ours, theirs)


# -- infinities -------------------------------------------------------------------------------
@pytest.mark.parametrize(("framework", "case"), reference_cases(),
                         ids=lambda v: v if isinstance(v, str) else v.id)
def test_infinities_follow_reference_or_limit(framework: str, case: Case) -> None:
    """At ±inf actfn gives the framework's value where it is a number, and the limit in
    INF_LIMITS exactly where the framework gives nan."""
    x = np.array([math.inf, -math.inf])
    ours = actfn_values(case, x)
    theirs = framework_values(framework, case, x)
    limits = INF_LIMITS.get((framework, case.id), {})
    seen = set()
    for method, a, b in zip(METHODS, ours, theirs, strict=True):
        if b is None:  # torch has no double backward: JAX decides
            b = framework_values("jax", _case_for("jax", case.name, case.params), x)[2]
        for xi, ai, bi in zip(x, a, b, strict=True):
            label = f"{_LABEL[method]}({xi})"
            assert not math.isnan(ai), f"{case.id} {label} is nan"
            if label in limits:
                seen.add(label)
                assert math.isnan(bi), f"{framework} {case.id} {label} is {bi!r} now"
                assert ai == limits[label], (label, ai)
            else:
                assert ai == bi, f"{case.id} {label}: actfn {ai!r}, {framework} {bi!r}"
    assert seen == set(limits)


@pytest.mark.parametrize("name", actfn.names())
def test_infinities_are_never_nan(name: str) -> None:
    act = actfn.get(name)
    x = np.array([math.inf, -math.inf])
    for method in METHODS:
        y = act(x) if method == "f" else getattr(act, method)(x)
        assert not np.isnan(y).any(), (method, y)


def test_named_limits() -> None:
    gelu, silu = actfn.get("gelu"), actfn.get("silu")
    for g in (gelu, actfn.get("gelu", approximate="tanh"), silu, actfn.get("mish")):
        y = g(np.array([-math.inf]))[0]
        assert y == 0.0 and math.copysign(1.0, y) == -1.0, (g, y)  # -0, the sign included
        assert g.derivative(np.array([math.inf]))[0] == 1.0
        assert g(np.array([math.inf]))[0] == math.inf
    assert float(gelu.derivative(math.inf)) == 1.0


# -- nan ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", actfn.names())
def test_nan_gives_nan_everywhere(name: str) -> None:
    act = actfn.get(name)
    x = np.array([math.nan, 1.0, math.nan])
    for y in (act(x), act.derivative(x), act.second_derivative(x), *act.value_and_derivative(x)):
        assert np.isnan(y[[0, 2]]).all() and not np.isnan(y[1])


@pytest.mark.parametrize("key", sorted(NAN_DEVIATIONS), ids="-".join)
def test_nan_deviation_documented(key: tuple[str, str]) -> None:
    framework, name = key
    case = _case_for(framework, name, {})
    theirs = framework_values(framework, case, np.array([math.nan]))
    want = NAN_DEVIATIONS[key]
    got = (float(theirs[1][0]), _NAN if theirs[2] is None else float(theirs[2][0]))
    assert all(_same_value(g, w) for g, w in zip(got, want, strict=True)), got
    assert math.isnan(float(case.act().derivative(math.nan)))


@pytest.mark.parametrize(("framework", "case"), reference_cases(),
                         ids=lambda v: v if isinstance(v, str) else v.id)
def test_nan_deviations_are_complete(framework: str, case: Case) -> None:
    """Every reference framework that turns nan into a number is listed above."""
    theirs = framework_values(framework, case, np.array([math.nan]))
    finite = [m for m, v in zip(METHODS[1:], theirs[1:], strict=True)
              if v is not None and not math.isnan(v[0])]
    if finite:
        assert (framework, case.name) in NAN_DEVIATIONS, (framework, case.id, finite)
    assert math.isnan(theirs[0][0])  # f(nan) = nan everywhere
