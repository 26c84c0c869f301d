"""Turn registry kernels into the source of a fused, compiled loop.

The catalog's kernels are written once against an array namespace ``xp``. Calling
them with a *tracing* namespace and a symbolic scalar ``x`` records every operation
as one line of straight-line scalar code; parameters are bound Python floats, so
branches on them (``if beta == 1.0``) and exact constant arithmetic (``Fraction``)
run at trace time exactly as they do on the NumPy path. Identical sub-expressions are
shared, so ``f`` and ``f'`` traced together become one fused body. ``xp.where``
becomes a branch-free select.

The result, :func:`loop_source`, is a small Python module with a serial and a
``prange`` loop that numba compiles (and caches on disk). Nothing here imports numba.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["TraceError", "trace", "loop_source", "Tape", "live_lines", "share_reciprocals",
           "native_program"]


class TraceError(Exception):
    """The kernel does something the scalar tracer cannot express (data-dependent
    Python control flow, an unsupported function); the NumPy path is used instead."""


def _lit(v: Any) -> str:
    if isinstance(v, bool):
        raise TraceError("boolean constants are not supported")
    v = float(v)
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INF" if v > 0 else "(-INF)"
    return repr(v) if v >= 0 or (v == 0 and math.copysign(1.0, v) < 0) else f"({v!r})"


class _Dtype:
    """What ``x.dtype`` returns while tracing: the working dtype, float64."""

    def __repr__(self) -> str:
        return "float64"


_FLOAT64 = _Dtype()


class Tape:
    """The recorded program: ``lines`` of ``tN = expr`` with common sub-expressions shared."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.memo: dict[str, str] = {}

    def emit(self, expr: str, kind: type) -> Any:
        name = self.memo.get(expr)
        if name is None:
            name = f"t{len(self.lines)}"
            self.lines.append(f"{name} = {expr}")
            self.memo[expr] = name
        return kind(self, name)


class Sym:
    """A symbolic float64 scalar."""

    __slots__ = ("tape", "name")
    __array_ufunc__ = None  # NumPy scalars defer to our reflected operators

    def __init__(self, tape: Tape, name: str) -> None:
        self.tape = tape
        self.name = name

    # attributes the kernels read
    @property
    def dtype(self) -> _Dtype:
        return _FLOAT64

    @property
    def shape(self) -> tuple[int, ...]:
        return ()

    @property
    def ndim(self) -> int:
        return 0

    def __bool__(self) -> bool:
        raise TraceError("data-dependent Python control flow")

    __hash__ = object.__hash__

    def _bin(self, op: str, other: Any, reflect: bool = False) -> Sym:
        o = _ref(self.tape, other)
        a, b = (o, self.name) if reflect else (self.name, o)
        return self.tape.emit(f"({a} {op} {b})", Sym)

    def __add__(self, o: Any) -> Sym:
        return self._bin("+", o)

    def __radd__(self, o: Any) -> Sym:
        return self._bin("+", o, True)

    def __sub__(self, o: Any) -> Sym:
        return self._bin("-", o)

    def __rsub__(self, o: Any) -> Sym:
        return self._bin("-", o, True)

    def __mul__(self, o: Any) -> Sym:
        return self._bin("*", o)

    def __rmul__(self, o: Any) -> Sym:
        return self._bin("*", o, True)

    def __truediv__(self, o: Any) -> Sym:
        return self._bin("/", o)

    def __rtruediv__(self, o: Any) -> Sym:
        return self._bin("/", o, True)

    def __pow__(self, o: Any) -> Sym:
        if isinstance(o, (int, float)) and float(o) == 2.0:
            return self._bin("*", self)
        raise TraceError("only x**2 is supported")

    def __neg__(self) -> Sym:
        return self.tape.emit(f"(-{self.name})", Sym)

    def __pos__(self) -> Sym:
        return self

    def __abs__(self) -> Sym:
        return self.tape.emit(f"abs({self.name})", Sym)

    def _cmp(self, op: str, other: Any) -> Cond:
        return self.tape.emit(f"({self.name} {op} {_ref(self.tape, other)})", Cond)

    def __lt__(self, o: Any) -> Cond:
        return self._cmp("<", o)

    def __le__(self, o: Any) -> Cond:
        return self._cmp("<=", o)

    def __gt__(self, o: Any) -> Cond:
        return self._cmp(">", o)

    def __ge__(self, o: Any) -> Cond:
        return self._cmp(">=", o)

    def __eq__(self, o: Any) -> Cond:  # type: ignore[override]
        return self._cmp("==", o)

    def __ne__(self, o: Any) -> Cond:  # type: ignore[override]
        return self._cmp("!=", o)


