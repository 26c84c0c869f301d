r"""Fused gated layers for PyTorch: ``actfn.torch.SwiGLU``, ``GeGLU``, ``GLU``, ...

For each gated unit of the registry (``actfn.names(kind="gated")``; formulas and the
convention at the clamp in :mod:`actfn._gated`) ``actfn.torch`` gets

* a functional form ``actfn.torch.<name>(gate, up, **params)``, or with one tensor the
  split form ``actfn.torch.<name>(x, dim=-1, gate_first=False)``: as
  ``torch.nn.functional.glu``, the first half of ``x`` along ``dim`` is the value ``up``
  and the second half the gate (``gate_first=True``: the other way round, as
  ``gate, up = x.chunk(2, dim)``);
* an ``nn.Module`` class (:func:`actfn._gated_layers.gated_class_name`: ``GLU``,
  ``SwiGLU``, ``GeGLU(approximate="tanh")``, ``ReGLU``, ``SwiGLUClamped(alpha=1.702,
  limit=7.0)``, ``BilinearGLU``) whose ``forward`` takes one tensor (split form) or two
  ``(gate, up)``; ``GLU()`` is a drop-in for ``torch.nn.GLU()``;
* and the generic module ``actfn.torch.Gated("swiglu", dim=-1, gate_first=False)``.

Memory and precision (the fused-kernel design of Liger, unsloth, TransformerEngine): the
forward saves only the two inputs (``saved_tensors_hooks`` see exactly ``gate`` and
``up``, 2 tensors, where the eager ``F.silu(g) * u`` saves 3). The backward recomputes
a(g) and a′(g) in one pass of the gate's fused kernel and writes both input gradients
``dy·a′(g)·b(u)`` and ``dy·a(g)·b′(u)``; everything is computed in float64 (float32 on
MPS), in blocks of :data:`BLOCK` elements when ``gate`` and ``up`` have one shape (so
the float64 temporaries stay small), and rounded once to the result dtype (the inputs'
promoted floating dtype; integer/bool tensors count as ``torch.get_default_dtype()``).

Compiled CPU path: contiguous CPU ``gate`` and ``up`` of one float32, bfloat16 or
float16 dtype and one shape use fused compiled loops (:mod:`actfn._fast._gated`)
instead, ``swiglu_clamped`` too (its clamps in the loop, the limit rounded to the
tensors' dtype first, as ``torch.clamp``): the forward computes a(gate) in float64 and
the product a(gate)·b(up) in float64, rounded once (within 1 ulp of the exact value); the
backward recomputes a and a′ in one loop and writes both gradients
(y·a′(gate))·up and y·a(gate), each rounded once (within 1 ulp). The loops read the
2- or 4-byte inputs and write the results directly: no float64 temporary arrays.
``ACTFN_DISABLE_NUMBA=1`` or ``actfn._fast.set_enabled(False)`` selects the blockwise
float64 path everywhere.

Derivatives: the double backward (``create_graph=True``, gradient penalties,
``gradgradcheck``) uses the analytic second partials ∂²f/∂gate², ∂²f/∂gate∂up (and
∂²f/∂up² = 0); a third derivative raises ``NotImplementedError``. ``torch.func`` (grad,
vmap, jacrev, jacfwd, hessian) and forward-mode AD work (the eager path is a
``torch.autograd.Function`` with ``setup_context``, ``vmap`` and ``jvp``). Under
``torch.compile``/``torch.export`` the unit is one call of the custom op
``actfn::gated`` (fake implementation for shapes), whose registered backward is the
fused op ``actfn::gated_grads`` (both input gradients in one call), itself
differentiable once more through ``actfn::gated`` of the first partials, so
``torch.compile(fullgraph=True)`` traces with no graph break. The gated units have no
learnable parameters in the registry (their parameters are fixed hyperparameters,
validated by it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import array_api_compat.torch as _aac_torch
import torch

from . import _fast
from ._activation import get
from ._fast import _gated as _fast_gated
from ._gated import GatedActivation, check_gate_first, split
from ._gated_layers import gated_class_name, gated_names, gated_spec

__all__ = ["BLOCK", "Gated", "exported", "gated_function", "gated_class"]

#: Elements per block of the float64 work when ``gate`` and ``up`` have one shape.
BLOCK = 1 << 18


def _torch_mod() -> Any:
    from . import torch as _t  # the adapter imports this module at its end

    return _t


# -- the unit behind a key ------------------------------------------------------------------
_ACTS: dict[tuple[str, str], GatedActivation] = {}


def _key(act: GatedActivation) -> tuple[str, str]:
    """(name, parameters as a Python literal): what the custom ops receive."""
    p = act.params
    fixed = "{" + ", ".join(f"{n!r}: {p[n]!r}" for n in sorted(p)) + "}"
    k = (act.name, fixed)
    _ACTS.setdefault(k, act)
    return k


def _act_of(name: str, fixed: str) -> GatedActivation:
    k = (name, fixed)
    act = _ACTS.get(k)
    if act is None or act.spec is not gated_spec(name):
        act = get(name, **_torch_mod()._literal(fixed))
        if len(_ACTS) > 4096:
            _ACTS.clear()
        _ACTS[k] = act
    return act


def _work_dtype(t: torch.Tensor) -> torch.dtype:
    return torch.float32 if t.device.type == "mps" else torch.float64


def _in_dtype(t: torch.Tensor) -> torch.dtype:
    return _torch_mod()._out_dtype(t)


def _result_dtype(gate: torch.Tensor, up: torch.Tensor) -> torch.dtype:
    """The promoted floating dtype of the inputs (float16 with bfloat16: float32)."""
    return torch.promote_types(_in_dtype(gate), _in_dtype(up))


def _shape(gate: torch.Tensor, up: torch.Tensor, name: str) -> torch.Size:
    try:
        return torch.broadcast_shapes(gate.shape, up.shape)
    except RuntimeError:
        raise ValueError(f"actfn.torch.{name}: gate of shape {tuple(gate.shape)} and up of shape "
                         f"{tuple(up.shape)} do not broadcast together") from None


def _compute(act: GatedActivation, gate: torch.Tensor, up: torch.Tensor,
             which: tuple[str, ...]) -> list[torch.Tensor]:
    """``which`` of f, dg, du, dgg, dgu in working precision, of the broadcast shape."""
    wd = _work_dtype(gate)
    g, u = gate.to(wd), up.to(wd)
    shape = torch.broadcast_shapes(g.shape, u.shape)
    if g.device.type == "meta" or u.device.type == "meta":
        return [torch.empty(shape, dtype=wd, device=g.device) for _ in which]
    ys = act._compute(g, u, _aac_torch, which, (_in_dtype(gate), _in_dtype(up)))
    return [y.to(wd).broadcast_to(shape) for y in ys]


def _blocks(gate: torch.Tensor, up: torch.Tensor, extra: Sequence[torch.Tensor] = ()) -> Any:
    """Flat views of equally shaped tensors and the block slices to walk, or None."""
    if gate.shape != up.shape or any(t.shape != gate.shape for t in extra):
        return None
    n = gate.numel()
    if n <= BLOCK or gate.device.type == "meta":
        return None
    flat = [t.reshape(-1) for t in (gate, up, *extra)]
    return flat, [slice(i, min(i + BLOCK, n)) for i in range(0, n, BLOCK)]


def _forward_values(act: GatedActivation, gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
    """f rounded once to the result dtype (blockwise float64 work)."""
    out = _result_dtype(gate, up)
    plan = _blocks(gate, up)
    if plan is None:
        return _compute(act, gate, up, ("f",))[0].to(out).contiguous()
    (g, u), parts = plan
    y = torch.empty(g.shape, dtype=out, device=g.device)
    for s in parts:
        y[s] = _compute(act, g[s], u[s], ("f",))[0]
    return y.view(gate.shape)


def _fused_grads(act: GatedActivation, gy: torch.Tensor, gate: torch.Tensor, up: torch.Tensor,
                 need: tuple[bool, bool]) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Both input gradients, gy·∂f/∂gate and gy·∂f/∂up, from one pass of the gate's fused
    f/f′ kernel per block, each product in float64 rounded once to the input's dtype."""
    plan = _blocks(gate, up, (gy,))
    if plan is None:
        dg, du = _compute(act, gate, up, ("dg", "du"))
        gyw = gy.to(dg.dtype)
        gg = (gyw * dg).sum_to_size(gate.shape).to(_in_dtype(gate)) if need[0] else None
        gu = (gyw * du).sum_to_size(up.shape).to(_in_dtype(up)) if need[1] else None
        return gg, gu
    (g, u, y), parts = plan
    gg = torch.empty(g.shape, dtype=_in_dtype(gate), device=g.device) if need[0] else None
    gu = torch.empty(u.shape, dtype=_in_dtype(up), device=u.device) if need[1] else None
    for s in parts:
        dg, du = _compute(act, g[s], u[s], ("dg", "du"))
        yw = y[s].to(dg.dtype)
        if gg is not None:
            gg[s] = yw * dg
        if gu is not None:
            gu[s] = yw * du
    return (None if gg is None else gg.view(gate.shape),
            None if gu is None else gu.view(up.shape))


