"""dtype / shape / no-mutation / no-warning sweep over product(registry, dtypes, backends).

Every registered activation (at its default parameters) goes through
:func:`conftest.sweep_case` for every (backend, dtype) pair that exists; see
``conftest.combos`` for the pairs left out and why (array-api-strict has no float16 or
bfloat16; JAX holds float64 only with x64 enabled, which the ``jax_x64`` backend does).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import actfn

from .conftest import METHODS, call, combos, strict_numerics, sweep_case, to_numpy

NAMES = actfn.names()


def _method_kernels(spec: actfn.Spec, method: str) -> tuple[object, ...]:
    return {"f": (spec.f,), "derivative": (spec.df,), "second_derivative": (spec.d2f,),
            "value_and_derivative": (spec.f_df,) if spec.f_df else (spec.f, spec.df)}[method]


def _reads_special_functions(name: str, method: str | None = None) -> bool:
    """Whether the kernels of ``name`` (at its defaults; of ``method``, else of all) ask
    their evaluation context for erf/erfc/erfcx: found by running them on a context that
    records what is read."""
    from actfn._evaluate import array_params, context

    ctx = context(np)
    read: set[str] = set()

    class Recording:
        def __getattr__(self, attr: str) -> object:
            read.add(attr)
            return getattr(ctx, attr)

    act = actfn.get(name)
    x = np.linspace(-3.0, 3.0, 7)
    params = array_params(act.spec, act.params, x, np)
    methods = METHODS if method is None else (method,)
    with np.errstate(all="ignore"):
        for kernel in {k for m in methods for k in _method_kernels(act.spec, m)}:
            kernel(x, Recording(), **params)  # type: ignore[operator]
    return bool(read & {"erf", "erfc", "erfcx"})


#: Activations that need erf/erfc from the array library (array-api-strict has none).
SPECIAL = [n for n in NAMES if _reads_special_functions(n)]

#: A plug-in whose f reads erf and f′ erfc (f″ reads neither): the error path stays tested
#: now that no built-in needs them (gelu's float64 Φ comes from actfn's own tail tables).
_PROBE = actfn.Spec(
    name="erf_probe",
    f=lambda x, xp: xp.erf(x),
    df=lambda x, xp: xp.erfc(-x) - xp.erfc(-x) + 1.1283791670955126 * xp.exp(-(x * x)),
    d2f=lambda x, xp: -2.2567583341910252 * x * xp.exp(-(x * x)),
)


@pytest.fixture
def erf_probe():
    actfn.register(_PROBE)
    try:
        yield _PROBE.name
    finally:
        actfn.unregister(_PROBE.name)


def _runnable(name: str, backend: str) -> bool:
    return not (backend == "array_api_strict" and name in SPECIAL)


@pytest.mark.parametrize(
    ("name", "backend", "dtype"),
    [(n, b, d) for n, (b, d) in itertools.product(NAMES, combos()) if _runnable(n, b)],
)
def test_sweep(name: str, backend: str, dtype: str) -> None:
    assert sweep_case(actfn.get(name), backend, dtype) == 4 * 4


def test_sweep_covers_every_backend_and_dtype() -> None:
    pairs = combos()
    assert {b for b, _ in pairs} >= {"numpy", "torch", "jax", "jax_x64", "dask",
                                     "array_api_strict", "python"}
    assert {d for _, d in pairs} == {"float16", "bfloat16", "float32", "float64", "int32", "bool"}


def test_special_functions_are_found(erf_probe: str) -> None:
    # a kernel that reads erf/erfc from its context is found, per method; every activation
    # that does gets the array-api-strict error test below
    assert _reads_special_functions(erf_probe, "f")
    assert _reads_special_functions(erf_probe, "derivative")
    assert not _reads_special_functions(erf_probe, "second_derivative")
    assert "gelu" not in SPECIAL  # gelu runs on array-api-strict now (test_sweep)


@pytest.mark.parametrize("name", [*SPECIAL, _PROBE.name])
@pytest.mark.parametrize("method", METHODS)
def test_array_api_strict_without_erf_raises(name: str, method: str, request) -> None:
    """A method whose kernels read erf/erfc/erfcx raises a TypeError naming the activation,
    the function and the library; one that reads none (the probe's f″) runs and gives
    NumPy's values."""
    import array_api_strict as xs

    if name == _PROBE.name:
        request.getfixturevalue("erf_probe")
    x = xs.asarray([0.5, -1.0])
    act = actfn.get(name)
    if not _reads_special_functions(name, method):
        got = call(act, method, x)
        want = call(act, method, np.asarray([0.5, -1.0]))
        for g, w in zip(got if isinstance(got, tuple) else (got,),
                        want if isinstance(want, tuple) else (want,), strict=True):
            np.testing.assert_array_equal(np.asarray(g), w)
        return
    with pytest.raises(TypeError) as info:
        call(act, method, x)
    msg = str(info.value)
    assert name in msg and "erf" in msg and "array_api_strict" in msg, msg


@pytest.mark.parametrize("name", NAMES)
def test_dask_stays_lazy(name: str) -> None:
    """Nothing is computed until .compute(); then the result is NumPy's, bit for bit."""
    import dask.array as da

    calls = []
    base = np.linspace(-8, 8, 24).reshape(4, 6)

    def make(block: np.ndarray) -> np.ndarray:
        calls.append(1)
        return block.copy()

    act = actfn.get(name)
    for method in METHODS:
        x = da.map_blocks(make, da.from_array(base, chunks=(2, 3)), dtype=base.dtype,
                          meta=np.empty((0, 0), base.dtype))
        calls.clear()
        out = call(act, method, x)
        outs = out if isinstance(out, tuple) else (out,)
        assert all(isinstance(y, da.Array) for y in outs)
        assert calls == [], f"{method} computed the input eagerly"
        assert all(y.chunks == x.chunks for y in outs)
        ref = call(act, method, base)
        refs = ref if isinstance(ref, tuple) else (ref,)
        for y, r in zip(outs, refs, strict=True):
            assert to_numpy(y).tobytes() == np.asarray(r).tobytes()
        calls.clear()


# -- dtypes that are refused ---------------------------------------------------------------
def _bad_inputs():
    import jax.numpy as jnp
    import torch

    return {
        "numpy-complex128": np.array([1.0 + 2j]),
        "numpy-complex64-0d": np.complex64(1.0),
        "numpy-object": np.array([1.0, 2.0], dtype=object),
        "numpy-longdouble": np.array([1.0], dtype=np.longdouble),
        "numpy-longdouble-scalar": np.longdouble(1.0),
        "numpy-str": np.array(["1.0"]),
        "python-complex": 1 + 1j,
        "python-complex-list": [1.0, 1j],
        "python-str": "1.0",
        "python-none": None,
        "torch-complex64": torch.tensor([1 + 1j]),
        "jax-complex64": jnp.asarray([1 + 1j]),
    }


_BAD_KEYS = list(_bad_inputs())


@pytest.mark.parametrize("key", _BAD_KEYS)
@pytest.mark.parametrize("method", METHODS)
def test_unsupported_dtypes_raise_typeerror(key: str, method: str) -> None:
    x = _bad_inputs()[key]
    for name in NAMES:
        with strict_numerics(), pytest.raises(TypeError):
            call(actfn.get(name), method, x)


def test_unsupported_dtype_message_names_the_dtype() -> None:
    with pytest.raises(TypeError, match="complex128"):
        actfn.relu(np.array([1j]))
    with pytest.raises(TypeError, match="object"):
        actfn.relu(np.array([1.0], dtype=object))
    with pytest.raises(TypeError, match="float128|longdouble"):
        actfn.relu(np.array([1.0], dtype=np.longdouble))


@pytest.mark.parametrize("name", NAMES)
def test_python_scalar_and_list_are_numpy_float64(name: str) -> None:
    act = actfn.get(name)
    for x in (0.5, 2, True, [1, 2.5], [True, False], [], [[1.0, -2.0], [0.0, 3.0]]):
        with strict_numerics():
            y = act(x)
        assert type(y) is np.ndarray and y.dtype == np.float64
        assert y.shape == np.shape(x)
        np.testing.assert_array_equal(y, act(np.asarray(x, dtype=np.float64)))


@pytest.mark.parametrize("name", NAMES)
def test_numpy_scalars_and_readonly_arrays(name: str) -> None:
    act = actfn.get(name)
    for x in (np.float32(0.5), np.float16(-1.0), np.int64(3)):
        y = act(x)
        assert y.shape == () and y.dtype == (x.dtype if x.dtype.kind == "f" else np.float64)
    ro = np.linspace(-4, 4, 9)
    ro.setflags(write=False)
    view = np.linspace(-4, 4, 18)[::2]  # non-contiguous
    with strict_numerics():
        for method in METHODS:
            call(act, method, ro)
            call(act, method, view)
    assert np.array_equal(view, np.linspace(-4, 4, 18)[::2])


@pytest.mark.parametrize("default", ["float64", "float32"])
def test_torch_integers_follow_the_default_dtype(default: str) -> None:
    """Integer and bool tensors become torch.get_default_dtype(), whatever it is."""
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, default))
    try:
        for x in (torch.arange(-3, 4, dtype=torch.int32), torch.tensor([True, False])):
            for method in METHODS:
                out = call(actfn.get("softplus"), method, x)
                for y in out if isinstance(out, tuple) else (out,):
                    assert y.dtype == getattr(torch, default)
    finally:
        torch.set_default_dtype(old)
