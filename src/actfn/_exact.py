"""Reference formulas: the arbitrary-precision definition of each activation.

Every :class:`~actfn.Spec` carries ``exact``, an :class:`Exact` of three callables
``(x, m, **params)`` giving f(x), f'(x) and f''(x) for a real ``x`` of the
arbitrary-precision namespace ``m`` (mpmath today; anything that implements
:class:`ExactMath`, e.g. a python-flint/Arb wrapper, later). They are written from
the mathematical definitions, independently of the float kernels, and arranged so that
no step cancels catastrophically (sech instead of 1 - tanh², conjugate forms, extra
precision where x - tanh x is tiny); they are what the accuracy tests compare the
kernels against (``tests/oracle.py``), and what ``tools/gen_zeros.py`` expands in
Taylor series.

This module also holds the helpers several reference formulas share: σ and its
derivatives, the normal cdf Φ and density φ, and the Swish, ELU and leaky families.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "Exact", "ExactFn", "ExactMath", "sigmoid", "dsigmoid", "d2sigmoid", "norm_cdf",
    "norm_pdf", "swish_family", "elu_family", "leaky_family", "piecewise_linear_zero",
]


class ExactMath(Protocol):
    """What a reference formula may use of its arbitrary-precision namespace ``m``.

    The ``mpmath`` module satisfies it. Numbers are the namespace's reals: they support
    ``+ - * / **``, comparisons, ``abs`` and ``min``/``max`` with each other and with
    Python ints; functions are correctly rounded (or at least faithful) at the working
    precision, which ``extraprec(bits)`` raises inside a ``with`` block.
    """

    pi: Any

    def mpf(self, v: Any, /) -> Any: ...
    def exp(self, x: Any, /) -> Any: ...
    def expm1(self, x: Any, /) -> Any: ...
    def log(self, x: Any, b: Any = ..., /) -> Any: ...
    def log1p(self, x: Any, /) -> Any: ...
    def tanh(self, x: Any, /) -> Any: ...
    def sech(self, x: Any, /) -> Any: ...
    def erfc(self, x: Any, /) -> Any: ...
    def sqrt(self, x: Any, /) -> Any: ...
    def sign(self, x: Any, /) -> Any: ...
    def floor(self, x: Any, /) -> Any: ...
    def extraprec(self, bits: int, /) -> AbstractContextManager[Any]: ...


#: One of f, f', f'' as a reference formula: ``fn(x, m, **params)``.
ExactFn = Callable[..., Any]


@dataclass(frozen=True)
class Exact:
    """The reference formulas of f, f' and f'' (see the module docstring).

    At a kink each formula takes the value of the convention the kernels follow
    (``Spec.kink_convention``), so the oracle tests check the conventions too.
    """

    f: ExactFn
    df: ExactFn
    d2f: ExactFn


# -- σ and its derivatives ---------------------------------------------------------------
def sigmoid(x: Any, m: ExactMath) -> Any:
    """σ(x) = 1/(1 + e^{-x})."""
    return 1 / (1 + m.exp(-x))


def dsigmoid(x: Any, m: ExactMath) -> Any:
    """σ'(x) = e/(1 + e)² with e = e^{-|x|} (even, no overflow)."""
    e = m.exp(-abs(x))
    return e / (1 + e) ** 2


def d2sigmoid(x: Any, m: ExactMath) -> Any:
    """σ''(x) = σ'(x)·(1 - 2σ(x)) = -σ'(x)·tanh(x/2)."""
    return -dsigmoid(x, m) * m.tanh(x / 2)


# -- the standard normal distribution -----------------------------------------------------
def _far_tiny(m: ExactMath) -> Any:
    # A positive number far below every float: mpmath's erfc cannot take arguments near
    # 1e310, which the tests use for the limits at ±inf.
    return m.mpf(2) ** (-(10**7))


def norm_cdf(x: Any, m: ExactMath) -> Any:
    """Φ(x) = erfc(-x/√2)/2."""
    if abs(x) > 10**4:
        return 1 - _far_tiny(m) if x > 0 else _far_tiny(m)
    return m.erfc(-x / m.sqrt(2)) / 2


def norm_pdf(x: Any, m: ExactMath) -> Any:
    """φ(x) = e^{-x²/2}/√(2π)."""
    if abs(x) > 10**4:
        return _far_tiny(m)
    return m.exp(-x * x / 2) / m.sqrt(2 * m.pi)


# -- families -------------------------------------------------------------------------------
def swish_family(beta: Callable[[dict[str, Any], ExactMath], Any]) -> Exact:
    """x·σ(βx): f' = σ(βx) + βx·σ'(βx), f'' = 2β·σ'(βx) + β²x·σ''(βx).

    ``beta(params, m)`` gives β from the bound parameters."""

    def f(x: Any, m: ExactMath, **p: Any) -> Any:
        return x * sigmoid(beta(p, m) * x, m)

    def df(x: Any, m: ExactMath, **p: Any) -> Any:
        b = beta(p, m)
        return sigmoid(b * x, m) + b * x * dsigmoid(b * x, m)

    def d2f(x: Any, m: ExactMath, **p: Any) -> Any:
        b = beta(p, m)
        return 2 * b * dsigmoid(b * x, m) + b * b * x * d2sigmoid(b * x, m)

    return Exact(f, df, d2f)


def elu_family(alpha: Callable[[dict[str, Any]], Any], scale: Callable[[dict[str, Any]], Any],
        inner: Callable[[dict[str, Any]], Any]) -> Exact:
    """s·x for x > 0, s·α·(e^{x/c} - 1) for x ≤ 0 (ELU: c = 1, s = 1; SELU: s = λ;
    CELU: c = α). f'(0) takes the x ≤ 0 branch, f''(0) = 0 (PyTorch's autograd)."""

    def f(x: Any, m: ExactMath, **p: Any) -> Any:
        s, a, c = scale(p), alpha(p), inner(p)
        return s * x if x > 0 else s * a * m.expm1(x / c)

    def df(x: Any, m: ExactMath, **p: Any) -> Any:
        s, a, c = scale(p), alpha(p), inner(p)
        return m.mpf(s) if x > 0 else s * a / c * m.exp(x / c)

    def d2f(x: Any, m: ExactMath, **p: Any) -> Any:
        s, a, c = scale(p), alpha(p), inner(p)
        return m.mpf(0) if x >= 0 else s * a / (c * c) * m.exp(x / c)

    return Exact(f, df, d2f)


def leaky_family(slope: Callable[[dict[str, Any]], Any]) -> Exact:
    """x for x > 0, a·x for x ≤ 0 (f'(0) = a)."""

    def f(x: Any, m: ExactMath, **p: Any) -> Any:
        return x if x > 0 else slope(p) * x

    def df(x: Any, m: ExactMath, **p: Any) -> Any:
        return m.mpf(1) if x > 0 else slope(p)

    return Exact(f, df, piecewise_linear_zero)


def piecewise_linear_zero(x: Any, m: ExactMath, **p: Any) -> Any:
    """f'' = 0 of a piecewise-linear activation (0 at the kinks too, by convention)."""
    return m.mpf(0)
