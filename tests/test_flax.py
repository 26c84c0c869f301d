"""actfn.flax: nnx modules for every activation, learnable parameters with analytic
gradients (a jitted optax training step moves a PReLU weight by exactly the analytic
gradient), the mixed and second derivatives, and errors."""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

import actfn
import actfn.flax as af
import actfn.jax as aj
from actfn._evaluate import class_name, context

NAMES = actfn.names()
#: (activation, scalar learnable parameter) pairs of the registry.
SCALARS = [(n, p.name) for n in NAMES for p in actfn.lookup(n).params
           if p.learnable and p.name in actfn.lookup(n).dparams and not p.vector]


def _kernel(name: str, table: str, p: str, x: np.ndarray, **params: Any) -> np.ndarray:
    spec = actfn.lookup(name)
    k = getattr(spec, table)[p]
    return np.broadcast_to(k(x, context(np), **spec.bind(**params)), x.shape)


def test_every_activation_has_a_module_equal_to_actfn_jax() -> None:
    x = jnp.linspace(-3.0, 3.0, 12, dtype=jnp.float32).reshape(2, 6)
    for name in NAMES:
        cls = af.module_class(name)
        assert getattr(af, class_name(name)) is cls and issubclass(cls, nnx.Module)
        np.testing.assert_array_equal(np.asarray(cls()(x)), np.asarray(aj.function(name)(x)))


def test_prelu_training_step_moves_weight_by_the_analytic_gradient() -> None:
    x = jnp.asarray(np.linspace(-3, 3, 24).reshape(2, 3, 4), jnp.float32)
    model = af.Prelu(num_parameters=3)
    opt = nnx.Optimizer(model, optax.sgd(0.01), wrt=nnx.Param)

    def loss(m: nnx.Module, x: jax.Array) -> jax.Array:
        return jnp.sum(m(x) ** 2)

    @nnx.jit
    def step(m: nnx.Module, opt: nnx.Optimizer, x: jax.Array) -> jax.Array:
        value, grads = nnx.value_and_grad(loss)(m, x)
        opt.update(m, grads)
        return value

    xv = np.asarray(x, np.float64)
    w = np.full((1, 3, 1), 0.25)
    y = np.where(xv > 0, xv, w * xv)
    analytic = (2 * y * np.minimum(xv, 0)).sum(axis=(0, 2))  # d/dw of sum(prelu²)
    step(model, opt, x)
    np.testing.assert_allclose(np.asarray(model.weight[...]), 0.25 - 0.01 * analytic, rtol=1e-6)
    assert not np.allclose(np.asarray(model.weight[...]), 0.25)


@pytest.mark.parametrize(("name", "p"), SCALARS)
def test_scalar_parameter_gradients_under_jit(name: str, p: str) -> None:
    value = actfn.lookup(name).bind()[p] * 0.75
    model = af.Activation(name, learnable=(p,), **{p: value})
    xs = np.linspace(-4.1, 3.9, 9)
    x = jnp.asarray(xs, jnp.float32)
    x64 = np.asarray(x, np.float64)
    v = float(jnp.float32(value))  # the parameter is stored in float32

    @nnx.jit
    def grads(m: nnx.Module, x: jax.Array) -> Any:
        total = nnx.grad(lambda m, x: jnp.sum(m(x)))(m, x)
        # gradient penalty: d/dp of sum f'(x), the mixed derivative ∂²f/∂x∂p
        penalty = nnx.grad(lambda m, x: jnp.sum(jax.vmap(jax.grad(m))(x)))(m, x)
        return getattr(total, p)[...], getattr(penalty, p)[...]

    g, gp = grads(model, x)
    for got, table in ((g, "dparams"), (gp, "dparams_df")):
        terms = _kernel(name, table, p, x64, **{p: v})
        np.testing.assert_allclose(float(got), terms.sum(), rtol=4e-6,
                                   atol=1e-6 * np.abs(terms).sum(), err_msg=table)
    # values and x-derivatives stay actfn's
    act = actfn.get(name, **{p: v})
    np.testing.assert_allclose(np.asarray(model(x)), act(x64), rtol=2**-23, atol=1e-37)
    d2 = jax.vmap(jax.grad(jax.grad(model)))(x[::4])  # one host call per element
    np.testing.assert_allclose(np.asarray(d2), act.second_derivative(x64[::4]), rtol=4e-7,
                               atol=1e-37)


