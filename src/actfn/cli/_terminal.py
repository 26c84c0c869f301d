"""Terminal output shared by the command modules: width, console, labels, tables.

Tables fit the terminal (``$COLUMNS``): columns are narrowed one cell at a time and
cells wrapped at spaces, then where code may break (after ``.``, ``,``, ``(``, ``/``,
before ``=``) or between wide (CJK) characters, and only as a last resort inside a
word.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import _i18n
from ._common import CLIError

if TYPE_CHECKING:  # rich is imported when a table is printed, not with the CLI
    from rich.console import Console
    from rich.table import Table

__all__ = ["LangOpt", "labels", "terminal_width", "console", "balanced_widths",
           "longest_unbreakable", "wrap_cell", "fitted_table"]

LangOpt = Annotated[str, typer.Option("--lang", help="Language of the text: en or zh.",
                                      metavar="en|zh")]


def labels(lang: str) -> dict[str, str]:
    """Interface labels in ``lang`` (``CLIError`` for an unknown language)."""
    if lang not in _i18n.LANGS:
        raise CLIError(f"unknown --lang {lang!r}; valid: {', '.join(_i18n.LANGS)}")
    return _i18n.labels()[lang]


def terminal_width() -> int:
    """Columns to fit: ``$COLUMNS`` if set, else the terminal's width, else 100."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return 100


def console(**kw: Any) -> Console:
    """A rich ``Console`` of :func:`terminal_width` columns, no highlighting (``kw``:
    more options, e.g. ``stderr=True``)."""
    from rich.console import Console

    return Console(width=terminal_width(), highlight=False, **kw)


_BREAK_AFTER = ".,(/"
#: A wide (CJK) character: a line may break before and after it.
_WIDE = r"[^\x00-\u2e7f]"


def _segments(word: str) -> list[str]:
    """``word`` cut where code may break: after ``.``, ``,``, ``(``, ``/`` and before
    ``=`` (``torch.nn.functional.selu(x)`` → ``torch.`` ``nn.`` ``functional.`` …)."""
    out, cur = [], ""
    for i, ch in enumerate(word):
        if ch == "=" and cur:
            out.append(cur)
            cur = ""
        cur += ch
        nxt = word[i + 1:i + 2]
        if ch in _BREAK_AFTER and not (ch in ".," and nxt.isdigit()):  # 0.01 stays whole
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def longest_unbreakable(text: str) -> int:
    """Width of the longest piece of ``text`` that :func:`wrap_cell` never breaks
    (unless it must)."""
    from rich.cells import cell_len

    def pieces(word: str) -> list[str]:  # rich breaks between wide (CJK) characters
        return [p for p in re.split(_WIDE, word) if p] or [word[:1]]

    return max((cell_len(piece) for word in text.split() for seg in _segments(word)
                for piece in pieces(seg)), default=0)


def _pieces(word: str) -> list[str]:
    """:func:`_segments` of ``word``, with every wide (CJK) character a piece of its own
    (a line may break between them, as between words)."""
    out: list[str] = []
    for seg in _segments(word):
        out += [p for p in re.split(f"({_WIDE})", seg) if p]
    return out


def wrap_cell(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` cells at spaces, then at code punctuation
    (:func:`_segments`) or between wide (CJK) characters, and only as a last resort
    inside a word. Continuation lines keep the line's indent."""
    from rich.cells import cell_len

    out: list[str] = []
    for line in text.splitlines() or [""]:
        out += [line] if cell_len(line) <= width else _wrap_line(line, width)
    return "\n".join(out)


def _wrap_line(line: str, width: int) -> list[str]:
    from rich.cells import cell_len

    indent = " " * (len(line) - len(line.lstrip(" ")))
    lines: list[str] = []
    cur = indent

    def place(piece: str, glue: str) -> None:
        nonlocal cur
        if cell_len(cur) + len(glue) + cell_len(piece) <= width:
            cur += glue + piece
            return
        if cur.strip():
            lines.append(cur)
        cur = indent
        while cell_len(cur) + cell_len(piece) > width:  # last resort: inside the piece
            room, take = max(1, width - cell_len(cur)), 0
            while take < len(piece) and cell_len(piece[:take + 1]) <= room:
                take += 1
            take = max(take, 1)
            lines.append(cur + piece[:take])
            piece = piece[take:]
        cur += piece

    for word in line.split():
        glue = " " if cur.strip() else ""
        fits_here = cell_len(cur) + len(glue) + cell_len(word) <= width
        fits_alone = len(indent) + cell_len(word) <= width
        if fits_here or fits_alone:
            place(word, glue)
            continue
        for k, piece in enumerate(_pieces(word)):
            place(piece, glue if k == 0 else "")
    if cur.strip():
        lines.append(cur)
    return lines


def balanced_widths(natural: Sequence[int], minimum: Sequence[int], total: int) -> list[int]:
    """Column widths that fit ``total`` cells: the widest column above its ``minimum``
    gives up one cell at a time (never below the minimum; may stay over ``total``)."""
    widths = list(natural)
    while sum(widths) > total:
        over = [i for i, w in enumerate(widths) if w > minimum[i]]
        if not over:
            break
        i = max(over, key=lambda j: widths[j] - minimum[j])
        widths[i] -= 1
    return widths


def fitted_table(table: Table, heads: Sequence[str], rows: Sequence[Sequence[str]],
                 overhead: int, whole: Sequence[int] = ()) -> Table:
    """Add ``heads`` and ``rows`` to the rich ``table``, columns sized to the terminal
    (``overhead``: cells taken by borders and padding) and cells wrapped by
    :func:`wrap_cell`, so code breaks at ``.``/``(``/``,``/``=`` rather than mid-name.
    Columns listed in ``whole`` keep their natural width."""
    from rich.cells import cell_len

    n = len(heads)
    natural = [max([cell_len(line) for r in rows for line in r[i].splitlines()]
                   + [cell_len(w) for w in heads[i].split()]) for i in range(n)]
    minimum = [max([longest_unbreakable(r[i]) for r in rows]
                   + [cell_len(w) for w in heads[i].split()]) for i in range(n)]
    minimum = [natural[i] if i in whole else min(m, 20) for i, m in enumerate(minimum)]
    widths = balanced_widths(natural, minimum, terminal_width() - overhead)
    for head, w in zip(heads, widths, strict=True):
        table.add_column(head, overflow="fold", width=w)
    for r in rows:
        table.add_row(*(wrap_cell(c, w) for c, w in zip(r, widths, strict=True)))
    return table
