"""Build the atlas: one static HTML page per activation plus an index.

The site is self-contained (no CDN, no scripts, no web fonts): formulas are SVG files
rendered by matplotlib's mathtext, figures are PNG files drawn by :mod:`actfn.plot`,
and the style sheet is a local file. Everything on it is read from the registry.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__, _safe_io, get, lookup, names, plot
from .._registry import Properties, Prose, Spec
from ._math import Formula, Renderer, pieces

__all__ = ["build", "check_target", "examples", "MARKER", "EXAMPLE_X"]

#: The manifest that marks a folder as an atlas and lists the files actfn wrote there;
#: a rebuild replaces and removes only those (see :class:`actfn._safe_io.OwnedDir`).
MARKER = _safe_io.MANIFEST
#: The marker of atlases built by actfn 0.1.0 (a folder holding it is taken as an atlas).
LEGACY_MARKER = ".actfn-atlas"

def _legacy_files() -> tuple[str, ...]:
    """Exactly the files 0.1.0 wrote (the registered names' pages and figures, formulas
    named by a 16-hex-digit hash); a rebuild removes no other file of such a folder."""
    per_name = [f for n in names() for f in (f"{n}.html", f"img/{n}.png", f"img/{n}-thumb.png")]
    return ("index.html", "style.css", "img/overview.png", "math/" + "[0-9a-f]" * 16 + ".svg",
            *per_name)


_TOOL = "actfn atlas"
#: Names that may become file names (the registry's own rule, checked again here).
_SAFE_NAME = re.compile(r"[a-z][a-z0-9_]*")
#: Inputs used by the runnable examples on every page.
EXAMPLE_X = (-2.0, -1.0, 0.0, 0.5, 2.0)

Progress = Callable[[str, int, int], None]

_CSS = """
:root { --fg: #1d232b; --muted: #5b6573; --line: #d8dde4; --accent: #1f5fbf; --bg: #ffffff;
        --code: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans",
       "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: var(--fg); background: var(--bg); }
header.site { padding: .8rem 1.5rem; border-bottom: 1px solid var(--line); display: flex;
              gap: 1.5rem; align-items: baseline; flex-wrap: wrap; }
header.site a.home { font-weight: 700; color: var(--fg); text-decoration: none; }
header.site nav a { margin-right: 1rem; }
main { max-width: 1240px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
a { color: var(--accent); }
h1 { margin: .6rem 0 .2rem; font-size: 2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { margin: 1.2rem 0 .4rem; }
.muted, .zh-sub { color: var(--muted); }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left;
         vertical-align: top; }
th { background: #f0f3f7; }
table.compare { font-size: .9rem; }
table.compare td.thumb { padding: 2px; }
table.compare td:nth-child(4) { white-space: nowrap; }
.scroll { overflow-x: auto; }
table.compare img { display: block; width: 150px; height: 100px; }
.eqs { display: grid; grid-template-columns: max-content 1fr; gap: .6rem 1rem;
       align-items: center; margin: .8rem 0; }
.eq { display: flex; align-items: center; gap: .4rem; flex-wrap: wrap; margin: .5rem 0; }
.eq img { vertical-align: middle; }
.cases { display: inline-flex; align-items: stretch; }
.brace { font-size: 2.6em; line-height: 1; display: flex; align-items: center;
         transform: scaleY(1.25); font-weight: 200; margin-right: .15rem; }
.cases table { border: none; margin: 0; }
.cases td { border: none; padding: .1rem .6rem .1rem 0; vertical-align: middle; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
.bilingual { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
@media (max-width: 800px) { .bilingual { grid-template-columns: 1fr; } }
pre { background: var(--code); padding: .7rem .9rem; overflow-x: auto; border-radius: 4px;
      font-size: .88rem; line-height: 1.4; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.pill { display: inline-block; padding: 0 .5rem; border-radius: 1rem; background: #eef2f8;
        margin-right: .3rem; font-size: .85rem; }
footer { color: var(--muted); font-size: .85rem; margin-top: 3rem; }
.pager { display: flex; justify-content: space-between; margin-top: 2rem; }
"""

_LABELS = {
    "f": ("f(x)", "f(x)"),
    "df": ("f'(x)", "f'(x)"),
    "d2f": ("f''(x)", "f''(x)"),
}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _bi(en: str, zh: str) -> str:
    """A bilingual label: English, then Chinese in a muted span."""
    return f'{_e(en)} <span class="zh-sub" lang="zh">· {_e(zh)}</span>'


def _page(title: str, body: str, *, depth: int = 0) -> str:
    up = "../" * depth
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{up}style.css">
</head>
<body>
<header class="site"><a class="home" href="{up}index.html">actfn atlas</a>
<span class="muted">activation functions, exactly · 激活函数图鉴</span></header>
<main>
{body}
<footer>Generated by actfn {_e(__version__)} from its registry: every formula, figure,
property and example on this page comes from the code it describes.
由 actfn {_e(__version__)} 根据其注册表生成。</footer>
</main>
</body>
</html>
"""


# -- pieces of an activation page ------------------------------------------------------------
class _Ctx:
    def __init__(self) -> None:
        self.math = Renderer()

    def img(self, snippet: str, alt: str) -> str:
        name, _ = self.math.svg(snippet)
        return f'<img class="math" src="math/{_e(name)}" alt="{_e(alt)}">'

    def formula(self, tex: str, lhs: str) -> str:
        f: Formula = pieces(tex)
        parts = [self.img(lhs + " =", lhs + " =")]
        if f.prefix:
            parts.append(self.img(f.prefix, f.prefix))
        if f.cases:
            rows = "".join(
                f"<tr><td>{self.img(e, e)}</td><td>{self.img(c, c) if c else ''}</td></tr>"
                for e, c in f.cases
            )
            parts.append(f'<span class="cases"><span class="brace">{{</span>'
                         f"<table>{rows}</table></span>")
        else:
            parts.append(self.img(f.body, tex))
        return f'<div class="eq" title="{_e(tex)}">{"".join(parts)}</div>'


def _fmt(v: Any) -> str:
    return plot._fmt(v, digits=10)


def _props_table(spec: Spec) -> str:
    p: Properties = spec.info["properties"]
    yes, no = "yes · 是", "no · 否"
    sat = {"-": "x → −∞", "+": "x → +∞"}
    learn = [q.name for q in spec.params if q.learnable]
    rows = [
        (_bi("output range", "值域"), _e(p.range_label())),
        (_bi("bounded below / above", "下方 / 上方有界"),
         f"{yes if p.bounded_below else no} / {yes if p.bounded_above else no}"),
        (_bi("monotone (non-decreasing)", "单调(不减)"), yes if p.monotone else no),
        (_bi("smoothness", "光滑性"), _e(p.smoothness_label)),
        (_bi("zero-centred: E f(Z) = 0, Z ~ N(0,1)", "以 0 为中心"),
         yes if p.zero_centred else no),
        (_bi("saturates", "饱和"), _e(", ".join(sat[s] for s in p.saturates) or "none · 无")),
        (_bi("self-normalizing", "自归一化"), yes if p.self_normalizing else no),
        (_bi("sparse output (exact zeros)", "稀疏输出"), yes if p.sparse else no),
        (_bi("learnable parameters", "可学习参数"), _e(", ".join(learn) or "none · 无")),
    ]
    body = "".join(f"<tr><th>{a}</th><td>{b}</td></tr>" for a, b in rows)
    return (f'<table class="props">{body}</table>'
            '<p class="muted">Properties hold at the default parameters and are checked '
            "against the implementation by the test-suite. 以上性质针对默认参数,并由测试验证。</p>")


def _params_table(spec: Spec) -> str:
    if not spec.params:
        return "<p>No parameters. 无参数。</p>"
    head = ("<tr><th>name</th><th>default</th><th>valid values</th><th>learnable</th>"
            "<th>meaning</th></tr>")
    rows = "".join(
        f"<tr><td><code>{_e(q.name)}</code></td><td><code>{_e(_fmt(q.default))}</code></td>"
        f"<td>{_e(q.valid_range())}</td><td>{'yes' if q.learnable else 'no'}</td>"
        f"<td>{_e(q.doc)}</td></tr>"
        for q in spec.params
    )
    return f"<table>{head}{rows}</table>"


def _frameworks_table(spec: Spec) -> str:
    head = ("<tr><th>framework</th><th>function</th><th>layer / module</th>"
            "<th>parameters</th><th>notes</th></tr>")
    rows = []
    for e in spec.info["frameworks"]:
        notes = _e(e.notes)
        if e.kink_grad is not None:
            grads = ", ".join(f"{g:.6g}" for g in e.kink_grad)
            notes += (" " if notes else "") + f"<br><em>autodiff at the kinks: {_e(grads)}</em>"
        rows.append(
            f"<tr><td>{_e(e.framework)}</td><td><code>{_e(e.call or '—')}</code></td>"
            f"<td><code>{_e(e.layer or '—')}</code></td><td>{_e(e.params or '—')}</td>"
            f"<td>{notes or '—'}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _example_values(spec: Spec) -> str:
    x = np.asarray(EXAMPLE_X, dtype=np.float32)
    y = get(spec.name)(x)
    return np.array2string(y, separator=", ", max_line_width=200)


def examples(spec: Spec) -> list[tuple[str, str]]:
    """Runnable examples ``(framework, code)``: actfn first, then each framework."""
    xs = ", ".join(repr(v) for v in EXAMPLE_X)
    params = ", ".join(f"{q.name}={_fmt(q.default)}" for q in spec.params)
    expected = _example_values(spec)
    out = [(
        "actfn",
        f"import actfn\n\nact = actfn.get({spec.name!r}{', ' + params if params else ''})\n"
        f"x = [{xs}]\nprint(act(x))             # f\nprint(act.derivative(x))  # f'\n",
    )]
    head = {
        "PyTorch": f"import torch\n\nx = torch.tensor([{xs}])\n",
        "Keras": ('import os\n\nos.environ.setdefault("KERAS_BACKEND", "jax")  '
                  "# or tensorflow / torch\nimport keras\n\n"
                  f"x = keras.ops.convert_to_tensor([{xs}])\n"),
        "JAX": f"import jax\n\nx = jax.numpy.array([{xs}])\n",
    }
    for e in spec.info["frameworks"]:
        if not e.call:
            continue
        out.append((e.framework, head[e.framework] + f"print({e.call})\n"
                    f"# float32 result: {expected}\n"))
    return out


def _prose(p: Prose, lang: str) -> str:
    labels = {"en": ("Strengths", "Weaknesses", "Typical use", "Often said, but wrong"),
              "zh": ("优点", "缺点", "典型用途", "常见但错误的说法")}[lang]
    parts = [f'<div lang="{lang}">', f"<h3>{labels[0]}</h3><ul>"]
    parts += [f"<li>{_e(s)}</li>" for s in p.strengths]
    parts.append(f"</ul><h3>{labels[1]}</h3><ul>")
    parts += [f"<li>{_e(s)}</li>" for s in p.weaknesses]
    parts.append(f"</ul><h3>{labels[2]}</h3><p>{_e(p.use)}</p>")
    if p.corrections:
        parts.append(f"<h3>{labels[3]}</h3><ul>")
        parts += [f"<li>{_e(s)}</li>" for s in p.corrections]
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def _activation_page(ctx: _Ctx, spec: Spec, prev: str | None, nxt: str | None) -> str:
    act = get(spec.name)
    b = [f"<h1>{_e(spec.name)}</h1>"]
    meta = [f'<span class="pill">family: {_e(spec.family)}</span>']
    meta += [f'<span class="pill">alias: {_e(a)}</span>' for a in spec.aliases]
    b.append(f"<p>{''.join(meta)}</p>")
    if spec.summary:
        b.append(f'<p class="summary">{_e(spec.summary)}</p>')
    b.append(f'<h2 id="formula">{_bi("Formula", "公式")}</h2><div class="eqs-list">')
    for key in ("f", "df", "d2f"):
        if key in spec.latex:
            b.append(ctx.formula(spec.latex[key], _LABELS[key][0]))
    for key in sorted(k for k in spec.latex if k not in _LABELS):
        variant = key.split("_", 1)[-1]
        b.append(f'<p class="muted">{_e(variant)} variant:</p>')
        b.append(ctx.formula(spec.latex[key], "f(x)"))
    b.append("</div>")
    kinks = act.kinks()
    if kinks:
        where = ", ".join(f"{k:g}" for k in kinks)
        b.append(f"<p><strong>{_bi('At the kinks', '折点处')}</strong> (x = {_e(where)}): "
                 f"{_e(spec.kink_convention or 'see the formula')}</p>")
    b.append(f'<h2 id="figure">{_bi("Figure", "图像")}</h2>')
    b.append(f'<figure><img src="img/{_e(spec.name)}.png" width="768" height="528" '
             f'alt="{_e(spec.name)}: f, f′ and f″ on centred axes">'
             "<figcaption class=\"muted\">f (blue), f′ (orange) and f″ (green) at the default "
             "parameters; dots mark the value actfn returns where a curve jumps.</figcaption>"
             "</figure>")
    b.append(f'<h2 id="properties">{_bi("Properties", "性质")}</h2>{_props_table(spec)}')
    b.append(f'<h2 id="parameters">{_bi("Parameters", "参数")}</h2>{_params_table(spec)}')
    b.append(f'<h2 id="frameworks">{_bi("Framework equivalents", "各框架中的对应")}</h2>'
             f"{_frameworks_table(spec)}")
    b.append(f'<h2 id="notes">{_bi("Strengths and weaknesses", "优缺点")}</h2>'
             f'<div class="bilingual">{_prose(spec.info["en"], "en")}'
             f'{_prose(spec.info["zh"], "zh")}</div>')
    b.append(f'<h2 id="examples">{_bi("Runnable examples", "可运行示例")}</h2>')
    for fw, code in examples(spec):
        b.append(f"<h3>{_e(fw)}</h3><pre><code class=\"language-python\" "
                 f'data-framework="{_e(fw)}">{_e(code)}</code></pre>')
    if spec.reference:
        b.append(f'<h2 id="reference">{_bi("Reference", "参考文献")}</h2>'
                 f"<p>{_e(spec.reference)}</p>")
    pager = ['<nav class="pager">']
    pager.append(f'<a href="{_e(prev)}.html">← {_e(prev)}</a>' if prev else "<span></span>")
    pager.append('<a href="index.html">index · 目录</a>')
    pager.append(f'<a href="{_e(nxt)}.html">{_e(nxt)} →</a>' if nxt else "<span></span>")
    pager.append("</nav>")
    b.append("".join(pager))
    return _page(f"{spec.name} · actfn atlas", "\n".join(b))


def _index_page(specs: Sequence[Spec], overview: str) -> str:
    sat = {(): "—", ("-",): "x → −∞", ("+",): "x → +∞", ("-", "+"): "both"}
    rows = []
    for s in specs:
        p: Properties = s.info["properties"]
        params = ", ".join(
            f"{q.name}={q.default:.6g}" if isinstance(q.default, float)
            else f"{q.name}={_fmt(q.default)}" for q in s.params
        ) or "—"
        rows.append(
            f'<tr><td class="thumb"><a href="{_e(s.name)}.html">'
            f'<img src="img/{_e(s.name)}-thumb.png" '
            f'width="150" height="100" alt="{_e(s.name)} thumbnail"></a></td>'
            f'<td><a href="{_e(s.name)}.html"><strong>{_e(s.name)}</strong></a></td>'
            f"<td>{_e(s.family)}</td><td>{_e(Properties(p.range, p.attained).range_label())}</td>"
            f"<td>{'yes' if p.monotone else 'no'}</td><td>{_e(p.smoothness_label)}</td>"
            f"<td>{'yes' if p.zero_centred else 'no'}</td>"
            f"<td>{_e(sat.get(tuple(p.saturates), '?'))}</td>"
            f"<td>{'yes' if p.sparse else 'no'}</td><td><code>{_e(params)}</code></td></tr>"
        )
    head = ("<tr><th>figure</th><th>name</th><th>family</th><th>range</th><th>monotone</th>"
            "<th>smoothness</th><th>zero-centred</th><th>saturates</th><th>sparse</th>"
            "<th>parameters</th></tr>")
    body = f"""<h1>Activation atlas <span class="zh-sub">· 激活函数图鉴</span></h1>
<p>{len(specs)} activation functions with their formulas, derivatives, figures, properties,
framework equivalents and notes in English and Chinese. Every page is generated from actfn's
registry, and every property on it is verified by the test-suite.</p>
<p lang="zh">共 {len(specs)} 个激活函数:公式、导数、图像、性质、各框架中的写法,以及中英文说明。
所有页面都由 actfn 的注册表生成,页面上的每条性质都经过测试验证。</p>
<h2>{_bi("Comparison", "对比")}</h2>
<div class="scroll"><table class="compare">{head}{''.join(rows)}</table></div>
<h2>{_bi("Common activations side by side", "常用激活函数对比")}</h2>
<figure><img src="img/{_e(overview)}" width="1100" height="440"
alt="relu, gelu, silu, elu, tanh and sigmoid with their derivatives"></figure>"""
    return _page("actfn atlas", body)


# -- driver ----------------------------------------------------------------------------------
def _specs(only: Sequence[str] | None) -> list[Spec]:
    """The specs to build, each with a name that is safe as a file name."""
    specs = [lookup(n) for n in (only or names())]
    for spec in specs:
        if not isinstance(spec.name, str) or not _SAFE_NAME.fullmatch(spec.name):
            raise ValueError(f"refusing to build the atlas: activation name {spec.name!r} is not "
                             "a safe file name (need [a-z][a-z0-9_]*)")
    if not specs:
        raise ValueError("refusing to build an empty atlas: no activations selected")
    return specs


def _planned(specs: Sequence[Spec]) -> list[str]:
    files = ["index.html", "style.css", "img/overview.png", "math/"]
    for s in specs:
        files += [f"{s.name}.html", f"img/{s.name}.png", f"img/{s.name}-thumb.png"]
    return files


def _owned(out_dir: str | os.PathLike[str], force: bool,
           specs: Sequence[Spec] = ()) -> _safe_io.OwnedDir:
    return _safe_io.OwnedDir(out_dir, tool=_TOOL, force=force,
                             legacy=(LEGACY_MARKER, _legacy_files()), planned=_planned(specs))


def check_target(out_dir: str | os.PathLike[str], *, force: bool = False,
                 only: Sequence[str] | None = None) -> Path:
    """Raise ``OSError`` unless an atlas can be written to ``out_dir``; return it as a Path.

    The parent directory must exist, and ``out_dir`` must be absent, empty, or an earlier
    atlas (it holds the manifest :data:`MARKER`, or the 0.1.0 marker ``.actfn-atlas``);
    another non-empty folder only with ``force``. A file of the atlas that exists but
    is not listed in the manifest is refused too (unless ``force``). Nothing is written.
    """
    _owned(out_dir, force, _specs(only))
    return Path(out_dir)


def build(out_dir: str | os.PathLike[str], *, progress: Progress | None = None,
          only: Sequence[str] | None = None, force: bool = False) -> Path:
    """Build the atlas into ``out_dir`` and return its path.

    ``out_dir`` must be new, empty, or an earlier atlas (see :func:`check_target`);
    ``force`` also accepts a non-empty folder actfn did not make. Only actfn's own files
    are written (each atomically) and listed in :data:`MARKER`; a rebuild removes only
    the files of the previous build that are gone, and leaves everything else (``.git``,
    ``CNAME``, notes) untouched. If the build fails or is interrupted, the files it
    created are removed again. ``progress(step, done, total)`` is called as the build
    advances. ``only`` restricts the pages to some activations (the index lists just
    those).
    """
    specs = _specs(only)
    owned = _owned(out_dir, force, specs)
    report = progress or (lambda step, done, total: None)
    total = len(specs)
    with owned:
        ctx = _Ctx()
        for i, spec in enumerate(specs):
            report("figures", i, total)
            plot.save(plot.figure(spec.name, second=True, size=(6.4, 4.4), dpi=120),
                      owned.path(f"img/{spec.name}.png"))
            plot.save(plot.thumbnail(spec.name, size=(3.0, 2.0), dpi=100),
                      owned.path(f"img/{spec.name}-thumb.png"))
        report("figures", total, total)
        overview = "overview.png"
        common = [n for n in ("relu", "gelu", "silu", "elu", "tanh", "sigmoid")
                  if n in {s.name for s in specs}] or [specs[0].name]
        plot.save(plot.compare_figure(common, x_range=(-4.0, 4.0)),
                  owned.path(f"img/{overview}"))
        for i, spec in enumerate(specs):
            report("pages", i, total)
            prev = specs[i - 1].name if i > 0 else None
            nxt = specs[i + 1].name if i + 1 < total else None
            owned.write_text(f"{spec.name}.html", _activation_page(ctx, spec, prev, nxt))
        report("pages", total, total)
        owned.write_text("index.html", _index_page(specs, overview))
        owned.write_text("style.css", _CSS.lstrip())
        formulas = ctx.math.files()
        for i, (name, data) in enumerate(sorted(formulas.items())):
            if i % 10 == 0:
                report("formulas", i, len(formulas))
            owned.write_bytes(f"math/{name}", data)
        report("formulas", len(formulas), len(formulas))
    report("done", total, total)
    return Path(out_dir)
