"""Shared fixtures: the backend × dtype matrix and the sweep helper.

The sweep helper (:func:`sweep_case`, also the ``sweep`` fixture) is what
``tests/test_sweep.py`` runs over product(registry, dtypes, backends); other tests call
it on activations they register themselves, so a new spec gets the whole sweep.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import array_api_compat as aac
import ml_dtypes
import numpy as np
import pytest

import actfn

#: Every backend the sweep covers. CI installs all of them, so nothing is skipped.
BACKENDS = ("numpy", "torch", "jax", "jax_x64", "dask", "array_api_strict", "python")
#: Input dtypes of the sweep (by NumPy name; bfloat16 is ml_dtypes' on NumPy).
DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "bool")
#: The methods of an Activation that the sweep calls.
METHODS = ("f", "derivative", "second_derivative", "value_and_derivative")

#: Inputs of the sweep: both zeros, the kinks of the default parameters, both
#: infinities and nan. All fit in float16.
FLOAT_VALUES = (-10.0, -6.0, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 6.0, 10.0,
                np.inf, -np.inf, np.nan, 2.5)
INT_VALUES = (-7, -3, -1, 0, 1, 2, 3, 6)
BOOL_VALUES = (True, False, True, True)


def combos() -> list[tuple[str, str]]:
    """(backend, dtype) pairs that exist: array-api-strict has no float16/bfloat16,
    JAX has float64 only with x64 enabled, and Python numbers have no float16."""
    out = []
    for b in BACKENDS:
        for d in DTYPES:
            if b == "array_api_strict" and d in ("float16", "bfloat16"):
                continue
            if b == "jax" and d == "float64":
                continue  # jax_x64 covers it; without x64 JAX cannot hold float64
            if b == "python" and d not in ("float64", "int32", "bool"):
                continue
            out.append((b, d))
    return out


def np_dtype(name: str) -> np.dtype:
    return np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)


def values_for(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """A NumPy array of ``shape`` filled (cyclically) with the sweep's values."""
    pool = {"int32": INT_VALUES, "bool": BOOL_VALUES}.get(dtype, FLOAT_VALUES)
    n = int(np.prod(shape))
    flat = np.array([pool[i % len(pool)] for i in range(n)], dtype=object)
    return flat.astype(np_dtype(dtype)).reshape(shape)


@contextlib.contextmanager
def backend_context(backend: str) -> Iterator[None]:
    if backend == "jax_x64":
        import jax

        with jax.enable_x64(True):
            yield
    else:
        yield


