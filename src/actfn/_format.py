"""Text of parameter values, shared by figures (:mod:`actfn.plot`), the atlas and the CLI.

A private module with public names: the modules of actfn import these names, never
another module's ``_private`` helper.
"""

from __future__ import annotations

from typing import Any

__all__ = ["format_param"]


def format_param(v: Any, digits: int = 6) -> str:
    """A parameter value for titles and tables: a float to ``digits`` significant digits
    (``format(v, f".{digits}g")``), a tuple element by element in parentheses, a string
    quoted (its ``repr``), anything else as ``str``.

    >>> format_param(1.0507009873554805), format_param(1.0507009873554805, digits=10)
    ('1.0507', '1.050700987')
    >>> format_param((0.25, 0.5)), format_param("tanh"), format_param(True)
    ('(0.25, 0.5)', "'tanh'", 'True')
    """
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    if isinstance(v, tuple):
        return "(" + ", ".join(format_param(t, digits) for t in v) + ")"
    return repr(v) if isinstance(v, str) else str(v)
