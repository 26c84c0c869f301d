"""The ``actfn`` command.

Each feature area registers its own sub-commands from a module of its own
(``_cli_atlas``, ``_cli_claims``, ``_cli_bench``) through :func:`register`, so
the areas can grow independently. Every exception in a command becomes one line on
stderr: exit code 2 for bad input (:class:`CLIError`, ``ValueError``, ``TypeError``,
``OSError``), 1 for an internal error, 130/143/129 for SIGINT/SIGTERM/SIGHUP; the
global ``--debug`` flag adds the traceback (see :mod:`actfn._cli_common`).
"""

from __future__ import annotations

import importlib
import sys

import typer

from ._cli_common import CLIError, fail, guarded, set_debug

app = typer.Typer(
    name="actfn",
    help="Activation functions: exact values and derivatives, knowledge, plots.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)



def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"actfn {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="Print the traceback of an error."),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Activation functions: exact values and derivatives, knowledge, plots.

    Every command takes --help. Text is English or Chinese with --lang en|zh.
    """
    set_debug(debug)


_AREAS = ("actfn._cli_atlas", "actfn._cli_claims", "actfn._cli_bench", "actfn._cli_explore")

__all__ = ["app", "main", "CLIError", "fail", "guarded"]


def _register_areas() -> None:
    for mod in _AREAS:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue  # area not built yet
            raise
        module.register(app)


if __name__ != "__main__":
    # Under ``python -m actfn.cli`` the areas register with the real ``actfn.cli``
    # module imported below, not with this ``__main__`` copy (they import actfn.cli).
    _register_areas()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="actfn", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - outside a command (while importing)
        print("actfn: interrupted by SIGINT", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    from actfn.cli import main as _main

    _main()
