"""``actfn atlas``: build the static atlas site (:mod:`actfn.atlas`) with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import CLIError, guarded, help_text
from ._terminal import console

__all__ = ["register", "cmd_atlas"]


def cmd_atlas(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="DIR",
                                         help="Directory of the site.")]
    = Path("site"),
    lang: Annotated[str, typer.Option(
        "--lang", metavar="en|zh|both",
        help="Pages in English (NAME.html), Chinese (NAME.zh.html) or both.")] = "both",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Also write into a non-empty folder that actfn did not make (only "
        "actfn's own files are written; a file of the same name that actfn did not write is "
        "refused, never replaced).")] = False,
) -> None:
    """Build the atlas: a static site that works offline.

    The folder must be new, empty, or an earlier atlas (it lists actfn's files in
    .actfn-manifest.json); a rebuild replaces only actfn's files and leaves everything
    else (.git, CNAME, notes) alone. Needs only the cli extra (no torch, JAX or Keras).
    """
    from ..atlas import LANGS, build, check_target

    if lang not in LANGS:
        raise CLIError(f"unknown --lang {lang!r}; valid: {', '.join(LANGS)}")
    check_target(output, force=force, lang=lang)  # fail before the progress bar appears
    if quiet:
        build(output, force=force, lang=lang)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(TextColumn("[bold]atlas[/bold] {task.description:<16}"), BarColumn(),
                      MofNCompleteColumn(), console=console(stderr=True)) as bar:
            task = bar.add_task("starting", total=None)

            def report(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            build(output, progress=report, force=force, lang=lang)
    first = "index.html" if lang != "zh" else "index.zh.html"
    typer.echo(f"wrote {Path(output) / first}")


def register(app: typer.Typer) -> None:
    """Add ``atlas`` to the ``actfn`` Typer app."""
    app.command("atlas", help=help_text(cmd_atlas))(guarded(cmd_atlas))