class Cond:
    """A symbolic boolean (result of a comparison)."""

    __slots__ = ("tape", "name")

    def __init__(self, tape: Tape, name: str) -> None:
        self.tape = tape
        self.name = name

    def __bool__(self) -> bool:
        raise TraceError("data-dependent Python control flow")

    def _cond(self, o: Any) -> str:
        if isinstance(o, Cond):
            return o.name
        if isinstance(o, bool):
            return "True" if o else "False"
        raise TraceError(f"cannot combine a condition with {type(o).__name__}")

    def __and__(self, o: Any) -> Cond:
        return self.tape.emit(f"band({self.name}, {self._cond(o)})", Cond)

    __rand__ = __and__

    def __or__(self, o: Any) -> Cond:
        return self.tape.emit(f"bor({self.name}, {self._cond(o)})", Cond)

    __ror__ = __or__

    def __invert__(self) -> Cond:
        return self.tape.emit(f"bnot({self.name})", Cond)


def _ref(tape: Tape, v: Any) -> str:
    if isinstance(v, Sym):
        if v.tape is not tape:
            raise TraceError("value from another trace")
        return v.name
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _lit(v)
    dt = getattr(v, "dtype", None)
    if dt is not None and getattr(v, "shape", None) == () and dt.kind in "fiu":
        return _lit(float(v))
    raise TraceError(f"unsupported operand {type(v).__name__}")


#: Elementary functions: name on the namespace → arity. The implementation is
#: ``{name}_{mode}`` from _vmath, except that float64 ("a") uses the vectorized
#: full-accuracy ``*_d`` exp/expm1/log1p/log: they are within 0.7–0.94 ulp, like NumPy's
#: own SIMD versions that the NumPy path uses (the float64 oracle tests run on this
#: path); tanh stays libm's (tanh_v's ~2 ulp, squared in tanhshrink's f′, exceeded the
#: 4-ulp bound), erf/erfc/erfcx SciPy's and hypot libm's. The ``*_v`` helpers ("v"
#: mode) are sized for float32-and-narrower results only (relative error ≤ 2⁻⁴⁰).
_FUNCS = {
    "exp": 1, "expm1": 1, "log1p": 1, "log": 1, "tanh": 1, "sqrt": 1, "hypot": 2,
    "erf": 1, "erfc": 1, "erfcx": 1,
}
_VECTOR_IN_F64 = frozenset({"exp", "expm1", "log1p", "log"})