def _tracing() -> bool:
    return bool(_torch_mod()._tracing())


# -- custom ops (traces: torch.compile, torch.export) ------------------------------------------
@torch.library.custom_op("actfn::gated", mutates_args=())
def _gated_op(gate: torch.Tensor, up: torch.Tensor, name: str, fixed: str,
              which: str) -> torch.Tensor:
    """``which`` of one gated unit: ``"f"`` (rounded once to the result dtype) or a
    partial ``"dg"``, ``"du"``, ``"dgg"``, ``"dgu"`` (working precision)."""
    act = _act_of(name, fixed)
    if which == "f":
        return _forward_values(act, gate, up)
    return _compute(act, gate, up, (which,))[0].clone()


@_gated_op.register_fake
def _gated_fake(gate: torch.Tensor, up: torch.Tensor, name: str, fixed: str,
                which: str) -> torch.Tensor:
    dtype = _result_dtype(gate, up) if which == "f" else _work_dtype(gate)
    return gate.new_empty(torch.broadcast_shapes(gate.shape, up.shape), dtype=dtype)


def _gated_setup(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
    gate, up, name, fixed, which = inputs
    ctx.key, ctx.which = (name, fixed), which
    ctx.save_for_backward(gate, up)


def _third(name: str) -> NotImplementedError:
    return NotImplementedError(
        f"actfn: cannot differentiate {name}'s second partials: that needs a third "
        "derivative, which actfn does not have"
    )


def _gated_backward(ctx: Any, h: torch.Tensor) -> tuple[Any, ...]:
    gate, up = ctx.saved_tensors
    name, fixed = ctx.key
    need = tuple(ctx.needs_input_grad[:2])
    if ctx.which == "f":
        gg, gu = torch.ops.actfn.gated_grads(h, gate, up, name, fixed, list(need))
        return gg, gu, None, None, None
    if ctx.which in ("dgg", "dgu"):
        raise _third(name)
    ev = torch.ops.actfn.gated
    # d(dg) = dgg·dgate + dgu·dup; d(du) = dgu·dgate (∂²f/∂up² = 0)
    gg = gu = None
    if need[0]:
        k = "dgg" if ctx.which == "dg" else "dgu"
        gg = (h * ev(gate, up, name, fixed, k)).sum_to_size(gate.shape).to(_in_dtype(gate))
    if need[1] and ctx.which == "dg":
        gu = (h * ev(gate, up, name, fixed, "dgu")).sum_to_size(up.shape).to(_in_dtype(up))
    elif need[1]:
        gu = torch.zeros_like(up, dtype=_in_dtype(up))
    return gg, gu, None, None, None


_gated_op.register_autograd(_gated_backward, setup_context=_gated_setup)


@torch.library.custom_op("actfn::gated_grads", mutates_args=())
def _gated_grads_op(gy: torch.Tensor, gate: torch.Tensor, up: torch.Tensor, name: str,
                    fixed: str, need: list[bool]) -> tuple[torch.Tensor, torch.Tensor]:
    """Both input gradients of a gated unit in one pass (see :func:`_fused_grads`);
    one not in ``need`` comes back as zeros."""
    gg, gu = _fused_grads(_act_of(name, fixed), gy, gate, up, (True, True))
    assert gg is not None and gu is not None
    return gg, gu


@_gated_grads_op.register_fake
def _gated_grads_fake(gy: torch.Tensor, gate: torch.Tensor, up: torch.Tensor, name: str,
                      fixed: str, need: list[bool]) -> tuple[torch.Tensor, torch.Tensor]:
    return (gate.new_empty(gate.shape, dtype=_in_dtype(gate)),
            up.new_empty(up.shape, dtype=_in_dtype(up)))


def _grads_setup(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
    gy, gate, up, name, fixed, _need = inputs
    ctx.key = (name, fixed)
    ctx.save_for_backward(gy, gate, up)


def _grads_backward(ctx: Any, hg: torch.Tensor, hu: torch.Tensor) -> tuple[Any, ...]:
    """Outputs G = gy·dg, U = gy·du: ∂/∂gy = hg·dg + hu·du, ∂/∂gate = gy·(hg·dgg + hu·dgu),
    ∂/∂up = gy·hg·dgu."""
    gy, gate, up = ctx.saved_tensors
    name, fixed = ctx.key
    ev = torch.ops.actfn.gated
    need = ctx.needs_input_grad
    dg, du = ev(gate, up, name, fixed, "dg"), ev(gate, up, name, fixed, "du")
    ggy = ggate = gup = None
    if need[0]:
        ggy = (hg * dg + hu * du).sum_to_size(gy.shape).to(gy.dtype)
    if need[1] or need[2]:
        dgu = ev(gate, up, name, fixed, "dgu")
        if need[1]:
            dgg = ev(gate, up, name, fixed, "dgg")
            ggate = (gy * (hg * dgg + hu * dgu)).sum_to_size(gate.shape).to(_in_dtype(gate))
        if need[2]:
            gup = (gy * hg * dgu).sum_to_size(up.shape).to(_in_dtype(up))
    return ggy, ggate, gup, None, None, None


_gated_grads_op.register_autograd(_grads_backward, setup_context=_grads_setup)


# -- eager: autograd.Functions (torch.func, forward-mode AD) -----------------------------------
def _vmap(fn: Any, in_dims: tuple[Any, ...], args: tuple[Any, ...], n: int) -> Any:
    """``torch.func.vmap`` rule of an elementwise two-input Function: batch dimensions
    moved to the front, an unbatched input given a leading 1 (after padding it to the
    logical rank), the Function applied once."""
    tensors, rest = args[:n], args[n:]
    dims = in_dims[:n]
    rank = max(t.ndim - (d is not None) for t, d in zip(tensors, dims, strict=True))
    moved = []
    for t, d in zip(tensors, dims, strict=True):
        if d is None:
            t = t.reshape((1,) * (rank - t.ndim + 1) + tuple(t.shape))
        else:
            t = t.movedim(d, 0)
            t = t.reshape(t.shape[:1] + (1,) * (rank - t.ndim + 1) + t.shape[1:])
        moved.append(t)
    out = fn.apply(*moved, *rest)
    return out, (tuple(0 for _ in out) if isinstance(out, tuple) else 0)


class _Gated(torch.autograd.Function):
    """f(gate, up) rounded once; saves exactly the two inputs."""

    @staticmethod
    def forward(gate: torch.Tensor, up: torch.Tensor, key: tuple[str, str]) -> torch.Tensor:
        return _forward_values(_act_of(*key), gate, up)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: torch.Tensor) -> None:
        gate, up, key = inputs
        ctx.key = key
        ctx.save_for_backward(gate, up)
        ctx.save_for_forward(gate, up)

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        return _vmap(_Gated, in_dims, args, 2)

    @staticmethod
    def backward(ctx: Any, gy: torch.Tensor) -> tuple[Any, ...]:
        gate, up = ctx.saved_tensors
        need = (bool(ctx.needs_input_grad[0]), bool(ctx.needs_input_grad[1]))
        if not torch.is_grad_enabled():  # plain backward: the fused, blockwise pass
            gg, gu = _fused_grads(_act_of(*ctx.key), gy, gate, up, need)
            return gg, gu, None
        dg, du = _Partials.apply(gate, up, ctx.key)  # differentiable again
        gyw = gy.to(dg.dtype)
        gg = (gyw * dg).sum_to_size(gate.shape).to(_in_dtype(gate)) if need[0] else None
        gu = (gyw * du).sum_to_size(up.shape).to(_in_dtype(up)) if need[1] else None
        return gg, gu, None

    @staticmethod
    def jvp(ctx: Any, tg: torch.Tensor | None, tu: torch.Tensor | None, _key: Any) -> Any:
        gate, up = ctx.saved_tensors
        dg, du = _Partials.apply(gate, up, ctx.key)
        out = torch.zeros_like(dg)
        if tg is not None:
            out = out + tg.to(dg.dtype) * dg
        if tu is not None:
            out = out + tu.to(du.dtype) * du
        return out.to(_result_dtype(gate, up))


class _Partials(torch.autograd.Function):
    """(∂f/∂gate, ∂f/∂up) in working precision; differentiable once more (second
    partials as :class:`_Second`)."""

    @staticmethod
    def forward(gate: torch.Tensor, up: torch.Tensor,
                key: tuple[str, str]) -> tuple[torch.Tensor, torch.Tensor]:
        dg, du = _compute(_act_of(*key), gate, up, ("dg", "du"))
        return dg.contiguous(), du.contiguous()

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        gate, up, key = inputs
        ctx.key = key
        ctx.save_for_backward(gate, up)
        ctx.save_for_forward(gate, up)

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        return _vmap(_Partials, in_dims, args, 2)

    @staticmethod
    def backward(ctx: Any, hg: torch.Tensor, hu: torch.Tensor) -> tuple[Any, ...]:
        gate, up = ctx.saved_tensors
        dgg, dgu = _Second.apply(gate, up, ctx.key)
        gg = gu = None
        if ctx.needs_input_grad[0]:
            gg = (hg * dgg + hu * dgu).sum_to_size(gate.shape).to(_in_dtype(gate))
        if ctx.needs_input_grad[1]:
            gu = (hg * dgu).sum_to_size(up.shape).to(_in_dtype(up))
        return gg, gu, None

    @staticmethod
    def jvp(ctx: Any, tg: torch.Tensor | None, tu: torch.Tensor | None, _key: Any) -> Any:
        gate, up = ctx.saved_tensors
        dgg, dgu = _Second.apply(gate, up, ctx.key)
        tg = torch.zeros_like(dgg) if tg is None else tg.to(dgg.dtype)
        tu = torch.zeros_like(dgu) if tu is None else tu.to(dgu.dtype)
        return dgg * tg + dgu * tu, dgu * tg


class _Second(torch.autograd.Function):
    """(∂²f/∂gate², ∂²f/∂gate∂up): differentiating them raises (no third derivative)."""

    @staticmethod
    def forward(gate: torch.Tensor, up: torch.Tensor,
                key: tuple[str, str]) -> tuple[torch.Tensor, torch.Tensor]:
        dgg, dgu = _compute(_act_of(*key), gate, up, ("dgg", "dgu"))
        return dgg.contiguous(), dgu.contiguous()

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        ctx.key = inputs[2]

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        return _vmap(_Second, in_dims, args, 2)

    @staticmethod
    def backward(ctx: Any, *_: Any) -> Any:
        raise _third(ctx.key[0])

    @staticmethod
    def jvp(ctx: Any, *_: Any) -> Any:
        raise _third(ctx.key[0])


# -- the public forms ---------------------------------------------------------------------------
def _inputs(name: str, gate: Any, up: Any, dim: int | None,
            gate_first: bool) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(gate, torch.Tensor) or (up is not None and not isinstance(up, torch.Tensor)):
        bad = gate if not isinstance(gate, torch.Tensor) else up
        raise TypeError(f"actfn.torch.{name} expects torch.Tensor inputs, got "
                        f"{type(bad).__name__}")
    gate_first = check_gate_first(gate_first)
    if up is None:
        gate, up = split(gate, -1 if dim is None else dim, gate_first)
    elif dim is not None or gate_first:
        raise TypeError(f"actfn.torch.{name}: dim= and gate_first= belong to the split form "
                        f"{name}(x, dim=...); with two tensors pass {name}(gate, up)")
    for t in (gate, up):
        _in_dtype(t)  # complex or unsupported dtypes raise TypeError
    if gate.device != up.device:
        raise ValueError(f"actfn.torch.{name}: gate is on {gate.device} and up on {up.device}; "
                         "put them on one device")
    _shape(gate, up, name)
    return gate, up


def apply(act: GatedActivation, gate: Any, up: Any = None, *, dim: int | None = None,
          gate_first: bool = False) -> torch.Tensor:
    """f(gate, up) (or the split form) with the fused backward (module docstring)."""
    gate, up = _inputs(act.name, gate, up, dim, gate_first)
    key = _key(act)
    if _tracing():
        if _torch_mod()._DECOMPOSED:  # actfn.torch.decomposed(): plain torch ops (ONNX)
            return _compute(act, gate, up, ("f",))[0].to(_result_dtype(gate, up))
        return torch.ops.actfn.gated(gate, up, *key, "f")  # type: ignore[no-any-return]
    loops = _fast_gate(act, gate, up)
    if loops is not None:
        if torch.is_grad_enabled() and (gate.requires_grad or up.requires_grad):
            return _FastGated.apply(gate, up, key, loops)  # type: ignore[no-any-return]
        return _fast_value(loops, gate, up)
    return _Gated.apply(gate, up, key)  # type: ignore[no-any-return]


# -- the compiled CPU path (float32, bfloat16, float16) -----------------------------------------
def _fast_gate(act: GatedActivation, gate: torch.Tensor, up: torch.Tensor) -> Any:
    """The fused compiled loops a(gate)·up of :mod:`actfn._fast._gated` when this call can
    use them: CPU tensors of one float32/bfloat16/float16 dtype and one shape,
    contiguous, no torch.func transform or forward-mode AD. Else None."""
    t = _torch_mod()
    spec = act.spec
    if (gate.device.type != "cpu" or up.device.type != "cpu" or gate.dtype != up.dtype
            or gate.dtype not in t._FAST_DTYPES or gate.shape != up.shape
            or not gate.is_contiguous() or not up.is_contiguous()
            or t._wrapped(gate) or t._wrapped(up)):
        return None
    if not _fast.available():  # ACTFN_DISABLE_NUMBA, set_enabled(False), no numba
        return None
    p = act.params
    return _fast_gated.gated_loops(act.gate, t._FAST_DTYPES[gate.dtype], spec.gate_limit(p),
                                   spec.up_limit(p), spec.up_offset)


def _fast_run2(entry: Any, ins: Sequence[torch.Tensor], n_out: int) -> list[torch.Tensor]:
    """Run a fused gated loop on the memory of the equally shaped contiguous CPU tensors
    ``ins`` into ``n_out`` new tensors of their dtype (no copies, no float64 temporaries;
    the parallel loop from :data:`actfn._fast.PARALLEL_THRESHOLD` elements, torch's
    thread count left as it was)."""
    t = _torch_mod()
    x = ins[0]
    n = x.numel()
    # results allocated by torch (its allocator and profiler see them), written in place
    res = [torch.empty(x.shape, dtype=x.dtype) for _ in range(n_out)]
    args = [*(t._storage(v) for v in ins), *(t._storage(r) for r in res)]
    t._run_loops(entry, n, args)
    return res


def _fast_value(loops: Any, gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
    return _fast_run2(loops[0], (gate, up), 1)[0]


class _FastGated(torch.autograd.Function):
    """The compiled path: f = a(gate)·up in one fused loop (a in float64, the product
    rounded once); saves (gate, up); the backward recomputes a and a′ in one fused loop
    and writes both input gradients, each rounded once. ``create_graph`` backward goes
    through the analytic float64 :class:`_Partials` instead."""

    @staticmethod
    def forward(ctx: Any, gate: torch.Tensor, up: torch.Tensor, key: tuple[str, str],
                loops: Any) -> torch.Tensor:
        ctx.key, ctx.loops = key, loops
        ctx.save_for_backward(gate, up)
        return _fast_value(loops, gate, up)

    @staticmethod
    def backward(ctx: Any, gy: torch.Tensor) -> tuple[Any, ...]:
        gate, up = ctx.saved_tensors
        need = ctx.needs_input_grad
        if torch.is_grad_enabled():  # create_graph: differentiable, analytic
            dg, du = _Partials.apply(gate, up, ctx.key)
            gyw = gy.to(dg.dtype)
            return ((gyw * dg).to(gate.dtype) if need[0] else None,
                    (gyw * du).to(up.dtype) if need[1] else None, None, None)
        if gy.dtype != gate.dtype or gy.shape != gate.shape:
            gy = gy.to(gate.dtype).expand(gate.shape)
        gy = gy.contiguous()
        gg, gu = _fast_run2(ctx.loops[1], (gate, up, gy), 2)
        return (gg if need[0] else None), (gu if need[1] else None), None, None


def gated_function(name: str) -> Callable[..., torch.Tensor]:
    """The functional form of gated unit ``name``:
    ``fn(gate, up=None, /, *, dim=None, gate_first=False, **params)``."""
    return _FUNCTIONS_of(name)


_FUNCTIONS: dict[str, tuple[Any, Callable[..., torch.Tensor]]] = {}


def _FUNCTIONS_of(name: str) -> Callable[..., torch.Tensor]:
    spec = gated_spec(name)
    hit = _FUNCTIONS.get(spec.name)
    if hit is not None and hit[0] is spec:
        return hit[1]

    def fn(gate: torch.Tensor, up: torch.Tensor | None = None, /, *, dim: int | None = None,
           gate_first: bool = False, **params: Any) -> torch.Tensor:
        return apply(get(spec.name, **params), gate, up, dim=dim, gate_first=gate_first)

    fn.__name__ = fn.__qualname__ = spec.name
    fn.__module__ = "actfn.torch"
    P = inspect.Parameter
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [P("gate", P.POSITIONAL_ONLY, annotation="torch.Tensor"),
         P("up", P.POSITIONAL_ONLY, default=None, annotation="torch.Tensor | None"),
         P("dim", P.KEYWORD_ONLY, default=None), P("gate_first", P.KEYWORD_ONLY, default=False)]
        + [P(p.name, P.KEYWORD_ONLY, default=p.default) for p in spec.params])
    fn.__doc__ = (
        f"{spec.summary}\n\nPyTorch functional form of actfn's gated unit ``{spec.name}``: "
        "``fn(gate, up)``, or ``fn(x, dim=-1)`` splitting ``x`` as "
        "``torch.nn.functional.glu`` (first half up, second half gate; ``gate_first=True`` "
        "for the other order). Saves only the inputs; the backward recomputes in one fused "
        "float64 pass (see :mod:`actfn._gated_torch`).\n\n"
        f">>> import torch, actfn.torch\n>>> actfn.torch.{spec.name}(torch.zeros(2, 4)).shape\n"
        "torch.Size([2, 2])\n"
    )
    _FUNCTIONS[spec.name] = (spec, fn)
    return fn


class Gated(torch.nn.Module):
    """A gated unit as an ``nn.Module``: ``Gated("swiglu")(x)`` splits ``x`` along ``dim``
    (first half up, second half gate, as ``torch.nn.GLU``; ``gate_first=True`` for the
    other order); ``Gated("swiglu")(gate, up)`` takes the halves. Parameters of the unit
    are fixed hyperparameters validated by the registry."""

    def __init__(self, activation: str, /, dim: int = -1, *, gate_first: bool = False,
                 **params: Any) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"dim must be an int, got {type(dim).__name__}")
        self._act = get(gated_spec(activation).name, **params)
        self.dim = dim
        self.gate_first = check_gate_first(gate_first)

    @property
    def activation(self) -> str:
        """Canonical name of the gated unit."""
        return self._act.name

    @property
    def params(self) -> dict[str, Any]:
        """The bound parameter values (a copy)."""
        return self._act.params

    def forward(self, x: torch.Tensor, up: torch.Tensor | None = None) -> torch.Tensor:
        """f = a(gate)·b(up): one tensor is split along ``dim``; two are ``(gate, up)``."""
        if up is None:
            return apply(self._act, x, dim=self.dim, gate_first=self.gate_first)
        return apply(self._act, x, up)

    def extra_repr(self) -> str:
        parts = [] if type(self) is not Gated else [repr(self._act.name)]
        parts.append(f"dim={self.dim}")
        if self.gate_first:
            parts.append("gate_first=True")
        defaults = self._act.spec.defaults()
        parts += [f"{k}={v!r}" for k, v in self._act.params.items() if v != defaults[k]]
        return ", ".join(parts)

    def __prepare_scriptable__(self) -> torch.nn.Module:
        raise RuntimeError(f"actfn.torch.{type(self).__name__} cannot be compiled with "
                           "torch.jit.script; use torch.compile (supported) or eager mode.")


