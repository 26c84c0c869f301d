"""``actfn`` sub-commands of the atlas area: list, show, eval, plot, compare, atlas.

Every command reads the registry, so it can never disagree with the implementation.
User errors (unknown name, bad ``--param``, unparsable number, unwritable output) end
as one line on stderr and exit code 2; outputs are written atomically.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from . import _i18n, get, lookup, names
from ._cli_common import CLIError, guarded, help_text, user_params
from ._registry import Properties, Spec
from ._texuni import to_lines

__all__ = ["register", "parse_params", "parse_number", "format_value", "DTYPES"]

#: dtypes accepted by ``actfn eval --dtype``.
DTYPES = ("float16", "bfloat16", "float32", "float64")

def _labels(lang: str) -> dict[str, str]:
    """Interface labels in ``lang`` (``CLIError`` for an unknown language)."""
    if lang not in _i18n.LANGS:
        raise CLIError(f"unknown --lang {lang!r}; valid: {', '.join(_i18n.LANGS)}")
    return _i18n.labels()[lang]


LangOpt = Annotated[str, typer.Option("--lang", help="Language of the text: en or zh.",
                                      metavar="en|zh")]


# -- parsing helpers --------------------------------------------------------------------------
def parse_number(text: str) -> float:
    """Parse a real number given on the command line (``inf``/``nan`` allowed)."""
    try:
        return float(text.strip())
    except ValueError:
        raise CLIError(f"cannot parse {text!r} as a number") from None


def parse_params(spec: Spec, items: Sequence[str] | None) -> dict[str, Any]:
    """Turn ``["k=v", ...]`` into keyword arguments for ``actfn.get`` (validated there)."""
    known = {p.name: p for p in spec.params}
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, raw = item.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw:
            raise CLIError(f"bad --param {item!r}: expected NAME=VALUE")
        p = known.get(key)
        if p is None:
            valid = ", ".join(known) if known else "none"
            raise CLIError(f"bad --param {item!r}: {spec.name} has no parameter {key!r} "
                           f"(valid: {valid})")
        if p.choices is not None:
            out[key] = raw
        elif p.vector and "," in raw:
            try:
                out[key] = tuple(float(v) for v in raw.split(","))
            except ValueError:
                raise CLIError(f"bad --param {item!r}: {raw!r} is not a list of numbers") from None
        else:
            try:
                out[key] = float(raw)
            except ValueError:
                raise CLIError(f"bad --param {item!r}: {raw!r} is not a number") from None
    return out


def _dtype(name: str) -> Any:
    if name not in DTYPES:
        raise CLIError(f"unknown --dtype {name!r}; valid: {', '.join(DTYPES)}")
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def format_value(v: Any) -> str:
    """The shortest text that reads back as exactly ``v`` in its own dtype."""
    v = np.asarray(v)[()]
    if v.dtype in (np.float16, np.float32, np.float64):
        av = abs(float(v))
        if av == 0 or 1e-4 <= av < 1e16 or not math.isfinite(av):
            return np.format_float_positional(v, unique=True, trim="-")
        return np.format_float_scientific(v, unique=True, trim="-")
    # bfloat16 and other ml_dtypes: go through float32, which holds them exactly
    f32 = np.float32(v)
    for digits in range(1, 10):
        text = f"{float(f32):.{digits}g}"
        if np.asarray(float(text)).astype(v.dtype) == v or not np.isfinite(f32):
            return text
    return repr(float(f32))


#: Largest |LO|, |HI| accepted by ``--range``: the axes add margins and tick steps to
#: the range, which must stay finite in float64 (1e300 leaves room; 1e308 overflows).
MAX_RANGE = 1e300


def _parse_range(values: Sequence[str] | None) -> tuple[float, float] | None:
    if not values:
        return None
    lo, hi = (parse_number(v) for v in values)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise CLIError(f"bad --range {values[0]} {values[1]}: need finite LO < HI")
    if max(abs(lo), abs(hi)) > MAX_RANGE:
        raise CLIError(f"bad --range {values[0]} {values[1]}: too wide to draw; need "
                       f"|LO|, |HI| <= {MAX_RANGE:g}")
    return lo, hi


def terminal_width() -> int:
    """Columns to fit: ``$COLUMNS`` if set, else the terminal's width, else 100."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return 100


