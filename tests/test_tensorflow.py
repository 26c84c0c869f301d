"""actfn.tensorflow: nested custom gradients against actfn for every activation, in eager
mode, under ``tf.function`` and XLA, with persistent and nested tapes; learnable
parameters (per-channel and scalar) with their analytic and mixed derivatives; float32
accuracy against actfn's float64 values and the mpmath oracle; dtypes; errors.

TensorFlow is imported once for the whole file (~5 s). ``ACTFN_TF_ALL=1`` runs the graph
and XLA checks on every activation (CI: a daily rotating sample, ``ACTFN_TEST_SEED``).
"""

from __future__ import annotations

import datetime
import math
import os
import zlib
from collections.abc import Callable
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import actfn  # noqa: E402
import actfn.tensorflow as atf  # noqa: E402
from actfn._evaluate import context  # noqa: E402

from .accuracy import case_id, cases, expected  # noqa: E402
from .oracle import ulp_distance  # noqa: E402

NAMES = actfn.names()
CASES = cases()
#: The oracle sample rotates daily; ACTFN_TEST_SEED=<n> reproduces a day's run.
SEED = int(os.environ.get("ACTFN_TEST_SEED", datetime.date.today().toordinal()))
#: Inputs every activation shares (off kinks by construction: kinks are at simple numbers).
XS = np.concatenate([np.linspace(-9.3, 9.3, 64), [-40.7, -1e-9, 3e-8, 25.1]])


def _off_kinks(name: str, params: dict[str, Any], xs: np.ndarray) -> np.ndarray:
    kinks = actfn.get(name, **params).kinks()
    return np.asarray([x + 0.0137 if any(abs(x - k) < 1e-2 for k in kinks) else x for x in xs])


def _three(fn: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor) -> tuple[tf.Tensor, ...]:
    """f, f' and f'' of elementwise ``fn`` at ``x`` through nested tapes."""
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = fn(x)
        g = inner.gradient(y, x)
    return y, g, outer.gradient(g, x)


def _want(name: str, params: dict[str, Any], xs: np.ndarray) -> list[np.ndarray]:
    act = actfn.get(name, **params)
    return [np.asarray(w) for w in (act(xs), act.derivative(xs), act.second_derivative(xs))]


# -- derivatives against actfn (float64) -----------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_nested_tapes_give_actfn_f_df_d2f(case: tuple[str, dict[str, Any]]) -> None:
    name, params = case
    xs = _off_kinks(name, params, XS)
    got = _three(lambda t: atf.function(name)(t, **params), tf.constant(xs))
    # TensorFlow's float64 exp/expm1/erfc (Eigen) are not libm's: a few ulps.
    for what, g, w in zip(("f", "f'", "f''"), got, _want(name, params, xs), strict=True):
        assert g.dtype == tf.float64
        np.testing.assert_allclose(g.numpy(), w, rtol=4e-15, atol=1e-300, err_msg=what)


#: Graph tracing and XLA compilation cost ~0.7 s of CPU per activation, so CI checks a
#: daily rotating sample (plus gelu and prelu); ACTFN_TF_ALL=1 checks every activation.
GRAPH_NAMES = NAMES if os.environ.get("ACTFN_TF_ALL") == "1" else sorted(
    {"gelu", "prelu"} | set(np.random.default_rng(SEED).choice(NAMES, 4, replace=False).tolist()))


@pytest.mark.parametrize("name", GRAPH_NAMES)
def test_graph_and_xla_equal_eager(name: str) -> None:
    # tf.function and tf.function(jit_compile=True) (XLA) give f, f', f'' as eager mode.
    def three(x: tf.Tensor) -> tuple[tf.Tensor, ...]:
        return _three(atf.function(name), x)

    x = tf.constant(XS.astype(np.float32) + np.float32(0.0137))
    eager = three(x)
    for mode in (tf.function(three), tf.function(three, jit_compile=True)):
        for what, a, b in zip(("f", "f'", "f''"), eager, mode(x), strict=True):
            # XLA may fuse float64 work differently: allow one float32 ulp.
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=2**-23, atol=1e-37,
                                       err_msg=f"{what} {SEED}")


