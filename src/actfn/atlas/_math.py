"""LaTeX from the registry → SVG images with matplotlib's mathtext (no TeX, no CDN).

mathtext covers a subset of LaTeX, so :func:`pieces` first rewrites the few constructs
the registry uses that it lacks (``cases`` environments, ``\\Bigl(``/``\\bigr)`` sizes,
``\\tfrac``, ``\\le``), splitting a ``cases`` formula into a prefix and rows of
(expression, condition) that the page lays out with an HTML table and a brace.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import mathtext  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

_SIMPLE = (
    (r"\Bigl", r"\left"), (r"\Bigr", r"\right"), (r"\bigl", r"\left"), (r"\bigr", r"\right"),
    (r"\biggl", r"\left"), (r"\biggr", r"\right"),
    (r"\tfrac", r"\frac"), (r"\dfrac", r"\frac"),
)
_CASES = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.S)


def to_mathtext(tex: str) -> str:
    """Rewrite one LaTeX snippet (no ``cases``) into something mathtext parses."""
    s = tex
    for a, b in _SIMPLE:
        s = s.replace(a, b)
    s = re.sub(r"\\le(?![a-zA-Z])", r"\\leq", s)
    s = re.sub(r"\\ge(?![a-zA-Z])", r"\\geq", s)
    # \frac12 and \sqrt2: mathtext wants braces around single-token arguments
    s = re.sub(r"\\frac(\d)(\d)", r"\\frac{\1}{\2}", s)
    s = re.sub(r"\\sqrt(\d)", r"\\sqrt{\1}", s)
    return s.strip()


@dataclass(frozen=True)
class Formula:
    """A formula split for layout: ``prefix`` then either ``body`` or ``cases`` rows."""

    prefix: str
    body: str
    cases: tuple[tuple[str, str], ...] = ()


def pieces(tex: str) -> Formula:
    """Split ``tex`` into a :class:`Formula` of mathtext-ready snippets."""
    m = _CASES.search(tex)
    if m is None:
        return Formula("", to_mathtext(tex))
    rows = []
    for row in re.split(r"\\\\", m.group(1)):
        if not row.strip():
            continue
        expr, _, cond = row.partition("&")
        cond = cond.strip()
        cond = re.sub(r"^\\text\{\s*(if\s+)?", r"\\text{", cond)
        rows.append((to_mathtext(expr), to_mathtext(cond)))
    prefix = to_mathtext(tex[: m.start()])
    suffix = tex[m.end():].strip()
    if suffix:
        rows = [(e + " " + to_mathtext(suffix), c) for e, c in rows]
    return Formula(prefix, "", tuple(rows))


class Renderer:
    """Render mathtext snippets to SVG files, once per distinct snippet."""

    def __init__(self, size: float = 15.0) -> None:
        self.size = size
        self._cache: dict[str, tuple[str, bytes]] = {}

    def svg(self, snippet: str) -> tuple[str, bytes]:
        """Return ``(file name, SVG bytes)`` for ``snippet``; raises ``ValueError`` if
        mathtext cannot parse it."""
        if snippet not in self._cache:
            buf = io.BytesIO()
            with matplotlib.rc_context({"svg.hashsalt": "actfn", "mathtext.fontset": "cm"}):
                mathtext.math_to_image(f"${snippet}$", buf, prop=FontProperties(size=self.size),
                                       format="svg")
            data = re.sub(rb"<dc:date>.*?</dc:date>", b"", buf.getvalue(), flags=re.S)
            name = hashlib.sha1(snippet.encode("utf-8")).hexdigest()[:16] + ".svg"
            self._cache[snippet] = (name, data)
        return self._cache[snippet]

    def files(self) -> dict[str, bytes]:
        """Every SVG rendered so far, by file name."""
        return dict(self._cache.values())
