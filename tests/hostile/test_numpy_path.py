"""Issue 9, "Plain-Python habits" (NumPy part): ``out=`` views, byte order, bounded memory.

* ``out=`` accepts any views that share no memory (checked exactly with
  ``np.shares_memory`` under a work bound) and rejects overlapping ones.
* Results have the native-byte-order version of the input's dtype; a byte-order
  mismatch with ``out=`` is named as such.
* The pure-NumPy path works in blocks: for floating inputs its peak memory (results
  included, measured with tracemalloc, to which NumPy reports its allocations) stays
  within 4x the input; for any input (int8/bool give float64 results, 8x the input each)
  the temporary memory beyond the results (peak minus the results' bytes) does.
* ndarray subclasses (np.matrix, memmap, masked arrays) as ``out=`` are written through a
  plain view of their memory and returned as themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import actfn
from actfn import _activation, _fast

METHODS = ("__call__", "derivative", "second_derivative", "value_and_derivative")


@pytest.fixture(params=["compiled", "numpy"])
def path(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "numpy":
        with _fast.disabled():
            yield request.param
    else:
        assert _fast.available()
        yield request.param


# -- out= views ---------------------------------------------------------------------------------
def test_interleaved_out_views_are_accepted(path: str) -> None:
    act = actfn.get("celu", alpha=0.5)
    x = np.linspace(-3, 3, 8).reshape(4, 2)
    keep = x.copy()
    want_f, want_df = act.value_and_derivative(x)
    buf = np.zeros((4, 4))
    f, df = act.value_and_derivative(x, out=(buf[:, ::2], buf[:, 1::2]))
    assert f.base is buf and df.base is buf
    assert np.array_equal(buf[:, ::2], want_f) and np.array_equal(buf[:, 1::2], want_df)
    assert np.array_equal(x, keep)


def test_input_and_out_interleaved_in_one_buffer(path: str) -> None:
    act = actfn.get("elu")
    buf = np.linspace(-2, 2, 24).reshape(4, 6)
    x = buf[:, ::2]
    keep = x.copy()
    want = act(keep)
    assert act(x, out=buf[:, 1::2]) is not None
    assert np.array_equal(buf[:, 1::2], want)
    assert np.array_equal(buf[:, ::2], keep)  # the input is untouched


def test_overlapping_out_views_are_rejected(path: str) -> None:
    act = actfn.get("elu")
    buf = np.linspace(-2, 2, 20).reshape(4, 5)
    keep = buf.copy()
    x = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"out\[0\] overlaps out\[1\]"):
        act.value_and_derivative(x, out=(buf[:, 0:2], buf[:, 1:3]))
    with pytest.raises(ValueError, match="out overlaps the input"):
        act(buf[:, 0:2], out=buf[:, 1:3])
    with pytest.raises(ValueError, match="out overlaps the input"):
        act(buf[:, ::2], out=buf[:, ::2])  # same memory, different view objects
    assert np.array_equal(buf, keep)


def test_undecidable_overlap_counts_as_overlapping(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = np.shares_memory

    def too_hard(a: np.ndarray, b: np.ndarray, max_work: int | None = None) -> bool:
        seen.append(max_work)  # type: ignore[arg-type]
        raise getattr(np, "exceptions", np).TooHardError("exceeded max_work")

    buf = np.zeros((4, 4))
    monkeypatch.setattr(np, "shares_memory", too_hard)
    with pytest.raises(ValueError, match="could not decide within its work bound"):
        actfn.get("relu").value_and_derivative(np.ones((4, 2)), out=(buf[:, ::2], buf[:, 1::2]))
    assert seen and all(isinstance(w, int) and 0 < w <= 10**7 for w in seen)  # bounded
    monkeypatch.setattr(np, "shares_memory", real)
    # two arrays owning their memory are told apart without any overlap computation
    monkeypatch.setattr(np, "may_share_memory", too_hard)
    monkeypatch.setattr(np, "shares_memory", too_hard)
    seen.clear()
    actfn.get("relu").value_and_derivative(np.ones(3), out=(np.empty(3), np.empty(3)))
    assert seen == []


# -- byte order ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_big_endian_input_gives_native_result(path: str, dtype: str) -> None:
    act = actfn.get("mish")
    native = np.linspace(-5, 5, 11).astype(dtype)
    swapped = native.astype(np.dtype(dtype).newbyteorder(">"))
    want = act(native)
    got = act(swapped)
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative
    assert np.array_equal(got, want)
    o = np.empty(native.shape, dtype)  # a native out= is what the result is
    assert act(swapped, out=o) is o and np.array_equal(o, want)
    f, df = act.value_and_derivative(swapped, out=(np.empty_like(o), np.empty_like(o)))
    assert np.array_equal(f, want) and np.array_equal(df, act.derivative(native))


def test_byte_order_mismatch_is_named(path: str) -> None:
    act = actfn.get("elu")
    x = np.linspace(-1, 1, 4, dtype=np.float32)
    big = np.empty(4, ">f4")
    for inp in (x, x.astype(">f4")):
        with pytest.raises(TypeError, match="big-endian") as err:
            act(inp, out=big)
        msg = str(err.value)
        assert "native byte order" in msg
        assert "has dtype float32 but the result has dtype float32" not in msg
    with pytest.raises(TypeError, match="has dtype float64 .* result has dtype float32"):
        act(x, out=np.empty(4, ">f8"))


# -- bounded memory -----------------------------------------------------------------------------
def _peak(fn: object, *args: object) -> tuple[int, object]:
    tracemalloc.start()
    try:
        res = fn(*args)  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1], res
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", actfn.names())
def test_pure_numpy_path_peak_memory_within_4x(name: str) -> None:
    act = actfn.get(name)
    with _fast.disabled():
        for dtype in ("float32", "float64"):
            x = np.linspace(-40, 40, (8 << 20) // np.dtype(dtype).itemsize).astype(dtype)
            for m in METHODS:
                getattr(act, m)(x[:100])  # lazy imports and tables, outside the measurement
                peak, res = _peak(getattr(act, m), x)
                assert peak <= 4 * x.nbytes, (name, dtype, m, peak / x.nbytes)
                del res


def test_blocks_give_the_same_bits_as_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 3 * _activation._BLOCK + 7
    x = np.linspace(-50, 50, n)
    x[::97] = np.nan
    x[1::101] = np.inf
    x[2::103] = -np.inf
    with _fast.disabled():
        for name in ("mish", "gelu", "celu", "softplus", "selu"):
            act = actfn.get(name)
            blocked = [getattr(act, m)(x) for m in METHODS]
            monkeypatch.setattr(_activation, "_BLOCK", 1 << 40)
            whole = [getattr(act, m)(x) for m in METHODS]
            monkeypatch.undo()
            for b, w in zip(blocked, whole, strict=True):
                np.testing.assert_array_equal(b, w)


def test_non_contiguous_input_and_out_in_blocks() -> None:
    act = actfn.get("silu")
    big = np.linspace(-9, 9, 2 * (3 * _activation._BLOCK + 12)).reshape(-1, 2)
    x = big[:, 1]  # strided
    with _fast.disabled():
        want_f, want_df = act.value_and_derivative(np.ascontiguousarray(x))
        buf = np.zeros((x.size, 2))
        f, df = act.value_and_derivative(x, out=(buf[:, 0], buf[:, 1]))
        t = np.asfortranarray(np.zeros((x.size // 6, 6)))
        g = act(x.reshape(-1, 6), out=t)
    assert np.array_equal(buf[:, 0], want_f) and np.array_equal(buf[:, 1], want_df)
    assert g is t and np.array_equal(t.ravel(), want_f)


def test_per_channel_parameter_in_blocks(path: str) -> None:
    w = np.array([0.1, 0.2, 0.3])
    act = actfn.get("prelu", weight=tuple(w))
    x = np.linspace(-4, 4, 5 * 3 * 70 * 80).reshape(5, 3, 70, 80)  # > 1 block per channel
    for inp in (x, np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2),
                x.astype(np.float32)):
        ww = w[None, :, None, None]  # float64 working precision, one rounding
        x64 = inp.astype(np.float64)
        f, df = act.value_and_derivative(inp)
        assert f.dtype == df.dtype == inp.dtype
        assert np.array_equal(f, np.where(x64 > 0, x64, ww * x64).astype(inp.dtype))
        assert np.array_equal(df, np.where(x64 > 0, 1.0, ww + 0 * x64).astype(inp.dtype))
    with _fast.disabled(), pytest.raises(ValueError, match="3 channels on dim 1"):
        act(np.ones((2, 4)))
    with _fast.disabled():
        peak, _ = _peak(act, x)
    assert peak <= 4 * x.nbytes


# -- ndarray subclasses as out= -----------------------------------------------------------------
SUBCLASS_CHILD = """
import json, sys
import numpy as np, actfn
from actfn import _fast
if sys.argv[1] == "numpy":
    _fast.set_enabled(False)
