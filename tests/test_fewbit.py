"""Few-bit backward (``saved_bits=``, :mod:`actfn._fewbit`), issue 13 items 3 and 5.

Exact region codes give the exact gradient bit for bit; fitted codes have the mean squared
gradient error their table states (measured against the exact f′ on a seeded N(0, 1)
sample), decreasing in k; the shipped tables are the generator's output; the saved bytes
are the packed codes'; and the edges (bad ``saved_bits``, learnable parameters,
double backward, ``torch.compile``) behave as documented.
"""

from __future__ import annotations

import datetime
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import actfn
import actfn.torch as at
from actfn import _fewbit
from actfn._registry import lookup

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import gen_fewbit  # noqa: E402

EXACT = [n for n in actfn.names() if _fewbit.regions(lookup(n), lookup(n).bind()) is not None]
FITTED = gen_fewbit.targets()
VECTOR = [n for n in actfn.names() if any(p.vector for p in lookup(n).params)]


def _exact_grad(name: str, x: torch.Tensor, g: torch.Tensor, **params: object) -> torch.Tensor:
    """g·f′(x) in float64 (the registry's f′ on NumPy), rounded once to x's dtype."""
    d = actfn.get(name, **params).derivative(x.detach().double().numpy())
    return (g.double() * torch.from_numpy(np.asarray(d))).to(x.dtype)


def _hard_inputs(name: str, dtype: torch.dtype, **params: object) -> torch.Tensor:
    spec = lookup(name)
    kinks = [float(k) for k in spec.kinks(spec.bind(**params))]
    near = [np.nextafter(k, s) for k in kinks for s in (-np.inf, np.inf)]
    gen = torch.Generator().manual_seed(13)
    rnd = torch.randn(2000, generator=gen, dtype=torch.float64) * 4
    fixed = torch.tensor([*kinks, *near, 0.0, -0.0, 1e30, -1e30], dtype=torch.float64)
    return torch.cat([rnd, fixed]).to(dtype)


def test_the_registry_decides_the_modes() -> None:
    # the piecewise-linear examples get exact codes, its smooth ones fitted codes
    assert "relu" in EXACT and "leaky_relu" in EXACT and "prelu" in EXACT
    assert "relu6" in EXACT and "hardtanh" in EXACT and "threshold" in EXACT
    assert "gelu" in FITTED and "silu" in FITTED
    assert not set(EXACT) & set(FITTED)
    for n in EXACT:
        r = _fewbit.regions(lookup(n), lookup(n).bind())
        assert r is not None and r.bits <= 2, n


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16])
@pytest.mark.parametrize("name", EXACT)
def test_exact_codes_give_the_exact_gradient(name: str, dtype: torch.dtype) -> None:
    spec = lookup(name)
    bits = _fewbit.regions(spec, spec.bind()).bits
    for params in ({}, *spec.cases):
        if _fewbit.regions(spec, spec.bind(**params)) is None:
            continue
        fixed = {k: v for k, v in params.items()}
        x0 = _hard_inputs(name, dtype, **fixed)
        x = x0.clone().requires_grad_(True)
        y = at.function(name)(x, saved_bits=bits, **fixed)
        g = torch.randn(x.shape, generator=torch.Generator().manual_seed(1)).to(dtype)
        (gx,) = torch.autograd.grad(y, x, g)
        assert torch.equal(gx, _exact_grad(name, x, g, **fixed)), (name, params)
        assert torch.equal(y, at.function(name)(x0, **fixed)), (name, params)
        assert torch.equal(x.detach(), x0)  # input untouched


@pytest.mark.parametrize("name", VECTOR)
def test_exact_codes_per_channel_and_frozen_parameters(name: str) -> None:
    spec = lookup(name)
    p = next(p for p in spec.params if p.vector)
    x = torch.randn(4, 3, 5, dtype=torch.float64, requires_grad=True)
    g = torch.randn(4, 3, 5, dtype=torch.float64)
    values = (0.05, 0.2, 0.7)
    y = at.function(name)(x, saved_bits=1, **{p.name: values})
    (gx,) = torch.autograd.grad(y, x, g)
    ref = at.function(name)(x, **{p.name: values})
    (gr,) = torch.autograd.grad(ref, x, g)
    assert torch.equal(gx, gr)
    with torch.no_grad():  # no backward: the plain forward, nothing encoded
        assert torch.equal(at.function(name)(x, saved_bits=1, **{p.name: values}), ref)
    layer = (at.native_class(name) or at.module_class(name))(num_parameters=3, saved_bits=1)
    with pytest.raises(ValueError, match="saved_bits needs fixed parameters.*requires_grad_"):
        layer(x)
    getattr(layer, p.name).requires_grad_(False)
    (gx,) = torch.autograd.grad(layer(x), x, g)
    (gr,) = torch.autograd.grad(at.function(name)(x, **{p.name: float(p.default)}), x, g)
    assert torch.equal(gx, gr)


