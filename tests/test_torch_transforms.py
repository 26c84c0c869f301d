"""actfn.torch under PyTorch's transforms: torch.func (grad, vmap, jacrev, jacfwd, hessian),
forward-mode AD, the custom op ``actfn::evaluate`` (gradcheck, gradgradcheck, opcheck),
torch.compile(fullgraph=True) with learnable parameters, torch.export round trip,
torch.jit.trace and ONNX export (``actfn.torch.decomposed``).

Ground truth is actfn's own f′ and f″ (checked against mpmath in tests/test_accuracy.py);
the transforms must give exactly those analytic values.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as fwad
from torch.autograd import gradcheck, gradgradcheck

import actfn
import actfn.torch as at

from .test_torch_layers import LEARNABLE, NAMES, smooth_points

TOL = {"rtol": 2e-15, "atol": 1e-300}


def _points(name: str) -> torch.Tensor:
    return torch.tensor(smooth_points(name), dtype=torch.float64)


@pytest.mark.parametrize("name", NAMES)
def test_torch_func_transforms(name: str) -> None:
    act, fn = actfn.get(name), at.function(name)
    x = _points(name)
    xs = x.numpy()
    df, d2f = act.derivative(xs), act.second_derivative(xs)
    grad = torch.func.grad(lambda t: fn(t).sum())(x)
    np.testing.assert_allclose(grad.numpy(), df, **TOL)
    vm = torch.func.vmap(fn)(x.reshape(-1, 1)).reshape(-1)
    np.testing.assert_array_equal(vm.numpy(), fn(x).numpy())
    for jac in (torch.func.jacrev(fn)(x), torch.func.jacfwd(fn)(x)):
        np.testing.assert_allclose(torch.diagonal(jac).numpy(), df, **TOL)
        assert torch.count_nonzero(jac - torch.diag(torch.diagonal(jac))) == 0
    hess = torch.func.hessian(lambda t: fn(t).sum())(x)
    np.testing.assert_allclose(torch.diagonal(hess).numpy(), d2f, **TOL)


@pytest.mark.parametrize("name", NAMES)
def test_forward_mode_ad(name: str) -> None:
    x = _points(name)
    tangent = torch.linspace(0.5, 2.0, x.numel(), dtype=torch.float64)
    with fwad.dual_level():
        y = at.function(name)(fwad.make_dual(x, tangent))
        t = fwad.unpack_dual(y).tangent
    np.testing.assert_allclose(t.numpy(), tangent.numpy() * actfn.get(name).derivative(x.numpy()),
                               **TOL)


@pytest.mark.parametrize(("name", "param"), LEARNABLE)
def test_forward_mode_ad_in_a_parameter(name: str, param: str) -> None:
    x = torch.tensor([-2.5, -0.6, 0.3, 1.9], dtype=torch.float64)
    p = torch.tensor(actfn.lookup(name).defaults()[param] * 0.8, dtype=torch.float64)
    fn = at.function(name)
    with fwad.dual_level():
        t = fwad.unpack_dual(fn(x, **{param: fwad.make_dual(p, torch.ones(()))})).tangent
    rev = torch.autograd.functional.jacobian(lambda q: fn(x, **{param: q}), p)
    torch.testing.assert_close(t, rev.reshape(t.shape), rtol=1e-15, atol=0)


def _op_call(name: str, which: str = "f") -> tuple[object, ...]:
    """The custom op's string arguments for ``name`` at its default parameters."""
    spec = actfn.lookup(name)
    return at._Op(spec, spec.bind(), ()).key()


@pytest.mark.parametrize("name", NAMES)
def test_custom_op_gradcheck_and_gradgradcheck(name: str) -> None:
    """The traced path (torch.ops.actfn.evaluate with its registered autograd) has the
    analytic derivatives too: gradcheck and gradgradcheck in float64."""
    key = _op_call(name)
    x = _points(name).requires_grad_()

    def f(t: torch.Tensor) -> torch.Tensor:
        return torch.ops.actfn.evaluate(t, *key, "f", [])

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


