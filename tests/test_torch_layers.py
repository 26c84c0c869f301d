"""actfn.torch: autograd (gradcheck, gradgradcheck, parameters), parity with PyTorch,
modules, dtypes, torch.compile, TorchScript and error messages.

Every test is parametrized over the registry. The framework's own function is the
``call`` expression of the registry's PyTorch ``Equivalent``. Where actfn and PyTorch
differ, :func:`test_more_accurate_than_torch` checks that actfn is the one closer to an
mpmath reference; ``python tests/test_torch_layers.py`` prints those differences.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

import actfn
import actfn.torch as at

NAMES = actfn.names()
LEARNABLE = [
    (n, p.name) for n in NAMES for p in actfn.lookup(n).params
    if p.learnable and p.name in actfn.lookup(n).dparams and not p.vector
]
DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]


# -- shared helpers (the JAX and Keras tests load them from this file) ---------------------------
def smooth_points(name: str, values: Any = (-2.3, -0.7, -0.05, 0.2, 0.9, 2.6), gap: float = 1e-2,
                  params: dict[str, Any] | None = None) -> list[float]:
    """``values`` with those within ``gap`` of a kink of ``name`` moved off it (by +1.37·gap
    steps), so that every activation gets inputs of the same length (JAX and Keras reuse
    their compiled kernels across activations when shapes agree)."""
    spec = actfn.lookup(name)
    kinks = spec.kinks(spec.bind(**(params or {})))
    out = []
    for v in values:
        v = float(v)
        while any(abs(v - k) <= gap for k in kinks):
            v += 1.37 * gap
        out.append(v)
    return out


#: Probe inputs for the accuracy comparison: zero, tiny, moderate, tail and huge.
PROBE = [0.0] + [s * m for m in (1e-30, 1e-8, 1e-3, 0.1, 0.5, 1.0, 2.0, 3.5, 5.0, 8.0, 10.0, 15.0,
                                 20.0, 25.0, 30.0, 40.0, 60.0, 90.0, 100.0, 1e3, 1e6, 1e30)
                 for s in (1.0, -1.0)]


def mp_reference(name: str, x: float, what: str) -> float:
    """f(x) or f'(x) (``what`` = "f" / "df") at default parameters, to 100 digits: the
    spec's reference formulas (``Spec.exact``, the mpmath oracle's ground truth), so a new
    activation has its reference the moment it is registered."""
    spec = actfn.lookup(name)
    assert spec.exact is not None, f"no reference formula (Spec.exact) for {name!r}"
    p = {k: (mpmath.mpf(v) if isinstance(v, float) else v) for k, v in spec.defaults().items()}
    fn = spec.exact.f if what == "f" else spec.exact.df
    with mpmath.workdps(100):
        return float(fn(mpmath.mpf(x), mpmath, **p))


def more_accurate(a: float, b: float, ref: float, dtype_eps: float) -> bool:
    """True when ``a`` (actfn) is at least as close to ``ref`` as ``b`` (a framework), or
    within 8 ulps of it (the README promises "a few ulps" in float64; the worst seen, 7 ulps,
    is gelu_sigmoid(-40))."""
    if math.isnan(ref):
        return math.isnan(a)
    ea, eb = abs(a - ref), abs(b - ref) if not math.isnan(b) else math.inf
    return ea <= eb or ea <= 8 * dtype_eps * abs(ref)


# -- framework equivalents -------------------------------------------------------------------------
def torch_equivalent(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    spec = actfn.lookup(name)
    eq = spec.knowledge.equivalent("PyTorch")
    code = compile(eq.at(spec.defaults()), f"<{name} PyTorch equivalent>", "eval")
    return lambda x: eval(code, {"torch": torch, "x": x})


def differences(dtype: torch.dtype) -> list[tuple[str, str, float, float, float, float]]:
    """(name, "f"/"df", x, actfn, torch, reference) wherever actfn and PyTorch disagree."""
    out = []
    for name in NAMES:
        xs = smooth_points(name, PROBE, gap=1e-6)
        x1 = torch.tensor(xs, dtype=dtype, requires_grad=True)
        x2 = torch.tensor(xs, dtype=dtype, requires_grad=True)
        y1 = at.function(name)(x1)
        y2 = torch_equivalent(name)(x2)
        y1.sum().backward()
        y2.sum().backward()
        for what, a, b in (("f", y1, y2), ("df", x1.grad, x2.grad)):
            for xv, av, bv in zip(xs, a.tolist(), b.tolist(), strict=True):
                if av != bv and not (math.isnan(av) and math.isnan(bv)):
                    out.append((name, what, float(torch.tensor(xv, dtype=dtype)), av, bv,
                                mp_reference(name, float(torch.tensor(xv, dtype=dtype)), what)))
    return out


# -- autograd ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    x = torch.tensor(smooth_points(name), dtype=torch.float64, requires_grad=True)
    fn = at.function(name)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_are_actfn_exactly(name: str) -> None:
    # The backward is actfn's f' and the double backward actfn's f'' (the NumPy path's values
    # up to a few ulps: torch's exp/erf are not libm's, and NumPy inputs may take the
    # compiled fast path, so bit equality is not expected).
    act = actfn.get(name)
    xs = smooth_points(name, np.linspace(-7, 7, 57))
    x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(at.function(name)(x).sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    tol = {"rtol": 2e-15, "atol": 1e-300}
    np.testing.assert_allclose(g.detach().numpy(), act.derivative(np.array(xs)), **tol)
    np.testing.assert_allclose(gg.numpy(), act.second_derivative(np.array(xs)), **tol)


@pytest.mark.parametrize(("name", "param"), LEARNABLE)
def test_learnable_parameter_gradients(name: str, param: str) -> None:
    spec = actfn.lookup(name)
    value = spec.defaults()[param] * 0.8
    x = torch.tensor([-2.5, -0.6, -0.1, 0.3, 1.9], dtype=torch.float64, requires_grad=True)
    p = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    f = lambda x, p: at.function(name)(x, **{param: p})
    assert gradcheck(f, (x, p))

    # Mixed second derivative: the input gradient differentiated wrt the parameter.
    def input_grad(x: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        return torch.autograd.grad(f(x, p).sum(), x, create_graph=True)[0]

    assert gradcheck(input_grad, (x, p))
    # ∂²f/∂p² is not implemented and says so.
    (gp,) = torch.autograd.grad(f(x, p).sum(), p, create_graph=True)
    with pytest.raises(NotImplementedError, match="second derivatives with respect to"):
        torch.autograd.grad(gp, p)


def test_prelu_per_channel_gradients_and_parity() -> None:
    x = torch.randn(3, 4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    x.requires_grad_(True)
    w = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, w: at.prelu(x, weight=w), (x, w))
    # Mixed second derivative ∂²f/∂x∂w (the input gradient differentiated wrt the slopes).
    assert gradcheck(
        lambda x, w: torch.autograd.grad(at.prelu(x, weight=w).sum(), x, create_graph=True)[0],
        (x, w),
    )
    m = at.Prelu(4, 0.1).double()
    ref = torch.nn.PReLU(4, 0.1).double()
    y, yr = m(x), ref(x)
    torch.testing.assert_close(y, yr, rtol=0, atol=0)
    y.sum().backward()
    yr.sum().backward()
    torch.testing.assert_close(m.weight.grad, ref.weight.grad)


def test_backward_saves_only_the_input() -> None:
    # (float64: the generic path; the compiled float32 path also keeps f′, see
    # tests/test_torch_fast.py)
    saved: list[torch.Tensor] = []
    x = torch.randn(6, requires_grad=True, dtype=torch.float64)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = at.gelu(x)
    assert len(saved) == 1 and saved[0] is x
    m = at.Celu(0.7, learnable=True)
    saved.clear()
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = m(x)
    assert len(saved) == 2 and saved[0] is x and saved[1] is m.alpha
    y.sum().backward()


# -- parity with PyTorch -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", NAMES)
def test_parity_with_torch(name: str, dtype: torch.dtype) -> None:
    xs = smooth_points(name, np.linspace(-6, 6, 49), gap=1e-3)
    x1 = torch.tensor(xs, dtype=dtype, requires_grad=True)
    x2 = torch.tensor(xs, dtype=dtype, requires_grad=True)
    y1, y2 = at.function(name)(x1), torch_equivalent(name)(x2)
    y1.sum().backward()
    y2.sum().backward()
    # Same function, not same bits: PyTorch's float32 kernels are several ulps off in places
    # and lose tails to cancellation (gelu(-3) in float32: PyTorch -0.004050225, actfn
    # -0.0040496942, exact -0.00404969409...). Outside the tolerance actfn must be the one
    # closer to the mpmath reference.
    tol = {"rtol": 1e-5, "atol": 1e-7} if dtype == torch.float32 else {"rtol": 1e-9, "atol": 1e-15}
    if name == "hardsigmoid" and dtype == torch.float64:
        # PyTorch's float64 hardsigmoid backward uses a float32 1/6: 0.1666666716337204.
        tol = {"rtol": 1e-7, "atol": 0}
    eps = torch.finfo(dtype).eps
    for what, a, b in (("f", y1, y2), ("df", x1.grad, x2.grad)):
        off = ~torch.isclose(a, b, **tol)
        for i in off.nonzero().flatten().tolist():
            xv = x1[i].item()  # the input as rounded to the dtype
            ref = mp_reference(name, xv, what)
            assert more_accurate(a[i].item(), b[i].item(), ref, eps), (what, xv, a[i], b[i], ref)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_more_accurate_than_torch(dtype: torch.dtype) -> None:
    eps = torch.finfo(dtype).eps
    worse = [d for d in differences(dtype) if not more_accurate(d[3], d[4], d[5], eps)]
    assert not worse, "actfn less accurate than PyTorch at (name, what, x, actfn, torch, ref): " + repr(worse)


def test_documented_exceptions() -> None:
    # Examples of the differences listed in the README: actfn is right, PyTorch is not.
    def grad(fn: Callable[[torch.Tensor], torch.Tensor], v: float, dtype: torch.dtype) -> float:
        x = torch.tensor([v], dtype=dtype, requires_grad=True)
        fn(x).sum().backward()
        return x.grad.item()

    f32, f64 = torch.float32, torch.float64
    # sigmoid'(20) in float32: PyTorch computes y(1 - y) with y rounded to 1 → 0.
    assert grad(torch.sigmoid, 20.0, f32) == 0.0
    assert grad(at.sigmoid, 20.0, f32) == pytest.approx(2.0611536e-09, rel=1e-7)
    # gelu'(-10) in float64: PyTorch loses Φ(-10) in 1 + erf → 1% error.
    ref = mp_reference("gelu", -10.0, "df")
    assert abs(grad(at.gelu, -10.0, f64) - ref) <= 1e-15 * abs(ref)
    assert abs(grad(torch.nn.functional.gelu, -10.0, f64) - ref) > 1e-3 * abs(ref)
    # tanh-GELU'(±1e20) in float32: x³ overflows inside PyTorch's formula → NaN.
    tanh_gelu = lambda t: torch.nn.functional.gelu(t, approximate="tanh")
    assert math.isnan(grad(tanh_gelu, -1e20, f32)) and math.isnan(grad(tanh_gelu, 1e20, f32))
    assert grad(lambda t: at.gelu(t, approximate="tanh"), -1e20, f32) == 0.0
    assert grad(lambda t: at.gelu(t, approximate="tanh"), 1e20, f32) == 1.0
    # softplus'(25) in float64: PyTorch's threshold=20 makes it exactly 1.
    assert grad(torch.nn.functional.softplus, 25.0, f64) == 1.0
    assert grad(at.softplus, 25.0, f64) == pytest.approx(1 - 1.3887943864771144e-11, rel=1e-16)


# -- modules -------------------------------------------------------------------------------------
def test_every_activation_has_a_function_and_a_module() -> None:
    for name in NAMES:
        fn = getattr(at, name)
        cls = getattr(at, "".join(p[:1].upper() + p[1:] for p in name.split("_")))
        assert fn.__name__ == name and issubclass(cls, at.Activation)
        assert cls is not at.Activation and cls.__doc__ and fn.__doc__
    assert at.Celu is at.module_class("celu") or at.Celu.__name__ == "Celu"


def test_registered_later_gets_layers() -> None:
    spec = actfn.Spec(name="double_it", f=lambda x, xp: 2.0 * x, df=lambda x, xp: 0.0 * x + 2.0,
                      d2f=lambda x, xp: 0.0 * x)
    actfn.register(spec)
    try:
        x = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)
        y = at.double_it(x)
        y.backward()
        assert y.item() == 3.0 and x.grad.item() == 2.0
        assert at.DoubleIt()(x).item() == 3.0
    finally:
        actfn.unregister("double_it")


def test_extra_repr() -> None:
    assert repr(at.Celu(0.5)) == "Celu(alpha=0.5)"
    assert repr(at.Prelu(3)) == "Prelu(num_parameters=3)"
    assert repr(at.Relu()) == "Relu()"
    assert repr(at.Activation("gelu", approximate="tanh")) == "Activation('gelu', approximate='tanh')"
    assert repr(at.Silu(beta=2.0, learnable=True)) == "Silu(beta=2 (learnable))"
    assert repr(at.Selu(learnable=("alpha",))).startswith("Selu(scale=1.0507")


@pytest.mark.parametrize(("name", "param"), LEARNABLE)
def test_state_dict_round_trip(name: str, param: str) -> None:
    cls = at.module_class(name)
    m = cls(learnable=(param,))
    assert list(m.state_dict()) == [param]
    with torch.no_grad():
        getattr(m, param).mul_(0.9)
    m2 = cls(learnable=(param,))
    m2.load_state_dict(m.state_dict())
    x = torch.linspace(-3, 3, 11)
    torch.testing.assert_close(m2(x), m(x), rtol=0, atol=0)
    assert cls().state_dict() == {} or not cls().state_dict()


def test_prelu_state_dict_is_torch_compatible() -> None:
    ref = torch.nn.PReLU(3, init=0.1)
    m = at.Prelu(3)
    m.load_state_dict(ref.state_dict())
    x = torch.randn(2, 3, 4)
    torch.testing.assert_close(m(x), ref(x))


@pytest.mark.parametrize("name", NAMES)
def test_small_model_trains(name: str) -> None:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(64, 3, generator=gen)
    y = torch.sin(x.sum(1, keepdim=True))
    torch.manual_seed(0)
    layer = at.module_class(name)()
    model = torch.nn.Sequential(torch.nn.Linear(3, 16), layer, torch.nn.Linear(16, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    losses = []
    for _ in range(8):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]


def test_learnable_parameters_train() -> None:
    torch.manual_seed(0)
    act = at.Celu(1.0, learnable=True)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), act, torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(32, 2)
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), x[:, :1] ** 2).backward()
        opt.step()
    assert act.alpha.item() != 1.0


# -- dtypes and devices --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_dtype_sweep(name: str, dtype: torch.dtype) -> None:
    # Forward and gradient are actfn's float64 values rounded once to the dtype.
    xs = smooth_points(name, np.linspace(-5, 5, 21), gap=0.05)
    x = torch.tensor(xs, dtype=dtype, requires_grad=True)
    y = at.function(name)(x)
    y.backward(torch.ones_like(y))
    assert y.dtype == dtype and x.grad.dtype == dtype
    x64 = x.detach().double().numpy()
    want_f = torch.from_numpy(np.asarray(actfn.get(name)(x64))).to(dtype)
    want_d = torch.from_numpy(np.asarray(actfn.get(name).derivative(x64))).to(dtype)
    # Up to an ulp of the dtype (a few in float64: torch's exp is not libm's, and NumPy
    # inputs may take the compiled fast path).
    tol = {"rtol": (8 if dtype == torch.float64 else 2) * torch.finfo(dtype).eps, "atol": torch.finfo(dtype).tiny, "equal_nan": True}
    torch.testing.assert_close(y.detach(), want_f, **tol)
    torch.testing.assert_close(x.grad, want_d, **tol)


def test_integer_input_gives_default_dtype_and_complex_raises() -> None:
    assert at.relu(torch.tensor([1, -2])).dtype == torch.get_default_dtype()
    with pytest.raises(TypeError, match="complex"):
        at.relu(torch.tensor([1j]))
    with pytest.raises(TypeError, match="torch.Tensor"):
        at.relu([1.0])


def test_special_values() -> None:
    x = torch.tensor([-math.inf, math.inf, math.nan, -0.0], dtype=torch.float64, requires_grad=True)
    y = at.gelu(x)
    y.sum().backward()
    assert y[:2].tolist() == [0.0, math.inf] and math.isnan(y[2].item())
    assert x.grad[:2].tolist() == [0.0, 1.0] and math.isnan(x.grad[2].item())


@pytest.mark.parametrize("name", NAMES)
def test_device_is_kept_meta_stands_in_for_cuda(name: str) -> None:
    # No GPU here: the "meta" device runs the same code path without data, which shows
    # that nothing is moved to the CPU (forward, backward and double backward).
    x = torch.randn(2, 3, device="meta", requires_grad=True)
    y = at.function(name)(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    assert {y.device.type, g.device.type, gg.device.type} == {"meta"}
    assert y.dtype == g.dtype == gg.dtype == x.dtype


# -- compilers ------------------------------------------------------------------------------------
def test_torch_compile_matches_eager() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), at.Celu(0.5), torch.nn.Linear(8, 1))
    x = torch.randn(5, 4)
    compiled = torch.compile(model)
    y = compiled(x)
    y.sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    y_eager = model(x)
    y_eager.sum().backward()
    torch.testing.assert_close(y, y_eager)
    for g, p in zip(grads, model.parameters(), strict=True):
        torch.testing.assert_close(g, p.grad)


def test_torch_compile_graph_breaks_are_as_documented() -> None:
    import torch._dynamo

    x = torch.randn(4)
    # Fixed parameters trace into one graph ...
    assert torch._dynamo.explain(lambda t: at.celu(t, alpha=0.5))(x).graph_break_count == 0
    torch._dynamo.reset()
    # ... and so does a learnable scalar parameter (the custom op actfn::evaluate reads it).
    m = at.Celu(0.5, learnable=True)
    assert torch._dynamo.explain(m)(x).graph_break_count == 0
    torch._dynamo.reset()
    torch.testing.assert_close(torch.compile(m, backend="eager")(x), m(x))


def test_torch_jit_script_says_it_is_unsupported() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), at.Gelu())
    with pytest.raises(RuntimeError, match="cannot be compiled with torch.jit.script"):
        torch.jit.script(model)


# -- errors -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: at.Celu(alpha=-1.0), ValueError, r"alpha=-1.0 is out of range; valid: alpha > 0"),
        (lambda: at.Celu(alpha="x"), ValueError, "not a real number"),
        (lambda: at.Hardtanh(2.0, 1.0), ValueError, "must be smaller than max_val"),
        (lambda: at.Relu(alpha=1.0), TypeError, "unexpected parameter"),
        (lambda: at.Relu(1.0), TypeError, "at most 0 positional"),
        (lambda: at.Celu(learnable=("beta",)), ValueError, "cannot learn beta; learnable parameters: alpha"),
        (lambda: at.Relu(learnable=True), ValueError, "relu has no learnable parameters"),
        (lambda: at.Celu(learnable="alpha"), TypeError, "learnable must be a bool"),
        (lambda: at.Prelu(num_parameters=0), ValueError, "num_parameters=0 must be a positive integer"),
        (lambda: at.Celu(num_parameters=2), TypeError, "num_parameters/init only apply"),
        (lambda: at.Activation("celu2"), ValueError, "did you mean 'celu'"),
        (lambda: at.Gelu(approximate="fast"), ValueError, "approximate must be one of"),
    ],
)
def test_constructor_errors(make: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_call_errors() -> None:
    with pytest.raises(ValueError, match="3 values .* 3 channels on dim 1; got shape"):
        at.Prelu(3)(torch.randn(2, 4))
    with pytest.raises(TypeError, match="lambd is not learnable"):
        at.hardshrink(torch.randn(3), lambd=torch.tensor(0.5, requires_grad=True))
    with pytest.raises(ValueError, match="0-d"):
        at.celu(torch.randn(3), alpha=torch.ones(2))


def test_import_actfn_does_not_import_frameworks() -> None:
    code = "import sys, actfn; print(sorted({'torch', 'jax', 'keras'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


if __name__ == "__main__":
    # The difference table quoted in the README: python tests/test_torch_layers.py
    for dt in (torch.float32, torch.float64):
        for name, what, xv, a, b, ref in differences(dt):
            print(f"{str(dt)[6:]:8s} {name:12s} {what:3s} x={xv!r:24} actfn={a!r:26} "
                  f"torch={b!r:26} mpmath={ref!r}")
