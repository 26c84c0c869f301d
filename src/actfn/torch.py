"""PyTorch layers for every activation in the catalog, with actfn's analytic derivatives.

For each registered activation ``name`` this module provides

* a functional form ``actfn.torch.<name>(x, *, **params)`` (``actfn.torch.celu(x, alpha=0.5)``),
* an ``nn.Module`` class under ``torch.nn``'s name and with its constructor where torch has
  the layer (``CELU``, ``GELU(approximate="tanh")``, ``LeakyReLU(negative_slope=0.01)``,
  ``PReLU``, ``Softplus(beta, threshold)``...; :func:`native_name` reads it from the
  catalog's PyTorch ``Equivalent``), else named by capitalising the parts of the name
  (``gelu_sigmoid`` → ``GeluSigmoid``). The 0.1.0 capitalised names that differ from
  torch's (``Celu``, ``Prelu``, ``LeakyRelu``...) still work and warn
  ``DeprecationWarning``; they are removed in the next release,
* and the generic module ``actfn.torch.Activation("celu", alpha=0.5)``.

Everything is generated from the registry, so a newly registered activation gets its
function and class at once (module ``__getattr__`` covers ones registered after import).

``torch.nn`` names
    Same constructor arguments and defaults as the ``torch.nn`` class (read from its
    signature), ``extra_repr`` as torch's. Deviations: ``inplace`` is accepted and shown
    but a no-op (actfn never writes its input); arguments actfn has no use for
    (Softplus's ``threshold``) are accepted and shown but unused (f is exact
    everywhere); actfn's own parameters are extra keywords (``SELU(learnable=True)``,
    ``SiLU(beta=2.0)``); RReLU is its deterministic (eval-mode) form; arguments torch
    requires (Threshold's) default to the registry's values.

Autograd
    An eager call goes through a :class:`torch.autograd.Function`. The forward computes f
    in float64 (float32 on MPS) and rounds once to the input dtype; the backward multiplies
    the incoming gradient by actfn's f′ in float64 and rounds once; the double backward
    uses f″, so ``torch.autograd.gradcheck`` and ``gradgradcheck`` pass. Third derivatives
    raise ``NotImplementedError`` (actfn has no f‴, and differentiating the f″ kernel would
    give wrong values). Forward-mode AD (``jvp``) and ``torch.func`` transforms (grad,
    vmap, jacrev, jacfwd, hessian) work. The core API (``actfn.get(name)(x)`` and its
    methods) routes tensors that autograd can see through these same Functions.

Compiled CPU path
    Contiguous float32, bfloat16 and float16 CPU tensors with fixed parameters run the
    fused numba loops of :mod:`actfn._fast` on the tensor's own memory (zero-copy): the
    forward computes f and f′ in one pass and keeps f′ (in the input dtype) for the
    backward, which is one multiply; a double backward goes through f″ as above. The same
    kernels as the NumPy path (≤ 1 ulp from the float64 result rounded once). Loops are
    compiled once per (activation, parameters, dtype) and cached. A per-channel learnable
    parameter (PReLU's weight) is read by the loop at run time (:mod:`actfn._fast._param`:
    f, f′ and ∂f/∂w in one pass). From 2¹⁶ elements with ``torch.get_num_threads()`` > 1
    the loop runs on slices in pooled threads (:mod:`actfn._fast._split`; not numba's
    OpenMP pool, which would spin against torch's). Learnable scalar parameters,
    non-contiguous tensors, CUDA/MPS and torch.func transforms take the generic path.
    Where the registry declares torch's own op exact (``Spec.torch_exact``: relu, relu6,
    hardtanh, hardshrink, threshold; leaky_relu with a slope the dtype holds exactly),
    float32/bfloat16/float16 CPU tensors go to that op and its native backward instead:
    bit-identical values and gradients, except that a NaN input's gradient is torch's
    finite one (:func:`_native`).

Traces
    Under ``torch.compile``, ``torch.export`` and ``torch.jit.trace`` each activation is
    one call of the custom op ``torch.ops.actfn.evaluate`` (a fake implementation for
    shapes, ``register_autograd`` whose backward calls the op again for f′, f″, ∂f/∂p and
    ∂²f/∂x∂p, so double backward stays analytic). So ``torch.compile(fullgraph=True)``
    traces fixed *and* learnable parameters without a graph break (the op reads their
    values when it runs, and validates them then), ``torch.export`` graphs save and load
    (``import actfn.torch`` registers the op), and ``torch.jit.trace`` checks and replays.
    Why not the op everywhere: a custom op has no forward-mode AD (so no jacfwd/hessian),
    and Dynamo does not trace an autograd.Function that defines ``jvp``. ONNX export needs
    plain operations: inside :func:`decomposed` traces record the reference kernel as
    torch operations instead (fixed scalar parameters only). ``torch.jit.script`` is not
    supported and raises a ``RuntimeError`` saying so.

Learnable parameters
    Parameters the registry marks learnable can be learned. The per-channel slope of
    ``prelu`` always is (``PReLU(num_parameters=1, init=0.25)``, channels on dim 1, like
    ``torch.nn.PReLU``); the scalar ones (alpha of elu/selu/celu, scale of selu, beta of
    silu/softplus) are opt-in: ``CELU(alpha=0.5, learnable=True)`` or
    ``Activation("selu", learnable=("alpha",))``. Functional forms accept a tensor for such
    a parameter and then return its gradient. Gradients with respect to parameters are
    analytic (``Spec.dparams``), and so are the mixed second derivatives ∂²f/∂x∂p
    (``Spec.dparams_df``) used when differentiating the input gradient (gradient
    penalties). Second derivatives with respect to two parameters raise
    ``NotImplementedError``. Tensor parameters are validated with the registry's rules and
    messages (a module's whenever their version counter says they changed: in-place
    updates and optimiser steps, not writes through ``.data``), so a learnable parameter
    that training drives out of its valid range raises ``ValueError`` at the next forward
    call. Eager calls read scalar learnable
    parameters with ``.item()`` (a host synchronisation on CUDA).

Few-bit backward
    ``saved_bits=1|2|3|4|8`` (every layer and function) keeps a packed k-bit code of the
    input for the backward instead of the input: exact region codes for piecewise-linear
    activations, a fitted piecewise-constant f′ for the others (:mod:`actfn._fewbit`).

Dtypes and devices
    float16, bfloat16, float32 and float64 tensors keep their dtype; integer and bool
    tensors give ``torch.get_default_dtype()``; complex tensors raise ``TypeError``.
    Computation stays on the input's device (CPU, CUDA; float32 working precision on MPS).

Modules pickle and deepcopy: the built-in classes the standard ``nn.Module`` way (so
``torch.load(weights_only=True)`` needs only the class in ``safe_globals``), modules of
activations registered at runtime by activation name and state (unpickled where the
name is unknown, they raise when called). Learnable parameters are stored in
``torch.get_default_dtype()``; a value that dtype cannot hold in range is refused at
construction. On the "meta" device outputs are meta tensors of the right shape.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import array_api_compat.torch as _aac_torch
import numpy as np
import torch

from . import _evaluate, _fast, _fewbit, _knowledge
from ._evaluate import (
    EvalContext,
    Generated,
    Glue,
    PerSpec,
    array_params,
    builtin_names,
    class_name,
    context,
    docstring,
    dress,
    layer_class,
    layer_params,
    learn_plan,
    learnable_params,
    per_channel,
    register_glue,
    signature,
)
from ._fast._split import run_ranges, run_split, threads_for
from ._registry import Spec, canonical_names, lookup, merge_positional, registered
from .kernels.df32 import Float32Context

__all__ = ["Activation", "decomposed", "function", "module_class"]


# -- evaluation of the registry kernels on tensors ----------------------------------------
class _Namespace:
    """The array-API torch namespace, except that ``where`` with two Python scalars gives
    the working dtype (array_api_compat gives them float32, which would round constants
    such as 0.01 in float64 work)."""

    def __init__(self, dtype: torch.dtype) -> None:
        self._base = _aac_torch
        self._dtype = dtype

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def where(self, cond: torch.Tensor, a: Any, b: Any) -> torch.Tensor:
        if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
            a = torch.tensor(a, dtype=self._dtype, device=cond.device)
        return torch.where(cond, a, b)


_NAMESPACES: dict[torch.dtype, _Namespace] = {}


def _namespace(dtype: torch.dtype) -> _Namespace:
    ns = _NAMESPACES.get(dtype)
    if ns is None:
        ns = _NAMESPACES[dtype] = _Namespace(dtype)
    return ns


_CONTEXTS: dict[torch.dtype, EvalContext] = {}


def _context(dtype: torch.dtype) -> Any:
    """The kernels' evaluation context for working dtype ``dtype`` (torch's special
    functions, :class:`_Namespace`'s ``where``). Kept in a plain dict, built outside any
    trace: a call to the cached :func:`context` inside ``torch.compile`` breaks the graph."""
    ctx = _CONTEXTS.get(dtype)
    if ctx is None:
        ctx = context(_namespace(dtype), _aac_torch)
        if dtype == torch.float32:  # working dtype on MPS: compensated float32 (df32)
            ctx = Float32Context(ctx)
        _CONTEXTS[dtype] = ctx
    return ctx


# The working dtypes (float64; float32 on MPS) get their contexts now, outside any trace.
for _dt in (torch.float64, torch.float32):
    _context(_dt)
del _dt


def _tracing() -> bool:
    """True under ``torch.compile``/``torch.export`` (Dynamo) or ``torch.jit.trace``."""
    return bool(torch.compiler.is_compiling() or torch.jit.is_tracing())


def _is_fake(t: torch.Tensor) -> bool:
    """True for a tensor without values (fake tensors of a trace)."""
    return isinstance(t, torch._subclasses.fake_tensor.FakeTensor)


def _work_dtype(x: torch.Tensor) -> torch.dtype:
    return torch.float32 if x.device.type == "mps" else torch.float64


def _out_dtype(x: torch.Tensor) -> torch.dtype:
    if x.is_floating_point():
        if x.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
            raise TypeError(f"unsupported dtype {x.dtype}: actfn works on real floating tensors")
        return x.dtype
    if x.is_complex():
        raise TypeError("complex input is not supported: activations are real functions")
    return torch.get_default_dtype()


class _Op:
    """An activation with its fixed parameters and the names of the tensor parameters."""

    __slots__ = ("spec", "fixed", "learned", "_key", "loops", "native")

    def __init__(self, spec: Spec, fixed: Mapping[str, Any], learned: tuple[str, ...]) -> None:
        self.spec = spec
        self.fixed = dict(fixed)
        self.learned = learned
        self._key: tuple[str, str, str] | None = None
        #: dtype → the compiled loops of :func:`_fast_loops` (False: none), looked up once
        self.loops: dict[torch.dtype, Any] = {}
        #: dtype → torch's own exact op (:func:`_native`; False: none), looked up once
        self.native: dict[torch.dtype, Any] = {}

    def kernel_params(self, xw: torch.Tensor, tensors: Sequence[torch.Tensor]) -> dict[str, Any]:
        kw = array_params(self.spec, self.fixed, xw, _namespace(xw.dtype))
        vector = {p.name for p in self.spec.params if p.vector}
        for name, t in zip(self.learned, tensors, strict=False):
            # never on "meta" here: see eval
            kw[name] = self.per_channel(name, t, xw) if name in vector else float(t)
        return kw

    def per_channel(self, name: str, w: torch.Tensor, xw: torch.Tensor) -> torch.Tensor:
        """The tensor parameter (or tangent) ``w`` of ``name`` in ``xw``'s dtype and device,
        shaped to broadcast along dim 1 of ``xw`` (``_evaluate.per_channel``)."""
        return per_channel(self.spec.name, name, w.to(dtype=xw.dtype, device=xw.device), xw,
                           torch)

    def kernel(self, which: str) -> Callable[..., Any]:
        """The registry kernel named by ``which``: ``"f"``, ``"df"``, ``"d2f"``,
        ``"dp:<param>"`` (∂f/∂p) or ``"dpdf:<param>"`` (∂²f/∂x∂p)."""
        kind, _, param = which.partition(":")
        if kind == "dp":
            return self.spec.dparams[param]  # type: ignore[no-any-return]
        if kind == "dpdf":
            return self.spec.dparams_df[param]  # type: ignore[no-any-return]
        return getattr(self.spec, kind)  # type: ignore[no-any-return]

    def key(self) -> tuple[str, str, str]:
        """The op as three strings (name, fixed parameters as JSON, learned names): what
        the ``actfn::evaluate`` custom op receives, so that traced and exported graphs hold
        plain constants and a saved export loads in another process."""
        k = self._key
        if k is None:
            # repr, not json.dumps: Dynamo traces it (values are numbers, strings, tuples)
            fixed = "{" + ", ".join(f"{n!r}: {self.fixed[n]!r}" for n in sorted(self.fixed)) + "}"
            k = self._key = (self.spec.name, fixed, ",".join(self.learned))
            _OPS[k] = self
        return k

    def eval(self, which: str, x: torch.Tensor, tensors: Sequence[torch.Tensor]) -> torch.Tensor:
        """Kernel ``which`` (see :meth:`kernel`) on ``x`` in working precision, NaN inputs
        giving NaN. Under a trace (``torch.compile``, ``torch.export``, ``torch.jit.trace``)
        through the custom op ``torch.ops.actfn.evaluate``, which the trace keeps as one
        opaque node (the kernels branch on parameter values in Python)."""
        if (_tracing() or _is_fake(x)) and not _DECOMPOSED:
            return torch.ops.actfn.evaluate(x, *self.key(), which, list(tensors))
        return self.compute(which, x, tensors)

    def compute(self, which: str, x: torch.Tensor,
                tensors: Sequence[torch.Tensor]) -> torch.Tensor:
        """Kernel ``which`` on ``x``, evaluated with torch operations (float64)."""
        kernel = self.kernel(which)
        xw = x.to(_work_dtype(x))
        if xw.device.type == "meta":
            # no values to compute with (and none to validate): shape and dtype only, as
            # torch's own layers give on the meta device
            return torch.empty(xw.shape, dtype=xw.dtype, device=xw.device)
        meta = [n for n, t in zip(self.learned, tensors, strict=False) if t.device.type == "meta"]
        if meta:
            raise ValueError(
                f"actfn.torch.{self.spec.name}: parameter {meta[0]} is on the 'meta' device "
                f"(no values) but the input is on {xw.device}; move the parameters to the "
                "input's device (e.g. module.to_empty(device=...) and initialise them)"
            )
        y = kernel(xw, _context(xw.dtype), **self.kernel_params(xw, tensors))
        if not isinstance(y, torch.Tensor):
            y = torch.full((), y, dtype=xw.dtype, device=xw.device)
        y = y.to(xw.dtype).broadcast_to(xw.shape)
        return torch.where(torch.isnan(xw), xw, y)


#: Ops by :meth:`_Op.key`, for the custom op (which receives the key's strings).
_OPS: dict[tuple[str, str, str], _Op] = {}


def _op_of(name: str, fixed: str, learned: str) -> _Op:
    """The :class:`_Op` of a custom-op call (rebuilt from the registry in a process that
    loads a saved export)."""
    k = (name, fixed, learned)
    op = _OPS.get(k)
    if op is None or op.spec is not lookup(name):
        spec = lookup(name)
        values = _literal(fixed)
        names = tuple(n for n in learned.split(",") if n)
        op = _Op(spec, {k: v for k, v in spec.bind(**values).items() if k not in names}, names)
        op._key = k
        if len(_OPS) > 4096:
            _OPS.clear()
        _OPS[k] = op
    return op


def _literal(text: str) -> dict[str, Any]:
    """The fixed parameters of :meth:`_Op.key` (``inf``/``nan`` included)."""
    tree = ast.parse(text, mode="eval")
    # literals only (the string may come from a saved export): no calls, no attributes
    ok = (ast.Expression, ast.Dict, ast.Tuple, ast.List, ast.Constant, ast.UnaryOp,
          ast.USub, ast.UAdd, ast.Load, ast.Name)
    if not all(isinstance(n, ok) and (not isinstance(n, ast.Name) or n.id in ("inf", "nan"))
               for n in ast.walk(tree)):
        raise ValueError(f"actfn::evaluate: malformed parameters {text!r}")
    return dict(eval(compile(tree, "<actfn params>", "eval"),  # noqa: S307 (checked above)
                     {"__builtins__": {}}, {"inf": math.inf, "nan": math.nan}))


@torch.library.custom_op("actfn::evaluate", mutates_args=())
def _evaluate_op(x: torch.Tensor, name: str, fixed: str, learned: str, which: str,
                 params: list[torch.Tensor]) -> torch.Tensor:
    """One registry kernel of one activation, in working precision (float64; float32 on
    MPS): ``which`` is ``"f"``, ``"df"``, ``"d2f"``, ``"dp:<p>"`` or ``"dpdf:<p>"``;
    ``name``/``fixed``/``learned`` are :meth:`_Op.key`; ``params`` the learned values.
    Learned values are validated here, on real values (a trace cannot read them)."""
    op = _op_of(name, fixed, learned)
    if op.learned and not _is_fake(x):
        op.spec.bind(**op.fixed, **_tensor_values(dict(zip(op.learned, params, strict=True))))
    return op.compute(which, x, params)


@_evaluate_op.register_fake
def _evaluate_fake(x: torch.Tensor, name: str, fixed: str, learned: str, which: str,
                   params: list[torch.Tensor]) -> torch.Tensor:
    return torch.empty(x.shape, dtype=_work_dtype(x), device=x.device)


def _evaluate_setup(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
    x, name, fixed, learned, which, params = inputs
    ctx.key = (name, fixed, learned)
    ctx.which = which
    ctx.save_for_backward(x, *params)


def _evaluate_backward(ctx: Any, g: torch.Tensor) -> tuple[Any, ...]:
    """d(kernel)/dx and d(kernel)/dp through the op itself (so differentiable again):
    f → f′, ∂f/∂p; f′ → f″, ∂²f/∂x∂p; ∂f/∂p → ∂²f/∂x∂p; second-order kernels raise."""
    x, *params = ctx.saved_tensors
    op = _op_of(*ctx.key)
    kind, _, pname = ctx.which.partition(":")
    want_x = ctx.needs_input_grad[0]
    each = ctx.needs_input_grad[5]  # one flag per tensor of the list
    each = list(each) if isinstance(each, (list, tuple)) else [bool(each)] * len(params)
    want_p = any(each)
    if kind in ("d2f", "dpdf") or (kind == "dp" and want_p):
        raise NotImplementedError(
            f"actfn: cannot differentiate {op.spec.name}'s {ctx.which}: that needs a third "
            "derivative (or a second one in a parameter), which actfn does not have"
        )
    ev = torch.ops.actfn.evaluate
    gx = None
    if want_x:
        dx = {"f": "df", "df": "d2f", "dp": f"dpdf:{pname}"}[kind]
        gx = (g * ev(x, *ctx.key, dx, list(params))).to(x.dtype)
    gp: list[torch.Tensor | None] = [None] * len(params)
    for i, (n, p) in enumerate(zip(op.learned, params, strict=True)):
        if each[i]:
            dp = f"dp:{n}" if kind == "f" else f"dpdf:{n}"
            gp[i] = _reduce_to(g * ev(x, *ctx.key, dp, list(params)), p).to(p.dtype)
    return gx, None, None, None, None, gp


_evaluate_op.register_autograd(_evaluate_backward, setup_context=_evaluate_setup)


def _reduce_to(t: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """Sum an elementwise parameter gradient down to the parameter's shape."""
    if p.numel() == 1 or t.ndim < 2:
        return t.sum().reshape(p.shape)
    return t.sum(dim=[d for d in range(t.ndim) if d != 1]).reshape(p.shape)