def test_persistent_tape_and_jacobian() -> None:
    x = tf.constant([-1.5, 0.3, 2.0], dtype=tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = atf.gelu(x)
        z = atf.mish(x)
    act = actfn.get("gelu")
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), act.derivative(x.numpy()), rtol=4e-15)
    np.testing.assert_allclose(tape.gradient(z, x).numpy(),
                               actfn.get("mish").derivative(x.numpy()), rtol=4e-15)
    jac = tape.jacobian(y, x)
    np.testing.assert_allclose(np.diag(jac.numpy()), act.derivative(x.numpy()), rtol=4e-15)
    assert np.count_nonzero(jac.numpy() - np.diag(np.diag(jac.numpy()))) == 0


def test_third_derivative_raises() -> None:
    x = tf.constant([0.5], dtype=tf.float64)
    with tf.GradientTape() as t3:
        t3.watch(x)
        _, _, gg = _three(atf.gelu, x)
    with pytest.raises(NotImplementedError, match="f''"):
        t3.gradient(gg, x)


# -- float32 accuracy ------------------------------------------------------------------------------
def _ftz(a: np.ndarray) -> np.ndarray:
    """``a`` with subnormals flushed to zero, as TensorFlow's CPU kernels do (FTZ/DAZ)."""
    return np.where(np.abs(a) < np.finfo(a.dtype).tiny, np.zeros_like(a), a)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_float32_within_one_ulp(case: tuple[str, dict[str, Any]]) -> None:
    # f, f' and f'' in float32 are float64 work rounded once: within one float32 ulp of
    # actfn's float64 values everywhere on a wide grid, and of the correctly rounded
    # mpmath oracle on a seeded rotating sample. TensorFlow flushes float32 subnormals
    # (inputs read as 0, results written as 0), so the expectations are flushed too.
    name, params = case
    rng = np.random.default_rng([SEED, zlib.crc32(case_id(case).encode())])
    wide = np.concatenate([np.linspace(-60, 60, 241), np.geomspace(1e-38, 3e38, 64),
                           -np.geomspace(1e-38, 3e38, 64), [0.0, -0.0, np.inf, -np.inf]])
    xs = _off_kinks(name, params, wide).astype(np.float32)
    got = [g.numpy() for g in _three(lambda t: atf.function(name)(t, **params), tf.constant(xs))]
    xin = _ftz(xs)
    with np.errstate(all="ignore"):
        wants = [_ftz(w.astype(np.float32)) for w in _want(name, params, xin.astype(np.float64))]
    sample = np.sort(rng.choice(xs.size, 12, replace=False))
    for which, (g, w) in enumerate(zip(got, wants, strict=True)):
        assert g.dtype == np.float32
        ulps = ulp_distance(g, w)
        assert ulps.max() <= 1, (which, xs[ulps.argmax()], g[ulps.argmax()], w[ulps.argmax()])
        oracle = _ftz(expected(name, params, which, xin[sample]))
        assert ulp_distance(g[sample], oracle).max() <= 1, (which, xs[sample], SEED)


def test_special_values() -> None:
    x = tf.constant([-np.inf, np.inf, np.nan], dtype=tf.float32)
    y, g, _ = _three(atf.gelu, x)
    assert y.numpy()[:2].tolist() == [0.0, math.inf] and math.isnan(y.numpy()[2])
    assert g.numpy()[:2].tolist() == [0.0, 1.0] and math.isnan(g.numpy()[2])


