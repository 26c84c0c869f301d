"""actfn.keras layers under keras.layers' own names (ELU, LeakyReLU, PReLU, ReLU...).

Keras picks its backend once per process: these tests run inside the per-backend
subprocesses of ``tests/test_keras_layers.py`` (which passes this file to the same inner
pytest run, ``ACTFN_KERAS_INNER=1``), so they cost no extra interpreter start. Outside that
mode the module defines nothing. For every activation whose catalog Keras equivalent is a
``keras.layers`` class they check: the class name and that it is that Keras class, the
constructor signature and defaults read from Keras itself, values and gradients (input and
weight) against the Keras built-in layer, the activation chosen by Keras' arguments
(``ReLU(max_value=6.0)`` is relu6), config round trip and ``.keras`` save/load, and that the
0.1.0 names warn ``DeprecationWarning``.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import actfn

if os.environ.get("ACTFN_KERAS_INNER") == "1":
    import keras

    import actfn.keras as ak

    BACKEND = keras.backend.backend()
    TRAINABLE = BACKEND != "numpy"

    def _layer_tests() -> Any:
        path = Path(__file__).with_name("test_keras_layers.py")
        spec = importlib.util.spec_from_file_location("_actfn_keras_layer_tests", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    T = _layer_tests()
    NATIVE = [n for n in actfn.names() if ak.native_name(n) is not None]
    EPS = float(np.finfo(np.float32).eps)

    def _forms(name: str, values: bool = True) -> list[tuple[dict[str, Any], str]]:
        """Constructor keyword arguments for ``name``'s native class and the activation they
        select: the defaults, a non-default value of each of the activation's parameters
        (``values``), and the arguments the catalog gives for other activations sharing
        the class."""
        cls = ak.native_class(name)
        spec = actfn.lookup(name)
        sig = inspect.signature(getattr(keras.layers, cls.__name__).__init__).parameters
        forms: list[tuple[dict[str, Any], str]] = [({}, name)]
        for p in spec.params:
            if values and p.name in sig and not p.vector:
                forms.append(({p.name: 0.5 * (sig[p.name].default or 1.0)}, name))
        for other in actfn.names():
            found = ak._keras_layer(actfn.lookup(other))
            if other != name and found is not None and found[0] == cls.__name__:
                forms.append((found[1], other))
        return forms

    def test_native_names_come_from_the_catalog_and_keras() -> None:
        assert NATIVE, "no activation has a keras.layers class in the catalog"
        for n in actfn.names():
            cls = ak.native_class(n)
            eq = actfn.lookup(n).knowledge.equivalent("Keras")
            if cls is None:
                # Keras has no layer of its own (or it belongs to another activation):
                # the actfn name stays, not deprecated.
                assert ak.layer_class(n).__name__ == actfn._evaluate.class_name(n)
                continue
            assert eq is not None and eq.layer.strip().startswith(f"keras.layers.{cls.__name__}(")
            kcls = getattr(keras.layers, cls.__name__)
            assert issubclass(cls, kcls) and issubclass(cls, ak.Activation)
            assert getattr(ak, cls.__name__) is cls and cls.__name__ in ak.__all__
            assert cls.__module__ == "actfn.keras" and cls.__doc__ and f"keras.layers.{cls.__name__}" in cls.__doc__
            assert keras.saving.get_registered_name(cls) == f"actfn>{cls.__name__}"

    @pytest.mark.parametrize("name", NATIVE)
    def test_constructor_and_defaults_are_keras(name: str) -> None:
        cls = ak.native_class(name)
        kcls = getattr(keras.layers, cls.__name__)
        assert inspect.signature(cls.__init__) == inspect.signature(kcls.__init__)
        ours, theirs = cls().get_config(), kcls().get_config()
        ours.pop("name"), theirs.pop("name")
        assert ours == theirs
        layer = cls()
        assert layer.activation == name
        defaults = inspect.signature(kcls.__init__).parameters
        for k, v in layer.params.items():  # e.g. LeakyReLU: Keras' 0.3, not PyTorch's 0.01
            if k in defaults:
                assert v == defaults[k].default, (k, v, defaults[k].default)

    def _pair(name: str, kwargs: dict[str, Any]) -> tuple[Any, Any]:
        cls = ak.native_class(name)
        kcls = getattr(keras.layers, cls.__name__)
        if any(p.vector for p in actfn.lookup(name).params):  # same weights in both
            kwargs = {**kwargs, "alpha_initializer": keras.initializers.RandomUniform(
                0.05, 0.6, seed=3)}
        return cls(**kwargs), kcls(**kwargs)

    @pytest.mark.parametrize("name", NATIVE)
    def test_values_and_input_gradients_match_keras(name: str) -> None:
        # (non-default parameter values: test_config_round_trip_and_keras_file compares
        # the whole model's predictions after save/load)
        for kwargs, target in _forms(name, values=False):
            ours, theirs = _pair(name, kwargs)
            assert ours.activation == target, (kwargs, ours.activation)
            x = np.asarray(T.H.smooth_points(target, np.linspace(-7, 7, 24), gap=1e-3),
                           np.float32).reshape(4, 3, 2)
            ours(x), theirs(x)  # build (PReLU's weight) outside any autodiff trace
            a, b = T.value_and_grad(ours, x), T.value_and_grad(theirs, x)
            for k in (0, 1) if TRAINABLE else (0,):
                np.testing.assert_allclose(a[k], b[k], rtol=8 * EPS, atol=1e-6,
                                           err_msg=f"{name} {kwargs} {'f df'.split()[k]}")
            if not TRAINABLE:
                continue
            # at kinks the derivative is actfn's convention (documented deviation)
            if ours.weights:  # PReLU: f'(0) is the weight
                zeros = np.zeros((4, 3, 2), np.float32)
                np.testing.assert_array_equal(
                    T.value_and_grad(ours, zeros)[1],
                    np.broadcast_to(keras.ops.convert_to_numpy(ours.weights[0]), zeros.shape))
            else:
                act = actfn.get(target, **ours.params)
                kinks = np.float32(act.kinks()).reshape(1, -1)
                np.testing.assert_array_equal(T.value_and_grad(ours, kinks)[1],
                                              np.float32(act.derivative(np.float64(kinks))))

    def test_prelu_weight_trains_like_keras() -> None:
        for name in NATIVE:
            if not any(p.vector for p in actfn.lookup(name).params) or not TRAINABLE:
                continue
            rng = np.random.default_rng(1)
            x = rng.normal(size=(8, 3, 2)).astype(np.float32)
            y = rng.normal(size=(8, 3, 2)).astype(np.float32)
            weights = []
            for make in _pair(name, {"shared_axes": [2]}):
                model = keras.Sequential([keras.Input((3, 2)), make])
                model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
                before = keras.ops.convert_to_numpy(model.layers[0].weights[0])
                model.train_on_batch(x, y)
                weights.append((before, keras.ops.convert_to_numpy(model.layers[0].weights[0])))
            (b0, a0), (b1, a1) = weights
            assert b0.shape == (3, 1) and np.array_equal(b0, b1)
            assert not np.allclose(a0, b0)  # the training step moved actfn's weight...
            np.testing.assert_allclose(a0, a1, rtol=1e-5, atol=1e-7)  # ...as Keras moves its own

    def test_forms_actfn_lacks_are_refused() -> None:
        relu = ak.native_class("relu")
        with pytest.raises(ValueError, match=r"ReLU\(negative_slope=0.1\).*ReLU\(max_value=6.0\) is relu6"):
            relu(negative_slope=0.1)
        with pytest.raises(ValueError, match="alpha=-1.0 is out of range"):
            ak.native_class("elu")(alpha=-1.0)

    def test_config_round_trip_and_keras_file(tmp_path: Path) -> None:
        layers = [(ak.native_class(n)(**kw), target) for n in NATIVE for kw, target in _forms(n)]
        for layer, target in layers:
            clone = type(layer).from_config(layer.get_config())
            assert (clone.activation, clone.params) == (target, layer.params)
            restored = keras.saving.deserialize_keras_object(
                keras.saving.serialize_keras_object(layer))
            assert type(restored) is type(layer) and restored.activation == target
        inputs = keras.Input((3, 2))
        outs = [layer(keras.layers.Dense(2)(inputs)) for layer, _ in layers]
        model = keras.Model(inputs, keras.layers.Concatenate()(outs))
        x = np.random.default_rng(0).normal(size=(5, 3, 2)).astype(np.float32)
        model.save(tmp_path / "native.keras")
        loaded = keras.saving.load_model(tmp_path / "native.keras")
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        for (layer, target), new in zip(layers, loaded.layers[-1 - len(layers):-1], strict=True):
            assert type(new) is type(layer) and new.activation == target

    def test_deprecated_names_warn() -> None:
        renamed = [n for n in NATIVE if ak.native_name(n) != actfn._evaluate.class_name(n)]
        assert renamed
        for n in renamed:
            old = getattr(ak, actfn._evaluate.class_name(n))
            assert old is ak.layer_class(n)
            with pytest.warns(DeprecationWarning, match=f"use actfn.keras.{ak.native_name(n)}"):
                layer = old()
            assert layer.activation == n

    if BACKEND == "tensorflow":

        def test_tf_routing_matches_tensorflow_builtins_at_float64() -> None:
            """actfn.get(name)(tf_tensor) under tf.GradientTape against TensorFlow's own
            activation (Keras' on the TensorFlow backend, from the catalog) at float64:
            where they differ, actfn is the closer to the mpmath reference."""
            import tensorflow as tf

            eps = float(np.finfo(np.float64).eps)
            for name in actfn.names():
                x = np.asarray(T.H.smooth_points(name, np.linspace(-6, 6, 25), gap=1e-3))
                ours = T.value_and_grad(lambda t, n=name: actfn.get(n)(t), x)
                assert isinstance(actfn.get(name)(tf.constant(x)), tf.Tensor)
                # (prelu's equivalent is a Keras layer: float32 by its dtype policy)
                theirs = T.value_and_grad(T.keras_equivalent(name), x)
                for k, what in enumerate(("f", "df")):
                    for i in np.flatnonzero(~np.isclose(ours[k], theirs[k], rtol=1e-12,
                                                        atol=1e-300)):
                        ref = T.H.mp_reference(name, float(x[i]), what)
                        assert T.H.more_accurate(float(ours[k][i]), float(theirs[k][i]), ref,
                                                 eps), (name, what, float(x[i]))
