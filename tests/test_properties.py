"""Every piece of knowledge in the registry is checked against the implementation.

The properties in ``spec.knowledge.properties`` hold at the default parameters; each
test below is parametrized over ``actfn.names()``, so a new activation is checked the
moment it is registered. The framework equivalents in ``spec.knowledge.frameworks`` are
evaluated with the real frameworks and compared with actfn (at the defaults and at every
parameter set they are parity-tested at), and so are the derivatives they report at the
kinks.
"""

from __future__ import annotations

import math
import os
import re

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy.stats import norm

import actfn
from actfn import Equivalent, Knowledge, Properties, Prose

NAMES = actfn.names()

#: A dense grid on [-20, 20] (step 1e-3), plus the values of every kink.
GRID = np.linspace(-20.0, 20.0, 40001)
#: Far-out inputs where limits are read off.
FAR = np.array([-1e300, -1e8, -1e6, -1e3, 1e3, 1e6, 1e8, 1e300])


def _props(name: str) -> Properties:
    p = actfn.lookup(name).knowledge.properties
    assert p is not None, f"{name} has no [properties] in its knowledge file"
    return p


def _grid(act: actfn.Activation) -> np.ndarray:
    return np.unique(np.concatenate([GRID, np.asarray(act.kinks(), dtype=float), FAR]))


def _moment(act: actfn.Activation, power: int, scale: float = 1.0) -> float:
    """E[f(sZ)^power] for Z ~ N(0, 1), by adaptive quadrature split at the kinks."""

    def integrand(z: float) -> float:
        return float(act(scale * z)) ** power * norm.pdf(z)

    points = sorted({k / scale for k in act.kinks() if -40 < k / scale < 40} | {0.0})
    value, _ = integrate.quad(integrand, -40.0, 40.0, points=points, limit=400,
                              epsabs=1e-13, epsrel=1e-12)
    return value


# -- completeness ------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_knowledge_is_complete(name: str) -> None:
    spec = actfn.lookup(name)
    info = spec.knowledge
    assert isinstance(info, Knowledge) and info.documented
    assert isinstance(info.properties, Properties)
    fws = info.frameworks
    assert [e.framework for e in fws] == ["PyTorch", "Keras", "JAX"]
    assert all(isinstance(e, Equivalent) for e in fws)
    n_kinks = len(actfn.get(name).kinks())
    for e in fws:
        assert e.kink_grad is None or len(e.kink_grad) == n_kinks, e
    for lang in ("en", "zh"):
        prose = info.prose[lang]
        assert isinstance(prose, Prose)
        assert prose.strengths and prose.weaknesses and prose.use
    cjk = re.compile(r"[\u4e00-\u9fff]")
    zh = info.prose["zh"]
    for text in (*zh.strengths, *zh.weaknesses, zh.use, *zh.corrections):
        assert cjk.search(text), text
    assert len(info.prose["zh"].corrections) == len(info.prose["en"].corrections)
    assert spec.latex.get("f") and spec.latex.get("df") and spec.latex.get("d2f")


# -- monotone ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_monotone(name: str) -> None:
    act = actfn.get(name)
    x = _grid(act)
    f, df = act(x), act.derivative(x)
    assert not np.isnan(df).any()
    if _props(name).monotone:
        assert (df >= 0).all(), x[df < 0][:5]
        with np.errstate(invalid="ignore"):  # inf - inf at the far ends
            assert not (np.diff(f) < 0).any()
    else:
        assert (df < 0).any()
        assert (np.diff(f) < 0).any()


