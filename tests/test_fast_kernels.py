"""The compiled path's faster kernels (issue 10 item 4): what makes them fast is pinned
here, and so is their accuracy on the inputs where the new formulas could go wrong.

* The fused f-and-f′ loops (``value_and_derivative``, the loop ``actfn.torch`` runs) of
  every seed activation, float32, within 1 ulp of the mpmath oracle on a
  dense grid, the bands around the interior zeros of f′ (where the one-exp formulas
  cancel and near_zeros takes over), the underflow band of the negative tail and tiny
  magnitudes; float64 within the 2 / 4 ulp bounds on the same kind of points.
* The vectorized erfcx / erfc (one division, power basis by Estrin) against mpmath.
* No SciPy or libm call left in the float64 loops of gelu and tanh (dead-code
  elimination of the trace), one exponential in the narrow-output loops of the
  sigmoid family.
* The steady-state ``out=`` path: same results as the general path, and every check the
  general path makes (overlap, read-only, aliasing) still refuses bad outputs.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import actfn
from actfn import _fast
from actfn._fast import _trace

from .accuracy import expected
from .oracle import ulp_distance


def _seeds() -> list[tuple[str, str, dict]]:
    """(bench label, name, parameters) of every seed activation: the registry's bench
    labels (the set ``actfn bench`` measures)."""
    out = []
    for n in actfn.names():
        spec = actfn.lookup(n)
        for label, params in (spec.bench or {}).items():
            out.append((label, n, dict(actfn.get(n, **params).params)))
    return out


SEEDS = _seeds()
IDS = [s[0] for s in SEEDS]


def _kernels(act):
    spec = act.spec
    return ((spec.f_df,), True) if spec.f_df is not None else ((spec.f, spec.df), False)


def _zeros_of_df(name: str, params: dict) -> list[float]:
    """Interior zeros of f′ where they are tabulated (catalog/_zeros), else none."""
    import importlib

    try:
        mod = importlib.import_module(f"actfn.catalog._zeros.{name}")
    except ImportError:
        return []
    cat = importlib.import_module(f"actfn.catalog.{name}")
    out = []
    for key, (order, p, _guess) in getattr(cat, "ZERO_SERIES", {}).items():
        if order == 1 and all(params.get(k, v) == v for k, v in p.items()) and \
                all(p.get(k, v) == v for k, v in params.items() if k in p):
            out += [hi for hi, _lo, _c in mod.ZEROS[key]]
    return out


def _points(name: str, params: dict, dtype: str, n: int = 1200) -> np.ndarray:
    """Dense grid, bands around the zeros of f′, the negative tail through the
    underflow band, tiny magnitudes, a seeded random draw and the special values."""
    rng = np.random.default_rng(20261201)
    vals = [np.linspace(-12, 12, n), -np.geomspace(1, 800, n // 2),
            np.geomspace(1e-30, 1, n // 4) * rng.choice([-1, 1], n // 4),
            rng.uniform(-40, 40, n // 2)]
    for z in _zeros_of_df(name, params):
        vals.append(z + np.linspace(-2e-3, 2e-3, n // 4))
        vals.append(z + np.geomspace(1e-7, 1e-3, n // 8) * rng.choice([-1, 1], n // 8))
    x = np.unique(np.concatenate(vals).astype(dtype))
    return np.concatenate([x, np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype)])


def _check(got: np.ndarray, want: np.ndarray, x: np.ndarray, bound: int, what: str) -> None:
    ulps = ulp_distance(got, want)
    bad = np.flatnonzero(ulps > bound)
    if bad.size:
        i = bad[np.argmax(ulps[bad])]
        pytest.fail(f"{what}: {bad.size} of {x.size} points beyond {bound} ulp; worst "
                    f"{ulps[i]} at x={x[i]!r}: got {got[i]!r}, want {want[i]!r}")


@pytest.mark.parametrize("seed", SEEDS, ids=IDS)
def test_fused_float32_loop_within_one_ulp(seed) -> None:
    # (the 16-bit types run the same float64 body; tests/test_f64_sweep.py sweeps them
    # exhaustively)
    label, name, params = seed
    act = actfn.get(name, **params)
    x = _points(name, params, "float32", n=600)
    f, df = act.value_and_derivative(x)  # the fused compiled loop
    assert f.dtype == np.float32 and df.dtype == np.float32
    _check(f, expected(name, params, 0, x), x, 1, f"{label} f float32")
    _check(df, expected(name, params, 1, x), x, 1, f"{label} f' float32")


@pytest.mark.parametrize("seed", SEEDS, ids=IDS)
def test_fused_float64_loop_within_bounds(seed) -> None:
    label, name, params = seed
    act = actfn.get(name, **params)
    x = _points(name, params, "float64", n=300)
    f, df = act.value_and_derivative(x)
    _check(f, expected(name, params, 0, x), x, 2, f"{label} f float64")
    _check(df, expected(name, params, 1, x), x, 4, f"{label} f' float64")


@pytest.mark.parametrize("variant", ["d", "v"])
def test_vector_erfcx_and_erfc_against_mpmath(variant: str) -> None:
    """The full-accuracy erfcx_d/erfc_d (26 terms) within a few float64 ulps; the
    budgeted erfcx_v/erfc_v of the float32-and-narrower loops within 2^-40."""
    import numba

    from actfn._fast import _vmath

    erfcx_fn = getattr(_vmath, f"erfcx_{variant}")
    erfc_fn = getattr(_vmath, f"erfc_{variant}")

    @numba.njit
    def run(x, a, b):  # pragma: no cover - compiled
        for i in range(x.shape[0]):
            a[i] = erfcx_fn(x[i])
            b[i] = erfc_fn(x[i])

    rng = np.random.default_rng(7)
    x = np.concatenate([np.linspace(0, 8, 801), np.geomspace(1e-8, 1e4, 400),
                        rng.uniform(-5, 0, 200), [0.0, 3.75, 26.5]])
    a, b = np.empty_like(x), np.empty_like(x)
    run(x, a, b)
    worst_pos = worst_neg = worst_erfc = 0.0
    with mpmath.workdps(40):
        for xi, ai, bi in zip(x.tolist(), a.tolist(), b.tolist(), strict=True):
            m = mpmath.mpf(xi)
            ex = mpmath.erfc(m) * mpmath.exp(m * m)
            rel = float(abs(ai - ex) / ex)
            if xi >= 0:
                worst_pos = max(worst_pos, rel)
            else:
                worst_neg = max(worst_neg, rel)
            ec = mpmath.erfc(m)
            if ec > mpmath.mpf(2) ** -1000:
                worst_erfc = max(worst_erfc, float(abs(bi - ec) / ec))
    bounds = (4e-15, 1e-14, 1e-13) if variant == "d" else (2.0**-40,) * 3
    assert worst_pos < bounds[0], worst_pos
    assert worst_neg < bounds[1], worst_neg
    assert worst_erfc < bounds[2], worst_erfc
    c, d = np.empty(1), np.empty(1)
    run(np.array([np.inf]), c, d)
    assert c[0] == 0.0 and d[0] == 0.0


@pytest.mark.parametrize("name", ["gelu", "tanh"])
def test_float64_loops_call_no_scipy_or_libm(name) -> None:
    # gelu's float64 kernels computed SciPy's erfcx/erfc for lanes they then discarded;
    # the trace drops dead lines, so nothing but vectorizable float64 code remains
    for params in [{}, *actfn.lookup(name).cases]:
        act = actfn.get(name, **params)
        for kernels, fused in (_kernels(act), ((act.spec.d2f,), False)):
            prog = _trace.trace(kernels, fused, dict(act.params), "a")
            calls = [ln for ln in prog.lines if "_a(" in ln or "math." in ln]
            assert not calls, (name, params, calls)


def test_trace_keeps_only_live_lines() -> None:
    act = actfn.get("gelu")
    prog = _trace.trace((act.spec.f,), False, dict(act.params), "a")
    used = set(prog.outputs)
    for line in prog.lines:
        used.update(_trace._NAME.findall(line.split(" = ", 1)[1]))
    assert all(line.split(" = ", 1)[0] in used for line in prog.lines)


@pytest.mark.parametrize(("name", "params"), [("sigmoid", {}), ("silu", {}), ("tanh", {}),
                                              ("gelu", {"approximate": "tanh"})])
def test_narrow_sigmoid_family_takes_one_exp_and_one_division(name, params) -> None:
    act = actfn.get(name, **params)
    prog = _trace.trace(*_kernels(act), dict(act.params), "v")
    exps = [ln for ln in prog.lines if "exp_v(" in ln or "expm1_v(" in ln or "tanh_v(" in ln]
    divs = [ln for ln in prog.lines if " / " in ln]
    assert len(exps) == 1 and len(divs) == 1, (exps, divs)


def test_steady_state_out_path_matches_and_still_refuses_bad_outputs(monkeypatch) -> None:
    act = actfn.get("gelu")
    x = np.linspace(-5, 5, 1000).astype(np.float32)
    a, b = np.empty_like(x), np.empty_like(x)
    ref = act.value_and_derivative(x)
    y = np.empty_like(x)
    act.value_and_derivative(x, out=(a, b))  # warms the loops up through the general path
    act(x, out=y)
    calls = []
    monkeypatch.setattr(_fast, "_run_guarded", lambda *args: calls.append(args) or None)
    a[:] = b[:] = y[:] = math.nan
    res = act.value_and_derivative(x, out=(a, b))
    assert not calls  # the steady-state path ran, not the general one
    assert res[0] is a and res[1] is b
    np.testing.assert_array_equal(a, ref[0])
    np.testing.assert_array_equal(b, ref[1])
    assert act(x, out=y) is y and not calls
    monkeypatch.undo()
    np.testing.assert_array_equal(y, act(x))
    # everything else still takes the general path and its checks
    buf = np.empty(2 * x.size, np.float32)
    with pytest.raises(ValueError, match="separate memory|overlaps"):
        act.value_and_derivative(x, out=(buf[:x.size], buf[:x.size]))
    with pytest.raises(ValueError, match="separate memory|overlaps"):
        act.value_and_derivative(x, out=(a, a))
    ro = np.empty_like(x)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        act.value_and_derivative(x, out=(a, ro))
    xv = np.concatenate([x, x])
    with pytest.raises(ValueError, match="input"):
        act.value_and_derivative(xv[:x.size], out=(xv[x.size // 2:x.size // 2 + x.size], b))
    with pytest.raises(TypeError, match="dtype"):
        act.value_and_derivative(x, out=(a, np.empty(x.size)))
    before = x.copy()
    act.value_and_derivative(x, out=(a, b))
    np.testing.assert_array_equal(x, before)  # the input is never written


def test_steady_state_out_path_refuses_what_the_general_path_refuses() -> None:
    # after the loops are warm (run_hot's table filled), every call that is not the plain
    # case still gets the general path's errors, and results stay those of a fresh call
    act = actfn.get("tanh")
    x = np.linspace(-3, 3, 64)
    a, b = np.empty_like(x), np.empty_like(x)
    act.value_and_derivative(x, out=(a, b))
    assert act._hot  # warm: the direct path is armed
    with pytest.raises(ValueError, match="shape"):
        act.value_and_derivative(x, out=(a, np.empty((8, 8))))
    with pytest.raises(TypeError, match="dtype"):
        act.value_and_derivative(x, out=(a, np.empty(64, np.float32)))
    with pytest.raises(TypeError, match="NumPy array"):
        act.value_and_derivative(x, out=(a, [0.0] * 64))
    with pytest.raises(ValueError, match="input"):
        act(x, out=x)
    with pytest.raises(TypeError, match="pair"):
        act.value_and_derivative(x, out=(a,))
    nc = np.empty((64, 2))[:, 0]  # non-contiguous: written through the general path
    assert act(x, out=nc) is nc
    np.testing.assert_array_equal(nc, act(x))
    ro_x = x.copy()
    ro_x.flags.writeable = False  # a read-only input is fine (it is only read)
    assert act.value_and_derivative(ro_x, out=(a, b))[0] is a
    np.testing.assert_array_equal(b, act.derivative(x))
    with _fast.disabled():  # the switch still selects the pure-NumPy path
        c = np.empty_like(x)
        assert act(x, out=c) is c
        assert not _fast._HOT_ON
    assert _fast._HOT_ON


def test_two_prods_become_fmas_with_the_same_error_terms() -> None:
    # kernels.dd.two_prod's Veltkamp splits are replaced by fma(a, b, -p) in the traced
    # loops; the error term is the same (exact) wherever Dekker's is exact
    from actfn.kernels.dd import two_prod

    def kernel(x, xp):
        return two_prod(x, x * 0.3 + 1.0, xp)[1]  # the error term alone

    prog = _trace.trace((kernel,), False, {}, "a")
    assert any("fma(" in ln for ln in prog.lines)
    assert not any("134217729.0" in ln for ln in prog.lines)  # the splits are dead code
    mod = _fast._memory_module(_trace.loop_source(prog, "float64", "two_prod"))
    x = np.random.default_rng(7).normal(0, 1e3, 4096)
    out = np.empty_like(x)
    mod.ser(x, out)
    ref = kernel(x, np)
    np.testing.assert_array_equal(out, ref)
    gelu = actfn.get("gelu")
    lines = _trace.trace((gelu.spec.f, gelu.spec.df), False, dict(gelu.params), "a").lines
    assert not any("134217729.0" in ln for ln in lines)


def test_tail_table_lookup_matches_the_numpy_horner_bit_for_bit() -> None:
    # the compiled path's tabulated W (one gathered Horner) is the NumPy path's selection
    # over all pieces, rounding for rounding
    from actfn._fast import _vmath
    from actfn.kernels import erfc

    # piece edges: in a below 6, in t = 1/a above (each edge and its neighbours)
    edges = [p[0] for p in erfc.A_PIECES[1:]] + [6.0]
    edges += [1.0 / p[0] for p in erfc.T_PIECES[1:]]
    near = [np.nextafter(e, d) for e in edges for d in (-1.0, 100.0)]
    a = np.concatenate([np.linspace(0.0, 40.0, 1601),
                        np.random.default_rng(3).uniform(0.0, 40.0, 400), edges, near])
    small = a < erfc.TAIL_SWITCH
    ref = np.where(small, erfc._horner(np.where(small, a, 6.0), erfc.A_PIECES, np),
                   erfc._horner(1.0 / np.where(small, 6.0, a), erfc.T_PIECES, np))
    got = np.array([_vmath.tail_horner_v(float(v)) for v in a])
    np.testing.assert_array_equal(got, ref)

def test_warm_fresh_output_calls_resolve_the_loop_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a warm loop with fresh outputs takes the direct path: numba's type resolution of the
    # arguments (entry_point, ~15 µs at 2**10 elements) runs once per (loop, dtype), not
    # on every call, and the results are those of the general path
    act = actfn.get("sigmoid")
    calls = []
    real = _fast.entry_point
    monkeypatch.setattr(_fast, "entry_point", lambda *a: calls.append(1) or real(*a))
    for dtype in (np.float64, np.float32, np.float16):
        x = np.linspace(-9, 9, 1000).astype(dtype).reshape(10, 100)
        first = act.value_and_derivative(x)
        for _ in range(20):
            y, d = act.value_and_derivative(x)
            assert y.dtype == d.dtype == dtype and y.shape == d.shape == x.shape
            assert not np.shares_memory(y, first[0]) and not np.shares_memory(d, first[1])
        np.testing.assert_array_equal(y, first[0])
        np.testing.assert_array_equal(d, first[1])
        a, b = np.empty_like(x), np.empty_like(x)
        np.testing.assert_array_equal(act.value_and_derivative(x, out=(a, b))[0], y)
        np.testing.assert_array_equal(act(x), y)
    assert len(calls) == 6  # two loops (f and f′ fused; f) × three dtypes


def _on_elu_kernel(name: str) -> bool:
    """Whether the activation's f is the shared ELU kernel (kernels.elu.elu_like)."""
    return "elu_like" in actfn.lookup(name).f.__code__.co_names


