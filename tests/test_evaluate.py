"""The shared evaluation adapter (``actfn._evaluate``) and its use by every framework.

Per-channel reshaping errors are the same text whichever way an input arrives; the
generated functions of the core API, actfn.torch, actfn.jax and actfn.keras have one
signature per activation, and their layer classes one constructor; every generated
docstring carries the math and the kink convention; class names follow one rule; the
traced-JAX-parameter check has one message.
"""

from __future__ import annotations

import inspect
import os
import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import actfn
import actfn.jax as aj
import actfn.torch as at
from actfn import _evaluate, _fast
from actfn._registry import NAME_RULE

os.environ.setdefault("KERAS_BACKEND", "jax")  # as tests/test_properties.py: Keras' choice
import actfn.keras as ak  # noqa: E402

NAMES = actfn.names()
WEIGHT = [0.1, 0.2, 0.3]


# -- per-channel reshaping ----------------------------------------------------------------------
def _message(call: Any) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("shape", [(2, 2), (3,), (2, 4, 5)])
def test_per_channel_errors_are_identical_across_frameworks(shape: tuple[int, ...]) -> None:
    want = (f"prelu: weight has 3 values (one per channel), so the input needs at least 2 "
            f"dimensions with 3 channels on dim 1; got shape {shape}")
    x = np.ones(shape)
    act = actfn.get("prelu", weight=WEIGHT)

    def numpy_slow() -> Any:
        with _fast.disabled():
            return act(x)

    learned = torch.tensor(WEIGHT, requires_grad=True)
    calls = {
        "numpy": lambda: act(x),
        "numpy (no compiled loops)": numpy_slow,
        "functional": lambda: actfn.prelu(x, weight=WEIGHT),
        "torch via core": lambda: act(torch.ones(shape)),
        "torch functional": lambda: at.prelu(torch.ones(shape), weight=WEIGHT),
        "torch learned tensor": lambda: at.prelu(torch.ones(shape), weight=learned),
        "torch module": lambda: at.Prelu(3)(torch.ones(shape)),
        "torch autograd via core": lambda: act(torch.ones(shape, requires_grad=True)),
        "jax via core": lambda: act(jnp.ones(shape)),
        "jax function": lambda: aj.prelu(jnp.ones(shape), weight=WEIGHT),
        "jax under jit": lambda: jax.jit(lambda v: aj.prelu(v, weight=WEIGHT))(jnp.ones(shape)),
    }
    got = {where: _message(call) for where, call in calls.items()}
    assert got == dict.fromkeys(calls, want)


def test_per_channel_reshapes_along_dim_1() -> None:
    x = np.arange(-12.0, 12.0).reshape(2, 3, 4)
    w = np.asarray(WEIGHT)
    with _fast.disabled():
        got = actfn.get("prelu", weight=WEIGHT)(x)
    np.testing.assert_array_equal(got, np.where(x > 0, x, w[None, :, None] * x))
    assert _evaluate.channel_shape("o", "w", 3, (2, 3, 4, 5)) == (1, 3, 1, 1)
    assert _evaluate.per_channel("o", "w", np.asarray([2.0]), x, np).shape == ()
    for lib, arr in ((torch, torch.ones(2, 3, 4)), (jnp, jnp.ones((2, 3, 4)))):
        w3 = lib.asarray(WEIGHT)
        assert tuple(_evaluate.per_channel("o", "w", w3, arr, lib).shape) == (1, 3, 1)
    params = _evaluate.array_params(actfn.lookup("prelu"), {"weight": (0.5,)}, x, np)
    assert params == {"weight": 0.5}  # one value: a number, as a scalar parameter