class Namespace:
    """A tracing stand-in for an array namespace: the compiled path's evaluation context
    (:class:`actfn.kernels.EvalNamespace`, with ``erf``/``erfc``/``erfcx`` and
    ``narrow_output``), as :func:`actfn._evaluate.context` is everywhere else."""

    float64 = _FLOAT64

    def __init__(self, tape: Tape, mode: str) -> None:
        self._tape = tape
        self._mode = mode  # "a" (libm/SciPy, float64) or "v" (vectorizable)

    @property
    def narrow_output(self) -> bool:
        """True when the loop stores float32 or narrower (actfn.kernels.EvalNamespace)."""
        return self._mode == "v"

    def _sym(self, v: Any) -> Sym:
        if isinstance(v, Sym):
            return v
        return self._tape.emit(_ref(self._tape, v), Sym)

    def _call(self, fn: str, *args: Any) -> Sym:
        refs = ", ".join(_ref(self._tape, a) for a in args)
        return self._tape.emit(f"{fn}({refs})", Sym)

    def __getattr__(self, name: str) -> Any:
        if name in _FUNCS:
            mode = self._mode
            fn = f"{name}_{'d' if mode == 'a' and name in _VECTOR_IN_F64 else mode}"
            return lambda *args: self._call(fn, *args)
        raise TraceError(f"the compiled path has no {name!r}")

    # -- array-API functions the kernels use ------------------------------------------
    def where(self, c: Any, a: Any, b: Any) -> Sym:
        if isinstance(c, bool):
            return self._sym(a if c else b)
        if not isinstance(c, Cond):
            raise TraceError("where() needs a comparison")
        return self._tape.emit(f"sel({c.name}, {_ref(self._tape, self._sym(a))}, "
                               f"{_ref(self._tape, self._sym(b))})", Sym)

    def abs(self, x: Any) -> Sym:
        return self._tape.emit(f"abs({_ref(self._tape, x)})", Sym)

    def sign(self, x: Any) -> Sym:
        # np.sign: ±1, +0.0 for ±0 (abs), NaN for NaN (abs keeps it)
        r = _ref(self._tape, x)
        return self._tape.emit(f"sel({r} > 0.0, 1.0, sel({r} < 0.0, -1.0, abs({r})))", Sym)

    def copysign(self, x: Any, y: Any) -> Sym:
        return self._call("math.copysign", x, y)

    def maximum(self, x: Any, y: Any) -> Sym:
        a, b = _ref(self._tape, x), _ref(self._tape, y)  # NaN-propagating, like NumPy
        return self._tape.emit(f"sel({a} != {a}, {a}, sel({a} > {b}, {a}, {b}))", Sym)

    def minimum(self, x: Any, y: Any) -> Sym:
        a, b = _ref(self._tape, x), _ref(self._tape, y)
        return self._tape.emit(f"sel({a} != {a}, {a}, sel({a} < {b}, {a}, {b}))", Sym)

    def isnan(self, x: Any) -> Cond:
        r = _ref(self._tape, x)
        return self._tape.emit(f"({r} != {r})", Cond)

    def isinf(self, x: Any) -> Cond:
        return self._tape.emit(f"(abs({_ref(self._tape, x)}) == INF)", Cond)

    def isfinite(self, x: Any) -> Cond:
        return self._tape.emit(f"(abs({_ref(self._tape, x)}) < INF)", Cond)

    def full_like(self, x: Any, v: Any, **_: Any) -> Sym:
        return self._tape.emit(_lit(v), Sym)

    def zeros_like(self, x: Any, **_: Any) -> Sym:
        return self._tape.emit("0.0", Sym)

    def ones_like(self, x: Any, **_: Any) -> Sym:
        return self._tape.emit("1.0", Sym)

    def asarray(self, x: Any, **_: Any) -> Sym:
        return self._sym(x)

    def kexp(self, x: Any, hi: float, lo: float) -> Sym:
        """(hi + lo)·e^x (2^-60 ≤ hi + lo < 2, x ≤ 0) rounded once, from the argument
        reduction that exp/expm1 of the same x share (``_vmath.kexp_d``; kernels.elu)."""
        return self._call("kexp_d", x, hi, lo)

    def tail_horner(self, a: Any) -> Sym:
        """The tabulated normal tail of :mod:`actfn.kernels.erfc` by table lookup (see
        ``_vmath.tail_horner_v``): W(a) for a < 6, a·W(a) above."""
        return self._call("tail_horner_v", a)