def to_backend(a: np.ndarray, backend: str) -> Any:
    """Convert a NumPy array to ``backend`` (call inside :func:`backend_context`)."""
    if backend == "numpy":
        return a.copy()
    if backend == "python":
        return a.item() if a.ndim == 0 else a.tolist()
    if backend == "torch":
        import torch

        tdt = {"bfloat16": torch.bfloat16, "bool": torch.bool}.get(a.dtype.name)
        if tdt is None:
            return torch.from_numpy(a.copy())
        return torch.from_numpy(a.astype(np.float32 if tdt is torch.bfloat16 else a.dtype)).to(tdt)
    if backend in ("jax", "jax_x64"):
        import jax.numpy as jnp

        return jnp.asarray(a)
    if backend == "dask":
        import dask.array as da

        chunks = tuple(max(1, (s + 1) // 2) for s in a.shape)
        return da.from_array(a.copy(), chunks=chunks)
    if backend == "array_api_strict":
        import array_api_strict as xs

        return xs.asarray(a.copy())
    raise AssertionError(backend)


def to_numpy(y: Any) -> np.ndarray:
    """A NumPy copy of any backend's array (bfloat16 stays ml_dtypes.bfloat16)."""
    if type(y).__module__.startswith("torch"):
        import torch

        if y.dtype == torch.bfloat16:
            return y.float().numpy().astype(ml_dtypes.bfloat16)
        return y.detach().cpu().numpy().copy()
    if type(y).__module__.startswith("array_api_strict"):
        return np.asarray(y._array).copy()
    if type(y).__module__.startswith("dask"):
        return np.asarray(y.compute()).copy()
    return np.array(y, copy=True)


def default_float(backend: str) -> np.dtype:
    """The documented promotion target of integer and bool inputs."""
    if backend == "torch":
        import torch

        return np.dtype(str(torch.get_default_dtype()).replace("torch.", ""))
    if backend == "jax":
        return np.dtype("float32")
    return np.dtype("float64")


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shapes, dtypes and bit patterns (so nan == nan and -0 != +0)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@contextlib.contextmanager
def strict_numerics() -> Iterator[None]:
    """Any warning is an error, and so is any NumPy floating-point exception."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def call(act: actfn.Activation, method: str, x: Any) -> Any:
    return act(x) if method == "f" else getattr(act, method)(x)


def _library_check(backend: str, x: Any, y: Any) -> None:
    if backend in ("numpy", "python"):
        assert type(y) is np.ndarray, type(y)
        return
    if backend == "dask":
        import dask.array as da

        assert isinstance(y, da.Array), type(y)
        return
    assert aac.array_namespace(y) is aac.array_namespace(x)
    assert type(y) is type(x), (type(y), type(x))
    assert aac.device(y) == aac.device(x)


def _expected_dtype(backend: str, dtype: str) -> np.dtype:
    if dtype in ("int32", "bool"):
        return default_float(backend)
    return np_dtype(dtype)


def _dtype_of(y: Any) -> np.dtype:
    name = str(y.dtype).rsplit(".", 1)[-1]
    return np_dtype(name)


#: Tolerances of the cross-backend comparison with the NumPy result, in units of the
#: output dtype's eps. Backends that work in float64 use their own exp/erfc, so results
#: may differ from NumPy's by a few float64 ulps (or one ulp after rounding to a smaller
#: dtype); JAX without x64 works in float32.
def _rtol(backend: str, out: np.dtype) -> float:
    if backend == "jax" and out.itemsize >= 4:
        return 2e-5
    if backend == "jax":
        return 4 * float(ml_dtypes.finfo(out).eps)
    return 16 * float(ml_dtypes.finfo(out).eps)


def sweep_case(
    act: actfn.Activation,
    backend: str,
    dtype: str,
    shapes: tuple[tuple[int, ...], ...] = ((2, 8), (), (0,), (3, 0, 2)),
) -> int:
    """Run every check of the sweep for one (activation, backend, dtype).

    For f, f′, f″ and (f, f′): same library/device/shape back, the documented dtype,
    no warnings or floating-point exceptions, input unchanged, nan exactly where the
    input is nan, dask lazy and equal to NumPy, values equal to the NumPy result within
    a few ulps, and value_and_derivative bitwise equal to (f, derivative). Returns the
    number of calls checked.
    """
    checked = 0
    for shape in shapes:
        base = values_for(dtype, shape)
        with backend_context(backend):
            ref_in = base
            if backend == "python":
                ref_in = np.asarray(to_backend(base, "python"), dtype=np.float64)
            results = {}
            for method in METHODS:
                x = to_backend(base, backend)
                before = to_numpy(x) if backend != "python" else repr(x)
                with strict_numerics():
                    out = call(act, method, x)
                after = to_numpy(x) if backend != "python" else repr(x)
                if backend == "python":
                    assert before == after
                else:
                    assert same_bits(before, after), f"{method} modified its input"
                outs = out if method == "value_and_derivative" else (out,)
                n_out = 2 if method == "value_and_derivative" else 1
                assert isinstance(outs, tuple) and len(outs) == n_out
                for y in outs:
                    _library_check(backend, x, y)
                    want_shape = np.shape(x) if backend == "python" else shape  # [[], []]: (2, 0)
                    assert tuple(y.shape) == want_shape, (tuple(y.shape), want_shape)
                    assert _dtype_of(y) == _expected_dtype(backend, dtype), (y.dtype, dtype)
                results[method] = tuple(to_numpy(y) for y in outs)
                checked += 1
            f, df = results["value_and_derivative"]
            assert same_bits(f, results["f"][0]), "value_and_derivative()[0] != f"
            assert same_bits(df, results["derivative"][0]), "value_and_derivative()[1] != f'"
            xin = ref_in.astype(np.float64)
            for method in ("f", "derivative", "second_derivative"):
                y = results[method][0]
                ynan = np.isnan(y.astype(np.float64))
                assert np.array_equal(ynan, np.isnan(xin)), (method, xin[ynan != np.isnan(xin)])
                if backend == "numpy":
                    continue
                with np.errstate(all="ignore"):
                    ref = call(act, method, ref_in.astype(_expected_dtype(backend, dtype)))
                got = y.astype(np.float64)
                want = np.asarray(ref).astype(np.float64)
                if backend == "dask":  # the NumPy path chunkwise: identical bits
                    assert same_bits(y, np.asarray(ref)), method
                    continue
                tol = _rtol(backend, _expected_dtype(backend, dtype))
                tiny = float(ml_dtypes.finfo(_expected_dtype(backend, dtype)).tiny)
                np.testing.assert_allclose(got, want, rtol=tol, atol=tiny, err_msg=method)
    return checked


@pytest.fixture
def sweep() -> Callable[..., int]:
    """The sweep helper, for tests that build their own activations."""
    return sweep_case


# -- CI: a skipped test is a failed test ------------------------------------------------
# CI installs every optional backend (torch, jax, dask, keras, chromium), so a skip there
# means something is missing, not optional. With CI set, skips turn the run red.
_SKIPPED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _SKIPPED.append(report.nodeid)
    for key, value in getattr(report, "user_properties", ()):
        if key == "actfn_hypothesis" and report.when == "teardown":  # set by a fixture
            name, cases, runs, oracle = value
            row = _HYPOTHESIS.setdefault(name, [0, 0, 0])
            row[0] += cases
            row[1] += runs
            row[2] += oracle


#: activation → [property cases, hypothesis examples, oracle examples], from the reports of
#: tests/hostile/test_hypothesis.py (forwarded by xdist workers).
_HYPOTHESIS: dict[str, list[int]] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _HYPOTHESIS:
        return
    tr = terminalreporter
    tr.section("hypothesis examples per activation")
    tr.write_line("activation        property cases (hypothesis examples)   oracle examples")
    for name in sorted(_HYPOTHESIS):
        cases, runs, oracle = _HYPOTHESIS[name]
        tr.write_line(f"{name:16s}  {cases:14d} ({runs:6d}){oracle:20d}")
    tot = [sum(r[i] for r in _HYPOTHESIS.values()) for i in range(3)]
    tr.write_line(f"total: {tot[0]} property cases in {tot[1]} hypothesis examples, "
                  f"{tot[2]} oracle examples")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import os

    worker = hasattr(session.config, "workerinput")  # xdist workers report to the controller
    if os.environ.get("CI") and not worker and _SKIPPED and session.exitstatus == 0:
        session.exitstatus = 1
        print(f"\nCI: {len(_SKIPPED)} test(s) skipped; nothing may skip in CI:")
        for nodeid in _SKIPPED[:20]:
            print("   ", nodeid)
