"""actfn.torch delegates to torch's own op where the registry declares it exact
(``Spec.torch_exact``, issue 12 item 2): relu, relu6, hardtanh, hardshrink, threshold and
leaky_relu with a slope exact in the input dtype run ``torch.nn.functional``'s op, forward
and native backward, on the eager CPU path. This proves the delegation changes nothing:

* f bit for bit (NaN as NaN) against actfn's own path (the compiled loops it would run
  otherwise) on all 65,536 float16 and bfloat16 inputs and on ≥ 10⁵ float32 inputs
  (seeded, rotating daily: random bit patterns, ±0, ±inf, NaN, subnormals, every kink
  and parameter with its float32 neighbours);
* x.grad equal (±0 alike: torch writes +0 where actfn's product g·0 is −0) for a random
  incoming gradient, and bit for bit for g = 1, everywhere but at NaN inputs, where
  torch's gradient is g times the f′ of the piece NaN falls in (actfn's is NaN: the
  documented exception);
* the double backward (``create_graph=True``): ∂(v·x.grad)/∂x = 0 and ∂/∂g = v·f′;
* both against the correctly rounded reference (``actfn.reference``) at the specials and
  kinks;
* a parameter that the dtype cannot hold (leaky_relu's default slope 0.01) is not
  delegated (torch would round the slope: x·0.01f is not x·0.01 rounded once).

``ACTFN_SWEEP_SEED`` replays a day's inputs; ``python tools/torch_exact_sweep.py [--full]``
compares 2**28 (all 2**32) float32 inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import actfn
import actfn.torch as at
from actfn._registry import lookup

from . import f64sweep as S

EXACT = [n for n in actfn.names() if lookup(n).torch_exact is not None]


def _param_sets(name: str) -> list[dict]:
    """The defaults, the spec's own cases, and each rounded to bfloat16 (so exact in every
    dtype: leaky_relu's 0.01 becomes 0.010009765625)."""
    spec = lookup(name)
    sets = [{}, *spec.cases]
    if spec.params:
        sets += [{k: torch.tensor(v).to(torch.bfloat16).item() for k, v in
                  spec.bind(**p).items()} for p in list(sets)]
    out: list[dict] = []
    for p in sets:
        if spec.bind(**p) not in [spec.bind(**q) for q in out]:
            out.append(p)
    return out


PARAMS = [(n, p) for n in EXACT for p in _param_sets(n)]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}" for n, p in PARAMS]
DTYPES = (torch.float32, torch.bfloat16, torch.float16)
RANDOM_F32 = 100_000


def _op(name: str, params: dict) -> at._Op:
    spec = lookup(name)
    return at._Op(spec, spec.bind(**params), ())


def _inputs(dtype: torch.dtype, name: str, params: dict) -> torch.Tensor:
    """Every 16-bit pattern; for float32 random bit patterns, specials, and each kink and
    parameter value with its float32 neighbours."""
    if dtype is not torch.float32:
        return torch.arange(-(1 << 15), 1 << 15, dtype=torch.int32).to(torch.int16).view(dtype)
    seed = S.rotation("torch_exact" + name + repr(sorted(params.items())))
    print(f"rotation seed {seed} (ACTFN_SWEEP_SEED={seed // 1000003} replays it)")
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 1 << 32, RANDOM_F32, dtype=np.uint64).astype(np.uint32)
    spec = lookup(name)
    bound = spec.bind(**params)
    marks = [*spec.kinks(bound), *(v for v in bound.values() if isinstance(v, float))]
    marks = np.array([m for v in marks for m in (v, -v)], np.float32)
    near = np.concatenate([marks, np.nextafter(marks, np.float32(np.inf)),
                           np.nextafter(marks, np.float32(-np.inf))])
    x = np.concatenate([bits.view(np.float32), S.specials("float32"), near,
                        np.array([1e-45, -1e-45, 1e-40, -1e-40, 3.4e38, -3.4e38], np.float32)])
    return torch.from_numpy(x)


