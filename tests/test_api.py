"""The public API: names, lookup and its errors, Activation objects, functional shortcuts,
registration of new activations, per-channel PReLU and the seeds' printed examples."""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import math
import types
from collections.abc import Iterator

import numpy as np
import pytest

import actfn
from actfn import Param, Spec

from .conftest import combos


# -- the seeds' printed examples ---------------------------------------------------------------
# Printed by the seed scripts in float32 (PyTorch defaults) to 7–8 significant digits.
@pytest.mark.parametrize(("name", "x", "printed"), [
    ("celu", -0.8057, -0.5532249),
    ("celu", -0.8352, -0.5662123),
    ("selu", 0.1895, 0.19910784),
    ("selu", -0.8333, -0.99400705),
])
def test_seed_examples(name: str, x: float, printed: float) -> None:
    y = actfn.get(name)(np.float32([x]))
    assert y.dtype == np.float32
    assert y[0] == np.float32(printed)  # the printed digits round to the same float32
    assert f"{float(y[0]):.{len(repr(printed).split('.')[1])}f}" == repr(printed)
    # the same through the functional shortcut and in float64 (to the printed digits)
    assert getattr(actfn, name)(np.float32([x]))[0] == y[0]
    assert abs(float(actfn.get(name)(x)) - printed) < 5e-8


# -- names and aliases -----------------------------------------------------------------------
def test_names_sorted_canonical_and_unique() -> None:
    names = actfn.names()
    assert names == sorted(names) and len(set(names)) == len(names)
    assert not set(names) & set(actfn.aliases())
    for n in names:
        assert actfn.get(n).name == n and actfn.lookup(n).name == n


@pytest.mark.parametrize(("alias", "canonical"), [
    ("swish", "silu"), ("linear", "identity"), ("logistic", "sigmoid"),
    ("hard_sigmoid", "hardsigmoid"), ("hard_swish", "hardswish"), ("hard_silu", "hardswish"),
    ("hard_tanh", "hardtanh"), ("log_sigmoid", "logsigmoid"), ("soft_sign", "softsign"),
    ("leakyrelu", "leaky_relu"), ("quick_gelu", "gelu_sigmoid"),
])
def test_known_aliases(alias: str, canonical: str) -> None:
    assert actfn.aliases()[alias] == canonical
    assert actfn.get(alias) == actfn.get(canonical)
    assert actfn.get(alias).name == canonical


def test_every_alias_resolves_and_lookup_normalises() -> None:
    for alias, canonical in actfn.aliases().items():
        assert actfn.lookup(alias) is actfn.lookup(canonical)
    assert actfn.get("Leaky-ReLU") == actfn.get("leaky_relu")
    assert actfn.get("  SELU ") == actfn.get("selu")


# -- get() errors ------------------------------------------------------------------------------
@pytest.mark.parametrize(("typo", "suggested"), [
    ("seluu", "selu"), ("celu2", "celu"), ("sigmoidd", "sigmoid"), ("relu7", "relu6"),
    ("swishh", "silu"), ("gleu", "gelu"),
])
def test_unknown_name_suggests_closest(typo: str, suggested: str) -> None:
    with pytest.raises(ValueError) as info:
        actfn.get(typo)
    msg = str(info.value)
    assert repr(typo) in msg and repr(suggested) in msg and "did you mean" in msg