def _sample(n: int = 200_000) -> np.ndarray:
    return np.random.default_rng(20260213).standard_normal(n)


@pytest.mark.parametrize("name", FITTED)
def test_fitted_error_per_k_is_the_tables_and_decreases(name: str) -> None:
    spec = lookup(name)
    x = _sample()
    d = np.asarray(actfn.get(name).derivative(x))
    measured = []
    for bits in _fewbit.BITS:
        f = _fewbit.table(spec, spec.bind(), bits)
        q = np.asarray(f.levels)[np.searchsorted(np.asarray(f.thresholds), x, side="left")]
        e = (d - q) ** 2
        mse, se = e.mean(), e.std() / math.sqrt(e.size)
        assert abs(mse - f.mse) <= 6 * se + 1e-12, (name, bits, mse, f.mse, se)
        measured.append(f.mse)
    assert all(b < a for a, b in zip(measured, measured[1:], strict=False)), measured
    # 3 bits: the squared error is a few per cent of E[f′²] at most
    assert measured[_fewbit.BITS.index(3)] < 0.05 * float(np.mean(d * d))


@pytest.mark.parametrize("bits", _fewbit.BITS)
def test_fitted_backward_is_g_times_the_table_level(bits: int) -> None:
    name = FITTED[datetime.date.today().toordinal() % len(FITTED)]
    spec = lookup(name)
    f = _fewbit.table(spec, spec.bind(), bits)
    x = torch.randn(3000, dtype=torch.float32, generator=torch.Generator().manual_seed(bits))
    x.requires_grad_(True)
    g = torch.randn(3000, dtype=torch.float32)
    y = at.function(name)(x, saved_bits=bits)
    assert torch.equal(y, at.function(name)(x.detach()))
    (gx,) = torch.autograd.grad(y, x, g)
    code = torch.bucketize(x.detach(), torch.tensor(f.thresholds, dtype=torch.float32))
    want = (g.double() * torch.tensor(f.levels, dtype=torch.float64)[code]).float()
    assert torch.equal(gx, want)


def test_non_default_parameters_are_fitted_on_the_fly() -> None:
    spec = lookup("gelu")
    params = spec.bind(approximate="tanh")
    f = _fewbit.table(spec, params, 2)
    x = _sample(100_000)
    d = np.asarray(actfn.get("gelu", approximate="tanh").derivative(x))
    q = np.asarray(f.levels)[np.searchsorted(np.asarray(f.thresholds), x)]
    e = (d - q) ** 2
    assert abs(e.mean() - f.mse) <= 6 * e.std() / math.sqrt(e.size)
    assert f.mse < _fewbit.table(spec, params, 1).mse