def _console(**kw: Any) -> Any:
    from rich.console import Console

    return Console(width=terminal_width(), highlight=False, **kw)


def _short_range(p: Properties) -> str:
    def num(v: float) -> str:
        return ("∞" if v > 0 else "-∞") if math.isinf(v) else f"{v:.4g}"

    lo, hi = p.range
    left = "[" if p.attained[0] and math.isfinite(lo) else "("
    right = "]" if p.attained[1] and math.isfinite(hi) else ")"
    return f"{left}{num(lo)}, {num(hi)}{right}"


def smoothness_text(p: Properties) -> str:
    """Smoothness for the terminal: ``C∞``, ``C¹``, ``C⁰``, or ``jump``."""
    if math.isinf(p.smoothness):
        return "C∞"
    return "jump" if p.smoothness < 0 else p.smoothness_label


def _props_row(spec: Spec, lang: str = "en", short: bool = False) -> list[str]:
    t = _labels(lang)
    p: Properties | None = spec.knowledge.properties
    if p is None:
        return ["?"] * 6
    if short:
        sat = {(): "-", ("-",): "x→-∞", ("+",): "x→+∞"}.get(tuple(p.saturates), t["both"])
        rng = _short_range(p)
    else:
        sat = ", ".join({"-": t["left"], "+": t["right"]}[s] for s in p.saturates) or t["none"]
        rng = _i18n.text(spec, "range_text", lang) or p.range_label()
    smooth = smoothness_text(p)
    return [
        rng,
        t["yes"] if p.monotone else t["no"],
        smooth,
        t["yes"] if p.zero_centred else t["no"],
        sat,
        t["yes"] if p.sparse else t["no"],
    ]


# -- commands -----------------------------------------------------------------------------------
ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", metavar="NAME=VALUE",
                 help="A parameter of the activation (repeatable)."),
]


def fit_widths(natural: Sequence[int], minimum: Sequence[int], shrink: Sequence[int],
               total: int) -> list[int]:
    """Column widths that fit ``total`` characters: start from the ``natural`` widths and
    narrow the columns listed in ``shrink`` (in that order) down to their ``minimum``."""
    widths = list(natural)
    for i in shrink:
        over = sum(widths) - total
        if over <= 0:
            break
        widths[i] = max(minimum[i], widths[i] - over)
    return widths


_BREAK_AFTER = ".,(/"


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
    import re

    from rich.cells import cell_len

    def pieces(word: str) -> list[str]:  # rich breaks between wide (CJK) characters
        return [p for p in re.split(r"[^\x00-\u2e7f]", word) if p] or [word[:1]]

    return max((cell_len(piece) for word in text.split() for seg in _segments(word)
                for piece in pieces(seg)), default=0)


def _pieces(word: str) -> list[str]:
    """:func:`_segments` of ``word``, with every wide (CJK) character a piece of its own
    (a line may break between them, as between words)."""
    import re

    out: list[str] = []
    for seg in _segments(word):
        out += [p for p in re.split(r"([^\x00-\u2e7f])", seg) if p]
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


def fitted_table(table: Any, heads: Sequence[str], rows: Sequence[Sequence[str]],
                 overhead: int, whole: Sequence[int] = ()) -> Any:
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


