"""A python-flint (Arb) namespace implementing :class:`actfn._exact.ExactMath`.

The reference formulas of the catalog (``Spec.exact``) are written against an
arbitrary-precision namespace ``m``; :class:`ArbMath` lets the very same formulas run in
ball arithmetic: every number is an :class:`ArbReal`, a thin wrapper of ``flint.arb``
(a midpoint-radius interval that certainly contains the exact value). What the wrapper
adds to ``arb``:

* comparisons are *decided or refused*: ``a < b`` is ``True`` when every point of ``a``
  is below every point of ``b``, ``False`` when certainly not, and raises
  :class:`Undecided` when the balls overlap (an intermediate whose sign cannot be told at
  this precision; the caller raises the precision and evaluates again). Branches on the
  input ``x`` compare exact points and are always decided.
* ``int()`` of an exact integer ball (``floor`` results), else :class:`Undecided`.
* ``log(x, 2)`` of an exact power of two is the exact integer (so that
  ``floor(log2|x|)`` is decidable at such points).
* Python ints and floats mix in exactly (``arb(float)`` is the float's exact value).

``extraprec(bits)`` raises the working precision inside a ``with`` block; results stay
rigorous at any precision (the ball only gets tighter).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["ArbMath", "ArbReal", "Undecided", "arb_math"]


class Undecided(ArithmeticError):
    """A comparison or conversion cannot be decided at the working precision."""


def _flint() -> Any:
    import flint

    return flint


_ARB: Any = None


def _arb() -> Any:
    """``flint.arb`` (imported on first use: python-flint is an optional dependency)."""
    global _ARB
    if _ARB is None:
        from flint import arb

        _ARB = arb
    return _ARB


class ArbReal:
    """A real ball (``flint.arb``) with decided-or-refused comparisons (module docstring)."""

    __slots__ = ("v", "split", "ln")

    def __init__(self, v: Any, split: tuple[tuple[int, int], Any] | None = None) -> None:
        self.v = v
        #: for e^L with L an exact ball (L > 32): L, so that log and log1p of this value
        #: keep L exact (ln(1 + e^L) = L + ln(1 + e^-L)).
        self.ln: Any = None
        #: optional exact-plus-tail form ``((man, exp), tail)``: the value lies in
        #: ``man·2^exp + tail`` with ``tail`` a ball, kept through + - * so that a value
        #: exponentially close to a dyadic (x - tanh x = x - 1 + 2/(e^{2x} + 1)) can
        #: still be rounded when no precision resolves it (see ``_core``).
        self.split = split

    def parts(self) -> tuple[tuple[int, int], Any] | None:
        """``((man, exp), tail)`` with the value in ``man·2^exp + tail``, or ``None``."""
        if self.split is not None:
            return self.split
        if self.v.is_exact():
            man, exp = self.v.man_exp()
            return (int(man), int(exp)), _flint().arb(0)
        return None

    # -- conversion -------------------------------------------------------------------
    @staticmethod
    def _other(o: Any) -> Any:
        t = type(o)
        if t is ArbReal:
            return o.v
        if t is int or t is float:  # python-flint converts them exactly
            return o
        if isinstance(o, (bool, int, float)):
            return _arb()(o)
        return None

    def __repr__(self) -> str:
        return f"ArbReal({self.v!r})"

    def __int__(self) -> int:
        v = self.v
        if v.is_exact():
            man, exp = v.man_exp()
            if exp >= 0:
                return int(man) << int(exp)
            if int(man) % (1 << -int(exp)) == 0:
                return int(man) >> -int(exp)
        raise Undecided(f"int() of the ball {v!r}")

    def __float__(self) -> float:
        return float(self.v.mid())

    # -- arithmetic -------------------------------------------------------------------
    def __add__(self, o: Any) -> Any:
        w = o.v if type(o) is ArbReal else self._other(o)
        if w is None:
            return NotImplemented
        v = self.v + w
        sp = _split_op(self, o, "+", False) if _wants_split(self, o, v) else None
        return ArbReal(v, sp)

    def __radd__(self, o: Any) -> Any:
        return self.__add__(o)

    def __sub__(self, o: Any) -> Any:
        w = o.v if type(o) is ArbReal else self._other(o)
        if w is None:
            return NotImplemented
        v = self.v - w
        sp = _split_op(self, o, "-", False) if _wants_split(self, o, v) else None
        return ArbReal(v, sp)

    def __rsub__(self, o: Any) -> Any:
        w = self._other(o)
        if w is None:
            return NotImplemented
        v = w - self.v
        sp = _split_op(self, o, "-", True) if _wants_split(self, o, v) else None
        return ArbReal(v, sp)

    def __mul__(self, o: Any) -> Any:
        w = o.v if type(o) is ArbReal else self._other(o)
        if w is None:
            return NotImplemented
        sp = None if self.split is None and getattr(o, "split", None) is None \
            else _split_op(self, o, "*", False)
        return ArbReal(self.v * w, sp)

    def __rmul__(self, o: Any) -> Any:
        return self.__mul__(o)

    def __truediv__(self, o: Any) -> Any:
        w = o.v if type(o) is ArbReal else self._other(o)
        if w is None:
            return NotImplemented
        v = self.v / w
        sp = None if self.split is None and getattr(o, "split", None) is None \
            else _split_div(self, o if type(o) is ArbReal else ArbReal(_arb()(o)), v)
        return ArbReal(v, sp)

    def __rtruediv__(self, o: Any) -> Any:
        w = self._other(o)
        if w is None:
            return NotImplemented
        v = w / self.v
        sp = None if self.split is None else _split_div(ArbReal(_arb()(o)), self, v)
        return ArbReal(v, sp)

    def __pow__(self, o: Any) -> Any:
        if isinstance(o, int) and not isinstance(o, bool):
            if o >= 0:
                return ArbReal(self.v**o)
            return ArbReal(1 / self.v ** (-o))
        w = self._other(o)
        return NotImplemented if w is None else ArbReal(self.v**w)

    def __rpow__(self, o: Any) -> Any:
        w = self._other(o)
        return NotImplemented if w is None else ArbReal(w**self.v)

    def __neg__(self) -> ArbReal:
        sp = self.split
        return ArbReal(-self.v, None if sp is None else ((-sp[0][0], sp[0][1]), -sp[1]))

    def __pos__(self) -> ArbReal:
        return self

    def __abs__(self) -> ArbReal:
        return ArbReal(abs(self.v))

    # -- comparisons --------------------------------------------------------------------
    def _cmp(self, o: Any) -> int:
        w = self._other(o)
        if w is None:
            raise TypeError(f"cannot compare ArbReal with {type(o).__name__}")
        a = self.v
        if a < w:
            return -1
        if a > w:
            return 1
        if a == w:
            return 0
        raise Undecided(f"comparison of overlapping balls {a!r} and {w!r}")

    def __lt__(self, o: Any) -> bool:
        return self._cmp(o) < 0

    def __le__(self, o: Any) -> bool:
        return self._cmp(o) <= 0

    def __gt__(self, o: Any) -> bool:
        return self._cmp(o) > 0

    def __ge__(self, o: Any) -> bool:
        return self._cmp(o) >= 0

    def __eq__(self, o: Any) -> bool:  # type: ignore[override]
        return self._cmp(o) == 0

    def __ne__(self, o: Any) -> bool:  # type: ignore[override]
        return self._cmp(o) != 0

    __hash__ = None  # type: ignore[assignment]


#: Exact parts whose exponents differ by more than this many bits are not combined.
_SPLIT_SPAN = 4096


def _wants_split(a: ArbReal, o: Any, v: Any) -> bool:
    """Whether ``a ± o`` (= the ball ``v``) gets the exact-plus-tail form: an operand has
    one, or (tails on) both are exact and the sum is not (1 - 2^-10^7)."""
    if a.split is not None or getattr(o, "split", None) is not None:
        return True
    if not arb_math.tails or v.is_exact() or not a.v.is_exact():
        return False
    return (o.v.is_exact() if type(o) is ArbReal
            else isinstance(o, (int, float)) and not isinstance(o, bool))


def _split_op(a: ArbReal, o: Any, op: str, reflected: bool) -> Any:
    """The exact-plus-tail form of ``a op o`` (``None`` if an operand has no exact part)."""
    pa = a.parts()
    if isinstance(o, ArbReal):
        pb = o.parts()
    elif isinstance(o, (int, float)):
        pb = ArbReal(_flint().arb(o)).parts()
    else:
        return None
    if pa is None or pb is None:
        return None
    if reflected:
        pa, pb = pb, pa
    (ma, ea), ta = pa
    (mb, eb), tb = pb
    if op == "*":
        ea_, eb_ = _flint().arb(ma) * _flint().arb(2) ** ea, _flint().arb(mb) * _flint().arb(2) ** eb
        return (ma * mb, ea + eb), ea_ * tb + eb_ * ta + ta * tb
    if ma and mb and abs(ea - eb) > _SPLIT_SPAN:  # the smaller exact part joins the tail
        arb = _flint().arb
        xa, xb = arb(ma) * arb(2) ** ea, arb(mb) * arb(2) ** eb
        if ea + abs(ma).bit_length() >= eb + abs(mb).bit_length():
            return (ma, ea), (ta - tb - xb) if op == "-" else (ta + tb + xb)
        if op == "-":
            return (-mb, eb), ta - tb + xa
        return (mb, eb), ta + tb + xa
    e = min(ea, eb)
    mb = -mb if op == "-" else mb
    tail = ta - tb if op == "-" else ta + tb
    return ((ma << (ea - e)) + (mb << (eb - e)), e), tail


def _split_div(a: ArbReal, b: ArbReal, q: Any) -> Any:
    """The exact-plus-tail form of ``a / b`` (``q`` = the ball a/b): with a = A + ta and
    b = B + tb, a/b = A/B + (ta - (A/B)·tb)/b, kept when A/B is a dyadic (A = 0 or B a
    power of two); else ``None``."""
    pa = a.parts()
    if pa is None:
        return None
    (ma, ea), ta = pa
    if ma == 0:
        return (0, 0), ta / b.v
    pb = b.parts()
    if pb is None:
        return None
    (mb, eb), tb = pb
    if mb == 0:
        return None
    tz = (abs(mb) & -abs(mb)).bit_length() - 1
    if abs(mb) >> tz != 1:  # B is not ±2^k: A/B is not a dyadic
        return None
    qm, qe = (ma if mb > 0 else -ma), ea - eb - tz
    qv = _arb()(qm) * _arb()(2) ** qe
    return (qm, qe), (ta - qv * tb) / b.v


def _tail_only(v: Any) -> ArbReal:
    """``v`` (a ball certainly tiny next to any exact part it meets) as the exact part 0
    plus the tail ``v``, so that ``E + v`` keeps E exact."""
    return ArbReal(v, ((0, 0), v))


#: exp, expm1 and erfc carry their vanishing part as a tail beyond these arguments.
_TAIL_EXP = -32
_TAIL_ERFC = 6


def _v(x: Any) -> Any:
    if type(x) is ArbReal:
        return x.v
    return _arb()(x)


class ArbMath:
    """The :class:`~actfn._exact.ExactMath` namespace over python-flint's ``arb``.

    Constants and string literals are evaluated at the working precision
    (``flint.ctx.prec``), which the caller sets; see the module docstring. ``tails``
    (default True) makes exp, expm1, erfc and tanh return the exact-plus-tail form where
    it applies; the Ziv loop turns it off at the first, low precision, where most
    elements are decided without it."""

    tails: bool = True

    @property
    def pi(self) -> ArbReal:
        """π at the working precision."""
        return ArbReal(_flint().arb.pi())

    def mpf(self, v: Any, /) -> ArbReal:
        """An exact ball for an int, float or ArbReal; a tight ball for a decimal string."""
        if type(v) is ArbReal:
            return v
        return ArbReal(_arb()(v))

    def exp(self, x: Any, /) -> ArbReal:
        """e^x; for x certainly below -32 also in the form 0 + tail (``ArbReal.split``)."""
        v = _v(x)
        e = v.exp()
        if self.tails and v < _TAIL_EXP:
            return _tail_only(e)
        r = ArbReal(e)
        if self.tails and v.is_exact() and v > -_TAIL_EXP:
            r.ln = v
        return r

    def expm1(self, x: Any, /) -> ArbReal:
        """e^x - 1; for x certainly below -32 also in the form -1 + e^x."""
        v = _v(x)
        if self.tails and v < _TAIL_EXP:
            e = v.exp()
            return ArbReal(e - 1, ((-1, 0), e))
        return ArbReal(v.expm1())

    def log(self, x: Any, b: Any = None, /) -> ArbReal:
        """ln x, or log_b x (exact for ``b = 2`` and an exact power of two ``x``)."""
        if b is None and type(x) is ArbReal and x.ln is not None:
            return ArbReal(x.ln)  # ln e^L = L, exact
        v = _v(x)
        if b is None:
            return ArbReal(v.log())
        if b == 2 and v.is_exact() and v > 0:
            man, exp = v.man_exp()
            man, exp = int(man), int(exp)
            if man & (man - 1) == 0:
                return ArbReal(_flint().arb(exp + man.bit_length() - 1))
        return ArbReal(v.log() / _v(b).log())

    def log1p(self, x: Any, /) -> ArbReal:
        """ln(1 + x); of x = e^L (L exact, > 32) also in the form L + ln(1 + e^-L), and of
        a tail-only x (exact part 0) the tail-only ln(1 + x)."""
        if type(x) is ArbReal and x.ln is not None:
            big = x.ln
            t = (-big).exp().log1p()
            man, exp = big.man_exp()
            return ArbReal(big + t, ((int(man), int(exp)), t))
        v = _v(x)
        r = v.log1p()
        if type(x) is ArbReal and x.split is not None and x.split[0][0] == 0:
            return _tail_only(r)
        return ArbReal(r)

    def tanh(self, x: Any, /) -> ArbReal:
        """tanh x; for |x| certainly above 8 also in the form ±1 ∓ 2/(e^{2|x|} + 1)."""
        v = _v(x)
        t = v.tanh()
        if self.tails and (v > 8 or v < -8):
            s = 1 if v > 0 else -1
            tail = -s * 2 / ((2 * abs(v)).exp() + 1)
            return ArbReal(t, ((s, 0), tail))
        return ArbReal(t)

    def sech(self, x: Any, /) -> ArbReal:
        """sech x = 1/cosh x."""
        return ArbReal(_v(x).sech())

    def erfc(self, x: Any, /) -> ArbReal:
        """erfc x = 1 - erf x; for |x| certainly above 6 also in the form 0 + erfc x
        (x > 0) or 2 - erfc(-x) (x < 0)."""
        v = _v(x)
        if not self.tails:
            return ArbReal(v.erfc())
        if v > _TAIL_ERFC:
            return _tail_only(v.erfc())
        if v < -_TAIL_ERFC:
            t = (-v).erfc()
            return ArbReal(2 - t, ((2, 0), -t))
        return ArbReal(v.erfc())

    def sqrt(self, x: Any, /) -> ArbReal:
        """√x."""
        return ArbReal(_v(x).sqrt())

    def sign(self, x: Any, /) -> ArbReal:
        """-1, 0 or 1 (:class:`Undecided` if the ball contains 0 and is not exactly 0)."""
        v = _v(x)
        if v.is_zero():
            return ArbReal(_flint().arb(0))
        if v > 0:
            return ArbReal(_flint().arb(1))
        if v < 0:
            return ArbReal(_flint().arb(-1))
        raise Undecided(f"sign of {v!r}")

    def floor(self, x: Any, /) -> ArbReal:
        """⌊x⌋ (a ball; exact once x is away from the integers)."""
        return ArbReal(_v(x).floor())

    @contextmanager
    def extraprec(self, bits: int, /) -> Iterator[None]:
        """Raise the working precision by ``bits`` inside the block."""
        ctx = _flint().ctx
        old = ctx.prec
        ctx.prec = old + int(bits)
        try:
            yield
        finally:
            ctx.prec = old

    @contextmanager
    def workprec(self, bits: int, /) -> Iterator[None]:
        """Set the working precision to ``bits`` inside the block."""
        ctx = _flint().ctx
        old = ctx.prec
        ctx.prec = int(bits)
        try:
            yield
        finally:
            ctx.prec = old


#: The shared namespace instance.
arb_math = ArbMath()
