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
:func:`ulp_distance` counts ±0 as equal). A value exponentially close to a rounding
midpoint — x - tanh x = x - 1 + 2/(e^{2x} + 1) for even x in [2^24, 2^25) in float32 —
needs more bits than any precision gives; :class:`ArbMath` keeps such a value as an exact
dyadic plus a tail ball through + - * (``ArbReal.split``), and the rounding is decided
from the exact part and the sign of the tail. The exact-plus-tail form also carries the vanishing
parts of e^x, e^x - 1 (x < -32), erfc (|x| > 6) and tanh (|x| > 8), quotients by a power
of two, ln(1 + e^L) = L + ln(1 + e^-L) for an exact L > 32, and the smaller of two
far-apart exact terms (1 - 2^-10^7), so -α + α·e^x (elu/celu/selu far left with α a
midpoint), x·Φ(x) (gelu at 151.5 in bfloat16, and beyond 10^4), x·σ(x) (silu at
2^20 + 3·2^12) and softplus/logsigmoid far out are decided too. The tails are built from
4p bits on (p: the format's precision), where the rounding reads them. Without
python-flint, mpmath runs the same loop with an assumed (not proven) error of 2^(24-p) at
p bits, and a value unchanged from p to 2p bits beyond 4096 bits counts as exact (a
heuristic: it has no tails, so a value within 2^-4096 of a rounding midpoint is taken for
the midpoint and rounded to even — tanhshrink(2^24 + 2) in float32 gives 2^24 instead of
2^24 + 2 — and such a result comes with a ``RuntimeWarning``). python-flint's precision
is process-wide, so ball evaluations are serialized by a lock.

The float64 pre-pass (``prepass=True``, the default) first evaluates actfn's own
float64 path ``v`` and accepts an element when every value in
``v ± (2^-30·|v| + 2^-1000)`` rounds to the same ``dtype`` value. It assumes that
actfn's float64 kernels are within 2^-30 relative (+2^-1000 absolute) of the exact
value — far above the largest error measured (about 2^-36, issue 10) but a measurement,
not a proof. Elements whose value or input is near the ends of float64's range
(nonzero |v| < 2^-960, |v| ≥ 2^1000, nonzero |x| < 2^-960, |x| ≥ 2^960), non-finite
values and ±inf inputs always go to ball arithmetic, and so does every element of a
float64 output (the bound cannot decide a float64 rounding). ``prepass=False`` takes the
purely rigorous path for every element.

Also here: :func:`gated`, the same for the gated units (two inputs: gate, up);
:func:`points` (the standard test inputs of an activation in a dtype, or all
of a 16-bit dtype) and :func:`ulp_distance`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from ._arb import ArbMath, ArbReal, Undecided, arb_math
from ._core import (
    GATED_RESULTS,
    HUGE_EXP,
    MAX_PREC,
    PREPASS_ABS,
    PREPASS_REL,
    ReferenceUndecided,
    gated,
    have_flint,
    reference,
)
from ._formats import Format, format_of, formats, round_dyadic
from ._points import STANDARD_SEED, from_ordinal, ordinal, points, ulp_distance

__all__ = [
    "reference", "ReferenceUndecided", "ArbMath", "ArbReal", "Undecided", "arb_math",
    "FORMATS", "formats", "Format", "format_of", "round_dyadic", "MAX_PREC", "PREPASS_REL",
    "PREPASS_ABS", "HUGE_EXP", "have_flint", "points", "ulp_distance", "ordinal",
    "from_ordinal", "STANDARD_SEED", "gated", "GATED_RESULTS",
]


class _CallableModule(types.ModuleType):
    """``actfn.reference(...)`` calls :func:`reference`."""

    def __call__(self, name: str, x: Any, /, **kwargs: Any) -> Any:
        return reference(name, x, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "FORMATS":  # built on first use: importing ml_dtypes is not free
        return formats()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


sys.modules[__name__].__class__ = _CallableModule
