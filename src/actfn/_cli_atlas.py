"""``actfn`` sub-commands of the atlas area: list, show, eval, plot, compare, atlas.

Every command reads the registry, so it can never disagree with the implementation.
User errors (unknown name, bad ``--param``, unparsable number, unwritable output) end
as one line on stderr and exit code 2; outputs are written atomically.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from . import get, lookup, names
from ._cli_common import CLIError, guarded, help_text, user_params
from ._registry import Equivalent, Properties, Prose, Spec

__all__ = ["register", "parse_params", "parse_number", "format_value", "DTYPES"]

#: dtypes accepted by ``actfn eval --dtype``.
DTYPES = ("float16", "bfloat16", "float32", "float64")

_T = {
    "en": {
        "summary": "Summary", "formula": "Formula", "kinks": "At the kinks",
        "properties": "Properties", "parameters": "Parameters", "frameworks": "Frameworks",
        "strengths": "Strengths", "weaknesses": "Weaknesses", "use": "Typical use",
        "corrections": "Often said, but wrong", "reference": "Reference",
        "aliases": "Aliases", "range": "output range", "monotone": "monotone (non-decreasing)",
        "smooth": "smoothness", "zc": "zero-centred (E f(Z) = 0, Z ~ N(0,1))",
        "sat": "saturates", "sn": "self-normalizing", "sparse": "sparse output",
        "learn": "learnable parameters", "yes": "yes", "no": "no", "none": "none",
        "name": "name", "default": "default", "value": "value", "valid": "valid range",
        "meaning": "meaning", "call": "function", "layer": "layer / module",
        "map": "parameters", "notes": "notes", "left": "x → -∞", "right": "x → +∞",
        "at_defaults": " (at the default parameters)",
    },
    "zh": {
        "summary": "简介", "formula": "公式", "kinks": "折点处的取值",
        "properties": "性质", "parameters": "参数", "frameworks": "各框架中的对应",
        "strengths": "优点", "weaknesses": "缺点", "use": "典型用途",
        "corrections": "常见但错误的说法", "reference": "参考文献",
        "aliases": "别名", "range": "值域", "monotone": "单调(不减)",
        "smooth": "光滑性", "zc": "以 0 为中心(E f(Z) = 0,Z ~ N(0,1))",
        "sat": "饱和", "sn": "自归一化", "sparse": "稀疏输出",
        "learn": "可学习参数", "yes": "是", "no": "否", "none": "无",
        "name": "名称", "default": "默认值", "value": "取值", "valid": "有效范围",
        "meaning": "含义", "call": "函数", "layer": "层 / 模块",
        "map": "参数对应", "notes": "说明", "left": "x → -∞", "right": "x → +∞",
        "at_defaults": "(默认参数下)",
    },
}


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


def _console(**kw: Any) -> Any:
    from rich.console import Console

    width = None if sys.stdout.isatty() else 160
    return Console(width=width, highlight=False, **kw)


def _props_row(spec: Spec, lang: str = "en", short: bool = False) -> list[str]:
    t = _T[lang]
    p: Properties | None = spec.info.get("properties")
    if p is None:
        return ["?"] * 6
    if short:
        sat = {(): "-", ("-",): "x→-∞", ("+",): "x→+∞"}.get(tuple(p.saturates), "both")
        rng = Properties(p.range, p.attained).range_label()
        smooth = "jump" if p.smoothness < 0 else p.smoothness_label
    else:
        sat = ", ".join({"-": t["left"], "+": t["right"]}[s] for s in p.saturates) or t["none"]
        rng = p.range_label()
        smooth = p.smoothness_label
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
    typer.Option("--param", "-p", help="Parameter as NAME=VALUE (repeatable)."),
]


def cmd_list() -> None:
    """Table of every activation with its family and key properties."""
    from rich.table import Table

    table = Table(title=f"actfn: {len(names())} activations", show_lines=False)
    for col in ("name", "family", "range", "monotone", "smooth", "zero-mean", "saturates",
                "sparse", "parameters"):
        if col == "parameters":
            table.add_column(col, overflow="fold", min_width=28)
        else:
            table.add_column(col, no_wrap=True)
    for n in names():
        spec = lookup(n)
        params = ", ".join(f"{p.name}={_short(p.default)}" for p in spec.params) or "-"
        table.add_row(n, spec.family, *_props_row(spec, short=True), params)
    _console().print(table)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v) if isinstance(v, str) else str(v)


def _equivalent_rows(eqs: Sequence[Equivalent]) -> list[list[str]]:
    rows = []
    for e in eqs:
        notes = e.notes
        if e.kink_grad is not None:
            grads = ", ".join(f"{g:.6g}" for g in e.kink_grad)
            notes = (notes + " " if notes else "") + f"[autodiff at the kinks: {grads}]"
        rows.append([e.framework, e.call or "-", e.layer or "-", e.params or "-", notes or "-"])
    return rows


def cmd_show(name: str, param: ParamOpt = None,
             lang: Annotated[str, typer.Option("--lang", help="en or zh")] = "en") -> None:
    """Formula, derivatives, properties, parameters, framework names and notes."""
    from rich.table import Table

    if lang not in _T:
        raise CLIError(f"unknown --lang {lang!r}; valid: en, zh")
    spec = lookup(name)
    params = parse_params(spec, param)
    with user_params(spec.name, params):
        act = get(spec.name, **params)
    t = _T[lang]
    con = _console()
    con.rule(f"[bold]{act!r}")
    if spec.summary:
        con.print(spec.summary)
    if spec.aliases:
        con.print(f"{t['aliases']}: {', '.join(spec.aliases)}")
    con.print(f"\n[bold]{t['formula']}[/bold]")
    for key, label in (("f", "f(x)  "), ("df", "f'(x) "), ("d2f", "f''(x)")):
        if key in spec.latex:
            con.print(f"  {label} = {spec.latex[key]}", markup=False)
    if spec.kink_convention:
        con.print(f"  {t['kinks']}: {spec.kink_convention}", markup=False)
    p: Properties | None = spec.info.get("properties")
    if p is not None:
        table = Table(title=t["properties"] + t["at_defaults"], show_header=False)
        table.add_column()
        table.add_column()
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
            table.add_column(t[col])
        for q in spec.params:
            table.add_row(q.name, _short(act.params[q.name]), _short(q.default),
                          q.valid_range(), q.doc)
        con.print(table)
    eqs = spec.info.get("frameworks", ())
    if eqs:
        table = Table(title=t["frameworks"], show_lines=True)
        for col in ("", "call", "layer", "map", "notes"):
            table.add_column(t.get(col, col), overflow="fold")
        for r in _equivalent_rows(eqs):
            table.add_row(*r)
        con.print(table)
    prose: Prose | None = spec.info.get(lang)
    if prose is not None:
        for key, items in (("strengths", prose.strengths), ("weaknesses", prose.weaknesses),
                           ("corrections", prose.corrections)):
            if items:
                con.print(f"\n[bold]{t[key]}[/bold]")
                for item in items:
                    con.print(f"  • {item}", markup=False)
        con.print(f"\n[bold]{t['use']}[/bold]")
        con.print(f"  {prose.use}", markup=False)
    if spec.reference:
        con.print(f"\n[bold]{t['reference']}[/bold]")
        con.print(f"  {spec.reference}", markup=False)


def cmd_eval(
    name: str,
    x: Annotated[list[str], typer.Argument(help="Points (negative numbers are fine).")],
    param: ParamOpt = None,
    dtype: Annotated[str, typer.Option("--dtype", help="float16, bfloat16, float32, float64")]
    = "float32",
) -> None:
    """f, f′ and f″ at the points, printed with enough digits to round-trip the dtype."""
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
    name: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG, SVG or PDF file.")],
    param: ParamOpt = None,
    range_: Annotated[tuple[str, str] | None, typer.Option("--range", help="LO HI")] = None,
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
    name: Annotated[list[str], typer.Argument(help="Two or more activations.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="PNG, SVG or PDF.")]
    = None,
    layout: Annotated[str, typer.Option("--layout", help="overlay or grid")] = "overlay",
    range_: Annotated[tuple[str, str] | None, typer.Option("--range", help="LO HI")] = None,
) -> None:
    """Compare activations: a figure with -o, otherwise a table of properties."""
    if len(name) < 2:
        raise CLIError(f"compare needs two or more activations, got {len(name)}; use "
                       f"'actfn show {name[0] if name else 'NAME'}' for one")
    specs = [lookup(n) for n in name]
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

    table = Table(title="comparison")
    table.add_column("")
    for s in specs:
        table.add_column(s.name)
    rows = [_props_row(s, short=True) for s in specs]
    labels = ("range", "monotone", "smoothness", "zero-centred", "saturates", "sparse")
    for i, label in enumerate(labels):
        table.add_row(label, *(r[i] for r in rows))
    table.add_row("family", *(s.family for s in specs))
    _console().print(table)


def cmd_atlas(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory of the site.")]
    = Path("site"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Also write into a non-empty folder that actfn did not make (only "
        "actfn's own files are written; nothing else is touched).")] = False,
) -> None:
    """Build the activation atlas: a self-contained static site (works offline).

    The folder must be new, empty, or an earlier atlas (it lists actfn's files in
    .actfn-manifest.json); a rebuild replaces only actfn's files and leaves everything
    else (.git, CNAME, notes) alone.
    """
    from .atlas import build, check_target

    check_target(output, force=force)  # fail before the progress bar appears
    if quiet:
        build(output, force=force)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(TextColumn("[bold]atlas[/bold] {task.description:<16}"), BarColumn(),
                      MofNCompleteColumn(), console=_console(stderr=True)) as bar:
            task = bar.add_task("starting", total=None)

            def report(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            build(output, progress=report, force=force)
    typer.echo(f"wrote {Path(output) / 'index.html'}")


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
