"""The ``actfn`` command.

Each command group is a module of this package that adds its sub-commands to the app
through its ``register(app)``, in the order of :data:`AREAS`: :mod:`.catalog` (list,
show, eval), :mod:`.plot` (plot, compare), :mod:`.atlas`, ``claims``
(:mod:`.claims`), :mod:`.bench`, :mod:`.explore` and :mod:`.audit`. The modules only parse
arguments and print; the work is done by the library (:mod:`actfn.bench`,
:mod:`actfn.plot`, :mod:`actfn.atlas`, :mod:`actfn.explore`, :mod:`actfn.audit`).

Every exception in a command becomes one line on stderr: exit code 2 for bad input
(:class:`CLIError`, ``ValueError``, ``TypeError``, ``OSError``), 1 for an internal
error, 130/143/129 for SIGINT/SIGTERM/SIGHUP; the global ``--debug`` flag adds the
traceback (see :mod:`actfn.cli._common`).
"""

from __future__ import annotations

import importlib
import sys

import typer

from ._common import CLIError, fail, guarded, set_debug

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
        from .. import __version__

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


#: The command-group modules, in the order their commands appear in ``actfn --help``.
AREAS = ("actfn.cli.catalog", "actfn.cli.plot", "actfn.cli.atlas", "actfn.cli.claims",
         "actfn.cli.bench", "actfn.cli.explore", "actfn.cli.audit")

__all__ = ["app", "main", "AREAS", "CLIError", "fail", "guarded"]


def _register_areas() -> None:
    for mod in AREAS:
        importlib.import_module(mod).register(app)


_register_areas()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, prog_name="actfn", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - outside a command (while importing)
        print("actfn: interrupted by SIGINT", file=sys.stderr)
        sys.exit(130)
