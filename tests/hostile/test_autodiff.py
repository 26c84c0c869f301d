"""Issue 9, "Silent wrong gradients" and tensor parameters.

Derivatives taken *through the core API* (``act(x)``, ``act.derivative``,
``act.value_and_derivative``, the functional shortcuts ``actfn.<name>``) with torch
autograd (backward, double backward, forward mode, ``torch.func``) or JAX (``grad``,
``grad(grad)``, under ``jit`` and ``vmap``) must be actfn's analytic f′ and f″, and a
third derivative must raise: differentiating the kernels' implementation gave
sigmoid′(0) = 0, softplus′(0) = 0, tanh′(30) = 0, celu′(1000) = nan and relu′(0) = 1.

Reference values are actfn's own NumPy results (whose accuracy tests/test_accuracy.py
checks against mpmath). Bound: the results agree to ``ULPS`` units in the last place of
the dtype (torch's and XLA's exp/log/erf are not libm's, so a float64 result may differ
in its last bits; float32 results are float64 values rounded once), NaN where NaN, and
±inf and zeros exactly.

Tensor parameters: ``actfn.torch`` / ``actfn.jax`` / ``actfn.keras`` validate them with
the registry's rules and messages, and a learnable parameter that training drives out
of range raises a ValueError at the next forward call.
"""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import actfn
import actfn.jax as aj
import actfn.torch as at

NAMES = actfn.names()
DTYPES = ("float32", "float64")
#: Agreement bound in units in the last place (see the module docstring).
ULPS = {"float32": 1, "float64": 4}
#: JAX with x64 off computes in float32; under jit, XLA's fused float32 arithmetic may
#: differ from op-by-op evaluation in the last bits (measured: 2 ulp, squareplus f'').
JAX_F32_ULPS = 4
LARGE = (30.0, 1000.0, 1e300)


def points(name: str, dtype: str = "float64") -> list[float]:
    """0, -0, every kink of the default parameters, ±large, ±inf and nan, as values of
    ``dtype`` (±1e300 is ±inf in float32)."""
    kinks = [float(k) for k in actfn.get(name).kinks()]
    large = [s * v for v in LARGE for s in (1.0, -1.0)]
    xs = np.array([0.0, -0.0, *kinks, *large, math.inf, -math.inf, math.nan, 0.5, -0.5])
    with np.errstate(over="ignore"):
        return xs.astype(dtype).astype(np.float64).tolist()