# -- range -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_range(name: str) -> None:
    p = _props(name)
    act = actfn.get(name)
    lo, hi = p.range
    assert lo < hi
    x = _grid(act)
    f = act(x)
    tol = 1e-12
    assert (f >= lo - tol).all() and (f <= hi + tol).all()
    moderate = np.linspace(-5.0, 5.0, 10001)
    fm = act(moderate)
    ends = act(np.array([-1e6, 1e6]))
    for bound, attained, sign in ((lo, p.attained[0], 1.0), (hi, p.attained[1], -1.0)):
        if math.isinf(bound):
            # unbounded on that side: far-out values go past any fixed level
            assert (sign * ends < -1e3).any()
            continue
        if attained:
            i = int(np.argmin(sign * f))
            best = sign * f[i]
            if abs(best - sign * bound) > 1e-9:  # interior extremum: refine around it
                res = optimize.minimize_scalar(
                    lambda t, s=sign: s * float(act(t)), bounds=(x[i - 1], x[i + 1]),
                    method="bounded", options={"xatol": 1e-12})
                best = min(best, res.fun)
            assert abs(best - sign * bound) < 1e-9, (bound, best)
        else:
            # open end: never reached on a moderate grid, approached far out
            assert (sign * (fm - bound) > 0).all()
            assert np.min(np.abs(ends - bound)) < 1e-5
    assert p.bounded_below == math.isfinite(lo) and p.bounded_above == math.isfinite(hi)


# -- smoothness --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_smoothness(name: str) -> None:
    k = _props(name).smoothness
    act = actfn.get(name)
    kinks = act.kinks()
    if math.isinf(k):
        assert kinks == ()
        # f' and f'' have no jumps anywhere on the grid, and f' is the slope of f
        x = np.linspace(-10.0, 10.0, 20001)
        d1, d2 = act.derivative(x), act.second_derivative(x)
        for d in (d1, d2):
            assert (np.abs(np.diff(d)) < 1e-2 * (1.0 + np.abs(d[1:]))).all()
        h = 1e-5
        fd = (act(x + h) - act(x - h)) / (2 * h)
        np.testing.assert_allclose(fd, d1, rtol=1e-6, atol=1e-6)
        return
    assert kinks, "a non-smooth activation must list its kinks"
    h = 1e-7

    def jumps(fn):
        return [abs(float(fn(c + h)) - float(fn(c - h))) for c in kinks]

    jf, jd, jd2 = jumps(act), jumps(act.derivative), jumps(act.second_derivative)
    if k >= 0:
        assert max(jf) < 1e-6, jf
    else:
        assert max(jf) > 1e-3, jf
    if k >= 1:
        assert max(jd) < 1e-5, jd
    elif k == 0:
        assert max(jd) > 1e-3, jd
    if k == 1:
        assert max(jd2) > 1e-3, jd2


# -- moments under a standard normal input ----------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_zero_centred(name: str) -> None:
    mean = _moment(actfn.get(name), 1)
    if _props(name).zero_centred:
        assert abs(mean) < 1e-9, mean
    else:
        assert abs(mean) > 1e-3, mean


@pytest.mark.parametrize("name", NAMES)
def test_self_normalizing(name: str) -> None:
    act = actfn.get(name)
    mean, second = _moment(act, 1), _moment(act, 2)
    fixed_point = abs(mean) < 1e-9 and abs(second - 1.0) < 1e-9
    attracts = True
    for v in (0.8, 1.2):
        s = math.sqrt(v)
        var = _moment(act, 2, s) - _moment(act, 1, s) ** 2
        attracts &= min(v, 1.0) < var < max(v, 1.0)
    assert _props(name).self_normalizing == (fixed_point and attracts), (mean, second)


# -- saturation and sparsity -----------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_saturation(name: str) -> None:
    act = actfn.get(name)
    sat = _props(name).saturates
    assert set(sat) <= {"-", "+"}
    for side, sign in (("-", -1.0), ("+", 1.0)):
        far = np.array([sign * 1e7, sign * 1e8])
        f, df = act(far), act.derivative(far)
        if side in sat:
            assert np.isfinite(f).all() and abs(f[1] - f[0]) < 1e-6
            assert np.abs(df).max() < 1e-9
        else:
            assert abs(df[1]) > 1e-3 or abs(f[1]) > 1e6


@pytest.mark.parametrize("name", NAMES)
def test_sparse(name: str) -> None:
    act = actfn.get(name)
    x = np.linspace(-10.0, 10.0, 20001)
    zeros = int(np.count_nonzero(act(x) == 0))
    if _props(name).sparse:
        assert zeros >= 100
    else:
        assert zeros <= 1