def test_unknown_name_without_close_match() -> None:
    with pytest.raises(ValueError, match="unknown activation 'zzzzqqq'"):
        actfn.get("zzzzqqq")
    with pytest.raises(TypeError, match="string"):
        actfn.get(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "params", "fragments"), [
    ("celu", {"alpha": 0}, ("alpha", "0", "alpha > 0")),
    ("celu", {"alpha": -1.5}, ("alpha", "-1.5", "alpha > 0")),
    ("celu", {"alpha": math.inf}, ("alpha", "inf", "alpha > 0")),
    ("celu", {"alpha": math.nan}, ("alpha", "nan", "alpha > 0")),
    ("elu", {"alpha": -0.1}, ("alpha", "-0.1", "alpha >= 0")),
    ("softplus", {"beta": 0.0}, ("beta", "0.0", "beta >= 1e-16", "clip")),
    ("squareplus", {"b": -1.0}, ("b", "-1.0", "b > 0")),
    ("softshrink", {"lambd": -0.5}, ("lambd", "-0.5", "lambd >= 0")),
    ("gelu", {"approximate": "erf"}, ("approximate", "'erf'", "'none'", "'tanh'")),
    ("gelu", {"approximate": True}, ("approximate", "True", "'none'", "'tanh'")),
    ("leaky_relu", {"negative_slope": "0.1"}, ("negative_slope", "'0.1'", "real")),
    ("leaky_relu", {"negative_slope": True}, ("negative_slope", "True")),
    ("hardtanh", {"min_val": 2.0, "max_val": 1.0}, ("min_val", "max_val", "2.0", "1.0")),
    ("rrelu", {"lower": 0.5, "upper": 0.25}, ("lower", "upper", "0.5", "0.25")),
])
def test_bad_parameter_value_error_names_it(name: str, params: dict, fragments) -> None:
    with pytest.raises(ValueError) as info:
        actfn.get(name, **params)
    msg = str(info.value)
    assert name in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)


@pytest.mark.parametrize("name", actfn.names())
def test_unknown_keyword_type_error_lists_valid(name: str) -> None:
    with pytest.raises(TypeError) as info:
        actfn.get(name, not_a_parameter=1.0)
    msg = str(info.value)
    assert "not_a_parameter" in msg
    valid = actfn.lookup(name).param_names
    for p in valid:
        assert p in msg
    if not valid:
        assert "none" in msg


@pytest.mark.parametrize("name", actfn.names())
def test_every_default_is_valid_and_in_its_range(name: str) -> None:
    spec = actfn.lookup(name)
    assert actfn.get(name).params == spec.defaults()
    for p in spec.params:
        assert p.name in p.valid_range()


# -- Activation objects -----------------------------------------------------------------------------
def test_repr() -> None:
    assert repr(actfn.get("celu", alpha=0.5)) == "celu(alpha=0.5)"
    assert repr(actfn.get("relu")) == "relu()"
    assert repr(actfn.get("gelu", approximate="tanh")) == "gelu(approximate='tanh')"
    assert repr(actfn.get("hardtanh", min_val=-2, max_val=2)) == "hardtanh(min_val=-2.0, max_val=2.0)"


@pytest.mark.parametrize("name", actfn.names())
def test_repr_round_trips(name: str) -> None:
    act = actfn.get(name)
    namespace = {n: functools.partial(actfn.get, n) for n in actfn.names()}
    rebuilt = eval(repr(act), namespace)  # noqa: S307
    assert rebuilt == act


def test_equality_and_hash() -> None:
    a, b = actfn.get("celu", alpha=0.5), actfn.get("celu", alpha=0.5)
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != actfn.get("celu") and a != actfn.get("elu", alpha=0.5)
    assert actfn.get("celu", alpha=1) == actfn.get("celu")  # int 1 normalised to 1.0
    assert actfn.get("swish") == actfn.get("silu") and hash(actfn.get("swish")) == hash(
        actfn.get("silu"))
    assert len({a, b, actfn.get("celu"), actfn.get("swish"), actfn.get("silu")}) == 3
    assert (a == "celu(alpha=0.5)") is False and a != 0.5
    assert {actfn.get("prelu", weight=[0.1, 0.2]): 1}[actfn.get("prelu", weight=(0.1, 0.2))] == 1


def test_activation_attributes_and_rebinding() -> None:
    act = actfn.get("celu", alpha=0.5)
    assert act.name == "celu" and act.params == {"alpha": 0.5}
    act.params["alpha"] = 3.0  # a copy: the activation is unchanged
    assert act.params == {"alpha": 0.5}
    assert act.spec is actfn.lookup("celu")
    assert act.kinks() == (0.0,)
    assert actfn.get(act) is act
    assert actfn.get(act, alpha=2.0) == actfn.get("celu", alpha=2.0)
    with pytest.raises(ValueError, match="alpha"):
        actfn.get(act, alpha=0.0)
    assert isinstance(act, actfn.Activation)