def test_shipped_tables_are_the_generators_output() -> None:
    shipped = sorted(p.stem for p in (gen_fewbit.CATALOG / "_fewbit").glob("*.json"))
    assert shipped == sorted(FITTED)
    for name in FITTED:  # every table: levels are the conditional means, mse attained
        spec = lookup(name)
        data = json.loads(_fewbit.table_path(spec).read_text(encoding="utf-8"))
        assert data["params"] == spec.bind()
        assert [v["params"] for v in data.get("variants", [])] == gen_fewbit.variants(name)
        for doc in (data, *data.get("variants", [])):
            q = _fewbit._Quadrature(spec, doc["params"])
            assert set(doc["tables"]) == {str(b) for b in _fewbit.BITS}
            for bits, t in doc["tables"].items():
                assert len(t["levels"]) == 1 << int(bits) == len(t["thresholds"]) + 1
                err, _, lv = _fewbit._error(np.asarray(t["thresholds"]), q)
                assert math.isclose(err, t["mse"], rel_tol=1e-9), (name, bits)
                np.testing.assert_allclose(lv, t["levels"], rtol=1e-9, atol=1e-12)
    # and one (activation, k <= 3), rotating by day, refitted from scratch
    day = datetime.date.today().toordinal()
    name = FITTED[day % len(FITTED)]
    bits = (1, 2, 3)[day // len(FITTED) % 3]
    data = json.loads(_fewbit.table_path(lookup(name)).read_text(encoding="utf-8"))
    assert gen_fewbit.compare(data, gen_fewbit.tables(name, (bits,), with_variants=False)) == [], (
        name, bits)


def test_model_variants_ship_their_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Gemma's GELU(approximate="tanh") and gpt-oss's SiLU(beta=1.702) gates were fitted on
    first use in every process (~20 s at k = 8; issue 13 re-review item 6): their tables
    ship (``"variants"``, from the gated units' parameters) and no fit runs for them."""
    assert gen_fewbit.variants("gelu") == [{"approximate": "tanh"}]
    assert gen_fewbit.variants("silu") == [{"beta": 1.702}]

    def no_fit(*args: object) -> None:
        raise AssertionError(f"fitted on first use: {args}")

    monkeypatch.setattr(_fewbit, "_fit_cached", no_fit)
    for name, params in (("gelu", {"approximate": "tanh"}), ("silu", {"beta": 1.702})):
        spec = lookup(name)
        for bits in _fewbit.BITS:
            assert len(_fewbit.table(spec, spec.bind(**params), bits).levels) == 1 << bits
    x = torch.randn(64, requires_grad=True)
    at.GELU(approximate="tanh", saved_bits=8)(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    with pytest.raises(AssertionError, match="fitted on first use"):
        _fewbit.table(lookup("silu"), lookup("silu").bind(beta=1.3), 1)


def _saved_bytes(fn, x: torch.Tensor) -> int:
    total = 0

    def keep(t: torch.Tensor) -> torch.Tensor:
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
        y = fn(x)
    y.sum().backward()
    return total


@pytest.mark.parametrize("bits", _fewbit.BITS)
def test_saved_bytes_are_the_packed_codes(bits: int) -> None:
    n = 4096 + 5  # not a whole packing group
    x = torch.randn(n, requires_grad=True)
    got = _saved_bytes(lambda t: at.GELU(saved_bits=bits)(t), x)
    # k = 3: eight codes in three bytes; else 8/k codes per byte
    want = math.ceil(n / 8) * 3 if bits == 3 else math.ceil(n * bits / 8)
    assert got == _fewbit.packed_size(n, bits) == want
    assert _saved_bytes(lambda t: at.ReLU(saved_bits=bits)(t), x) == math.ceil(n / 8)
    assert _saved_bytes(lambda t: at.GELU()(t), x) >= 4 * n  # the exact backward keeps x


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_fewbit.BITS), st.data())
def test_pack_unpack_round_trip(bits: int, data: st.DataObject) -> None:
    codes = data.draw(st.lists(st.integers(0, (1 << bits) - 1), max_size=70))
    c = torch.tensor(codes, dtype=torch.uint8)
    packed = _fewbit.pack(c, bits)
    assert packed.dtype == torch.uint8 and packed.numel() == _fewbit.packed_size(len(codes), bits)
    assert torch.equal(_fewbit.unpack(packed, bits, len(codes)), c)


@pytest.mark.parametrize("bad", [0, 5, 16, -1, True, 2.0, "3"])
def test_invalid_saved_bits_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ValueError, match=r"saved_bits=.* is invalid; valid: None .* 1, 2, 3, 4, 8"):
        at.GELU(saved_bits=bad)
    with pytest.raises(ValueError, match="saved_bits"):
        at.Activation("relu", saved_bits=bad)
    with pytest.raises(ValueError, match="saved_bits"):
        at.relu(torch.zeros(3), saved_bits=bad)


def test_too_few_bits_for_an_exact_code_and_learnable_scalars() -> None:
    two = [n for n in EXACT if _fewbit.regions(lookup(n), lookup(n).bind()).bits == 2]
    assert two, "no activation needs a 2-bit exact code"
    x = torch.randn(8, requires_grad=True)
    with pytest.raises(ValueError, match="saved_bits=1 is too few .* needs 2 bits"):
        at.function(two[0])(x, saved_bits=1)
    assert at.function(two[0])(x, saved_bits=2).shape == x.shape
    layer = at.ELU(alpha=0.5, learnable=True, saved_bits=3)
    with pytest.raises(ValueError, match="alpha is learnable"):
        layer(x)
    layer.alpha.requires_grad_(False)  # frozen: a fixed value, fitted on the fly
    assert layer(x).shape == x.shape


def test_double_backward_raises() -> None:
    x = torch.randn(10, dtype=torch.float64, requires_grad=True)
    for layer in (at.GELU(saved_bits=3), at.ReLU(saved_bits=1)):
        y = layer(x).sum()
        with pytest.raises(RuntimeError, match="not twice differentiable"):
            torch.autograd.grad(y, x, create_graph=True)
        (g,) = torch.autograd.grad(layer(x).sum(), x)  # first order still works
        assert g.shape == x.shape


