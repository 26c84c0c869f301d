"""The budgeted ``*_v`` helpers of actfn._fast._vmath (float32-and-narrower loops only).

* float64 loops never call them: every registry kernel traced for float64 ("a" mode)
  uses the full-accuracy ``*_d``/``*_a`` helpers (the budget is only valid for results
  rounded to float32 or narrower).
* Each helper is within its stated budget, relative error ≤ 2⁻⁴⁰ (absolute 2⁻⁴⁰·2⁻¹⁰²²
  where the exact value is below the normal range), on seeded random points against
  mpmath at 30 digits, and keeps the special values (±0, ±inf, NaN) of the full versions.
"""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest

import actfn
from actfn import _fast
from actfn._fast import _trace

pytestmark = pytest.mark.skipif(not _fast.available(), reason="numba not available")

BUDGET = 2.0**-40
TINY = 2.0**-1022
_BUDGETED = ("exp", "expm1", "log1p", "log", "tanh", "erf", "erfc", "erfcx")
_CALL = re.compile(r"\b(" + "|".join(_BUDGETED) + r")_v\(")


def _all_kernel_sets(name: str):
    spec = actfn.lookup(name)
    for params in [{}, *spec.cases]:
        act = actfn.get(name, **params)
        sets = [((k,), False) for k in (spec.f, spec.df, spec.d2f) if k is not None]
        if spec.f_df is not None:
            sets.append(((spec.f_df,), True))
        for kernels, fused in sets:
            yield act, kernels, fused


@pytest.mark.parametrize("name", actfn.names())
def test_float64_loops_never_use_budgeted_helpers(name: str) -> None:
    traced = 0
    for act, kernels, fused in _all_kernel_sets(name):
        try:
            prog = _trace.trace(kernels, fused, dict(act.params), "a")
        except _trace.TraceError:
            continue  # (no compiled loop: the NumPy path runs instead)
        traced += 1
        body = "\n".join(prog.lines)
        assert not _CALL.search(body), (name, act.params, _CALL.findall(body))
        narrow = "\n".join(_trace.trace(kernels, fused, dict(act.params), "v").lines)
        assert not re.search(r"\b\w+_d\(", narrow), (name, act.params)
    assert traced or name.startswith("swiglu"), name


def _mp_refs():
    return {
        "exp_v": mpmath.exp, "expm1_v": mpmath.expm1, "tanh_v": mpmath.tanh,
        "log1p_v": mpmath.log1p, "log_v": mpmath.log, "erf_v": mpmath.erf,
        "erfc_v": mpmath.erfc, "erfcx_v": lambda v: mpmath.exp(v * v) * mpmath.erfc(v),
    }


def _points(name: str, rng: np.random.Generator) -> np.ndarray:
    sign = np.where(rng.random(300) < 0.5, -1.0, 1.0)
    x = np.concatenate([rng.uniform(-30, 30, 300), rng.normal(0, 1, 300),
                        sign * np.exp2(rng.uniform(-1070, 9.4, 300)),
                        rng.uniform(-0.36, 0.36, 100), rng.uniform(-746, 710, 100)])
    if name in ("log1p_v", "log_v"):
        x = np.abs(x)
        if name == "log1p_v":
            x = np.concatenate([x, -rng.uniform(0, 1, 100)])
    if name == "erfcx_v":
        x = x[x > -26]  # (2·e^{x²} overflows below -26.6)
    return x


@pytest.mark.parametrize("name", sorted(_mp_refs()))
def test_budgeted_helper_within_budget_against_mpmath(name: str) -> None:
    import numba

    from actfn._fast import _vmath as vm

    fn = getattr(vm, name)

    @numba.njit(error_model="numpy")
    def apply(x, o):  # pragma: no cover - jitted
        for i in range(x.shape[0]):
            o[i] = fn(x[i])

    x = _points(name, np.random.default_rng(sum(map(ord, name))))
    o = np.empty_like(x)
    apply(x, o)
    ref = _mp_refs()[name]
    worst, at = 0.0, None
    with mpmath.workdps(30):
        for xi, oi in zip(x.tolist(), o.tolist(), strict=True):
            want = ref(mpmath.mpf(xi))
            if abs(want) > mpmath.mpf(2) ** 1024:
                assert oi == np.inf, (name, xi, oi)
                continue
            err = float(abs(oi - want) / max(abs(want), TINY))
            if err > worst:
                worst, at = err, xi
    assert worst <= BUDGET, (name, worst, at)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan])
    o = np.empty_like(special)
    apply(special, o)
    full = getattr(vm, name.replace("_v", "_d"), None)
    w = np.empty_like(special)
    if full is not None:  # the special values of the full-accuracy version

        @numba.njit(error_model="numpy")
        def apply_full(x, o):  # pragma: no cover - jitted
            for i in range(x.shape[0]):
                o[i] = full(x[i])

        apply_full(special, w)
    else:  # tanh, erf: odd, ±1 at ±inf
        w[:] = [0.0, -0.0, 1.0, -1.0, np.nan]
    np.testing.assert_array_equal(o, w)
    assert np.array_equal(np.signbit(o[:4]), np.signbit(w[:4])), name


def test_budgeted_helpers_keep_signed_zero_and_limits() -> None:
    import numba

    from actfn._fast import _vmath as vm

    @numba.njit(error_model="numpy")
    def run(x, o):  # pragma: no cover - jitted
        for i in range(x.shape[0]):
            o[0, i] = vm.tanh_v(x[i])
            o[1, i] = vm.erf_v(x[i])
            o[2, i] = vm.erfc_v(x[i])
            o[3, i] = vm.erfcx_v(x[i])
            o[4, i] = vm.exp_v(x[i])

    x = np.array([0.0, -0.0, np.inf, -np.inf, 800.0, -800.0, 709.7, -745.2])
    o = np.empty((5, x.size))
    run(x, o)
    assert list(o[0, :4]) == [0.0, -0.0, 1.0, -1.0] and np.signbit(o[0, 1])
    assert list(o[1, :4]) == [0.0, -0.0, 1.0, -1.0] and np.signbit(o[1, 1])
    assert list(o[2, :4]) == [1.0, 1.0, 0.0, 2.0]
    assert list(o[3, :3]) == [1.0, 1.0, 0.0]
    assert o[4, 4] == np.inf and o[4, 5] == 0.0
    assert o[4, 6] == pytest.approx(np.exp(709.7), rel=BUDGET)
    assert o[4, 7] == np.exp(-745.2)  # the smallest subnormal, as libm