_CLASSES: dict[str, tuple[Any, type[Gated]]] = {}


def gated_class(name: str) -> type[Gated]:
    """The ``nn.Module`` class of gated unit ``name`` (``SwiGLU`` for ``swiglu``): its
    constructor is ``(dim=-1, *, gate_first=False, **params)``."""
    spec = gated_spec(name)
    hit = _CLASSES.get(spec.name)
    if hit is not None and hit[0] is spec:
        return hit[1]
    cls_name = gated_class_name(spec.name)

    def __init__(self: Gated, dim: int = -1, *, gate_first: bool = False,
                 **params: Any) -> None:
        Gated.__init__(self, spec.name, dim, gate_first=gate_first, **params)

    P = inspect.Parameter
    __init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [P("self", P.POSITIONAL_ONLY), P("dim", P.POSITIONAL_OR_KEYWORD, default=-1),
         P("gate_first", P.KEYWORD_ONLY, default=False)]
        + [P(p.name, P.KEYWORD_ONLY, default=p.default) for p in spec.params])
    doc = (f"{spec.summary}\n\nFused ``nn.Module`` of actfn's gated unit ``{spec.name}`` "
           "(see :class:`actfn.torch.Gated`): saves only its inputs, recomputes in the "
           "backward.\n\n"
           f">>> import torch, actfn.torch\n>>> actfn.torch.{cls_name}()(torch.zeros(2, 4)).shape"
           "\ntorch.Size([2, 2])\n")
    cls = type(cls_name, (Gated,), {"__init__": __init__, "__module__": "actfn.torch",
                                    "__doc__": doc})
    cls.__qualname__ = cls_name
    _CLASSES[spec.name] = (spec, cls)
    return cls


def exported() -> dict[str, Any]:
    """The names ``actfn.torch`` exports for the gated units registered now."""
    out: dict[str, Any] = {"Gated": Gated}
    for n in gated_names():
        out[n] = gated_function(n)
        cls = gated_class(n)
        out[cls.__name__] = cls
    return out