def test_repr_pickle_and_torch_compile() -> None:
    import copy

    layer = at.GELU(approximate="tanh", saved_bits=3)
    assert "saved_bits=3" in repr(layer) and "saved_bits=1" in repr(at.ReLU(saved_bits=1))
    assert copy.deepcopy(layer).saved_bits == 3
    net = torch.nn.Sequential(torch.nn.Linear(6, 6), at.SiLU(saved_bits=3),
                              torch.nn.Linear(6, 6), at.ReLU(saved_bits=1))
    x = torch.randn(5, 6)
    eager = net(x)
    (ge,) = torch.autograd.grad(eager.sum(), net[0].weight)
    compiled = torch.compile(net, fullgraph=True, backend="aot_eager")
    out = compiled(x)
    (gc,) = torch.autograd.grad(out.sum(), net[0].weight)
    assert torch.equal(out, eager)
    torch.testing.assert_close(gc, ge, rtol=1e-6, atol=1e-6)
    frozen = at.ELU(alpha=0.5, learnable=True, saved_bits=8)
    frozen.alpha.requires_grad_(False)
    with pytest.raises(NotImplementedError, match="frozen learnable parameter .* traced"):
        torch.compile(frozen, backend="aot_eager")(x.requires_grad_(True))


@pytest.mark.parametrize("bits", [1, 3])
def test_torch_compile_cold_fullgraph(bits: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A layer that never ran eagerly compiles with fullgraph=True (no graph break):
    Dynamo used to trace the plan's construction and stop at ``Read uninitialized
    cell`` (issue 13 re-review item 2); the plan made under the trace holds real tensors
    (the eager call after it works), and a too-few-bits error is still raised."""
    import torch._dynamo

    monkeypatch.setattr(_fewbit, "_PLANS", {})
    two = next(n for n in EXACT if _fewbit.regions(lookup(n), lookup(n).bind()).bits == 2)
    for layer in (at.GELU(saved_bits=bits), at.ReLU(saved_bits=bits)):
        torch._dynamo.reset()
        x = torch.randn(8, requires_grad=True, generator=torch.Generator().manual_seed(bits))
        out = torch.compile(layer, fullgraph=True, backend="aot_eager")(x)
        (gc,) = torch.autograd.grad(out.sum(), x)
        (ge,) = torch.autograd.grad(layer(x).sum(), x)  # eager after the cold compile
        assert torch.equal(gc, ge) and torch.equal(out, layer(x))
    if bits == 1:
        torch._dynamo.reset()
        with pytest.raises(Exception, match="saved_bits=1 is too few"):
            torch.compile(at.function(two), fullgraph=True, backend="aot_eager")(
                torch.randn(8, requires_grad=True), saved_bits=1)


def test_nan_input_gets_the_documented_finite_gradient() -> None:
    x = torch.tensor([math.nan, 2.0], requires_grad=True)
    y = at.relu(x, saved_bits=1)
    (g,) = torch.autograd.grad(y.sum(), x)
    assert math.isnan(y[0].item()) and g.tolist() == [0.0, 1.0]  # first piece's code (x < 0)
    spec = lookup("gelu")
    last = _fewbit.table(spec, spec.bind(), 3).levels[-1]
    (g,) = torch.autograd.grad(at.gelu(x, saved_bits=3).sum(), x)
    assert g[0].item() == pytest.approx(last, rel=1e-6)  # the last level


def test_torch_func_and_forward_ad_raise() -> None:
    x = torch.randn(5)
    with pytest.raises(NotImplementedError, match="saved_bits does not support torch.func"):
        torch.func.grad(lambda t: at.gelu(t, saved_bits=3).sum())(x)
    with pytest.raises(NotImplementedError, match="forward-mode AD"):
        torch.func.jvp(lambda t: at.relu(t, saved_bits=1), (x,), (x,))
    with pytest.raises(NotImplementedError, match="saved_bits"):
        torch.func.vmap(at.ReLU(saved_bits=1))(x.view(5, 1))


# -- unbounded f′, tail bias, generated docs ----------------------------------------------------
UNBOUNDED = [n for n in actfn.names() if _fewbit.unbounded(lookup(n), lookup(n).bind())]


def test_unbounded_derivatives_are_decided_from_the_registry() -> None:
    # the growing ones of issue 13 (f′ = 2x, 2sx, 2αp·x + β) and exp; bounded ones are not
    assert "relu2" in UNBOUNDED and "star_relu" in UNBOUNDED and "xielu" in UNBOUNDED
    assert "exponential" in UNBOUNDED
    assert "gelu" not in UNBOUNDED and "softplus" not in UNBOUNDED
    assert "selu" not in UNBOUNDED and "relu" not in UNBOUNDED
    assert not set(UNBOUNDED) & set(FITTED)
    for name in UNBOUNDED:  # no table ships for them
        assert not _fewbit.table_path(lookup(name)).exists(), name
    # parameter dependent: xielu with alpha_p = 0 has a bounded f′ (β on the right)
    assert not _fewbit.unbounded(lookup("xielu"), lookup("xielu").bind(alpha_p=0.0))


@pytest.mark.parametrize("bits", _fewbit.BITS)
def test_unbounded_derivatives_refuse_every_saved_bits(bits: int) -> None:
    x = torch.tensor([10.0, 30.0], requires_grad=True)
    for name in UNBOUNDED:
        with pytest.raises(ValueError, match=r"f′ is unbounded.*saved_bits=None"):
            at.function(name)(x, saved_bits=bits)
        with pytest.raises(ValueError, match="unbounded"):  # refused when built
            (at.native_class(name) or at.module_class(name))(saved_bits=bits)
        assert x.grad is None and x.tolist() == [10.0, 30.0]


@pytest.mark.parametrize("bits", _fewbit.BITS)
def test_tail_bias_bounds_the_gradient_error_of_large_inputs(bits: int) -> None:
    name = FITTED[datetime.date.today().toordinal() % len(FITTED)]
    for n in (name, "gelu"):
        spec = lookup(n)
        f = _fewbit.table(spec, spec.bind(), bits)
        bias = _fewbit.tail_bias(spec, spec.bind(), f)
        x = torch.tensor([-1e4, -300.0, -30.0, 30.0, 300.0, 1e4, f.thresholds[-1] + 1e-3,
                          f.thresholds[0] - 1e-3], dtype=torch.float64, requires_grad=True)
        (gx,) = torch.autograd.grad(at.function(n)(x, saved_bits=bits).sum(), x)
        d = np.asarray(actfn.get(n).derivative(x.detach().numpy()))
        assert np.all(np.abs(gx.numpy() - d) <= bias * (1 + 1e-12)), (n, bits)
    gelu = lookup("gelu")
    f3 = _fewbit.table(gelu, gelu.bind(), 3)
    # the reviewer's figure: 1.09 for every x above ~2.5, f′ → 1
    assert _fewbit.tail_bias(gelu, gelu.bind(), f3) == pytest.approx(f3.levels[-1] - 1, 1e-6)
    assert 0.08 < f3.levels[-1] - 1 < 0.1


def test_docs_tables_are_the_generators_output() -> None:
    made = gen_fewbit.blocks()
    assert made["mse"].count("\n") == len(FITTED) + 1  # a row per shipped table
    for path, names in gen_fewbit.DOCS.items():
        text = path.read_text(encoding="utf-8")
        assert gen_fewbit.with_blocks(text, names, made) == text, (path, "run --docs")
        for name in FITTED:
            assert f"| {name} |" in text, (path, name)


def test_readme_states_both_exceptions_to_bit_for_bit() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("#### Few-bit backward"):readme.index("### Keras 3")]
    assert "bit for bit the float64 backward of actfn, with two exceptions" in section
    assert "A NaN input" in section and "1 ulp" in section
    # fitted codes too (issue 13 re-review item 5): NaN → g times the outer level
    assert "A NaN input gets a finite gradient here too" in " ".join(section.split())
    xn = torch.tensor([math.nan], requires_grad=True)
    (gn,) = torch.autograd.grad(at.silu(xn, saved_bits=2).sum(), xn)
    assert gn.item() == pytest.approx(_fewbit.table(lookup("silu"), lookup("silu").bind(),
                                                    2).levels[-1], rel=1e-6)
    # the two exceptions hold as stated: NaN -> finite, float32 compiled path within 1 ulp
    x = torch.cat([torch.tensor([math.nan]), torch.randn(4000, generator=torch.Generator()
                                                          .manual_seed(3))])
    g = torch.randn(x.shape, generator=torch.Generator().manual_seed(4))
    xa = x.clone().requires_grad_(True)
    (few,) = torch.autograd.grad(at.leaky_relu(xa, saved_bits=1), xa, g)
    xb = x.clone().requires_grad_(True)
    (ref,) = torch.autograd.grad(at.leaky_relu(xb), xb, g)
    assert math.isfinite(few[0].item()) and math.isnan(ref[0].item())
    ulp = torch.abs(torch.nextafter(ref[1:], torch.tensor(math.inf)) - ref[1:])
    assert torch.all(torch.abs(few[1:] - ref[1:]) <= ulp)