# -- functional shortcuts -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", actfn.names())
def test_functional_shortcut(name: str) -> None:
    fn = getattr(actfn, name)
    spec = actfn.lookup(name)
    assert fn.__name__ == name and callable(fn)
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    assert params[0].name == "x" and params[0].kind is inspect.Parameter.POSITIONAL_ONLY
    assert [p.name for p in params[1:]] == list(spec.param_names)
    for p in params[1:]:
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        assert p.default == spec.defaults()[p.name]
    for attr in ("derivative", "second_derivative", "value_and_derivative"):
        assert inspect.signature(getattr(fn, attr)) == sig
    assert fn.__doc__ and name in fn.__doc__
    x = np.linspace(-4, 4, 17)
    act = actfn.get(name)
    assert fn(x).tobytes() == act(x).tobytes()
    assert fn.derivative(x).tobytes() == act.derivative(x).tobytes()
    assert fn.second_derivative(x).tobytes() == act.second_derivative(x).tobytes()
    f, df = fn.value_and_derivative(x)
    assert f.tobytes() == act(x).tobytes() and df.tobytes() == act.derivative(x).tobytes()
    if spec.params:  # hyperparameters are keyword-only
        with pytest.raises(TypeError):
            fn(x, spec.params[0].default)
    with pytest.raises(TypeError):
        fn(x, not_a_parameter=1)


def test_functional_with_parameters() -> None:
    x = np.array([-1.0, 0.5])
    assert actfn.celu(x, alpha=0.5).tobytes() == actfn.get("celu", alpha=0.5)(x).tobytes()
    assert (actfn.gelu.derivative(x, approximate="tanh").tobytes()
            == actfn.get("gelu", approximate="tanh").derivative(x).tobytes())
    with pytest.raises(ValueError, match="alpha > 0"):
        actfn.celu(x, alpha=0.0)


# -- __all__ and version ----------------------------------------------------------------------------
def _public_names() -> set[str]:
    # a callable module (actfn.reference) is a public function too
    return {n for n, v in vars(actfn).items()
            if not n.startswith("_") and (not isinstance(v, types.ModuleType) or callable(v))}


def test_all_matches_public_names() -> None:
    assert len(actfn.__all__) == len(set(actfn.__all__))
    assert set(actfn.__all__) == _public_names() | {"__version__"}
    assert set(actfn.names()) <= set(actfn.__all__)
    for n in actfn.__all__:
        assert hasattr(actfn, n)
    ns: dict = {}
    exec("from actfn import *", ns)  # noqa: S102
    assert set(actfn.__all__) <= set(ns)


def test_version() -> None:
    assert isinstance(actfn.__version__, str)
    assert actfn.__version__ == importlib.metadata.version("actfn")
    assert all(part.isdigit() for part in actfn.__version__.split(".")[:2])


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no_such_activation"):
        actfn.no_such_activation  # noqa: B018


# -- a toy activation registered by a test ----------------------------------------------------------
def _cube(x, xp, *, a):
    return a * x * x * x


TOY = Spec(
    name="toy_cube",
    aliases=("toy_cubic",),
    family="test",
    summary="a·x³, registered by tests/test_api.py.",
    f=_cube,
    df=lambda x, xp, *, a: 3.0 * a * x * x,
    d2f=lambda x, xp, *, a: 6.0 * a * x,
    params=(Param("a", 1.0, "scale", lower=0.0),),
)


@pytest.fixture
def toy() -> Iterator[Spec]:
    actfn.register(TOY)
    try:
        yield TOY
    finally:
        actfn.unregister("toy_cube")
    assert "toy_cube" not in actfn.names()
    with pytest.raises(ValueError):
        actfn.get("toy-cubic")


