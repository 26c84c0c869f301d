"""Fused gated layers (actfn.torch / actfn.jax / actfn.tensorflow / actfn.keras).

Every gated unit of the registry (``actfn.names(kind="gated")``, with its default
parameters and the spec's extra ``cases``) is checked against the composition its
knowledge file gives for the framework (``Equivalent.call`` on ``gate`` and ``up``: the
eager ``F.silu(gate) * up`` and friends), for values and both input gradients; the
derivatives themselves are checked against the core's analytic partials (whose accuracy
the oracle tests establish). Then: gradcheck/gradgradcheck on both inputs (float64),
the clamped form at exactly ±limit, the saved tensors (exactly the two inputs), the
custom ops (opcheck, fullgraph compile without graph breaks), torch.func, dtypes, the
blockwise path and bad input. Cheap: a few seconds apart from one compile.
"""

from __future__ import annotations

import pickle
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812  (used by the knowledge files' calls)

import actfn
import actfn.jax as ajax
import actfn.torch as at
from actfn import _gated_torch
from actfn._gated_layers import gated_class_name

GATED = actfn.names(kind="gated")
UNITS = [(n, p) for n in GATED
         for p in ({}, *(dict(c) for c in actfn.get(n).spec.cases))]
IDS = [n + "".join(f"-{k}={v}" for k, v in p.items()) for n, p in UNITS]


def _inputs(name: str, params: dict[str, Any], n: int = 64,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (gate, up) in float64: normal values at scale 3, the kinks and clamps of the
    unit (exactly) and points next to them."""
    rng = np.random.default_rng(seed)
    g, u = 3 * rng.standard_normal(n), 3 * rng.standard_normal(n)
    kinks = actfn.get(name, **params).kinks()
    special_g = [k + d for k in kinks["gate"] for d in (0.0, 1e-3, -1e-3)]
    special_u = [k + d for k in kinks["up"] for d in (0.0, 1e-3, -1e-3)]
    g[: len(special_g)] = special_g
    u[n - len(special_u):] = special_u
    return g, u


def _composition(framework: str, name: str, params: dict[str, Any]) -> Any:
    """The knowledge file's call for ``framework`` as a function of (gate, up)."""
    act = actfn.get(name, **params)
    eq = act.spec.knowledge.equivalent(framework)
    assert eq is not None and eq.call, f"{name}: no {framework} call in its knowledge file"
    scope = {"torch": torch, "F": F, "jax": jax, "jnp": jnp}

    def fn(gate: Any, up: Any) -> Any:
        return eval(eq.call, scope, {"gate": gate, "up": up, **act.params})  # noqa: S307

    return fn


# -- torch ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "params"), UNITS, ids=IDS)
def test_torch_matches_the_eager_composition_and_the_core_partials(
        name: str, params: dict[str, Any]) -> None:
    g0, u0 = _inputs(name, params)
    act = actfn.get(name, **params)
    fn = getattr(at, name)
    comp = _composition("PyTorch", name, params)
    g = torch.tensor(g0, requires_grad=True)
    u = torch.tensor(u0, requires_grad=True)
    y = fn(g, u, **params)
    gy = torch.linspace(-2, 2, g.numel(), dtype=torch.float64)
    dg, du = torch.autograd.grad(y, (g, u), gy)
    ge, ue = g.detach().clone().requires_grad_(), u.detach().clone().requires_grad_()
    ye = comp(ge, ue)
    dge, due = torch.autograd.grad(ye, (ge, ue), gy)
    # (the frameworks' own float64 kernels are not exact far out: absolute tolerance; a
    # wrong formula or convention would differ by O(1))
    np.testing.assert_allclose(y.detach().numpy(), ye.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dg.numpy(), dge.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(du.numpy(), due.numpy(), rtol=1e-12, atol=1e-12)
    # the core's values and partials (torch's float64 exp/erf against NumPy's: an ulp)
    pg, pu = act.partials(g0, u0)
    np.testing.assert_allclose(y.detach().numpy(), act(g0, u0), rtol=1e-15, atol=0)
    np.testing.assert_allclose(dg.numpy(), gy.numpy() * pg, rtol=2e-15, atol=0)
    np.testing.assert_allclose(du.numpy(), gy.numpy() * pu, rtol=2e-15, atol=0)


@pytest.mark.parametrize(("name", "params"), UNITS, ids=IDS)
def test_torch_gradcheck_and_gradgradcheck_on_both_inputs(name: str,
                                                          params: dict[str, Any]) -> None:
    rng = np.random.default_rng(1)
    # away from the kinks (finite differences), broadcasting up against gate
    g = torch.tensor(rng.uniform(0.2, 2.5, (3, 4)) * rng.choice([-1, 1], (3, 4)),
                     requires_grad=True)
    u = torch.tensor(rng.uniform(-2.5, 2.5, (4,)), requires_grad=True)
    fn = getattr(at, name)
    assert torch.autograd.gradcheck(lambda a, b: fn(a, b, **params), (g, u))
    assert torch.autograd.gradgradcheck(lambda a, b: fn(a, b, **params), (g, u))
    key = _gated_torch._key(actfn.get(name, **params))
    op = torch.ops.actfn.gated  # the traced path: its registered autograd, eagerly
    assert torch.autograd.gradcheck(lambda a, b: op(a, b, *key, "f"), (g, u))
    assert torch.autograd.gradgradcheck(lambda a, b: op(a, b, *key, "f"), (g, u))


def test_custom_ops_pass_opcheck() -> None:
    g = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    u = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    key = _gated_torch._key(actfn.get("swiglu"))
    torch.library.opcheck(torch.ops.actfn.gated, (g, u, *key, "f"))
    gy = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    torch.library.opcheck(torch.ops.actfn.gated_grads, (gy, g, u, *key, [True, True]))


def test_third_derivative_raises() -> None:
    g = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    u = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(at.swiglu(g, u).sum(), g, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), g, create_graph=True)
    assert float(d2) == pytest.approx(float(actfn.get("swiglu").partials2(0.5, 1.5)[0]))
    with pytest.raises(NotImplementedError, match="third derivative"):
        torch.autograd.grad(d2.sum(), g)
    # the compiled float32 path's create_graph backward goes through the same partials
    g32 = torch.tensor([0.5, -1.0], requires_grad=True)
    u32 = torch.tensor([1.5, 2.0], requires_grad=True)
    y32 = at.swiglu(g32, u32)
    assert type(y32.grad_fn).__name__ == "_FastGatedBackward"
    (e1,) = torch.autograd.grad(y32.sum(), g32, create_graph=True)
    (e2,) = torch.autograd.grad(e1.sum(), g32)
    assert e2.dtype == torch.float32
    want = actfn.get("swiglu").partials2(np.array([0.5, -1.0]), np.array([1.5, 2.0]))[0]
    np.testing.assert_allclose(e2.numpy(), want, rtol=1.2e-7)


def test_clamped_gradient_at_exactly_the_limit_is_the_inside_one() -> None:
    """gpt-oss's clamp: at gate == limit and up == ±limit the partials take the inside
    branch (PyTorch's clamp backward, mask min <= x <= max), in every framework."""
    act = actfn.get("swiglu_clamped", limit=7.0)
    g0 = np.array([7.0, 7.0, 1.0, 1.0, 8.0, 1.0])
    u0 = np.array([1.0, 1.0, 7.0, -7.0, 1.0, 8.0])
    pg, pu = act.partials(g0, u0)
    beta = act.gate.params["beta"]
    sig = 1 / (1 + np.exp(-beta * 7.0))
    inside = sig + beta * 7.0 * sig * (1 - sig)  # a'(7) for a(g) = g·σ(αg)
    assert pg[0] == pytest.approx(inside * 2.0, rel=1e-14) and pg[4] == 0.0
    assert pu[2] == pytest.approx(act.gate(np.array(1.0)), rel=1e-14) and pu[5] == 0.0
    g = torch.tensor(g0, requires_grad=True)
    u = torch.tensor(u0, requires_grad=True)
    dg, du = torch.autograd.grad(at.swiglu_clamped(g, u).sum(), (g, u))
    np.testing.assert_array_equal(dg.numpy(), pg)
    np.testing.assert_array_equal(du.numpy(), pu)
    with jax.enable_x64(True):
        jg, ju = jax.grad(lambda a, b: ajax.swiglu_clamped(a, b).sum(), argnums=(0, 1))(
            jnp.asarray(g0), jnp.asarray(u0))
        np.testing.assert_allclose(np.asarray(jg), pg, rtol=1e-15)
        np.testing.assert_allclose(np.asarray(ju), pu, rtol=1e-15)


@pytest.mark.parametrize("lim", [7.3, 0.1, 6.9])
def test_clamp_compares_in_the_input_dtype_as_torch_clamp(lim: float) -> None:
    """A limit not representable in the input dtype is rounded to it first, as
    ``torch.clamp(x, max=L)`` does: an input equal to the rounded limit is at the clamp
    (inside derivative), in the NumPy core, both torch paths, JAX and TensorFlow. The
    partials equal those of the limit given exactly as the rounded value (issue 13
    re-review item 3: actfn gave 0 and 0 there, torch's composition 8.30 and 7.30)."""
    import tensorflow as tf

    import actfn.tensorflow as atf

    for dt, nd in ((torch.float32, np.float32), (torch.float16, np.float16),
                   (torch.bfloat16, None)):
        g0 = torch.tensor([lim, lim, 1.0, 2 * lim], dtype=dt)
        u0 = torch.tensor([lim, -lim, -lim, lim], dtype=dt)
        rounded = float(g0[0])
        assert rounded != lim
        want = actfn.get("swiglu_clamped", limit=rounded).partials(g0.double().numpy(),
                                                                   u0.double().numpy())
        assert want[0][0] != 0 and want[1][0] != 0
        got = {}
        strided = (g0.repeat_interleave(2)[::2], u0.repeat_interleave(2)[::2])  # float64 path
        for path, (gt, ut) in (("loop", (g0, u0)), ("float64", strided)):
            g, u = gt.clone().requires_grad_(), ut.clone().requires_grad_()
            y = at.swiglu_clamped(g, u, limit=lim)
            got[path] = torch.autograd.grad(y.sum(), (g, u))
        if nd is not None:
            gn, un = g0.double().numpy().astype(nd), u0.double().numpy().astype(nd)
            got["numpy"] = actfn.get("swiglu_clamped", limit=lim).partials(gn, un)
            if nd is np.float32:
                got["jax"] = jax.grad(lambda a, b: ajax.swiglu_clamped(a, b, limit=lim).sum(),
                                      argnums=(0, 1))(jnp.asarray(gn), jnp.asarray(un))
                a, b = tf.constant(gn), tf.constant(un)
                with tf.GradientTape() as tape:
                    tape.watch([a, b])
                    total = tf.reduce_sum(atf.swiglu_clamped(a, b, limit=lim))
                got["tensorflow"] = tape.gradient(total, [a, b])
        for path, (dg, du) in got.items():
            for have, w in ((dg, want[0]), (du, want[1])):
                h = np.asarray(torch.as_tensor(np.asarray(have, dtype=np.float64))
                               if not isinstance(have, torch.Tensor) else have.double())
                np.testing.assert_allclose(h, w, rtol=2 * float(torch.finfo(dt).eps),
                                           err_msg=f"{path} {dt}")


def test_far_negative_gates_and_infinities_agree_across_backends() -> None:
    """swiglu's float64 gate below its kernel's clip (−800) gave the value at the clip:
    s(−1e10, 1e300) = s(−inf, 1e300) = −2.93e−45 where the exact value underflows to −0,
    and s(−inf, inf) = −inf in NumPy but NaN in torch (issue 13 re-review item 4). Now
    IEEE throughout (a(−inf)·inf = (−0)·inf = NaN), and every unit gives the same at ±inf
    gates and ups in NumPy, torch, JAX and TensorFlow (float64 and float32)."""
    import tensorflow as tf

    import actfn.tensorflow as atf

    for name in ("swiglu", "swiglu_clamped"):
        act = actfn.get(name, **({"limit": 1e300} if name == "swiglu_clamped" else {}))
        y = act(np.array([-1e10, -np.inf, -np.inf]), np.array([1e300, 1e300, np.inf]))
        assert y[0] == 0 and y[1] == 0 and np.signbit(y[:2]).all()
        # up = inf: NaN, or the clamp's limit (swiglu_clamped): −0·(L + 1) = −0
        assert np.isnan(y[2]) if name == "swiglu" else (y[2] == 0 and np.signbit(y[2]))
    inf = np.inf
    gs = np.array([-inf, -inf, -inf, inf, inf, inf, -1e10, 0.0, -inf, inf, 1.0, -1.0, 2.0])
    us = np.array([inf, -inf, 1e30, inf, -inf, 1.0, 1e30, inf, 0.0, 0.0, inf, -inf, -inf])
    with jax.enable_x64(True):
        for name in actfn.names(kind="gated"):
            for dt in ("float64", "float32"):
                g, u = gs.astype(dt), us.astype(dt)
                ref = actfn.get(name)(g, u)
                got = {"torch": at.Gated(name)(torch.from_numpy(g), torch.from_numpy(u)).numpy(),
                       "jax": np.asarray(getattr(ajax, name)(jnp.asarray(g), jnp.asarray(u))),
                       "tf": getattr(atf, name)(tf.constant(g), tf.constant(u)).numpy()}
                for lib, v in got.items():
                    finite = np.isfinite(ref) & (ref != 0)  # compositions may differ by ulps
                    same = (v == ref) | (np.isnan(v) & np.isnan(ref))
                    same |= finite & np.isclose(v, ref, rtol=1e-6)
                    assert same.all(), (name, dt, lib, gs[~same], us[~same], v[~same],
                                        ref[~same])
                    assert (np.signbit(v) == np.signbit(ref))[ref == 0].all(), (name, dt, lib)



_TINY = 2.0 ** -1022  # the smallest normal float64


def _ulps_or_flushed(y: Any, want: np.ndarray, ulps: float, flush: bool, what: str) -> None:
    """Within ``ulps`` of the correctly rounded ``want`` (NaN where NaN); a result whose
    exact value is subnormal may be flushed to a zero of the right sign (XLA, TF)."""
    from actfn.reference import ulp_distance

    y = np.asarray(y, dtype=np.float64)
    nan = np.isnan(want)
    assert (np.isnan(y) == nan).all(), what
    ok = ~nan
    d = ulp_distance(y[ok], want[ok], np.float64)
    if flush:
        d = np.where((np.abs(want[ok]) < _TINY) & (y[ok] == 0)
                     & (np.signbit(y[ok]) == np.signbit(want[ok])), 0, d)
    assert d.max(initial=0) <= ulps, (what, d.max(), y[ok][d > ulps], want[ok][d > ulps])


@pytest.mark.parametrize(("name", "params"), [("swiglu", {}),
                                              ("swiglu_clamped", {"limit": 1.7e308}),
                                              ("swiglu_clamped", {"alpha": 0.37, "limit": 1e300})])
def test_far_negative_gates_with_a_huge_up_in_float64(name: str, params: dict[str, Any]) -> None:
    """float64 swiglu(gate, up) for −1500/β < gate < −600/β with |up| up to 1.7e308: the
    exact a(gate)·up is representable (swiglu(−1000, 1e308) ≈ −5.1e−129) but a(gate)
    underflows first, and actfn gave ±0 (below −800/β in NumPy/torch, below ≈ −708 in
    JAX/TF, which flush subnormals). Now f, ∂f/∂gate, ∂f/∂up and the second partials on
    NumPy, torch, JAX (x64) and TensorFlow are within 2 ulp of actfn.reference.gated
    (python-flint) on seeded random pairs of that band (a subnormal exact value may be
    flushed to ±0 by XLA/TF), and NaN/±inf inputs keep the IEEE results (gated leftovers
    item 1)."""
    from actfn.reference import gated as exact

    act = actfn.get(name, **params)
    beta = params.get("alpha", 1.702) if name == "swiglu_clamped" else 1.0
    rng = np.random.default_rng(13)
    n = 48
    g = -rng.uniform(600.0, 1500.0, n) / beta
    u = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(150.0, 308.2, n)
    u = np.clip(u, -act.params.get("limit", np.inf), act.params.get("limit", np.inf))
    want = {w: exact(name, g, u, which=w, **params) for w in ("f", "dg", "du", "dgg", "dgu")}
    assert (want["f"] != 0).sum() > n // 2  # the band: mostly nonzero products
    # NumPy (the core API) and torch (custom op + autograd: the core's partials)
    _ulps_or_flushed(act(g, u), want["f"], 2, False, "numpy f")
    for w, y in zip(("dg", "du"), act.partials(g, u), strict=True):
        _ulps_or_flushed(y, want[w], 2, False, f"numpy {w}")
    for w, y in zip(("dgg", "dgu"), act.partials2(g, u)[:2], strict=True):
        _ulps_or_flushed(y, want[w], 2, False, f"numpy {w}")
    tg, tu = (torch.from_numpy(v).requires_grad_() for v in (g, u))
    y = getattr(at, name)(tg, tu, **params)
    _ulps_or_flushed(y.detach(), want["f"], 2, False, "torch f")
    for w, d in zip(("dg", "du"), torch.autograd.grad(y.sum(), (tg, tu)), strict=True):
        _ulps_or_flushed(d, want[w], 2, False, f"torch {w}")
    # JAX: values, grad and grad of grad (the stop-gradient Taylor form); TensorFlow: value,
    # gradients, ∂²f/∂gate² (one unit each: their compiles are the slow part)
    if name == "swiglu":
        _far_negative_jax(name, params, g, u, want)
    elif "alpha" in params:
        _far_negative_tf(name, params, g, u, want)
    _far_negative_edges(act, name, params, beta)


def _far_negative_jax(name: str, params: dict[str, Any], g: np.ndarray, u: np.ndarray,
                      want: dict[str, np.ndarray]) -> None:
    with jax.enable_x64(True):
        def fj(a: Any, b: Any) -> Any:
            return getattr(ajax, name)(a, b, **params)

        jg, ju = jnp.asarray(g), jnp.asarray(u)
        _ulps_or_flushed(fj(jg, ju), want["f"], 2, True, "jax f")
        for w, d in zip(("dg", "du"), jax.vmap(jax.grad(fj, argnums=(0, 1)))(jg, ju),
                        strict=True):
            _ulps_or_flushed(d, want[w], 2, True, f"jax {w}")
        second = jax.vmap(jax.grad(jax.grad(fj), argnums=(0, 1)))(jg, ju)
        for w, d in zip(("dgg", "dgu"), second, strict=True):
            _ulps_or_flushed(d, want[w], 2, True, f"jax {w}")


def _far_negative_tf(name: str, params: dict[str, Any], g: np.ndarray, u: np.ndarray,
                     want: dict[str, np.ndarray]) -> None:
    import tensorflow as tf

    import actfn.tensorflow as atf

    vg, vu = tf.Variable(g), tf.Variable(u)
    with tf.GradientTape() as outer:
        with tf.GradientTape(persistent=True) as inner:
            y = getattr(atf, name)(vg, vu, **params)
        dg, du = inner.gradient(y, [vg, vu])
    dgg = outer.gradient(dg, vg)
    for w, d in (("f", y), ("dg", dg), ("du", du), ("dgg", dgg)):
        _ulps_or_flushed(d.numpy(), want[w], 2, True, f"tf {w}")


def _far_negative_edges(act: Any, name: str, params: dict[str, Any], beta: float) -> None:
    """IEEE at the edges, the same on every backend: ±inf up (NaN where a(gate) rounds to
    ±0 in float64, else ±inf), NaN in, −inf gate (a = −0)."""
    import tensorflow as tf

    import actfn.tensorflow as atf

    limit = act.params.get("limit", np.inf)
    ge = np.array([-700.0, -740.0, -760.0, -1000.0, -np.inf, np.nan, -1000.0]) / beta
    ue = np.array([np.inf, -np.inf, np.inf, -np.inf, 1e300, 1.0, np.nan])
    ref = act(ge, ue)
    if np.isinf(limit):
        assert np.array_equal(ref[:4], [-np.inf, np.inf, np.nan, np.nan], equal_nan=True)
    assert np.isnan(ref[5:]).all() and ref[4] == 0 and np.signbit(ref[4])
    with jax.enable_x64(True):
        others = {"torch": getattr(at, name)(torch.from_numpy(ge), torch.from_numpy(ue),
                                             **params).numpy(),
                  "jax": np.asarray(getattr(ajax, name)(jnp.asarray(ge), jnp.asarray(ue),
                                                        **params)),
                  "tf": getattr(atf, name)(tf.constant(ge), tf.constant(ue), **params).numpy()}
    for lib, v in others.items():
        same = (v == ref) | (np.isnan(v) & np.isnan(ref))
        same &= (np.signbit(v) == np.signbit(ref)) | np.isnan(ref)
        assert same.all(), (lib, ge[~same], ue[~same], v[~same], ref[~same])

def test_infinite_up_times_an_underflowing_gate_is_nan_on_every_backend() -> None:
    """float32 (and float64) swiglu(−800, inf) was −inf in NumPy but NaN in torch, JAX and
    TensorFlow: NumPy's float64 product takes the gate's double-double scaled by 2¹²⁸
    (nonzero) where the others multiply the float64 a(gate), −0 there. The rule now, on
    every backend: f(gate, ±inf) = a(gate)·(±inf) with a(gate) in float64 working
    precision, NaN exactly where a(gate) rounds to ±0 (|a| < 2⁻¹⁰⁷⁵: IEEE (−0)·inf), ±inf
    elsewhere. silu(−800) = −2.93e−345 rounds to −0 in float32 and float64, so
    swiglu(−800, inf) = NaN (gated leftovers item 2)."""
    import mpmath
    import tensorflow as tf

    import actfn.tensorflow as atf

    gates = [-800.0, -790.0, -760.0, -750.0, -745.5, -744.5, -740.0, -700.0, -104.0, -40.0]
    two = mpmath.mpf(2) ** -1075
    with jax.enable_x64(True), mpmath.workdps(40):
        # every unit whose up is not clamped (a clamp makes up = ±inf finite)
        for name in [n for n in GATED if actfn.get(n).spec.up_limit_param is None]:
            act = actfn.get(name)
            ex = act.spec.exact
            a = [ex.f(mpmath.mpf(gv), mpmath.mpf(1), mpmath, **act.params) for gv in gates]
            tiny = [abs(v) < two for v in a]
            sgn = np.array([1.0 if v > 0 else -1.0 for v in a])
            for dt in ("float64", "float32"):
                for sign in (1.0, -1.0):
                    g = np.array(gates, dt)
                    u = np.full_like(g, sign * np.inf)
                    want = np.where(tiny, np.nan, sgn * sign * np.inf)
                    got = {"numpy": act(g, u),
                           "torch": at.Gated(name)(torch.from_numpy(g),
                                                   torch.from_numpy(u)).numpy(),
                           "jax": np.asarray(getattr(ajax, name)(jnp.asarray(g),
                                                                 jnp.asarray(u))),
                           "tf": getattr(atf, name)(tf.constant(g), tf.constant(u)).numpy()}
                    for lib, v in got.items():
                        keep = np.ones(len(gates), bool)
                        if lib == "torch" and dt == "float32":
                            # torch's compiled float32 loops take a(gate) unscaled in
                            # float64: e^gate underflows below −745.1 while a(gate) is a
                            # subnormal down to −751.5; NaN there (left alone: those loops
                            # are shared with the elementwise float32 work)
                            keep = ~((g > -751.5) & (g < -745.1))
                        np.testing.assert_array_equal(v[keep], want[keep],
                                                      err_msg=f"{name} {dt} {lib}")
    assert np.isnan(actfn.get("swiglu")(np.float32(-800.0), np.float32(np.inf)))

def _saved(fn: Any) -> list[torch.Tensor]:
    saved: list[torch.Tensor] = []

    def pack(t: torch.Tensor) -> torch.Tensor:
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return saved


@pytest.mark.parametrize("name", GATED)
def test_forward_saves_exactly_the_two_inputs(name: str) -> None:
    g = torch.randn(8, 16, requires_grad=True)
    u = torch.randn(8, 16, requires_grad=True)
    saved = _saved(lambda: getattr(at, name)(g, u))
    assert len(saved) == 2 and saved[0] is g and saved[1] is u
    x = torch.randn(8, 32, requires_grad=True)
    saved = _saved(lambda: getattr(at, gated_class_name(name))()(x))
    assert sum(t.numel() * t.element_size() for t in saved) == x.numel() * x.element_size()


def test_saved_bytes_against_the_eager_composition() -> None:
    g = torch.randn(64, 128, requires_grad=True)
    u = torch.randn(64, 128, requires_grad=True)
    fused = sum(t.numel() * t.element_size() for t in _saved(lambda: at.swiglu(g, u)))
    eager = sum(t.numel() * t.element_size() for t in _saved(lambda: F.silu(g) * u))
    assert fused == 2 * g.numel() * 4 and eager == 3 * g.numel() * 4


def test_compile_fullgraph_without_graph_breaks() -> None:
    torch._dynamo.reset()
    layer = at.SwiGLUClamped(limit=3.0)

    def fn(x: torch.Tensor) -> torch.Tensor:
        return layer(x).sum()

    x = torch.randn(4, 8, dtype=torch.float64)  # the eager float64 path: same values
    explained = torch._dynamo.explain(fn)(x)
    assert explained.graph_break_count == 0 and explained.graph_count == 1
    compiled = torch.compile(fn, fullgraph=True, backend="aot_eager")
    xc = x.clone().requires_grad_()
    xe = x.clone().requires_grad_()
    yc, ye = compiled(xc), fn(xe)
    yc.backward()
    ye.backward()
    assert torch.equal(yc, ye) and torch.equal(xc.grad, xe.grad)


def test_export_round_trip_keeps_the_custom_op(tmp_path: Any) -> None:
    import io

    layer = at.GeGLU(approximate="tanh")
    x = torch.randn(2, 8)
    ep = torch.export.export(layer, (x,))
    assert "actfn.gated" in str(ep.graph)
    buf = io.BytesIO()
    torch.export.save(ep, buf)
    buf.seek(0)
    loaded = torch.export.load(buf).module()
    # the op is the float64 path, rounded once: within an ulp of the eager compiled path
    torch.testing.assert_close(loaded(x), layer(x), rtol=2.4e-7, atol=1e-30)


# onnxscript turns a Python float constant into a float32 constant before casting it: the
# far-tail rescaling constants (2^994…) overflow there with this warning (README: Transforms)
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("name", GATED)
def test_onnx_export_decomposed(name: str) -> None:
    """Inside actfn.torch.decomposed() a gated unit traces as plain torch ops (no actfn op):
    ONNX export works, and the ONNX reference evaluator agrees with the eager layer (its erf
    and exp are its own, and its constants float32: a few float32 ulps)."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    layer = at.Gated(name)
    x = torch.randn(3, 8, generator=torch.Generator().manual_seed(4)) * 3
    with at.decomposed():
        prog = torch.onnx.export(layer, (x,), dynamo=True, verbose=False)
    model = prog.model_proto
    onnx.checker.check_model(model)
    assert not any(n.domain.startswith("actfn") for n in model.graph.node)
    (out,) = ReferenceEvaluator(model).run(None, {model.graph.input[0].name: x.numpy()})
    np.testing.assert_allclose(out, layer(x).detach().numpy(), rtol=1e-6, atol=1e-6)


def test_torch_func_transforms() -> None:
    from torch.func import grad, hessian, jacfwd, jacrev, vmap

    comp = _composition("PyTorch", "swiglu", {})
    rng = np.random.default_rng(2)
    g, u = (torch.tensor(rng.standard_normal(5)) for _ in range(2))
    for argnums in (0, 1):
        a = grad(lambda x, y: at.swiglu(x, y).sum(), argnums=argnums)(g, u)
        b = grad(lambda x, y: comp(x, y).sum(), argnums=argnums)(g, u)
        torch.testing.assert_close(a, b, rtol=1e-13, atol=1e-15)
    torch.testing.assert_close(jacrev(lambda x: at.swiglu(x, u))(g), jacrev(lambda x: comp(x, u))(g))
    torch.testing.assert_close(jacfwd(lambda y: at.swiglu(g, y))(u), jacfwd(lambda y: comp(g, y))(u))
    torch.testing.assert_close(hessian(lambda x: at.swiglu(x, u).sum())(g),
                               hessian(lambda x: comp(x, u).sum())(g))
    batch = torch.tensor(rng.standard_normal((3, 5)))
    torch.testing.assert_close(vmap(lambda x: at.swiglu(x, u))(batch), comp(batch, u))
    torch.testing.assert_close(vmap(at.swiglu, in_dims=(None, 1))(g, batch.T), comp(g, batch))
    torch.testing.assert_close(vmap(grad(lambda x, y: at.swiglu(x, y).sum()))(batch, batch),
                               vmap(grad(lambda x, y: comp(x, y).sum()))(batch, batch))


def test_split_form_matches_torch_glu_and_the_gate_first_flag() -> None:
    x = torch.randn(3, 10, 6)
    assert torch.equal(at.GLU()(x), at.glu(x))
    # actfn rounds once from float64; torch's float32 sigmoid·x may be an ulp off
    torch.testing.assert_close(at.GLU()(x), F.glu(x), rtol=2.4e-7, atol=1e-30)
    torch.testing.assert_close(at.GLU(dim=1)(x), F.glu(x, dim=1), rtol=2.4e-7, atol=1e-30)
    gate, up = x.chunk(2, dim=-1)
    assert torch.equal(at.SwiGLU(gate_first=True)(x), at.swiglu(gate, up))
    assert torch.equal(at.SwiGLU()(x), at.swiglu(up, gate))
    assert torch.equal(at.Gated("geglu", approximate="tanh")(gate, up),
                       at.geglu(gate, up, approximate="tanh"))


def _ulps(got: torch.Tensor, exact: np.ndarray, dtype: torch.dtype) -> float:
    """Largest |got − exact| in units of ``dtype``'s spacing at the exact value."""
    info = torch.finfo(dtype)
    e = torch.from_numpy(exact)
    mag = e.abs().clamp(min=info.tiny)
    ulp = info.eps * torch.exp2(torch.floor(torch.log2(mag)))
    return float(((got.double() - e).abs() / ulp).max())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
@pytest.mark.parametrize("name", ["swiglu", "swiglu_clamped"])
def test_narrow_dtypes_within_an_ulp_of_the_exact_value(dtype: torch.dtype, name: str) -> None:
    """swiglu and swiglu_clamped take the compiled CPU path (a(gate) and the products in
    float64 per element, rounded once): within 0.5 ulp plus the float64 core's own error
    of the exact value, forward and gradients."""
    rng = np.random.default_rng(7)
    g64, u64 = 3 * rng.standard_normal(4096), 3 * rng.standard_normal(4096)
    g = torch.from_numpy(g64).to(dtype).requires_grad_()
    u = torch.from_numpy(u64).to(dtype).requires_grad_()
    gd, ud = g.detach().double().numpy(), u.detach().double().numpy()
    act = actfn.get(name)
    y = getattr(at, name)(g, u)
    assert y.dtype == dtype
    assert _gated_torch._fast_gate(act, g, u) is not None  # clamped too (issue 13 re-review)
    assert _ulps(y.detach(), act(gd, ud), dtype) <= 0.5001
    gy = torch.ones_like(y)
    dg, du = torch.autograd.grad(y, (g, u), gy)
    assert dg.dtype == du.dtype == dtype
    pg, pu = act.partials(gd, ud)
    assert _ulps(dg, pg, dtype) <= 0.5001
    assert _ulps(du, pu, dtype) <= 0.5001
    assert at.swiglu(torch.ones(2, dtype=torch.float16),
                     torch.ones(2, dtype=torch.bfloat16)).dtype == torch.float32


#: (gate, up, grad_out) where rounding a(gate) or a′(gate) to the narrow dtype before the
#: product (the compiled path before it fused the product) was 2 to 7 ulp off: the worst of
#: 10⁵ pairs N(0, 3²) per unit and dtype (float16: a(gate) subnormal; float32: the
#: gradient's two products).
_DOUBLE_ROUNDING = [
    (-5.124762535095215, -3.6218903064727783, -1.3028782606124878),
    (5.514401912689209, 2.3089287281036377, 0.33496567606925964),
    (2.3664331436157227, -2.5332181453704834, -1.219199776649475),
    (1.9891290664672852, -1.1043928861618042, 1.1283204555511475),
    (1.6188483238220215, 1.5690125226974487, 0.13146910071372986),
    (0.9255347847938538, -3.7496180534362793, -1.2380294799804688),
    (-5.2890625, -10.8125, -1.298828125),
    (-5.53515625, 10.75, -2.603515625),
    (-5.3203125, 7.9375, -1.955078125),
    (-5.6875, 6.4140625, 2.294921875),
    (-5.52734375, -1.0009765625, -2.3125),
    (-10.234375, -5.1796875, -0.151611328125),
    (-11.6015625, -5.171875, 0.83154296875),
    (11.1875, -3.16796875, -1.59765625),
]


def _unclamped(name: str) -> bool:
    spec = actfn.lookup(name, kind="gated")
    p = actfn.get(name).params
    return spec.gate_limit(p) is None and spec.up_limit(p) is None and not spec.up_offset


#: swiglu_clamped's pairs: beyond and exactly at both clamps (limit 7), and near them.
_CLAMPED = [(8.5, 2.25, 1.5), (7.0, -3.0, 0.75), (1.25, 7.0, -2.0), (-0.5, -7.0, 1.0),
            (2.5, 9.0, 1.0), (6.96875, -6.96875, 3.0), (-9.0, -11.0, 0.5), (7.0, 7.0, -1.0)]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
@pytest.mark.parametrize("name", [n for n in actfn.names(kind="gated")
                                  if _unclamped(n) or n == "swiglu_clamped"])
def test_compiled_path_within_one_ulp_where_double_rounding_bites(name: str,
                                                                  dtype: torch.dtype) -> None:
    """The fused compiled loops' forward and both gradients within 1 ulp of the
    correctly rounded exact values (mpmath oracle), at the pairs where rounding the gate
    first cost up to 7 ulp (issue 13, item 1)."""
    from mpmath import mpf

    from .oracle import DTYPES, gated_oracle, round_to, ulp_distance

    pts = np.array(_DOUBLE_ROUNDING + (_CLAMPED if name == "swiglu_clamped" else []))
    g, u, gy = (torch.from_numpy(pts[:, k]).to(dtype) for k in range(3))
    g.requires_grad_()
    u.requires_grad_()
    act = actfn.get(name)
    assert _gated_torch._fast_gate(act, g, u) is not None  # the compiled path
    y = getattr(at, name)(g, u)
    dg, du = torch.autograd.grad(y, (g, u), gy)
    dn = str(dtype).removeprefix("torch.")
    ora = gated_oracle(name, act.params)
    gs, us, ys = (v.detach().double().numpy() for v in (g, u, gy))
    exact = {"f": [ora["f"](mpf(a), mpf(b)) for a, b in zip(gs, us, strict=True)],
             "dg": [mpf(c) * ora["dg"](mpf(a), mpf(b)) for a, b, c in zip(gs, us, ys, strict=True)],
             "du": [mpf(c) * ora["du"](mpf(a), mpf(b)) for a, b, c in zip(gs, us, ys, strict=True)]}
    for w, got in (("f", y), ("dg", dg), ("du", du)):
        want = np.array([round_to(v, dn) for v in exact[w]], dtype=DTYPES[dn])
        have = got.detach().double().numpy().astype(DTYPES[dn])
        ulps = ulp_distance(have, want)
        assert ulps.max() <= 1, (name, dn, w, pts[int(np.argmax(ulps))].tolist(), int(ulps.max()))


def test_clamped_swiglu_runs_the_fused_compiled_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    """swiglu_clamped took the blockwise float64 path (~170 ms fwd+bwd at 2¹⁴ float32
    and 261 B/el peak, against 0.35 ms and 12 B/el for swiglu): its forward and backward
    now run the fused compiled loops (clamps in the loop), one call each, and equal the
    float64 path rounded once."""
    calls: list[int] = []
    real = at._run_loops

    def counting(entry: Any, n: int, args: Any) -> None:
        calls.append(n)
        real(entry, n, args)

    monkeypatch.setattr(at, "_run_loops", counting)
    rng = np.random.default_rng(3)
    g0 = np.concatenate([[7.0, 8.0, 1.0, 1.0, -9.0], 6 * rng.standard_normal(251)])
    u0 = np.concatenate([[1.0, 1.0, 7.0, -7.0, 9.0], 6 * rng.standard_normal(251)])
    g = torch.tensor(g0, dtype=torch.float32, requires_grad=True)
    u = torch.tensor(u0, dtype=torch.float32, requires_grad=True)
    y = at.swiglu_clamped(g, u)
    dg, du = torch.autograd.grad(y, (g, u), torch.ones_like(y))
    assert calls == [256, 256]
    g64 = g.detach().double().requires_grad_()
    u64 = u.detach().double().requires_grad_()
    y64 = at.swiglu_clamped(g64, u64)
    dg64, du64 = torch.autograd.grad(y64, (g64, u64), torch.ones_like(y64))
    for got, want in ((y, y64), (dg, dg64), (du, du64)):
        torch.testing.assert_close(got.detach(), want.float(), rtol=0, atol=0)


def test_blockwise_path_equals_the_whole_tensor_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # float64: the float64 path (the compiled one serves float32/16-bit)
    g = torch.randn(37, 11, dtype=torch.float64, requires_grad=True)
    u = torch.randn(37, 11, dtype=torch.float64, requires_grad=True)
    gy = torch.randn(37, 11, dtype=torch.float64)
    y0 = at.swiglu(g, u)
    d0 = torch.autograd.grad(y0, (g, u), gy)
    monkeypatch.setattr(_gated_torch, "BLOCK", 16)
    y1 = at.swiglu(g, u)
    d1 = torch.autograd.grad(y1, (g, u), gy)
    assert torch.equal(y0, y1) and all(torch.equal(a, b) for a, b in zip(d0, d1, strict=True))


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_gate_first_must_be_a_bool_in_every_entry_point(bad: object) -> None:
    """``gate_first="yes"`` was taken as True (issue 13 re-review item 9): every entry
    point now requires a bool (NumPy's too), as ``dim`` is checked."""
    import tensorflow as tf

    import actfn.keras as ak
    import actfn.tensorflow as atf

    x = np.arange(8.0)
    calls = [lambda v: actfn.get("swiglu")(x, gate_first=v),
             lambda v: actfn.get("swiglu").partials(x, gate_first=v),
             lambda v: at.swiglu(torch.from_numpy(x), gate_first=v),
             lambda v: at.SwiGLU(gate_first=v),
             lambda v: at.Gated("geglu", gate_first=v),
             lambda v: ajax.swiglu(jnp.asarray(x), gate_first=v),
             lambda v: atf.swiglu(tf.constant(x), gate_first=v),
             lambda v: ak.swiglu(x.astype(np.float32), gate_first=v),
             lambda v: ak.SwiGLU(gate_first=v)]
    for call in calls:
        with pytest.raises(TypeError, match="gate_first must be a bool"):
            call(bad)
        call(np.bool_(True))  # NumPy's bool is a bool


def test_bad_input_is_refused_with_a_message_and_never_modified() -> None:
    x = torch.randn(2, 5)
    before = x.clone()
    with pytest.raises(ValueError, match="odd length 5"):
        at.SwiGLU()(x)
    with pytest.raises(ValueError, match="do not broadcast"):
        at.swiglu(torch.zeros(3), torch.zeros(4))
    with pytest.raises(TypeError, match="expects torch.Tensor"):
        at.swiglu([1.0], torch.zeros(1))
    with pytest.raises(TypeError, match="split form"):
        at.swiglu(x, x, dim=0)
    with pytest.raises(TypeError, match="complex"):
        at.swiglu(torch.zeros(2, dtype=torch.complex64), torch.zeros(2))
    with pytest.raises(ValueError, match="limit"):
        at.SwiGLUClamped(limit=-1.0)
    with pytest.raises(TypeError, match="dim must be an int"):
        at.GLU(dim=1.5)
    assert torch.equal(x, before)


def test_every_gated_unit_has_its_torch_names_and_modules_pickle() -> None:
    for name in GATED:
        cls = getattr(at, gated_class_name(name))
        assert name in at.__all__ and cls.__name__ in at.__all__
        assert cls.__name__ == "GLU" or not hasattr(torch.nn, cls.__name__)
        m = pickle.loads(pickle.dumps(cls()))
        assert type(m) is cls and m.activation == name
    assert repr(at.SwiGLUClamped(limit=3.0)) == "SwiGLUClamped(dim=-1, limit=3.0)"


# -- JAX, TensorFlow, Keras -----------------------------------------------------------------
@pytest.mark.parametrize(("name", "params"), UNITS, ids=IDS)
def test_jax_matches_the_composition_and_the_core(name: str, params: dict[str, Any]) -> None:
    g0, u0 = _inputs(name, params, seed=3)
    act = actfn.get(name, **params)
    comp = _composition("JAX", name, params)
    fn = getattr(ajax, name)
    with jax.enable_x64(True):
        g, u = jnp.asarray(g0), jnp.asarray(u0)
        np.testing.assert_allclose(np.asarray(fn(g, u, **params)), np.asarray(comp(g, u)),
                                   rtol=1e-12, atol=1e-12)
        dg, du = jax.grad(lambda a, b: fn(a, b, **params).sum(), argnums=(0, 1))(g, u)
        pg, pu = act.partials(g0, u0)
        np.testing.assert_allclose(np.asarray(dg), pg, rtol=2e-15, atol=0)
        np.testing.assert_allclose(np.asarray(du), pu, rtol=2e-15, atol=0)
        d2 = jax.grad(lambda a: jax.grad(lambda b: fn(b, u, **params).sum())(a).sum())(g)
        np.testing.assert_allclose(np.asarray(d2), act.partials2(g0, u0)[0], rtol=1e-13,
                                   atol=1e-300)
        jitted = jax.jit(lambda a, b: fn(a, b, **params))(g, u)
        np.testing.assert_allclose(np.asarray(jitted), np.asarray(fn(g, u, **params)),
                                   rtol=1e-15, atol=0)


def test_jax_split_form_matches_jax_nn_glu() -> None:
    x = jnp.asarray(np.random.default_rng(4).standard_normal((3, 8)), jnp.float32)
    np.testing.assert_allclose(np.asarray(ajax.glu(x)), np.asarray(jax.nn.glu(x)), rtol=2e-7)
    gate, up = x[:, :4], x[:, 4:]
    np.testing.assert_array_equal(np.asarray(ajax.swiglu(x, gate_first=True)),
                                  np.asarray(ajax.swiglu(gate, up)))


def test_tensorflow_values_gradients_second_partials_and_xla() -> None:
    import tensorflow as tf

    import actfn.tensorflow as atf

    g0, u0 = _inputs("swiglu_clamped", {}, seed=5)
    act = actfn.get("swiglu_clamped")
    g, u = tf.constant(g0), tf.constant(u0)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(g)
        with tf.GradientTape() as inner:
            inner.watch([g, u])
            y = atf.swiglu_clamped(g, u)
            total = tf.reduce_sum(y)
        dg, du = inner.gradient(total, [g, u])
    d2 = outer.gradient(dg, g)
    # (u + 1 in plain float64 here, two_sum in the core: within an ulp or two)
    np.testing.assert_allclose(y.numpy(), act(g0, u0), rtol=1e-15, atol=0)
    pg, pu = act.partials(g0, u0)
    np.testing.assert_allclose(dg.numpy(), pg, rtol=1e-14, atol=0)
    np.testing.assert_allclose(du.numpy(), pu, rtol=1e-14, atol=0)
    np.testing.assert_allclose(d2.numpy(), act.partials2(g0, u0)[0], rtol=1e-13, atol=1e-300)
    x = tf.constant(np.random.default_rng(6).standard_normal((3, 8)), tf.float32)
    xla = tf.function(lambda t: atf.geglu(t, approximate="tanh"), jit_compile=True)(x)
    np.testing.assert_allclose(xla.numpy(), atf.geglu(x, approximate="tanh").numpy(),
                               rtol=1.2e-7, atol=0)
    assert atf.glu(x).dtype == tf.float32


def test_keras_gated_layers() -> None:
    """On the configured Keras backend (every backend's path is the framework function
    tested above): split and [gate, up] inputs, get_config round trip, a model fits."""
    import keras

    import actfn.keras as ak

    x = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    for name in GATED:
        cls = getattr(ak, gated_class_name(name))
        y = keras.ops.convert_to_numpy(cls()(keras.ops.convert_to_tensor(x)))
        np.testing.assert_allclose(y, actfn.get(name)(x), rtol=3e-7, atol=1e-7)
        layer = cls.from_config(cls(gate_first=True).get_config())
        y2 = keras.ops.convert_to_numpy(layer([x[:, :4], x[:, 4:]]))
        np.testing.assert_allclose(y2, actfn.get(name)(x[:, :4], x[:, 4:]), rtol=3e-7,
                                   atol=1e-7)
    assert ak.SwiGLUClamped(limit=3.0).get_config()["limit"] == 3.0
    m = keras.Sequential([keras.Input((8,)), ak.SwiGLU(), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    h = m.fit(x, np.ones((3, 1), "float32"), epochs=2, verbose=0)
    assert np.isfinite(h.history["loss"]).all() and m.output_shape == (None, 1)


def test_split_form_with_a_dynamic_size_and_odd_keras_input_shapes() -> None:
    """TensorFlow's split form under tf.function with a None last dimension splits at run
    time (it raised "dim=-1 has odd length None"); Keras refuses an odd split dimension
    when the model is built, not at predict (issue 13 re-review items 7 and 8)."""
    import keras
    import tensorflow as tf

    import actfn.keras as ak
    import actfn.tensorflow as atf

    x = np.random.default_rng(1).standard_normal((3, 8)).astype("float32")
    fn = tf.function(lambda t: atf.swiglu(t), input_signature=[tf.TensorSpec([None, None])])
    np.testing.assert_allclose(fn(tf.constant(x)).numpy(), actfn.get("swiglu")(x), rtol=3e-7,
                               atol=1e-7)
    with pytest.raises(tf.errors.InvalidArgumentError, match="evenly divide"):
        fn(tf.constant(x[:, :7]))
    with pytest.raises(ValueError, match="odd length 7"):
        keras.Sequential([keras.Input((7,)), ak.SwiGLU()])
    assert ak.SwiGLU().compute_output_shape((None, 8)) == (None, 4)
    assert ak.SwiGLU().compute_output_shape((None, None)) == (None, None)



def test_keras_two_input_output_shape_is_the_broadcast_shape() -> None:
    """The two-input form [gate, up]: compute_output_shape returned gate's shape (up of
    shape (None, 5, 8) with gate (1, 8) gave (1, 8)) and failed on a tuple (gate, up) of
    shapes; now the broadcast shape, None for unknown sizes, on symbolic keras.Input
    tensors (None batch) as on plain shapes, and what the model computes has that shape
    (gated leftovers item 3)."""
    import keras

    import actfn.keras as ak

    layer = ak.SwiGLU()
    assert layer.compute_output_shape([(1, 8), (None, 5, 8)]) == (None, 5, 8)
    assert layer.compute_output_shape(((None, 3, 8), (None, 1, 8))) == (None, 3, 8)
    assert layer.compute_output_shape([(None, None, 8), (None, 1, 8)]) == (None, None, 8)
    assert layer.compute_output_shape([(None, 8), (8,)]) == (None, 8)
    with pytest.raises(ValueError, match="do not broadcast"):
        layer.compute_output_shape([(None, 3, 8), (None, 4, 8)])
    with pytest.raises(ValueError, match="a list of 3"):
        layer.compute_output_shape([(None, 8)] * 3)
    rng = np.random.default_rng(2)
    for gs, us, want in (((1, 8), (5, 8), (None, 5, 8)), ((3, 8), (1, 8), (None, 3, 8)),
                         ((None, 8), (1, 8), (None, None, 8))):
        g, u = keras.Input(gs), keras.Input(us)
        for inputs in ([g, u], (g, u)):
            for name in GATED:
                y = getattr(ak, gated_class_name(name))()(inputs)
                assert tuple(y.shape) == want, (name, gs, us, tuple(y.shape))
        model = keras.Model([g, u], ak.SwiGLU()([g, u]))
        assert model.output_shape == want
        gv = rng.standard_normal((2, *(3 if d is None else d for d in gs))).astype("float32")
        uv = rng.standard_normal((2, *(3 if d is None else d for d in us))).astype("float32")
        y = model.predict([gv, uv], verbose=0)
        assert all(w is None or w == d for w, d in zip(want, y.shape, strict=True))
        np.testing.assert_allclose(y, actfn.get("swiglu")(gv, uv), rtol=3e-7, atol=1e-7)

# -- actfn bench --gated ---------------------------------------------------------------------
def test_gated_bench_engine_measures_saved_bytes_and_peak() -> None:
    from actfn._bench_gated import format_gated, run_gated_bench

    rows = run_gated_bench(["swiglu"], (4096,), ["float32"], threads=1, repeats=2,
                           compile=False)
    by = {r.impl: r for r in rows}
    assert set(by) == {"actfn", "eager"}
    assert by["actfn"].saved_per_el == 8.0 and by["eager"].saved_per_el == 12.0
    assert by["eager"].peak_per_el is not None and by["eager"].peak_per_el >= 8.0
    assert all(r.seconds > 0 for r in rows)
    table = format_gated(rows)
    assert "| swiglu | float32 | actfn |" in table and "| swiglu | float32 | eager |" in table


def test_gated_bench_cli_runs_and_refuses_bad_arguments_in_one_line() -> None:
    from typer.testing import CliRunner

    from actfn.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["bench", "--gated", "glu", "--size", "512", "--repeats", "1",
                            "--dtype", "bfloat16", "--no-compile"])
    assert r.exit_code == 0, r.output
    assert "| glu | bfloat16 | actfn |" in r.output and "CPU only" in r.output
    for args, msg in ((["relu"], "not a gated unit"), (["--dtype", "int8"], "--dtype"),
                      (["--size", "0"], "--size")):
        r = runner.invoke(app, ["bench", "--gated", *args])
        assert r.exit_code == 2 and msg in r.output and "Traceback" not in r.output
        assert len(r.output.strip().splitlines()) == 1
