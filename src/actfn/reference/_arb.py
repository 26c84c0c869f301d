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


class ArbReal:
    """A real ball (``flint.arb``) with decided-or-refused comparisons (module docstring)."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    # -- conversion -------------------------------------------------------------------
    @staticmethod
    def _other(o: Any) -> Any:
        if isinstance(o, ArbReal):
            return o.v
        if isinstance(o, (bool, int, float)):
            return _flint().arb(o)
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
    def _bin(self, o: Any, op: str, reflected: bool = False) -> Any:
        w = self._other(o)
        if w is None:
            return NotImplemented
        a, b = (w, self.v) if reflected else (self.v, w)
        if op == "+":
            return ArbReal(a + b)
        if op == "-":
            return ArbReal(a - b)
        if op == "*":
            return ArbReal(a * b)
        if op == "/":
            return ArbReal(a / b)
        return ArbReal(a**b)

    def __add__(self, o: Any) -> Any:
        return self._bin(o, "+")

    def __radd__(self, o: Any) -> Any:
        return self._bin(o, "+", True)

    def __sub__(self, o: Any) -> Any:
        return self._bin(o, "-")

    def __rsub__(self, o: Any) -> Any:
        return self._bin(o, "-", True)

    def __mul__(self, o: Any) -> Any:
        return self._bin(o, "*")

    def __rmul__(self, o: Any) -> Any:
        return self._bin(o, "*", True)

    def __truediv__(self, o: Any) -> Any:
        return self._bin(o, "/")

    def __rtruediv__(self, o: Any) -> Any:
        return self._bin(o, "/", True)

    def __pow__(self, o: Any) -> Any:
        if isinstance(o, int) and not isinstance(o, bool):
            if o >= 0:
                return ArbReal(self.v**o)
            return ArbReal(1 / self.v ** (-o))
        return self._bin(o, "**")

    def __rpow__(self, o: Any) -> Any:
        return self._bin(o, "**", True)

    def __neg__(self) -> ArbReal:
        return ArbReal(-self.v)

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


def _v(x: Any) -> Any:
    if isinstance(x, ArbReal):
        return x.v
    return _flint().arb(x)


class ArbMath:
    """The :class:`~actfn._exact.ExactMath` namespace over python-flint's ``arb``.

    Constants and string literals are evaluated at the working precision
    (``flint.ctx.prec``), which the caller sets; see the module docstring."""

    @property
    def pi(self) -> ArbReal:
        """π at the working precision."""
        return ArbReal(_flint().arb.pi())

    def mpf(self, v: Any, /) -> ArbReal:
        """An exact ball for an int, float or ArbReal; a tight ball for a decimal string."""
        if isinstance(v, ArbReal):
            return v
        return ArbReal(_flint().arb(v))

    def exp(self, x: Any, /) -> ArbReal:
        """e^x."""
        return ArbReal(_v(x).exp())

    def expm1(self, x: Any, /) -> ArbReal:
        """e^x - 1."""
        return ArbReal(_v(x).expm1())

    def log(self, x: Any, b: Any = None, /) -> ArbReal:
        """ln x, or log_b x (exact for ``b = 2`` and an exact power of two ``x``)."""
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
        """ln(1 + x)."""
        return ArbReal(_v(x).log1p())

    def tanh(self, x: Any, /) -> ArbReal:
        """tanh x."""
        return ArbReal(_v(x).tanh())

    def sech(self, x: Any, /) -> ArbReal:
        """sech x = 1/cosh x."""
        return ArbReal(_v(x).sech())

    def erfc(self, x: Any, /) -> ArbReal:
        """erfc x = 1 - erf x."""
        return ArbReal(_v(x).erfc())

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