class _Forward(torch.autograd.Function):
    """f(x); backward through :class:`_Derivative` and :class:`_ParamDerivative`.

    Written in the ``setup_context`` style with a ``vmap`` rule and a ``jvp``, so it
    works under ``torch.func`` transforms (grad, vmap, jacrev, jacfwd) and forward-mode
    AD (dual tensors) as well as ordinary autograd.
    """

    @staticmethod
    def forward(x: torch.Tensor, op: _Op, *params: torch.Tensor) -> torch.Tensor:
        return op.eval("f", x, params).to(_out_dtype(x))

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        return _vmap(_Forward, in_dims, args, 1)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        _save(ctx, inputs)

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        return _chain_backward(ctx, g, _df, _dparam)

    @staticmethod
    def jvp(ctx: Any, tx: torch.Tensor | None, _op: Any, *tparams: torch.Tensor | None) -> Any:
        x = ctx.saved_tensors[0]
        return _chain_jvp(ctx, tx, tparams, _df, _dparam).to(_out_dtype(x))


def _forward(x: torch.Tensor, op: _Op, params: tuple[torch.Tensor, ...]) -> torch.Tensor:
    """f(x) with actfn's derivatives: :class:`_Forward` (torch.func transforms, forward-mode
    AD); under a trace (``torch.compile``, ``torch.export``, ``torch.jit.trace``) the
    custom op ``actfn::evaluate`` itself, with its registered autograd (the same
    derivatives): Dynamo does not trace an autograd.Function with a ``jvp``, and
    ``jit.trace`` cannot check or replay a Python autograd.Function."""
    if _DECOMPOSED and _tracing():
        vector = {p.name for p in op.spec.params if p.vector}
        scalar = [n for n in op.learned if n not in vector]
        if scalar:
            raise ValueError(
                f"actfn.torch.{op.spec.name}: {', '.join(scalar)} is a learnable scalar, which "
                "a decomposed graph cannot take as an input: pass the model to decomposed(model) "
                "to export its trained value as a constant"
            )
        return op.compute("f", x, params).to(_out_dtype(x))
    if _tracing():
        return torch.ops.actfn.evaluate(x, *op.key(), "f", list(params)).to(_out_dtype(x))
    if not params and x.is_cpu and x.dtype in _FAST_DTYPES:
        native = op.native.get(x.dtype)
        if native is None:
            native = _native(op, x.dtype)
        if native and not _wrapped(x):
            return native(x)  # type: ignore[no-any-return]
    if not params and x.is_cpu and x.dtype in _FAST_DTYPES and x.is_contiguous():
        loops = op.loops.get(x.dtype) if _fast.state["enabled"] else None
        if loops is None:
            loops = _fast_loops(op, x.dtype)
        if loops and not _wrapped(x):
            if x.requires_grad and torch.is_grad_enabled():
                if _transforms_active():  # (a torch.func transform over something else)
                    return _Forward.apply(x, op)  # type: ignore[no-any-return]
                # autograd.Function.apply less its checks for torch.func transforms (done
                # above): a few µs of a 64×256 step
                return _fast_apply(x, op, loops[0])  # type: ignore[no-any-return]
            return _fast_run(loops[1], x, 1)[0]
    elif (len(params) == 1 and x.is_cpu and x.dtype in _FAST_DTYPES and x.is_contiguous()
          and _fast.state["enabled"]):
        y = _fast_param_forward(x, op, params[0])
        if y is not None:
            return y
    return _Forward.apply(x, op, *params)


