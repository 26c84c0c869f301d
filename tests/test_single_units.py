"""The single-input units of issue 13: relu2, star_relu and xielu.

The registry-parametrized suites test them like every activation; here what is specific
to them: parity with the published forms in PyTorch (relu2 = ``F.relu(x) ** 2``; xielu =
transformers' ``XIELUActivation`` transcribed, with its softplus parametrization, values
and gradients with respect to the input and the raw parameters), gradcheck through that
parametrization, accuracy at the interior zeros of f and f′ (where the formulas cancel),
the ε = 0 form and the parameter checks.
"""

from __future__ import annotations

import contextlib
import math

import mpmath
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.autograd import gradcheck

import actfn
import actfn.torch as at
from actfn import _fast
from actfn.catalog.xielu import from_raw

from .oracle import exact, oracle, round_to, ulp_distance

X = torch.tensor(np.r_[np.linspace(-7.0, 3.0, 401), -1e-3, 1e-3, 5e-7], dtype=torch.float64)


def _derivs(fn, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """f, f′ and f″ of ``fn`` at ``x`` by autograd (elementwise functions)."""
    x = x.detach().clone().requires_grad_(True)
    y = fn(x)
    (d1,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x)
    return y.detach(), d1.detach(), d2


def test_relu2_matches_torch_relu_squared() -> None:
    ours = _derivs(at.relu2, X)
    theirs = _derivs(lambda t: F.relu(t) ** 2, X)
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    x0 = torch.zeros(1, dtype=torch.float64)
    assert [float(v) for v in _derivs(at.relu2, x0)] == [0.0, 0.0, 0.0]


def _xielu_transformers(x, a, b, beta=0.5, eps=-1e-6):
    """transformers.activations.XIELUActivation's Python forward: raw parameters a, b."""
    alpha_p = F.softplus(a)
    alpha_n = beta + F.softplus(b)
    return torch.where(
        x > 0,
        alpha_p * x * x + beta * x,
        (torch.expm1(torch.min(x, torch.tensor(eps, dtype=x.dtype))) - x) * alpha_n + beta * x,
    )


def _raw(value: float) -> torch.Tensor:
    """softplus⁻¹(value) as a float64 leaf tensor (how the reference code stores it)."""
    return torch.tensor(math.log(math.expm1(value)), dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("alpha_p,alpha_n,beta", [(0.8, 0.8, 0.5), (1.7, 2.5, 0.25)])
def test_xielu_matches_the_published_form_values_and_gradients(alpha_p, alpha_n, beta) -> None:
    x_ref = X.clone().requires_grad_(True)
    a_ref, b_ref = _raw(alpha_p), _raw(alpha_n - beta)
    y_ref = _xielu_transformers(x_ref, a_ref, b_ref, beta)
    y_ref.sum().backward()

    x = X.clone().requires_grad_(True)
    a, b = _raw(alpha_p), _raw(alpha_n - beta)
    y = at.xielu(x, alpha_p=F.softplus(a), alpha_n=beta + F.softplus(b), beta=beta)
    y.sum().backward()
    # the transcription cancels near the zeros of f (it has no double-double): absolute
    # agreement to a few float64 ulps of the terms, gradients likewise
    torch.testing.assert_close(y, y_ref, rtol=1e-13, atol=1e-14)
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-13, atol=1e-14)
    torch.testing.assert_close(a.grad, a_ref.grad, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(b.grad, b_ref.grad, rtol=1e-12, atol=1e-12)
    p = from_raw(float(a.detach()), float(b.detach()), beta)
    assert p["alpha_p"] == pytest.approx(alpha_p, rel=1e-14)
    assert p["alpha_n"] == pytest.approx(alpha_n, rel=1e-14)


def test_xielu_second_derivative_matches_the_published_form() -> None:
    x = X[(X - -1e-6).abs() > 1e-9]  # torch.min splits the tie at x = eps
    ours = _derivs(lambda t: at.xielu(t), x)
    a, b = _raw(0.8).detach(), _raw(0.3).detach()
    theirs = _derivs(lambda t: _xielu_transformers(t, a, b), x)
    for u, v in zip(ours, theirs, strict=True):
        torch.testing.assert_close(u, v, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["xielu", "star_relu"])
def test_gradcheck_through_raw_parameters(name: str) -> None:
    """Gradients of the input and of both learnable parameters (reached through the
    reference code's softplus parametrization for xielu) against finite differences."""
    gen = torch.Generator().manual_seed(13)
    x = (torch.rand(24, generator=gen, dtype=torch.float64) * 8 - 5).requires_grad_(True)
    p = torch.tensor([0.2, -0.7], dtype=torch.float64, requires_grad=True)
    if name == "xielu":
        def fn(x, p):
            return at.xielu(x, alpha_p=F.softplus(p[0]), alpha_n=0.5 + F.softplus(p[1]))
    else:
        def fn(x, p):
            return at.star_relu(x, scale=p[0], bias=p[1])
    assert gradcheck(fn, (x, p))


def test_layers_learn_their_parameters() -> None:
    torch.manual_seed(0)
    for cls, names in ((at.Xielu, ("alpha_p", "alpha_n")), (at.StarRelu, ("scale", "bias"))):
        layer = cls(learnable=True).double()
        x = torch.randn(64, dtype=torch.float64)
        layer(x).pow(2).mean().backward()
        for n in names:
            g = getattr(layer, n).grad
            assert g is not None and torch.isfinite(g) and float(g) != 0.0, (cls, n)


# -- accuracy at the interior zeros, where the formulas cancel --------------------------------
def _near(c: float, k: int = 3) -> np.ndarray:
    """c, its k float64 neighbours on each side, and points 1e-12 … 1e-3 away."""
    pts = [c]
    lo = hi = c
    for _ in range(k):
        lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
        pts += [lo, hi]
    for r in (1e-12, 1e-9, 1e-6, 1e-3):
        pts += [c - r * abs(c), c + r * abs(c)]
    return np.array(pts, dtype=np.float64)


def _zeros(name: str, p: dict) -> list[tuple[int, float]]:
    """(derivative order, location) of the interior zeros of f and f′ at parameters p,
    found with mpmath (f′: ln(1 − β/αn); f: the negative root of αn·g(x) + βx)."""
    if name == "star_relu":
        return [(0, math.sqrt(-p["bias"] / p["scale"]))]
    n, b = mpmath.mpf(p["alpha_n"]), mpmath.mpf(p["beta"])
    x0 = mpmath.log(1 - b / n)
    with mpmath.workprec(200):
        xr = mpmath.findroot(lambda t: n * (mpmath.expm1(t) - t) + b * t,
                             (-n / (n - b) - 1, x0), solver="anderson")
    assert float(xr) < p["eps"] and float(x0) < p["eps"]
    return [(0, float(xr)), (1, float(x0))]


ZERO_CASES = [("star_relu", {}), ("star_relu", {"scale": 3e-5, "bias": -7.0}),
              ("xielu", {}), ("xielu", {"alpha_p": 1.7, "alpha_n": 2.5, "beta": 0.25}),
              ("xielu", {"alpha_n": 0.5000001}), ("xielu", {"alpha_n": 40.0, "eps": 0.0})]


@pytest.mark.parametrize("name,params", ZERO_CASES,
                         ids=[f"{n}-{','.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}"
                              for n, p in ZERO_CASES])
def test_accuracy_at_interior_zeros(name: str, params: dict) -> None:
    """On the NumPy path (the compiled one, compiled per parameter set, is measured at
    the spec's cases by test_accuracy.py, whose grid also passes near these zeros)."""
    with _fast.disabled():
        _check_zeros(name, params)


def _check_zeros(name: str, params: dict) -> None:
    act = actfn.get(name, **params)
    fns = oracle(name, act.params)
    bounds = {0: 2, 1: 4}
    for which, c in _zeros(name, act.params):
        x = _near(c)
        got = np.asarray((act, act.derivative)[which](x))
        want = np.array([round_to(exact(fns[which], float(v)), "float64") for v in x])
        u = ulp_distance(got, want)
        assert u.max() <= bounds[which], (which, c, x[u > bounds[which]], u.max())
        x32 = x.astype(np.float32)
        got32 = np.asarray((act, act.derivative)[which](x32))
        want32 = np.array([round_to(exact(fns[which], float(v)), "float32") for v in x32],
                          dtype=np.float32)
        assert ulp_distance(got32, want32).max() <= 1


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])
def test_star_relu_bias_at_the_largest_float(compiled: bool) -> None:
    """b = −max and s·x² = 6.9e306: the error-free sum's s − a rounds past −max (its
    error term was inf − inf = NaN); the result is the rounded sum, in every dtype."""
    act = actfn.get("star_relu", scale=1e300, bias=-np.finfo(np.float64).max)
    x = np.array([2618.0, 6.6875, np.inf, -1.0, np.nan])
    big = mpmath.mpf(float(np.finfo(np.float64).max))
    assert _fast.available()  # numba is a core dependency: the default path is compiled
    with contextlib.nullcontext() if compiled else _fast.disabled():
        for dt in ("float64", "float32", "float16"):
            xd = x.astype(dt)
            want = [round_to(exact(lambda v: mpmath.mpf(1e300) * max(v, 0) ** 2 - big,
                                   float(v)), dt) for v in xd[:4]]
            y = act(xd)
            np.testing.assert_array_equal(y[:4], np.array(want, dtype=dt))
            assert np.isnan(y[4])