def test_second_derivative_in_the_parameter_raises() -> None:
    model = af.Celu(alpha=0.5, learnable=True)

    def dalpha(a: jax.Array) -> jax.Array:
        return aj.apply_learned("celu", jnp.float32(-1.0), {"alpha": a})

    assert math.isfinite(float(jax.grad(dalpha)(jnp.float32(0.5))))
    with pytest.raises(NotImplementedError, match="with respect to alpha"):
        jax.grad(jax.grad(dalpha))(jnp.float32(0.5))
    assert float(model(jnp.float32(-1.0))) == pytest.approx(0.5 * math.expm1(-2.0), rel=1e-6)


def test_parameter_trained_out_of_range_raises() -> None:
    model = af.Celu(alpha=0.5, learnable=True)
    model.alpha[...] = jnp.float32(-1.0)
    with pytest.raises(Exception, match=r"alpha=-1.0 is out of range"):
        jax.block_until_ready(model(jnp.ones(3)))


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: af.Celu(alpha=-1.0), ValueError, r"alpha=-1.0 is out of range; valid: alpha > 0"),
        (lambda: af.Relu(learnable=True), ValueError, "relu has no learnable parameters"),
        (lambda: af.Activation("relu", learnable=True), ValueError, "no learnable parameters"),
        (lambda: af.Activation("prelu", learnable=True), ValueError, "per-channel weight"),
        (lambda: af.Activation("hardtanh", learnable=("min_val",)), ValueError, "cannot learn"),
        (lambda: af.Prelu(num_parameters=0), ValueError, "positive integer"),
        (lambda: af.Activation("prelu", weight=0.1), TypeError, "num_parameters= and init="),
        (lambda: af.Activation("celu", num_parameters=3), TypeError, "per-channel"),
        (lambda: af.Activation("celu2"), ValueError, "did you mean 'celu'"),
    ],
)
def test_errors(make: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_apply_learned_refuses_fixed_parameters() -> None:
    with pytest.raises(TypeError, match="cannot learn min_val"):
        aj.apply_learned("hardtanh", jnp.ones(2), {"min_val": jnp.float32(-2.0)})


def test_prelu_channels_must_match() -> None:
    with pytest.raises(ValueError, match="3 channels on dim 1"):
        af.Prelu(num_parameters=3)(jnp.ones((2, 4)))


# -- native names (flax.nnx's where nnx has the module, else torch.nn's) ----------------------
def test_native_names_follow_nnx_then_torch() -> None:
    for name in NAMES:
        cls, new = af.native_class(name), af.native_name(name)
        assert cls.__name__ == new and getattr(af, new) is cls and new in af.__all__
        assert issubclass(cls, af.Activation) and issubclass(cls, nnx.Module)
        nnx_cls = getattr(nnx, new, None)
        if isinstance(nnx_cls, type) and issubclass(nnx_cls, nnx.Module):
            assert issubclass(cls, nnx_cls)
            continue
        eq = actfn.lookup(name).knowledge.equivalent("PyTorch")
        if eq is not None and eq.layer and eq.layer.strip().startswith("torch.nn."):
            assert eq.layer.strip().startswith(f"torch.nn.{new}(")
            # the registry's parameters (PyTorch's names and defaults) as the 0.1.0 class
            assert (inspect.signature(cls.__init__)
                    == inspect.signature(af.module_class(name).__init__))
        else:
            assert new == class_name(name) and cls is af.module_class(name)
    assert af.native_name("gelu") == "GELU" and af.native_name("prelu") == "PReLU"


def test_renamed_classes_warn_and_native_ones_do_not() -> None:
    x = jnp.linspace(-2.0, 2.0, 6, dtype=jnp.float32).reshape(2, 3)
    renamed = [n for n in NAMES if af.native_name(n) != class_name(n)]
    assert renamed
    for name in renamed:
        with pytest.warns(DeprecationWarning, match=f"use actfn.flax.{af.native_name(name)}"):
            old = getattr(af, class_name(name))(**({"num_parameters": 3} if name == "prelu" else {}))
        np.testing.assert_array_equal(np.asarray(old(x)), np.asarray(aj.function(name)(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for name in NAMES:
            y = af.native_class(name)()(x)
            if name != "prelu":  # nnx's PReLU starts at nnx's slope, not actfn's 0.25
                np.testing.assert_array_equal(np.asarray(y), np.asarray(aj.function(name)(x)))


def test_prelu_is_nnx_prelu_computed_by_actfn() -> None:
    sig = inspect.signature(nnx.PReLU.__init__).parameters
    ours = inspect.signature(af.PReLU.__init__).parameters
    assert [(p.name, p.default) for p in sig.values()] == \
        [(p.name, p.default) for p in ours.values()][:len(sig)]
    assert list(ours)[len(sig):] == ["num_parameters"]
    a, b = af.PReLU(), nnx.PReLU()  # the same defaults (read from nnx), the same state
    assert float(a.negative_slope[...]) == float(b.negative_slope[...]) == \
        float(np.float32(sig["negative_slope_init"].default))
    assert jax.tree.structure(nnx.state(a)) == jax.tree.structure(nnx.state(b))
    a, b = af.PReLU(0.2), nnx.PReLU(0.2)
    x = jnp.asarray(np.linspace(-3, 3, 12) + 0.05, jnp.float32)  # off the kink

    def loss(m: nnx.Module, x: jax.Array) -> jax.Array:
        return jnp.sum(m(x) ** 3)

    for m in (a, b):
        assert np.asarray(m(x)).dtype == np.float32
    np.testing.assert_allclose(np.asarray(a(x)), np.asarray(b(x)), rtol=2**-23)
    ga, gb = nnx.grad(loss)(a, x), nnx.grad(loss)(b, x)
    np.testing.assert_allclose(float(ga.negative_slope[...]), float(gb.negative_slope[...]),
                               rtol=1e-6)
    dxa = jax.grad(lambda x: loss(a, x))(x)
    np.testing.assert_allclose(np.asarray(dxa), np.asarray(jax.grad(lambda x: loss(b, x))(x)),
                               rtol=1e-6)
    # the documented deviation: f'(0) is the slope (PyTorch's convention), nnx's is 1
    assert float(jax.grad(a)(jnp.float32(0.0))) == pytest.approx(0.2)
    assert float(jax.grad(b)(jnp.float32(0.0))) == 1.0


def test_prelu_training_step_moves_the_nnx_parameter() -> None:
    x = jnp.asarray(np.linspace(-3, 3, 24).reshape(2, 3, 4), jnp.float32)
    steps = []
    for model in (af.PReLU(0.25, num_parameters=3), af.PReLU(0.25)):
        opt = nnx.Optimizer(model, optax.sgd(0.01), wrt=nnx.Param)

        @nnx.jit
        def step(m: nnx.Module, opt: nnx.Optimizer, x: jax.Array) -> None:
            grads = nnx.grad(lambda m, x: jnp.sum(m(x) ** 2))(m, x)
            opt.update(m, grads)

        step(model, opt, x)
        steps.append(np.asarray(model.negative_slope[...]))
    xv = np.asarray(x, np.float64)
    y = np.where(xv > 0, xv, 0.25 * xv)
    per_channel = (2 * y * np.minimum(xv, 0)).sum(axis=(0, 2))  # d/dw of sum(prelu²)
    np.testing.assert_allclose(steps[0], 0.25 - 0.01 * per_channel, rtol=1e-6)
    np.testing.assert_allclose(steps[1], 0.25 - 0.01 * per_channel.sum(), rtol=1e-6)
    with pytest.raises(ValueError, match="num_parameters=0 must be a positive integer"):
        af.PReLU(num_parameters=0)
