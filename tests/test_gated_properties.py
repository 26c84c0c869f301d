"""The ``[gated]`` properties of every gated unit, checked numerically from the registry's
kernels (``act``, ``act.partials``) at the default parameters: each stated value must hold
and each stated "no" must have a counterexample."""

from __future__ import annotations

import math

import numpy as np
import pytest

import actfn
from actfn._knowledge import GatedProperties

GATED = actfn.names(kind="gated")
G = np.linspace(-30.0, 30.0, 60_001)  # step 1e-3 over the gate


def _act(name: str) -> tuple[actfn._gated.GatedActivation, GatedProperties]:
    act = actfn.get(name)
    props = act.spec.knowledge.gated
    assert props is not None, f"{name}.toml has no [gated] table"
    return act, props


def _a(act, g: np.ndarray) -> np.ndarray:
    """The gate factor a(min(g, L_g)) = ∂f/∂up at up = 0 (inside any clamp)."""
    return act.partials(g, np.zeros_like(g))[1]


def test_every_gated_unit_and_only_those_have_gated_properties() -> None:
    assert GATED
    for n in actfn.names(kind="all"):
        spec = actfn.lookup(n, kind="all")
        has = spec.knowledge.gated is not None
        assert has == (spec.kind == "gated"), n


@pytest.mark.parametrize("name", GATED)
def test_gate_range(name: str) -> None:
    act, p = _act(name)
    lo, hi = p.gate_range
    a = _a(act, G)
    assert np.isfinite(a).all()
    assert a.min() >= lo - 1e-12 * max(1.0, abs(lo)) and a.max() <= hi + 1e-12 * max(1.0, abs(hi))
    for end, got, attained in ((lo, a.min(), p.gate_attained[0]),
                               (hi, a.max(), p.gate_attained[1])):
        if math.isinf(end):  # unbounded: the grid's extreme is already far out
            assert abs(got) >= 20 and np.sign(got) == np.sign(end)
            assert not attained
            continue
        # within the grid's resolution of an interior extremum (step 1e-3: a''·h²/8)
        assert abs(got - end) <= 5e-7 * max(1.0, abs(end)), (end, got)
        # attained: at a finite gate, inside the grid; not attained: only approached as
        # the gate goes to ±∞ (the grid's extreme sits at one of its ends only)
        assert bool((a[1:-1] == got).any()) == attained, (end, got)


@pytest.mark.parametrize("name", GATED)
def test_sign_follows_up_where_gate_factor_nonnegative(name: str) -> None:
    act, p = _act(name)
    u = np.array([-3.0, -0.5, 0.5, 3.0])
    f = act(G[:, None], u[None, :])
    b = act(np.full(4, 1e300), u) / _a(act, np.array([1e300]))  # b(up) = f / a at a big gate
    same = (np.sign(f) == np.sign(b)[None, :]) | (f == 0)
    assert same.all() == p.gate_nonnegative


@pytest.mark.parametrize("name", GATED)
def test_monotone_in_gate_for_positive_up(name: str) -> None:
    act, p = _act(name)
    for up in (0.5, 1.0, 3.0):
        dg = act.partials(G, np.full_like(G, up))[0]
        assert bool((dg >= 0).all()) == p.monotone_in_gate, up


@pytest.mark.parametrize("name", GATED)
def test_linear_in_up_and_zero_at_up_zero(name: str) -> None:
    act, p = _act(name)
    rng = np.random.default_rng(13)
    g = rng.normal(0, 4, 2000)
    u = rng.normal(0, 6, 2000)
    t = rng.choice([-3.0, -1.0, 0.5, 2.0], 2000)  # exact multipliers keep products exact-ish
    lhs, rhs = act(g, t * u), t * act(g, u)
    linear = np.allclose(lhs, rhs, rtol=1e-13, atol=1e-300)
    assert linear == p.linear_in_up
    zero = bool((act(G, np.zeros_like(G)) == 0).all())
    assert zero == p.zero_at_up_zero


@pytest.mark.parametrize("name", GATED)
def test_gate_limit_at_minus_inf(name: str) -> None:
    act, p = _act(name)
    far = _a(act, np.array([-1e3, -1e6, -1e12]))
    if math.isinf(p.gate_at_minus_inf):
        assert (far == np.array([-1e3, -1e6, -1e12])).all() or (np.diff(far) < 0).all()
        assert far[-1] < -1e11
    else:
        assert np.allclose(far, p.gate_at_minus_inf, atol=1e-300, rtol=0)


def _jumps(fn, at: float) -> bool:
    """Whether ``fn`` (a derivative) jumps at ``at``: one-sided values differ."""
    h = 1e-9 * max(1.0, abs(at))
    left, right = fn(np.array([at - h])), fn(np.array([at + h]))
    return bool(abs(left[0] - right[0]) > 1e-3)


@pytest.mark.parametrize("name", GATED)
def test_smoothness_in_gate_and_up(name: str) -> None:
    act, p = _act(name)
    kinks = act.kinks()
    for var, smooth in (("gate", p.gate_smoothness), ("up", p.up_smoothness)):
        if math.isinf(smooth):
            assert kinks[var] == (), (var, kinks)
            continue
        assert smooth == 0 and kinks[var], (var, kinks)  # only C⁰ kinks occur here
        for k in kinks[var]:
            if var == "gate":
                fn = lambda x: act.partials(x, np.full_like(x, 1.5))[0]  # noqa: E731
            else:
                fn = lambda x: act.partials(np.full_like(x, 1.0), x)[1]  # noqa: E731
            assert _jumps(fn, k), (var, k)
            assert _jumps(fn, k) and np.isfinite(fn(np.array([k]))).all()
    # f itself is continuous in both inputs everywhere (no jumps in f)
    for k in kinks["gate"]:
        f = act(np.array([k - 1e-12, k + 1e-12]), np.array([1.5, 1.5]))
        assert abs(f[0] - f[1]) < 1e-9


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_atlas_page_shows_the_gated_properties(lang: str) -> None:
    from markupsafe import escape

    from actfn.atlas import _build

    spec = actfn.lookup("swiglu_clamped", kind="gated")
    site = _build._Site([spec], [lang])
    html = site.activation(spec, lang, None, None)
    t = actfn._i18n.labels()[lang]
    for key in ("g_range", "g_monogate", "g_linup", "g_split"):
        assert str(escape(t[key])) in html, key
    assert "gate_first=True" in html
    assert spec.knowledge.gated.gate_range_label() in html
    assert str(escape(t["gated_props"])) in html  # why there are no one-input properties


@pytest.mark.parametrize(("table", "needle"), [
    ({"gate_range": [1.0, 0.0]}, "x.toml: gated.gate_range: expected lo <= hi"),
    ({"gate_range": [0.0, 1.0], "gate_smoothness": 3}, "gated.gate_smoothness: must be"),
    ({"gate_range": [0.0, 1.0], "monotone_in_gate": "yes"}, "gated.monotone_in_gate"),
    ({"monotone_in_gate": True}, "gate_range"),
    ({"gate_range": [0.0, 1.0], "odd": 1}, "odd"),
])
def test_gated_table_is_validated_naming_the_key(table: dict, needle: str) -> None:
    from actfn._knowledge import KnowledgeError, parse

    with pytest.raises(KnowledgeError) as exc:
        parse({"gated": table}, "x.toml")
    assert needle in str(exc.value)
