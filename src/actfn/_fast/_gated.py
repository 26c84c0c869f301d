r"""Compiled loops of the gated units a(gate)·up for float32, bfloat16 and float16 storage.

The gate's registry kernels (a, and a′ for the backward) are traced as for the elementwise
loops (:mod:`actfn._fast._trace`), and the product with ``up`` is fused into the same
loop, in float64, rounded once to the storage dtype:

.. math::

    \mathrm{fwd}:\ o = \mathrm{rnd}(a(g)\,u), \qquad
    \mathrm{bwd}:\ o_g = \mathrm{rnd}\bigl((y\,a'(g))\,u\bigr),\ o_u = \mathrm{rnd}(y\,a(g))

with y the incoming gradient. a(g) and a′(g) carry relative errors of a few 2⁻⁵³ (the
float64 kernels) and each float64 product one more 2⁻⁵³, so the value before the final
rounding is within ~2⁻⁵⁰ relative of the exact one: the result is within 1 ulp of it
(0.5 ulp plus ~2⁻²⁶ of a float32 ulp), where rounding a(g) to the storage dtype first and
multiplying after (two roundings) gives 1.5 ulp, and a gradient 2.5. No float64 temporary
array is made: the loops read the 2- or 4-byte inputs and write the results. A NaN in
``gate`` or ``up`` gives NaN in every output.
"""

from __future__ import annotations

from typing import Any

from .._gated import round_limit
from . import _trace

__all__ = ["gated_loops"]

#: (id(gate spec), parameters, dtype) → (forward, backward) :class:`actfn._fast.Compiled`.
_LOOPS: dict[tuple[Any, ...], Any] = {}


def _source(prog: _trace.Program, dtype: str, title: str, backward: bool,
            clamps: tuple[float | None, float | None, float] = (None, None, 0.0)) -> str:
    load, store = _trace.IO_TYPES[dtype]
    lg, lu, c = clamps
    nan = "(x_ != x_) | (u_ != u_)"
    body = ["x_ = " + load.format(v="gs[i]"),
            "x = x_" if lg is None else f"x = sel(x_ > {lg!r}, {lg!r}, x_)",
            *prog.lines, "u_ = " + load.format(v="us[i]")]
    b = "u_" if lu is None else f"sel(u_ > {lu!r}, {lu!r}, sel(u_ < {-lu!r}, {-lu!r}, u_))"
    body.append(f"b_ = {b}" if not c else f"b_ = {b} + {float(c)!r}")
    if backward:
        a, da = prog.outputs
        if lg is not None:  # beyond the gate's clamp a is constant: a' = 0
            body.append(f"da_ = sel(x_ > {lg!r}, 0.0, {da})")
            da = "da_"
        ua = a if lu is None else f"sel((u_ > {lu!r}) | (u_ < {-lu!r}), 0.0, {a})"
        body += ["y_ = " + load.format(v="ys[i]"),
                 "o0[i] = " + store.format(v=f"sel({nan}, x_ + u_, (y_ * {da}) * b_)"),
                 "o1[i] = " + store.format(v=f"sel({nan}, x_ + u_, y_ * {ua})")]
        args = "gs, us, ys, o0, o1"
    else:
        (a,) = prog.outputs
        body.append("o0[i] = " + store.format(v=f"sel({nan}, x_ + u_, {a} * b_)"))
        args = "gs, us, o0"
    inner = "\n".join("        " + line for line in body)
    src = [_trace.HEADER.format(title=title, fastmath=_trace.FASTMATH[dtype], cache=False)]
    for fname, rng, extra in (("ser", "range", ""), ("par", "prange", ", parallel=True")):
        src.append(f"\n@numba.njit(**_opts{extra})\ndef {fname}({args}):\n"
                   f"    for i in {rng}(gs.shape[0]):\n{inner}\n")
    return "".join(src)


def gated_loops(gate_act: Any, dtype: str, gate_limit: float | None = None,
                up_limit: float | None = None, up_offset: float = 0.0
                ) -> tuple[Any, Any] | None:
    """``(fwd, bwd)`` compiled loops of a(min(gate, L_g))·(clamp(up, ±L_u) + c) for the
    elementwise gate activation ``gate_act`` (an :class:`actfn.Activation`) on storage
    ``dtype`` ("float32", "bfloat16", "float16"): ``fwd.ser(gate, up, out)`` and
    ``bwd.ser(gate, up, grad_out, grad_gate, grad_up)`` on flat storage arrays (``par``:
    the ``prange`` loops). The limits (None: no clamp) are rounded to ``dtype`` first and
    compared there, as ``torch.clamp`` does; at the clamp itself the derivative is the
    inside one. None when the gate's kernels cannot be compiled."""
    from . import LOCK, Compiled, load_module, params_key

    spec = gate_act.spec
    pkey = params_key(gate_act._params)
    if pkey is None:
        return None
    clamps = (None if gate_limit is None else round_limit(float(gate_limit), dtype),
              None if up_limit is None else round_limit(float(up_limit), dtype),
              float(up_offset))
    key = (id(spec), pkey, dtype, clamps)
    hit = _LOOPS.get(key, _LOOPS)
    if hit is not _LOOPS:
        return hit[1]  # type: ignore[no-any-return]
    with LOCK:
        params = dict(pkey)
        try:
            fwd_prog = _trace.trace((spec.f,), False, params, "v")
            if spec.f_df is not None:
                bwd_prog = _trace.trace((spec.f_df,), True, params, "v")
            else:
                bwd_prog = _trace.trace((spec.f, spec.df), False, params, "v")
        except _trace.TraceError:
            _LOOPS[key] = (spec, None)
            return None
        loops = []
        for prog, backward in ((fwd_prog, False), (bwd_prog, True)):
            title = f"{gate_act!r} gated {'backward' if backward else 'forward'}, {dtype}"
            src = _source(prog, dtype, title, backward, clamps)
            module, cached = load_module(src)
            loops.append(Compiled(module, 2 if backward else 1, src, src, cached))
        entry = (loops[0], loops[1])
        _LOOPS[key] = (spec, entry)  # the spec kept alive: its id is never reused
        return entry