# -- the compiled CPU path (float32, bfloat16, float16) ---------------------------------------
_FAST_DTYPES = {torch.float32: "float32", torch.bfloat16: "bfloat16", torch.float16: "float16"}
#: (op key, dtype) → (fused f-and-f′ loops, f loops), or None where they cannot be compiled.
_LOOPS: dict[tuple[Any, ...], Any] = {}


def _native(op: _Op, dtype: torch.dtype) -> Any:
    """torch's own function for ``op`` on ``dtype`` where the registry declares it exact
    (``Spec.torch_exact``: correctly rounded values and actfn's kink convention in its
    native backward, so values and gradients are bit-identical to actfn's, apart from a
    NaN input's gradient, finite in torch's) and every fixed parameter is exactly
    representable in ``dtype`` (torch rounds parameters to the input dtype or float32:
    leaky_relu's default slope 0.01 is not, so it keeps actfn's loops); else False.
    Cached on the op."""
    fn: Any = False
    name = op.spec.torch_exact
    if name is not None:
        fixed = dict(op.fixed)
        exact = all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            and torch.tensor(float(v), dtype=torch.float64).to(dtype).item() == v
            and torch.tensor(float(v), dtype=torch.float64).to(torch.float32).item() == v
            for v in fixed.values())
        if exact:
            fn = functools.partial(getattr(torch.nn.functional, name), **fixed)
    op.native[dtype] = fn
    return fn


def _wrapped(x: torch.Tensor) -> bool:
    """True when a torch.func transform or forward-mode AD sees ``x`` (the autograd.Function
    with ``vmap``/``jvp`` rules handles those)."""
    if _is_wrapped(x):
        return True
    return _fwad._current_level >= 0 and _fwad.unpack_dual(x).tangent is not None


_is_wrapped = torch._C._functorch.is_functorch_wrapped_tensor
_fwad = torch.autograd.forward_ad


def _fast_loops(op: _Op, dtype: torch.dtype) -> Any:
    """The compiled loops of :mod:`actfn._fast` for ``op`` on ``dtype``: cached per
    (activation, parameters, dtype), so a call costs one dict lookup."""
    if not _fast.available():  # ACTFN_DISABLE_NUMBA, set_enabled(False), no numba
        op.loops.clear()  # (switched off: the next call looks again)
        return None
    k = (id(op.spec), *op.key(), dtype)
    hit = _LOOPS.get(k, _LOOPS)
    if hit is not _LOOPS:
        op.loops[dtype] = hit or False
        return hit
    from ._activation import Activation as _Core

    loops = None
    act = _Core(op.spec, op.spec.bind(**op.fixed))
    name = _FAST_DTYPES[dtype]
    spec = op.spec
    fused = (_fast.compiled_kernel(act, (spec.f_df,), True, name) if spec.f_df is not None
             else _fast.compiled_kernel(act, (spec.f, spec.df), False, name))
    plain = _fast.compiled_kernel(act, (spec.f,), False, name)
    if fused is not None and plain is not None:
        loops = (fused, plain)
    _LOOPS[k] = loops
    _LOOPS[("spec", id(op.spec))] = op.spec  # keep it alive: its id is never reused
    op.loops[dtype] = loops or False
    return loops


def _storage(t: torch.Tensor) -> Any:
    """The flat NumPy view of a contiguous CPU tensor that the loops read (2-byte floats
    as uint16 bits): zero-copy, the tensor's own memory."""
    if t.element_size() == 2:
        t = t.view(torch.int16)
    a = t.detach().numpy()
    return a.ravel().view(np.uint16) if a.itemsize == 2 else a.ravel()


def _run_loops(entry: Any, n: int, args: Sequence[Any]) -> None:
    """Run the compiled loop pair ``entry`` on ``args`` for ``n`` elements: a warm serial
    loop directly (no guard at all) below :data:`actfn._fast.PARALLEL_THRESHOLD` elements
    or with one torch thread; from there, with ``torch.get_num_threads()`` > 1, the serial
    loop on that many slices at once (:func:`actfn._fast._split.run_split`: Python threads,
    the loops release the GIL) rather than numba's own parallel loop, whose OpenMP runtime
    is a second one next to torch's and whose idle threads spin against torch's. Numba's
    cache failures are retried in memory. Shared by the elementwise and the gated fast
    paths."""
    threads = 1 if n < _fast.PARALLEL_THRESHOLD else threads_for(n,
                                                                       torch.get_num_threads())
    if entry.warm:
        if threads == 1:
            # the serial loop has run before: no compiling, no thread pool, nothing to guard
            entry.ser(*args)
        else:
            run_split(entry.ser, n, args, threads)
        return
    try:
        entry.ser(*args)  # the first call compiles (or loads) it, on the calling thread
    except Exception as err:  # numba could not read or write its cache files
        entry.to_memory(err)
        entry.ser(*args)
    entry.warm = True


