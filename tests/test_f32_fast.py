"""Cheap float32 kernels (issue 12 item 5: ``Spec.f32``, :mod:`actfn.kernels.fast32`):
what ``actfn.jax`` runs without ``jax_enable_x64`` for the activations that have them.

* routing: ``actfn.jax``'s f and f′ under ``jit`` are the cheap kernels' values bit for
  bit, and parameters a cheap kernel does not serve (silu β ≠ 1, celu α ≠ 1, softplus
  β ≠ 1) give the compensated kernels' values bit for bit;
* accuracy: f and f′ within 2 float32 ulp of ``actfn.reference`` (python-flint) on a
  seeded subset (band points of every underflow/overflow edge, random inputs over the
  whole float32 range and over [−40, 40], ±0, ±inf, ±largest, ±smallest), both under
  ``jit`` (where XLA contracts products into fused multiply-adds) and on NumPy float32
  (no contraction): each formula must hold with and without it;
* memory: the jitted forward + grad reads x and writes y and x̄ once each (XLA's cost
  analysis: no intermediate written to memory between loop fusions), as jax.nn does.

``python tools/f32_sweep.py --full --only NAME`` is the long run (10⁵ random points and
2,000 per band edge per function; tests/test_f32_arith.py covers every activation).
"""

from __future__ import annotations

import numpy as np
import pytest

import actfn
from actfn._registry import lookup

from . import f32sweep as F
from . import f64sweep as S

CASES = [c for c in S.sweep_cases() if lookup(c[0]).f32 is not None]
IDS = [S.case_id(c) for c in CASES]
WHICH = ("f", "df")
#: (case, which) of every cheap kernel a spec gives (softsign: f′ only; its f was cheap).
PAIRS = [(c, w) for c in CASES for w in WHICH if getattr(lookup(c[0]).f32, w) is not None]
PAIR_IDS = [f"{S.case_id(c)}-{w}" for c, w in PAIRS]
PER_EDGE, RANDOM = 3, 1000


def _cheap(case, which):
    return getattr(lookup(case[0]).f32, which)


def _points(case, which, salt):
    seed = S.rotation("f32fast" + salt + S.case_id(case) + which)
    e = S.edges(case, which, ("float32",))
    return np.concatenate([S.band_points(e, "float32", PER_EDGE, seed, 2),
                           F.random_f32(RANDOM, seed), S.specials("float32")])


class _Rounded:
    """A NumPy namespace whose exp and log are float64's rounded to float32."""

    def __init__(self, ctx):
        self._ctx = ctx

    def __getattr__(self, name):
        return getattr(self._ctx, name)

    def exp(self, v):
        return np.exp(np.asarray(v, np.float64)).astype(np.float32)

    def log(self, v):
        return np.log(np.asarray(v, np.float64)).astype(np.float32)


def _jit_cheap(case, which, x):
    import jax
    import jax.numpy as jnp

    from actfn._evaluate import array_params, context

    spec = lookup(case[0])
    kw = array_params(spec, spec.bind(**case[1]), x, np)
    kernel = _cheap(case, which)
    with jax.enable_x64(False):
        return np.asarray(jax.jit(lambda v: kernel(v, context(jnp), **kw))(x))


def test_cheap_kernels_are_declared_by_the_registry():
    """Found through the registry (no second list): some specs have them, and each such
    spec gives at least one of f and f′."""
    have = [n for n in actfn.names() if lookup(n).f32 is not None]
    assert len(have) >= 5
    for n in have:
        k = lookup(n).f32
        assert k.f is not None or k.df is not None, n


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jax_routes_float32_to_the_cheap_kernels(case):
    x = _points(case, "f", "route")
    x = x[np.isfinite(x)]
    for which in WHICH:
        got = F.evaluate_f32(case, which, x)
        if _cheap(case, which) is None:
            continue
        want = _jit_cheap(case, which, x)
        np.testing.assert_array_equal(got.view(np.int32), want.view(np.int32))