def test_toy_activation_registered(toy: Spec) -> None:
    assert "toy_cube" in actfn.names() and actfn.names() == sorted(actfn.names())
    assert actfn.aliases()["toy_cubic"] == "toy_cube"
    act = actfn.get("toy_cube", a=2.0)
    assert repr(act) == "toy_cube(a=2.0)" and actfn.get("Toy-Cubic", a=2.0) == act
    x = np.array([-2.0, 0.5, 3.0])
    np.testing.assert_array_equal(act(x), 2 * x**3)
    np.testing.assert_array_equal(act.derivative(x), 6 * x**2)
    np.testing.assert_array_equal(act.second_derivative(x), 12 * x)
    fn = actfn.toy_cube  # the functional of a plug-in, through module __getattr__
    assert list(inspect.signature(fn).parameters) == ["x", "a"]
    np.testing.assert_array_equal(fn(x, a=2.0), act(x))
    np.testing.assert_array_equal(fn.derivative(x, a=2.0), act.derivative(x))
    with pytest.raises(ValueError, match="a > 0"):
        actfn.get("toy_cube", a=-1.0)
    with pytest.raises(ValueError, match="already registered"):
        actfn.register(TOY)
    with pytest.raises(ValueError, match="toy_cube"):
        actfn.get("toy_cub")  # close-name suggestion includes the plug-in


@pytest.mark.parametrize(("backend", "dtype"), combos())
def test_toy_activation_passes_the_sweep(toy: Spec, sweep, backend: str, dtype: str) -> None:
    assert sweep(actfn.get("toy_cube", a=0.5), backend, dtype) == 16


# -- per-channel PReLU --------------------------------------------------------------------------------
W = (0.1, 0.2, 0.3)


def _prelu_ref(x: np.ndarray, w) -> np.ndarray:
    shape = (1, len(w)) + (1,) * (x.ndim - 2)
    return np.where(x > 0, x, x * np.reshape(w, shape))


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (1, 3, 2, 2)])
def test_prelu_per_channel_broadcasts_on_dim_1(shape: tuple[int, ...]) -> None:
    x = np.linspace(-3, 3, int(np.prod(shape))).reshape(shape)
    act = actfn.get("prelu", weight=list(W))
    assert act.params["weight"] == W
    np.testing.assert_array_equal(act(x), _prelu_ref(x, W))
    d = act.derivative(x)
    np.testing.assert_array_equal(d, np.where(x > 0, 1.0, np.broadcast_to(
        np.reshape(W, (1, 3) + (1,) * (x.ndim - 2)), x.shape)))
    np.testing.assert_array_equal(act.second_derivative(x), np.zeros(shape))


def test_prelu_per_channel_matches_torch_and_dask() -> None:
    import dask.array as da
    import torch

    x = np.linspace(-3, 3, 2 * 3 * 5).reshape(2, 3, 5)
    act = actfn.get("prelu", weight=W)
    t = torch.from_numpy(x)
    want = torch.nn.functional.prelu(t, torch.tensor(W, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(act(t).numpy(), want)
    np.testing.assert_array_equal(act(x), want)
    lazy = act(da.from_array(x, chunks=(1, 1, 5)))  # channels split across chunks
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), want)


def test_prelu_single_weight_sequence_is_scalar() -> None:
    x = np.linspace(-3, 3, 7)
    assert actfn.get("prelu", weight=[0.3])(x).tobytes() == actfn.get("prelu", weight=0.3)(
        x).tobytes()


@pytest.mark.parametrize("shape", [(2, 4, 5), (3,), (2, 2), ()])
def test_prelu_channel_mismatch_raises(shape: tuple[int, ...]) -> None:
    x = np.zeros(shape)
    act = actfn.get("prelu", weight=W)
    for method in ("__call__", "derivative", "second_derivative", "value_and_derivative"):
        with pytest.raises(ValueError, match="weight has 3 values"):
            getattr(act, method)(x)


def test_prelu_bad_weights() -> None:
    with pytest.raises(ValueError, match="weight"):
        actfn.get("prelu", weight=[])
    with pytest.raises(ValueError, match="weight"):
        actfn.get("prelu", weight=[[0.1, 0.2]])
    with pytest.raises(ValueError, match="weight"):
        actfn.get("prelu", weight=[0.1, math.nan])
