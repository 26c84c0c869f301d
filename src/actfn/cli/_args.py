"""Parsing of the command-line arguments shared by the command modules.

Each parser raises :class:`~actfn.cli._common.CLIError` (one line, exit code 2) naming
the argument and what it should be.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import numpy as np
import typer

from .._registry import Spec
from ._common import CLIError

__all__ = ["ParamOpt", "DTYPES", "MAX_RANGE", "parse_number", "parse_params", "parse_dtype",
           "parse_range"]

ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", metavar="NAME=VALUE",
                 help="A parameter of the activation (repeatable)."),
]

#: dtypes accepted by ``actfn eval --dtype``.
DTYPES = ("float16", "bfloat16", "float32", "float64")

#: Largest |LO|, |HI| accepted by ``--range``: the axes add margins and tick steps to
#: the range, which must stay finite in float64 (1e300 leaves room; 1e308 overflows).
MAX_RANGE = 1e300


def parse_number(text: str) -> float:
    """Parse a real number given on the command line (``inf``/``nan`` allowed)."""
    try:
        return float(text.strip())
    except ValueError:
        raise CLIError(f"cannot parse {text!r} as a number") from None


def parse_params(spec: Spec, items: Sequence[str] | None) -> dict[str, Any]:
    """Turn ``["k=v", ...]`` into keyword arguments for ``actfn.get`` (validated there)."""
    known = {p.name: p for p in spec.params}
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, raw = item.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw:
            raise CLIError(f"bad --param {item!r}: expected NAME=VALUE")
        p = known.get(key)
        if p is None:
            valid = ", ".join(known) if known else "none"
            raise CLIError(f"bad --param {item!r}: {spec.name} has no parameter {key!r} "
                           f"(valid: {valid})")
        if p.choices is not None:
            out[key] = raw
        elif p.vector and "," in raw:
            try:
                out[key] = tuple(float(v) for v in raw.split(","))
            except ValueError:
                raise CLIError(f"bad --param {item!r}: {raw!r} is not a list of numbers") from None
        else:
            try:
                out[key] = float(raw)
            except ValueError:
                raise CLIError(f"bad --param {item!r}: {raw!r} is not a number") from None
    return out


def parse_dtype(name: str) -> np.dtype[Any]:
    """The NumPy dtype named by ``--dtype`` (one of :data:`DTYPES`; bfloat16 from
    ``ml_dtypes``)."""
    if name not in DTYPES:
        raise CLIError(f"unknown --dtype {name!r}; valid: {', '.join(DTYPES)}")
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def parse_range(values: Sequence[str] | None) -> tuple[float, float] | None:
    """``--range LO HI``: finite ``LO < HI`` with ``|LO|, |HI| <= MAX_RANGE`` (``None``
    when not given)."""
    if not values:
        return None
    lo, hi = (parse_number(v) for v in values)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise CLIError(f"bad --range {values[0]} {values[1]}: need finite LO < HI")
    if max(abs(lo), abs(hi)) > MAX_RANGE:
        raise CLIError(f"bad --range {values[0]} {values[1]}: too wide to draw; need "
                       f"|LO|, |HI| <= {MAX_RANGE:g}")
    return lo, hi