class Program:
    """A traced kernel set: the body lines and the names of its outputs. ``native``: the
    lines work on the float32 input itself (:func:`native_program`), not on float64."""

    def __init__(self, lines: list[str], outputs: list[str], native: bool = False) -> None:
        self.lines = lines
        self.outputs = outputs
        self.native = native


def native_program(spec: Any, kernels: Sequence[Callable[..., Any]], fused: bool,
                   params: dict[str, Any]) -> Program | None:
    """The float32-native :class:`Program` of ``kernels`` (None: trace them as usual).

    ``spec.native32`` (:class:`actfn._registry.Native32`) names scalar float32 functions
    of :mod:`._vmath32`; this maps the kernel set the caller asks for (``(f_df,)`` fused,
    or any of ``f``/``df`` unfused) onto them, or gives None when one is not there.
    Parameters are passed after ``x`` as float64 literals, in ``native32.params`` order.
    """
    nat = getattr(spec, "native32", None)
    if nat is None:
        return None
    try:
        args = "".join(f", {_lit(params[p])}" for p in nat.params)
    except (KeyError, TraceError, TypeError, ValueError):
        return None
    lines: list[str] = []
    outputs: list[str] = []
    if fused:
        if tuple(kernels) != (spec.f_df,) or nat.f_df is None:
            return None
        lines = [f"t0 = {nat.f_df}(x{args})", "t1 = t0[0]", "t2 = t0[1]"]
        return Program(lines, ["t1", "t2"], native=True)
    roles = {id(spec.f): nat.f, id(spec.df): nat.df}
    for j, k in enumerate(kernels):
        fn = roles.get(id(k))
        if fn is None:
            return None
        lines.append(f"t{j} = {fn}(x{args})")
        outputs.append(f"t{j}")
    return Program(lines, outputs, native=True)


def trace(kernels: Sequence[Callable[..., Any]], fused: bool, params: dict[str, Any],
          mode: str) -> Program:
    """Trace ``kernels`` (as :meth:`Activation._run` calls them) into a :class:`Program`.

    ``mode`` picks the elementary functions: ``"a"`` (libm/SciPy) or ``"v"``
    (vectorizable). Raises :class:`TraceError` if a kernel cannot be traced.
    """
    tape = Tape()
    ns = Namespace(tape, mode)
    x = Sym(tape, "x")
    kw = dict(params)
    outs: list[Any] = []
    try:
        for k in kernels:
            r = k(x, ns, **kw)
            outs.extend(r if fused else (r,))
    except TraceError:
        raise
    except Exception as exc:  # anything the tracer does not model
        raise TraceError(f"{type(exc).__name__}: {exc}") from None
    names = []
    for o in outs:
        s = ns._sym(o)
        names.append(s.name)
    lines = live_lines(_fuse_two_prods(tape.lines), names)
    lines = lines if mode == "a" else share_reciprocals(lines)
    return Program(lines, names)


_NAME = re.compile(r"\b[tr]\d+\b")


def live_lines(lines: list[str], outputs: list[str]) -> list[str]:
    """The lines the outputs depend on (dead-code elimination).

    Kernels compute shared parts that a given output may not use (gelu's float64 path
    has no use for SciPy's erfcx). LLVM drops unused inlined arithmetic itself, but not
    an external call (SciPy's erf/erfc/erfcx), which it cannot prove pure: dropping the
    dead lines here keeps such calls out of the loop.
    """
    need = set(outputs)
    keep = []
    for line in reversed(lines):
        name, expr = line.split(" = ", 1)
        if name in need:
            keep.append(line)
            need.update(_NAME.findall(expr))
    keep.reverse()
    return keep


_BINARY = re.compile(r"^(t\d+) = \((\S+) ([-+*]) (\S+)\)$")
#: Veltkamp's splitting constant of float64 (kernels.dd.two_prod).
_SPLIT = "134217729.0"