def _bits(t: torch.Tensor) -> torch.Tensor:
    """Bit patterns, NaNs collapsed to one (torch and the loops may differ in payload)."""
    t = t.detach()
    b = t.view(torch.int32 if t.dtype is torch.float32 else torch.int16).to(torch.int64)
    return torch.where(t.isnan(), -1, b)


def _step(x: torch.Tensor, op: at._Op, g: torch.Tensor) -> tuple[torch.Tensor, ...]:
    x = x.clone().requires_grad_()
    y = at._forward(x, op, ())
    (gx,) = torch.autograd.grad(y, x, g)
    return y, gx


def _own(op: at._Op, dtype: torch.dtype) -> at._Op:
    """The same op with delegation off: actfn's own path."""
    mine = at._Op(op.spec, op.fixed, ())
    mine.native[dtype] = False
    return mine


def _delegated(op: at._Op, dtype: torch.dtype) -> bool:
    return bool(at._native(op, dtype))


DELEGATED = [(n, p, d) for n, p in PARAMS for d in DTYPES if _delegated(_op(n, p), d)]
DELEGATED_IDS = [f"{i}-{str(d)[6:]}" for (n, p), i in zip(PARAMS, IDS, strict=True)
                 for d in DTYPES if _delegated(_op(n, p), d)]

F32 = [(n, p) for n, p, d in DELEGATED if d is torch.float32]
F32_IDS = [i[:-8] for (n, p, d), i in zip(DELEGATED, DELEGATED_IDS, strict=True)
           if d is torch.float32]


@pytest.mark.parametrize(("name", "params", "dtype"), DELEGATED, ids=DELEGATED_IDS)
def test_delegated_op_is_bit_identical(name, params, dtype):
    op = _op(name, params)
    x = _inputs(dtype, name, params)
    ones = torch.ones_like(x)
    y, gx = _step(x, op, ones)
    y0, gx0 = _step(x, _own(op, dtype), ones)
    assert not y.grad_fn.name().startswith("_Fast")  # (torch's own node)
    assert y0.grad_fn.name().startswith("_Fast")  # (actfn's own compiled path)
    nan = x.isnan()
    assert torch.equal(_bits(y), _bits(y0)), f"{name} {params} {dtype}: f differs"
    assert torch.equal(_bits(gx)[~nan], _bits(gx0)[~nan]), f"{name} {dtype}: f′ differs"
    assert gx0[nan].isnan().all() and not gx[nan].isnan().any()  # the documented exception
    g = torch.randn(x.shape, generator=torch.Generator().manual_seed(7)).to(dtype)
    _, gx = _step(x, op, g)
    _, gx0 = _step(x, _own(op, dtype), g)
    assert torch.equal(gx[~nan], gx0[~nan]), f"{name} {params} {dtype}: g·f′ differs"

@pytest.mark.parametrize(("name", "params"), PARAMS, ids=IDS)
def test_delegation_decided_by_representable_parameters(name, params):
    """Delegated exactly when every parameter survives rounding to the dtype and to
    float32; the layer's autograd node says which path ran."""
    for dtype in DTYPES:
        op = _op(name, params)
        exact = all(torch.tensor(float(v), dtype=torch.float64).to(d).item() == v
                    for v in op.fixed.values() for d in (dtype, torch.float32))
        assert _delegated(op, dtype) == exact
        x = torch.linspace(-3, 3, 64, dtype=dtype).requires_grad_()
        node = type(at.function(name)(x, **params).grad_fn).__name__
        assert (not node.startswith("_Fast")) == exact, (name, params, dtype, node)
    if name == "leaky_relu":
        assert not _delegated(_op(name, {}), torch.float32)  # 0.01 is not a float32


@pytest.mark.parametrize(("name", "params"), F32, ids=F32_IDS)
def test_delegated_double_backward(name, params):
    op = _op(name, params)
    x0 = _inputs(torch.float32, name, params)[:2000]
    x0 = x0[~x0.isnan() & x0.isfinite()]
    outs = []
    for o in (op, _own(op, torch.float32)):
        x = x0.clone().requires_grad_()
        g = torch.linspace(-2, 2, x.numel()).requires_grad_()
        (gx,) = torch.autograd.grad(at._forward(x, o, ()), x, g, create_graph=True)
        v = torch.linspace(1, 3, x.numel())
        hx, hg = torch.autograd.grad((gx * v).sum(), (x, g), allow_unused=True)
        outs.append((gx.detach(), torch.zeros_like(x) if hx is None else hx, hg))
    (gx, hx, hg), (gx0, hx0, hg0) = outs
    assert torch.equal(gx, gx0) and torch.equal(hx, hx0) and torch.equal(hg, hg0)
    assert not hx.any()


