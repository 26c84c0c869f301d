"""``actfn.reference``: correctly rounded f, f', f'' of every activation (see the package
docstring for the contract and the pre-pass's assumption)."""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._arb import ArbReal, Undecided, arb_math
from ._formats import Format, format_of, formats, round_dyadic

__all__ = ["reference", "ReferenceUndecided", "MAX_PREC", "PREPASS_REL", "PREPASS_ABS",
           "HUGE_EXP", "have_flint", "gated", "GATED_RESULTS"]

#: Ziv's loop stops doubling the precision here (bits).
MAX_PREC = 1 << 14
#: Without python-flint, an mpmath value equal at p and 2p bits (p ≥ this) is exact.
MP_EXACT_PREC = 4096
#: The pre-pass assumes |f64 - exact| ≤ PREPASS_REL·|exact| + PREPASS_ABS for actfn's own
#: float64 path (issue 10 measured at most ~1e5 ulp of float64 ≈ 2^-36 relative).
PREPASS_REL = 2.0**-30
PREPASS_ABS = 2.0**-1000
#: ±inf inputs are evaluated at ±2^HUGE_EXP, beyond every format's range (the limit).
HUGE_EXP = 1400

_ORDERS = ("f", "df", "d2f")
#: python-flint's working precision is process-wide: one Ziv loop at a time.
_ARB_LOCK = threading.Lock()


class ReferenceUndecided(ArithmeticError):
    """The rounding of an element could not be decided below :data:`MAX_PREC` bits."""


def have_flint() -> bool:
    """Whether python-flint (Arb) is importable (else the mpmath fallback runs)."""
    try:
        import flint  # noqa: F401
    except ImportError:
        return False
    return True


# -- per-element evaluation ---------------------------------------------------------------
def _exact_params(params: dict[str, Any], m: Any) -> dict[str, Any]:
    return {k: (m.mpf(v) if isinstance(v, float) else v) for k, v in params.items()}


def _arb_batch(fn: Callable, params: dict, xs: list[float], fmt: Format,
               where: str) -> list[float]:
    """Ziv's loop in ball arithmetic for every x of ``xs``: the rounding of fn(x) to
    ``fmt``. All pending elements are evaluated at one precision, then the precision of
    the undecided ones doubles, up to :data:`MAX_PREC`."""

    m = arb_math
    out: list[float] = [0.0] * len(xs)
    pending = list(range(len(xs)))
    prec = fmt.p + 24
    try:
        return _ziv(fn, params, xs, fmt, where, pending, out, prec)
    finally:
        m.tails = True


def _ziv(fn: Callable, params: dict, xs: list[float], fmt: Format, where: str,
         pending: list[int], out: list[float], prec: int) -> list[float]:
    from flint import arb

    m = arb_math
    while pending:
        still = []
        m.tails = prec >= 4 * fmt.p  # _decide reads the tails from this precision on
        with m.workprec(prec):
            p_m = _exact_params(params, m)
            huge = arb(2) ** HUGE_EXP
            for i in pending:
                x = xs[i]
                xa = ArbReal(arb(x) if not math.isinf(x) else (huge if x > 0 else -huge))
                try:
                    r = fn(xa, m, **p_m)
                except Undecided:
                    still.append(i)
                    continue
                got = _decide(r, fmt, prec)
                if got is None:
                    still.append(i)
                else:
                    out[i] = got
        if still and prec >= MAX_PREC:
            raise ReferenceUndecided(
                f"cannot decide the rounding of {where} at x = {xs[still[0]]!r} to "
                f"{fmt.name} with {MAX_PREC}-bit ball arithmetic: the exact value is within "
                f"about 2^-{MAX_PREC} (relative) of a rounding boundary of {fmt.name}, in a "
                "form the exact-plus-tail rule does not cover, or the reference formula "
                f"cannot tell a branch at this point ({len(still)} such element(s))"
            )
        pending = still
        prec *= 2
    return out


