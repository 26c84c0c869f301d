r"""Compiled loops that read one parameter at run time (PReLU's learnable weight).

The elementwise loops of :mod:`actfn._fast` bind every parameter at trace time (the
kernels branch on parameter values in Python), so a learnable parameter, whose value
changes at every optimiser step, would need a new compilation per value. Where a
kernel uses its parameter ``p`` only arithmetically (no Python branch on it: PReLU's
``leaky``), it is traced here with ``p`` as a symbol, and the loop reads ``p`` per
channel from an array at run time: for the flat index ``i`` of a tensor whose channels
are dim 1,

.. math::

    p_i = w[\lfloor (i + \mathrm{off}) / \mathrm{inner} \rfloor \bmod C],

``inner`` being the product of the dimensions after the channel one (a scalar parameter
is ``C = 1``). The loop walks runs of equal ``p`` (an inner loop without a division,
which vectorizes) and writes, in one pass, f and whichever of f′ and ∂f/∂p are asked
for, each rounded once from float64 to the storage dtype, as the other loops
(:mod:`._trace`). Kernels that branch on the parameter raise :class:`._trace.TraceError`
here and keep the generic path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import _trace

__all__ = ["param_loop"]

#: (id(spec), fixed parameters, learned name, kernels, dtype) → (spec, Compiled or None)
_LOOPS: dict[tuple[Any, ...], Any] = {}


def _source(prog: _trace.Program, dtype: str, title: str) -> str:
    load, store = _trace.IO_TYPES[dtype]
    outs = ", ".join(f"o{j}" for j in range(len(prog.outputs)))
    body = ["x = " + load.format(v="src[k]"), *prog.lines]
    for j, name in enumerate(prog.outputs):
        body.append(f"o{j}[k] = " + store.format(v=f"sel(x != x, x, {name})"))
    inner = "\n".join("            " + line for line in body)
    src = [_trace.HEADER.format(title=title, fastmath=_trace.FASTMATH[dtype], cache=False)]
    src.append(
        f"\n@numba.njit(**_opts)\ndef ser(src, w, inner, off, {outs}):\n"
        "    n = src.shape[0]\n"
        "    nc = w.shape[0]\n"
        "    i = 0\n"
        "    while i < n:\n"
        "        b = (i + off) // inner\n"
        "        p = w[b % nc]\n"
        "        end = min(n, (b + 1) * inner - off)\n"
        f"        for k in range(i, end):\n{inner}\n"
        "        i = end\n"
    )
    # (no numba parallel loop: actfn._fast._split runs ``ser`` on ranges in threads)
    src.append("\npar = ser\n")
    return "".join(src)


def param_loop(spec: Any, fixed: dict[str, Any], name: str,
               kernels: Sequence[Callable[..., Any]], dtype: str) -> Any:
    """The compiled loop ``ser(src, w, inner, off, o0, …)`` of ``kernels`` (each called
    ``k(x, xp, **fixed, name=p)``, one output each) with parameter ``name`` read from the
    float64 array ``w`` as above, for storage ``dtype``; ``None`` where a kernel cannot
    be traced with a symbolic parameter. Compiled once per (activation, fixed
    parameters, kernels, dtype) and cached (on disk as the other loops)."""
    from . import Compiled, load_module, params_key

    pkey = params_key(dict(fixed))
    if pkey is None:
        return None
    key = (id(spec), pkey, name, tuple(kernels), dtype)
    hit = _LOOPS.get(key)
    if hit is not None:
        return hit[1]
    try:
        tape = _trace.Tape()
        ns = _trace.Namespace(tape, "a" if dtype == "float64" else "v")
        x = _trace.Sym(tape, "x")
        kw = {**dict(pkey), name: _trace.Sym(tape, "p")}
        outs = []
        for k in kernels:
            try:
                outs.append(ns._sym(k(x, ns, **kw)))
            except _trace.TraceError:
                raise
            except Exception as exc:  # anything the tracer does not model
                raise _trace.TraceError(f"{type(exc).__name__}: {exc}") from None
        names = [o.name for o in outs]
        lines = _trace.live_lines(tape.lines, names)
        if dtype != "float64":
            lines = _trace.share_reciprocals(lines)
        prog = _trace.Program(lines, names)
        title = f"{spec.name} with {name} at run time, {len(kernels)} kernels, {dtype}"
        src = _source(prog, dtype, title)
        module, cached = load_module(src)
        entry = Compiled(module, len(names), src, src, cached)
    except _trace.TraceError:
        entry = None
    _LOOPS[key] = (spec, entry)  # keeps the spec alive: id(spec) is never reused
    return entry