@pytest.mark.parametrize(("name", "params"), [
    ("silu", {"beta": 1.5}), ("celu", {"alpha": 0.5}), ("softplus", {"beta": 2.0}),
])
def test_parameters_the_cheap_kernels_do_not_serve_keep_the_compensated_path(name, params):
    """The compensated kernels (with df32's Float32Context) give the same bits as the
    cheap kernels' fallback for these parameters."""
    import jax
    import jax.numpy as jnp

    from actfn._evaluate import array_params, context
    from actfn.kernels.df32 import Float32Context

    spec = lookup(name)
    case = (name, spec.bind(**params))
    x = np.linspace(-30, 30, 2001, dtype=np.float32)
    kw = array_params(spec, case[1], x, np)
    for which in WHICH:
        kernel = getattr(spec, which)
        with jax.enable_x64(False):
            want = np.asarray(jax.jit(lambda v, k=kernel: k(v, Float32Context(context(jnp)),
                                                              **kw))(x))
        got = F.evaluate_f32(case, which, x)
        np.testing.assert_array_equal(got.view(np.int32), want.view(np.int32))


@pytest.mark.parametrize(("case", "which"), PAIRS, ids=PAIR_IDS)
def test_cheap_kernels_within_2_ulp_under_jit(case, which):
    x = _points(case, which, "jit")
    u, xi, n = F.worst_f32(case, which, x)
    assert n > 0.99 * np.unique(x).size - 16
    assert u <= F.BOUNDS[which], f"{S.case_id(case)} {which}: {u} ulp at x={xi!r}"


@pytest.mark.parametrize(("case", "which"), PAIRS, ids=PAIR_IDS)
def test_cheap_kernels_within_2_ulp_without_contraction(case, which):
    """The same kernels on NumPy float32 (no fused multiply-adds; subnormals kept, so
    distances are counted on the flush-to-zero line for inputs and results alike, as
    under XLA). exp and log are float64's rounded to float32 (NumPy's own float32 log is
    less accurate near 1 than XLA's): what is checked is the arithmetic around them."""
    from actfn._evaluate import array_params, context

    spec = lookup(case[0])
    x = F.flush(_points(case, which, "numpy"))
    want = S.reference(case, which, x)
    keep = S.decided(want, x)
    x, want = x[keep], want[keep]
    kw = array_params(spec, case[1], x, np)
    with np.errstate(all="ignore"):
        got = np.asarray(_cheap(case, which)(x, _Rounded(context(np)), **kw), np.float32)
    got = np.where(np.isnan(x), x, np.broadcast_to(got, x.shape))
    u = F.ftz_ulps(F.flush(got), F.flush(want))
    i = int(np.argmax(u))
    assert u[i] <= F.BOUNDS[which], f"{S.case_id(case)} {which} NumPy: {u[i]} ulp at {x[i]!r}"


def _step_bytes(fn):
    """XLA's bytes accessed per element of the jitted forward + grad of ``fn`` (float32,
    x64 off)."""
    import jax
    import jax.numpy as jnp

    def step(v):
        y, pull = jax.vjp(fn, v)
        return y, pull(jnp.ones_like(y))[0]

    n = 2**16
    with jax.enable_x64(False):
        c = jax.jit(step).lower(jnp.zeros(n, jnp.float32)).compile().cost_analysis()
    c = c[0] if isinstance(c, list) else c
    return c["bytes accessed"] / n


_DEFAULTS = [c for c in CASES if c[1] == lookup(c[0]).defaults()]


@pytest.mark.parametrize("case", [c for c in _DEFAULTS if lookup(c[0]).f32.df is not None],
                         ids=lambda c: c[0])
def test_forward_and_grad_move_no_intermediate_through_memory(case):
    """XLA CPU writes an exponential or a quotient with two users to memory between loop
    fusions (sigmoid sharing one exp between f and f′ took 32 bytes per element instead
    of 16): the jitted step reads x and writes y and x̄, 12–16 bytes per element."""
    import actfn.jax as aj

    b = _step_bytes(aj.function(case[0]))
    assert b <= 16.5, b


@pytest.mark.parametrize("case", [c for c in _DEFAULTS if lookup(c[0]).f32.df is None],
                         ids=lambda c: c[0])