@pytest.mark.parametrize(("name", "param"), LEARNABLE)
def test_custom_op_parameter_gradients(name: str, param: str) -> None:
    spec = actfn.lookup(name)
    fixed = {k: v for k, v in spec.bind().items() if k != param}
    key = at._Op(spec, fixed, (param,)).key()
    x = torch.tensor([-2.5, -0.6, -0.1, 0.3, 1.9], dtype=torch.float64, requires_grad=True)
    p = torch.tensor(spec.defaults()[param] * 0.8, dtype=torch.float64, requires_grad=True)

    def f(t: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        return torch.ops.actfn.evaluate(t, *key, "f", [q])

    assert gradcheck(f, (x, p))
    assert gradcheck(lambda t, q: torch.autograd.grad(f(t, q).sum(), t, create_graph=True)[0],
                     (x, p))


def test_custom_op_opcheck() -> None:
    """torch.library.opcheck: schema, fake impl, autograd registration are consistent."""
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    w = torch.full((4,), 0.2, dtype=torch.float64, requires_grad=True)
    prelu = at._Op(actfn.lookup("prelu"), {}, ("weight",)).key()
    for args in ((x, *_op_call("gelu"), "f", []), (x, *prelu, "f", [w])):
        torch.library.opcheck(torch.ops.actfn.evaluate.default, args)


def _model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), at.CELU(0.5, learnable=True),
                               torch.nn.Linear(3, 3), at.PReLU(3), at.SELU(learnable=True),
                               at.GELU(approximate="tanh"))


def test_torch_compile_fullgraph_with_learnable_parameters() -> None:
    import torch._dynamo

    model = _model()
    x = torch.randn(5, 4)
    torch._dynamo.reset()
    assert torch._dynamo.explain(model)(x).graph_break_count == 0
    torch._dynamo.reset()
    compiled = torch.compile(model, fullgraph=True, backend="aot_eager")
    y = compiled(x)
    grads = torch.autograd.grad(y.square().sum(), list(model.parameters()))
    y0 = model(x)
    grads0 = torch.autograd.grad(y0.square().sum(), list(model.parameters()))
    torch.testing.assert_close(y, y0, rtol=0, atol=0)
    for g, g0 in zip(grads, grads0, strict=True):
        torch.testing.assert_close(g, g0)
    torch._dynamo.reset()


def test_torch_export_round_trip() -> None:
    model = _model()
    x = torch.randn(5, 4)
    ep = torch.export.export(model, (x,))
    assert "actfn.evaluate" in str(ep.graph)
    buf = io.BytesIO()
    torch.export.save(ep, buf)
    buf.seek(0)
    loaded = torch.export.load(buf).module()
    torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=0)


def test_torch_export_validates_learned_values_when_run() -> None:
    m = at.CELU(0.5, learnable=True)
    ep = torch.export.export(m, (torch.randn(3),)).module()
    with torch.no_grad():
        for p in ep.parameters():
            p.fill_(-1.0)
    with pytest.raises(ValueError, match="alpha"):
        ep(torch.randn(3))


