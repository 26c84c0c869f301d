"""``actfn list``, ``actfn show`` and ``actfn eval``: the registry in the terminal.

Every command reads the registry, so it can never disagree with the implementation.
User errors (unknown name, bad ``--param``, unparsable number) end as one line on
stderr and exit code 2.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import typer

from .. import _i18n, get, lookup, names
from .._registry import Properties, Spec
from .._texuni import to_lines
from ._args import ParamOpt, parse_dtype, parse_number, parse_params
from ._common import guarded, help_text, user_params
from ._terminal import LangOpt, console, fitted_table, labels, terminal_width

__all__ = ["register", "format_value", "smoothness_text", "props_row", "formula_lines",
           "cmd_list", "cmd_show", "cmd_eval"]


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


def props_row(spec: Spec, lang: str = "en", short: bool = False) -> list[str]:
    """The property cells of ``spec`` in ``lang``: range, monotone, smoothness,
    zero-centred, saturation, sparse (``?`` each without known properties); ``short``:
    the compact forms of the ``list`` and ``compare`` tables."""
    t = labels(lang)
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


KindOpt = Annotated[str, typer.Option(
    "--kind", metavar="KIND",
    help="elementwise (one input, the default), gated (two inputs: gate, up) or all.")]


def cmd_list(lang: LangOpt = "en", kind: KindOpt = "elementwise") -> None:
    """Every activation with its family and key properties.

    The table fits the terminal ($COLUMNS): long cells wrap, nothing is cut. --kind
    gated lists the gated units (two inputs, act(gate, up)) instead.
    """
    t = labels(lang)
    if kind not in ("elementwise", "gated", "all"):
        raise ValueError(f"unknown --kind {kind!r}; valid: elementwise, gated, all")
    if kind != "gated":
        _list_elementwise(lang, t, hint=kind == "elementwise")
    if kind != "elementwise":
        _list_gated(lang, t)


def _list_gated(lang: str, t: dict[str, str]) -> None:
    """The gated units: name, gate a, value b, parameters, summary."""
    from rich.table import Table

    rows = []
    for n in names(kind="gated"):
        spec = lookup(n, kind="gated")
        params = "\n".join(f"{p.name}={_short(p.default)}" for p in spec.params) or "-"
        up = "u" if spec.up_limit(spec.defaults()) is None else "clamp(u, ±limit)"
        up += f" + {spec.up_offset:g}" if spec.up_offset else ""
        rows.append([n, spec.gate.name + ("(min(g, limit))" if spec.gate_limit(
            spec.defaults()) is not None else "(g)"), up, params,
            _i18n.text(spec, "summary", lang)])
    table = Table(title="actfn: " + t["n_gated"].format(n=len(rows)), box=None,
                  pad_edge=False, padding=(0, 1), header_style="bold underline")
    heads = (t["name"], t["gate_fn"], t["up_fn"], t["params_short"], t["summary"])
    fitted_table(table, heads, rows, 2 * (len(heads) - 1), whole=(0,))
    console().print(table)


def _list_elementwise(lang: str, t: dict[str, str], hint: bool) -> None:
    from rich.cells import cell_len
    from rich.table import Table

    heads = (t["name"], t["family"], t["range_short"], t["mono_short"], t["smooth_short"],
             t["zero_mean"], t["sat_short"], t["sparse_short"], t["params_short"])
    rows = []
    for n in names():
        spec = lookup(n)
        params = "\n".join(f"{p.name}={_short(p.default)}" for p in spec.params) or "-"
        rows.append([n, _i18n.family(spec, lang), *props_row(spec, lang, short=True), params])
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
    console().print(table)
    if hint and names(kind="gated"):
        console().print(t["gated_hint"].format(n=len(names(kind="gated"))), markup=False)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v) if isinstance(v, str) else str(v)


def _equivalent_rows(spec: Spec, lang: str) -> list[list[str]]:
    t = labels(lang)
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
#: A gated unit's formulas: f(gate, up) and its partials (``latex`` keys f, dg, du).
_GATED_LABELS = (("f", "f(g, u)"), ("dg", "∂f/∂g"), ("du", "∂f/∂u"))


def formula_lines(spec: Any, lang: str = "en", latex: bool = False) -> list[str]:
    """The formulas of ``spec`` as terminal lines: Unicode text, or the LaTeX source."""
    known = _GATED_LABELS if getattr(spec, "kind", "") == "gated" else _FORMULA_LABELS
    keys = [(k, lab) for k, lab in known if k in spec.latex]
    keys += [(k, f"{known[0][1]} [{k.split('_', 1)[-1]}]") for k in sorted(spec.latex)
             if k not in dict(known)]
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

    t = labels(lang)
    spec = lookup(name, kind="all")  # a gated unit too: its formulas are f and the partials
    spec.knowledge  # noqa: B018  (a broken knowledge file fails here, before any output)
    params = parse_params(spec, param)
    with user_params(spec.name, params):
        act = get(spec.name, **params)
    con = console()
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
        for sym, meaning in syms:  # no meaning: the knowledge file that defines it is missing
            con.print(f"  {sym}{t['sep']}{meaning}" if meaning else f"  {sym}", markup=False)
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
        row = props_row(spec, lang)
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
    dt = parse_dtype(dtype)
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


def register(app: typer.Typer) -> None:
    """Add ``list``, ``show`` and ``eval`` to the ``actfn`` Typer app."""
    app.command("list", help=help_text(cmd_list))(guarded(cmd_list))
    app.command("show", help=help_text(cmd_show))(guarded(cmd_show))
    app.command(
        "eval", help=help_text(cmd_eval),
        context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True}
    )(guarded(cmd_eval))
