"""float32-native compiled loops (``Spec.native32``, :mod:`actfn._fast._vmath32`; issues 10/12).

For every activation whose spec names float32-native kernels (the registry decides):

* routing: the float32 loops of f, f′ and the fused f-and-f′ loop (NumPy ``act(x)``,
  ``derivative``, ``value_and_derivative``, ``out=``, and actfn.torch's compiled CPU path,
  which runs the same loops) call the native kernels on the float32 input; f″, 16-bit and
  float64 loops are traced from the spec's kernels as before; the native loop source
  (and with it the kernel cache key) differs from the traced one;
* accuracy: within 1 float32 ulp of python-flint's exact value (``actfn.reference`` to
  float64: ulps of the exact value's binade, subnormal spacing below 2**-126) on hard
  points (±0, ±inf, NaN, ±largest, ±smallest subnormal, the subnormal-output band, the
  ends of the exponent range, steps of the range reduction) and on a seeded, rotating
  subset of random float32 bit patterns and [-40, 40], where the native loop must also
  agree with the float64-working loop it replaced except where flint says it is within
  1 ulp.

``python tools/native32_sweep.py --full`` is the long run (all 2**32 float32 inputs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import actfn
from actfn import _fast
from actfn import reference as R
from actfn._fast import _trace, _vmath32
from actfn._registry import lookup

from . import f64sweep as S
from .tooling import load_tool

NATIVE = [n for n in actfn.names() if lookup(n).native32 is not None]
sweep = load_tool("native32_sweep")
CASES = sweep.native_cases()
CASE_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}" for n, p in CASES]
WHICH = ("f", "df")


def test_some_activation_is_native() -> None:
    assert "sigmoid" in NATIVE


@pytest.mark.parametrize("name", NATIVE)
def test_native_names_resolve(name: str) -> None:
    nat = lookup(name).native32
    for fn in (nat.f, nat.df, nat.f_df):
        assert fn is None or fn in _vmath32.__all__, f"{name}: {fn} is not in _vmath32"
    assert set(nat.params) <= set(lookup(name).param_names)


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_routing(name: str, params: dict) -> None:
    act = actfn.get(name, **params)
    spec, nat = act.spec, act.spec.native32
    kernels, fused = sweep._kernels(act)
    src = _fast.compiled_kernel(act, kernels, fused, "float32").source
    assert "x = src[i]" in src and "wide_vectors()" in src
    assert (nat.f_df if fused else nat.f) in src
    assert 'fastmath' not in src.split("def ser")[0].split("_opts = ")[1]
    traced = _trace.loop_source(
        _trace.trace(kernels, fused, dict(act.params), "v"), "float32", "t")
    assert "np.float64(src[i])" in traced and nat.f_df not in traced
    for dt in ("float16", "bfloat16", "float64"):
        other = _fast.compiled_kernel(act, kernels, fused, dt).source
        assert "_vmath32" not in other, dt
    d2 = _fast.compiled_kernel(act, (spec.d2f,), False, "float32").source
    assert "_vmath32" not in d2 and "np.float64(src[i])" in d2
    if nat.f is not None:
        assert nat.f in _fast.compiled_kernel(act, (spec.f,), False, "float32").source


def _exact_error(name, params, x, which, got):
    exact = R(name, x, derivative=WHICH.index(which), dtype="float64", **params)
    return sweep.ulp_error(got, exact)


def _hard_points() -> np.ndarray:
    f32 = np.float32
    ln2 = math.log(2)
    steps = [(k + 0.5) * ln2 for k in range(0, 151)]  # range-reduction boundaries
    pts = [0.0, 1e-45, 1e-40, 1.17549435e-38, 1e-30, 1e-8, 0.25, 0.5, 1.0, 2.0, 16.6, 17.0,
           20.0, 87.0, 87.33, 88.72, 100.0, 103.27, 103.28, 103.97, 103.98, 104.0, 104.1,
           150.0, 1e10, 3.4028235e38, *steps]
    x = np.array(pts, np.float64)
    x = np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])
    band = np.linspace(86.0, 105.0, 4001)  # σ(-x), σ′(±x) subnormal / underflowing
    x = np.concatenate([x, band]).astype(f32)
    x = np.concatenate([x, -x, S.specials("float32")])
    return x


def _both(act, x):
    new = sweep.new_loop(act, parallel=False)
    old = sweep.old_loop(act, parallel=False)
    a = [np.empty_like(x), np.empty_like(x)]
    b = [np.empty_like(x), np.empty_like(x)]
    new(x, *a)
    old(x, *b)
    return a, b


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_hard_points_within_one_ulp(name: str, params: dict) -> None:
    act = actfn.get(name, **params)
    x = _hard_points()
    new, _ = _both(act, x)
    y, d = act.value_and_derivative(x)  # the public path runs the same loop
    np.testing.assert_array_equal(y.view(np.uint32), new[0].view(np.uint32))
    np.testing.assert_array_equal(d.view(np.uint32), new[1].view(np.uint32))
    np.testing.assert_array_equal(act(x).view(np.uint32), y.view(np.uint32))
    for j, w in enumerate(WHICH):
        err = _exact_error(name, params, x, w, new[j])
        i = int(np.argmax(err))
        assert err.max() <= 1.0, f"{name} {w}: {err.max():.3f} ulp at x = {x[i]!r}"


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_random_subset_agrees_or_within_one_ulp(name: str, params: dict) -> None:
    seed = S.rotation("native32" + name)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 1 << 32, 1 << 20, dtype=np.uint64).astype(np.uint32)
    x = np.concatenate([bits.view(np.float32),
                        rng.uniform(-40.0, 40.0, 1 << 19).astype(np.float32)])
    act = actfn.get(name, **params)
    new, old = _both(act, x)
    for j, w in enumerate(WHICH):
        an, bn = np.isnan(new[j]), np.isnan(old[j])
        assert np.array_equal(an, bn), f"{name} {w}: NaN where the old loop has none (seed {seed})"
        diff = (new[j].view(np.uint32) != old[j].view(np.uint32)) & ~an
        assert diff.mean() < 1e-2, f"{name} {w}: {diff.sum()} differences (seed {seed})"
        xd = x[diff]
        if xd.size:
            err = _exact_error(name, params, xd, w, new[j][diff])
            i = int(np.argmax(err))
            assert err.max() <= 1.0, (f"{name} {w}: {err.max():.3f} ulp at x = {xd[i]!r} "
                                      f"(seed {seed})")


@pytest.mark.parametrize("name", NATIVE)
def test_torch_compiled_path_uses_native_loop(name: str) -> None:
    import torch

    import actfn.torch as at

    act = actfn.get(name)
    x = np.random.default_rng(7).uniform(-30, 30, 4096).astype(np.float32)
    y, d = act.value_and_derivative(x)
    t = torch.from_numpy(x.copy()).requires_grad_()
    out = at.function(name)(t)
    out.backward(torch.ones_like(out))
    np.testing.assert_array_equal(out.detach().numpy().view(np.uint32), y.view(np.uint32))
    np.testing.assert_array_equal(t.grad.numpy().view(np.uint32), d.view(np.uint32))


def test_ulp_error_units() -> None:
    exact = np.array([1.0, 2.0**-130, 0.75, np.nan, np.inf])
    got = np.array([1.0 + 2.0**-23, 2.0**-130 + 2.0**-149, 0.75, np.nan, np.inf], np.float32)
    np.testing.assert_allclose(sweep.ulp_error(got, exact), [1.0, 1.0, 0.0, 0.0, 0.0])