def test_torch_jit_trace_values_and_gradients() -> None:
    model = _model().double()
    x = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    traced = torch.jit.trace(model, (x,))
    torch.testing.assert_close(traced(x), model(x), rtol=0, atol=0)
    (g,) = torch.autograd.grad(traced(x).sum(), x, create_graph=True)
    (g0,) = torch.autograd.grad(model(x).sum(), x, create_graph=True)
    torch.testing.assert_close(g, g0, rtol=1e-15, atol=0)
    (gg,) = torch.autograd.grad(g.sum(), x)
    (gg0,) = torch.autograd.grad(g0.sum(), x)
    torch.testing.assert_close(gg, gg0, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("make", [lambda: at.CELU(alpha=0.5), lambda: at.GELU(),
                                  lambda: at.PReLU(3, 0.1)])
def test_onnx_export_decomposed(make: object) -> None:
    import onnx  # the "torch" extra installs onnx and onnxscript
    from onnx.reference import ReferenceEvaluator

    m = make().eval()  # type: ignore[operator]
    x = torch.randn(4, 3)
    with at.decomposed():
        prog = torch.onnx.export(m, (x,), dynamo=True, verbose=False)
    model = prog.model_proto
    onnx.checker.check_model(model)
    assert not any(n.domain.startswith("actfn") for n in model.graph.node)
    (out,) = ReferenceEvaluator(model).run(None, {model.graph.input[0].name: x.numpy()})
    # a few float32 ulps: the ONNX reference evaluator has its own erf/exp
    np.testing.assert_allclose(out, m(x).detach().numpy(), rtol=1e-6, atol=1e-30)


def test_decomposed_refuses_a_learnable_scalar() -> None:
    with at.decomposed(), pytest.raises(ValueError, match=r"learnable.*decomposed\(model\)"):
        torch.export.export(at.CELU(0.5, learnable=True), (torch.randn(3),))


def test_onnx_export_of_trained_learnable_scalars() -> None:
    """decomposed(model) exports each learnable scalar at its trained value (a constant of the
    graph; the value at the block's entry), PReLU's per-channel weight as a graph parameter;
    the layers are unchanged afterwards, and the values are read at entry, not at export."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), at.CELU(0.5, learnable=True),
                                torch.nn.Linear(3, 3), at.PReLU(3, 0.1),
                                at.Softplus(beta=2.0, learnable=True)).eval()
    with torch.no_grad():  # as if trained
        model[1].alpha.fill_(0.8125)
        model[3].weight.copy_(torch.tensor([0.05, 0.2, 0.3]))
        model[4].beta.fill_(1.75)
    x = torch.randn(6, 3)
    want = model(x).detach().numpy()
    with at.decomposed(model):
        prog = torch.onnx.export(model, (x,), dynamo=True, verbose=False)
        with torch.no_grad():
            model[1].alpha.fill_(3.0)  # after entry: not what the block exports
        ep = torch.export.export(model, (x,))
    onnx_model = prog.model_proto
    onnx.checker.check_model(onnx_model)
    assert not any(n.domain.startswith("actfn") for n in onnx_model.graph.node)
    (out,) = ReferenceEvaluator(onnx_model).run(None, {onnx_model.graph.input[0].name: x.numpy()})
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-30)
    # the program holds alpha = 3.0 in its state, and its graph computes with 0.8125
    assert float(ep.state_dict["1.alpha"]) == 3.0
    np.testing.assert_allclose(ep.module()(x).detach().numpy(), want, rtol=1e-6, atol=1e-30)
    with torch.no_grad():
        model[1].alpha.fill_(0.8125)
    # outside the block the layers learn again
    model[1].alpha.grad = None
    model(x).sum().backward()
    assert model[1].alpha.grad is not None and "_export_values" not in model[1].__dict__


def test_decomposed_model_errors() -> None:
    with pytest.raises(TypeError, match="torch.nn.Module"), at.decomposed("model"):  # type: ignore[arg-type]
        pass
    bad = at.CELU(0.5, learnable=True)
    with torch.no_grad():
        bad.alpha.fill_(0.0)  # trained out of CELU's domain
    with pytest.raises(ValueError, match="cannot be exported"), at.decomposed(bad):
        pass


def test_custom_op_mixed_second_derivative_and_its_limit() -> None:
    """∂f/∂p differentiated in x is ∂²f/∂x∂p; in p it raises (no ∂²f/∂p²)."""
    spec = actfn.lookup("celu")
    key = at._Op(spec, {}, ("alpha",)).key()
    x = torch.tensor([-1.3, -0.2, 0.4], dtype=torch.float64, requires_grad=True)
    p = torch.tensor(0.5, dtype=torch.float64)
    y = torch.ops.actfn.evaluate(x, *key, "dp:alpha", [p])
    (gx,) = torch.autograd.grad(y.sum(), x)
    want = torch.ops.actfn.evaluate(x.detach(), *key, "dpdf:alpha", [p])
    torch.testing.assert_close(gx, want, rtol=0, atol=0)
    p.requires_grad_()
    y = torch.ops.actfn.evaluate(x.detach(), *key, "dp:alpha", [p])
    with pytest.raises(NotImplementedError, match="third derivative"):
        y.sum().backward()


def test_custom_op_parameters_are_literals_only() -> None:
    x = torch.zeros(2, dtype=torch.float64)
    assert at._literal("{'a': -inf, 'b': (1.0, 2.5), 'c': 'tanh'}")["a"] == float("-inf")
    for bad in ("().__class__", "__import__('os')", "{'a': x}"):
        with pytest.raises(ValueError, match="malformed parameters"):
            torch.ops.actfn.evaluate(x, "celu", bad, "", "f", [])