@pytest.mark.parametrize("name", [n for n in actfn.names() if _on_elu_kernel(n)])
def test_float64_elu_family_reduces_one_argument(name) -> None:
    # f's expm1 and f′'s k·e^x read the same x, so LLVM merges their argument reductions
    # (selu's f′ once took a second exp at x + ln k: half the float64 speed)
    act = actfn.get(name)
    prog = _trace.trace(*_kernels(act), dict(act.params), "a")
    calls = [ln.split(" = ", 1)[1] for ln in prog.lines
             if any(f in ln for f in ("exp_d(", "expm1_d(", "kexp_d("))]
    assert calls and {c.split("(", 1)[1].split(",")[0].rstrip(")") for c in calls} == {"x"}, calls


def test_kexp_rounds_k_times_exp_once_into_the_subnormal_range() -> None:
    # _vmath.kexp_d: (hi + lo)·e^x for the selu/elu constants, on normal results and where
    # e^x or the product is subnormal (x < -708.4: k·exp(x) would round twice there)
    from actfn._fast import _vmath
    from actfn.kernels.elu import coef

    from .oracle import round_to

    rng = np.random.default_rng(11)
    x = np.concatenate([-rng.uniform(0.0, 40.0, 300), rng.uniform(-746.0, -700.0, 300),
                        np.linspace(-709.5, -707.5, 201), [0.0, -1e-300, -745.2, -800.0]])
    mpmath.mp.prec = 200
    for s, a in ((1.0507009873554805, 1.6732632423543772), (1.0, 0.7), (1.0, 1.9)):
        hi, lo, e, _ = coef(s, a, 1.0, 1)
        hi, lo = math.ldexp(hi, e), math.ldexp(lo, e)
        got = np.array([_vmath.kexp_d(float(v), hi, lo) for v in x])
        k = mpmath.mpf(s) * mpmath.mpf(a)
        want = np.array([round_to(k * mpmath.exp(mpmath.mpf(float(v))), "float64") for v in x])
        assert ulp_distance(got, want).max() <= 1, (s, a)


