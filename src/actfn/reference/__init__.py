"""Correctly rounded reference values of every activation and its derivatives.

``actfn.reference(name, x, /, *, derivative=0, dtype=None, prepass=True, **params)``
(this module is callable) returns f, f' or f'' of the catalog activation ``name`` at
every element of ``x``, rounded once, to nearest with ties to even, to ``dtype``
(float16, bfloat16, float32 or float64): the value IEEE 754 would give if the function
were a basic operation, with gradual underflow and overflow to ±inf. The exact values
are the catalog's reference formulas (``Spec.exact``) evaluated in ball arithmetic
(python-flint's Arb, through :class:`ArbMath`), with the precision doubled until the
whole ball rounds to one value (Ziv's strategy) up to :data:`MAX_PREC` bits. A ball of
radius zero is an exact value and is rounded as such (relu(x) = x, rational points of
the piecewise-polynomial activations, exact midpoints included); an element still
undecided at the cap raises :class:`ReferenceUndecided` naming it — the function never
guesses. Kinks take the catalog's convention, ±inf inputs the limits (the value at
±2^1400, beyond every format, where every catalog activation is monotone or constant to
the limit at the formats' resolution), nan gives nan, and results that round to zero
are returned as ``+0.0`` (the sign of an underflowed zero is not part of the contract;
:func:`ulp_distance` counts ±0 as equal). Without python-flint, mpmath runs the same
loop with an assumed (not proven) error of 2^(24-p) at p bits.

The float64 pre-pass (``prepass=True``, the default) first evaluates actfn's own
float64 path ``v`` and accepts an element when every value in
``v ± (2^-30·|v| + 2^-1000)`` rounds to the same ``dtype`` value. It assumes that
actfn's float64 kernels are within 2^-30 relative (+2^-1000 absolute) of the exact
value — far above the largest error measured (about 2^-36, issue 10) but a measurement,
not a proof. Elements whose value or input is near the ends of float64's range
(nonzero |v| < 2^-960, |v| ≥ 2^1000, nonzero |x| < 2^-960, |x| ≥ 2^960), non-finite
values and ±inf inputs always go to ball arithmetic; a float64 output is in practice
always decided there. ``prepass=False`` takes the purely rigorous path for every element.

Also here: :func:`points` (the standard test inputs of an activation in a dtype, or all
of a 16-bit dtype) and :func:`ulp_distance`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from ._arb import ArbMath, ArbReal, Undecided, arb_math
from ._core import (
    HUGE_EXP,
    MAX_PREC,
    PREPASS_ABS,
    PREPASS_REL,
    ReferenceUndecided,
    have_flint,
    reference,
)
from ._formats import FORMATS, Format, format_of, round_dyadic

__all__ = [
    "reference", "ReferenceUndecided", "ArbMath", "ArbReal", "Undecided", "arb_math",
    "FORMATS", "Format", "format_of", "round_dyadic", "MAX_PREC", "PREPASS_REL",
    "PREPASS_ABS", "HUGE_EXP", "have_flint",
]


class _CallableModule(types.ModuleType):
    """``actfn.reference(...)`` calls :func:`reference`."""

    def __call__(self, name: str, x: Any, /, **kwargs: Any) -> Any:
        return reference(name, x, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