def _decide(r: ArbReal, fmt: Format, prec: int) -> float | None:
    """The rounding of the ball ``r`` to ``fmt`` if every point rounds alike, else None."""
    v = r.v
    if not v.is_finite():
        return None
    if v.is_exact():
        return _round_arb_exact(v, fmt)
    fast = _decide_fast(v, fmt)
    if fast is not None:
        return fast
    lo = _round_arb_exact(v.lower(), fmt)
    hi = _round_arb_exact(v.upper(), fmt)
    if lo == hi:
        return hi
    if prec >= 4 * fmt.p and r.split is not None:
        return _round_split(r.split, fmt)
    return None


def _decide_fast(v: Any, fmt: Format) -> float | None:
    """Guess the rounding c from the midpoint, then check that the ball lies strictly
    between c's two rounding boundaries (exact arb comparisons); None if not shown."""
    mid = float(v.mid())
    a = abs(mid)
    if not (2.0**-1000 < a < fmt.max):
        return None
    c = float(np.array(mid).astype(fmt.dtype))  # a candidate; the test below decides
    ac = abs(c)
    if ac == 0 or ac > fmt.max:
        return None
    e = max(math.frexp(ac)[1] - 1, fmt.emin)
    up = math.ldexp(1.0, e - fmt.p)  # half the spacing above |c|
    down = up / 2 if ac == math.ldexp(1.0, e) and e > fmt.emin else up
    lo_b, hi_b = (ac - down, ac + up) if c > 0 else (-ac - up, -ac + down)
    if fmt.p < 53:  # the boundaries are floats: compare directly
        return c if v > lo_b and v < hi_b else None
    from flint import arb

    if v > arb(c) - arb(down if c > 0 else up) and v < arb(c) + arb(up if c > 0 else down):
        return c
    return None


def _round_split(split: Any, fmt: Format) -> float | None:
    """Round ``E + t`` (E = man·2^exp exact, t a ball not containing 0 and tiny next to
    E): no rounding boundary of ``fmt`` lies within 2^(e_E - p - 2) of E except E itself
    (boundaries near E are multiples of 2^(e_E - p - 1)), so for 0 < |t| ≤ that the
    result is the rounding of E + sign(t)·2^(e_E - p - 2)."""
    (man, exp), tail = split
    if man == 0 or tail.contains(0):
        return None
    e_e = exp + abs(man).bit_length() - 1
    from flint import arb

    delta = arb(2) ** (e_e - fmt.p - 2)
    if not abs(tail) <= delta:
        return None
    shift = fmt.p + 2 - (e_e - exp)  # write E on the grid 2^(e_E - p - 2)
    if shift < 0:
        return None
    n = (man << shift) + (1 if tail > 0 else -1)
    r = round_dyadic(n < 0, abs(n), exp - shift, fmt)
    return 0.0 if r == 0 else r


def _round_arb_exact(v: Any, fmt: Format) -> float:
    man, exp = v.man_exp()
    man, exp = int(man), int(exp)
    r = round_dyadic(man < 0, abs(man), exp, fmt)
    return 0.0 if r == 0 else r


