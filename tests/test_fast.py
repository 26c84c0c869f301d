"""The compiled fast path (actfn._fast) against the pure-NumPy path it stands in for.

Parity: for every registered activation (and some non-default parameters), every
float dtype and every method, the compiled loops agree with the NumPy path on ±0,
±inf, nan, subnormals, the largest finite values, the kinks and random points —
NaN exactly where the NumPy path has NaN, and values within 1 ulp for float16,
bfloat16 and float32 (in practice almost always bit-identical) and within a few ulps
for float64 (libm instead of NumPy's own exp/tanh). The accuracy against the mpmath
oracle is tests/test_accuracy.py's job, which runs on whichever path is active.

Also here: ``out=`` semantics and errors, the serial/parallel threshold, input
immutability, the disk cache, the environment switch and the vector math kernels.
No test measures time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import ml_dtypes
import numpy as np
import pytest

import actfn
from actfn import _fast

needs_numba = pytest.mark.skipif(not _fast.available(), reason="numba not available")

DTYPES = {
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}
#: Largest allowed difference between the two paths, in ulps of the output dtype.
PARITY_ULPS = {"float16": 1, "bfloat16": 1, "float32": 1, "float64": 8}
METHODS = ("__call__", "derivative", "second_derivative", "value_and_derivative")

#: The defaults of every activation and the extra parameter sets of its spec (Spec.cases).
CASES = [(n, {}) for n in actfn.names()] + [
    (n, dict(p)) for n in actfn.names() for p in actfn.lookup(n).cases
]
IDS = [n + "".join(f"[{k}={v}]" for k, v in p.items()) for n, p in CASES]


def _finfo(dt: np.dtype) -> tuple[float, float, float]:
    fi = ml_dtypes.finfo(dt) if dt.name == "bfloat16" else np.finfo(dt)
    return float(fi.max), float(fi.smallest_normal), float(fi.smallest_subnormal)


def inputs(dt: np.dtype, kinks: tuple[float, ...] = ()) -> np.ndarray:
    """±0, ±inf, nan, extremes, subnormals, kink neighbours, log-spaced and random values."""
    mx, tiny_n, tiny_s = _finfo(dt)
    rng = np.random.default_rng(6)
    mags = np.exp(np.linspace(np.log(tiny_s), np.log(mx), 300))
    vals = [0.0, -0.0, np.inf, -np.inf, np.nan, mx, -mx, tiny_s, -tiny_s, tiny_n, -tiny_n,
            2 * tiny_s, -3 * tiny_s]
    for k in (0.0, 1.0, -1.0, 3.0, -3.0, 6.0, *kinks):
        c = np.array([k], dtype=np.float64).astype(dt)
        vals += [float(np.nextafter(c, np.inf)[0]) if dt != DTYPES["bfloat16"] else k, k]
    arr = np.concatenate([
        np.array(vals), mags, -mags, rng.normal(0, 3, 700), rng.uniform(-60, 60, 500),
        rng.uniform(-900, 900, 100), np.linspace(-10, 10, 401),
    ])
    with np.errstate(all="ignore"):
        out = arr.astype(dt)
    return out


def ordinal(a: np.ndarray) -> np.ndarray:
    """Map floats to integers that are consecutive for adjacent floats (±0 → 0)."""
    a = np.asarray(a)
    bits = a.view({2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]).astype(np.int64)
    mag = bits & ((1 << (8 * a.dtype.itemsize - 1)) - 1)
    return np.where(bits < 0, -mag, mag)


def assert_parity(got: np.ndarray, want: np.ndarray, dname: str, what: str) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape, what
    g64, w64 = got.astype(np.float64), want.astype(np.float64)
    nan_g, nan_w = np.isnan(g64), np.isnan(w64)
    assert np.array_equal(nan_g, nan_w), f"{what}: NaN in one path only"
    ok = ~nan_g
    d = np.abs(ordinal(got[ok]) - ordinal(want[ok]))
    if d.size and d.max() > PARITY_ULPS[dname]:
        i = int(np.argmax(d))
        raise AssertionError(
            f"{what}: {int(d.max())} ulps apart ({got[ok][i]!r} vs NumPy path {want[ok][i]!r})"
        )


@needs_numba
@pytest.mark.parametrize("dname", list(DTYPES))
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compiled_matches_numpy_path(case: tuple[str, dict], dname: str) -> None:
    act = actfn.get(case[0], **case[1])
    x = inputs(DTYPES[dname], tuple(act.kinks()))
    before = x.copy()
    for method in METHODS:
        fast = getattr(act, method)(x)
        with _fast.disabled():
            ref = getattr(act, method)(x)
        fast = fast if isinstance(fast, tuple) else (fast,)
        ref = ref if isinstance(ref, tuple) else (ref,)
        assert len(fast) == len(ref)
        for j, (g, w) in enumerate(zip(fast, ref, strict=True)):
            assert_parity(g, w, dname, f"{act!r}.{method}[{j}] {dname}")
    assert np.array_equal(x.view(np.uint8), before.view(np.uint8)), "input was modified"


@needs_numba
@pytest.mark.parametrize("name", actfn.names())
def test_every_activation_compiles(name: str) -> None:
    """Every registry entry gets a compiled kernel for every method and dtype."""
    act = actfn.get(name)
    spec = act.spec
    sets = [((spec.f,), False), ((spec.df,), False), ((spec.d2f,), False),
            ((spec.f_df,), True) if spec.f_df is not None else ((spec.f, spec.df), False)]
    for dname in DTYPES:
        for kernels, fused in sets:
            assert _fast.compiled_kernel(act, kernels, fused, dname) is not None, (name, dname)


# -- out= ---------------------------------------------------------------------------------
@pytest.fixture(params=["compiled", "numpy"])
def path(request: pytest.FixtureRequest):
    if request.param == "compiled" and not _fast.available():
        pytest.skip("numba not available")
    if request.param == "numpy":
        with _fast.disabled():
            yield request.param
    else:
        yield request.param


@pytest.mark.parametrize("dname", list(DTYPES))
def test_out_receives_results_and_is_returned(path: str, dname: str) -> None:
    act = actfn.get("gelu")
    x = np.linspace(-6, 6, 37).astype(DTYPES[dname]).reshape(37, 1)
    f_out, df_out, o = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    f, df = act.value_and_derivative(x, out=(f_out, df_out))
    assert f is f_out and df is df_out
    want_f, want_df = act.value_and_derivative(x)
    assert np.array_equal(f, want_f) and np.array_equal(df, want_df)
    assert act(x, out=o) is o and np.array_equal(o, want_f)
    assert act.derivative(x, out=o) is o and np.array_equal(o, want_df)
    assert act.second_derivative(x, out=o) is o
    assert np.array_equal(o, act.second_derivative(x))


def test_out_non_contiguous_and_zero_d(path: str) -> None:
    act = actfn.get("sigmoid")
    x = np.linspace(-4, 4, 24, dtype=np.float32).reshape(4, 6)
    buf = np.zeros((6, 4), np.float32).T  # Fortran-ordered view
    assert act(x, out=buf) is buf
    assert np.array_equal(buf, act(x))
    strided_x = np.linspace(-4, 4, 48, dtype=np.float32)[::2]
    assert np.array_equal(act(strided_x), act(strided_x.copy()))
    x0 = np.float64(0.5)
    o0 = np.empty((), np.float64)
    assert act(x0, out=o0) is o0 and o0 == act(0.5)
    assert act(0.5).shape == ()


@pytest.mark.parametrize(
    ("method", "out", "err", "match"),
    [
        ("__call__", np.empty(5, np.float64), TypeError, "dtype float64 but the result"),
        ("__call__", np.empty(4, np.float32), ValueError, "shape"),
        ("__call__", [0.0] * 5, TypeError, "one NumPy array"),
        ("__call__", "buffer", TypeError, "must be a NumPy array"),
        ("derivative", (np.empty(5, np.float32), np.empty(5, np.float32)), TypeError, "one"),
        ("value_and_derivative", np.empty(5, np.float32), TypeError, "pair"),
        ("value_and_derivative", (np.empty(5, np.float32),), TypeError, "pair"),
        ("value_and_derivative", (np.empty(5, np.float32), np.empty(5, np.float16)),
         TypeError, r"out\[1\] has dtype float16"),
    ],
)
def test_out_errors(path: str, method: str, out: object, err: type, match: str) -> None:
    x = np.linspace(-1, 1, 5, dtype=np.float32)
    with pytest.raises(err, match=match):
        getattr(actfn.get("elu"), method)(x, out=out)


def test_out_refuses_aliasing_and_read_only(path: str) -> None:
    act = actfn.get("tanh")
    x = np.linspace(-1, 1, 8)
    keep = x.copy()
    with pytest.raises(ValueError, match="overlaps the input"):
        act(x, out=x)
    with pytest.raises(ValueError, match="overlaps the input"):
        act(x[:4], out=x[2:6])
    same = np.empty_like(x)
    with pytest.raises(ValueError, match="overlap"):
        act.value_and_derivative(x, out=(same, same))
    ro = np.empty_like(x)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        act(x, out=ro)
    assert np.array_equal(x, keep)


def test_read_only_empty_and_byte_swapped_inputs(path: str) -> None:
    act = actfn.get("elu")
    x = np.linspace(-2, 2, 5, dtype=np.float32)
    x.flags.writeable = False
    assert np.array_equal(act(x), act(x.copy()))
    f, df = act.value_and_derivative(np.zeros((3, 0), np.float16))
    assert f.shape == df.shape == (3, 0) and f.dtype == np.float16
    swapped = np.linspace(-2, 2, 5).astype(">f8")
    assert np.array_equal(act(swapped), act(swapped.astype(np.float64)))


def test_out_only_for_numpy() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="NumPy inputs only"):
        actfn.get("relu")(torch.zeros(3), out=np.empty(3, np.float32))


def test_integer_and_bool_inputs_give_float64(path: str) -> None:
    act = actfn.get("softplus")
    for x in (np.arange(-3, 4, dtype=np.int32), np.array([True, False])):
        y = act(x)
        assert y.dtype == np.float64
        assert np.array_equal(y, act(x.astype(np.float64)))
        o = np.empty(x.shape, np.float64)
        assert act(x, out=o) is o


# -- threads, cache, switches, fallbacks -------------------------------------------------------
@needs_numba
def test_serial_below_threshold_parallel_above() -> None:
    import numba

    n = _fast.PARALLEL_THRESHOLD
    assert _fast.plan(n - 1) == "serial"
    assert _fast.plan(n) == ("parallel" if numba.get_num_threads() > 1 else "serial")
    act = actfn.get("gelu", approximate="tanh")
    x = np.random.default_rng(1).normal(0, 4, n + 1001).astype(np.float32)
    f, df = act.value_and_derivative(x)  # the parallel loop
    parts = [act.value_and_derivative(c) for c in np.array_split(x, 40)]  # serial loops
    assert np.array_equal(f, np.concatenate([p[0] for p in parts]))
    assert np.array_equal(df, np.concatenate([p[1] for p in parts]))


def test_threads_setting_respected() -> None:
    numba = pytest.importorskip("numba")
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert _fast.plan(10 * _fast.PARALLEL_THRESHOLD) == "serial"
    finally:
        numba.set_num_threads(old)


@needs_numba
def test_forked_child_uses_serial_loops() -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork()")
    out = _run_python(
        """
        import os, numpy as np, actfn
        from actfn import _fast
        x = np.linspace(-3, 3, 4 * _fast.PARALLEL_THRESHOLD, dtype=np.float32)
        want = actfn.get("sigmoid")(x)          # parallel loop in the parent
        pid = os.fork()
        if pid == 0:
            ok = _fast.plan(x.size) == "serial" and np.array_equal(actfn.get("sigmoid")(x), want)
            os._exit(0 if ok else 1)
        print(os.waitpid(pid, 0)[1])
        """
    )
    assert out.strip() == "0"


@needs_numba
def test_untraceable_kernel_falls_back_to_numpy() -> None:
    def f(x, xp):
        if x.ndim >= 0 and bool(xp.all(x > 0)):  # data-dependent Python control flow
            return x
        return 2.0 * x

    spec = actfn.Spec(name="test_untraceable", f=f, df=f, d2f=f)
    actfn.register(spec)
    try:
        act = actfn.get("test_untraceable")
        assert _fast.compiled_kernel(act, (spec.f,), False, "float64") is None
        assert np.array_equal(act(np.array([-1.0, 2.0])), [-2.0, 4.0])
    finally:
        actfn.unregister("test_untraceable")


def test_prelu_per_channel_weights(path: str) -> None:
    act = actfn.get("prelu", weight=[0.1, 0.2, 0.3])
    x = np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 3, 4)
    w = np.array([0.1, 0.2, 0.3]).reshape(1, 3, 1)
    x64 = x.astype(np.float64)
    assert np.array_equal(act(x), np.where(x64 > 0, x64, w * x64).astype(np.float32))
    o = np.empty_like(x)
    assert act.derivative(x, out=o) is o


def _run_python(code: str, **env: str) -> str:
    e = {**os.environ, **env}
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, env=e, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_env_switch_disables_compiled_path() -> None:
    out = _run_python(
        """
        import numpy as np, actfn
        from actfn import _fast
        print(_fast.available(), actfn.get("elu")(np.float32([-1.0, 2.0])).tolist())
        """,
        ACTFN_DISABLE_NUMBA="1",
    )
    assert out.split()[0] == "False"
    assert "[-0.632120549" in out


@needs_numba
def test_compiled_kernels_are_cached_on_disk(tmp_path) -> None:
    code = """
        import numpy as np, actfn
        from actfn import _fast
        act = actfn.get("silu")
        act.value_and_derivative(np.float32([0.5, -1.0]))
        e = _fast.compiled_kernel(act, (act.spec.f_df,), True, "float32")
        print(sum(e.ser.stats.cache_hits.values()), sum(e.ser.stats.cache_misses.values()))
    """
    first = _run_python(code, ACTFN_CACHE_DIR=str(tmp_path))
    second = _run_python(code, ACTFN_CACHE_DIR=str(tmp_path))
    assert first.split() == ["0", "1"]  # compiled
    assert second.split() == ["1", "0"]  # loaded from the cache, not compiled
    assert any(tmp_path.rglob("*.nbi"))


# -- the vector math kernels -------------------------------------------------------------------
@needs_numba
def test_vector_math_accuracy() -> None:
    import numba
    import scipy.special as sc

    from actfn._fast import _vmath as vm

    @numba.njit(error_model="numpy")
    def apply(fn, x, o):  # pragma: no cover - jitted
        for i in range(x.shape[0]):
            o[i] = fn(x[i])

    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-30, 30, 4000), rng.normal(0, 1, 4000),
                        np.sign(rng.normal(size=2000)) * 10 ** rng.uniform(-300, 2, 2000)])
    # full-accuracy *_d (float64 loops) within 2e-13; the budgeted *_v (float32 and
    # narrower loops only) within their 2^-40 (tests/test_vmath_budget.py: mpmath)
    with np.errstate(all="ignore"):
        refs = {
            vm.exp_d: np.exp, vm.expm1_d: np.expm1, vm.log1p_d: lambda v: np.log1p(np.abs(v)),
            vm.log_d: lambda v: np.log(np.abs(v)), vm.erfc_d: sc.erfc, vm.erfcx_d: sc.erfcx,
            vm.exp_v: np.exp, vm.expm1_v: np.expm1, vm.tanh_v: np.tanh, vm.erf_v: sc.erf,
            vm.log1p_v: lambda v: np.log1p(np.abs(v)), vm.erfc_v: sc.erfc,
            vm.erfcx_v: sc.erfcx, vm.log_v: lambda v: np.log(np.abs(v)),
        }
    logs = (vm.log1p_v, vm.log_v, vm.log1p_d, vm.log_d)
    for fn, ref in refs.items():
        arg = np.abs(x) if fn in logs else x
        if fn in (vm.erfcx_v, vm.erfcx_d):
            arg = arg[arg > -25]
        o = np.empty_like(arg)
        apply(fn, arg, o)
        with np.errstate(all="ignore"):
            want = ref(arg)
        tiny = np.abs(want) < 1e-300
        rel = np.abs(o - want) / np.where(tiny, 1.0, np.abs(want))
        assert np.nanmax(rel) < (2e-13 if fn.__name__.endswith("_d") else 2.0**-40), fn
        special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan])
        o = np.empty_like(special)
        apply(fn, special, o)
        with np.errstate(all="ignore"):
            w = ref(special) if fn not in logs else None
        if w is not None:
            np.testing.assert_array_equal(o, w)


def _round_once(v: np.ndarray, dt: np.dtype) -> np.ndarray:
    """float64 → dt rounded once to nearest even. NumPy does that for float16; ml_dtypes
    goes through float32 for bfloat16 (two roundings), so round to float32 *to odd*
    first, which makes the second rounding exact."""
    with np.errstate(all="ignore"):
        if dt != np.dtype(ml_dtypes.bfloat16):
            return v.astype(dt)
        r = v.astype(np.float32)
        toward0 = np.abs(r.astype(np.float64)) > np.abs(v)
        r = np.where(toward0, np.nextafter(r, np.float32(0)), r)
        inexact = (r.astype(np.float64) != v) & np.isfinite(v)
        bits = r.view(np.uint32) | inexact.astype(np.uint32)
        return bits.view(np.float32).astype(dt)


@needs_numba
def test_sixteen_bit_conversions_exact() -> None:
    import numba

    from actfn._fast import _vmath as vm

    @numba.njit
    def load(fn, h, o):  # pragma: no cover - jitted
        for i in range(h.shape[0]):
            o[i] = fn(h[i])

    @numba.njit
    def store(fn, v, o):  # pragma: no cover - jitted
        for i in range(v.shape[0]):
            o[i] = fn(v[i])

    bits = np.arange(1 << 16, dtype=np.uint16)
    rng = np.random.default_rng(4)
    for dt, ld, st in ((np.dtype(np.float16), vm.ld_f16, vm.st_f16),
                       (np.dtype(ml_dtypes.bfloat16), vm.ld_bf16, vm.st_bf16)):
        o = np.empty(bits.size)
        load(ld, bits, o)
        with np.errstate(all="ignore"):
            want = bits.view(dt).astype(np.float64)
        np.testing.assert_array_equal(o, want)
        # every representable value, the midpoints between neighbours and random doubles
        fin = want[np.isfinite(want)]
        fin = np.unique(fin)
        mids = (fin[:-1] + fin[1:]) / 2
        v = np.concatenate([fin, mids, np.nextafter(mids, np.inf), np.nextafter(mids, -np.inf),
                            rng.normal(0, 1e3, 20000), 10 ** rng.uniform(-50, 45, 20000),
                            [np.inf, -np.inf, np.nan, 1e300, -1e300, 5e-324]])
        h = np.empty(v.size, np.uint16)
        store(st, v, h)
        ref = _round_once(v, dt)
        got = h.view(dt)
        with np.errstate(all="ignore"):
            both_nan = np.isnan(got.astype(np.float64)) & np.isnan(ref.astype(np.float64))
        assert np.array_equal(got.view(np.uint16)[~both_nan], ref.view(np.uint16)[~both_nan])


def test_parallel_loop_leaves_torch_thread_count_alone(tmp_path):
    # Compiling the prange loop and starting numba's OpenMP pool set the thread count of
    # the OpenMP runtime PyTorch shares; actfn restores PyTorch's setting afterwards.
    # A fresh process with empty caches, so that both happen inside actfn's call.
    import subprocess
    import sys

    code = (
        "import numpy as np, torch; torch.set_num_threads(1); torch.get_num_threads(); "
        "import actfn; "
        "actfn.get('relu')(np.random.rand(1 << 20).astype(np.float32)); "
        "print(torch.get_num_threads())"
    )
    env = dict(os.environ, NUMBA_NUM_THREADS="2", ACTFN_CACHE_DIR=str(tmp_path),
               NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "1"
