"""The offline assets shipped in ``actfn._assets``: KaTeX and the CJK font subset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import actfn
from actfn import _assets

from .tooling import load_tool

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str):
    return load_tool(name)


def _cmap() -> set[str]:
    from fontTools.ttLib import TTFont

    font = TTFont(_assets.path(_assets.CJK_FONT))
    return {chr(cp) for cp in font.getBestCmap()}


def test_cjk_subset_covers_every_cjk_character_the_package_uses():
    gen = _tool("gen_font_subset")
    used = gen.wanted()
    # The Chinese text as shown (registry prose with full-width punctuation, knowledge
    # files, labels), read at run time, not only from the source files.
    from actfn import _i18n, lookup, names

    for name in names():
        spec = lookup(name)
        zh = _i18n.prose(spec, "zh")
        text = "".join((*zh.strengths, *zh.weaknesses, zh.use, *zh.corrections))
        text += _i18n.text(spec, "summary", "zh") + _i18n.text(spec, "kink_convention", "zh")
        text += "".join(_i18n.text(spec, f"param:{p.name}", "zh") for p in spec.params)
        text += _i18n.family(spec, "zh")
        used |= {c for c in text if gen.is_cjk(c)}
    used |= {c for v in _i18n.labels()["zh"].values() for c in v if gen.is_cjk(c)}
    assert len(used) > 100
    missing = sorted(used - _cmap())
    assert not missing, (f"the CJK subset lacks {''.join(missing)!r}; "
                         "run python3 tools/gen_font_subset.py")


def test_cjk_subset_is_renamed_and_licensed():
    from fontTools.ttLib import TTFont

    font = TTFont(_assets.path(_assets.CJK_FONT))
    assert font.flavor == "woff2"
    assert font["name"].getDebugName(1) == _assets.CJK_FAMILY
    ofl = _assets.path("fonts/OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl and "Adobe" in ofl
    listed = _assets.path("fonts/ActfnCJK.chars.txt").read_text(encoding="utf-8").strip()
    assert set(listed) <= _cmap()


def test_katex_is_vendored_with_licence_and_woff2_fonts_only():
    assert re.fullmatch(r"\d+\.\d+\.\d+", _assets.katex_version())
    assert "Khan Academy" in _assets.path("katex/LICENSE").read_text(encoding="utf-8")
    assert _assets.path("katex/katex.min.js").stat().st_size > 100_000
    _assets.path("katex/contrib/auto-render.min.js")
    css = _assets.path("katex/katex.min.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert urls and all(u.endswith(".woff2") for u in urls)
    for u in urls:  # every font the stylesheet names is shipped
        _assets.path(f"katex/{u}")
    assert not re.search(r"https?://", css)


def test_asset_accessor_refuses_paths_outside_and_missing():
    with pytest.raises(ValueError, match="leaves"):
        _assets.path("../__init__.py")
    with pytest.raises(FileNotFoundError):
        _assets.path("katex/nope.js")
    assert "katex/katex.min.js" in _assets.files("katex/")
    assert all(f.startswith("fonts/") for f in _assets.files("fonts/"))


def test_assets_are_package_data():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for pattern in ("_assets/katex/*", "_assets/katex/fonts/*", "_assets/fonts/*"):
        assert f'"{pattern}"' in text
    assert Path(actfn.__file__).parent / "_assets" == _assets.ROOT
