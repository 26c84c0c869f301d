"""Error handling shared by the ``actfn`` command modules.

Kept apart from :mod:`actfn.cli` so that an area module (``_cli_atlas`` …) can be
imported on its own without importing the app that imports it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer

__all__ = ["CLIError", "fail", "guarded"]


class CLIError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


def fail(message: str) -> None:
    """Print ``actfn: error: message`` on stderr and exit with code 2."""
    typer.echo(f"actfn: error: {message}", err=True)
    raise typer.Exit(code=2)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: turn user errors inside a command into a one-line message."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (CLIError, ValueError, TypeError, OSError) as exc:
            fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    return wrapper
