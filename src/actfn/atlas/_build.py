"""Build the atlas: one static HTML page per activation and language, plus an index.

Pages come from Jinja2 templates (``atlas/templates``, autoescaped); formulas are the
registry's LaTeX rendered in the browser by the KaTeX shipped in :mod:`actfn._assets`
(each formula also carries a Unicode text fallback); figures are 2× PNGs drawn by
:mod:`actfn.atlas._figures`; Chinese text uses the CJK font subset shipped with actfn.
The site is self-contained: nothing is fetched from the network.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from .. import __version__, _assets, _i18n, _safe_io, get, lookup, names
from .._format import format_param
from .._registry import Properties, Spec
from .._texuni import to_unicode
from . import _figures

__all__ = ["build", "check_target", "examples", "MARKER", "EXAMPLE_X", "LANGS", "EXPLORER_URL",
           "explorer_url",
           "ASSETS"]

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
#: ``lang`` values of :func:`build`.
LANGS = ("en", "zh", "both")
#: The explorer view of an activation (served by ``actfn explore`` on its default port,
#: 8000; see :func:`explorer_url` for the Chinese page).
EXPLORER_URL = "http://127.0.0.1:8000/#name={name}"


def explorer_url(name: str | None, lang: str) -> str:
    """The explorer (``actfn explore``, default port 8000) in ``lang``, showing ``name``
    (``None``: its start page)."""
    base = EXPLORER_URL.split("#", 1)[0] + ("?lang=zh" if lang == "zh" else "")
    return base if name is None else base + f"#name={name}"
#: Files of :mod:`actfn._assets` copied to ``assets/`` in the site.
ASSETS = ("katex/katex.min.js", "katex/katex.min.css", "katex/LICENSE", _assets.CJK_FONT,
          "fonts/OFL.txt")
_HERE = Path(__file__).resolve().parent

Progress = Callable[[str, int, int], None]

_GREEK_TEX = {"α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "λ": r"\lambda", "θ": r"\theta",
              "σ": r"\sigma", "π": r"\pi", "μ": r"\mu", "φ": r"\varphi", "ϕ": r"\phi",
              "Φ": r"\Phi", "τ": r"\tau", "ε": r"\epsilon"}
_FUNC_TEX = {"tanh": r"\tanh", "log": r"\log", "max": r"\max", "min": r"\min"}


def _symbol(sym: str) -> dict[str, str]:
    """A glossary symbol as KaTeX source and as plain text."""
    base, _, sub = sym.partition("_")
    if sym in _GREEK_TEX:
        tex = _GREEK_TEX[sym]
    elif base in _GREEK_TEX and len(sub) == 1:  # α_p
        tex = f"{_GREEK_TEX[base]}_{sub}"
    elif sym in _FUNC_TEX:
        tex = _FUNC_TEX[sym]
    elif len(sym) > 1 and "_" not in sym:
        tex = rf"\operatorname{{{sym}}}"
    else:
        tex = sym
    return {"tex": tex, "text": sym}


_UNI_LHS = {"f'(x)": "f′(x)", "f''(x)": "f″(x)"}


def _fmt(v: Any) -> str:
    return format_param(v, digits=10)


def _short(v: Any) -> str:
    return format(v, ".6g") if isinstance(v, float) else _fmt(v)


def _smooth(p: Properties | SimpleNamespace, t: dict[str, str]) -> dict[str, str]:
    if math.isinf(p.smoothness):
        return {"sup": "∞", "text": "C^∞"}
    if p.smoothness < 0:
        return {"sup": "", "text": t["discontinuous"]}
    k = str(int(p.smoothness))
    return {"sup": k, "text": f"C^{k}"}


def _example_values(spec: Spec) -> str:
    x = np.asarray(EXAMPLE_X, dtype=np.float32)
    y = get(spec.name)(x)
    return np.array2string(y, separator=", ", max_line_width=200)


#: Inputs of the runnable examples of a gated unit's page: gate and up.
EXAMPLE_GATE = (-2.0, -1.0, 0.0, 0.5, 2.0)
EXAMPLE_UP = (1.5, -1.0, 2.0, 3.0, -0.5)


def _gated_examples(spec: Any) -> list[tuple[str, str]]:
    gs = ", ".join(repr(v) for v in EXAMPLE_GATE)
    us = ", ".join(repr(v) for v in EXAMPLE_UP)
    params = ", ".join(f"{q.name}={_fmt(q.default)}" for q in spec.params)
    expected = np.array2string(
        get(spec.name)(np.float32(EXAMPLE_GATE), np.float32(EXAMPLE_UP)), separator=", ",
        max_line_width=200)
    out = [(
        "actfn",
        f"import actfn\n\nact = actfn.get({spec.name!r}{', ' + params if params else ''})\n"
        f"gate = [{gs}]\nup = [{us}]\nprint(act(gate, up))           # f\n"
        "print(act.partials(gate, up))  # (∂f/∂gate, ∂f/∂up)\n"
        "# split form, as torch.nn.functional.glu: first half up, second half gate\n"
        "print(act(up + gate))\n",
    )]
    head = {
        "PyTorch": f"import torch\n\ngate = torch.tensor([{gs}])\nup = torch.tensor([{us}])\n",
        "JAX": (f"import jax\nimport jax.numpy as jnp\n\ngate = jnp.array([{gs}])\n"
                f"up = jnp.array([{us}])\n"),
    }
    for e in spec.knowledge.frameworks:
        if e.call and e.framework in head:
            out.append((e.framework, head[e.framework] + f"print({e.at(spec.defaults())})\n"
                        f"# float32 result: {expected}\n"))
    return out


def examples(spec: Spec) -> list[tuple[str, str]]:
    """Runnable examples ``(framework, code)``: actfn first, then each framework."""
    if getattr(spec, "kind", "") == "gated":
        return _gated_examples(spec)
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
    for e in spec.knowledge.frameworks:
        if not e.call or e.framework not in head:
            continue
        out.append((e.framework, head[e.framework] + f"print({e.at(spec.defaults())})\n"
                    f"# float32 result: {expected}\n"))
    return out


def _highlight(code: str) -> Any:
    """Python ``code`` as highlighted HTML (Pygments, installed with rich)."""
    from markupsafe import Markup
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    return Markup(highlight(code, PythonLexer(), HtmlFormatter(nowrap=True)))


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="friendly").get_style_defs(".highlight")


class _Site:
    """Everything the templates need, for one build."""

    def __init__(self, specs: Sequence[Spec], langs: Sequence[str]) -> None:
        import jinja2

        self.specs = list(specs)
        self.langs = list(langs)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
            autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        from ..experiments import claims

        self.claims = list(claims())

    @staticmethod
    def href(name: str, lang: str) -> str:
        return f"{name}.html" if lang == "en" else f"{name}.{lang}.html"

    def common(self, lang: str, base: str, current: str | None, title: str) -> dict[str, Any]:
        t = _i18n.labels()[lang]
        other = [x for x in self.langs if x != lang]
        return {
            "lang": lang, "t": t, "version": __version__, "title": title,
            "katex_version": _assets.katex_version(), "cjk_family": _assets.CJK_FAMILY,
            "page": lambda n: self.href(n, lang),
            "explorer": explorer_url(None, lang),
            "other_lang": ({"code": other[0], "href": self.href(base, other[0])}
                           if other else None),
            "sidebar": [{"name": s.name, "href": self.href(s.name, lang),
                         "family": _i18n.family(s, lang), "current": s.name == current}
                        for s in self.specs],
        }

    def render(self, template: str, **ctx: Any) -> str:
        return self.env.get_template(template).render(**ctx)

    # -- pages -----------------------------------------------------------------------
    def activation(self, spec: Spec, lang: str, prev: str | None, nxt: str | None) -> str:
        a = self._activation_model(spec, lang)
        return self.render("activation.html.j2", a=a, prev=prev, next=nxt,
                           **self.common(lang, spec.name, spec.name, spec.name))

    def _activation_model(self, spec: Spec, lang: str) -> dict[str, Any]:
        t = _i18n.labels()[lang]
        act = get(spec.name)
        gated = getattr(spec, "kind", "") == "gated"
        lhs = ({"f": "f(g, u)", "dg": r"\partial f/\partial g", "du": r"\partial f/\partial u"}
               if gated else {"f": "f(x)", "df": "f'(x)", "d2f": "f''(x)"})
        formulas = []
        keys = [k for k in lhs if k in spec.latex]
        keys += sorted(k for k in spec.latex if k not in lhs)
        for key in keys:
            tex = spec.latex[key]
            left = lhs.get(key, "f(x)")
            formulas.append({
                "tex": f"{left} = {tex}", "source": tex,
                "text": _UNI_LHS.get(left, left) + " = "
                        + to_unicode(tex, lang).replace("\n", "\n" + " " * (len(left) + 3)),
                "variant": key.split("_", 1)[-1] if key not in lhs else "",
            })
        know = spec.knowledge
        p = know.properties
        yes, no = t["yes"], t["no"]
        sat = {"-": t["left"], "+": t["right"]}
        learn = [q.name for q in spec.params if q.learnable]
        props = [] if p is None else [
            (t["range"], _i18n.text(spec, "range_text", lang) or p.range_label()),
            (t["bounded"], f"{yes if p.bounded_below else no} / {yes if p.bounded_above else no}"),
            (t["monotone"], yes if p.monotone else no),
            (t["smooth"], _smooth(p, t)),
            (t["zc"], yes if p.zero_centred else no),
            (t["sat"], ", ".join(sat[s] for s in p.saturates) or t["none"]),
            (t["sn"], yes if p.self_normalizing else no),
            (t["sparse"], yes if p.sparse else no),
            (t["learn"], ", ".join(learn) or t["none"]),
        ]
        g = know.gated if gated else None
        if g is not None:  # a gated unit's [gated] properties (tests/test_gated_properties.py)
            lim = g.gate_at_minus_inf
            props = [
                (t["g_range"], g.gate_range_label()),
                (t["g_nonneg"], yes if g.gate_nonnegative else no),
                (t["g_gsmooth"], _smooth(SimpleNamespace(smoothness=g.gate_smoothness), t)),
                (t["g_usmooth"], _smooth(SimpleNamespace(smoothness=g.up_smoothness), t)),
                (t["g_linup"], yes if g.linear_in_up else no),
                (t["g_zeroup"], yes if g.zero_at_up_zero else no),
                (t["g_monogate"], yes if g.monotone_in_gate else no),
                (t["g_minf"], ("−∞" if lim < 0 else "∞") if math.isinf(lim) else f"{lim:g}"),
                (t["g_split"], t["g_split_text"]),
                (t["learn"], ", ".join(learn) or t["none"]),
            ]
        frameworks = []
        for e in know.frameworks:
            frameworks.append({
                "framework": e.framework, "call": e.at(spec.defaults()) or "—",
                "layer": e.layer or "—",
                "params": _i18n.text(spec, f"framework:{e.framework}:params", lang) or "—",
                "notes": _i18n.text(spec, f"framework:{e.framework}:notes", lang) or "—",
                "kink_grad": (", ".join(f"{g:.6g}" for g in e.kink_grad)
                              if e.kink_grad is not None else ""),
            })
        lo, hi = _figures.x_range(spec.name)
        if gated:  # kinks along the gate (ReLU's 0, the clamp) and of up (±limit)
            kk = act.kinks()
            kinks_text = "; ".join(f"{v} = {', '.join(f'{k:g}' for k in kk[v])}"
                                   for v in ("gate", "up") if kk[v])
        else:
            kinks_text = ", ".join(f"{k:g}" for k in act.kinks())
        claims = [{"id": c.id, "text": _i18n.zh_punctuation(c.zh) if lang == "zh" else c.en}
                  for c in self.claims if spec.name in c.activations]
        return {
            "name": spec.name, "aliases": list(spec.aliases),
            "family": _i18n.family(spec, lang),
            "summary": _i18n.text(spec, "summary", lang),
            "explore_url": explorer_url(spec.name, lang),
            "formulas": formulas,
            "symbols": [(_symbol(s), m) for s, m in _i18n.symbols(spec, lang)],
            "kinks": kinks_text,
            "kink_var": "" if gated else "x",  # a gated unit's text names its variables
            "gated": gated,
            "kink_convention": (_i18n.text(spec, "kink_convention", lang)
                                or t["formula"]),
            "figure": {"src": f"img/{spec.name}.png", "var": "g" if gated else "x",
                       "width": _figures.FIGURE_PX[0],
                       "height": _figures.FIGURE_PX[1], "lo": f"{lo:g}", "hi": f"{hi:g}"},
            "props": props,
            "params": [{"name": q.name, "default": _fmt(q.default), "valid": _i18n.valid_range(q, lang),
                        "learnable": yes if q.learnable else no,
                        "doc": _i18n.text(spec, f"param:{q.name}", lang)}
                       for q in spec.params],
            "frameworks": frameworks,
            "prose": _i18n.prose(spec, lang),
            "claims": claims,
            "examples": [{"framework": fw, "html": _highlight(code)}
                         for fw, code in examples(spec)],
            "reference": spec.reference,
            "links": _i18n.links(spec),
        }

    def index(self, lang: str) -> str:
        t = _i18n.labels()[lang]
        sat = {(): "—", ("-",): t["left"], ("+",): t["right"], ("-", "+"): t["both"]}
        rows = []
        for s in self.specs:
            p = s.knowledge.properties
            if getattr(s, "kind", "") == "gated":  # two inputs: no one-input properties
                rows.append({
                    "name": s.name, "href": self.href(s.name, lang),
                    "thumb": f"img/{s.name}-thumb.png", "family": _i18n.family(s, lang),
                    "range": t["two_inputs"], "monotone": "—", "smooth": {"sup": "", "text": "—"},
                    "zero_centred": "—", "saturates": "—", "sparse": "—",
                    "params": ", ".join(f"{q.name}={_short(q.default)}" for q in s.params) or "—",
                })
                continue
            if p is None:  # not documented yet: the name, family and parameters only
                rows.append({
                    "name": s.name, "href": self.href(s.name, lang),
                    "thumb": f"img/{s.name}-thumb.png", "family": _i18n.family(s, lang),
                    "range": t["undocumented"], "monotone": "—", "smooth": {"sup": "", "text": "—"},
                    "zero_centred": "—", "saturates": "—", "sparse": "—",
                    "params": ", ".join(f"{q.name}={_short(q.default)}" for q in s.params) or "—",
                })
                continue
            rows.append({
                "name": s.name, "href": self.href(s.name, lang),
                "thumb": f"img/{s.name}-thumb.png", "family": _i18n.family(s, lang),
                "range": Properties(p.range, p.attained).range_label(),
                "monotone": t["yes"] if p.monotone else t["no"], "smooth": _smooth(p, t),
                "zero_centred": t["yes"] if p.zero_centred else t["no"],
                "saturates": sat.get(tuple(p.saturates), "?"),
                "sparse": t["yes"] if p.sparse else t["no"],
                "params": ", ".join(f"{q.name}={_short(q.default)}" for q in s.params) or "—",
            })
        overview = {"src": "img/overview.png", "width": _figures.OVERVIEW_PX[0],
                    "height": _figures.OVERVIEW_PX[1],
                    "alt": ", ".join(_overview_names(self.specs)) + ": f, f′"}
        return self.render("index.html.j2", rows=rows, overview=overview,
                           thumb_size=_figures.THUMB_PX,
                           **self.common(lang, "index", None, t["index_title"]))

    def claims_page(self, lang: str) -> str:
        t = _i18n.labels()[lang]
        items = [{"id": c.id, "activations": list(c.activations),
                  "text": _i18n.zh_punctuation(c.zh) if lang == "zh" else c.en,
                  "experiments": ", ".join(c.experiments)} for c in self.claims]
        return self.render("claims.html.j2", claims=items, claims_intro=t["claims_intro"],
                           known={s.name for s in self.specs},
                           **self.common(lang, "claims", None, t["claims"]))

    def accuracy_page(self, lang: str) -> str:
        """"How accurate is each framework?": the audit snapshot summarised."""
        from ..audit import snapshot, summary

        t = _i18n.labels()[lang]
        recs = snapshot()
        versions = sorted({f"{r['library']}: {r['version']}" for r in recs if r.get("version")})
        return self.render("accuracy.html.j2", rows=summary(recs), versions=versions,
                           **self.common(lang, "accuracy", None, t["accuracy"]))

    def search_index(self) -> str:
        """``search-index.js``: name → the text the search box matches (both languages)."""
        index = {}
        for s in self.specs:
            words = [s.name, *s.aliases]
            for lang in ("en", "zh"):
                words += [_i18n.family(s, lang), _i18n.text(s, "summary", lang)]
            index[s.name] = " ".join(words)
        data = json.dumps(index, ensure_ascii=False, indent=0).replace("</", "<\\/")
        return "window.ACTFN_INDEX = " + data + ";\n"

    @staticmethod
    def style() -> str:
        css = (_HERE / "static" / "style.css").read_text(encoding="utf-8")
        face = _assets.cjk_font_face(f"assets/{_assets.CJK_FONT}")
        return face + "\n" + css + "\n/* Pygments (friendly) */\n" + _pygments_css() + "\n"


def _overview_names(specs: Sequence[Spec]) -> list[str]:
    """The curves of the overview figure: the specs marked ``overview`` (else the first)."""
    return [s.name for s in specs if s.overview] or [specs[0].name]


# -- driver ----------------------------------------------------------------------------------
def _specs(only: Sequence[str] | None) -> list[Spec]:
    """The specs to build, each with a name that is safe as a file name and a valid
    knowledge file (or none): every file is read here, before any long work, so a
    malformed one fails the build up front with a ``KnowledgeError`` naming it."""
    specs = [lookup(n, kind="all") for n in (only or names(kind="all"))]
    for spec in specs:
        if not isinstance(spec.name, str) or not _SAFE_NAME.fullmatch(spec.name):
            raise ValueError(f"refusing to build the atlas: activation name {spec.name!r} is not "
                             "a safe file name (need [a-z][a-z0-9_]*)")
        spec.knowledge  # noqa: B018  (validates; raises KnowledgeError)
    if not specs:
        raise ValueError("refusing to build an empty atlas: no activations selected")
    return specs


def _langs(lang: str) -> list[str]:
    if lang not in LANGS:
        raise ValueError(f"unknown atlas language {lang!r}; valid: {', '.join(LANGS)}")
    return ["en", "zh"] if lang == "both" else [lang]


def _page_names(specs: Sequence[Spec]) -> list[str]:
    return ["index", "claims", "accuracy", *(s.name for s in specs)]


def _planned(specs: Sequence[Spec], langs: Sequence[str] = ("en", "zh")) -> list[str]:
    files = ["style.css", "atlas.js", "search-index.js", "img/overview.png", "img/accuracy.png"]
    files += [f"assets/{a}" for a in ASSETS]
    files += [_katex_font(f) for f in _katex_fonts()]
    for lang in langs:
        files += [_Site.href(n, lang) for n in _page_names(specs)]
    for s in specs:
        files += [f"img/{s.name}.png", f"img/{s.name}-thumb.png"]
    return files


def _katex_fonts() -> list[str]:
    return [f for f in _assets.files("katex/fonts/") if f.endswith(".woff2")]


def _katex_font(rel: str) -> str:
    return f"assets/{rel}"


def _owned(out_dir: str | os.PathLike[str], force: bool,
           specs: Sequence[Spec] = (), langs: Sequence[str] = ("en", "zh")) -> _safe_io.OwnedDir:
    return _safe_io.OwnedDir(out_dir, tool=_TOOL, force=force,
                             legacy=(LEGACY_MARKER, _legacy_files()),
                             planned=_planned(specs, langs))


def check_target(out_dir: str | os.PathLike[str], *, force: bool = False,
                 only: Sequence[str] | None = None, lang: str = "both") -> Path:
    """Raise ``OSError`` unless an atlas can be written to ``out_dir``; return it as a Path.

    The parent directory must exist, and ``out_dir`` must be absent, empty, or an earlier
    atlas (it holds the manifest :data:`MARKER`, or the 0.1.0 marker ``.actfn-atlas``);
    another non-empty folder only with ``force``. A file of the atlas that exists but
    is not listed in the manifest is refused too (unless ``force``). Nothing is written.
    """
    _owned(out_dir, force, _specs(only), _langs(lang))
    return Path(out_dir)


def build(out_dir: str | os.PathLike[str], *, progress: Progress | None = None,
          only: Sequence[str] | None = None, force: bool = False, lang: str = "both") -> Path:
    """Build the atlas into ``out_dir`` and return its path.

    ``lang`` is ``"en"``, ``"zh"`` or ``"both"`` (the default): English pages are
    ``NAME.html``, Chinese ones ``NAME.zh.html``, each linking to the other.
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
    langs = _langs(lang)
    owned = _owned(out_dir, force, specs, langs)
    report = progress or (lambda step, done, total: None)
    total = len(specs)
    with owned:
        site = _Site(specs, langs)
        for i, spec in enumerate(specs):
            report("figures", i, total)
            owned.write_bytes(f"img/{spec.name}.png",
                              _figures.png(_figures.activation_figure(spec.name)))
            owned.write_bytes(f"img/{spec.name}-thumb.png",
                              _figures.png(_figures.thumbnail_figure(spec.name)))
        report("figures", total, total)
        owned.write_bytes("img/overview.png",
                          _figures.png(_figures.overview_figure(_overview_names(specs))))
        from ..audit import snapshot

        owned.write_bytes("img/accuracy.png", _figures.png(_figures.accuracy_figure(snapshot())))
        pages = len(specs) * len(langs)
        done = 0
        for lang_ in langs:
            for i, spec in enumerate(specs):
                report("pages", done, pages)
                prev = specs[i - 1].name if i > 0 else None
                nxt = specs[i + 1].name if i + 1 < total else None
                owned.write_text(site.href(spec.name, lang_),
                                 site.activation(spec, lang_, prev, nxt))
                done += 1
            owned.write_text(site.href("index", lang_), site.index(lang_))
            owned.write_text(site.href("claims", lang_), site.claims_page(lang_))
            owned.write_text(site.href("accuracy", lang_), site.accuracy_page(lang_))
        report("pages", pages, pages)
        owned.write_text("style.css", site.style())
        owned.write_text("atlas.js", (_HERE / "static" / "atlas.js").read_text(encoding="utf-8"))
        owned.write_text("search-index.js", site.search_index())
        for rel in (*ASSETS, *_katex_fonts()):
            owned.write_bytes(f"assets/{rel}", _assets.path(rel).read_bytes())
    report("done", total, total)
    return Path(out_dir)
