"""actfn.torch classes under torch.nn's names (``CELU``, ``GELU``, ``LeakyReLU``...): derived
from the catalog's PyTorch ``Equivalent``, same constructor and repr as torch, parity of
values and gradients with the built-in, ``inplace`` a no-op, 0.1.0 names deprecated."""

from __future__ import annotations

import inspect
import warnings

import pytest
import torch

import actfn
import actfn.torch as at
from actfn import _knowledge
from actfn._evaluate import class_name

from .test_torch_layers import smooth_points

NATIVE = [n for n in actfn.names() if at.native_name(n) is not None]


def _layer(name: str) -> str:
    eq = _knowledge.for_spec(actfn.lookup(name)).equivalent("PyTorch")
    assert eq is not None
    return eq.layer.split("#")[0].strip()


def test_every_torch_layer_in_the_catalog_has_a_native_class() -> None:
    assert NATIVE, "the catalog names torch.nn layers"
    for n in actfn.names():
        eq = _knowledge.for_spec(actfn.lookup(n)).equivalent("PyTorch")
        has_layer = eq is not None and eq.layer.startswith("torch.nn.")
        assert (at.native_class(n) is not None) == has_layer, n
    for n in NATIVE:
        cls = at.native_class(n)
        assert getattr(at, cls.__name__) is cls
        assert cls.__name__ in at.__all__
        assert cls.__name__ == _layer(n).removeprefix("torch.nn.").split("(")[0]


@pytest.mark.parametrize("name", NATIVE)
def test_parity_with_the_builtin_values_and_gradients(name: str) -> None:
    code = _layer(name)
    theirs = eval(code, {"torch": torch}).eval()  # noqa: S307 (catalog data)
    ours = eval(code.replace("torch.nn.", "at.", 1), {"at": at}).eval()  # noqa: S307
    assert repr(ours) == repr(theirs)
    x = torch.tensor(smooth_points(name, [-3.1, -1.2, -0.4, 0.3, 0.8, 2.7]), dtype=torch.float64)
    x = x.reshape(2, 3) if name != "prelu" else x.reshape(6, 1)
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = ours(xa), theirs.double()(xb)
    torch.testing.assert_close(ya, yb, rtol=1e-12, atol=1e-14)
    (ga,) = torch.autograd.grad(ya.sum(), xa)
    (gb,) = torch.autograd.grad(yb.sum(), xb)
    torch.testing.assert_close(ga, gb, rtol=1e-7, atol=1e-14)  # torch rounds some params to f32


@pytest.mark.parametrize("name", NATIVE)
def test_constructor_is_torchs(name: str) -> None:
    cls = at.native_class(name)
    tcls = getattr(torch.nn, cls.__name__)
    ours = inspect.signature(cls.__init__).parameters
    for p in inspect.signature(tcls.__init__).parameters.values():
        if p.name in ("self", "device", "dtype") or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        assert p.name in ours, (name, p.name)
        if p.default is not p.empty:
            assert ours[p.name].default == p.default, (name, p.name)
        else:  # required in torch (Threshold): the registry's default here (documented)
            assert ours[p.name].default == actfn.lookup(name).defaults()[p.name]


def test_inplace_is_accepted_and_a_no_op() -> None:
    x = torch.tensor([-1.0, 0.5])
    before = x.clone()
    m = at.LeakyReLU(0.1, True)
    assert repr(m) == repr(torch.nn.LeakyReLU(0.1, True))
    y = m(x)
    assert torch.equal(x, before)
    torch.testing.assert_close(y, torch.tensor([-0.1, 0.5]))


def test_gelu_tanh_and_actfn_extras() -> None:
    x = torch.linspace(-3, 3, 7, dtype=torch.float64)
    torch.testing.assert_close(at.GELU(approximate="tanh")(x),
                               torch.nn.GELU(approximate="tanh")(x))
    m = at.SELU(learnable=True)
    assert sorted(n for n, _ in m.named_parameters()) == ["alpha", "scale"]
    assert "(learnable)" in repr(m)
    assert repr(at.SiLU(beta=2.0)) == "SiLU(beta=2.0)"
    with pytest.raises(TypeError, match="unexpected keyword argument 'alhpa'"):
        at.CELU(alhpa=0.5)
    with pytest.raises(ValueError, match="alpha"):
        at.CELU(-1.0)


def test_old_names_are_deprecated_aliases() -> None:
    for n in NATIVE:
        old = getattr(at, class_name(n))
        new = at.native_class(n)
        if old is new:
            continue  # torch's name is the 0.1.0 name (Mish, Sigmoid...)
        with pytest.warns(DeprecationWarning, match=f"use actfn.torch.{new.__name__}"):
            m = old()
        x = torch.linspace(-2, 2, 5).reshape(1, 5, 1) if n == "prelu" else torch.linspace(-2, 2, 5)
        torch.testing.assert_close(m(x), new()(x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        at.Activation("celu")  # the generic module is not deprecated
        at.CELU()


def test_native_modules_pickle_and_load_weights_only() -> None:
    import io

    m = at.PReLU(3, 0.1)
    buf = io.BytesIO()
    torch.save(m, buf)
    buf.seek(0)
    with torch.serialization.safe_globals([at.PReLU]):
        m2 = torch.load(buf, weights_only=False)
    assert type(m2) is at.PReLU and repr(m2) == repr(m)
    torch.testing.assert_close(m2.weight, m.weight)
