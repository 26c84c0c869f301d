"""actfn.keras on each Keras backend (tensorflow, jax, torch, numpy).

Keras picks its backend once per process, so the outer test runs this same file again
under pytest in a subprocess per backend (``KERAS_BACKEND=<backend>``,
``ACTFN_KERAS_INNER=1``); the inner tests, defined only in that mode, check for every
activation: the registered name ``"actfn>name"``, values and gradients against actfn,
parity with Keras' own function (where they differ, actfn must be closer to an mpmath
reference), a model using every layer trained for a few steps, ``.keras`` save/load,
``get_config``/``from_config``, the dtype policy sweep and error messages.
``python tests/test_keras_layers.py <backend>`` prints the gradient differences from Keras.
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import actfn

INNER = os.environ.get("ACTFN_KERAS_INNER") == "1"
BACKENDS = ("tensorflow", "jax", "torch", "numpy")
NAMES = actfn.names()


if not INNER:

    @pytest.mark.parametrize("backend", BACKENDS)
    def test_keras_backend(backend: str) -> None:
        env = {**os.environ, "KERAS_BACKEND": backend, "ACTFN_KERAS_INNER": "1"}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-W", "ignore::DeprecationWarning", __file__,
               str(Path(__file__).with_name("test_keras_native.py"))]
        # (a guard against a hang, not a timing check: this run also holds the tests of
        # tests/test_keras_native.py, and a loaded 2-core machine has taken over 480 s)
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900,
                           cwd=Path(__file__).parents[1])
        out = r.stdout + r.stderr
        assert r.returncode == 0, out[-8000:]
        assert " passed" in r.stdout and "skipped" not in r.stdout, out[-3000:]

    def test_missing_tensorflow_falls_back_to_jax(tmp_path: Path) -> None:
        # Keras' default backend (tensorflow) is not installed (hidden from find_spec here,
        # since CI installs it): importing actfn.keras with no backend chosen picks jax
        # instead of failing.
        env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
        env["KERAS_HOME"] = str(tmp_path)
        hide = ("import importlib.util as u; real = u.find_spec; "
                "u.find_spec = lambda n, *a: None if n == 'tensorflow' else real(n, *a)\n")
        code = hide + "import actfn.keras, keras; print(keras.backend.backend())"
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-3000:]
        assert r.stdout.strip().splitlines()[-1] == "jax"

else:
    import keras

    import actfn.keras as ak

    BACKEND = keras.backend.backend()
    TRAINABLE = BACKEND != "numpy"

    def _helpers() -> Any:
        path = Path(__file__).with_name("test_torch_layers.py")
        spec = importlib.util.spec_from_file_location("_actfn_layer_test_helpers", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    H = _helpers()

    def value_and_grad(fn: Callable[[Any], Any], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """fn(x) and d(sum fn)/dx through the backend's autodiff (NumPy: no gradient)."""
        if BACKEND == "jax":
            import jax
            import jax.numpy as jnp

            y, vjp = jax.vjp(fn, jnp.asarray(x))
            return np.asarray(y), np.asarray(vjp(jnp.ones_like(y))[0])
        if BACKEND == "tensorflow":
            import tensorflow as tf

            t = tf.convert_to_tensor(x)
            with tf.GradientTape() as tape:
                tape.watch(t)
                y = fn(t)
            return y.numpy(), tape.gradient(y, t).numpy()
        if BACKEND == "torch":
            t = keras.ops.convert_to_tensor(x).requires_grad_(True)
            y = fn(t)
            y.backward(keras.ops.ones_like(y))
            return keras.ops.convert_to_numpy(y), keras.ops.convert_to_numpy(t.grad)
        y = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(x)))
        return y, np.full_like(y, np.nan)

    def keras_equivalent(name: str) -> Callable[[Any], Any]:
        spec = actfn.lookup(name)
        eq = spec.knowledge.equivalent("Keras")
        code = compile(eq.at(spec.defaults()), f"<{name} Keras equivalent>", "eval")
        return lambda x: eval(code, {"keras": keras, "x": x})

    # Without jax_enable_x64 (Keras does not turn it on) actfn.jax works in float32, so
    # on the JAX backend actfn is allowed a few float32 ulps, and an absolute 1e-7 where
    # a derivative crosses zero (gelu'(-0.75) ≈ 7.7e-4 is a difference of O(1) terms).
    ULPS = 4 if BACKEND == "jax" else 1
    ATOL = 1e-7 if BACKEND == "jax" else 1e-37

    @pytest.mark.parametrize("name", NAMES)
    def test_registered_name_resolves(name: str) -> None:
        fn = keras.activations.get(f"actfn>{name}")
        assert fn is getattr(ak, name)
        dense = keras.layers.Dense(2, activation=f"actfn>{name}")
        config = dense.get_config()
        assert keras.layers.Dense.from_config(config).activation is fn

    @pytest.mark.parametrize("name", NAMES)
    def test_values_and_gradients_are_actfn(name: str) -> None:
        x = np.asarray(H.smooth_points(name, np.linspace(-6, 6, 49), gap=1e-3), np.float32)
        act = actfn.get(name)
        want_f = np.asarray(act(x.astype(np.float64))).astype(np.float32)
        want_d = np.asarray(act.derivative(x.astype(np.float64))).astype(np.float32)
        eps = float(np.finfo(np.float32).eps)
        for fn in (getattr(ak, name), ak.layer_class(name)(), ak.Activation(name)):
            y, g = value_and_grad(fn, x)
            assert y.dtype == np.float32
            np.testing.assert_allclose(y, want_f, rtol=ULPS * eps, atol=ATOL)
            if TRAINABLE:
                np.testing.assert_allclose(g, want_d, rtol=ULPS * eps, atol=ATOL)

    @pytest.mark.parametrize("name", NAMES)
    def test_parity_with_keras(name: str) -> None:
        x = np.asarray(H.smooth_points(name, np.linspace(-6, 6, 49), gap=1e-3), np.float32)
        a = value_and_grad(getattr(ak, name), x)
        b = value_and_grad(keras_equivalent(name), x)
        eps = float(np.finfo(np.float32).eps)
        for k, what in enumerate(("f", "df") if TRAINABLE else ("f",)):
            for i in np.flatnonzero(~np.isclose(a[k], b[k], rtol=1e-5, atol=1e-7)):
                ref = H.mp_reference(name, float(x[i]), what)
                assert H.more_accurate(float(a[k][i]), float(b[k][i]), ref, ULPS * eps), (
                    what, float(x[i]), float(a[k][i]), float(b[k][i]), ref)

    def _model_with_every_activation() -> keras.Model:
        # One branch per activation, using both the registered function and the layer class.
        inputs = keras.Input((3,))
        branches = []
        for name in NAMES:
            h = keras.layers.Dense(4, activation=f"actfn>{name}", name=f"dense_{name}")(inputs)
            branches.append(ak.layer_class(name)(name=f"act_{name}")(h))
        outputs = keras.layers.Dense(1)(keras.layers.Concatenate()(branches))
        return keras.Model(inputs, outputs)

    def test_model_trains_saves_and_loads(tmp_path: Path) -> None:
        keras.utils.set_random_seed(0)
        model = _model_with_every_activation()
        rng = np.random.default_rng(0)
        x = 0.5 * rng.normal(size=(64, 3)).astype(np.float32)
        y = np.sin(x.sum(1, keepdims=True))
        if TRAINABLE:
            before = {n: keras.ops.convert_to_numpy(model.get_layer(f"dense_{n}").kernel) for n in NAMES}
            model.compile(optimizer=keras.optimizers.SGD(0.002), loss="mse")
            losses = model.fit(x, y, epochs=4, batch_size=64, verbose=0).history["loss"]
            assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0], losses
            # Every activation passed a gradient back to the Dense layer in front of it.
            frozen = [n for n in NAMES if np.array_equal(
                before[n], keras.ops.convert_to_numpy(model.get_layer(f"dense_{n}").kernel))]
            assert not frozen, f"no gradient through {frozen}"
        path = tmp_path / "model.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        for n in NAMES:
            assert type(loaded.get_layer(f"act_{n}")) is ak.layer_class(n) or \
                type(loaded.get_layer(f"act_{n}")).__name__ == ak.layer_class(n).__name__
            assert loaded.get_layer(f"dense_{n}").activation is getattr(ak, n)

    @pytest.mark.parametrize("name", NAMES)
    def test_config_round_trip(name: str) -> None:
        spec = actfn.lookup(name)
        # Non-default values where the parameter allows (halfway to a bound or doubled).
        params = {}
        for p in spec.params:
            if p.choices:
                params[p.name] = p.choices[-1]
            elif p.vector:
                params[p.name] = [0.1]
            elif p.name not in ("min_val", "max_val", "lower", "upper"):
                params[p.name] = p.default * 0.5 if p.default else 0.5
        layer = ak.layer_class(name)(**params)
        config = layer.get_config()
        clone = ak.layer_class(name).from_config(config)
        assert clone.params == layer.params == spec.bind(**params)
        generic = ak.Activation(name, **params)
        assert ak.Activation.from_config(generic.get_config()).params == generic.params
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(restored).__name__ == type(layer).__name__ and restored.params == layer.params

    @pytest.mark.parametrize("name", NAMES)
    def test_dtype_policy_sweep(name: str) -> None:
        dtypes = ["float16", "bfloat16", "float32"] + (["float64"] if BACKEND != "jax" else [])
        x = np.asarray(H.smooth_points(name, np.linspace(-5, 5, 21), gap=0.05))
        for dt in dtypes:
            layer = ak.layer_class(name)(dtype=dt)
            xin = keras.ops.cast(keras.ops.convert_to_tensor(x), dt)
            y = layer(xin)
            assert keras.backend.standardize_dtype(y.dtype) == dt
            x64 = keras.ops.convert_to_numpy(keras.ops.cast(xin, "float64"))
            want = np.asarray(actfn.get(name)(x64)).astype(x64.dtype)
            got = keras.ops.convert_to_numpy(keras.ops.cast(y, "float64"))
            # One ulp relative, or one subnormal step absolute (float16 is subnormal < 6e-5).
            eps, tiny = {"float16": (2**-10, 2**-24), "bfloat16": (2**-7, 2**-133),
                         "float32": (2**-23, 2**-149), "float64": (2**-52, 5e-324)}[dt]
            # float64: each path is within the float64 bound of the truth (f ≤ 2 ulp; the
            # torch and TensorFlow namespaces run other exp/expm1/log1p than NumPy's
            # compiled path), so two paths may differ by 2 + 2 ulp.
            ulps = 4 if dt == "float64" else ULPS
            np.testing.assert_allclose(got, want, rtol=ulps * eps, atol=max(tiny, ATOL), err_msg=dt)

    @pytest.mark.parametrize(
        ("make", "error", "match"),
        [
            (lambda: ak.Celu(alpha=-1.0), ValueError, r"alpha=-1.0 is out of range; valid: alpha > 0"),
            (lambda: ak.Hardtanh(2.0, 1.0), ValueError, "must be smaller than max_val"),
            (lambda: ak.Gelu(approximate=True), ValueError, "approximate must be one of"),
            (lambda: ak.Relu(1.0), TypeError, "at most 0 positional"),
            (lambda: ak.Relu(beta=1.0), TypeError, "beta.*parameters of relu: none"),
            (lambda: ak.Activation("celu2"), ValueError, "did you mean 'celu'"),
        ],
    )
    def test_constructor_errors(make: Callable[[], Any], error: type, match: str) -> None:
        with pytest.raises(error, match=match):
            make()

    def test_backend_function_matches_backend() -> None:
        fn = ak.backend_function("celu")
        assert fn(keras.ops.convert_to_tensor(np.float32([-1.0]))) is not None

    def test_core_api_on_a_keras_variable() -> None:
        """``actfn.get(name)(v)`` on a ``keras.Variable`` works on its backend tensor: the
        backend's array type comes back, and TensorFlow's tape / torch autograd reach the
        variable with actfn's analytic f′."""
        x = np.float32([-2.0, -0.5, 0.25, 3.0])
        v = keras.Variable(x)
        act = actfn.get("celu", alpha=0.5)
        want_f, want_d = (np.asarray(a).astype(np.float32) for a in
                          act.value_and_derivative(x.astype(np.float64)))
        y, d = act(v), act.derivative(v)
        assert type(y) is type(keras.ops.convert_to_tensor(x))
        if BACKEND != "tensorflow":  # (the gated core API has no TensorFlow route yet)
            swiglu = actfn.get("swiglu")
            np.testing.assert_allclose(  # a gated unit takes Keras variables too
                keras.ops.convert_to_numpy(swiglu(v, keras.Variable(x[::-1].copy()))),
                np.asarray(swiglu(x, x[::-1].copy())), rtol=ULPS * 2.0**-23, atol=ATOL)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(y), want_f)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(d), want_d)
        if BACKEND == "tensorflow":
            import tensorflow as tf

            with tf.GradientTape() as tape:
                s = tf.reduce_sum(act(v))
            grad = tape.gradient(s, v.value).numpy()
        elif BACKEND == "torch":
            act(v).sum().backward()
            grad = keras.ops.convert_to_numpy(v.value.grad)
        else:
            return  # jax: arrays are immutable values (the jax.grad route is tested above)
        np.testing.assert_array_equal(grad, want_d)


