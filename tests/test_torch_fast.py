"""The compiled CPU path of actfn.torch (float32, bfloat16, float16 through actfn._fast):
one fused pass for f and f′, f′ kept for a one-multiply backward, results equal to the
generic float64 path rounded once (the same kernels, within 1 ulp), inputs never written."""

from __future__ import annotations

import pytest
import torch

import actfn
import actfn.torch as at

from .test_torch_layers import smooth_points

NAMES = actfn.names()
DTYPES = [torch.float32, torch.bfloat16, torch.float16]


def _ulps(a: torch.Tensor, b: torch.Tensor) -> float:
    """Largest difference in units of the last place of ``b``'s dtype."""
    eps = torch.finfo(b.dtype).eps
    a64, b64 = a.double(), b.double()
    scale = torch.maximum(b64.abs(), torch.tensor(torch.finfo(b.dtype).tiny)) * eps
    ok = (a64 == b64) | (a64.isnan() & b64.isnan())
    return float(torch.where(ok, 0.0, (a64 - b64).abs() / scale).max())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_fast_path_matches_the_float64_path(name: str, dtype: torch.dtype) -> None:
    torch.manual_seed(len(name))
    grid = torch.tensor(smooth_points(name, torch.linspace(-9, 9, 301).tolist()))
    x = torch.cat([grid, torch.randn(700) * 4]).to(dtype)
    before = x.clone()
    xg = x.clone().requires_grad_()
    y = at.function(name)(xg)
    g = torch.linspace(0.5, 1.5, x.numel()).to(dtype)
    (gx,) = torch.autograd.grad(y, xg, g)
    assert torch.equal(x, before)
    ref_x = x.double().requires_grad_()
    ref = at.function(name)(ref_x)
    (ref_g,) = torch.autograd.grad(ref, ref_x, g.double())
    assert y.dtype == gx.dtype == dtype
    assert _ulps(y, ref.to(dtype)) <= 1.0
    assert _ulps(gx, ref_g.to(dtype)) <= 2.0  # f′ rounded, then g·f′ rounded
    with torch.no_grad():
        assert torch.equal(at.function(name)(x), y.detach())


def test_fast_path_is_taken_and_keeps_f_prime() -> None:
    x = torch.randn(64, 256, requires_grad=True)
    saved: list[torch.Tensor] = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = at.SELU()(x)
    assert type(y.grad_fn).__name__ == "_FastForwardBackward"
    assert len(saved) == 2 and saved[0] is x and saved[1].dtype == torch.float32


def test_fast_path_double_backward_is_analytic() -> None:
    x = torch.tensor([-1.5, -0.2, 0.7], requires_grad=True)
    (g,) = torch.autograd.grad(at.celu(x, alpha=0.5).sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    want = actfn.get("celu", alpha=0.5).second_derivative(x.detach().double().numpy())
    torch.testing.assert_close(gg.double(), torch.from_numpy(want).float().double())


def test_non_contiguous_and_learnable_take_the_generic_path() -> None:
    x = torch.randn(8, 6)[:, ::2].requires_grad_()
    y = at.GELU()(x)
    assert type(y.grad_fn).__name__ != "_FastForwardBackward"
    torch.testing.assert_close(y, at.GELU()(x.contiguous()), rtol=0, atol=0)
    m = at.CELU(0.5)
    m2 = at.Activation("celu", alpha=0.5, learnable=True)
    assert type(m2(x).grad_fn).__name__ != "_FastForwardBackward"
    torch.testing.assert_close(m(x), m2(x), rtol=0, atol=0)


def test_bench_torch_layers_section() -> None:
    from actfn.bench import format_torch_layers, run_torch_layers

    rows = run_torch_layers(["gelu_tanh", "exponential"], [(4, 8)], threads=1, repeats=2)
    assert [(r.label, r.shape) for r in rows] == [("gelu_tanh", (4, 8))]  # no torch.nn layer
    assert rows[0].actfn_s > 0 and rows[0].torch_s > 0
    assert "gelu_tanh" in format_torch_layers(rows)


def test_disabling_the_compiled_path_is_respected() -> None:
    from actfn import _fast

    x = torch.randn(16, requires_grad=True)
    assert type(at.GELU()(x).grad_fn).__name__ == "_FastForwardBackward"
    with _fast.disabled():
        y = at.GELU()(x)
    assert type(y.grad_fn).__name__ != "_FastForwardBackward"
    ref = at.GELU()(x.double())
    assert _ulps(y, ref.float()) == 0  # the generic path rounds the float64 result once


def test_cli_bench_torch_layers() -> None:
    from typer.testing import CliRunner

    from actfn.cli import app

    r = CliRunner().invoke(app, ["bench", "relu", "--torch-layers", "--size", "2^14",
                                 "--repeats", "1", "--threads", "1"])
    assert r.exit_code == 0, r.output
    assert "relu" in r.stdout and "64x256" in r.stdout and "65536" not in r.stdout
    r = CliRunner().invoke(app, ["bench", "relu", "--torch-layers", "--repeats", "0"])
    assert r.exit_code == 2 and "--repeats" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(64, 3), (4, 3, 5, 7), (5, 1), (33,)])
