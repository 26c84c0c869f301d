"""Parity with torch.nn.functional and jax.nn: values, autograd derivatives, conventions.

The frameworks are checked for *semantics*, not trusted for accuracy (the mpmath oracle
tests do that): on a float64 grid away from kinks, actfn's f, f′ and f″ must agree with
the framework's f, autograd f′ and autograd-of-autograd f″ to
|a − b| ≤ 1e-12·max(1, |b|). Separately and exactly: the derivative values at every
kink (``spec.kinks(params)``), the sign of f(±0), the limits at ±inf and nan → nan.

PyTorch is the reference where it defines the function, otherwise JAX. Where actfn
deliberately differs, or a framework is measurably less accurate, the case is listed
in one of the dicts below with the input and both values, and a test checks that the
entry still describes what the frameworks do (so the lists cannot rot).
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

# Imported unconditionally: the dev extra installs both, and a missing framework must
# fail the run rather than skip the parity checks.
F = torch.nn.functional
jnn = jax.nn


@dataclass(frozen=True)
class Case:
    """One actfn activation with parameters and the framework function it should equal."""

    name: str
    params: dict[str, Any]
    fn: Callable[[Any], Any]
    #: Only compare where this holds (softplus: PyTorch's linear switch-over).
    where: Callable[[np.ndarray], np.ndarray] | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        inner = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.name}({inner})"

    def act(self) -> actfn.Activation:
        return actfn.get(self.name, **self.params)


def _w(x: Any, *vals: float) -> Any:
    return torch.tensor(vals, dtype=x.dtype)


#: PyTorch's threshold for its linear softplus: F.softplus(x, beta) returns x itself once
#: beta·x > 20, where actfn computes the exact value. Compared only below it (see
#: DEVIATIONS for a point above).
_SOFTPLUS_THRESHOLD = 20.0

# -- name tables (explicit, so a rename on either side fails loudly) -----------------------
TORCH_CASES = [
    Case("relu", {}, F.relu),
    Case("relu6", {}, F.relu6),
    Case("leaky_relu", {}, F.leaky_relu),
    Case("leaky_relu", {"negative_slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    Case("prelu", {}, lambda x: F.prelu(x, _w(x, 0.25))),
    Case("prelu", {"weight": 0.1}, lambda x: F.prelu(x, _w(x, 0.1))),
    Case("rrelu", {}, lambda x: F.rrelu(x, training=False)),
    Case("rrelu", {"lower": 0.1, "upper": 0.3},
         lambda x: F.rrelu(x, 0.1, 0.3, training=False)),
    Case("elu", {}, F.elu),
    Case("elu", {"alpha": 0.7}, lambda x: F.elu(x, 0.7)),
    Case("selu", {}, F.selu),
    Case("celu", {}, F.celu),
    # alpha a power of two: torch's celu backward rounds alpha to float32 (DEVIATIONS).
    Case("celu", {"alpha": 0.5}, lambda x: F.celu(x, 0.5)),
    Case("celu", {"alpha": 2.0}, lambda x: F.celu(x, 2.0)),
    Case("gelu", {}, F.gelu),
    Case("gelu", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh")),
    Case("silu", {}, F.silu),
    Case("mish", {}, F.mish),
    Case("softplus", {}, F.softplus, where=lambda x: x < _SOFTPLUS_THRESHOLD),
    Case("softplus", {"beta": 2.0}, lambda x: F.softplus(x, 2.0),
         where=lambda x: 2.0 * x < _SOFTPLUS_THRESHOLD),
    Case("softsign", {}, F.softsign),
    Case("hardsigmoid", {}, F.hardsigmoid),
    Case("hardswish", {}, F.hardswish),
    Case("hardtanh", {}, F.hardtanh),
    Case("hardtanh", {"min_val": -2.0, "max_val": 3.0}, lambda x: F.hardtanh(x, -2.0, 3.0)),
    Case("relu6", {}, lambda x: F.hardtanh(x, 0.0, 6.0), tags=("relu6-as-hardtanh",)),
    Case("logsigmoid", {}, F.logsigmoid),
    Case("tanhshrink", {}, F.tanhshrink),
    Case("softshrink", {}, F.softshrink),
    Case("softshrink", {"lambd": 1.0}, lambda x: F.softshrink(x, 1.0)),
    Case("hardshrink", {}, F.hardshrink),
    Case("hardshrink", {"lambd": 1.0}, lambda x: F.hardshrink(x, 1.0)),
    Case("threshold", {}, lambda x: F.threshold(x, 0.0, 0.0)),
    Case("threshold", {"threshold": 0.5, "value": -1.0}, lambda x: F.threshold(x, 0.5, -1.0)),
    Case("sigmoid", {}, torch.sigmoid),
    Case("tanh", {}, torch.tanh),
]

JAX_CASES = [
    Case("relu", {}, jnn.relu),
    Case("relu6", {}, jnn.relu6),
    Case("leaky_relu", {}, jnn.leaky_relu),
    Case("leaky_relu", {"negative_slope": 0.2}, lambda x: jnn.leaky_relu(x, 0.2)),
    Case("elu", {}, jnn.elu),
    Case("elu", {"alpha": 0.7}, lambda x: jnn.elu(x, 0.7)),
    Case("selu", {}, jnn.selu),
    Case("celu", {}, jnn.celu),
    Case("celu", {"alpha": 0.7}, lambda x: jnn.celu(x, 0.7)),
    Case("gelu", {}, lambda x: jnn.gelu(x, approximate=False)),
    Case("gelu", {"approximate": "tanh"}, lambda x: jnn.gelu(x, approximate=True)),
    Case("silu", {}, jnn.silu),
    Case("mish", {}, jnn.mish),
    Case("softplus", {}, jnn.softplus),
    Case("softsign", {}, jnn.soft_sign),
    Case("hardsigmoid", {}, jnn.hard_sigmoid),
    Case("hardswish", {}, jnn.hard_silu),
    Case("hardtanh", {}, jnn.hard_tanh),
    Case("logsigmoid", {}, jnn.log_sigmoid),
    Case("sparse_plus", {}, jnn.sparse_plus),
    Case("sparse_sigmoid", {}, jnn.sparse_sigmoid),
    Case("squareplus", {}, jnn.squareplus),
    Case("squareplus", {"b": 1.0}, lambda x: jnn.squareplus(x, 1.0)),
    Case("sigmoid", {}, jnn.sigmoid),
    Case("tanh", {}, jnn.tanh),
    Case("identity", {}, jnn.identity),
]

#: Registered activations that neither framework has under any name (checked against the
#: registry, so a new spec must be placed in a table or here).
NO_FRAMEWORK = {
    "exponential": "keras.activations.exponential only (keras is not a reference here)",
    "gelu_sigmoid": "x·σ(1.702x): no framework function; = silu(beta=1.702), see "
    "test_properties_core",
}

TORCH_NAMES = {c.name for c in TORCH_CASES}
JAX_NAMES = {c.name for c in JAX_CASES}


def reference_cases() -> list[tuple[str, Case]]:
    """The reference framework for every case: PyTorch where it defines the function."""
    out = [("torch", c) for c in TORCH_CASES if not c.tags]
    out += [("jax", c) for c in JAX_CASES if c.name not in TORCH_NAMES]
    return out


def test_every_registered_activation_is_classified() -> None:
    assert set(actfn.names()) == TORCH_NAMES | JAX_NAMES | set(NO_FRAMEWORK)
    assert not set(NO_FRAMEWORK) & (TORCH_NAMES | JAX_NAMES)


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


_NAN = math.nan

#: Grid/accuracy exceptions: the framework is measurably less accurate than 1e-12, or
#: follows another definition. The grid test skips exactly these (framework, case,
#: method) combinations and compares them here instead.
DEVIATIONS: list[Deviation] = [
    Deviation("torch", "celu", {"alpha": 0.7}, "derivative", 0.0, 1.0, 1.0000000170298988,
              "torch's celu backward uses alpha rounded to float32 (0.7/float32(0.7) = "
              "1.0000000170…) even for float64 tensors: f′ and f″ are off by ~1e-8 relative "
              "whenever alpha is not a float32 number. actfn is exact (f′(0) = 1)."),
    Deviation("torch", "celu", {"alpha": 0.7}, "second_derivative", -0.5,
              0.6993452279385045, 0.6993452432510767,
              "same cause: f″(-0.5) = exp(-0.5/0.7)/0.7 = 0.69934522793850…"),
    Deviation("torch", "hardsigmoid", {}, "derivative", 0.5, 1.0 / 6.0, 0.1666666716337204,
              "torch's float64 hardsigmoid backward multiplies by 1/6 rounded to float32 "
              "on (-3, 3); actfn returns 1/6 in float64."),
    Deviation("torch", "hardsigmoid", {}, "second_derivative", 0.5, 0.0, _NAN,
              "torch has no double backward for hardsigmoid (RuntimeError: derivative for "
              "aten::hardsigmoid_backward is not implemented); JAX is used for f″ instead."),
    Deviation("torch", "softplus", {}, "f", 21.0, 21.000000000758256, 21.0,
              "torch returns x itself once beta·x > threshold = 20; actfn is exact (no "
              "threshold), so the grid compares only beta·x < 20."),
    Deviation("torch", "softplus", {}, "derivative", 21.0, 0.9999999992417439, 1.0,
              "same linear switch-over in torch's backward."),
]

#: Exact-value and convention differences at single points (kinks, ±0, ±inf, nan).
#: actfn follows PyTorch where PyTorch defines the function; JAX rows are where JAX's
#: convention differs from PyTorch's, and the rest are actfn's documented limits.
POINT_DEVIATIONS: list[Deviation] = [
    # --- JAX conventions at kinks that differ from PyTorch's (actfn = PyTorch) ---
    Deviation("jax", "leaky_relu", {}, "derivative", 0.0, 0.01, 1.0,
              "jax.nn.leaky_relu uses x >= 0 for the linear piece; torch (and actfn) give "
              "f′(0) = negative_slope"),
    Deviation("jax", "hardtanh", {}, "derivative", 1.0, 0.0, 1.0,
              "jax.nn.hard_tanh keeps slope 1 at ±1 (closed interval); torch gives 0"),
    Deviation("jax", "hardtanh", {}, "derivative", -1.0, 0.0, 1.0, "as above, at -1"),
    Deviation("jax", "elu", {}, "second_derivative", 0.0, 0.0, 1.0,
              "jax's elu takes the x ≤ 0 branch for f″(0) too; torch's elu double backward "
              "uses x < 0, so f″(0) = 0"),
    Deviation("jax", "selu", {}, "second_derivative", 0.0, 0.0, 1.7580993408473766,
              "as elu: torch (and actfn) f″(0) = 0, jax scale·alpha"),
    Deviation("jax", "celu", {"alpha": 0.7}, "second_derivative", 0.0, 0.0,
              0.35714285714285715,
              "jax.nn.celu uses max/min, whose gradient JAX splits evenly at a tie: "
              "f″(0) = 1/(4·alpha); torch (and actfn) 0"),
    Deviation("jax", "softsign", {}, "second_derivative", 0.0, -0.0, -2.0,
              "jax's grad of |x| at 0 is 1 (sign(0) taken as +1): f″(0) = -2; torch "
              "(and actfn) give 0 (f″ jumps from 2 to -2)"),
    Deviation("jax", "relu", {}, "f", -0.0, -0.0, 0.0,
              "jax.nn.relu(-0.0) = +0.0 (maximum); torch (and actfn) keep the sign: -0.0"),
    Deviation("jax", "relu6", {}, "f", -0.0, -0.0, 0.0, "as relu"),
    Deviation("jax", "celu", {}, "f", -0.0, -0.0, 0.0,
              "jax.nn.celu(-0.0) = max(-0, 0) + alpha·expm1(-0) = +0.0; torch -0.0"),
    # --- signed zeros away from ±0 inputs ---
    Deviation("torch", "logsigmoid", {}, "f", math.inf, -0.0, 0.0,
              "log σ(x) < 0 for every x, so actfn's -log1p(0) = -0.0 has the true sign; "
              "torch computes min(x, 0) - log1p(exp(-x)) = 0 - 0 = +0.0"),
    Deviation("torch", "sigmoid", {}, "second_derivative", 0.0, -0.0, 0.0,
              "σ″(0) = 0: actfn's -sign(z)·… gives -0.0 at +0, torch's s(1-s)(1-2s) +0.0 "
              "(only the sign of a zero)"),
]

#: Limits at ±inf where the framework returns nan (issue 2: ±inf → the mathematical limit,
#: never nan). The framework value is nan because it evaluates inf·0 or inf/inf on the
#: way: x·Φ(x), x·σ(x), x·tanh(softplus x) at -inf; x·φ(x) or x³ inside autograd at +inf;
#: inf/(1 + inf) for softsign; -inf·relu6(-inf + 3) for hardswish; sqrt(x² + b) - |x| and
#: x/sqrt(x² + b) for jax's squareplus; the untaken (x+1)²/4 branch of jax's sparse_plus
#: whose derivative 0·inf poisons jnp.where. Zeros are compared with ==; the sign of the
#: named ones is checked in test_named_limits.
INF_LIMITS: dict[tuple[str, str], dict[str, float]] = {
    ("torch", "gelu()"): {"f(-inf)": -0.0, "f'(inf)": 1.0, "f'(-inf)": 0.0,
                          "f''(inf)": 0.0, "f''(-inf)": 0.0},
    ("torch", "gelu(approximate=tanh)"): {"f(-inf)": -0.0, "f'(inf)": 1.0, "f'(-inf)": 0.0,
                                          "f''(inf)": 0.0, "f''(-inf)": 0.0},
    ("torch", "silu()"): {"f(-inf)": -0.0, "f'(inf)": 1.0, "f'(-inf)": 0.0,
                          "f''(inf)": 0.0, "f''(-inf)": 0.0},
    ("torch", "mish()"): {"f(-inf)": -0.0, "f'(inf)": 1.0, "f'(-inf)": 0.0,
                          "f''(inf)": 0.0, "f''(-inf)": 0.0},
    ("torch", "softsign()"): {"f(inf)": 1.0, "f(-inf)": -1.0, "f'(inf)": 0.0, "f'(-inf)": 0.0,
                              "f''(inf)": 0.0, "f''(-inf)": 0.0},
    ("torch", "hardswish()"): {"f(-inf)": -0.0},
    ("jax", "sparse_plus()"): {"f'(inf)": 1.0, "f'(-inf)": 0.0},
    ("jax", "squareplus()"): {"f(-inf)": 0.0, "f'(inf)": 1.0, "f'(-inf)": 0.0,
                              "f''(inf)": 0.0, "f''(-inf)": 0.0},
    ("jax", "squareplus(b=1.0)"): {"f(-inf)": 0.0, "f'(inf)": 1.0, "f'(-inf)": 0.0,
                                   "f''(inf)": 0.0, "f''(-inf)": 0.0},
}
_LABEL = {"f": "f", "derivative": "f'", "second_derivative": "f''"}

#: nan → nan in every output (issue 2). PyTorch's backward of piecewise-linear functions
#: picks a branch by comparisons that are false for nan and so returns a finite slope,
#: and its double backward returns 0; JAX likewise. actfn returns nan for all of them —
#: a nan input is never silently turned into a finite gradient. (framework, name) →
#: the framework's (f′(nan), f″(nan)).
NAN_DEVIATIONS: dict[tuple[str, str], tuple[float, float]] = {
    ("torch", "relu"): (1.0, 0.0),
    ("torch", "relu6"): (1.0, 0.0),
    ("torch", "leaky_relu"): (0.01, 0.0),
    ("torch", "prelu"): (0.25, 0.0),
    ("torch", "rrelu"): (0.22916666666666666, 0.0),
    ("torch", "elu"): (1.0, 0.0),
    ("torch", "selu"): (1.0507009873554805, 0.0),
    ("torch", "celu"): (1.0, 0.0),
    ("torch", "hardsigmoid"): (0.0, _NAN),  # f″: no double backward in torch
    ("torch", "hardswish"): (1.0, 0.0),
    ("torch", "hardtanh"): (1.0, 0.0),
    ("torch", "softshrink"): (1.0, 0.0),
    ("torch", "hardshrink"): (1.0, 0.0),
    ("torch", "threshold"): (1.0, 0.0),
    ("jax", "sparse_plus"): (_NAN, 0.5),
    ("jax", "sparse_sigmoid"): (0.0, 0.0),
    ("jax", "identity"): (1.0, 0.0),
}


def _dev_key(d: Deviation) -> tuple[str, str, str, str]:
    return d.framework, d.name, repr(sorted(d.params.items())), d.method


_GRID_EXCEPTIONS = {_dev_key(d) for d in DEVIATIONS}


def _same_value(a: float, b: float) -> bool:
    """Equal including the sign of zero; nan equals nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _case_for(framework: str, name: str, params: dict[str, Any]) -> Case:
    table = TORCH_CASES if framework == "torch" else JAX_CASES
    for c in table:
        if c.name == name and c.act() == actfn.get(name, **params):
            return c
    if framework == "torch" and name == "celu":  # the alpha=0.7 deviation case
        return Case("celu", dict(params), lambda x: F.celu(x, params["alpha"]))
    raise AssertionError(f"no {framework} case for {name}{params}")


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
    case = Case("celu", {"alpha": 0.7}, lambda x: F.celu(x, 0.7))
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
    ours = case.act()(x)
    theirs = framework_values(framework, case, x)[0]
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