def _fast_run(entry: Any, x: torch.Tensor, n_out: int) -> list[torch.Tensor]:
    """Run compiled loops on ``x``'s memory into ``n_out`` new tensors (NumPy buffers that
    the tensors share: no copy either way). Below the parallel threshold a warm loop is
    called through its compiled entry point (:func:`actfn._fast.entry_point`)."""
    n = x.numel()
    shape = x.shape
    wide = x.dtype is torch.float32
    # buffers in the tensor's shape from the start: torch's .view(shape) on the result
    # costs more than the loop itself at small sizes
    bufs = [np.empty(shape, np.float32 if wide else np.uint16) for _ in range(n_out)]
    args = [x.detach().numpy().ravel() if wide else _storage(x), *[b.ravel() for b in bufs]]
    if n < _fast.PARALLEL_THRESHOLD:
        ep = _DIRECT.get(entry)
        if ep is not None:
            ep(*args)
        else:
            _run_loops(entry, n, args)
            if entry.warm:
                _DIRECT[entry] = _fast.entry_point(entry.ser, args)
    else:
        _run_loops(entry, n, args)
    if wide:
        return [torch.from_numpy(b) for b in bufs]
    return [torch.from_numpy(b).view(x.dtype) for b in bufs]


#: Warm serial loop → its compiled overload's entry point (:func:`actfn._fast.entry_point`).
_DIRECT: dict[Any, Callable[..., Any]] = {}


class _FastForward(torch.autograd.Function):
    """f on CPU float32/bfloat16/float16 through actfn's compiled loops: the forward
    computes f and f′ in one pass and keeps f′ (in the input dtype); the backward is one
    multiply, g·f′, into f′'s own buffer (nothing else holds it; a second backward through
    a retained graph runs the loop again for f′). A double backward (``create_graph=True``)
    goes through the analytic :class:`_Derivative` (f″) instead.

    x and f′ are kept as attributes of ``ctx``, not with ``save_for_backward`` (a tenth of
    a 64×256 step): f′ is private, and x is read only by a double backward, which checks
    x's version counter as ``saved_tensors`` would. Under ``saved_tensors_hooks``
    (checkpointing, offloading) they are saved the standard way, so the hooks see them."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, op: _Op, entry: Any) -> torch.Tensor:
        y, d = _fast_run(entry, x, 2)
        ctx.op = op
        ctx.entry = entry
        if _saved_hooks(False) is None:
            ctx.x, ctx.d, ctx.version = x, d, x._version
        else:
            ctx.x = None
            ctx.save_for_backward(x, d)
        return y

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> tuple[torch.Tensor | None, None, None]:
        x = ctx.x
        if x is None:
            x, d = ctx.saved_tensors
        else:
            d = ctx.d
            if x._version != ctx.version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: the input of actfn.torch.{ctx.op.spec.name} "
                    f"is at version {x._version}; expected version {ctx.version} instead")
        if torch.is_grad_enabled():  # create_graph: differentiable, through f″
            return (g * _df(x, ctx.op, ()).to(x.dtype)), None, None
        if ctx.x is not None and d is not None and g.dtype is d.dtype:
            ctx.d = None  # f′'s buffer becomes the gradient
            return d.mul_(g), None, None
        if d is None:  # a retained graph's second backward
            d = _fast_run(ctx.entry, x, 2)[1]
        return g * d, None, None


def _channels(x: torch.Tensor, w: torch.Tensor) -> int | None:
    """``inner`` of :func:`actfn._fast._param.param_loop` for parameter ``w`` on ``x``
    (the elements per channel run: all of them for one value, the product of the dims
    after dim 1 for one value per channel), or None where the generic path decides (and
    explains a mismatch)."""
    c = w.numel()
    n = x.numel()
    if n == 0 or w.ndim > 1:
        return None
    if c == 1:
        return n
    if x.ndim < 2 or x.shape[1] != c:
        return None
    return n // (x.shape[0] * c)


def _vector_params(spec: Spec) -> frozenset[str]:
    """The per-channel parameters of ``spec`` (their kernels take arrays, so they trace
    with the parameter as a symbol)."""
    return frozenset(p.name for p in spec.params if p.vector)


def _fast_param_loop(op: _Op, dtype: torch.dtype, outs: str) -> Any:
    """The compiled loop of ``op`` reading its one learnable parameter at run time
    (:mod:`actfn._fast._param`), with outputs ``outs`` ("f", "fd": f and f′, "fdp": f,
    f′ and ∂f/∂p); cached on the op (False: none)."""
    k = (dtype, outs)
    hit = op.loops.get(k)
    if hit is None:
        from ._fast._param import param_loop

        if not _fast.available():
            return None
        spec, name = op.spec, op.learned[0]
        kernels = {"f": (spec.f,), "fd": (spec.f, spec.df),
                   "fdp": (spec.f, spec.df, spec.dparams.get(name))}[outs]
        entry = None
        if all(kn is not None for kn in kernels):
            entry = param_loop(spec, op.fixed, name, kernels, _FAST_DTYPES[dtype])
        hit = op.loops[k] = entry or False
    return hit


def _fast_param_forward(x: torch.Tensor, op: _Op, w: torch.Tensor) -> torch.Tensor | None:
    """f(x) with one learnable parameter ``w`` through :func:`_fast_param_loop` (None
    where this path does not apply: torch.func transforms, forward-mode AD, a parameter
    that is not a plain CPU tensor or does not match the channels)."""
    if not w.is_cpu or _is_fake(w) or op.learned[0] not in _vector_params(op.spec):
        return None  # (scalar learnables: kernels may branch on them; generic path)
    inner = _channels(x, w)
    if inner is None or _wrapped(x) or _wrapped(w) or _transforms_active():
        return None
    grad = torch.is_grad_enabled() and (x.requires_grad or w.requires_grad)
    entry = _fast_param_loop(op, x.dtype, "fdp" if grad else "f")
    if not entry:
        return None
    if grad:
        return _fast_param_apply(x, w, op, entry, inner)  # type: ignore[no-any-return]
    return _param_run(entry, x, w, inner)[0]


def _param_run(entry: Any, x: torch.Tensor, w: torch.Tensor, inner: int) -> list[torch.Tensor]:
    """Run a runtime-parameter loop on ``x``'s memory into new tensors."""
    n = x.numel()
    wide = x.dtype is torch.float32
    bufs = [np.empty(x.shape, np.float32 if wide else np.uint16) for _ in range(entry.n_out)]
    src = x.detach().numpy().ravel() if wide else _storage(x)
    flat = [b.ravel() for b in bufs]
    wv = w.detach().to(torch.float64).reshape(-1).numpy()
    if not entry.warm:
        try:
            entry.ser(src, wv, inner, 0, *flat)
        except Exception as err:  # numba could not read or write its cache files
            entry.to_memory(err)
            entry.ser(src, wv, inner, 0, *flat)
        entry.warm = True
    else:
        threads = 1 if n < _fast.PARALLEL_THRESHOLD else threads_for(
            n, torch.get_num_threads())
        if threads == 1:
            entry.ser(src, wv, inner, 0, *flat)
        else:
            run_ranges(lambda lo, hi: entry.ser(src[lo:hi], wv, inner, lo,
                                                         *[f[lo:hi] for f in flat]),
                                n, threads)
    if wide:
        return [torch.from_numpy(b) for b in bufs]
    return [torch.from_numpy(b).view(x.dtype) for b in bufs]