def cmd_list(lang: LangOpt = "en") -> None:
    """Every activation with its family and key properties.

    The table fits the terminal ($COLUMNS): long cells wrap, nothing is cut.
    """
    from rich.cells import cell_len
    from rich.table import Table

    t = _labels(lang)
    heads = (t["name"], t["family"], t["range_short"], t["mono_short"], t["smooth_short"],
             t["zero_mean"], t["sat_short"], t["sparse_short"], t["params_short"])
    rows = []
    for n in names():
        spec = lookup(n)
        params = "\n".join(f"{p.name}={_short(p.default)}" for p in spec.params) or "-"
        rows.append([n, _i18n.family(spec, lang), *_props_row(spec, lang, short=True), params])
    natural = [max(cell_len(line) for r in rows for line in r[i].splitlines())
               for i in range(len(heads))]
    natural = [max(w, *(cell_len(word) for word in h.split())) for w, h in zip(natural, heads,
                                                                               strict=True)]
    table = Table(title="actfn: " + t["n_activations"].format(n=len(rows)), box=None,
                  pad_edge=False, padding=(0, 1), header_style="bold underline")
    # each gap between columns takes 2 cells; no outer edge
    if sum(natural) + 2 * (len(heads) - 1) > terminal_width():
        # too narrow for a parameters column: the parameters go under each name,
        # indented, so no name, family or parameter breaks mid-word
        heads = (f"{heads[0]} {heads[-1]}", *heads[1:-1])
        rows = [[r[0] + "".join(f"\n  {p}" for p in r[-1].splitlines() if p != "-"),
                 *r[1:-1]] for r in rows]
    fitted_table(table, heads, rows, 2 * (len(heads) - 1), whole=(0,))
    _console().print(table)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v) if isinstance(v, str) else str(v)


def _equivalent_rows(spec: Spec, lang: str) -> list[list[str]]:
    t = _labels(lang)
    rows = []
    for e in spec.knowledge.frameworks:
        notes = _i18n.text(spec, f"framework:{e.framework}:notes", lang)
        if e.kink_grad is not None:
            grads = ", ".join(f"{g:.6g}" for g in e.kink_grad)
            notes = (notes + " " if notes else "") + f"[{t['autodiff_at_kinks']}: {grads}]"
        rows.append([e.framework, e.at(spec.defaults()) or "-", e.layer or "-",
                     _i18n.text(spec, f"framework:{e.framework}:params", lang) or "-",
                     notes or "-"])
    return rows


_FORMULA_LABELS = (("f", "f(x)"), ("df", "f′(x)"), ("d2f", "f″(x)"))


def formula_lines(spec: Spec, lang: str = "en", latex: bool = False) -> list[str]:
    """The formulas of ``spec`` as terminal lines: Unicode text, or the LaTeX source."""
    keys = [(k, lab) for k, lab in _FORMULA_LABELS if k in spec.latex]
    keys += [(k, f"f(x) [{k.split('_', 1)[-1]}]") for k in sorted(spec.latex)
             if k not in dict(_FORMULA_LABELS)]
    width = max((len(lab) for _, lab in keys), default=0)
    out = []
    for key, lab in keys:
        head = f"  {lab.ljust(width)} = "
        body = [spec.latex[key]] if latex else to_lines(spec.latex[key], lang)
        out.append(head + body[0])
        out += [" " * len(head) + line for line in body[1:]]
    return out


