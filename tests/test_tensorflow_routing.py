"""The core API on TensorFlow objects: ``actfn.get(name)(x)``, ``actfn.<name>(x)`` and the
derivative methods route ``tf.Tensor``, ``tf.Variable`` and ``tf.RaggedTensor`` inputs to :mod:`actfn.tensorflow`
(as torch tensors route to :mod:`actfn.torch`), so results are TensorFlow tensors and
``tf.GradientTape`` differentiates them analytically; NumPy input never imports TensorFlow.

Parity with TensorFlow's own activations (float64 tapes) runs in the Keras TensorFlow-backend
subprocess (``tests/test_keras_native.py``), where Keras' activations are TensorFlow's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import actfn  # noqa: E402
import actfn.tensorflow as atf  # noqa: E402

NAMES = actfn.names()
XS = np.concatenate([np.linspace(-7.3, 7.3, 24), [-30.1, 2e-8, 19.9]])


def _off_kinks(name: str, xs: np.ndarray) -> np.ndarray:
    kinks = actfn.get(name).kinks()
    return np.asarray([x + 0.0137 if any(abs(x - k) < 1e-2 for k in kinks) else x for x in xs])


@pytest.mark.parametrize("name", NAMES)
def test_core_api_on_tf_tensors_is_actfn_tensorflow(name: str) -> None:
    xs = _off_kinks(name, XS)
    x = tf.constant(xs)
    act = actfn.get(name)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y, d, d2 = act(x), act.derivative(x), act.second_derivative(x)
        y_fn = getattr(actfn, name)(x)
        ref = atf.function(name)(x)
        pair = act.value_and_derivative(x)
    for t in (y, d, d2, y_fn, *pair):
        assert isinstance(t, tf.Tensor) and t.dtype == tf.float64 and t.shape == x.shape
    np.testing.assert_array_equal(y.numpy(), ref.numpy())
    np.testing.assert_array_equal(y_fn.numpy(), ref.numpy())
    np.testing.assert_array_equal(pair[0].numpy(), y.numpy())
    np.testing.assert_array_equal(pair[1].numpy(), d.numpy())
    # the tape's derivatives are the analytic ones: f' from f, f'' from f', as actfn.tensorflow
    g, g_ref, gd = tape.gradient(y, x), tape.gradient(ref, x), tape.gradient(d, x)
    np.testing.assert_array_equal(g.numpy(), g_ref.numpy())
    np.testing.assert_array_equal(g.numpy(), d.numpy())
    np.testing.assert_array_equal(gd.numpy(), d2.numpy())
    # and they are actfn's (NumPy path, float64; TF's exp/erfc are a few ulps off libm)
    for got, want in ((y, act(xs)), (d, act.derivative(xs)), (d2, act.second_derivative(xs))):
        np.testing.assert_allclose(got.numpy(), want, rtol=4e-15, atol=1e-300)
    with pytest.raises(NotImplementedError, match="f''"):
        tape.gradient(d2, x)
    del tape


def test_variables_parameters_dtypes_and_graphs() -> None:
    v = tf.Variable(np.float32([-2.0, -0.5, 0.25, 3.0]))
    act = actfn.get("celu", alpha=0.5)
    with tf.GradientTape() as tape:
        y = act(v)
    assert isinstance(y, tf.Tensor) and y.dtype == tf.float32
    np.testing.assert_array_equal(y.numpy(), atf.celu(v, alpha=0.5).numpy())
    np.testing.assert_allclose(tape.gradient(y, v).numpy(),
                               act.derivative(v.numpy().astype(np.float64)), rtol=2**-23)
    w = actfn.get("prelu", weight=[0.1, 0.2, 0.3])(-tf.ones((2, 3), tf.bfloat16))
    assert w.dtype == tf.bfloat16 and w.numpy().astype(np.float32)[1].tolist() == \
        [-0.10009765625, -0.2001953125, -0.30078125]
    assert actfn.relu(tf.constant([1, -2])).dtype == tf.float32  # integers: TF's float
    # in a graph the tensors are symbolic, and still routed (XLA: tests/test_tensorflow.py);
    # TensorFlow's graph optimiser may reorder a float64 product: an ulp
    fn = tf.function(lambda t: actfn.get("gelu").derivative(t))
    np.testing.assert_allclose(fn(tf.constant(XS)).numpy(),
                               actfn.get("gelu").derivative(tf.constant(XS)).numpy(),
                               rtol=5e-16, atol=1e-300)
    with pytest.raises(TypeError, match="out= is supported for NumPy inputs only"):
        actfn.get("relu")(tf.ones(2), out=np.ones(2))
    with pytest.raises(TypeError, match="complex input is not supported"):
        actfn.get("relu")(tf.constant([1j]))


def test_ragged_tensors_keep_their_rows() -> None:
    """A ``tf.RaggedTensor`` is elementwise on its flat values: the core API and the
    ``actfn.tensorflow`` functions return a ragged tensor with the same row partitions, and
    the tape differentiates the flat values analytically."""
    rows = [[-2.0, -0.5], [], [0.25, 3.0, 7.5]]
    flat = tf.constant(sum(rows, []), tf.float32)
    act = actfn.get("celu", alpha=0.5)
    want_f, want_d = (np.asarray(a).astype(np.float32) for a in
                      act.value_and_derivative(np.float64(sum(rows, []))))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(flat)
        r = tf.RaggedTensor.from_row_lengths(flat, [2, 0, 3])
        outs = (act(r), atf.celu(r, alpha=0.5), *act.value_and_derivative(r))
    for got, want in zip(outs, (want_f, want_f, want_f, want_d), strict=True):
        assert isinstance(got, tf.RaggedTensor)
        assert got.row_lengths().numpy().tolist() == [2, 0, 3]
        np.testing.assert_array_equal(got.flat_values.numpy(), want)
    for y in outs[:2]:
        np.testing.assert_array_equal(tape.gradient(y.flat_values, flat).numpy(), want_d)
    del tape


def test_numpy_input_does_not_import_tensorflow() -> None:
    code = ("import sys, numpy as np, actfn\n"
            "a = actfn.get('gelu')\n"
            "a(np.linspace(-2, 2, 5)); a.derivative([0.5]); a.second_derivative(1.0)\n"
            "a.value_and_derivative(np.float32([1.0])); actfn.celu(np.ones(3), alpha=0.5)\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n")
    env: dict[str, Any] = {**os.environ, "PYTHONPATH": str(Path(actfn.__file__).parents[1])}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1] == "[]"