def test_float64_near_zeros_sums_only_the_terms_of_its_radius() -> None:
    # gelu's tanh form uses its f′ series within 0.25 of the zero: 19 of the 45 generated
    # terms matter there (the rest are below 2^-60 of f′); all 45 were summed per element
    from actfn.catalog._zeros.gelu import ZEROS
    from actfn.kernels.series import near_zeros, truncate

    zeros = ZEROS["tanh_d"]
    n_all, n_cut = len(zeros[0][2]), len(truncate(zeros[0][2], 0.25))
    assert n_cut < n_all // 2

    def kernel(x, xp):
        return near_zeros(xp.zeros_like(x), x, xp, zeros, radius=0.25)

    lines = _trace.trace((kernel,), False, {}, "a").lines
    assert len([ln for ln in lines if " * " in ln]) <= n_cut + 8, len(lines)
    # the same values as the full series, summed by Horner in exact rationals
    from fractions import Fraction

    x0_hi, x0_lo, coeffs = zeros[0]
    d = np.linspace(-0.2499, 0.2499, 401)
    x = (x0_hi + x0_lo) + d
    got = kernel(x, np)
    for xi, gi in zip(x.tolist(), got.tolist(), strict=True):
        dd = Fraction(xi) - Fraction(x0_hi) - Fraction(x0_lo)
        p = Fraction(0)
        for c in reversed(coeffs):
            p = p * dd + Fraction(c)
        ref = float(p * dd)
        assert abs(gi - ref) <= 2 * abs(math.ulp(ref)), (xi, gi, ref)