def cmd_show(name: Annotated[str, typer.Argument(metavar="NAME", help="Activation name.")],
             param: ParamOpt = None, lang: LangOpt = "en",
             latex: Annotated[bool, typer.Option(
                 "--latex", help="Print the formulas as LaTeX instead of Unicode text.")]
             = False) -> None:
    """Everything about one activation: formulas, properties, notes.

    Formulas print as Unicode text (--latex for the LaTeX source), with every symbol
    defined; --lang zh prints it all in Chinese.
    """
    from rich.padding import Padding
    from rich.table import Table

    t = _labels(lang)
    spec = lookup(name)
    params = parse_params(spec, param)
    with user_params(spec.name, params):
        act = get(spec.name, **params)
    con = _console()
    con.rule(f"[bold]{act!r}")
    summary = _i18n.text(spec, "summary", lang)
    if summary:
        con.print(summary, markup=False)
    if spec.aliases:
        con.print(f"{t['aliases']}{t['sep']}{', '.join(spec.aliases)}", markup=False)
    con.print(f"\n[bold]{t['formula']}[/bold]")
    for line in formula_lines(spec, lang, latex):
        con.print(line, markup=False, overflow="fold")
    syms = _i18n.symbols(spec, lang)
    if syms:
        con.print(f"\n[bold]{t['symbols']}[/bold]")
        for sym, meaning in syms:
            con.print(f"  {sym}{t['sep']}{meaning}", markup=False)
    kink = _i18n.text(spec, "kink_convention", lang)
    if kink:  # wrapped lines hang under the text, not under the label
        from rich.text import Text

        hang = Table.grid(padding=(0, 0))
        hang.add_column(no_wrap=True)
        hang.add_column(overflow="fold")
        hang.add_row(Text(f"  {t['kinks']}{t['sep']}"), Text(kink))
        con.print()
        con.print(hang)
    if not spec.knowledge.documented:  # registered without a knowledge file
        con.print(f"\n{_i18n.undocumented(lang)}", markup=False)
    p: Properties | None = spec.knowledge.properties
    if p is not None:
        table = Table(title=t["properties"] + t["at_defaults"], show_header=False)
        table.add_column(overflow="fold")
        table.add_column(overflow="fold")
        row = _props_row(spec, lang)
        learn = [q.name for q in spec.params if q.learnable]
        for label, value in zip(
            (t["range"], t["monotone"], t["smooth"], t["zc"], t["sat"], t["sparse"]),
            row, strict=True,
        ):
            table.add_row(label, value)
        table.add_row(t["sn"], t["yes"] if p.self_normalizing else t["no"])
        table.add_row(t["learn"], ", ".join(learn) or t["none"])
        con.print(table)
    if spec.params:
        table = Table(title=t["parameters"])
        for col in ("name", "value", "default", "valid", "meaning"):
            table.add_column(t[col], overflow="fold")
        for q in spec.params:
            table.add_row(q.name, _short(act.params[q.name]), _short(q.default),
                          _i18n.valid_range(q, lang), _i18n.text(spec, f"param:{q.name}", lang))
        con.print(table)
    rows = _equivalent_rows(spec, lang)
    if rows:
        table = Table(title=t["frameworks"], show_lines=True)
        heads = [t[col] for col in ("framework", "call", "layer", "map", "notes")]
        # borders: 1 + 3 per column (a bar and a padding cell each side)
        con.print(fitted_table(table, heads, rows, 1 + 3 * len(heads)))
    prose = _i18n.prose(spec, lang)
    if prose is not None:
        from rich.text import Text

        for key, items in (("strengths", prose.strengths), ("weaknesses", prose.weaknesses),
                           ("corrections", prose.corrections)):
            if items:
                con.print(f"\n[bold]{t[key]}[/bold]")
                bullets = Table.grid(padding=(0, 1))  # wrapped lines stay indented
                bullets.add_column(width=3, justify="right")
                bullets.add_column(overflow="fold")
                for item in items:
                    bullets.add_row("•", Text(item))
                con.print(bullets)
        con.print(f"\n[bold]{t['use']}[/bold]")
        con.print(Padding(Text(prose.use), (0, 0, 0, 2)))
    if spec.reference:
        con.print(f"\n[bold]{t['reference']}[/bold]")
        con.print(f"  {spec.reference}", markup=False)
        for url in _i18n.links(spec):
            con.print(f"  {url}", markup=False)


def cmd_eval(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Activation name.")],
    x: Annotated[list[str], typer.Argument(metavar="X...",
                                           help="Points (negative numbers are fine).")],
    param: ParamOpt = None,
    dtype: Annotated[str, typer.Option("--dtype", metavar="DTYPE",
                                      help="float16, bfloat16, float32 or float64.")]
    = "float32",
) -> None:
    """f, f′ and f″ at the points, in the chosen dtype.

    Each value is printed with just enough digits to read back exactly.
    """
    spec = lookup(name)
    params = parse_params(spec, param)
    dt = _dtype(dtype)
    with np.errstate(over="ignore"):  # e.g. 70000 → inf in float16, as intended
        xs = np.asarray([parse_number(v) for v in x], dtype=np.float64).astype(dt)
    with user_params(spec.name, params):
        act = get(spec.name, **params)
        cols = [xs, act(xs), act.derivative(xs), act.second_derivative(xs)]
    header = ["x", "f(x)", "f'(x)", "f''(x)"]
    text = [[format_value(v) for v in c] for c in cols]
    widths = [max(len(h), *(len(s) for s in col)) for h, col in zip(header, text, strict=True)]
    typer.echo(f"# {act!r}  dtype={dtype}")
    typer.echo("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for i in range(len(xs)):
        typer.echo("  ".join(col[i].rjust(w) for col, w in zip(text, widths, strict=True)))


def cmd_plot(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Activation name.")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE",
                                         help="PNG, SVG or PDF file.")],
    param: ParamOpt = None,
    range_: Annotated[tuple[str, str] | None, typer.Option("--range", metavar="LO HI", help="Range of x.")] = None,
    second: Annotated[bool, typer.Option("--second", help="Also draw f″.")] = False,
) -> None:
    """Draw f and f′ (and f″) on centred axes and write the figure."""
    from . import plot

    spec = lookup(name)
    params = parse_params(spec, param)
    x_range = _parse_range(range_)
    plot.check_output(output)  # refuse a bad path before drawing
    with user_params(spec.name, params):
        act = get(spec.name, **params)
        plot.plot(act, output, x_range=x_range, second=second)
    typer.echo(f"wrote {output}")


