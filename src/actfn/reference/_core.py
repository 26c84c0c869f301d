"""``actfn.reference``: correctly rounded f, f', f'' of every activation (see the package
docstring for the contract and the pre-pass's assumption)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._arb import Undecided, arb_math
from ._formats import FORMATS, Format, format_of, round_dyadic

__all__ = ["reference", "ReferenceUndecided", "MAX_PREC", "PREPASS_REL", "PREPASS_ABS",
           "HUGE_EXP", "have_flint"]

#: Ziv's loop stops doubling the precision here (bits).
MAX_PREC = 1 << 14
#: The pre-pass assumes |f64 - exact| ≤ PREPASS_REL·|exact| + PREPASS_ABS for actfn's own
#: float64 path (issue 10 measured at most ~1e5 ulp of float64 ≈ 2^-36 relative).
PREPASS_REL = 2.0**-30
PREPASS_ABS = 2.0**-1000
#: ±inf inputs are evaluated at ±2^HUGE_EXP, beyond every format's range (the limit).
HUGE_EXP = 1400

_ORDERS = ("f", "df", "d2f")


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


def _arb_point(fn: Callable, params: dict, x: float, fmt: Format, where: str) -> float:
    """Ziv's loop in ball arithmetic: the rounding of fn(x) to ``fmt``."""
    from flint import arb

    m = arb_math
    prec = fmt.p + 24
    while True:
        with m.workprec(prec):
            if math.isinf(x):
                xa = m.mpf(arb(2) ** HUGE_EXP * (1 if x > 0 else -1))
            else:
                xa = m.mpf(x)
            try:
                v = fn(xa, m, **_exact_params(params, m)).v
            except Undecided:
                v = None
            if v is not None:
                if v.is_nan() or not v.is_finite():
                    v = None
            if v is not None:
                if v.is_exact():
                    return _round_arb_exact(v, fmt)
                lo = _round_arb_exact(v.lower(), fmt)
                hi = _round_arb_exact(v.upper(), fmt)
                if lo == hi:
                    return hi
        if prec >= MAX_PREC:
            raise ReferenceUndecided(
                f"cannot decide the rounding of {where} at x = {x!r} to {fmt.name} with "
                f"{MAX_PREC}-bit ball arithmetic: the exact value is a rounding midpoint or "
                "the reference formula cannot tell a branch at this point"
            )
        prec *= 2


def _round_arb_exact(v: Any, fmt: Format) -> float:
    man, exp = v.man_exp()
    man, exp = int(man), int(exp)
    r = round_dyadic(man < 0, abs(man), exp, fmt)
    return 0.0 if r == 0 else r


def _mp_point(fn: Callable, params: dict, x: float, fmt: Format, where: str) -> float:
    """Ziv's loop with mpmath (no balls): the value at p bits is assumed within
    2^(24-p) relative of the exact value; equal values at p and 2p bits count as exact."""
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
            if prev is not None and v == prev:
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


def _prepass(act: Any, which: int, x64: np.ndarray, fmt: Format) -> tuple[np.ndarray, np.ndarray]:
    """(values, decided) from actfn's float64 path with the assumed error bound."""
    fn = (act, act.derivative, act.second_derivative)[which]
    with np.errstate(all="ignore"):
        v = np.asarray(fn(x64), dtype=np.float64)
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


# -- the public function ------------------------------------------------------------------
def reference(name: str, x: Any, /, *, derivative: int = 0, dtype: Any = None,
              prepass: bool = True, **params: Any) -> np.ndarray:
    """The correctly rounded value of f (``derivative=0``), f' (1) or f'' (2) of
    activation ``name`` at every element of ``x``, rounded once to ``dtype``.

    ``x``: anything ``np.asarray`` takes; its values are used exactly. ``dtype``: one of
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

    if isinstance(derivative, bool) or derivative not in (0, 1, 2):
        raise ValueError(f"derivative must be 0 (f), 1 (f') or 2 (f''), got {derivative!r}")
    act = actfn.get(name, **params)
    spec = actfn.lookup(name)
    if spec.exact is None:
        raise ValueError(f"activation {spec.name!r} has no reference formula (Spec.exact)")
    arr = np.asarray(x)
    if dtype is None:
        try:
            fmt = format_of(arr.dtype)
        except TypeError:
            raise TypeError(
                f"x has dtype {arr.dtype}, not a float dtype actfn.reference knows "
                f"({', '.join(FORMATS)}): pass dtype= or a float array"
            ) from None
    else:
        fmt = format_of(dtype)
    if arr.dtype.kind not in "fiub" and arr.dtype != FORMATS.get("bfloat16", fmt).dtype:
        raise TypeError(f"x must be a real numeric array, got dtype {arr.dtype}")
    x64 = arr.astype(np.float64).ravel()
    if arr.dtype.kind in "iu" and np.any(x64.astype(arr.dtype) != arr.ravel()):
        raise ValueError("x holds integers that float64 cannot represent exactly")
    fn = getattr(spec.exact, _ORDERS[derivative])
    bound = dict(act.params)
    where = f"{spec.name}{_ORDER_MARK[derivative]}"
    out = np.zeros(x64.shape, dtype=np.float64)
    nan = np.isnan(x64)
    out[nan] = np.nan
    todo = ~nan
    if prepass and x64.size:
        pv, ok = _prepass(act, derivative, x64, fmt)
        ok &= todo
        out[ok] = pv[ok]
        todo &= ~ok
    point = _arb_point if have_flint() else _mp_point
    idx = np.flatnonzero(todo)
    if idx.size:
        xs = x64[idx]
        uniq, inv = np.unique(xs, return_inverse=True)
        vals = np.array([point(fn, bound, float(xi), fmt, where) for xi in uniq.tolist()],
                        dtype=np.float64)
        out[idx] = vals[inv]
    with np.errstate(over="ignore"):
        return out.astype(fmt.dtype).reshape(arr.shape)


_ORDER_MARK = ("", "'", "''")