@pytest.mark.parametrize(("name", "params"), F32, ids=F32_IDS)
def test_delegated_matches_reference(name, params):
    """f and f′ correctly rounded (``actfn.reference``) at the specials and kinks."""
    x = _inputs(torch.float32, name, params)[RANDOM_F32:]
    op = _op(name, params)
    y, gx = _step(x, op, torch.ones_like(x))
    xn = x.numpy()
    f = actfn.reference(name, xn, derivative=0, dtype="float32", **params)
    df = actfn.reference(name, xn, derivative=1, dtype="float32", **params)
    nan = np.isnan(xn)
    np.testing.assert_array_equal(y.detach().numpy(), f)
    np.testing.assert_array_equal(gx.numpy()[~nan], df[~nan])


# -- the compiled path's bookkeeping (f′ on the context, multiplied in place) ---------------
def test_compiled_path_retained_graph_hooks_and_inplace():
    """f′ lives on the autograd context and becomes the gradient: a retained graph's
    second backward gives the same gradient (the loop reruns), the incoming gradient is
    not written, ``saved_tensors_hooks`` see x and f′, an in-place change of x raises."""
    layer = at.CELU(alpha=0.5)
    x = torch.linspace(-4, 4, 512).reshape(8, 64).requires_grad_()
    g = torch.linspace(2, -1, 512).reshape(8, 64)
    g0 = g.clone()
    y = layer(x)
    assert y.grad_fn.name().startswith("_Fast")
    (first,) = torch.autograd.grad(y, x, g, retain_graph=True)
    (second,) = torch.autograd.grad(y, x, g)
    assert torch.equal(first, second) and torch.equal(g, g0)
    d = actfn.get("celu", alpha=0.5).derivative(x.detach().numpy())  # (the same loop)
    assert torch.equal(first, g * torch.from_numpy(d))
    packed: list[torch.Tensor] = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t,
                                                  lambda t: t):
        y = layer(x)
    assert len(packed) == 2
    (hooked,) = torch.autograd.grad(y, x, g)
    assert torch.equal(hooked, first)
    y = layer(x)
    with torch.no_grad():
        x.add_(0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        torch.autograd.grad(y, x, g)


def test_prelu_compiled_path_retained_graph_hooks_and_inplace():
    """The same for PReLU's runtime-parameter loop: input and weight gradients."""
    layer = at.PReLU(num_parameters=4, init=0.3)
    x = torch.linspace(-4, 4, 256).reshape(8, 4, 8).requires_grad_()
    g = torch.linspace(2, -1, 256).reshape(8, 4, 8)
    g0 = g.clone()
    y = layer(x)
    assert y.grad_fn.name().startswith("_FastParam")
    first = torch.autograd.grad(y, (x, layer.weight), g, retain_graph=True)
    second = torch.autograd.grad(y, (x, layer.weight), g)
    assert all(map(torch.equal, first, second)) and torch.equal(g, g0)
    torch.testing.assert_close(first[0], torch.where(x > 0, g, 0.3 * g).detach(), rtol=0,
                               atol=0)
    expected = (g.double() * torch.minimum(x.detach().double(), torch.tensor(0.0)))
    torch.testing.assert_close(first[1], expected.sum(dim=(0, 2)).float())
    packed: list[torch.Tensor] = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t,
                                                  lambda t: t):
        y = layer(x)
    assert len(packed) == 4
    assert all(map(torch.equal, torch.autograd.grad(y, (x, layer.weight), g), first))
    y = layer(x)
    with torch.no_grad():
        layer.weight.mul_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        torch.autograd.grad(y, (x, layer.weight), g)