def test_prelu_weight_read_at_run_time_matches_the_generic_path(
        shape: tuple[int, ...], dtype: torch.dtype) -> None:
    torch.manual_seed(sum(shape))
    c = shape[1] if len(shape) > 1 else 1
    m = at.PReLU(c)
    with torch.no_grad():
        m.weight.copy_(torch.linspace(-0.5, 1.5, c))
    x = (torch.randn(shape) * 3).to(dtype)
    x.view(-1)[:4] = torch.tensor([0.0, -0.0, float("inf"), float("-inf")]).to(dtype)
    xg = x.clone().requires_grad_()
    y = m(xg)
    assert type(y.grad_fn).__name__ == "_FastParamBackward"
    g = torch.linspace(0.5, 1.5, x.numel()).reshape(shape).to(dtype)
    gx, gw = torch.autograd.grad(y, (xg, m.weight), g)
    # the generic float64 path (the op as a plain function of a float64 input)
    x64 = x.double().requires_grad_()
    w64 = m.weight.detach().double().requires_grad_()
    ref = at.prelu(x64, weight=w64)
    rx, rw = torch.autograd.grad(ref, (x64, w64), g.double())
    assert y.dtype == gx.dtype == dtype and gw.dtype == m.weight.dtype
    assert _ulps(y, ref.to(dtype)) <= 1.0
    assert _ulps(gx, rx.to(dtype)) <= 2.0
    torch.testing.assert_close(gw.double(), rw, rtol=1e-6, atol=1e-6)
    with torch.no_grad():  # the forward-only loop: the same values
        assert torch.equal(m(x), y.detach())


def test_prelu_fast_path_double_backward_and_frozen_weight() -> None:
    m = at.PReLU(3, init=0.2)
    x = torch.tensor([[-1.5, 0.7, -0.2], [2.0, -3.0, 0.5]], requires_grad=True)
    (g,) = torch.autograd.grad(m(x).sum(), x, create_graph=True)
    torch.testing.assert_close(g, torch.where(x > 0, 1.0, 0.2).detach())
    (gw,) = torch.autograd.grad(g.sum(), m.weight)  # ∂²f/∂x∂w: 1 where x ≤ 0
    torch.testing.assert_close(gw, (x <= 0).sum(0).float())
    m.weight.requires_grad_(False)
    y = m(x)
    assert type(y.grad_fn).__name__ == "_FastParamBackward"
    (gx,) = torch.autograd.grad(y.sum(), x)
    torch.testing.assert_close(gx, torch.where(x > 0, 1.0, 0.2).detach())


@pytest.mark.parametrize("name", ["gelu", "prelu"])
def test_two_threads_give_the_same_bits_as_one(name: str) -> None:
    from actfn._fast import _split

    shape = (2, 3, 30011)  # channel runs that the thread slices cut in the middle
    x = (torch.randn(shape, generator=torch.Generator().manual_seed(3)) * 4).requires_grad_()
    m = at.PReLU(3) if name == "prelu" else at.GELU()
    if name == "prelu":
        with torch.no_grad():
            m.weight.copy_(torch.tensor([0.1, -0.3, 0.7]))
    before = torch.get_num_threads()
    out = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            assert _split.threads_for(x.numel(), torch.get_num_threads()) == threads
            y = m(x)
            (gx,) = torch.autograd.grad(y.sum(), x)
            out.append((y.detach(), gx))
    finally:
        torch.set_num_threads(before)
    assert torch.equal(out[0][0], out[1][0]) and torch.equal(out[0][1], out[1][1])


def test_run_split_hands_every_range_out_once_and_reraises() -> None:
    import numpy as np

    from actfn._fast import _split

    seen = np.zeros(200_003, np.int64)

    def part(lo: int, hi: int) -> None:
        seen[lo:hi] += 1

    _split.run_ranges(part, seen.size, 3)
    assert (seen == 1).all()

    def bad(lo: int, hi: int) -> None:
        if lo > 0:
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        _split.run_ranges(bad, seen.size, 2)


def test_modules_that_have_run_pickle_and_func_transforms_over_other_tensors() -> None:
    import pickle

    x = torch.randn(4, 3, requires_grad=True)
    for m in (at.GELU(), at.PReLU(3)):
        y = m(x)
        y.sum().backward()
        m2 = pickle.loads(pickle.dumps(m))
        assert torch.equal(m2(x), y)
    # a torch.func transform over a weight, with x a plain tensor: not the fast Function
    gelu = at.GELU()
    v = torch.randn(4, 3)
    xr = x.detach().clone().requires_grad_()  # requires grad, seen by autograd only
    g = torch.func.grad(lambda w: (gelu(xr) * w).sum())(v)
    torch.testing.assert_close(g, gelu(x).detach())