def _mp_point(fn: Callable, params: dict, x: float, fmt: Format, where: str) -> float:
    """Ziv's loop with mpmath (no balls): the value at p bits is assumed within
    2^(24-p) relative of the exact value; a value unchanged from p to 2p bits with
    p ≥ :data:`MP_EXACT_PREC` counts as exact (a heuristic: a value within
    2^-MP_EXACT_PREC of a midpoint is mistaken for the midpoint and rounded to even,
    e.g. tanhshrink(2^24 + 2) = 2^24 + 1 + 2/(e^{2x} + 1) gives 2^24 instead of
    2^24 + 2 in float32). Such a midpoint result is returned with a ``RuntimeWarning``."""
    import mpmath

    prec = fmt.p + 40
    prev = None
    while True:
        with mpmath.workprec(prec):
            xm = mpmath.mpf(2) ** HUGE_EXP * (1 if x > 0 else -1) if math.isinf(x) \
                else mpmath.mpf(x)
            v = mpmath.mpf(fn(xm, mpmath, **_exact_params(params, mpmath)))
            if mpmath.isnan(v) or mpmath.isinf(v):
                raise ReferenceUndecided(f"{where} at x = {x!r} is not finite in mpmath")
            if v == 0:
                return 0.0
            if prev is not None and v == prev and prec > MP_EXACT_PREC:
                eps = abs(v) * mpmath.mpf(2) ** (-prec)
                with mpmath.workprec(3 * prec):
                    lo, hi = _round_mpf(v - eps, fmt), _round_mpf(v + eps, fmt)
                if lo != hi:
                    warnings.warn(
                        f"{where} at x = {x!r} to {fmt.name}: the mpmath fallback (no "
                        f"python-flint) takes a value unchanged from {prec // 2} to {prec} "
                        "bits as exact, and it is a rounding midpoint, rounded to even; a "
                        "value just off the midpoint (tanhshrink(2^24 + 2) in float32) "
                        "rounds wrongly this way: install python-flint for a proven result",
                        RuntimeWarning, stacklevel=4,
                    )
                return _round_mpf(v, fmt)
            err = abs(v) * mpmath.mpf(2) ** (24 - prec)
            lo, hi = _round_mpf(v - err, fmt), _round_mpf(v + err, fmt)
            if lo == hi:
                return hi
            prev = v
        if prec >= MAX_PREC:
            raise ReferenceUndecided(
                f"cannot decide the rounding of {where} at x = {x!r} to {fmt.name} with "
                f"{MAX_PREC}-bit mpmath: the exact value may be a rounding midpoint"
            )
        prec *= 2


def _round_mpf(v: Any, fmt: Format) -> float:
    sign, man, exp, _ = v._mpf_
    r = round_dyadic(bool(sign), int(man), int(exp), fmt)
    return 0.0 if r == 0 else r


# -- the float64 pre-pass ---------------------------------------------------------------
def _cast(v: np.ndarray, fmt: Format) -> np.ndarray:
    """Correctly rounded float64 → fmt (NumPy's casts round once, except to bfloat16,
    which goes through float32: those whose float32 is a bfloat16 midpoint are nan)."""
    if fmt.name != "bfloat16":
        return v.astype(fmt.dtype).astype(np.float64)
    with np.errstate(over="ignore"):
        f32 = v.astype(np.float32)
    bits = f32.view(np.uint32)
    out = f32.astype(fmt.dtype).astype(np.float64)
    out[(bits & 0xFFFF) == 0x8000] = np.nan
    return out