# -- parameter binding ---------------------------------------------------------------------------
def test_traced_jax_parameter_has_one_message() -> None:
    pattern = (r"parameter alpha is a traced JAX value \(under jax.grad, jit, vmap...\); "
               r"parameters of the core API and actfn.jax are static Python numbers or concrete "
               r"arrays, not differentiable")
    calls = {
        "celu": lambda a: actfn.get("celu", alpha=a)(jnp.ones(3)).sum(),
        "actfn.jax.celu": lambda a: aj.celu(jnp.ones(3), alpha=a).sum(),
    }
    for owner, fn in calls.items():
        with pytest.raises(TypeError) as info:
            jax.grad(fn)(1.0)
        assert re.match(re.escape(owner) + ": " + pattern, str(info.value)), str(info.value)


def test_bind_keeps_tensors_that_require_grad_and_never_mutates_caller_data() -> None:
    spec = actfn.lookup("celu")
    alpha = torch.tensor(0.5, requires_grad=True)
    given = {"alpha": alpha}
    bound, live = _evaluate.bind(spec, given)
    assert bound == {"alpha": 0.5} and live == {"alpha": alpha} and live["alpha"] is alpha
    assert given == {"alpha": alpha} and alpha.requires_grad
    bound, live = _evaluate.bind(spec, {"alpha": torch.tensor(0.5)})
    assert bound == {"alpha": 0.5} and live == {}
    with pytest.raises(ValueError, match="alpha=-1.0 is out of range; valid: alpha > 0"):
        _evaluate.bind(spec, {"alpha": torch.tensor(-1.0, requires_grad=True)})
    with pytest.raises(TypeError, match="parameter lambd is not learnable"):
        _evaluate.bind(actfn.lookup("hardshrink"), {"lambd": torch.tensor(0.5, requires_grad=True)})


# -- signatures ---------------------------------------------------------------------------------
def _plain(sig: inspect.Signature) -> inspect.Signature:
    """``sig`` without annotations (torch and JAX annotate their array type)."""
    return sig.replace(
        parameters=[p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )


@pytest.mark.parametrize("name", NAMES)
def test_function_signatures_are_equal_across_frameworks(name: str) -> None:
    spec = actfn.lookup(name)
    want = inspect.Signature(
        [inspect.Parameter("x", inspect.Parameter.POSITIONAL_ONLY)]
        + [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default)
           for p in spec.params]
    )
    fns = {"actfn": getattr(actfn, name), "torch": getattr(at, name), "jax": getattr(aj, name),
           "keras": getattr(ak, name)}
    fns |= {f"actfn.{m}": getattr(fns["actfn"], m)
            for m in ("derivative", "second_derivative", "value_and_derivative")}
    # PyTorch's functional form adds one keyword of its own: the few-bit backward
    saved = inspect.Parameter("saved_bits", inspect.Parameter.KEYWORD_ONLY, default=None)
    expected = dict.fromkeys(fns, want)
    expected["torch"] = want.replace(parameters=[*want.parameters.values(), saved])
    assert {k: _plain(inspect.signature(f)) for k, f in fns.items()} == expected
    assert inspect.signature(fns["torch"]).return_annotation == "torch.Tensor"
    assert inspect.signature(fns["jax"]).return_annotation == "jax.Array"