def cmd_compare(
    name: Annotated[list[str], typer.Argument(metavar="NAME...",
                                              help="Two or more activations.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE",
                                                help="PNG, SVG or PDF file.")]
    = None,
    layout: Annotated[str, typer.Option("--layout", metavar="overlay|grid",
                                       help="Curves in one plot or one panel each.")] = "overlay",
    range_: Annotated[tuple[str, str] | None, typer.Option("--range", metavar="LO HI", help="Range of x.")] = None,
    lang: LangOpt = "en",
) -> None:
    """Compare activations: a figure (-o) or a table.

    With -o, a figure; otherwise a table of their properties.
    """
    if len(name) < 2:
        raise CLIError(f"compare needs two or more activations, got {len(name)}; use "
                       f"'actfn show {name[0] if name else 'NAME'}' for one")
    specs = [lookup(n) for n in name]
    _labels(lang)
    if layout not in ("overlay", "grid"):
        raise CLIError(f"unknown --layout {layout!r}; valid: overlay, grid")
    x_range = _parse_range(range_)
    if output is not None:
        from . import plot

        plot.check_output(output)
        plot.compare([s.name for s in specs], output, x_range=x_range, layout=layout)
        typer.echo(f"wrote {output}")
        return
    from rich.table import Table

    t = _labels(lang)
    table = Table(title=t["comparison"])
    table.add_column("")
    for s in specs:
        table.add_column(s.name, overflow="fold")
    rows = [_props_row(s, lang, short=True) for s in specs]
    labels = (t["range_short"], t["monotone"], t["smooth"], t["zero_mean"], t["sat"],
              t["sparse_short"])
    for i, label in enumerate(labels):
        table.add_row(label, *(r[i] for r in rows))
    table.add_row(t["family"], *(_i18n.family(s, lang) for s in specs))
    _console().print(table)


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
    from .atlas import LANGS, build, check_target

    if lang not in LANGS:
        raise CLIError(f"unknown --lang {lang!r}; valid: {', '.join(LANGS)}")
    check_target(output, force=force, lang=lang)  # fail before the progress bar appears
    if quiet:
        build(output, force=force, lang=lang)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(TextColumn("[bold]atlas[/bold] {task.description:<16}"), BarColumn(),
                      MofNCompleteColumn(), console=_console(stderr=True)) as bar:
            task = bar.add_task("starting", total=None)

            def report(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            build(output, progress=report, force=force, lang=lang)
    first = "index.html" if lang != "zh" else "index.zh.html"
    typer.echo(f"wrote {Path(output) / first}")


def register(app: typer.Typer) -> None:
    """Add the atlas-area commands to the ``actfn`` Typer app."""
    app.command("list", help=help_text(cmd_list))(guarded(cmd_list))
    app.command("show", help=help_text(cmd_show))(guarded(cmd_show))
    app.command(
        "eval", help=help_text(cmd_eval),
        context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True}
    )(guarded(cmd_eval))
    app.command("plot", help=help_text(cmd_plot))(guarded(cmd_plot))
    app.command("compare", help=help_text(cmd_compare))(guarded(cmd_compare))
    app.command("atlas", help=help_text(cmd_atlas))(guarded(cmd_atlas))