def assert_same(got: Any, want: Any, dtype: str, what: str, ulps: int | None = None) -> None:
    """``got`` equals ``want`` to ``ulps`` (default ULPS[dtype]) units in the last place;
    NaN where NaN; infinities exact."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, what
    nan_g, nan_w = np.isnan(got), np.isnan(want)
    assert (nan_g == nan_w).all(), f"{what}: NaN mismatch: got {got}, want {want}"
    ok = ~nan_w
    g, w = got[ok], want[ok]
    inf = np.isinf(w)
    assert (g[inf] == w[inf]).all(), f"{what}: got {g}, want {w}"
    tiny = np.finfo(dtype).smallest_subnormal
    spacing = np.spacing(np.abs(w[~inf]).astype(dtype)).astype(np.float64)
    ulps = ULPS[dtype] if ulps is None else ulps
    bound = ulps * np.maximum(spacing, tiny)
    err = np.abs(g[~inf] - w[~inf])
    bad = ~(err <= bound)
    assert not bad.any(), (
        f"{what}: differs by more than {ulps} ulp at {np.flatnonzero(bad)}: "
        f"got {g[~inf][bad]}, want {w[~inf][bad]}"
    )


def reference(name: str, xs: list[float], dtype: str) -> tuple[np.ndarray, np.ndarray]:
    act = actfn.get(name)
    x = np.array(xs, dtype=dtype)
    return act.derivative(x), act.second_derivative(x)


# -- torch ---------------------------------------------------------------------------------
def _torch_grads(fn: Any, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """First and second derivative of an elementwise ``fn`` by backward and double backward."""
    y = fn(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    return g.detach(), gg


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_torch_backward_through_core_api_is_analytic(name: str, dtype: str) -> None:
    xs = points(name, dtype)
    d1, d2 = reference(name, xs, dtype)
    act = actfn.get(name)
    shortcut = getattr(actfn, name)
    tdtype = getattr(torch, dtype)
    routes = {
        "act(x)": act,
        "value_and_derivative(x)[0]": lambda t: act.value_and_derivative(t)[0],
        f"actfn.{name}(x)": shortcut,
    }
    for what, fn in routes.items():
        x = torch.tensor(xs, dtype=tdtype, requires_grad=True)
        g, gg = _torch_grads(fn, x)
        assert g.dtype == gg.dtype == tdtype
        assert_same(g.numpy(), d1, dtype, f"{name} {dtype} {what}: backward")
        assert_same(gg.numpy(), d2, dtype, f"{name} {dtype} {what}: double backward")
    # The derivative itself differentiates to f'' (and the value is f').
    for what, fn in {
        "derivative(x)": act.derivative,
        "value_and_derivative(x)[1]": lambda t: act.value_and_derivative(t)[1],
        f"actfn.{name}.derivative(x)": shortcut.derivative,
    }.items():
        x = torch.tensor(xs, dtype=tdtype, requires_grad=True)
        d = fn(x)
        (g,) = torch.autograd.grad(d.sum(), x)
        assert d.dtype == tdtype and d.requires_grad
        assert_same(d.detach().numpy(), d1, dtype, f"{name} {dtype} {what}: value")
        assert_same(g.numpy(), d2, dtype, f"{name} {dtype} {what}: backward")


@pytest.mark.parametrize(
    ("name", "x", "exact"),
    [("sigmoid", 0.0, 0.25), ("softplus", 0.0, 0.5), ("logsigmoid", 0.0, 0.5),
     ("celu", 1000.0, 1.0), ("elu", 1000.0, 1.0), ("relu", 0.0, 0.0)],
)
def test_issue_cases_torch_and_jax(name: str, x: float, exact: float) -> None:
    # The values quoted in the issue (the kink convention of relu'(0) is PyTorch's 0).
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    actfn.get(name)(t).backward()
    assert t.grad.item() == exact
    with jax.enable_x64(True):
        assert float(jax.grad(actfn.get(name))(x)) == exact
    assert float(jax.grad(lambda v: actfn.get(name)(v))(jnp.float32(x))) == exact


def test_tanh_30_and_selu_1000() -> None:
    t = torch.tensor([30.0, 1000.0], dtype=torch.float64, requires_grad=True)
    actfn.get("tanh")(t).sum().backward()
    assert t.grad[0].item() == float(actfn.get("tanh").derivative(30.0)) > 0
    t = torch.tensor(1000.0, dtype=torch.float64, requires_grad=True)
    actfn.get("selu")(t).backward()
    assert t.grad.item() == float(actfn.get("selu").derivative(1000.0))


@pytest.mark.parametrize("name", ["sigmoid", "celu", "gelu", "relu"])
def test_third_derivative_raises_torch(name: str) -> None:
    act = actfn.get(name)
    x = torch.tensor([0.3, -0.2], dtype=torch.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="third derivative"):
        torch.autograd.grad(act.second_derivative(x).sum(), x)
    y = act(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="third derivative"):
        torch.autograd.grad(gg.sum(), x)
    # actfn.torch's layers too (their double backward used to differentiate f'').
    y = at.function(name)(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="third derivative"):
        torch.autograd.grad(gg.sum(), x)


@pytest.mark.parametrize("name", NAMES)
def test_torch_func_and_forward_mode(name: str) -> None:
    from torch.func import grad, jacfwd, jacrev, vmap

    xs = points(name)
    d1, d2 = reference(name, xs, "float64")
    act = actfn.get(name)
    x = torch.tensor(xs, dtype=torch.float64)
    assert_same(vmap(grad(act))(x).numpy(), d1, "float64", f"{name}: vmap(grad)")
    assert_same(vmap(grad(grad(act)))(x).numpy(), d2, "float64", f"{name}: vmap(grad(grad))")
    assert_same(torch.diagonal(jacrev(act)(x)).numpy(), d1, "float64", f"{name}: jacrev")
    assert_same(torch.diagonal(jacfwd(act)(x)).numpy(), d1, "float64", f"{name}: jacfwd")
    hess = jacfwd(jacrev(lambda t: act(t).sum()))(x)
    assert_same(torch.diagonal(hess).numpy(), d2, "float64", f"{name}: jacfwd(jacrev)")
    assert_same(vmap(act.derivative)(x).numpy(), d1, "float64", f"{name}: vmap(derivative)")
    import torch.autograd.forward_ad as fwad

    with fwad.dual_level():
        dual = fwad.make_dual(x, torch.ones_like(x))
        y = fwad.unpack_dual(act(dual))
        dy = fwad.unpack_dual(act.derivative(dual))
    assert_same(y.tangent.numpy(), d1, "float64", f"{name}: forward mode f")
    assert_same(dy.tangent.numpy(), d2, "float64", f"{name}: forward mode f'")
    with fwad.dual_level(), pytest.raises(NotImplementedError, match="third derivative"):
        act.second_derivative(fwad.make_dual(x, torch.ones_like(x)))


def test_torch_without_autograd_keeps_the_array_api_path() -> None:
    # Tensors autograd cannot see take the plain path: no graph, same values.
    act = actfn.get("celu")
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        y = act(x)
    assert not y.requires_grad
    assert act(x.detach()).grad_fn is None
    assert act(x).grad_fn is not None


def test_core_api_does_not_import_frameworks() -> None:
    code = (
        "import sys, numpy as np, actfn\n"
        "a = actfn.get('celu')\n"
        "a(np.ones(3)); a.derivative([1.0]); a.value_and_derivative(0.5); actfn.sigmoid(1.0)\n"
        "print(sorted({'torch', 'jax', 'actfn.torch', 'actfn.jax'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- JAX -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_jax_grad_through_core_api_is_analytic(name: str, dtype: str) -> None:
    # float64 with x64 on (actfn's float64 working precision, compared with NumPy); float32
    # with x64 off, where JAX works in float32: compared with the core API's own value
    # on the concrete array (the same kernel, not differentiated; float32 arithmetic, which
    # XLA's fusion under jit may round differently: JAX_F32_ULPS).
    xs = points(name, dtype)
    act = actfn.get(name)
    shortcut = getattr(actfn, name)
    ulps = JAX_F32_ULPS if dtype == "float32" else None
    with jax.enable_x64(dtype == "float64"):
        x = jnp.asarray(np.array(xs, dtype=dtype))
        if dtype == "float64":
            d1, d2 = reference(name, xs, dtype)
        else:
            d1, d2 = np.asarray(act.derivative(x)), np.asarray(act.second_derivative(x))
        for what, fn in {"act": act, "shortcut": shortcut}.items():
            g = jax.vmap(jax.grad(fn))(x)
            gg = jax.jit(jax.vmap(jax.grad(jax.grad(fn))))(x)
            assert g.dtype == gg.dtype == x.dtype
            assert_same(g, d1, dtype, f"{name} {dtype} {what}: vmap(grad)", ulps)
            assert_same(gg, d2, dtype, f"{name} {dtype} {what}: jit(vmap(grad(grad)))", ulps)
        # value_and_derivative: its value differentiates to f' (differentiating it twice
        # raises, since JAX also differentiates the f' it returns, which needs a third
        # derivative).
        g = jax.vmap(jax.grad(lambda v: act.value_and_derivative(v)[0]))(x)
        assert_same(g, d1, dtype, f"{name} {dtype} value_and_derivative[0]: vmap(grad)", ulps)
        for what, fn in {
            "derivative": act.derivative,
            "value_and_derivative[1]": lambda v: act.value_and_derivative(v)[1],
            "shortcut.derivative": shortcut.derivative,
        }.items():
            assert_same(jax.jit(fn)(x), d1, dtype, f"{name} {dtype} jit({what})", ulps)
            assert_same(jax.vmap(jax.grad(fn))(x), d2, dtype, f"{name} {dtype} grad({what})", ulps)
        # grad of a scalar reduction under jit (the usual training-loop shape).
        g = jax.jit(jax.grad(lambda v: jnp.sum(act(v))))(x)
        assert_same(g, d1, dtype, f"{name} {dtype} jit(grad(sum))", ulps)


@pytest.mark.parametrize("name", ["sigmoid", "celu", "gelu"])
def test_third_derivative_raises_jax(name: str) -> None:
    act = actfn.get(name)
    with pytest.raises(NotImplementedError, match="third derivative"):
        jax.grad(jax.grad(jax.grad(act)))(0.3)
    with pytest.raises(NotImplementedError, match="third derivative"):
        jax.grad(act.second_derivative)(0.3)
    with pytest.raises(NotImplementedError, match="third derivative"):
        jax.grad(jax.grad(jax.grad(aj.function(name))))(0.3)


# -- tensor parameters (torch, JAX, Keras) -------------------------------------------------------
def _registry_message(name: str, **params: Any) -> str:
    with pytest.raises(ValueError) as info:
        actfn.get(name, **params)
    return str(info.value)


@pytest.mark.parametrize("value", [-1.0, 0.0, math.nan, math.inf])
def test_torch_tensor_parameter_is_validated(value: float) -> None:
    want = _registry_message("celu", alpha=value)
    x = torch.tensor([-1.0, 0.5])
    for req in (False, True):
        alpha = torch.tensor(value, requires_grad=req)
        with pytest.raises(ValueError) as info:
            at.celu(x, alpha=alpha)
        assert str(info.value) == want


def test_torch_per_channel_parameter_is_validated_per_element() -> None:
    want = _registry_message("prelu", weight=[0.1, math.nan, 0.2])
    w = torch.tensor([0.1, math.nan, 0.2], requires_grad=True)
    with pytest.raises(ValueError) as info:
        at.prelu(torch.ones(2, 3), weight=w)
    assert str(info.value) == want
    assert "weight=nan" in want


def test_learnable_parameter_driven_out_of_range_raises_at_next_forward() -> None:
    m = at.Celu(0.5, learnable=True)
    x = torch.tensor([-2.0, -1.0, 0.5], requires_grad=True)
    opt = torch.optim.SGD(m.parameters(), lr=10.0)
    (-m(x).sum()).backward()
    opt.step()  # ∂f/∂alpha < 0 on x < 0: one big step on -f drives alpha below 0
    assert m.alpha.item() < 0
    with pytest.raises(ValueError, match=r"parameter alpha=-[0-9.e]+ is out of range; valid: "
                                         r"alpha > 0.*learnable parameter of Celu"):
        y = m(x)
    # Exactly zero (which made the double backward divide by zero) is refused too.
    with torch.no_grad():
        m.alpha.fill_(0.0)
    with pytest.raises(ValueError, match="alpha=0.0 is out of range"):
        y = m(x)
    with torch.no_grad():
        m.alpha.fill_(0.25)
    y = m(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    g.sum().backward()
    assert math.isfinite(m.alpha.grad.item())


def test_prelu_weight_driven_to_nan_raises() -> None:
    m = at.Prelu(3)
    with torch.no_grad():
        m.weight[1] = math.inf
    with pytest.raises(ValueError, match="weight=inf is out of range.*learnable parameter of Prelu"):
        m(torch.ones(2, 3))


def test_jax_array_parameters_are_validated_like_the_registry() -> None:
    with pytest.raises(ValueError, match=r"alpha=Array\(-1\..* is out of range; valid: alpha > 0"):
        aj.celu(jnp.ones(3), alpha=jnp.array(-1.0))
    want = _registry_message("prelu", weight=[0.1, math.nan])
    with pytest.raises(ValueError) as info:
        aj.prelu(jnp.ones((2, 2)), weight=jnp.array([0.1, math.nan]))
    assert str(info.value) == want
    # one message for the core API and actfn.jax (actfn._evaluate.check_static): "traced JAX value"
    with pytest.raises(TypeError, match="actfn.jax.celu: parameter alpha is a traced JAX value"):
        jax.jit(lambda v, a: aj.celu(v, alpha=a))(jnp.ones(2), 1.0)


def test_keras_array_parameters_are_validated_like_the_registry() -> None:
    code = (
        "import numpy as np, actfn, actfn.keras as ak\n"
        "for make in (lambda: ak.Celu(alpha=np.float64(-1.0)),\n"
        "             lambda: ak.Activation('celu', alpha=np.array(0.0)),\n"
        "             lambda: ak.Prelu(weight=np.array([0.1, np.nan]))):\n"
        "    try:\n"
        "        make()\n"
        "    except ValueError as e:\n"
        "        print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines == [
        _registry_message("celu", alpha=np.float64(-1.0)),
        _registry_message("celu", alpha=np.array(0.0)),
        _registry_message("prelu", weight=np.array([0.1, np.nan])),
    ]


# -- review of the gradient work (defects 1, 3, 5, 7, 8) -----------------------------------------
def _celu_dalpha(x: float, alpha: float) -> float:
    """∂celu/∂alpha at (x, alpha), by mpmath at 50 digits (ground truth)."""
    import mpmath

    with mpmath.workdps(50):
        def f(a: Any) -> Any:
            return mpmath.mpf(x) if x >= 0 else a * (mpmath.exp(mpmath.mpf(x) / a) - 1)

        return float(mpmath.diff(f, mpmath.mpf(alpha)))


def _celu_d2_dx_dalpha(x: float, alpha: float) -> float:
    """∂²celu/∂x∂alpha (of f′ = exp(x/alpha) for x < 0), by mpmath at 50 digits."""
    import mpmath

    with mpmath.workdps(50):
        if x >= 0:
            return 0.0
        return float(mpmath.diff(lambda a: mpmath.exp(mpmath.mpf(x) / a), mpmath.mpf(alpha)))


def test_defect1_core_api_keeps_tensor_parameters_that_require_grad() -> None:
    # Bound: 4 ulp of float64 against mpmath (module docstring); before, alpha.grad was
    # None (Spec.bind read the tensor as a float and detached it, with only a warning).
    xs = [-3.0, -1.0, -0.25, 0.5]
    for call in (lambda x, a: actfn.celu(x, alpha=a),
                 lambda x, a: actfn.get("celu", alpha=a)(x),
                 lambda x, a: actfn.get("celu", alpha=a).value_and_derivative(x)[0]):
        a = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
        x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        call(x, a).sum().backward()
        assert a.grad is not None, "alpha was detached"
        assert_same(a.grad, sum(_celu_dalpha(v, 0.7) for v in xs), "float64", "d/dalpha")
    # through the derivative: ∂f′/∂alpha (the mixed second derivative)
    a = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(xs, dtype=torch.float64)
    actfn.celu.derivative(x, alpha=a).sum().backward()
    assert_same(a.grad, sum(_celu_d2_dx_dalpha(v, 0.7) for v in xs), "float64", "d f'/dalpha")
    # the activation shows the tensor it keeps
    act = actfn.get("celu", alpha=a)
    assert "requires_grad=True" in repr(act) and act.params["alpha"] is a
    # per-channel: prelu's weight gets Σ x over the negative inputs of each channel (exact)
    w = torch.tensor([0.2, 0.3], dtype=torch.float64, requires_grad=True)
    x2 = torch.tensor([[-1.5, 2.0], [-0.25, -4.0], [3.0, -0.5]], dtype=torch.float64)
    actfn.prelu(x2, weight=w).sum().backward()
    assert w.grad is not None and w.grad.tolist() == [-1.75, -4.5]


def test_defect1_tensor_parameter_requiring_grad_needs_a_torch_input() -> None:
    a = torch.tensor(0.7, requires_grad=True)
    with pytest.raises(TypeError, match=r"celu: parameter\(s\) alpha are torch tensors that "
                                        r"require grad, so the input must be a torch.Tensor"):
        actfn.get("celu", alpha=a)(np.array([-1.0]))
    with pytest.raises(TypeError, match="parameter negative_slope is not learnable"):
        actfn.get("leaky_relu", negative_slope=torch.tensor(0.1, requires_grad=True))
    with pytest.raises(ValueError, match=r"alpha=-1.0 is out of range; valid: alpha > 0"):
        actfn.get("celu", alpha=torch.tensor(-1.0, requires_grad=True))


def test_defect1_jax_traced_parameter_raises_clearly() -> None:
    # Before: a ConcretizationTypeError from deep inside the registry's float(v).
    for fn in (lambda a: actfn.get("celu", alpha=a)(jnp.ones(3)).sum(),
               lambda a: actfn.celu(jnp.ones(3), alpha=a).sum()):
        with pytest.raises(TypeError, match=r"celu: parameter alpha is a traced JAX value.*"
                                            r"static Python numbers or concrete arrays"):
            jax.grad(fn)(1.0)


def test_defect3_activation_works_with_jit_eval_shape_pmap_and_cond() -> None:
    # In a subprocess: before the fix a repeated jax.jit of an Activation segfaulted.
    code = (
        "import weakref, jax, jax.numpy as jnp, numpy as np, actfn\n"
        "act = actfn.get('celu', alpha=0.5)\n"
        "assert weakref.ref(act)() is act\n"
        "x = jnp.array([-1.0, 0.0, 2.0])\n"
        "want = np.asarray(act(np.asarray(x)))\n"
        "for _ in range(3):\n"
        "    assert np.array_equal(np.asarray(jax.jit(act)(x)), want)\n"
        "    assert np.array_equal(np.asarray(jax.jit(actfn.get('celu', alpha=0.5))(x)), want)\n"
        "s = jax.eval_shape(act, x)\n"
        "assert s.shape == (3,) and s.dtype == x.dtype\n"
        "y = jax.lax.cond(False, act, act.derivative, x)\n"
        "assert np.array_equal(np.asarray(y), np.asarray(act.derivative(np.asarray(x))))\n"
        "p = jax.pmap(act)(x[None])\n"
        "assert np.array_equal(np.asarray(p)[0], want)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-3000:]


def test_defect5_meta_device_scalar_learnable_parameters() -> None:
    m = at.Celu(alpha=0.5, learnable=True).to("meta")
    y = m(torch.empty(3, 2, device="meta", dtype=torch.float64))
    assert y.device.type == "meta" and y.shape == (3, 2) and y.dtype == torch.float64
    y.sum().backward()  # gradients on meta too, as torch.nn.ELU
    assert m.alpha.grad is not None and m.alpha.grad.device.type == "meta"
    y = at.celu(torch.empty(4, device="meta"), alpha=torch.tensor(0.5, device="meta"))
    assert y.device.type == "meta" and y.shape == (4,)
    with torch.device("meta"):
        built = at.Selu(learnable=True)
        assert built(torch.empty(2)).shape == (2,)
        assert at.Prelu(3)(torch.empty(2, 3)).shape == (2, 3)
    # on a real device the same module computes values
    m2 = at.Celu(alpha=0.5, learnable=True)
    assert m2(torch.tensor([0.0])).item() == 0.0


def test_defect7_learnable_value_not_representable_in_its_dtype_is_refused_at_construction() -> None:
    # Before: 1e-300 became 0.0 in float32 and the first call raised "training moved it out
    # of the valid range"; 1e39 became inf.
    for value, rounded in ((1e-300, "alpha=0.0"), (1e39, "alpha=inf")):
        with pytest.raises(ValueError, match=rf"learnable parameter value\(s\) .*alpha.* not "
                                             rf"representable in the parameters' dtype "
                                             rf"torch.float32.*{rounded} is out of range"):
            at.Celu(alpha=value, learnable=True)
    assert at.Celu(alpha=1e-300).extra_repr() == "alpha=1e-300"  # fixed: kept in float64
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        m = at.Celu(alpha=1e-300, learnable=True)
        assert m.alpha.dtype == torch.float64 and m.alpha.item() == 1e-300
        assert m(torch.tensor([1.0], dtype=torch.float64)).item() == 1.0
    finally:
        torch.set_default_dtype(old)
    with pytest.raises(ValueError, match="not representable"):
        at.Prelu(2, init=1e39)


def test_defect8_integer_and_bfloat16_scalars_are_numbers_everywhere() -> None:
    import ml_dtypes

    x = torch.tensor([-1.0, 2.0])
    want = at.celu(x, alpha=1.0)
    for alpha in (torch.tensor(1), np.int64(1), np.array(1, dtype=ml_dtypes.bfloat16),
                  jnp.array(1, dtype=jnp.bfloat16), torch.tensor(1.0, dtype=torch.bfloat16)):
        assert actfn.get("celu", alpha=alpha) == actfn.get("celu", alpha=1.0), alpha
        assert torch.equal(at.celu(x, alpha=alpha), want), alpha
        assert np.array_equal(np.asarray(aj.celu(jnp.array([-1.0, 2.0]), alpha=alpha)),
                              np.asarray(aj.celu(jnp.array([-1.0, 2.0]), alpha=1.0))), alpha
    # out of range is out of range whatever the type
    with pytest.raises(ValueError, match=r"alpha=.* is out of range"):
        actfn.get("celu", alpha=np.array(-1, dtype=ml_dtypes.bfloat16))
    with pytest.raises(ValueError, match=r"alpha=.* is out of range"):
        at.celu(x, alpha=torch.tensor(0))
    # a bool is not a number, and a differentiable tensor must be floating
    with pytest.raises(ValueError, match="is not a real number"):
        actfn.get("celu", alpha=np.array(True))
    with pytest.raises(ValueError, match="is not a real number"):
        actfn.get("celu", alpha=np.array(1 + 0j))


def test_defect5_meta_parameter_with_a_real_input_raises_instead_of_garbage() -> None:
    with pytest.raises(ValueError, match="parameter alpha is on the 'meta' device"):
        at.celu(torch.tensor([-1.0]), alpha=torch.tensor(0.5, device="meta"))
