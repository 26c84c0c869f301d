"""The activation atlas: a self-contained static site generated from the registry.

``actfn atlas -o site`` (or :func:`build`) writes ``site/index.html`` with a comparison
table and thumbnails, and one page per activation (``NAME.html``, and ``NAME.zh.html``
in Chinese) with its formulas (KaTeX, shipped with actfn) and the meaning of every
symbol, a figure where no curve hides another, properties, parameters, framework
equivalents, notes, the claims about it, highlighted runnable examples and reference
links; a sidebar with search, and a page listing the claims. The site needs no network:
KaTeX, the CJK font subset and the search index are files of the site.
"""

from __future__ import annotations

from ._build import (
    EXAMPLE_X,
    EXPLORER_URL,
    LANGS,
    LEGACY_MARKER,
    MARKER,
    build,
    check_target,
    examples,
)

__all__ = ["build", "check_target", "examples", "EXAMPLE_X", "MARKER", "LEGACY_MARKER", "LANGS",
           "EXPLORER_URL"]
