"""Error handling shared by the ``actfn`` command modules.

Kept apart from :mod:`actfn.cli` so that an area module (``_cli_atlas`` …) can be
imported on its own without importing the app that imports it.

Every command is wrapped by :func:`guarded`, which turns *every* exception into one
line on stderr (the traceback only with the global ``--debug`` flag):

* exit 2, ``actfn: error: …``: bad input — :class:`CLIError`, ``ValueError``,
  ``TypeError``, ``OSError`` (paths), and arithmetic errors that :func:`user_params`
  attributes to parameters given on the command line;
* exit 1, ``actfn: internal error: …``: anything else, with a hint to rerun with
  ``--debug``;
* exit 130 / 143 / 129: SIGINT / SIGTERM / SIGHUP (``actfn: interrupted by SIGTERM``),
  after the command's ``finally`` blocks removed their temporary files
  (:func:`actfn._safe_io.signal_guard`).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import typer

from ._safe_io import Interrupted, signal_guard

__all__ = ["CLIError", "fail", "guarded", "user_params", "set_debug", "debug_enabled"]


def _passed_through() -> tuple[type[BaseException], ...]:
    """Exceptions click/typer handle themselves (exit, abort, usage errors).

    typer ≥ 0.2x vendors click (``typer._click``) and no longer installs ``click``, so
    ``typer.Exit`` is not a ``click.exceptions.Exit``: take the classes from typer, and
    add the standalone click's when it is installed.
    """
    usage = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    out: list[type[BaseException]] = [typer.Exit, typer.Abort, usage]
    try:
        import click
    except ModuleNotFoundError:
        pass
    else:
        out += [click.exceptions.Exit, click.exceptions.Abort, click.ClickException]
    return tuple(dict.fromkeys(out))


_PASS_THROUGH = _passed_through()

_DEBUG = {"on": False}


class CLIError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


def set_debug(on: bool) -> None:
    """Print tracebacks of errors (the global ``--debug`` flag)."""
    _DEBUG["on"] = bool(on)


def debug_enabled() -> bool:
    """Whether ``--debug`` was given."""
    return _DEBUG["on"]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def fail(message: str, code: int = 2) -> None:
    """Print ``actfn: error: message`` on stderr and exit with ``code`` (2: bad input)."""
    typer.echo(f"actfn: error: {message}", err=True)
    raise typer.Exit(code=code)


@contextlib.contextmanager
def user_params(name: str, params: Mapping[str, Any]) -> Iterator[None]:
    """Attribute arithmetic failures inside the block to the user's ``params``.

    ``ZeroDivisionError``, ``OverflowError`` and ``FloatingPointError`` raised while
    evaluating an activation with parameters given on the command line become a
    :class:`CLIError` (exit 2) that names them; with no parameters given they stay
    internal errors (exit 1).
    """
    try:
        yield
    except ArithmeticError as exc:
        if not params:
            raise
        given = ", ".join(f"{k}={v!r}" for k, v in params.items())
        raise CLIError(f"{name} cannot be evaluated with {given}: {type(exc).__name__}: "
                       f"{_first_line(exc)} (try less extreme parameter values)") from exc


def _report(exc: BaseException) -> int:
    """Print the one-line message for ``exc`` (and the traceback with --debug); exit code."""
    if debug_enabled():
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    if isinstance(exc, Interrupted):
        typer.echo(f"actfn: {exc}", err=True)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        typer.echo("actfn: interrupted by SIGINT", err=True)
        return 130
    if isinstance(exc, (CLIError, ValueError, TypeError, OSError)):
        typer.echo(f"actfn: error: {_first_line(exc)}", err=True)
        return 2
    hint = "" if debug_enabled() else " (rerun with --debug for the traceback)"
    what = "out of memory" if isinstance(exc, MemoryError) else "internal error"
    typer.echo(f"actfn: {what}: {type(exc).__name__}: {_first_line(exc)}{hint}", err=True)
    return 1


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: run a command under :func:`signal_guard`; every exception becomes one
    line on stderr and an exit code (see the module docstring)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with signal_guard():
                return fn(*args, **kwargs)
        except _PASS_THROUGH:
            raise  # typer.Exit, usage errors: click prints and exits
        except (Exception, Interrupted, KeyboardInterrupt) as exc:
            code = _report(exc)
            raise typer.Exit(code=code) from None

    return wrapper
