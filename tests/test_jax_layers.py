"""actfn.jax: custom_jvp derivatives under grad, grad(grad), jit and vmap; parity and
accuracy against JAX's own functions; a small model trained; dtypes; errors.

The framework's own function is the registry's JAX ``Equivalent.call``. Where actfn and
JAX differ, actfn must be the one closer to an mpmath reference;
``python tests/test_jax_layers.py`` prints those differences. float64 checks run inside
``jax.enable_x64(True)`` so the process-wide default is left alone.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import actfn
import actfn.jax as aj


def _helpers() -> Any:
    # The framework-independent helpers (mpmath references, probe points) live beside the
    # torch tests; load that file under a private name.
    path = Path(__file__).with_name("test_torch_layers.py")
    spec = importlib.util.spec_from_file_location("_actfn_layer_test_helpers", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


H = _helpers()
NAMES = actfn.names()


@pytest.fixture
def x64() -> Iterator[None]:
    with jax.enable_x64(True):
        yield


def jax_equivalent(name: str) -> Callable[[jax.Array], jax.Array]:
    spec = actfn.lookup(name)
    eq = spec.knowledge.equivalent("JAX")
    code = compile(eq.at(spec.defaults()), f"<{name} JAX equivalent>", "eval")
    return lambda x: eval(code, {"jax": jax, "x": x})


def _values_and_grads(fn: Callable[[jax.Array], jax.Array], x: jax.Array) -> tuple[list[float], list[float]]:
    y, vjp = jax.vjp(fn, x)
    (g,) = vjp(jnp.ones_like(y))
    return np.asarray(y, dtype=np.float64).tolist(), np.asarray(g, dtype=np.float64).tolist()


def differences(dtype: Any, x64: bool) -> list[tuple[str, str, float, float, float, float]]:
    """(name, "f"/"df", x, actfn, jax, reference) wherever actfn and JAX disagree."""
    out = []
    with jax.enable_x64(x64):
        for name in NAMES:
            xs = H.smooth_points(name, H.PROBE, gap=1e-6)
            x = jnp.asarray(xs, dtype=dtype)
            xr = np.asarray(x, dtype=np.float64).tolist()
            a = _values_and_grads(aj.function(name), x)
            b = _values_and_grads(jax_equivalent(name), x)
            for k, what in enumerate(("f", "df")):
                for xv, av, bv in zip(xr, a[k], b[k], strict=True):
                    if av != bv and not (math.isnan(av) and math.isnan(bv)):
                        out.append((name, what, xv, av, bv, H.mp_reference(name, xv, what)))
    return out


# -- derivatives ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_grad_and_grad_grad_are_actfn(name: str, x64: None) -> None:
    act = actfn.get(name)
    xs = H.smooth_points(name)
    f = aj.function(name)
    g = jax.jit(jax.vmap(jax.grad(f)))(jnp.asarray(xs))
    gg = jax.jit(jax.vmap(jax.grad(jax.grad(f))))(jnp.asarray(xs))
    # XLA's exp/log are not libm's: allow a few ulps.
    tol = {"rtol": 2e-15, "atol": 1e-300}
    np.testing.assert_allclose(np.asarray(g), act.derivative(np.array(xs)), **tol)
    # f'' of mish/gelu has a cancelling sum that amplifies those ulps.
    np.testing.assert_allclose(np.asarray(gg), act.second_derivative(np.array(xs)), rtol=1e-14, atol=1e-300)
    # And numerically: forward and reverse mode, first and second order.
    check_grads(f, (jnp.asarray(xs),), order=2, modes=["fwd", "rev"])


@pytest.mark.parametrize("name", NAMES)
def test_jit_and_vmap_match_eager(name: str) -> None:
    x = jnp.linspace(-4, 4, 24, dtype=jnp.float32).reshape(2, 3, 4)
    f = aj.function(name)
    eager = np.asarray(f(x))
    # Without x64 the work is float32, and XLA's fusion under jit may round differently.
    tol = {"rtol": 4 * float(jnp.finfo(jnp.float32).eps), "atol": 1e-30}
    np.testing.assert_allclose(np.asarray(jax.jit(f)(x)), eager, **tol)
    np.testing.assert_allclose(np.asarray(jax.vmap(f)(x)), eager, **tol)
    jac_diag = jax.jit(jax.vmap(jax.vmap(jax.vmap(jax.grad(f)))))(x)
    _, vjp = jax.vjp(f, x)
    np.testing.assert_allclose(np.asarray(vjp(jnp.ones_like(x))[0]), np.asarray(jac_diag), **tol)


def test_parameters_are_static_under_jit() -> None:
    f = jax.jit(lambda x: aj.celu(x, alpha=0.5))
    assert float(f(-1.0)) == pytest.approx(0.5 * math.expm1(-2.0), rel=1e-6)
    with pytest.raises(Exception, match="[Cc]oncret|[Tt]racer"):
        jax.jit(lambda x, a: aj.celu(x, alpha=a))(1.0, 0.5)


def test_prelu_per_channel() -> None:
    x = -jnp.ones((2, 3, 4))
    y = aj.prelu(x, weight=(0.1, 0.2, 0.3))
    np.testing.assert_allclose(np.asarray(y[0, :, 0]), [-0.1, -0.2, -0.3], rtol=1e-6)
    g = jax.grad(lambda t: aj.prelu(t, weight=(0.1, 0.2, 0.3)).sum())(x)
    np.testing.assert_allclose(np.asarray(g[1, :, 2]), [0.1, 0.2, 0.3], rtol=1e-6)
    with pytest.raises(ValueError, match="3 channels on dim 1"):
        aj.prelu(jnp.ones((2, 4)), weight=(0.1, 0.2, 0.3))


def test_special_values(x64: None) -> None:
    x = jnp.asarray([-jnp.inf, jnp.inf, jnp.nan])
    y = aj.gelu(x)
    g = jax.vmap(jax.grad(aj.gelu))(x)
    assert np.asarray(y)[:2].tolist() == [0.0, math.inf] and math.isnan(float(y[2]))
    assert np.asarray(g)[:2].tolist() == [0.0, 1.0] and math.isnan(float(g[2]))


# -- parity and accuracy -------------------------------------------------------------------------
@pytest.mark.parametrize("use_x64", [False, True], ids=["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_parity_with_jax(name: str, use_x64: bool) -> None:
    with jax.enable_x64(use_x64):
        dtype = jnp.float64 if use_x64 else jnp.float32
        x = jnp.asarray(H.smooth_points(name, np.linspace(-6, 6, 49), gap=1e-3), dtype=dtype)
        xr = np.asarray(x, dtype=np.float64)
        a = _values_and_grads(aj.function(name), x)
        b = _values_and_grads(jax_equivalent(name), x)
    rtol, atol = (1e-5, 1e-7) if not use_x64 else (1e-9, 1e-15)
    eps = float(jnp.finfo(dtype).eps)
    for k, what in enumerate(("f", "df")):
        av, bv = np.asarray(a[k]), np.asarray(b[k])
        for i in np.flatnonzero(~np.isclose(av, bv, rtol=rtol, atol=atol)):
            ref = H.mp_reference(name, float(xr[i]), what)
            # Without x64 actfn also works in float32, so allow it a few float32 ulps.
            assert H.more_accurate(av[i], bv[i], ref, eps if use_x64 else 4 * eps), (
                what, xr[i], av[i], bv[i], ref)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_more_accurate_than_jax(dtype: str) -> None:
    # With x64 on: float32 inputs are computed in float64 and rounded once.
    eps = float(jnp.finfo(dtype).eps)
    worse = [d for d in differences(dtype, True) if not H.more_accurate(d[3], d[4], d[5], eps)]
    assert not worse, "actfn less accurate than JAX at (name, what, x, actfn, jax, ref): " + repr(worse)


def test_documented_exceptions(x64: None) -> None:
    # Examples quoted in the README: JAX's tanh-GELU gradient is NaN at large |x| in
    # float32; actfn's is the limit.
    g = jax.grad(lambda t: jax.nn.gelu(t, approximate=True))
    ga = jax.grad(lambda t: aj.gelu(t, approximate="tanh"))
    big = jnp.float32(-1e20)
    assert float(ga(big)) == 0.0
    assert math.isnan(float(g(big)))  # x³ overflows inside jax.nn.gelu's tanh form
    assert float(ga(-big)) == 1.0
    # sigmoid'(20) in float32: σ(1 - σ) with σ rounded to 1 gives 0 in JAX.
    assert float(jax.grad(jax.nn.sigmoid)(jnp.float32(20.0))) == 0.0
    assert float(jax.grad(aj.sigmoid)(jnp.float32(20.0))) == pytest.approx(2.0611537e-09, rel=1e-7)


# -- training, dtypes, errors ---------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_small_model_trains(name: str) -> None:
    k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
    params = {
        "w1": jax.random.normal(k1, (3, 16)) * 0.5, "b1": jnp.zeros(16),
        "w2": jax.random.normal(k2, (16, 1)) * 0.25, "b2": jnp.zeros(1),
    }
    x = jax.random.normal(k3, (64, 3))
    y = jnp.sin(x.sum(1, keepdims=True))
    act = aj.function(name)

    def loss(p: dict[str, jax.Array]) -> jax.Array:
        h = act(x @ p["w1"] + p["b1"])
        return jnp.mean((h @ p["w2"] + p["b2"] - y) ** 2)

    @jax.jit
    def step(p: dict[str, jax.Array]) -> tuple[dict[str, jax.Array], jax.Array]:
        value, grads = jax.value_and_grad(loss)(p)
        return jax.tree.map(lambda a, g: a - 0.02 * g, p, grads), value

    losses = []
    for _ in range(8):
        params, value = step(params)
        losses.append(float(value))
    assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]


@pytest.mark.parametrize("name", NAMES)
def test_dtype_sweep(name: str, x64: None) -> None:
    # f and f' in float16, bfloat16, float32 and float64 (one jit for all four) are
    # actfn's float64 values rounded once to the dtype.
    dtypes = ("float16", "bfloat16", "float32", "float64")
    xs = H.smooth_points(name, np.linspace(-5, 5, 21), gap=0.05)
    f = aj.function(name)
    inputs = [jnp.asarray(xs, dtype=dt) for dt in dtypes]
    # Eager on purpose: every activation has the same input shape, so the per-primitive
    # compilations are shared across the whole sweep.
    outputs = [(f(t), jax.vmap(jax.grad(f))(t)) for t in inputs]
    for dt, x, (y, g) in zip(dtypes, inputs, outputs, strict=True):
        assert y.dtype == x.dtype and g.dtype == x.dtype
        x64_ = np.asarray(x, dtype=np.float64)
        want_f = np.asarray(actfn.get(name)(x64_)).astype(dt).astype(np.float64)
        want_d = np.asarray(actfn.get(name).derivative(x64_)).astype(dt).astype(np.float64)
        # One ulp of the dtype; a few in float64 (XLA's exp is not libm's, and NumPy inputs
        # may take actfn's compiled fast path).
        ulps = 8 if dt == "float64" else 2
        tol = {"rtol": ulps * float(jnp.finfo(dt).eps), "atol": 1e-300, "err_msg": dt}
        np.testing.assert_allclose(np.asarray(y, np.float64), want_f, **tol)
        np.testing.assert_allclose(np.asarray(g, np.float64), want_d, **tol)


def test_integer_and_complex_inputs() -> None:
    assert aj.relu(jnp.asarray([1, -2])).dtype == jnp.result_type(float)
    with pytest.raises(TypeError, match="complex"):
        aj.relu(jnp.asarray([1j]))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: aj.celu(1.0, alpha=-1.0), ValueError, "alpha=-1.0 is out of range; valid: alpha > 0"),
        (lambda: aj.relu(1.0, alpha=1.0), TypeError, "unexpected parameter"),
        (lambda: aj.gelu(1.0, approximate=True), ValueError, "approximate must be one of"),
        (lambda: aj.function("celu2"), ValueError, "did you mean 'celu'"),
    ],
)
def test_errors(call: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_every_activation_has_a_function_and_later_ones_too() -> None:
    assert all(getattr(aj, n).__name__ == n for n in NAMES)
    spec = actfn.Spec(name="triple_it", f=lambda x, xp: 3.0 * x, df=lambda x, xp: 0.0 * x + 3.0,
                      d2f=lambda x, xp: 0.0 * x)
    actfn.register(spec)
    try:
        assert float(jax.grad(aj.triple_it)(1.0)) == 3.0
    finally:
        actfn.unregister("triple_it")


if __name__ == "__main__":
    # The difference table quoted in the README: python tests/test_jax_layers.py
    for dt in ("float32", "float64"):
        for name, what, xv, a, b, ref in differences(dt, True):
            print(f"{dt:8s} {name:12s} {what:3s} x={xv!r:24} actfn={a!r:26} jax={b!r:26} mpmath={ref!r}")
