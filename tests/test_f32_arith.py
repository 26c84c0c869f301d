"""Compensated float32 (issue 10 item 3): where the array library has no float64 (JAX
without ``jax_enable_x64``, PyTorch on Apple MPS) every activation's f, f′, f″ stays
within 2 float32 ulp of the correctly rounded value.

Measured against ``actfn.reference`` (python-flint ball arithmetic) through
``actfn.jax`` under ``jit`` with x64 off (tests/f32sweep.py; where XLA flushes
subnormals, on the flush-to-zero number line), and through the generic float32 path on
NumPy float32 arrays (IEEE, subnormals kept; the stand-in for MPS):

* every activation, derivative: float32 band points (where a value or an intermediate
  crosses the smallest normal, the smallest subnormal or the largest value), ±0, ±inf,
  ±largest, ±smallest and seeded random inputs;
* a daily rotating choice of functions gets 10⁵ random float32 inputs, and all 65,536
  float16 and bfloat16 inputs (``ACTFN_SWEEP_SEED`` replays a day);
* the building blocks: exp/expm1 to 1 ulp, TwoProd error-free under ``jit`` (XLA
  contracts products into fused multiply-adds), constants split into float32 pairs.

``python tools/f32_sweep.py [--full]`` prints the whole table (10⁵ random per function
and 2,000 per band edge with ``--full``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from . import f32sweep as F
from . import f64sweep as S

CASES = S.sweep_cases()
PAIRS = [(c, w) for c in CASES for w in S.WHICH]
PAIR_IDS = [f"{S.case_id(c)}-{w}" for c, w in PAIRS]
PER_EDGE, NEIGHBOURS, RANDOM_EACH = 4, 4, 400
RANDOM_ROTATING, ROTATING = 100_000, 2

def _check_jax(case, which, x, what):
    u, xi, n = F.worst_f32(case, which, x)
    assert n > 0.99 * np.unique(x).size - 16  # the reference decided (almost) every input
    assert u <= F.BOUNDS[which], (
        f"{S.case_id(case)} {which} float32 path ({what}): {u} ulp at x={xi!r}")


def _rotating(k, salt):
    seed = S.rotation(salt)
    print(f"rotation seed {seed} (ACTFN_SWEEP_SEED={seed // 1000003} replays it)")
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(len(PAIRS), size=k, replace=False).tolist())


@pytest.mark.parametrize(("case", "which"), PAIRS, ids=PAIR_IDS)
def test_jax_without_x64_bands_and_random(case, which):
    seed = S.rotation("f32" + S.case_id(case) + which)
    e = S.edges(case, which, ("float32",))
    x = np.concatenate([S.band_points(e, "float32", PER_EDGE, seed, NEIGHBOURS),
                        F.random_f32(RANDOM_EACH, seed), S.specials("float32")])
    _check_jax(case, which, x, f"bands around {e.size} edges, {RANDOM_EACH} random, specials")


def test_jax_without_x64_random_rotating():
    """10⁵ random float32 inputs for a daily rotating choice of functions."""
    for i in _rotating(ROTATING, "f32 random"):
        case, which = PAIRS[i]
        x = F.random_f32(RANDOM_ROTATING, S.rotation("f32big" + S.case_id(case) + which))
        _check_jax(case, which, x, f"{RANDOM_ROTATING} random")


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
def test_jax_without_x64_exhaustive_16bit_rotating(dtype_name):
    """All 65,536 inputs of float16 / bfloat16, computed in float32 and rounded, for a
    daily rotating choice of functions (tools/f32_sweep.py runs every function)."""
    for i in _rotating(2, "f32 16bit" + dtype_name):
        case, which = PAIRS[i]
        _check_jax(case, which, S.all_16bit(dtype_name), f"all {dtype_name}")


@pytest.mark.parametrize("case", CASES, ids=[S.case_id(c) for c in CASES])
def test_generic_float32_path(case):
    """The same kernels on NumPy float32 arrays (Float32Context: what a library without
    float64 runs, e.g. PyTorch on MPS), with subnormals, against the reference."""
    seed = S.rotation("f32np" + S.case_id(case))
    for which in S.WHICH:
        e = S.edges(case, which, ("float32",))
        x = np.concatenate([S.band_points(e, "float32", 2, seed, 2),
                            F.random_f32(200, seed), S.specials("float32")])
        want = S.reference(case, which, x)
        keep = S.decided(want, x)
        got = F.evaluate_generic_f32(case, which, x[keep])
        u = S.ulps(got, want[keep])
        i = int(np.argmax(u))
        assert u[i] <= F.BOUNDS[which], (
            f"{S.case_id(case)} {which} NumPy float32: {u[i]} ulp at x={x[keep][i]!r}")


# -- building blocks ------------------------------------------------------------------------
def _jnp_ctx():
    import jax.numpy as jnp

    from actfn._evaluate import context

    return context(jnp)


@pytest.mark.parametrize("name", ["exp", "expm1"])
def test_exp_and_expm1_within_one_ulp(name):
    """df32.exp32 / expm1_32 under jit: ≤ 1 ulp from the float64 value rounded to float32
    (itself within 2^-29 of the exact value, so ≤ 1 ulp of the correct rounding but for
    ties), over the whole float32 domain of e^x and near 0."""
    import jax

    from actfn.kernels import df32

    rng = np.random.default_rng(S.rotation("exp32" + name))
    x = np.concatenate([rng.uniform(-104.0, 89.0, 50_000), rng.uniform(-1.0, 1.0, 20_000),
                        np.sign(rng.uniform(-1, 1, 5000)) * 2.0 ** rng.uniform(-60, 0, 5000),
                        [0.0, -0.0, 88.72, -87.3, -103.9, math.inf, -math.inf]]).astype(np.float32)
    fn = {"exp": df32.exp32, "expm1": df32.expm1_32}[name]
    ref = {"exp": np.exp, "expm1": np.expm1}[name]
    ctx = _jnp_ctx()
    with jax.enable_x64(False):
        got = np.asarray(jax.jit(lambda v: fn(v, ctx))(x))
    with np.errstate(all="ignore"):
        want = F.flush(ref(x.astype(np.float64)).astype(np.float32))
    u = F.ftz_ulps(got, want)
    assert u.max() <= 1, (x[np.argmax(u)], got[np.argmax(u)], want[np.argmax(u)])
    assert np.signbit(got[x == 0]).tolist() == np.signbit(x[x == 0]).tolist() or name == "exp"


def test_two_prod_and_two_sum_error_free_under_jit():
    """XLA on CPU contracts a·b + c into an FMA; TwoProd/TwoSum must stay exact under jit
    (their operands are made opaque, the split masks bits): p + e == a·b and
    s + t == a + b exactly, checked in float64."""
    import jax

    from actfn.kernels.dd import two_prod, two_sum

    rng = np.random.default_rng(S.rotation("twoprod"))
    a = (rng.uniform(-1, 1, 100_000) * 2.0 ** rng.integers(-40, 40, 100_000)).astype(np.float32)
    b = (rng.uniform(-1, 1, 100_000) * 2.0 ** rng.integers(-40, 40, 100_000)).astype(np.float32)
    ctx = _jnp_ctx()
    with jax.enable_x64(False):
        p, e = jax.jit(lambda u, v: two_prod(u * 3.0, v, ctx))(a, b)
        s, t = jax.jit(lambda u, v: two_sum(u * v, v))(a, b)
    a3 = (a * np.float32(3.0)).astype(np.float64)
    np.testing.assert_array_equal(np.asarray(p, np.float64) + np.asarray(e, np.float64),
                                  a3 * b.astype(np.float64))
    ab = (a * b).astype(np.float64)  # the rounded product, as the kernels see it
    np.testing.assert_array_equal(np.asarray(s, np.float64) + np.asarray(t, np.float64),
                                  ab + b.astype(np.float64))


def test_constant_pairs_carry_float32_precision():
    """A double-double constant as a float32 pair keeps ~48 bits: hi is its float32
    rounding and hi + lo is within 2^-46 relative."""
    from fractions import Fraction

    from actfn.kernels.df32 import F32_SCALING, split32
    from actfn.kernels.gaussian import SQRT_2_OVER_PI

    for c in (SQRT_2_OVER_PI, (math.log(2) * 64, 1.4841899608616317e-15)):
        hi, lo = split32(*c)
        assert np.float32(hi) == hi and np.float32(lo) == lo and np.float32(c[0]) == hi
        exact = Fraction(c[0]) + Fraction(c[1])
        assert abs(Fraction(hi) + Fraction(lo) - exact) <= abs(exact) * Fraction(2) ** -46
    assert F32_SCALING.inv_k == 2.0**-64 and np.float32(F32_SCALING.ln_k[0]) == F32_SCALING.ln_k[0]


@pytest.mark.parametrize(("name", "params", "which", "x"), [
    # XLA contracted a product inside a TwoSum into an FMA: 254 ulp before opaque operands
    ("gelu", {"approximate": "tanh"}, "f", -9.195545),
    # XLA folded (z - x0_hi) - x0_lo into z - (x0_hi + x0_lo): 194 ulp near f′'s zero
    ("silu", {}, "df", -1.277803),
    # e^{-2|x|} below float32's smallest normal while sech² = 4e^{-2|x|}/(1+e)² is not
    ("tanh", {}, "df", 43.66948),
    # σ(x) flushed to 0 while x·σ(x) is normal (no 2^64 rescaling)
    ("silu", {}, "f", -87.44161),
    # Φ(x) below the smallest normal while x·Φ(x) is not
    ("gelu", {}, "f", -13.00604),
    # σ times a bracket, each rounded (and β rounded to float32): 3–4 ulp before the
    # pair-arithmetic quotients of kernels/swish.py and catalog/mish.py
    ("mish", {}, "df", -0.18675799), ("mish", {}, "d2f", -1.2873181),
    ("gelu", {"approximate": "tanh"}, "df", -1.6227863),
    ("gelu", {"approximate": "tanh"}, "d2f", 0.7949443),
    ("gelu_sigmoid", {}, "df", -29.992926), ("gelu_sigmoid", {}, "d2f", 3.6561975),
    ("silu", {"beta": 1.5}, "d2f", -1.7936157),
    # softplus rounded β to float32 before βx (the exponential multiplies that relative
    # error by |βx|): 21–64 ulp at β = 1e-3, 17–19 at β = 0.37 and 3.7
    ("softplus", {"beta": 1e-3}, "f", -40000.0), ("softplus", {"beta": 1e-3}, "df", -40000.0),
    ("softplus", {"beta": 0.37}, "f", -216.25), ("softplus", {"beta": 0.37}, "d2f", -216.25),
    ("softplus", {"beta": 3.7}, "f", -22.5),
    # star_relu's s and b rounded to float32 before s·x² + b cancels near its zero: 7 ulp
    ("star_relu", {"scale": 3e-5, "bias": -7.0}, "f", 495.1839),
    # W's table constant c_0 rounded to float32 without its low part: 3 ulp
    ("gelu", {}, "f", -5.8454976), ("gelu", {}, "f", -5.2491417),
    ("gelu", {}, "f", -5.968027),
])
def test_regression_points(name, params, which, x):
    """Inputs where earlier versions of the float32 path were far off under jit."""
    import actfn

    case = (name, actfn.get(name, **params).params)
    x0 = np.float32(x)
    xs = (x0 + np.arange(-16, 17, dtype=np.float32) * np.spacing(x0)).astype(np.float32)
    u, xi, _ = F.worst_f32(case, which, xs)
    assert u <= F.BOUNDS[which], (u, xi)
