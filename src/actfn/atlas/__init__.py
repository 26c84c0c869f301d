"""The activation atlas: a self-contained static site generated from the registry.

``actfn atlas -o site`` (or :func:`build`) writes ``site/index.html`` with a comparison
table and thumbnails, and one page per activation with its rendered formulas, figure,
properties, parameters, framework equivalents, notes in English and Chinese, and a
runnable example for each framework. The site needs no network: formulas are SVG
images rendered by matplotlib's mathtext and there are no scripts or remote assets.
"""

from __future__ import annotations

from ._build import EXAMPLE_X, LEGACY_MARKER, MARKER, build, check_target, examples

__all__ = ["build", "check_target", "examples", "EXAMPLE_X", "MARKER", "LEGACY_MARKER"]
