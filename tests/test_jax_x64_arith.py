"""actfn.jax with ``jax_enable_x64`` (float64 double-double code under ``jit``): XLA on CPU
contracts ``a·b + c`` into fused multiply-adds and refolds ``(z - hi) - lo`` in float64
as it does in float32, which broke TwoSum, Dekker's TwoProd (Veltkamp's ``c·a - a``) and
the split constants of the zero series: gelu's tanh form was 1,447 ulp off (x = -18.685),
silu's f″ 157 ulp near its zero, mish's f″ 109. The error-free steps now take
:func:`actfn.kernels.df32.opaque` operands for float64 JAX arrays too (NumPy and the
compiled loops are untouched).

Measured against ``actfn.reference`` (python-flint) with the float64 bounds of issue 10
(f ≤ 2 ulp, f′ and f″ ≤ 4). XLA on CPU also flushes float64 subnormals (FTZ/DAZ): the
reference is taken at the flushed input and distances are counted on the flush-to-zero
number line (one ulp from 0 to 2^-1022), as tests/f32sweep.py does for float32.
``jax.enable_x64(True)`` is a context, so no subprocess is needed.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from . import f64sweep as S

BOUNDS = {"f": 2, "df": 4, "d2f": 4}
_TINY = 2.0**-1022


def _flush(a: np.ndarray) -> np.ndarray:
    return np.where(np.abs(a) < _TINY, np.copysign(0.0, a), a)


def _ordinal(a: np.ndarray) -> np.ndarray:
    bits = a.view(np.int64) & 0x7FFFFFFFFFFFFFFF
    mag = np.maximum(bits - (1 << 52) + 1, 0)
    return np.where(np.signbit(a), -mag, mag)


def _ftz_ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """ulps on float64's flush-to-zero number line; NaN against NaN 0, else huge."""
    d = np.abs(_ordinal(_flush(got)) - _ordinal(_flush(want))).astype(np.float64)
    gn, wn = np.isnan(got), np.isnan(want)
    return np.where(gn | wn, np.where(gn & wn, 0.0, 2.0**62), d)


def _worst_x64(case, which, x):
    import jax

    import actfn
    from actfn import jax as aj

    spec = actfn.lookup(case[0])
    rule = aj._RULES.of(spec)[S.WHICH.index(which)]
    bound = tuple(spec.bind(**case[1]).items())
    xr = _flush(x)
    want = S.reference(case, which, xr)
    keep = S.decided(want, xr)
    x, want = x[keep], want[keep]
    with jax.enable_x64(True):
        got = np.asarray(jax.jit(lambda v: rule(v, bound))(x))
    assert got.dtype == np.float64
    u = _ftz_ulps(got, want)
    i = int(np.argmax(u))
    return u[i], x[i]


#: (activation, params, function, x): where the contracted float64 code was far off.
POINTS = [
    ("gelu", {"approximate": "tanh"}, "f", -18.685),      # 1,214 ulp
    ("gelu", {"approximate": "tanh"}, "df", -18.685),     # 1,447
    ("gelu", {"approximate": "tanh"}, "d2f", -18.685),    # 860
    ("silu", {}, "df", -1.259272021236832),               # 28 (zero series constants)
    ("silu", {}, "d2f", -2.3924859710124338),             # 157
    ("mish", {}, "df", -1.2151239840338803),              # 14
    ("mish", {}, "d2f", -2.2480921434212746),             # 109
    ("gelu", {}, "df", -0.7459386577289067),              # 15
    # XLA's float64 exp is 1 ulp: x·e rounded on top reached 3 (times_sigmoid)
    ("silu", {"beta": 1.5}, "f", -3.048584809005483),     # 3
    # not contraction: XLA flushed e^{-2|x|} (subnormal) where sech² = 4e/(1 + e)² is not
    ("tanh", {}, "df", -354.1982092661321),               # 2^53 (0 returned)
    # XLA flushes float64 subnormals: the double-double low parts of x·Φ(x) vanished
    ("gelu", {}, "f", 1e-300),                            # 19
    ("gelu", {}, "f", -1e-300),                           # 5e7
    ("gelu", {}, "f", -6.508439936506758e-308),           # 6e7
    # 2r³ normal where r³ is not (r = 1/(1 + |x|)): 0 returned
    ("softsign", {}, "d2f", 4.257499921045899e+102),      # 7e14
    ("softsign", {}, "d2f", -4.0e+102),                   # 2e15
    # XLA's float64 expm1 is up to 4 ulp (df32.expm1_x64 through X64Context)
    ("elu", {}, "f", -5.336516245738856e-08),             # 3
    ("elu", {"alpha": 0.7}, "f", -9.366688522548903e-06),  # 4
    ("celu", {"alpha": 3.0}, "f", -0.0008203854882151934),  # 4
    ("selu", {}, "f", -0.06257777622864),                 # 3
    # XLA's float64 exp is 1 ulp (NumPy's ~0.5): df32.exp_x64 through X64Context
    ("silu", {}, "f", -12.209999999992746),               # 3
    ("mish", {}, "f", -712.8999999995913),                # 3
    ("gelu", {}, "f", -1.8506038952340873),               # 3
    # softplus β ≠ 1: exp, log1p and /β rounded in turn (the remainder form of NumPy's)
    ("softplus", {"beta": 37.0}, "f", -0.7864396589462478),  # 3
    ("softplus", {"beta": 37.0}, "f", -0.9907358114694343),  # 3
]