# -- learnable parameters ----------------------------------------------------------------------------
def _dparam(name: str, p: str, x: np.ndarray, mixed: bool = False, **params: Any) -> np.ndarray:
    spec = actfn.lookup(name)
    kernel = (spec.dparams_df if mixed else spec.dparams)[p]
    return np.broadcast_to(kernel(x, context(np), **spec.bind(**params)), x.shape)


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "xla"])
def test_prelu_per_channel_weight_gradient(compiled: bool) -> None:
    x = tf.constant(np.linspace(-3, 3, 24).reshape(2, 3, 4))
    w = tf.Variable([0.1, 0.2, 0.3], dtype=tf.float64)

    def grads(x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(atf.prelu(x, weight=w) ** 2)
        return tuple(tape.gradient(loss, [x, w]))

    gx, gw = (tf.function(grads, jit_compile=True) if compiled else grads)(x)
    xv, wv = x.numpy(), w.numpy().reshape(1, 3, 1)
    y = np.where(xv > 0, xv, wv * xv)
    np.testing.assert_allclose(gw.numpy(), (2 * y * np.minimum(xv, 0)).sum(axis=(0, 2)), rtol=1e-14)
    np.testing.assert_allclose(gx.numpy(), 2 * y * np.where(xv > 0, 1.0, wv), rtol=1e-14)


@pytest.mark.parametrize(("name", "p"), [(n, p.name) for n in NAMES
                                          for p in actfn.lookup(n).params
                                          if p.learnable and p.name in actfn.lookup(n).dparams
                                          and not p.vector])
def test_scalar_parameter_gradients(name: str, p: str) -> None:
    # ∂f/∂p summed, and the mixed ∂²f/∂x∂p of a gradient penalty, both analytic.
    value = actfn.lookup(name).bind()[p] * 0.75
    xs = _off_kinks(name, {}, np.linspace(-4, 4, 9))
    x = tf.constant(xs)
    a = tf.Variable(value, dtype=tf.float64)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = atf.function(name)(x, **{p: a})
        gx = inner.gradient(y, x)
        penalty = tf.reduce_sum(gx)
        total = tf.reduce_sum(y)
    # sums of terms of both signs: an absolute tolerance of a few ulps of the terms
    for got, mixed in ((outer.gradient(total, a), False), (outer.gradient(penalty, a), True)):
        terms = _dparam(name, p, xs, mixed=mixed, **{p: value})
        np.testing.assert_allclose(float(got), terms.sum(), rtol=1e-13,
                                   atol=1e-15 * np.abs(terms).sum(), err_msg=str(mixed))
    np.testing.assert_allclose(gx.numpy(), actfn.get(name, **{p: value}).derivative(xs),
                               rtol=4e-15)


def test_second_derivative_in_two_parameters_is_nan() -> None:
    a = tf.Variable(0.5, dtype=tf.float64)
    x = tf.constant([-1.0, -2.0], dtype=tf.float64)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(atf.celu(x, alpha=a))
        ga = inner.gradient(y, a)
    assert math.isnan(float(outer.gradient(ga, a)))


def test_scalar_variable_in_a_graph_is_refused() -> None:
    a = tf.Variable(0.5)
    with pytest.raises(TypeError, match="alpha is a scalar tensor whose value cannot be read"):
        tf.function(lambda t: atf.celu(t, alpha=a))(tf.constant([1.0]))
    # a constant is readable while tracing, and a Python number is a hyperparameter
    y = tf.function(lambda t: atf.celu(t, alpha=tf.constant(0.5)))(tf.constant([-1.0]))
    assert float(y[0]) == pytest.approx(0.5 * math.expm1(-2.0), rel=1e-6)


# -- dtypes and errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16, tf.float32, tf.float64],
                         ids=lambda d: d.name)
def test_dtypes_are_kept(dtype: tf.DType) -> None:
    x = tf.cast(tf.constant([-1.25, 0.5, 3.0]), dtype)
    for name in NAMES:
        y, g, gg = _three(atf.function(name), x)
        assert y.dtype == g.dtype == gg.dtype == dtype, name
    assert atf.relu(tf.constant([1, -2])).dtype == tf.float32


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: atf.celu(1.0, alpha=-1.0), ValueError, r"alpha=-1.0 is out of range; valid: alpha > 0"),
        (lambda: atf.relu(1.0, alpha=1.0), TypeError, "unexpected parameter"),
        (lambda: atf.gelu(1.0, approximate=True), ValueError, "approximate must be one of"),
        (lambda: atf.function("celu2"), ValueError, "did you mean 'celu'"),
        (lambda: atf.relu(tf.constant([1j])), TypeError, "complex"),
        (lambda: atf.hardtanh(1.0, min_val=tf.constant(-2.0)), TypeError, "min_val is not learnable"),
        (lambda: atf.celu(1.0, alpha=tf.constant([0.5, 1.0])), ValueError, r"0-d \(scalar\)"),
        (lambda: atf.prelu(tf.ones((2, 4)), weight=tf.constant([0.1, 0.2, 0.3])), ValueError,
         "3 channels on dim 1"),
    ],
)
def test_errors(call: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_every_activation_has_a_function_and_later_ones_too() -> None:
    assert all(getattr(atf, n).__name__ == n for n in NAMES)
    assert set(NAMES) <= set(atf.__all__)
    spec = actfn.Spec(name="triple_it", f=lambda x, xp: 3.0 * x, df=lambda x, xp: 0.0 * x + 3.0,
                      d2f=lambda x, xp: 0.0 * x)
    actfn.register(spec)
    try:
        x = tf.constant(1.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = atf.triple_it(x)
        assert float(tape.gradient(y, x)) == 3.0
    finally:
        actfn.unregister("triple_it")