# -- the ε = 0 form and the parameter checks ---------------------------------------------------
def test_xielu_eps_zero_is_the_papers_c1_form() -> None:
    act = actfn.get("xielu", eps=0.0)
    assert act.kinks() == (0.0,)
    z = np.zeros(1)
    assert float(act(z)[0]) == 0.0
    assert float(act.derivative(z)[0]) == pytest.approx(0.5, rel=2.3e-16)  # ≤ 1 ulp
    assert float(act.second_derivative(z)[0]) == 0.8
    published = actfn.get("xielu")
    assert published.kinks() == (-1e-6, 0.0)
    assert float(published(z)[0]) == pytest.approx(0.8 * math.expm1(-1e-6), rel=1e-15)
    assert float(published.derivative(z)[0]) == pytest.approx(-0.3, rel=1e-15)


@pytest.mark.parametrize("params,word", [
    ({"eps": 1e-3}, "eps"), ({"eps": -2.0}, "eps"), ({"alpha_n": 0.0}, "alpha_n"),
    ({"alpha_p": -0.1}, "alpha_p"), ({"beta": -0.5}, "beta"), ({"alpha_n": 2e6}, "1e\\+06"),
])
def test_xielu_rejects_bad_parameters(params: dict, word: str) -> None:
    with pytest.raises(ValueError, match=word.replace("*", r"\*")):
        actfn.get("xielu", **params)


def test_bad_input_is_not_mutated() -> None:
    x = np.array([-2.0, 0.5, 3.0])
    before = x.copy()
    for n in actfn.names():
        actfn.get(n)(x)
        actfn.get(n).derivative(x)
    np.testing.assert_array_equal(x, before)