act = actfn.get("elu")
res = {}
count = iter(range(10**6))
for rows in (4, 2000):
    x = np.linspace(-3, 3, rows * 6).reshape(rows, 6)
    want_f = act(x)
    want_v, want_d = act.value_and_derivative(x)
    kinds = {
        "matrix": lambda: np.asmatrix(np.zeros((rows, 6))),
        "masked": lambda: np.ma.masked_array(np.zeros((rows, 6)), mask=False),
        "memmap": lambda: np.memmap(sys.argv[2] + f"/{next(count)}.dat", dtype=np.float64,
                                    mode="w+", shape=(rows, 6)),
        "matrix_fortran": lambda: np.asmatrix(np.zeros((rows, 6), order="F")),
    }
    for kind, make in kinds.items():
        o = make()
        r = act(x, out=o)
        o1, o2 = make(), make()
        v, d = act.value_and_derivative(x, out=(o1, o2))
        res[f"{kind}{rows}"] = [
            r is o, type(r).__name__, bool(np.array_equal(np.asarray(o), want_f)),
            v is o1 and d is o2, bool(np.array_equal(np.asarray(o1), want_v)),
            bool(np.array_equal(np.asarray(o2), want_d)),
        ]
print(json.dumps(res))
"""


def test_matrix_out_does_not_crash_and_is_returned(path: str, tmp_path: Path) -> None:
    # np.matrix as out= made the 1-D loop write out of bounds (segfault): a child process
    # so that a crash fails this test instead of killing pytest
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = dict(os.environ, PYTHONPATH=src, ACTFN_CACHE_DIR=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", SUBCLASS_CHILD, path, str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, (out.returncode, out.stderr[-2000:])
    res = json.loads(out.stdout.strip().splitlines()[-1])
    names = {"matrix": "matrix", "masked": "MaskedArray", "memmap": "memmap",
             "matrix_fortran": "matrix"}
    for key, (same, tname, f_ok, pair_same, v_ok, d_ok) in res.items():
        assert same and pair_same, key  # the caller's own objects are returned
        assert tname == names[key.rstrip("0123456789")], key
        assert f_ok and v_ok and d_ok, key


def test_big_endian_bfloat16_is_accepted_like_other_floats(path: str) -> None:
    import ml_dtypes

    bf = np.dtype(ml_dtypes.bfloat16)
    act = actfn.get("mish")
    native = np.linspace(-5, 5, 11).astype(bf)
    swapped = native.view(np.uint16).byteswap().view(bf.newbyteorder(">"))
    before = swapped.copy()
    assert np.array_equal(swapped.astype(np.float32), native.astype(np.float32))
    got = act(swapped)
    assert got.dtype == bf and got.dtype.isnative
    assert np.array_equal(got.view(np.uint16), act(native).view(np.uint16))
    assert np.array_equal(swapped.view(np.uint16), before.view(np.uint16))  # input untouched
    with pytest.raises(TypeError, match=r"byte order bfloat16 \(big-endian, non-native\)"):
        act(native, out=np.empty(11, bf.newbyteorder(">")))


@pytest.mark.parametrize("name", ["mish", "gelu", "elu", "softplus"])
@pytest.mark.parametrize("dtype", ["int8", "bool"])
def test_pure_numpy_path_extra_memory_for_one_byte_inputs(name: str, dtype: str) -> None:
    # int8/bool inputs give float64 results, 8x the input each: the bound is on the
    # temporary memory beyond the results (peak minus the results' bytes) <= 4x input
    act = actfn.get(name)
    x = (np.arange(4 << 20) % 7 - 3).astype(dtype)
    with _fast.disabled():
        for m in METHODS:
            getattr(act, m)(x[:100])
            peak, res = _peak(getattr(act, m), x)
            results = res if isinstance(res, tuple) else (res,)
            assert all(r.dtype == np.float64 for r in results)
            extra = peak - sum(r.nbytes for r in results)
            assert extra <= 4 * x.nbytes, (name, dtype, m, extra / x.nbytes)
            del res, results
