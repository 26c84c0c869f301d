"""The binary floating-point formats ``actfn.reference`` rounds to, and exact rounding.

A format has ``p`` significand bits (the implicit one included), a smallest normal
exponent ``emin`` and a largest exponent ``emax``: its finite values are ``n·2^q`` with
``|n| < 2^p`` and ``q ≥ emin - p + 1`` (subnormals below ``2^emin``), and its largest
finite value is ``(2 - 2^(1-p))·2^emax``. :func:`round_dyadic` rounds an exact dyadic
rational ``man·2^exp`` to such a format, to nearest with ties to even, exactly as
IEEE 754 does: gradual underflow through the subnormals, and overflow to ±inf from
``(2 - 2^-p)·2^emax`` (the midpoint between the largest finite value and ``2^(emax+1)``)
on. The rounded value is returned as a Python float, which holds every value of the four
formats exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Format", "FORMATS", "format_of", "round_dyadic"]


@dataclass(frozen=True)
class Format:
    """One binary format: its name, NumPy dtype, significand bits ``p``, ``emin``, ``emax``."""

    name: str
    dtype: np.dtype
    p: int
    emin: int
    emax: int

    @property
    def max(self) -> float:
        """The largest finite value ``(2 - 2^(1-p))·2^emax``."""
        return math.ldexp(2 - math.ldexp(1, 1 - self.p), self.emax)

    @property
    def tiny(self) -> float:
        """The smallest positive subnormal ``2^(emin - p + 1)``."""
        return math.ldexp(1, self.emin - self.p + 1)

    @property
    def smallest_normal(self) -> float:
        """``2^emin``."""
        return math.ldexp(1, self.emin)


def _bfloat16() -> np.dtype:
    import ml_dtypes

    return np.dtype(ml_dtypes.bfloat16)


def _formats() -> dict[str, Format]:
    out = {
        "float16": Format("float16", np.dtype(np.float16), 11, -14, 15),
        "float32": Format("float32", np.dtype(np.float32), 24, -126, 127),
        "float64": Format("float64", np.dtype(np.float64), 53, -1022, 1023),
    }
    try:
        out["bfloat16"] = Format("bfloat16", _bfloat16(), 8, -126, 127)
    except ImportError:  # pragma: no cover - ml_dtypes is a dependency of the extra
        pass
    return dict(sorted(out.items(), key=lambda kv: kv[1].p))


#: name → :class:`Format` of every supported output dtype (bfloat16 needs ml_dtypes).
FORMATS: dict[str, Format] = _formats()


def format_of(dtype: Any) -> Format:
    """The :class:`Format` of ``dtype`` (a name, NumPy dtype or scalar type).

    Raises ``TypeError`` naming the supported dtypes for anything else."""
    if isinstance(dtype, str) and dtype in FORMATS:
        return FORMATS[dtype]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    for fmt in FORMATS.values():
        if dt is not None and dt == fmt.dtype:
            return fmt
    raise TypeError(
        f"unsupported dtype {dtype!r}: actfn.reference rounds to one of "
        f"{', '.join(FORMATS)}"
    )


def round_dyadic(negative: bool, man: int, exp: int, fmt: Format) -> float:
    """Round ``(-1)^negative · man · 2^exp`` (``man ≥ 0``) to ``fmt``, ties to even.

    Returns the rounded value as a Python float (±inf on overflow, ±0.0 on underflow
    to zero, keeping the sign as IEEE 754 does)."""
    sign = -1.0 if negative else 1.0
    if man == 0:
        return sign * 0.0
    e = exp + man.bit_length() - 1  # 2^e ≤ value < 2^(e+1)
    if e > fmt.emax + 1:
        return sign * math.inf
    if e < fmt.emin - fmt.p:  # below half the smallest subnormal
        return sign * 0.0
    q = max(e, fmt.emin) - (fmt.p - 1)  # the spacing of fmt's values around the value
    if exp >= q:
        n = man << (exp - q)
    else:
        shift = q - exp
        n = man >> shift
        rem = man & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if rem > half or (rem == half and n & 1):
            n += 1
    if n.bit_length() + q > fmt.emax + 1:  # n·2^q ≥ 2^(emax+1)
        return sign * math.inf
    return sign * math.ldexp(n, q)