@pytest.mark.parametrize("name", NAMES)
def test_reflection(name: str) -> None:
    """``reflection`` holds (f(x) − f(−x) = x at the defaults and at each ``also_at``) or,
    where not stated, fails somewhere on [-20, 20]."""
    p = _props(name)
    x = np.linspace(-20.0, 20.0, 4001)
    for params in ({}, *p.also_at):
        act = actfn.get(name, **params)
        with np.errstate(all="ignore"):
            gap = np.abs(act(x) - act(-x) - x)
        if p.reflection:
            assert gap.max() <= 1e-13 * 20, (params, gap.max())
        else:
            assert gap.max() > 1e-3, gap.max()
    assert p.reflection or not p.also_at


@pytest.mark.parametrize("name", NAMES)
def test_parameters_documented_with_defaults_in_range(name: str) -> None:
    spec = actfn.lookup(name)
    for p in spec.params:
        assert p.validate(p.default, owner=name) is not None
        assert p.doc, f"{name}.{p.name} needs a description"


@pytest.mark.parametrize("name", NAMES)
def test_learnable_parameters(name: str) -> None:
    """A parameter listed as learnable changes f and has a gradient kernel that matches
    a central difference of f with respect to it."""
    from array_api_compat import array_namespace

    spec = actfn.lookup(name)
    learnable = {p.name for p in spec.params if p.learnable}
    assert learnable == set(spec.dparams), (learnable, set(spec.dparams))
    x = np.linspace(-4.0, 4.0, 81)
    xp = array_namespace(x)
    base = spec.bind()
    for pname in sorted(learnable):
        h = 1e-6
        up = actfn.get(name, **{**base, pname: base[pname] + h})(x)
        down = actfn.get(name, **{**base, pname: base[pname] - h})(x)
        fd = (up - down) / (2 * h)
        assert np.abs(fd).max() > 1e-3, f"{pname} does not change {name}"
        with np.errstate(all="ignore"):
            grad = np.asarray(spec.dparams[pname](x, xp, **base), dtype=float)
        np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)


# -- framework equivalents -------------------------------------------------------------------
XS = np.array([-25.0, -5.0, -3.5, -3.0, -2.0, -1.5, -1.0, -0.7, -0.5, -0.2, 0.0, 0.3, 0.5,
               1.0, 1.5, 2.5, 3.0, 3.5, 6.0, 7.0, 25.0])


def _cases(framework: str) -> list[tuple[str, dict, Equivalent]]:
    """(name, parameters, equivalent): the defaults, plus every non-default parameter set
    the equivalent is parity-tested at (its ``call`` names the parameters)."""
    out = []
    for name in NAMES:
        for e in actfn.lookup(name).knowledge.frameworks:
            if e.framework == framework and e.call:
                sets = [{}] + [dict(p) for p in e.parity if p]
                out += [(name, p, e) for p in sets]
    return out


def _id(v: object) -> str:
    if isinstance(v, Equivalent):
        return v.call
    if isinstance(v, dict):
        return ",".join(f"{k}={x}" for k, x in v.items()) or "defaults"
    return str(v)


@pytest.mark.parametrize("name,params,eq", _cases("PyTorch"), ids=_id)
def test_pytorch_equivalent(name: str, params: dict, eq: Equivalent) -> None:
    torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")
    act = actfn.get(name, **params)
    bound = actfn.lookup(name).bind(**params)
    x = torch.tensor(XS, dtype=torch.float64)
    got = eq.evaluate(x, {"torch": torch}, bound).detach().numpy()
    np.testing.assert_allclose(got, act(XS), rtol=1e-7, atol=1e-12)
    if eq.kink_grad is not None and not params:
        for c, expected in zip(act.kinks(), eq.kink_grad, strict=True):
            xc = torch.tensor([c], dtype=torch.float64, requires_grad=True)
            eq.evaluate(xc, {"torch": torch}, bound).sum().backward()
            assert float(xc.grad[0]) == pytest.approx(expected, abs=1e-12), c


