"""Regression tests for the hostile review of issue 14 on the atlas: each
``test_review_NN_*`` pins the fix of review defect NN."""

from __future__ import annotations

from pathlib import Path

import pytest

from actfn.atlas import _build


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("atlas") / "site"
    _build.build(out, only=["relu", "celu"])
    return out


def test_review_13_explorer_links_on_every_page_in_the_pages_language(site: Path) -> None:
    import inspect

    from actfn.explore import serve

    port = inspect.signature(serve).parameters["port"].default
    assert port == 8000 and _build.EXPLORER_URL.startswith(f"http://127.0.0.1:{port}/")
    pages = {"relu.html": "http://127.0.0.1:8000/#name=relu",
             "relu.zh.html": "http://127.0.0.1:8000/?lang=zh#name=relu",
             "index.html": 'href="http://127.0.0.1:8000/"',
             "index.zh.html": 'href="http://127.0.0.1:8000/?lang=zh"',
             "claims.html": 'href="http://127.0.0.1:8000/"',
             "claims.zh.html": 'href="http://127.0.0.1:8000/?lang=zh"'}
    for page, link in pages.items():
        html = (site / page).read_text(encoding="utf-8")
        assert link in html, page
    assert "?lang=zh" not in (site / "relu.html").read_text(encoding="utf-8")
    assert "8000" in (site / "index.html").read_text(encoding="utf-8")  # port named


def test_review_09_zh_pages_give_valid_ranges_in_chinese(site: Path) -> None:
    zh = (site / "celu.zh.html").read_text(encoding="utf-8")
    en = (site / "celu.html").read_text(encoding="utf-8")
    assert "alpha &gt; 0（有限）" in zh and "(finite)" not in zh
    assert "alpha &gt; 0 (finite)" in en