def _fuse_two_prods(lines: list[str]) -> list[str]:
    """Replace Dekker's error-free product by one fused multiply-add.

    :func:`actfn.kernels.dd.two_prod` (written for every array library) computes the
    error of p = a·b from Veltkamp's splits of a and b in 17 operations:
    ``((ah·bh - p) + ah·bl + al·bh) + al·bl``. That error is exactly a·b - p, which is
    what ``fma(a, b, -p)`` returns in one rounding-free step (the same value wherever
    Dekker's is exact, i.e. unless a partial product underflows, where the FMA is still
    exact). The pattern is matched on the traced lines; the splits, when nothing else
    uses them, are then dropped as dead code.
    """
    ops: dict[str, tuple[str, str, str]] = {}
    for line in lines:
        m = _BINARY.match(line)
        if m:
            ops[m.group(1)] = (m.group(3), m.group(2), m.group(4))

    def op(name: str, kind: str) -> tuple[str, str] | None:
        o = ops.get(name)
        return (o[1], o[2]) if o is not None and o[0] == kind else None

    def split_of(ah: str, al: str) -> str | None:
        """The a that ``ah``/``al`` are Veltkamp's split of, or None."""
        lo = op(al, "-")
        hi = op(ah, "-")
        if lo is None or hi is None or lo[1] != ah:
            return None
        a = lo[0]
        t, u = hi
        tu = op(u, "-")
        if tu != (t, a) or op(t, "*") != (_SPLIT, a):
            return None
        return a

    out = []
    for line in lines:
        m = _BINARY.match(line)
        fused = None
        if m and m.group(3) == "+":
            name, x6, x7 = m.group(1), m.group(2), m.group(4)
            e7, e6 = op(x7, "*"), op(x6, "+")
            e5 = e6 and op(e6[1], "*")
            e4 = e6 and op(e6[0], "+")
            e3 = e4 and op(e4[1], "*")
            e2 = e4 and op(e4[0], "-")
            e1 = e2 and op(e2[0], "*")
            if e7 and e5 and e3 and e1 and e2:
                al, bl = e7
                ah, bh = e1
                p = e2[1]
                if e5 == (al, bh) and e3 == (ah, bl):
                    a, b = split_of(ah, al), split_of(bh, bl)
                    if a is not None and b is not None and op(p, "*") == (a, b):
                        fused = f"{name} = fma({a}, {b}, (-{p}))"
        out.append(fused or line)
    return out


_DIV = re.compile(r"^(t\d+) = \((\S+) / (t\d+)\)$")


def share_reciprocals(lines: list[str]) -> list[str]:
    """Turn several divisions by one divisor into one reciprocal and multiplications.

    Vector division is the slowest arithmetic instruction (σ and its derivative
    divide by 1 + e three times). ``a·(1/b)`` rounds twice instead of once (≤ 1.5
    float64 ulps), which is invisible after rounding to float32 or narrower, so this
    runs only for the vectorized (``"v"``) mode; the parity tests (including tiny,
    huge and infinite inputs) check that no divisor gets near the overflow range.
    """
    uses: dict[str, int] = {}
    recip: dict[str, str] = {}
    for line in lines:
        m = _DIV.match(line)
        if m:
            uses[m.group(3)] = uses.get(m.group(3), 0) + 1
            if m.group(2) == "1.0":
                recip[m.group(3)] = m.group(1)
    out: list[str] = []
    defined: set[str] = set()
    for line in lines:
        m = _DIV.match(line)
        if m and uses[m.group(3)] > 1 and m.group(2) != "1.0":
            b = m.group(3)
            r = recip.get(b)
            if r is None or r not in defined:  # (a 1/b further down is merged by LLVM)
                r = recip[b] = f"r{b[1:]}"
                out.append(f"{r} = (1.0 / {b})")
                defined.add(r)
            out.append(f"{m.group(1)} = ({m.group(2)} * {r})")
        else:
            out.append(line)
        defined.add(line.split(" = ", 1)[0])
    return out


