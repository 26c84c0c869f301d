"""``actfn plot`` and ``actfn compare``: figures of activations, or a table of their
properties.

The figures are drawn by :mod:`actfn.plot`; a bad output path is refused before
anything is drawn, and the file is written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import _i18n, get, lookup
from ._args import ParamOpt, parse_params, parse_range
from ._common import CLIError, guarded, help_text, user_params
from ._terminal import LangOpt, console, labels
from .catalog import props_row

__all__ = ["register", "cmd_plot", "cmd_compare"]


def cmd_plot(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Activation name.")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE",
                                         help="PNG, SVG or PDF file.")],
    param: ParamOpt = None,
    range_: Annotated[tuple[str, str] | None, typer.Option("--range", metavar="LO HI",
                                                           help="Range of x.")] = None,
    second: Annotated[bool, typer.Option("--second", help="Also draw f″.")] = False,
) -> None:
    """Draw f and f′ (and f″) on centred axes and write the figure.

    A gated unit (two inputs) is drawn along its gate: f for a few values of up, and
    ∂f/∂gate, ∂f/∂up at up = 1 (--second adds ∂²f/∂gate²).
    """
    from .. import plot as plotting  # matplotlib: only when drawing

    spec = lookup(name, kind="all")
    params = parse_params(spec, param)
    x_range = parse_range(range_)
    plotting.check_output(output)  # refuse a bad path before drawing
    with user_params(spec.name, params):
        act = get(spec.name, **params)
        plotting.plot(act, output, x_range=x_range, second=second)
    typer.echo(f"wrote {output}")


def cmd_compare(
    name: Annotated[list[str], typer.Argument(metavar="NAME...",
                                              help="Two or more activations.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="PNG, SVG or PDF file.")]
    = None,
    layout: Annotated[str, typer.Option("--layout", metavar="overlay|grid",
                                       help="Curves in one plot or one panel each.")] = "overlay",
    range_: Annotated[tuple[str, str] | None, typer.Option("--range", metavar="LO HI",
                                                           help="Range of x.")] = None,
    lang: LangOpt = "en",
) -> None:
    """Compare activations: a figure (-o) or a table.

    With -o, a figure; otherwise a table of their properties.
    """
    if len(name) < 2:
        raise CLIError(f"compare needs two or more activations, got {len(name)}; use "
                       f"'actfn show {name[0] if name else 'NAME'}' for one")
    specs = [lookup(n) for n in name]
    t = labels(lang)
    if layout not in ("overlay", "grid"):
        raise CLIError(f"unknown --layout {layout!r}; valid: overlay, grid")
    x_range = parse_range(range_)
    if output is not None:
        from .. import plot as plotting  # matplotlib: only when drawing

        plotting.check_output(output)
        plotting.compare([s.name for s in specs], output, x_range=x_range, layout=layout)
        typer.echo(f"wrote {output}")
        return
    from rich.table import Table

    table = Table(title=t["comparison"])
    table.add_column("")
    for s in specs:
        table.add_column(s.name, overflow="fold")
    rows = [props_row(s, lang, short=True) for s in specs]
    heads = (t["range_short"], t["monotone"], t["smooth"], t["zero_mean"], t["sat"],
             t["sparse_short"])
    for i, head in enumerate(heads):
        table.add_row(head, *(r[i] for r in rows))
    table.add_row(t["family"], *(_i18n.family(s, lang) for s in specs))
    console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``plot`` and ``compare`` to the ``actfn`` Typer app."""
    app.command("plot", help=help_text(cmd_plot))(guarded(cmd_plot))
    app.command("compare", help=help_text(cmd_compare))(guarded(cmd_compare))
