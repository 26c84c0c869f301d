"""The ``actfn`` command.

Each feature area registers its own sub-commands from a module of its own
(``_cli_atlas``, ``_cli_claims``, ``_cli_bench``) through :func:`register`, so
the areas can grow independently. Errors raised as :class:`CLIError`,
``ValueError`` or ``TypeError`` become one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import typer

app = typer.Typer(
    name="actfn",
    help="Activation functions: exact values and derivatives, knowledge, plots.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_AREAS = ("actfn._cli_atlas", "actfn._cli_claims", "actfn._cli_bench")


class CLIError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


def fail(message: str) -> None:
    """Print ``actfn: error: message`` on stderr and exit with code 2."""
    typer.echo(f"actfn: error: {message}", err=True)
    raise typer.Exit(code=2)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: turn user errors inside a command into a one-line message."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (CLIError, ValueError, TypeError, OSError) as exc:
            fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    return wrapper


def _register_areas() -> None:
    for mod in _AREAS:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue  # area not built yet
            raise
        module.register(app)


_register_areas()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="actfn", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