@pytest.mark.parametrize(("name", "params", "which", "x"), POINTS,
                         ids=[f"{p[0]}{p[1] or ''}-{p[2]}" for p in POINTS])
def test_x64_contraction_points(name, params, which, x):
    """±64 float64 neighbours of each point plus 400 seeded random inputs in [-30, 30]."""
    import actfn

    case = (name, actfn.get(name, **params).params)
    rng = np.random.default_rng(S.rotation("x64" + name + which))
    xs = np.concatenate([x + np.arange(-64, 65) * np.spacing(x),
                         x + rng.uniform(-0.05, 0.05, 200), rng.uniform(-30.0, 30.0, 400)])
    u, xi = _worst_x64(case, which, xs)
    assert u <= BOUNDS[which], f"{name}{params} {which} under jit with x64: {u} ulp at {xi!r}"


def test_x64_two_prod_and_two_sum_error_free_under_jit():
    """TwoProd and TwoSum on float64 JAX arrays under jit stay exact (checked with
    fractions): p + e == a·b, s + t == a·b + b. (An invariant of the building blocks:
    in this small graph XLA happened not to contract even before the fix; the points
    above are what failed.)"""
    import jax

    from actfn._evaluate import context
    from actfn.kernels.dd import two_prod, two_sum

    rng = np.random.default_rng(S.rotation("x64twoprod"))
    n = 3000
    a = rng.uniform(-1, 1, n) * 2.0 ** rng.integers(-200, 200, n)
    b = rng.uniform(-1, 1, n) * 2.0 ** rng.integers(-200, 200, n)
    import jax.numpy as jnp

    ctx = context(jnp)
    with jax.enable_x64(True):
        p, e = jax.jit(lambda u, v: two_prod(u * 3.0, v, ctx))(a, b)
        s, t = jax.jit(lambda u, v: two_sum(u * v, v))(a, b)
        ab = np.asarray(jax.jit(lambda u, v: u * v)(a, b))
    p, e, s, t = (np.asarray(v, np.float64) for v in (p, e, s, t))
    a3 = a * 3.0
    bad_p = [i for i in range(n) if Fraction(p[i]) + Fraction(e[i]) != Fraction(a3[i]) * Fraction(b[i])]
    bad_s = [i for i in range(n) if Fraction(s[i]) + Fraction(t[i]) != Fraction(ab[i]) + Fraction(b[i])]
    assert not bad_p, f"TwoProd not exact at {len(bad_p)} of {n}, e.g. a={a3[bad_p[0]]!r}"
    assert not bad_s, f"TwoSum not exact at {len(bad_s)} of {n}, e.g. {ab[bad_s[0]]!r}"


@pytest.mark.parametrize("name", ["exp", "expm1"])
def test_x64_exp_expm1_within_one_ulp(name):
    """df32.exp_x64 / expm1_x64 (X64Context: the float64 kernels' exp and expm1 under x64;
    XLA's are up to 1 and 4 ulp) are within 1 ulp of python-flint's on 4,000 seeded
    inputs: uniform [-750, 712], [-1.2, 1.2] (the k = 0/±1 reductions) and log-uniform
    magnitudes 2^-1000…2^5; signed zeros, ±inf and NaN kept."""
    import flint
    import jax
    import jax.numpy as jnp

    from actfn.kernels import df32

    fn = getattr(df32, name + "_x64")
    rng = np.random.default_rng(S.rotation("x64" + name))
    mags = 2.0 ** rng.uniform(-1000.0, 5.0, 2000)
    x = np.concatenate([rng.uniform(-750.0, 712.0, 1000), rng.uniform(-1.2, 1.2, 1000),
                        np.where(rng.random(2000) < 0.5, -mags, mags)])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan])
    with jax.enable_x64(True):
        jitted = jax.jit(lambda v: fn(v, jnp))
        got, sp = np.asarray(jitted(x)), np.asarray(jitted(special))
    with flint.ctx.workprec(256):
        want = np.array([float(getattr(flint.arb(float(v)), name)()) for v in _flush(x)])
    u = _ftz_ulps(got, want)
    assert u.max() <= 1, f"{name}_x64: {u.max()} ulp at {x[np.argmax(u)]!r}"
    if name == "exp":
        assert list(sp[:4]) == [1.0, 1.0, np.inf, 0.0] and np.isnan(sp[4])
    else:
        assert sp[0] == 0 and not np.signbit(sp[0]) and sp[1] == 0 and np.signbit(sp[1])
        assert sp[2] == np.inf and sp[3] == -1.0 and np.isnan(sp[4])