def _prepass(act: Any, which: int, x64: np.ndarray, fmt: Format,
             shape: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(values, decided) from actfn's float64 path with the assumed error bound (``x64``
    flat; evaluated in ``shape`` so that per-channel parameters broadcast as they do in
    :class:`actfn.Activation`)."""
    fn = (act, act.derivative, act.second_derivative)[which]
    with np.errstate(all="ignore"):
        v = np.asarray(fn(x64.reshape(x64.shape if shape is None else shape)),
                       dtype=np.float64).ravel()
        a = np.abs(v)
        ok = np.isfinite(v) & np.isfinite(x64) & (a < 2.0**1000)
        ok &= (a == 0) | (a >= 2.0**-960)
        # intermediates near the ends of float64's range: tiny nonzero or huge inputs
        ax = np.abs(x64)
        ok &= ((ax == 0) | (ax >= 2.0**-960)) & (ax < 2.0**960)
        bound = (a * PREPASS_REL + PREPASS_ABS) * (1 + 2.0**-20)
        lo, hi = _cast(v - bound, fmt), _cast(v + bound, fmt)
        ok &= lo == hi  # nan (undecided bfloat16) never compares equal
    out = np.where(ok, hi, 0.0)
    out[out == 0] = 0.0
    return out, ok


def _channels(act: Any, shape: tuple[int, ...]) -> tuple[str | None, np.ndarray | None]:
    """(name, channel index of each element of the flattened input) of a per-channel
    parameter (prelu's ``weight=[...]``: one value per index of dim 1, as
    :class:`actfn.Activation` broadcasts it), or ``(None, None)``."""
    channel = act._channel_param()
    if channel is None:
        return None, None
    n = len(act.params[channel])
    if n == 1:  # one value for every element
        return channel, np.zeros(math.prod(shape), dtype=np.int64)
    if len(shape) < 2 or shape[1] != n:
        raise ValueError(
            f"{act.name}: {channel} has {n} values (one per channel), so x needs at least "
            f"2 dimensions with {n} channels on dim 1; got shape {tuple(shape)}"
        )
    inner = math.prod(shape[2:])
    return channel, (np.arange(math.prod(shape), dtype=np.int64) // inner) % n


# -- the public function ------------------------------------------------------------------
def reference(name: str, x: Any, /, *, derivative: int = 0, dtype: Any = None,
              prepass: bool = True, **params: Any) -> np.ndarray:
    """The correctly rounded value of f (``derivative=0``), f' (1) or f'' (2) of
    activation ``name`` at every element of ``x``, rounded once to ``dtype``.

    ``x``: anything ``np.asarray`` takes; its values are used exactly (integers and
    ``np.longdouble`` values that float64 cannot represent are refused with a
    ``ValueError`` rather than rounded). ``derivative``: the int 0, 1 or 2. ``dtype``: one of
    float16, bfloat16, float32, float64 (default: x's dtype, which must then be one of
    them). ``params``: the activation's parameters, validated as :func:`actfn.get` does.
    Kink values follow the catalog's conventions (``Spec.kink_convention``); ±inf
    inputs give the limits; nan gives nan. Results that round to zero are ``+0.0``.

    ``prepass=True`` first evaluates actfn's own float64 path and keeps the elements whose
    rounding the assumed error bound decides (see :mod:`actfn.reference`); the rest, and
    everything with ``prepass=False``, are decided by ball arithmetic (python-flint) with
    the precision doubled until the whole ball rounds to one value (Ziv's strategy), or
    mpmath where python-flint is missing. Raises :class:`ReferenceUndecided` naming the
    element if :data:`MAX_PREC` bits do not decide it.
    """
    import actfn

    if (isinstance(derivative, bool) or not isinstance(derivative, (int, np.integer))
            or derivative not in (0, 1, 2)):
        raise ValueError(f"derivative must be 0 (f), 1 (f') or 2 (f''), got {derivative!r}")
    act = actfn.get(name, **params)
    spec = actfn.lookup(name)
    if spec.exact is None:
        raise ValueError(f"activation {spec.name!r} has no reference formula (Spec.exact)")
    from ..testing import to_numpy

    arr = to_numpy(x)
    if dtype is None:
        try:
            fmt = format_of(arr.dtype)
        except TypeError:
            raise TypeError(
                f"x has dtype {arr.dtype}, not a float dtype actfn.reference knows "
                f"({', '.join(formats())}): pass dtype= or a float array"
            ) from None
    else:
        fmt = format_of(dtype)
    if arr.dtype.kind not in "fiub" and arr.dtype != formats().get("bfloat16", fmt).dtype:
        raise TypeError(f"x must be a real numeric array, got dtype {arr.dtype}")
    with np.errstate(invalid="ignore"):  # ml_dtypes warns on nan
        x64 = arr.astype(np.float64).ravel()
    if arr.dtype.kind in "iu" and np.any(x64.astype(arr.dtype) != arr.ravel()):
        raise ValueError("x holds integers that float64 cannot represent exactly")
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8:  # longdouble: exact or refused
        with np.errstate(invalid="ignore"):
            lost = (x64.astype(arr.dtype) != arr.ravel()) & ~np.isnan(x64)
        if np.any(lost):
            bad = arr.ravel()[np.flatnonzero(lost)[0]]
            raise ValueError(
                f"x has dtype {arr.dtype} and holds values float64 cannot represent exactly "
                f"(e.g. {bad!r}): actfn.reference takes inputs exactly, up to float64; "
                "round them yourself with x.astype(np.float64) if that is what you want"
            )
    fn = getattr(spec.exact, _ORDERS[derivative])
    bound = dict(act.params)
    where = f"{spec.name}{_ORDER_MARK[derivative]}"
    out = np.zeros(x64.shape, dtype=np.float64)
    nan = np.isnan(x64)
    out[nan] = np.nan
    todo = ~nan
    channel, chan_of = _channels(act, arr.shape)
    if prepass and x64.size and fmt.p < 53:  # 2^-30 never decides a float64 rounding
        pv, ok = _prepass(act, derivative, x64, fmt, arr.shape)
        ok &= todo
        out[ok] = pv[ok]
        todo &= ~ok
    groups = [(todo, bound)] if channel is None else [
        (todo & (chan_of == c), {**bound, channel: w})
        for c, w in enumerate(bound[channel])
    ]
    for mask, bound_c in groups:
        idx = np.flatnonzero(mask)
        if not idx.size:
            continue
        uniq, inv = np.unique(x64[idx], return_inverse=True)
        if have_flint():
            with _ARB_LOCK:
                got = _arb_batch(fn, bound_c, uniq.tolist(), fmt, where)
        else:
            got = [_mp_point(fn, bound_c, xi, fmt, where) for xi in uniq.tolist()]
        vals = np.array(got, dtype=np.float64)
        out[idx] = vals[inv]
    with np.errstate(over="ignore"):
        return out.astype(fmt.dtype).reshape(arr.shape)


_ORDER_MARK = ("", "'", "''")


# -- gated units (two inputs) ----------------------------------------------------------
#: What :func:`gated` evaluates: f and the partials, as the fields of ``GatedExact``.
GATED_RESULTS = ("f", "dg", "du", "dgg", "dgu", "duu")


def gated(name: str, gate: Any, up: Any, /, *, which: str = "f", dtype: Any = None,
          **params: Any) -> np.ndarray:
    """f (``which="f"``) or a partial derivative (``"dg"`` = ∂f/∂gate, ``"du"``,
    ``"dgg"``, ``"dgu"``, ``"duu"``) of the gated unit ``name`` at every pair of the
    broadcast ``gate`` and ``up``, correctly rounded to ``dtype`` (default: the
    inputs' common float dtype). Inputs must be finite or nan (nan gives nan); the
    clamp convention is the catalog's (:mod:`actfn._gated`).

    >>> import actfn
    >>> float(actfn.reference.gated("swiglu", 1.0, 2.0))  # 2·σ(1), correctly rounded
    1.4621171572600098
    """
    import actfn

    from ..testing import to_numpy

    if which not in GATED_RESULTS:
        raise ValueError(f"which={which!r} is invalid; valid: {', '.join(GATED_RESULTS)}")
    act = actfn.get(name, **params)
    spec = actfn.lookup(name, kind="gated")
    g, u = (to_numpy(v) for v in (gate, up))
    if dtype is None:
        kinds = {g.dtype, u.dtype}
        dtype = max(kinds, key=lambda d: d.itemsize) if len(kinds) > 1 else g.dtype
    fmt = format_of(dtype)
    try:
        gb, ub = np.broadcast_arrays(g.astype(np.float64), u.astype(np.float64))
    except ValueError:
        raise ValueError(f"{spec.name}: gate of shape {g.shape} and up of shape {u.shape} do "
                         "not broadcast together") from None
    if np.isinf(gb).any() or np.isinf(ub).any():
        raise ValueError(f"{spec.name}: actfn.reference.gated takes finite inputs (or nan)")
    fn = getattr(spec.exact, which)
    bound = dict(act.params)
    where = f"{spec.name} {which}"
    out = np.full(gb.shape, np.nan).ravel()
    gf, uf = gb.ravel(), ub.ravel()
    ok = ~(np.isnan(gf) | np.isnan(uf))
    for uv in np.unique(uf[ok]).tolist():  # one batch per value of up
        idx = np.flatnonzero(ok & (uf == uv))

        def at_up(x: Any, m: Any, _u: float = uv, **p: Any) -> Any:
            return fn(x, m.mpf(_u), m, **p)

        xs = gf[idx].tolist()
        if have_flint():
            with _ARB_LOCK:
                got = _arb_batch(at_up, bound, xs, fmt, where)
        else:
            got = [_mp_point(at_up, bound, x, fmt, where) for x in xs]
        out[idx] = got
    with np.errstate(over="ignore"):
        return out.astype(fmt.dtype).reshape(gb.shape)