# -- loop source ------------------------------------------------------------------------
#: How each storage dtype is read into float64 and written back from it.
IO_TYPES = {
    "float64": ("{v}", "{v}"),
    "float32": ("np.float64({v})", "np.float32({v})"),
    "float16": ("ld_f16({v})", "st_f16({v})"),
    "bfloat16": ("ld_bf16({v})", "st_bf16({v})"),
}

HEADER = '''"""Generated by actfn._fast from the registry kernels of {title}. Do not edit."""
import math
import re

import numba
import numpy as np
from numba import prange

from actfn._fast._vmath import *  # noqa: F403

_opts = dict(cache={cache}, error_model="numpy", nogil=True, boundscheck=False{fastmath})
'''

#: float16/bfloat16/float32 outputs may fuse a·b + c into one FMA ("contract"): it only
#: removes roundings (never adds any), about 1/3 of the vector instructions, and the
#: float64 working precision leaves a 10⁸-fold margin below half an output ulp. No
#: other fast-math flag is used anywhere: NaN, ±inf and ±0 keep IEEE semantics, and
#: float64 outputs are compiled strictly (the error-free transformations of the
#: catalog need unfused products there).
FASTMATH = {"float64": "", "float32": ', fastmath={"contract"}',
             "float16": ', fastmath={"contract"}', "bfloat16": ', fastmath={"contract"}'}

#: What a float32-native program (:func:`native_program`) adds to the module and the loop
#: body: its kernels, and :func:`._vmath32.wide_vectors` (512-bit vectors, 16 float32 lanes;
#: no instruction). Its loops read and write float32 as is and are compiled strictly
#: (no contraction: the kernels' error terms are exact only as written).
NATIVE_IMPORT = "from actfn._fast._vmath32 import *  # noqa: F403\n"
NATIVE_FIRST = "wide_vectors()"


def loop_source(prog: Program, dtype: str, title: str, cache: bool = False) -> str:
    """Module source with ``ser(src, o0, ...)`` and ``par(...)`` (a ``prange`` loop).

    ``cache``: numba's ``cache=`` option. actfn always uses False: numba's own
    ``cache=True`` locator chain would read pickles from ``$NUMBA_CACHE_DIR`` or
    ``$XDG_CACHE_HOME/numba`` unchecked, so :mod:`actfn._fast` installs its own cache,
    confined to the checked kernel folder, on the dispatchers after executing the module.

    The loops read ``src[i]`` once (as float64), run the body in registers, and store
    each output rounded once to ``dtype``. A NaN input gives a NaN in every output.
    """
    load, store = IO_TYPES[dtype]
    fastmath = FASTMATH[dtype]
    if prog.native:
        if dtype != "float32":
            raise ValueError(f"a float32-native program cannot run on {dtype} storage")
        load, store, fastmath = "{v}", "{v}", ""
    n = len(prog.outputs)
    outs = ", ".join(f"o{j}" for j in range(n))
    body = [NATIVE_FIRST] if prog.native else []
    body.append("x = " + load.format(v="src[i]"))
    body += prog.lines
    for j, name in enumerate(prog.outputs):
        body.append(f"o{j}[i] = " + store.format(v=f"sel(x != x, x, {name})"))
    inner = "\n".join("        " + line for line in body)
    head = HEADER.format(title=title, fastmath=fastmath, cache=bool(cache))
    if prog.native:
        head = head.replace("\n\n_opts", "\n" + NATIVE_IMPORT + "\n_opts")
    src = [head]
    for fname, rng, extra in (("ser", "range", ""), ("par", "prange", ", parallel=True")):
        src.append(f"\n@numba.njit(**_opts{extra})\ndef {fname}(src, {outs}):\n"
                   f"    for i in {rng}(src.shape[0]):\n{inner}\n")
    return "".join(src)