@pytest.mark.parametrize("name", NAMES)
def test_layer_signatures_are_equal_across_frameworks(name: str) -> None:
    spec = actfn.lookup(name)
    torch_sig = inspect.signature(getattr(at, _evaluate.class_name(name)))
    keras_sig = inspect.signature(getattr(ak, _evaluate.class_name(name)))
    torch_pos = [n for n, p in torch_sig.parameters.items()
                 if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    keras_pos = [n for n, p in keras_sig.parameters.items()
                 if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    vector = [p for p in spec.params if p.vector and p.learnable and p.name in spec.dparams]
    if vector:  # torch sets a per-channel parameter as torch.nn.PReLU does
        assert torch_pos == ["num_parameters", "init"] + [p.name for p in spec.params
                                                           if not p.vector]
        assert torch_sig.parameters["init"].default == vector[0].default
    else:
        # the activation's parameters first; a class under torch.nn's own name
        # (actfn.torch.native_class: Hardtanh, Softplus...) goes on with torch's arguments
        own = list(spec.param_names)
        assert torch_pos[:len(own)] == keras_pos == own
        if at.native_class(name) is getattr(at, _evaluate.class_name(name)):
            tnn = inspect.signature(getattr(torch.nn, _evaluate.class_name(name)))
            assert torch_pos[len(own):] == [n for n in tnn.parameters if n not in own
                                            and n not in ("device", "dtype", "args", "kwargs")]
        else:
            assert torch_pos == own
        for n in own:
            assert torch_sig.parameters[n].default == keras_sig.parameters[n].default
    assert keras_pos == list(spec.param_names)
    assert list(keras_sig.parameters.values())[-1].kind is inspect.Parameter.VAR_KEYWORD


def test_signature_builder() -> None:
    spec = actfn.lookup("hardtanh")
    assert str(_evaluate.signature(spec)) == "(x, /, *, min_val=-1.0, max_val=1.0)"
    assert (str(_evaluate.signature(spec, array="A"))
            == "(x: 'A', /, *, min_val=-1.0, max_val=1.0) -> 'A'")
    sig = _evaluate.signature(spec, layer=True, keyword_only=[("learnable", False)],
                              var_keyword=True)
    assert str(sig) == "(self, /, min_val=-1.0, max_val=1.0, *, learnable=False, **kwargs)"
    assert _evaluate.positional_names(sig) == ["min_val", "max_val"]


# -- docstrings ---------------------------------------------------------------------------------
def _generated(name: str) -> dict[str, Any]:
    cls = _evaluate.class_name(name)
    return {"actfn": getattr(actfn, name), "torch": getattr(at, name),
            "torch class": getattr(at, cls), "jax": getattr(aj, name),
            "keras": getattr(ak, name), "keras class": getattr(ak, cls)}


@pytest.mark.parametrize("name", NAMES)
def test_docstrings_carry_math_kink_convention_parameters_and_example(name: str) -> None:
    spec = actfn.lookup(name)
    for where, obj in _generated(name).items():
        doc = obj.__doc__ or ""
        assert doc.startswith(spec.summary), where
        for key in ("f", "df", "d2f"):
            assert spec.latex[key] in doc, (where, key)
        if spec.kink_convention:
            assert f"At kinks: {spec.kink_convention.rstrip('.')}." in doc, where
        else:
            assert spec.kinks(spec.defaults()) == ()
            assert "No kinks: f, f' and f'' are continuous everywhere." in doc, where
        for p in spec.params:
            assert f"    {p.name} (default {p.default!r})" in doc and p.valid_range() in doc, where
        if spec.reference:
            assert f"Reference: {spec.reference}" in doc, where
        examples = inspect.getdoc(obj) or ""
        assert "\nExample\n" in examples and ">>> " in examples, where


def _one_per_parameter_kind() -> list[str]:
    """The first activation with a numeric, a per-channel and a categorical parameter."""
    first: dict[str, str] = {}
    for n in actfn.names():
        for p in actfn.lookup(n).params:
            first.setdefault("choices" if p.choices else "vector" if p.vector else "number", n)
    return sorted(set(first.values()))


def test_docstring_examples_run() -> None:
    import doctest

    finder, runner = doctest.DocTestFinder(recurse=False), doctest.DocTestRunner()
    names = _one_per_parameter_kind()
    assert len(names) == 3, names
    for name in names:
        for where, obj in _generated(name).items():
            tests = finder.find(obj, name, globs={})
            assert tests and tests[0].examples, where
            result = runner.run(tests[0])
            assert result.failed == 0 and result.attempted >= 2, where


def test_docstring_of_an_activation_without_documentation() -> None:
    spec = actfn.Spec(name="bare_toy", f=lambda x, xp: x, df=lambda x, xp: x,
                      d2f=lambda x, xp: x, kinks=lambda p: (0.0,))
    doc = _evaluate.docstring(spec, "A role.")
    assert doc.splitlines()[:3] == ["bare_toy", "", "A role."]
    assert "Math: not documented yet." in doc
    assert "At kinks: the value taken is not documented yet." in doc


# -- class names --------------------------------------------------------------------------------
def test_class_names_follow_one_rule() -> None:
    rule = {n: "".join(part.capitalize() for part in n.split("_")) for n in NAMES}
    assert {n: _evaluate.class_name(n) for n in NAMES} == rule
    for n, cls in rule.items():
        assert getattr(at, cls).__name__ == getattr(ak, cls).__name__ == cls
        assert at.module_class(n) is getattr(at, cls) and ak.layer_class(n).__name__ == cls
    assert len(set(rule.values())) == len(rule)
    assert all(NAME_RULE.fullmatch(n) for n in NAMES)


#: Private names still read across modules by the files below (none left: keep it so).
KNOWN_PRIVATE: set[tuple[str, str]] = set()


def test_no_private_names_across_the_framework_modules() -> None:
    """The core API, torch.py, jax.py, keras.py and _evaluate.py import no private name from
    another module of actfn and read none (what they share lives in _evaluate under
    public-in-package names); in-package modules themselves (``_backend``) may be imported."""
    import ast
    from pathlib import Path

    src = Path(actfn.__file__).parent
    found = set()
    for mod in ("__init__.py", "_activation.py", "_evaluate.py", "torch.py", "jax.py",
                "keras.py"):
        tree = ast.parse((src / mod).read_text())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                for alias in node.names:
                    is_module = (src / f"{alias.name}.py").exists() or (src / alias.name).is_dir()
                    if is_module and node.module is None:
                        modules.add(alias.asname or alias.name)
                    elif alias.name.startswith("_"):
                        found.add((mod, f"{node.module}.{alias.name}"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in modules and node.attr.startswith("_")):
                found.add((mod, f"{node.value.id}.{node.attr}"))
    assert found == KNOWN_PRIVATE


# -- generation from the registry only ----------------------------------------------------------
def test_an_activation_registered_after_import_gets_everything_from_the_registry() -> None:
    spec = actfn.Spec(
        name="toy_square_plus", summary="x² + c, registered by tests/test_evaluate.py.",
        f=lambda x, xp, *, c: x * x + c, df=lambda x, xp, *, c: 2.0 * x,
        d2f=lambda x, xp, *, c: 2.0 + 0.0 * x,
        params=(actfn.Param("c", 0.5, "offset", lower=-1.0, upper=1.0),),
        latex={"f": "x^2 + c", "df": "2x", "d2f": "2"},
    )
    actfn.register(spec)
    try:
        objs = _generated("toy_square_plus")
        assert objs["torch class"].__name__ == objs["keras class"].__name__ == "ToySquarePlus"
        assert at.module_class("toy_square_plus") is objs["torch class"]
        assert ak.layer_class("toy_square_plus") is objs["keras class"]
        for where, obj in objs.items():
            doc = obj.__doc__ or ""
            assert doc.startswith(spec.summary) and "f(x) = x^2 + c" in doc, where
            assert "No kinks" in doc and "c (default 0.5): offset; c > -1 and c < 1" in doc, where
        x = np.array([[-1.0, 2.0]])
        want = x * x + 0.25
        np.testing.assert_array_equal(objs["actfn"](x, c=0.25), want)
        np.testing.assert_array_equal(objs["torch"](torch.tensor(x), c=0.25).numpy(), want)
        np.testing.assert_array_equal(np.asarray(objs["torch class"](0.25)(torch.tensor(x))), want)
        with jax.enable_x64(True):
            np.testing.assert_array_equal(np.asarray(objs["jax"](jnp.asarray(x), c=0.25)), want)
        np.testing.assert_allclose(np.asarray(objs["keras class"](c=0.25)(x)), want, rtol=1e-7)
    finally:
        actfn.unregister("toy_square_plus")
    assert not any(hasattr(m, n) for m in (actfn, at, aj, ak) for n in ("toy_square_plus",
                                                                           "ToySquarePlus"))