@pytest.mark.parametrize("name,params,eq", _cases("JAX"), ids=_id)
def test_jax_equivalent(name: str, params: dict, eq: Equivalent) -> None:
    jax = pytest.importorskip("jax") if not os.environ.get("CI") else __import__("jax")
    import jax.numpy as jnp

    act = actfn.get(name, **params)
    bound = actfn.lookup(name).bind(**params)
    x32 = XS.astype(np.float32)
    got = np.asarray(eq.evaluate(jnp.asarray(x32), {"jax": jax}, bound))
    np.testing.assert_allclose(got, act(x32), rtol=2e-6, atol=1e-6)
    if eq.kink_grad is not None and not params:
        for c, expected in zip(act.kinks(), eq.kink_grad, strict=True):
            g = jax.grad(lambda t: eq.evaluate(t, {"jax": jax}, bound))(jnp.float32(c))
            assert float(g) == pytest.approx(expected, abs=1e-6), c


@pytest.mark.parametrize("name,params,eq", _cases("Keras"), ids=_id)
def test_keras_equivalent(name: str, params: dict, eq: Equivalent) -> None:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
    x32 = XS.astype(np.float32)
    y = eq.evaluate(keras.ops.convert_to_tensor(x32), {"keras": keras},
                    actfn.lookup(name).bind(**params))
    got = np.asarray(keras.ops.convert_to_numpy(y), dtype=np.float64)
    np.testing.assert_allclose(got, actfn.get(name, **params)(x32), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name,eq", [(n, e) for n, p, e in _cases("PyTorch") + _cases("JAX")
                                     + _cases("Keras") if not p], ids=_id)
def test_equivalent_names_only_its_parameters(name: str, eq: Equivalent) -> None:
    """A call is an expression in x, its framework module and the activation's parameter
    names; :meth:`Equivalent.at` turns it into runnable code with no free parameter."""
    spec = actfn.lookup(name)
    module = {"PyTorch": "torch", "JAX": "jax", "Keras": "keras"}[eq.framework]
    assert eq.names() <= {"x", module, *spec.param_names}, eq.names()
    assert eq.names(eq.at(spec.defaults())) <= {"x", module}


def test_framework_defaults_quoted_in_the_notes() -> None:
    """The default and convention differences spelled out in the framework notes hold for
    the installed PyTorch, Keras and JAX."""
    import inspect

    os.environ.setdefault("KERAS_BACKEND", "jax")
    import jax
    import keras
    import torch

    def default(fn, arg):
        return inspect.signature(fn).parameters[arg].default

    notes = {n: {e.framework: e.notes for e in actfn.lookup(n).knowledge.frameworks}
             for n in NAMES}
    assert default(torch.nn.LeakyReLU, "negative_slope") == 0.01
    assert default(jax.nn.leaky_relu, "negative_slope") == 0.01
    assert default(keras.activations.leaky_relu, "negative_slope") == 0.2
    assert default(keras.layers.LeakyReLU.__init__, "negative_slope") == 0.3
    assert "0.2" in notes["leaky_relu"]["Keras"] and "0.3" in notes["leaky_relu"]["Keras"]
    assert default(jax.nn.gelu, "approximate") is True
    assert default(keras.activations.gelu, "approximate") is False
    assert default(torch.nn.GELU, "approximate") == "none"
    assert "approximate=True" in notes["gelu"]["JAX"]
    assert default(torch.nn.Softplus, "threshold") == 20.0
    assert "threshold" in notes["softplus"]["PyTorch"]
    assert default(torch.nn.PReLU, "init") == 0.25
    assert str(default(keras.layers.PReLU.__init__, "alpha_initializer")).lower() == "zeros"
    assert "alpha = 0" in notes["prelu"]["Keras"]
    x = np.array([-3.0, -2.5, 0.0, 2.5, 3.0], dtype=np.float32)
    hs = np.asarray(keras.ops.convert_to_numpy(keras.activations.hard_sigmoid(x)))
    np.testing.assert_allclose(hs, actfn.hardsigmoid(x), atol=1e-7)  # relu6(x + 3)/6
