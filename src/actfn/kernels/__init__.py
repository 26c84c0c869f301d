"""Numerics shared by the activation kernels, one module per topic.

* :mod:`~actfn.kernels.elementary`: dtype test, NaN-propagating clip, the zero f''.
* :mod:`~actfn.kernels.dd`: double-double arithmetic, exact constants from parameters.
* :mod:`~actfn.kernels.df32`: compensated float32 (double-float) where there is no
  float64: which kernels refine, float32 constant pairs, tail rescaling, exp/expm1.
* :mod:`~actfn.kernels.sigmoid`: σ, σ', σ'' and x·σ with scaled (never subnormal) tails.
* :mod:`~actfn.kernels.gaussian`: the scaled normal density and Gaussian constants.
* :mod:`~actfn.kernels.erfc`: the float64 normal tail Φ(-a) = W(a)·exp(-a²/2), from
  tables that tools/gen_erfc.py derives (``_erfc_tables``), instead of SciPy's erfcx.
* :mod:`~actfn.kernels.series`: Taylor series around interior zeros of derivatives.
* :mod:`~actfn.kernels.elu`, :mod:`~actfn.kernels.leaky`, :mod:`~actfn.kernels.shrink`,
  :mod:`~actfn.kernels.swish`, :mod:`~actfn.kernels.tanh`: the cores that several
  activations of one family share (kernels of a single activation stay in its module).

The contract every kernel follows is :class:`Kernel`; what it may read of its
evaluation context is :class:`EvalNamespace` and :class:`SpecialFunctions`.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["EvalNamespace", "Kernel", "SpecialFunctions", "narrow_output"]


class Kernel(Protocol):
    """One of f, f', f'' (or ``f_df``: the pair) of an activation, elementwise.

    ``x`` is an array already in the working floating dtype (float64 wherever the
    library has it), ``xp`` its evaluation context (:class:`EvalNamespace`: the array
    namespace plus the special functions and the narrow-output flag, built by
    ``actfn._evaluate.context``), and the bound parameters arrive as keywords (floats,
    strings, or per-channel arrays). A kernel returns a new array of ``x``'s shape and
    dtype, never modifies ``x``, and need not handle NaN inputs (the caller restores them).
    """

    def __call__(self, x: Any, xp: Any, /, **params: Any) -> Any: ...


class SpecialFunctions(Protocol):
    """erf, erfc and erfcx of the array library that owns ``x`` (part of the context)."""

    def erf(self, x: Any, /) -> Any: ...
    def erfc(self, x: Any, /) -> Any: ...
    def erfcx(self, x: Any, /) -> Any: ...


class EvalNamespace(SpecialFunctions, Protocol):
    """The evaluation context a kernel receives as ``xp``: the array namespace, plus

    * ``erf``, ``erfc``, ``erfcx`` (:class:`SpecialFunctions`) of the library that owns
      the arrays (SciPy's for NumPy, torch's, JAX's); asking for one the library lacks
      (array-api-strict) raises a ``TypeError`` that names it;
    * ``narrow_output``: true when the result will be rounded to float32 or narrower (set
      by the compiled path's tracer, actfn._fast._trace); a kernel may then skip
      float64-only refinements. Read it with :func:`narrow_output`, which also accepts a
      plain array namespace (false), never with ``getattr``;
    * optional fused primitives that only the compiled path's tracer has, read with
      ``getattr(xp, name, None)`` and replaced by plain array code elsewhere:
      ``tail_horner(a)`` (kernels.erfc's table lookup) and ``kexp(x, hi, lo)``
      ((hi + lo)·eˣ from the argument reduction exp/expm1 of the same x share, rounded
      once; kernels.elu).

    Built in one place, ``actfn._evaluate.context`` (the compiled path's tracer is the
    one other implementation).
    """

    narrow_output: bool


def narrow_output(xp: Any) -> bool:
    """Whether the evaluation context ``xp`` will round the result to float32 or narrower
    (:class:`EvalNamespace`); false for plain array namespaces."""
    return bool(getattr(xp, "narrow_output", False))
