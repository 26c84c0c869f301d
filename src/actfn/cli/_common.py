"""Error handling shared by the ``actfn`` command modules (:mod:`actfn.cli`).

Every command is wrapped by :func:`guarded`, which turns *every* exception into one
line on stderr (the traceback only with the global ``--debug`` flag):

* exit 2, ``actfn: error: …``: bad input — :class:`CLIError`, ``ValueError``,
  ``TypeError``, ``OSError`` (paths), and arithmetic errors that :func:`user_params`
  attributes to parameters given on the command line;
* exit 1, ``actfn: internal error: …``: anything else, with a hint to rerun with
  ``--debug``;
* exit 130 / 143 / 129: SIGINT / SIGTERM / SIGHUP (``actfn: interrupted by SIGTERM``),
  after the command's ``finally`` blocks removed their temporary files
  (:func:`actfn._safe_io.signal_guard`);
* exit 141, silently: standard output is a pipe whose reader went away (``actfn eval …
  | head -1``), what a Unix tool killed by SIGPIPE reports; standard output is pointed
  at ``/dev/null`` so that the final flush cannot fail again (the approach the Python
  documentation recommends, "Note on SIGPIPE");
* exit 2, one line: standard output is closed (``>&-``), checked before the command runs.

A message is cut to :data:`MAX_MESSAGE` characters (a 5000-character unknown name is
not echoed in full).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import typer

from .._safe_io import Interrupted, fired_signal, signal_guard

__all__ = ["CLIError", "fail", "guarded", "user_params", "set_debug", "debug_enabled",
           "help_text"]


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
#: Longest message printed (longer ones are cut with an ellipsis).
MAX_MESSAGE = 300
#: Exit status for a closed pipe on stdout: 128 + SIGPIPE, like a tool killed by it.
EXIT_PIPE = 141


class CLIError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


def help_text(fn: Callable[..., Any]) -> str:
    """``fn``'s docstring for ``--help``: each paragraph on one line (the rich help
    would otherwise keep the source's line breaks in the middle of sentences)."""
    import inspect

    doc = inspect.getdoc(fn) or ""
    return "\n\n".join(" ".join(line.strip() for line in para.splitlines())
                         for para in doc.split("\n\n") if para.strip())


def set_debug(on: bool) -> None:
    """Print tracebacks of errors (the global ``--debug`` flag)."""
    _DEBUG["on"] = bool(on)


def debug_enabled() -> bool:
    """Whether ``--debug`` was given."""
    return _DEBUG["on"]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE - 1] + "…"


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


def _hint() -> str:
    """The --debug hint, naming where the flag goes (before the command)."""
    words = []
    ctx = _current_context()
    while ctx is not None and ctx.parent is not None:
        words.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    command = " ".join(w for w in words if w) or "COMMAND"
    return (f" (rerun with --debug before the command for the traceback: "
            f"actfn --debug {command} …)")


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
    hint = "" if debug_enabled() else _hint()
    what = "out of memory" if isinstance(exc, MemoryError) else "internal error"
    typer.echo(f"actfn: {what}: {type(exc).__name__}: {_first_line(exc)}{hint}", err=True)
    return 1


def _typer_context_getter() -> Any:
    try:
        from typer._click.globals import get_current_context
    except ImportError:
        return None
    return get_current_context


def _click_context_getter() -> Any:
    try:  # the standalone click, where installed (typer 0.29 no longer needs it)
        from click import get_current_context
    except ImportError:
        return None
    return get_current_context


def _current_context() -> Any:
    """The running command's context (typer's own or click's), or None."""
    for getter in (getattr(typer, "get_current_context", None),
                   _typer_context_getter(),
                   _click_context_getter()):
        if getter is None:
            continue
        try:
            ctx = getter(silent=True)
        except (TypeError, RuntimeError):
            continue
        if ctx is not None:
            return ctx
    return None


def _stdout_gone(exc: BaseException) -> bool:
    """Whether ``exc`` is a closed pipe (the commands write pipes only to stdout: output
    files are checked to be regular files before they are opened)."""
    return getattr(exc, "errno", None) == errno.EPIPE


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush cannot raise again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: run a command under :func:`signal_guard`; every exception becomes one
    line on stderr and an exit code (see the module docstring)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if sys.stdout is None or getattr(sys.stdout, "closed", False):
            typer.echo("actfn: error: standard output is closed; nothing to write the result "
                       "to", err=True)
            raise typer.Exit(code=2)
        try:
            with signal_guard():
                return fn(*args, **kwargs)
        except _PASS_THROUGH:
            raise  # typer.Exit, usage errors: click prints and exits
        except BrokenPipeError as exc:
            if not _stdout_gone(exc):
                code = _report(exc)
                raise typer.Exit(code=code) from None
            _silence_stdout()
            raise typer.Exit(code=EXIT_PIPE) from None
        except (Exception, Interrupted, KeyboardInterrupt) as exc:
            signum = fired_signal()
            if signum is not None and not isinstance(exc, Interrupted):
                # a library caught our Interrupted and raised something else: it was the signal
                exc = Interrupted(signum)
            code = _report(exc)
            raise typer.Exit(code=code) from None

    return wrapper