def differences(backend: str) -> list[tuple[str, str, float, float, float, float]]:
    """(name, "f"/"df", x, actfn, keras, reference) where actfn and Keras disagree, measured
    in a subprocess on ``backend``."""
    code = (
        "import json, sys, numpy as np\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import test_keras_layers as T\n"
        "out = []\n"
        "for name in T.NAMES:\n"
        "    x = np.asarray(T.H.smooth_points(name, T.H.PROBE, gap=1e-6), np.float32)\n"
        "    a = T.value_and_grad(getattr(T.ak, name), x)\n"
        "    b = T.value_and_grad(T.keras_equivalent(name), x)\n"
        "    for k, what in enumerate(('f', 'df')):\n"
        "        for i in range(len(x)):\n"
        "            av, bv = float(a[k][i]), float(b[k][i])\n"
        "            if av != bv and not (np.isnan(av) and np.isnan(bv)):\n"
        "                out.append((name, what, float(x[i]), av, bv, T.H.mp_reference(name, float(x[i]), what)))\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "KERAS_BACKEND": backend, "ACTFN_KERAS_INNER": "1"}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    import json

    return [tuple(row) for row in json.loads(r.stdout.strip().splitlines()[-1])]


if __name__ == "__main__":
    # The difference table quoted in the README: python tests/test_keras_layers.py jax
    for row in differences(sys.argv[1] if len(sys.argv) > 1 else "jax"):
        name, what, xv, a, b, ref = row
        print(f"float32  {name:12s} {what:3s} x={xv!r:24} actfn={a!r:26} keras={b!r:26} mpmath={ref!r}")
