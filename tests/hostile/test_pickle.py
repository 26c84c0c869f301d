"""Issue 9, "Plain-Python habits that fail": pickling, copying and process pools.

``Activation`` objects held lambdas through their spec, so ``pickle`` and
``multiprocessing.Pool().map(actfn.get("celu"), chunks)`` failed. They now pickle by
reference (registered name + parameter values); so do the actfn.torch modules (name +
state) and the actfn.keras layers (Keras' own pickling through its registry). An
activation registered at runtime only in the parent cannot be rebuilt in a fresh
(``spawn``/``forkserver``) worker, and says so.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import functools
import multiprocessing as mp
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
import torch

import actfn
import actfn.torch as at
from actfn._evaluate import class_name

NAMES = actfn.names()
X = np.array([-3.0, -0.5, -0.0, 0.0, 0.25, 2.0, np.inf, -np.inf, np.nan])
CHUNKS = [np.array([-1.0, 0.5]), np.array([2.0, -0.25])]
METHODS = [m for m in ("fork", "spawn", "forkserver") if m in mp.get_all_start_methods()]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


def _double_it_spec() -> actfn.Spec:
    return actfn.Spec(name="double_it", f=lambda x, xp: 2.0 * x,
                      df=lambda x, xp: 0.0 * x + 2.0, d2f=lambda x, xp: 0.0 * x)


@pytest.mark.parametrize("name", NAMES)
def test_activation_pickles_and_copies(name: str) -> None:
    act = actfn.get(name)
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(act, protocol=proto))
        assert type(back) is actfn.Activation and back == act and back.spec is act.spec
        assert _same(back(X), act(X)) and _same(back.derivative(X), act.derivative(X))
    for c in (copy.copy(act), copy.deepcopy(act)):
        assert c == act and _same(c(X), act(X))


def test_parameters_survive_pickling() -> None:
    for act in (actfn.get("celu", alpha=0.5), actfn.get("prelu", weight=[0.1, 0.2]),
                actfn.get("gelu", approximate="tanh")):
        back = pickle.loads(pickle.dumps(act))
        assert back == act and back.params == act.params


@pytest.mark.parametrize("method", METHODS)
def test_pool_map_under_every_start_method(method: str) -> None:
    act = actfn.get("celu", alpha=0.5)
    with mp.get_context(method).Pool(1) as pool:
        got = pool.map(act, CHUNKS)
        derivs = pool.map(act.derivative, CHUNKS)
    for g, d, c in zip(got, derivs, CHUNKS, strict=True):
        assert _same(g, act(c)) and _same(d, act.derivative(c))


def test_concurrent_futures_thread_and_process_pools() -> None:
    act = actfn.get("selu")
    with cf.ThreadPoolExecutor(2) as ex:
        got = list(ex.map(act, CHUNKS))
    assert all(_same(g, act(c)) for g, c in zip(got, CHUNKS, strict=True))
    with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        got = list(ex.map(act, CHUNKS))
    assert all(_same(g, act(c)) for g, c in zip(got, CHUNKS, strict=True))


def test_runtime_registered_activation_in_fresh_workers() -> None:
    actfn.register(_double_it_spec())
    try:
        act = actfn.get("double_it")
        assert _same(pickle.loads(pickle.dumps(act))(CHUNKS[0]), 2.0 * CHUNKS[0])
        if "fork" in METHODS:  # a forked worker has the parent's registry
            with mp.get_context("fork").Pool(1) as pool:
                assert _same(pool.map(act, CHUNKS)[0], 2.0 * CHUNKS[0])
        # A spawned worker starts fresh: the call fails there with a clear error that
        # reaches the caller (and the pool does not hang).
        with mp.get_context("spawn").Pool(1) as pool, pytest.raises(
            ValueError, match=r"activation 'double_it' is not registered in this process.*"
                              r"'spawn' or 'forkserver' worker"
        ):
            pool.map(act, CHUNKS)
        with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex, pytest.raises(
            ValueError, match="'double_it' is not registered in this process"
        ):
            list(ex.map(act, CHUNKS))
    finally:
        actfn.unregister("double_it")


def test_unpickling_an_unknown_name_gives_a_stand_in_that_raises() -> None:
    actfn.register(_double_it_spec())
    try:
        data = pickle.dumps(actfn.get("double_it"))
    finally:
        actfn.unregister("double_it")
    stand_in = pickle.loads(data)
    for call in (stand_in, stand_in.derivative, stand_in.second_derivative,
                 stand_in.value_and_derivative):
        with pytest.raises(ValueError, match="'double_it' is not registered in this process"):
            call(CHUNKS[0])
    # Registered again, the same bytes (and a re-pickled stand-in) load as the activation.
    actfn.register(_double_it_spec())
    try:
        for blob in (data, pickle.dumps(stand_in)):
            assert _same(pickle.loads(blob)(CHUNKS[0]), 2.0 * CHUNKS[0])
    finally:
        actfn.unregister("double_it")


def test_an_unregistered_spec_refuses_to_pickle_but_copies() -> None:
    act = actfn.Activation(_double_it_spec(), {})
    with pytest.raises(pickle.PicklingError, match="pickled by registered name"):
        pickle.dumps(act)
    assert _same(copy.deepcopy(act)(CHUNKS[0]), 2.0 * CHUNKS[0])


# -- actfn.torch modules -----------------------------------------------------------------------
def _torch_modules() -> list[torch.nn.Module]:
    mods: list[torch.nn.Module] = [getattr(at, class_name(n))() for n in NAMES]
    mods += [at.Activation("celu", alpha=0.3), at.Celu(0.5, learnable=True),
             at.Selu(learnable=("alpha",)), at.Prelu(3, 0.1)]
    with torch.no_grad():  # state that differs from the constructor's
        mods[-3].alpha.fill_(0.7)
        mods[-1].weight.copy_(torch.tensor([0.1, -0.2, 0.3]))
    return mods


def test_every_torch_module_pickles_and_deepcopies() -> None:
    x = torch.tensor([[-2.0, -0.5, 1.0], [0.0, 3.0, -0.1]], dtype=torch.float64)
    for m in _torch_modules():
        for back in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
            assert type(back) is type(m) and repr(back) == repr(m)
            assert torch.equal(back(x), m(x))
            for (k, p), (k2, p2) in zip(m.named_parameters(), back.named_parameters(),
                                        strict=True):
                assert k == k2 and torch.equal(p, p2) and p is not p2 and p2.requires_grad


def test_torch_module_of_runtime_registered_activation() -> None:
    actfn.register(_double_it_spec())
    try:
        cls = at.module_class("double_it")
        assert cls is at.DoubleIt  # one class per spec, so pickling by reference works
        m = cls()
        back = pickle.loads(pickle.dumps(m))
        assert type(back) is cls and back(torch.tensor([1.5])).item() == 3.0
        data = pickle.dumps(m)
    finally:
        actfn.unregister("double_it")
    stand_in = pickle.loads(data)  # no error while unpickling (it would kill a pool worker)
    with pytest.raises(ValueError, match="'double_it': it is not registered in this process"):
        stand_in(torch.tensor([1.5]))


def test_torch_module_in_a_spawned_process_pool() -> None:
    m = at.Celu(0.5, learnable=True)
    xs = [torch.tensor([-1.0, 2.0]), torch.tensor([0.5])]
    with torch.no_grad():
        m.alpha.fill_(0.7)  # state, not the constructor's value
    with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        got = list(ex.map(functools.partial(_detached, m), xs))
    for g, x in zip(got, xs, strict=True):
        assert torch.equal(g, m(x).detach())


def _detached(m: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    # Results that require grad cannot cross a process boundary (torch refuses).
    return m(x).detach()


def test_user_subclass_of_a_torch_module_pickles_as_usual() -> None:
    m = _MyCelu(0.25)
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is _MyCelu and back.extra == "kept"
    assert torch.equal(back(torch.tensor([-1.0])), m(torch.tensor([-1.0])))


class _MyCelu(at.Celu):
    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__(alpha)
        self.extra = "kept"


# -- actfn.keras layers -------------------------------------------------------------------------
def test_keras_layers_pickle_and_deepcopy() -> None:
    # In a subprocess: importing Keras picks a backend for the whole process.
    code = (
        "import copy, pickle, numpy as np, actfn, actfn.keras as ak\n"
        "from actfn._evaluate import class_name\n"
        "x = np.array([[-2.0, -0.5, 1.0]], dtype='float32')\n"
        "layers = [getattr(ak, class_name(n))() for n in actfn.names()]\n"
        "layers += [ak.Activation('celu', alpha=0.3), ak.Celu(0.5), ak.Prelu(weight=[0.1, 0.2, 0.3])]\n"
        "native = [ak.native_class(n) for n in actfn.names() if ak.native_class(n)]\n"
        "layers += [c() for c in native] + [ak.ReLU(max_value=6.0)]  # keras.layers' names\n"
        "for layer in layers:\n"
        "    for back in (pickle.loads(pickle.dumps(layer)), copy.deepcopy(layer)):\n"
        "        assert type(back) is type(layer), layer\n"
        "        assert back.get_config() == layer.get_config(), layer\n"
        "        assert back.activation == layer.activation, layer\n"
        "        assert np.array_equal(np.asarray(back(x)), np.asarray(layer(x)), equal_nan=True)\n"
        "print(len(layers) - len(native))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.strip().splitlines()[-1]) == len(NAMES) + 4


# -- review of the pickling work (defects 2, 6, 10) ----------------------------------------------
def _run_module(args: tuple[torch.nn.Module, list[float]]) -> list[float]:
    m, xs = args
    return m(torch.tensor(xs)).detach().tolist()


def test_defect2_runtime_registered_torch_module_in_fresh_workers_raises_not_hangs() -> None:
    actfn.register(_double_it_spec())
    try:
        m = at.module_class("double_it")()
        for method in [m for m in METHODS if m != "fork"]:
            with mp.get_context(method).Pool(1) as pool, pytest.raises(
                ValueError, match=r"'double_it': it is not registered in this process.*"
                                  r"'spawn' or 'forkserver' worker"
            ):
                pool.map_async(_run_module, [(m, [1.0])]).get(timeout=120)
            with cf.ProcessPoolExecutor(1, mp_context=mp.get_context(method)) as ex, pytest.raises(
                ValueError, match="'double_it': it is not registered in this process"
            ):
                list(ex.map(_run_module, [(m, [1.0])]))
        if "fork" in METHODS:  # a forked worker has the parent's registry
            with mp.get_context("fork").Pool(1) as pool:
                assert pool.map(_run_module, [(m, [1.5])]) == [[3.0]]
    finally:
        actfn.unregister("double_it")


def test_defect2_stand_in_module_repickles_to_the_real_one_once_registered() -> None:
    actfn.register(_double_it_spec())
    try:
        data = pickle.dumps(at.module_class("double_it")())
    finally:
        actfn.unregister("double_it")
    stand_in = pickle.loads(data)
    again = pickle.dumps(stand_in)
    actfn.register(_double_it_spec())
    try:
        back = pickle.loads(again)
        assert type(back) is at.DoubleIt and back(torch.tensor([2.0])).item() == 4.0
    finally:
        actfn.unregister("double_it")


def test_defect6_functional_methods_pickle_and_work_in_pools() -> None:
    for fn in (actfn.celu, actfn.celu.derivative, actfn.celu.second_derivative,
               actfn.celu.value_and_derivative):
        assert pickle.loads(pickle.dumps(fn)) is fn
    with mp.get_context("spawn").Pool(1) as pool:
        got = pool.map(actfn.celu.derivative, CHUNKS)
    assert all(_same(g, actfn.get("celu").derivative(c)) for g, c in zip(got, CHUNKS, strict=True))


def test_defect6_runtime_registered_functions_are_one_object_and_pickle() -> None:
    import actfn.jax as aj

    actfn.register(_double_it_spec())
    try:
        for mod in (actfn, at, aj):
            fn = mod.double_it
            assert mod.double_it is fn
            assert pickle.loads(pickle.dumps(fn)) is fn
        assert pickle.loads(pickle.dumps(actfn.double_it.derivative)) is actfn.double_it.derivative
        assert _same(actfn.double_it(CHUNKS[0]), 2.0 * CHUNKS[0])
    finally:
        actfn.unregister("double_it")


def test_defect10_torch_load_weights_only_needs_only_the_class(tmp_path: Any) -> None:
    m = at.Prelu(3, 0.1)
    with torch.no_grad():
        m.weight.copy_(torch.tensor([0.1, -0.2, 0.3]))
    mods = [m, at.Celu(0.5, learnable=True), at.Activation("celu", alpha=0.3)]
    x = torch.tensor([[-2.0, -0.5, 1.0]])
    for mod in mods:
        path = tmp_path / "m.pt"
        torch.save(mod, path)
        with torch.serialization.safe_globals([type(mod)]):
            back = torch.load(path, weights_only=True)
        assert type(back) is type(mod) and repr(back) == repr(mod)
        assert torch.equal(back(x), mod(x))