def test_a_cheap_f_alone_moves_no_more_memory_than_the_jax_equivalent(case):
    """Where only f is cheap (mish: f′ keeps its compensated kernel), the step still moves
    no more bytes per element than the registry's JAX equivalent (jax.nn's formula)."""
    import jax

    import actfn.jax as aj

    spec = lookup(case[0])
    eq = spec.knowledge.equivalent("JAX")
    assert eq is not None
    code = compile(eq.at(spec.defaults()), "<equivalent>", "eval")
    theirs = _step_bytes(lambda v: eval(code, {"jax": jax, "x": v}))
    assert _step_bytes(aj.function(case[0])) <= theirs


def test_a_plugin_spec_with_cheap_kernels_routes_them_only_in_float32():
    """A runtime-registered spec's ``f32`` kernels (with a fused ``f_df``) serve
    ``actfn.jax`` without x64, forward and grad; with x64 on, its own kernels do."""
    import jax
    import jax.numpy as jnp

    import actfn.jax as aj
    from actfn._registry import Float32Kernels

    spec = actfn.Spec(
        name="toy_f32_cube", summary="x³, registered by tests/test_f32_fast.py.",
        f=lambda x, xp: x * x * x, df=lambda x, xp: 3.0 * x * x,
        d2f=lambda x, xp: 6.0 * x, f_df=lambda x, xp: (x * x * x, 3.0 * x * x),
        latex={"f": "x^3", "df": "3x^2", "d2f": "6x"},
        # marked values: 1 + f and 2 + f′ show which kernels ran
        f32=Float32Kernels(f=lambda x, xp: 1.0 + x * x * x,
                           f_df=lambda x, xp: (1.0 + x * x * x, 2.0 + 3.0 * x * x)),
    )
    actfn.register(spec)
    try:
        fn = aj.function("toy_f32_cube")
        x = jnp.asarray([0.5, 2.0], jnp.float32)
        with jax.enable_x64(False):
            np.testing.assert_array_equal(np.asarray(jax.jit(fn)(x)), [1.125, 9.0])
            y, g = jax.jit(jax.value_and_grad(lambda v: fn(v).sum()))(x)
            np.testing.assert_array_equal(np.asarray(g), [2.75, 14.0])  # f_df's f′
            assert float(y) == 10.125
            # f′ alone (no cheap df): the spec's own kernel; f″ too
            d1 = jax.jit(jax.grad(lambda v: jax.grad(fn)(v)))(jnp.float32(2.0))
            assert float(d1) == 12.0
        with jax.enable_x64(True):
            np.testing.assert_array_equal(np.asarray(fn(x)), [0.125, 8.0])
    finally:
        actfn.unregister("toy_f32_cube")


def test_float32_erfc_tables_match_their_generator():
    """The float32 W(a) pieces of exact gelu's cheap kernels (src/actfn/kernels/
    _erfc32_tables.py) are tools/gen_erfc32.py's output (which checks each rounded piece
    within 2^-27 of W at 40 digits), and cover [0, 3) in a and [1/16, 1/3] in 1/a."""
    from actfn.kernels import _erfc32_tables as T

    from .tooling import load_tool

    gen = load_tool("gen_erfc32")
    a, t = gen.pieces()
    assert [tuple((lo, hi, m, tuple(c)) for lo, hi, m, c in p) for p in (a, t)] == [
        T.A_PIECES, T.T_PIECES]
    assert gen.main(["--check"]) == 0
    assert T.A_PIECES[0][0] == 0.0 and T.A_PIECES[-1][1] == 3.0
    assert all(p[1] == q[0] for p, q in zip(T.A_PIECES, T.A_PIECES[1:], strict=False))
    assert T.T_PIECES[0][0] <= 1 / 16 and T.T_PIECES[-1][1] == 1 / 3


def test_float32_tanhshrink_tables_match_their_generator():
    """tanhshrink's float32 polynomials (src/actfn/kernels/_tanh32_tables.py) are
    tools/gen_tanh32.py's output (each checked within 2^-27 at 40 digits)."""
    from actfn.kernels import _tanh32_tables as T

    from .tooling import load_tool

    gen = load_tool("gen_tanh32")
    assert gen.pieces() == {"P": T.P, "S": T.S}
    assert gen.main(["--check"]) == 0