class _FastParam(torch.autograd.Function):
    """f with one learnable parameter (PReLU's weight) on CPU float32/bfloat16/float16
    through a loop that reads the parameter at run time: one pass writes f, f′ and ∂f/∂p;
    the backward is g·f′ for the input and Σ g·∂f/∂p (products in float32, exact for
    16-bit inputs, summed in float64 over all but the channel dimension) for the
    parameter. A double backward goes through the analytic
    generic Functions (f″, ∂²f/∂x∂p) instead. x, w, f′ and ∂f/∂p are kept on ``ctx`` as
    in :class:`_FastForward` (versions of x and w checked; ``saved_tensors_hooks`` see
    them), and the products are formed in f′'s and ∂f/∂p's own buffers."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, w: torch.Tensor, op: _Op, entry: Any,
                inner: int) -> torch.Tensor:
        y, d, dp = _param_run(entry, x, w, inner)
        ctx.op = op
        ctx.run = (entry, inner)
        if _saved_hooks(False) is None:
            ctx.xw, ctx.d, ctx.version = (x, w), (d, dp), (x._version, w._version)
        else:
            ctx.xw = None
            ctx.save_for_backward(x, w, d, dp)
        return y

    @staticmethod
    def backward(ctx: Any, g: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        own = ctx.xw is not None
        if own:
            (x, w), dd = ctx.xw, ctx.d
            if (x._version, w._version) != ctx.version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: the input or parameter of actfn.torch."
                    f"{ctx.op.spec.name} changed version since the forward "
                    f"({ctx.version} → {(x._version, w._version)})")
            if dd is None:  # a retained graph's second backward
                dd = tuple(_param_run(ctx.run[0], x, w, ctx.run[1])[1:])
                own = False
            d, dp = dd
        else:
            x, w, d, dp = ctx.saved_tensors
        op = ctx.op
        gx = gw = None
        if torch.is_grad_enabled():  # create_graph: differentiable, through f″, ∂²f/∂x∂p
            if ctx.needs_input_grad[0]:
                gx = (g * _df(x, op, (w,))).to(x.dtype)
            if ctx.needs_input_grad[1]:
                gw = _reduce_to(g.double() * _dparam(x, op, 0, (w,)), w).to(w.dtype)
            return gx, gw, None, None, None
        if own:
            ctx.d = None  # the buffers become the products
        if ctx.needs_input_grad[1]:
            if dp.element_size() == 2:  # (a product of two 16-bit floats is exact in float32)
                gw = _reduce_to64(g.float() * dp.float(), w).to(w.dtype)
            else:
                gw = _reduce_to64(dp.mul_(g) if own else g * dp, w).to(w.dtype)
        if ctx.needs_input_grad[0]:
            gx = d.mul_(g) if own and g.dtype is d.dtype else g * d
        return gx, gw, None, None, None


def _reduce_to64(t: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """:func:`_reduce_to`, accumulating in float64."""
    if p.numel() == 1 or t.ndim < 2:
        return t.sum(dtype=torch.float64).reshape(p.shape)
    return t.sum(dim=[d for d in range(t.ndim) if d != 1], dtype=torch.float64).reshape(p.shape)


_transforms_active = torch._C._are_functorch_transforms_active
#: The innermost ``torch.autograd.graph.saved_tensors_hooks`` (None: none active).
_saved_hooks = torch._C._autograd._top_saved_tensors_default_hooks
_fast_param_apply = super(torch.autograd.Function, _FastParam).apply
#: ``_FastForward.apply`` without the Python layer of ``torch.autograd.Function.apply``
#: (binding defaults, unwrapping dead torch.func wrappers: nothing to do for a plain tensor)
_fast_apply = super(torch.autograd.Function, _FastForward).apply

_DECOMPOSED: list[bool] = []


@contextlib.contextmanager
def decomposed(*modules: torch.nn.Module) -> Iterator[None]:
    """Inside the block, traces (``torch.export``, ``torch.onnx.export``, ``torch.compile``,
    ``torch.jit.trace``) record each activation as its reference kernel in plain torch
    operations (float64 work, rounded once to the input dtype) instead of the opaque
    custom op ``actfn::evaluate``: what ONNX export needs (an ONNX runtime knows no actfn
    op). For inference graphs; eager calls are unaffected.

    A learnable scalar parameter (CELU's ``alpha``, ELU's, Softplus's ``beta``, …) sets the
    kernels' exact constants, so the graph cannot take it as an input: pass the model(s)
    being exported, ``decomposed(model)``, and each actfn layer in them is recorded with
    its scalar parameters' values at the block's entry (the trained values, as constants);
    without that, a learnable scalar raises ``ValueError``. A per-channel parameter
    (PReLU's weight) stays a graph input either way.

    >>> import torch, actfn.torch
    >>> with actfn.torch.decomposed():
    ...     ep = torch.export.export(actfn.torch.CELU(alpha=0.5), (torch.zeros(2),))
    >>> "actfn" in str(ep.graph)
    False
    >>> m = actfn.torch.CELU(alpha=0.5, learnable=True)
    >>> with actfn.torch.decomposed(m):
    ...     ep = torch.export.export(m, (torch.zeros(1),))
    >>> m.alpha.data.fill_(2.0)  # the exported graph keeps alpha = 0.5
    tensor(2.)
    >>> round(float(ep.module()(torch.tensor([-1.0]))[0]), 6)  # 0.5·(exp(-2) - 1)
    -0.432332
    """
    baked: list[tuple[Activation, Any]] = []
    try:
        for m in modules:
            if not isinstance(m, torch.nn.Module):
                raise TypeError(f"decomposed() takes torch.nn.Module models, got "
                                f"{type(m).__module__}.{type(m).__name__}")
            for layer in m.modules():
                if isinstance(layer, Activation):
                    values = layer._scalar_values()
                    if values:
                        baked.append((layer, layer.__dict__.get("_export_values")))
                        layer.__dict__["_export_values"] = values
        _DECOMPOSED.append(True)
        try:
            yield
        finally:
            _DECOMPOSED.pop()
    finally:
        for layer, before in reversed(baked):  # nested blocks: the outer values come back
            if before is None:
                layer.__dict__.pop("_export_values", None)
            else:
                layer.__dict__["_export_values"] = before


def _chain_backward(ctx: Any, g: torch.Tensor, dx: Callable[..., torch.Tensor],
                    dp: Callable[..., torch.Tensor]) -> tuple[torch.Tensor | None, ...]:
    """The backward of f (or f′): ``g`` times ``dx`` (f′, or f″) for the input, and ``g``
    times ``dp`` (∂f/∂p_i, or ∂²f/∂x∂p_i) summed to each learnable parameter's shape."""
    x, *params = ctx.saved_tensors
    op = ctx.op
    gx = None
    if ctx.needs_input_grad[0]:
        d = dx(x, op, params)
        gx = (g.to(d.dtype) * d).to(x.dtype)
    grads: list[torch.Tensor | None] = []
    for i, p in enumerate(params):
        if ctx.needs_input_grad[2 + i]:
            di = dp(x, op, i, params)
            grads.append(_reduce_to(g.to(di.dtype) * di, p).to(p.dtype))
        else:
            grads.append(None)
    return (gx, None, *grads)


def _chain_jvp(ctx: Any, tx: torch.Tensor | None, tparams: Sequence[torch.Tensor | None],
               dx: Callable[..., torch.Tensor], dp: Callable[..., torch.Tensor]) -> torch.Tensor:
    """The forward-mode derivative of f (or f′) in working precision: the input tangent
    times ``dx`` plus each parameter tangent (per channel) times ``dp``."""
    x, *params = ctx.saved_tensors
    op = ctx.op
    terms = []
    if tx is not None:
        d = dx(x, op, params)
        terms.append(tx.to(d.dtype) * d)
    for i, tp in enumerate(tparams):
        if tp is not None:
            di = dp(x, op, i, params)
            terms.append(op.per_channel(op.learned[i], tp, di) * di)
    return _sum_terms(terms, x)


def _df(x: torch.Tensor, op: _Op, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """f′ (differentiable once more, through f″ and ∂²f/∂x∂p)."""
    return _Derivative.apply(x, op, *params)


def _dparam(x: torch.Tensor, op: _Op, i: int, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """∂f/∂p_i (differentiable once more in x, through ∂²f/∂x∂p_i)."""
    return _ParamDerivative.apply(x, op, i, *params)


def _d2f(x: torch.Tensor, op: _Op, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """f″ as a :class:`_Leaf` (differentiating it again raises)."""
    return _Leaf.apply(x, op, "d2f", "f''", *params)


def _mixed(x: torch.Tensor, op: _Op, i: int, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """∂²f/∂x∂p_i as a :class:`_Leaf` (differentiating it again raises)."""
    name = op.learned[i]
    return _Leaf.apply(x, op, f"dpdf:{name}", f"d2f/dx d{name}", *params)


def _vmap(fn: Any, in_dims: tuple[Any, ...], args: tuple[Any, ...], n_static: int) -> Any:
    """``torch.func.vmap`` rule: the function is elementwise, so it runs once on the whole
    batched input (batch dimension where it is). ``n_static`` non-tensor arguments follow
    the input. Batched parameters and per-channel values (whose channel dimension the
    batch dimension would shift) are not supported and raise."""
    x_dim, param_dims = in_dims[0], in_dims[1 + n_static:]
    op = args[1]
    per_channel = any(
        isinstance(v, tuple) and len(v) > 1 or isinstance(v, torch.Tensor) and v.numel() > 1
        for v in (*op.fixed.values(), *args[1 + n_static:])
    )
    if x_dim is None or per_channel or any(d is not None for d in param_dims):
        raise NotImplementedError(
            f"actfn.torch.{op.spec.name}: torch.func.vmap over tensor parameters or with "
            "per-channel parameters is not supported (vmap over the input with scalar "
            "parameters is)"
        )
    return fn.apply(*args), x_dim


def _save(ctx: Any, inputs: tuple[Any, ...], extra: int = 0) -> None:
    """Keep the op (and ``extra`` more non-tensor inputs) and save x and the parameters."""
    x, op, *rest = inputs
    ctx.op = op
    ctx.extra = tuple(rest[:extra])
    tensors = (x, *rest[extra:])
    ctx.save_for_backward(*tensors)
    ctx.save_for_forward(*tensors)


def _sum_terms(terms: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out.broadcast_to(x.shape) if out.shape != x.shape else out


class _Derivative(torch.autograd.Function):
    """f′(x) in working precision; its backward uses f″ and ∂f′/∂p (each a :class:`_Leaf`)."""

    @staticmethod
    def forward(x: torch.Tensor, op: _Op, *params: torch.Tensor) -> torch.Tensor:
        return op.eval("df", x, params)

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        return _vmap(_Derivative, in_dims, args, 1)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        _save(ctx, inputs)

    @staticmethod
    def backward(ctx: Any, h: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        return _chain_backward(ctx, h, _d2f, _mixed)

    @staticmethod
    def jvp(ctx: Any, tx: torch.Tensor | None, _op: Any, *tparams: torch.Tensor | None) -> Any:
        return _chain_jvp(ctx, tx, tparams, _d2f, _mixed)


class _ParamDerivative(torch.autograd.Function):
    """∂f/∂p_i(x) elementwise; its backward gives ∂²f/∂x∂p_i."""

    @staticmethod
    def forward(x: torch.Tensor, op: _Op, i: int, *params: torch.Tensor) -> torch.Tensor:
        return op.eval(f"dp:{op.learned[i]}", x, params)

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        return _vmap(_ParamDerivative, in_dims, args, 2)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        _save(ctx, inputs, extra=1)

    @staticmethod
    def _no_second(op: _Op, i: int) -> NotImplementedError:
        return NotImplementedError(
            f"actfn.torch.{op.spec.name}: second derivatives with respect to the learnable "
            f"parameter {op.learned[i]!r} are not implemented (only ∂²f/∂x² and ∂²f/∂x∂p are)"
        )

    @staticmethod
    def backward(ctx: Any, h: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        x, *params = ctx.saved_tensors
        op, (i,) = ctx.op, ctx.extra
        if any(ctx.needs_input_grad[3:]):
            raise _ParamDerivative._no_second(op, i)
        gx = None
        if ctx.needs_input_grad[0]:
            gx = (h * _mixed(x, op, i, params)).to(x.dtype)
        return (gx, None, None, *([None] * len(params)))

    @staticmethod
    def jvp(ctx: Any, tx: torch.Tensor | None, _op: Any, _i: Any,
            *tparams: torch.Tensor | None) -> Any:
        x, *params = ctx.saved_tensors
        op, (i,) = ctx.op, ctx.extra
        if any(t is not None for t in tparams):
            raise _ParamDerivative._no_second(op, i)
        mixed = _mixed(x, op, i, params)
        return tx.to(mixed.dtype) * mixed


class _Leaf(torch.autograd.Function):
    """A second-order kernel (f″ or ∂²f/∂x∂p). Differentiating it would need a third
    derivative, which actfn does not have: that raises instead of differentiating the
    kernel's implementation (which would give silently wrong values)."""

    @staticmethod
    def forward(x: torch.Tensor, op: _Op, kernel: str, label: str,
                *params: torch.Tensor) -> torch.Tensor:
        return op.eval(kernel, x, params)

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        return _vmap(_Leaf, in_dims, args, 3)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        _save(ctx, inputs, extra=2)

    @staticmethod
    def _error(ctx: Any) -> NotImplementedError:
        return NotImplementedError(
            f"actfn: cannot differentiate {ctx.op.spec.name}'s {ctx.extra[1]}: that needs a "
            "third derivative, and actfn has analytic f, f' and f'' only (it never "
            "differentiates through a kernel, which would give wrong values)"
        )

    @staticmethod
    def backward(ctx: Any, h: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        raise _Leaf._error(ctx)

    @staticmethod
    def jvp(ctx: Any, *tangents: Any) -> Any:
        raise _Leaf._error(ctx)


def _core(spec: Spec, params: Mapping[str, Any], x: torch.Tensor,
          which: tuple[str, ...],
          live: Mapping[str, torch.Tensor] | None = None) -> tuple[torch.Tensor, ...]:
    """The core API (``actfn.get(...)(x)`` and friends) on a tensor that autograd or a
    ``torch.func`` transform can see: ``which`` names the results (``"f"``, ``"df"``,
    ``"d2f"``), each with actfn's analytic derivatives. ``live``: tensor parameters that
    require grad (they get their analytic gradients, as in the functional forms)."""
    live = dict(live or {})
    names = tuple(live)
    tensors = tuple(live[n] for n in names)
    op = _Op(spec, {k: v for k, v in params.items() if k not in live}, names)
    out = _out_dtype(x)
    res: list[torch.Tensor] = []
    for w in which:
        if w == "f":
            res.append(_Forward.apply(x, op, *tensors))
        elif w == "df":
            res.append(_Derivative.apply(x, op, *tensors).to(out))
        else:
            res.append(_d2f(x, op, tensors).to(out))
    return tuple(res)


def _traced(x: torch.Tensor) -> bool:
    """True when autograd, forward-mode AD or a ``torch.func`` transform can see ``x``."""
    if x.requires_grad and torch.is_grad_enabled():
        return True
    if torch._C._functorch.is_functorch_wrapped_tensor(x):
        return True
    fwad = torch.autograd.forward_ad
    return fwad._current_level >= 0 and fwad.unpack_dual(x).tangent is not None


# -- functional API --------------------------------------------------------------------------


def _split(spec: Spec, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Validate plain parameters with the registry; collect tensor ones (must be learnable).

    A tensor that is not floating (integer, bool) cannot require grad and is taken as the
    number it holds, as the registry does."""
    learnable = learnable_params(spec)
    tensors = {
        k: v for k, v in params.items()
        if isinstance(v, torch.Tensor) and (v.is_floating_point() or v.requires_grad)
        and (k in learnable or v.ndim > 0 or v.requires_grad)
    }
    plain = {k: v for k, v in params.items() if k not in tensors}
    for name, t in tensors.items():
        if name not in spec.param_names:
            plain[name] = t  # spec.bind below names the unknown parameter
            continue
        if name not in learnable:
            raise TypeError(
                f"{spec.name}: parameter {name} is not learnable, so it must be a number, not "
                f"a tensor; learnable parameters: {', '.join(learnable) or 'none'}"
            )
        if not t.is_floating_point():
            raise TypeError(
                f"{spec.name}: parameter {name} is a differentiable tensor, so it must be a "
                f"floating tensor, got {t.dtype}"
            )
        if t.ndim > 1 or t.ndim == 1 and not learnable[name].vector:
            raise ValueError(
                f"{spec.name}: parameter {name} must be a "
                + ("0-d or 1-d" if learnable[name].vector else "0-d (scalar)")
                + f" tensor, got shape {tuple(t.shape)}"
            )
    tensors = {k: v for k, v in tensors.items() if k not in plain}
    plain = {k: v.detach() if isinstance(v, torch.Tensor) else v for k, v in plain.items()}
    bound = spec.bind(**plain, **_tensor_values(tensors))
    fixed = {k: v for k, v in bound.items() if k not in tensors}
    return fixed, tensors


def _tensor_values(tensors: Mapping[str, torch.Tensor]) -> dict[str, Any]:
    """The current values of tensor parameters as Python numbers (lists for 1-d), for
    validation by the registry (``Spec.bind``: the same rules and messages as plain
    numbers, per element for per-channel vectors). Tensors whose values cannot be read
    here (the "meta" device, ``torch.func.vmap`` over the parameter, fake tensors) and
    values under a trace (``torch.compile``, ``torch.export``, ``torch.jit.trace``: reading
    a value would break the graph or bake it in) are validated by the registry's default
    in their place (the op validates them again when it runs on real values)."""
    out: dict[str, Any] = {}
    if _tracing():
        return out
    for k, t in tensors.items():
        if _is_fake(t):
            continue
        try:
            v = t.detach()
            out[k] = v.tolist() if v.ndim else v.item()
        except (RuntimeError, NotImplementedError, ValueError):
            continue  # nothing to read: leave it to the default
    return out


def _apply(spec: Spec, x: torch.Tensor, params: Mapping[str, Any],
           saved_bits: int | None = None) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"actfn.torch.{spec.name} expects a torch.Tensor, got {type(x).__name__}")
    bits = _fewbit.check_bits(saved_bits, f"actfn.torch.{spec.name}")
    fixed, tensors = _split(spec, params)
    names = tuple(tensors)
    if bits is not None:
        return _fewbit.apply(x, _Op(spec, fixed, names), bits)
    return _forward(x, _Op(spec, fixed, names), tuple(tensors[n] for n in names))


def function(name: str) -> Callable[..., torch.Tensor]:
    """The functional form of activation ``name`` (canonical or alias).

    >>> import torch, actfn.torch
    >>> actfn.torch.function("swish")(torch.zeros(2))
    tensor([0., 0.])
    """
    return _FUNCTIONS(name)


_SETUP = "import torch, actfn.torch"
#: The few-bit backward's keyword (:mod:`actfn._fewbit`) on every function and layer.
_SAVED_BITS = (("saved_bits", None),)


def _make_function(spec: Spec) -> Callable[..., torch.Tensor]:
    def fn(x: torch.Tensor, /, *, saved_bits: int | None = None, **params: Any) -> torch.Tensor:
        return _apply(spec, x, params, saved_bits)

    doc = docstring(
        spec,
        f"PyTorch functional form of actfn's ``{spec.name}``: f in float64 rounded once to the "
        "input dtype, gradients from actfn's analytic f′ and f″.",
        (_SETUP, "actfn.torch.{name}(torch.zeros(2, 3){kw}).shape", "torch.Size([2, 3])"),
        learnable=learnable_params(spec),
    )
    return dress(fn, spec, __name__, doc, signature(spec, array="torch.Tensor",
                                                    keyword_only=_SAVED_BITS))


#: Functional forms by canonical name with their spec: one function per spec, so that
#: ``actfn.torch.<name>`` of a runtime-registered activation pickles by name.
_FUNCTIONS: PerSpec[Callable[..., torch.Tensor]] = PerSpec(_make_function)


# -- modules ----------------------------------------------------------------------------------
class Activation(torch.nn.Module):
    """An actfn activation as an ``nn.Module``: ``Activation("celu", alpha=0.5)``.

    ``learnable`` (``True`` or a sequence of names) turns the registry's learnable scalar
    parameters into ``nn.Parameter``s initialised to the given values. A per-channel
    parameter (PReLU's weight) is always learned and is set up like ``torch.nn.PReLU``:
    ``num_parameters`` slopes initialised to ``init``. Other parameters are fixed
    hyperparameters validated against the registry (``ValueError`` names the bad value and
    the valid range).
    """

    def __init__(
        self,
        activation: str,
        /,
        *,
        learnable: bool | Sequence[str] = False,
        num_parameters: int | None = None,
        init: float | None = None,
        saved_bits: int | None = None,
        **params: Any,
    ) -> None:
        super().__init__()
        spec = lookup(activation)
        self.saved_bits = _fewbit.check_bits(saved_bits, spec.name)
        plan = learn_plan(spec, learnable, num_parameters, init, params)
        wanted, vector, num_parameters = plan.scalars, plan.vector, plan.num_parameters
        bound = plan.bound
        self._name = spec.name
        self._learned = tuple(wanted) + tuple(vector)
        self._fixed = {k: v for k, v in bound.items() if k not in self._learned}
        self._init = {k: bound[k] for k in self._learned}
        self.num_parameters = num_parameters
        for n in wanted:
            self.register_parameter(n, torch.nn.Parameter(torch.tensor(float(bound[n]))))
        for n in vector:
            # (torch.full refuses a value its dtype overflows: rounded here, checked below)
            w = torch.tensor([float(bound[n])] * num_parameters)  # type: ignore[operator]
            self.register_parameter(n, torch.nn.Parameter(w))
        self._check_representable(spec, bound)
        if self.saved_bits is not None and not self._learned:
            _fewbit.refuse_unbounded(spec, bound, self.saved_bits)  # now, not at the call

    def _check_representable(self, spec: Spec, bound: Mapping[str, Any]) -> None:
        """Learnable parameters are stored in torch's default dtype (as ``torch.nn.PReLU``'s
        weight): refuse now a value that this dtype rounds out of the valid range (1e-300
        to 0, 1e39 to inf in float32), rather than at the first call."""
        learned = [getattr(self, n) for n in self._learned]
        if any(t.device.type == "meta" for t in learned):
            return
        try:
            spec.bind(**self._fixed, **_tensor_values(dict(zip(self._learned, learned,
                                                                strict=True))))
        except ValueError as err:
            dtype = learned[0].dtype if learned else torch.get_default_dtype()
            given = {n: bound[n] for n in self._learned}
            raise ValueError(
                f"{spec.name}: learnable parameter value(s) {given} are not representable in "
                f"the parameters' dtype {dtype} (torch's default dtype): rounded, {err}. "
                "Use a value within range in that dtype, or call "
                "torch.set_default_dtype(torch.float64) before building the layer"
            ) from None

    @property
    def activation(self) -> str:
        """Canonical name of the activation."""
        return self._name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """f(x) elementwise, same shape and floating dtype as ``x``."""
        if not self._learned and self.__dict__.get("saved_bits") is None:
            # the common case in a few attribute reads: fixed parameters, no saved_bits
            op = self.__dict__.get("_actfn_op")
            if op is not None and registered(self._name) is op.spec:
                return _forward(x, op, ())
        spec = lookup(self._name)
        baked = self.__dict__.get("_export_values")
        if baked is not None and _DECOMPOSED:  # decomposed(model): the values as constants
            rest = tuple(n for n in self._learned if n not in baked)
            return _forward(x, _Op(spec, {**self._fixed, **baked}, rest),
                            tuple(getattr(self, n) for n in rest))
        learned = [getattr(self, n) for n in self._learned]
        if learned:
            self._check_learned_once(spec, learned)
        bits = self.__dict__.get("saved_bits")
        if bits is not None:
            return _fewbit.apply(x, self._frozen(spec, learned), bits)
        return _forward(x, self._op(spec), tuple(learned))

    def _frozen(self, spec: Spec, learned: Sequence[torch.Tensor]) -> _Op:
        """The op for ``saved_bits``: learnable parameters that do not require grad are
        taken at their current values (one that does require grad makes
        :func:`actfn._fewbit.apply` raise)."""
        live = tuple(n for n, t in zip(self._learned, learned, strict=True)
                     if t.requires_grad and torch.is_grad_enabled())
        if live or not learned:
            return self._op(spec)
        if _tracing():
            raise NotImplementedError(
                f"actfn.torch.{spec.name}: saved_bits with a frozen learnable parameter "
                f"({', '.join(self._learned)}) cannot be traced (its value is data); pass the "
                "value as a fixed parameter (learnable=False) to compile this layer"
            )
        values = {n: tuple(t.detach().tolist()) if t.ndim else t.detach().item()
                  for n, t in zip(self._learned, learned, strict=True)}
        return _Op(spec, spec.bind(**self._fixed, **values), ())

    def _scalar_values(self) -> dict[str, float]:
        """The learnable scalar parameters' current values (for :func:`decomposed`),
        validated as fixed parameters would be (a value trained out of range raises)."""
        spec = lookup(self._name)
        vector = _vector_params(spec)
        values: dict[str, float] = {}
        for n in self._learned:
            t = getattr(self, n)
            if n in vector:
                continue
            if t.device.type == "meta" or _is_fake(t):
                raise ValueError(f"actfn.torch.{spec.name}: {n} has no value to export "
                                 f"(a {t.device.type} tensor); load the trained weights first")
            values[n] = float(t.detach().item())
        if values:
            try:
                spec.bind(**self._fixed, **values)
            except ValueError as err:
                raise ValueError(f"actfn.torch.{spec.name}: the trained {values} cannot be "
                                 f"exported: {err}") from None
        return values

    def _op(self, spec: Spec) -> _Op:
        op = self.__dict__.get("_actfn_op")
        if op is None or op.spec is not spec:
            op = self.__dict__["_actfn_op"] = _Op(spec, self._fixed, self._learned)
        return op

    def _check_learned_once(self, spec: Spec, learned: Sequence[torch.Tensor]) -> None:
        """:meth:`_check_learned` when the values may have changed since the last check:
        each tensor's storage, version counter (bumped by every in-place update, the
        optimiser's included) and shape are remembered (reading them is a few µs where
        checking a per-channel weight element by element is ~100 µs). Values written
        through ``.data`` bypass the version counter and are checked only with the next
        change that does not."""
        if _tracing():
            self._check_learned(spec, learned)
            return
        try:
            stamp = tuple((id(t), t.data_ptr(), t._version, t.shape) for t in learned)
        except (RuntimeError, NotImplementedError, ValueError):  # no storage to read
            self._check_learned(spec, learned)
            return
        if self.__dict__.get("_actfn_checked") != (spec, stamp):
            self._check_learned(spec, learned)
            self.__dict__["_actfn_checked"] = (spec, stamp)

    def _check_learned(self, spec: Spec, learned: Sequence[torch.Tensor]) -> None:
        """Validate the learnable parameters' current values with the registry's rules
        (training can move them out of range: say so now, not with a NaN or a
        ZeroDivisionError in a later backward)."""
        try:
            spec.bind(**self._fixed, **_tensor_values(dict(zip(self._learned, learned,
                                                                strict=True))))
        except ValueError as err:
            raise ValueError(
                f"{err} (the current value of a learnable parameter of "
                f"{type(self).__name__}: training moved it out of the valid range; constrain "
                "it, e.g. clamp it after each optimiser step, or lower the learning rate)"
            ) from None

    def extra_repr(self) -> str:
        """Fixed parameters, learnable ones with their current value, PReLU's channel count."""
        parts = [] if type(self) is not Activation else [repr(self._name)]
        parts += [f"{k}={v!r}" for k, v in self._fixed.items()]
        for n in self._learned:
            p = getattr(self, n)
            if p.ndim == 0:
                parts.append(f"{n}={p.item():.6g} (learnable)")
            else:
                parts.append(f"num_parameters={p.numel()}")
        if self.__dict__.get("saved_bits") is not None:
            parts.append(f"saved_bits={self.saved_bits}")
        return ", ".join(parts)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickle (and deepcopy) by reference: the activation's registered name and the
        module's state; the class is rebuilt from the registry on loading
        (:func:`_restore_module`), so layers of activations registered after import
        pickle too. Subclasses defined by users pickle as usual."""
        cls = type(self)
        if cls is Activation or not cls.__dict__.get("_actfn_generated", False) or (
            self._name in builtin_names() and globals().get(cls.__name__) is cls
        ):
            # the standard nn.Module way: the class is found by its name on loading, so
            # torch.load(weights_only=True) needs only the class in safe_globals
            return super().__reduce_ex__(protocol)
        return (_restore_module, (self._name, False), self.__getstate__())

    def __getstate__(self) -> dict[str, Any]:
        """The module's state less the per-process caches (the op with its compiled loops,
        the last validated parameter stamp): a module that has run pickles too."""
        state = dict(super().__getstate__() or self.__dict__)  # type: ignore[misc]
        state.pop("_actfn_op", None)
        state.pop("_actfn_checked", None)
        return state

    def __prepare_scriptable__(self) -> torch.nn.Module:
        raise RuntimeError(
            f"actfn.torch.{type(self).__name__} cannot be compiled with torch.jit.script: it "
            "runs a Python torch.autograd.Function, which TorchScript does not support. Use "
            "torch.compile (supported) or eager mode."
        )


def _restore_module(name: str, generic: bool) -> Activation:
    """An empty instance of the module class for ``name`` (pickle then sets its state)."""
    try:
        spec = lookup(name)
    except ValueError:
        # raising while unpickling kills a multiprocessing worker (Pool.map then waits
        # forever): give a stand-in that raises when it is called
        stand_in = _UnregisteredModule.__new__(_UnregisteredModule)
        object.__setattr__(stand_in, "_actfn_restore", (name, generic))
        return stand_in
    cls = Activation if generic else module_class(spec.name)
    return cls.__new__(cls)


class _UnregisteredModule(torch.nn.Module):
    """An unpickled actfn.torch module whose activation this process does not know."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Raise a ``ValueError`` saying why this module cannot run here."""
        name = self.__dict__["_actfn_restore"][0]
        raise ValueError(
            f"cannot run the unpickled actfn.torch module of activation {name!r}: it is not "
            "registered in this process (it was registered at runtime where the module was "
            "pickled; a 'spawn' or 'forkserver' worker starts with only the activations "
            "registered on import). Register it at import time of a module this process "
            "imports, or use the 'fork' start method"
        )

    def __reduce_ex__(self, protocol: Any) -> Any:
        state = {k: v for k, v in self.__dict__.items() if k != "_actfn_restore"}
        return (_restore_module, self.__dict__["_actfn_restore"], state)


def module_class(name: str) -> type[Activation]:
    """The ``nn.Module`` class of activation ``name`` (canonical or alias).

    Its positional arguments are the activation's parameters in registry order (for a
    per-channel parameter: ``num_parameters, init``, as ``torch.nn.PReLU``). Where
    ``torch.nn``'s class has the same name (``Hardtanh``, ``Softplus``, ``Mish``...) it is
    :func:`native_class`, whose positional arguments start the same way and go on with
    torch's own (``inplace``, Softplus's ``threshold``). Where the names differ
    (``Celu``/``CELU``) it is the 0.1.0 class, deprecated (see the module docstring).
    """
    return _CLASSES(name)


def _make_class(spec: Spec) -> type[Activation]:
    if native_name(spec.name) == class_name(spec.name):
        native = native_class(spec.name)
        if native is not None:
            return native
    learnable, pairs, extra = layer_params(spec)
    sig = signature(spec, layer=True, params=pairs, keyword_only=[*extra, *_SAVED_BITS])
    doc = docstring(
        spec,
        f"``torch.nn.Module`` for actfn's ``{spec.name}`` (see :class:`actfn.torch.Activation`).",
        (_SETUP, "actfn.torch.{cls}({args})(torch.zeros(2, 3)).shape", "torch.Size([2, 3])"),
        call_params=pairs, learnable=learnable,
    )
    return layer_class(Activation, spec, __name__, sig, doc, _actfn_generated=True)


#: Generated module classes by canonical name, with the spec they were made from (one
#: class per spec, so ``module_class("celu") is actfn.torch.Celu``).
_CLASSES: PerSpec[type[Activation]] = PerSpec(_make_class)


# -- torch.nn's names -------------------------------------------------------------------------
_LAYER = re.compile(r"\s*torch\.nn\.(\w+)\(")
#: torch.nn constructor arguments that are not activation parameters but set up PReLU's
#: per-channel weight (actfn has them too).
_CHANNEL_ARGS = ("num_parameters", "init")


def native_name(name: str) -> str | None:
    """The ``torch.nn`` class name of activation ``name`` (``"celu"`` → ``"CELU"``), read
    from the PyTorch ``Equivalent`` of its catalog knowledge (``layer``), or ``None``
    where torch has no such layer class."""
    spec = lookup(name)
    eq = _knowledge.for_spec(spec).equivalent("PyTorch")
    m = _LAYER.match(eq.layer) if eq is not None else None
    if m is None or not isinstance(getattr(torch.nn, m.group(1), None), type):
        return None
    return m.group(1)


def native_class(name: str) -> type[Activation] | None:
    """The module class of activation ``name`` under ``torch.nn``'s name and with
    ``torch.nn``'s constructor (``actfn.torch.CELU``), or ``None`` (see :func:`native_name`)."""
    return _NATIVE(name)


def _torch_signature(tcls: type) -> list[inspect.Parameter]:
    P = inspect.Parameter
    return [p for n, p in inspect.signature(tcls.__init__).parameters.items()
            if n != "self" and p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)
            and n not in ("device", "dtype")]


def _make_native(spec: Spec) -> type[Activation] | None:
    cls_name = native_name(spec.name)
    if cls_name is None:
        return None
    tcls = getattr(torch.nn, cls_name)
    tparams = _torch_signature(tcls)
    order = [p.name for p in tparams if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    ours = set(spec.param_names)
    # torch arguments actfn has no use for (Softplus's threshold): accepted, shown, unused
    ignored = [p.name for p in tparams
               if p.name not in ours and p.name not in _CHANNEL_ARGS and p.name != "inplace"]
    extra = [(p.name, p.default) for p in spec.params
             if p.name not in {t.name for t in tparams} and not p.vector]
    learnable = [n for n, p in learnable_params(spec).items() if not p.vector]

    def __init__(self: Activation, *args: Any, **kwargs: Any) -> None:
        kwargs = merge_positional(cls_name, order, args, kwargs)
        allowed = {p.name for p in tparams} | {n for n, _ in extra} | {"learnable",
                                                                        "saved_bits"}
        bad = sorted(set(kwargs) - allowed)
        if bad:
            raise TypeError(f"{cls_name}() got an unexpected keyword argument {bad[0]!r}; "
                            f"arguments: {', '.join(sorted(allowed))}")
        defaults = spec.defaults()
        given = {p.name: kwargs.pop(p.name, defaults.get(p.name) if p.default is p.empty
                                    else p.default) for p in tparams}
        torch_args = dict(given)
        inplace = given.pop("inplace", False)
        kept = {k: given.pop(k) for k in ignored}
        Activation.__init__(self, spec.name, **given, **kwargs)
        self.inplace = bool(inplace)
        for k, v in kept.items():
            setattr(self, k, v)
        if "num_parameters" in torch_args:
            torch_args["num_parameters"] = self.num_parameters
        with torch.device("meta"):
            shown = tcls(**torch_args).extra_repr()  # torch's own text for its arguments
        self.__dict__["_torch_repr"] = shown

    def extra_repr(self: Activation) -> str:
        """torch's text for the constructor arguments, then actfn's extra parameters where
        they are not at their defaults and learnable scalars with their current value."""
        shown = self.__dict__["_torch_repr"]
        tail = []
        for n in self._learned:
            p = getattr(self, n)
            if p.ndim == 0:
                now = f"{n}={p.item():.6g} (learnable)"
                shown, hit = re.subn(rf"\b{n}=[^,]*", now, shown)
                if not hit:
                    tail.append(now)
        parts = [shown] if shown else []
        parts += [f"{k}={self._fixed[k]!r}" for k, d in extra
                  if k in self._fixed and self._fixed[k] != d]
        if self.__dict__.get("saved_bits") is not None:
            tail.append(f"saved_bits={self.saved_bits}")
        return ", ".join(parts + tail)

    P = inspect.Parameter
    sig = inspect.Signature(
        [P("self", P.POSITIONAL_ONLY)]
        # (torch's required arguments, Threshold's, default to the registry's value here)
        + [P(p.name, p.kind, default=spec.defaults().get(p.name) if p.default is p.empty
             else p.default) for p in tparams]
        + [P(n, P.KEYWORD_ONLY, default=d) for n, d in extra]
        + ([P("learnable", P.KEYWORD_ONLY, default=False)] if learnable else [])
        + [P(n, P.KEYWORD_ONLY, default=d) for n, d in _SAVED_BITS])
    __init__.__signature__ = sig  # type: ignore[attr-defined]
    notes = [f"Drop-in for ``torch.nn.{cls_name}`` with actfn's kernels (f rounded once from "
             "float64, analytic f′ and f″); same constructor arguments and defaults."]
    if any(p.name == "inplace" for p in tparams):
        notes.append("``inplace`` is accepted and shown, but a documented no-op: actfn never "
                     "writes to its input (the result is a new tensor).")
    for k in ignored:
        notes.append(f"``{k}`` is accepted and shown but not used: actfn computes f exactly "
                     f"everywhere, where torch switches formula at ``{k}``.")
    if extra:
        notes.append("actfn's own parameters are extra keyword arguments: "
                     + ", ".join(f"``{n}={d!r}``" for n, d in extra) + ".")
    doc = docstring(spec, " ".join(notes),
                    (_SETUP, f"actfn.torch.{cls_name}()(torch.zeros(2, 3)).shape",
                     "torch.Size([2, 3])"), learnable=learnable_params(spec))
    cls = type(cls_name, (Activation,), {"__init__": __init__, "extra_repr": extra_repr,
                                         "__module__": __name__, "__doc__": doc,
                                         "_actfn_generated": False})
    cls.__qualname__ = cls_name
    return cls


_NATIVE: PerSpec[type[Activation] | None] = PerSpec(_make_native)


def _exported() -> dict[str, Any]:
    return _evaluate.export_native(_GENERATED.exported(), native_class, "actfn.torch",
                                   "torch.nn's")


_GENERATED = Generated(__name__, function, module_class)
_EXPORTED = _exported()
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED) + ["native_class", "native_name"]
register_glue("torch", Glue(traced=_traced, evaluate=_core, split=_split))
_fewbit.connect(_fewbit.Hooks(op_of=_op_of, forward=_forward, out_dtype=_out_dtype,
                              transformed=lambda x: not _tracing() and _wrapped(x)))

# the gated units (two inputs): fused layers of actfn._gated_torch
from ._gated_torch import exported as _gated_exported  # noqa: E402

_GATED = _gated_exported()
globals().update(_GATED)
__all__ += sorted(_GATED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get their function and classes on first use.
    try:
        return _GENERATED.attribute(name)
    except AttributeError:
        for n in canonical_names():
            if native_name(n) == name:
                return native_class(n)
        raise
