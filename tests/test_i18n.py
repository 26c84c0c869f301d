"""Chinese text is complete wherever the English one is (issue 14), and written with
full-width punctuation in the data itself (issue 16)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from actfn import Spec, _i18n, lookup, names


def _fields(spec: Spec) -> list[str]:
    out = ["summary", "kink_convention", "range_text"]
    out += [f"param:{p.name}" for p in spec.params]
    for e in spec.knowledge.frameworks:
        out += [f"framework:{e.framework}:notes", f"framework:{e.framework}:params"]
    return out


@pytest.mark.parametrize("name", names(kind="all"))
def test_every_english_field_has_chinese(name):
    spec = lookup(name, kind="all")
    missing = [f for f in _fields(spec)
               if _i18n.text(spec, f, "en") and not _i18n.text(spec, f, "zh", fallback=False)]
    assert not missing, f"{name}: no Chinese for {missing}; add them to {spec.knowledge.source}"
    zh = _i18n.prose(spec, "zh")
    assert zh is not None and zh.strengths and zh.weaknesses and zh.use


@pytest.mark.parametrize("name", names(kind="all"))
def test_knowledge_file_names_only_what_the_spec_has(name):
    spec = lookup(name, kind="all")
    know = spec.knowledge
    zh = dict(know.translations.get("zh", {}))
    fields = {"summary", "kink_convention", "range_text"}
    fields |= {f"param:{p}" for p in spec.param_names}
    fields |= {f"framework:{e.framework}:{a}" for e in know.frameworks for a in ("notes", "params")}
    assert set(zh) <= fields, set(zh) - fields
    assert set(know.symbols.values()) <= set(spec.param_names)
    for url in _i18n.links(spec):
        assert url.startswith("https://")


def test_no_orphan_knowledge_files():
    catalog = Path(lookup("relu").knowledge.source).parent
    files = {p.stem for p in catalog.glob("*.toml")}
    every = set(names(kind="all"))  # the gated units' files too
    assert files <= every, files - every
    assert {lookup(n, kind="all").knowledge.source.parent for n in every} == {catalog}


def test_labels_have_both_languages():
    lab = _i18n.labels()
    assert lab["en"].keys() == lab["zh"].keys()
    assert all(v.strip() for lang in lab.values() for v in lang.values())
    assert _i18n.label("smooth", "zh") == "光滑性"
    assert _i18n.undocumented("en") == "not documented yet"
    assert _i18n.undocumented("zh") == "尚无说明"
    families = {lookup(n, kind="all").family for n in names(kind="all")}
    assert {f"family.{f}" for f in families} <= lab["zh"].keys()


def test_reference_links_from_arxiv_ids_and_data():
    assert "https://arxiv.org/abs/1511.07289" in _i18n.links(lookup("elu"))
    assert "https://arxiv.org/abs/1502.01852" in _i18n.links(lookup("prelu"))


def test_unknown_language_and_field_are_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        _i18n.text(lookup("relu"), "summary", "fr")
    with pytest.raises(KeyError):
        _i18n.text(lookup("relu"), "param:alpha", "zh")


@pytest.mark.parametrize(("raw", "want"), [
    ("对任意 alpha > 0,f 与 f′", "对任意 alpha > 0\uff0cf 与 f′"),
    ("clip(0.2x + 0.5, 0, 1),在 ±2.5 处", "clip(0.2x + 0.5, 0, 1)\uff0c在 ±2.5 处"),
    ("见 arXiv:1511.07289。", "见 arXiv:1511.07289。"),
    ("默认值(PyTorch)", "默认值\uff08PyTorch\uff09"),
])
def test_chinese_punctuation_is_full_width_but_code_is_kept(raw, want):
    assert _i18n.zh_punctuation(raw) == want


# -- the Chinese data itself uses full-width punctuation (no display-time repair) -----------
_CJK = "[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
#: An ASCII comma, semicolon or colon next to a Chinese character (spaces between allowed).
_ASCII_NEXT_TO_CJK = re.compile(f"{_CJK} *[,;:]|[,;:] *{_CJK}")


def _zh_texts(spec: Spec) -> Iterator[str]:
    know = spec.knowledge
    p = know.prose.get("zh")
    if p is not None:
        yield from (*p.strengths, *p.weaknesses, p.use, *p.corrections)
    yield from know.translations.get("zh", {}).values()


@pytest.mark.parametrize("name", names(kind="all"))
def test_chinese_data_has_full_width_punctuation(name):
    texts = list(_zh_texts(lookup(name, kind="all")))
    assert texts
    bad = [t for t in texts if _ASCII_NEXT_TO_CJK.search(t)]
    assert not bad, bad
    # and the display-time repair has nothing left to do
    assert [t for t in texts if _i18n.zh_punctuation(t) != t] == []


def test_chinese_labels_and_glossary_have_full_width_punctuation():
    texts = list(_i18n.labels()["zh"].values()) + list(_i18n._symbol_text()["zh"].values())
    assert not [t for t in texts if _ASCII_NEXT_TO_CJK.search(t)]


def test_punctuation_check_catches_ascii_between_chinese():
    assert _ASCII_NEXT_TO_CJK.search("最便宜的非线性:一次比较")
    assert _ASCII_NEXT_TO_CJK.search("输出有界, 便于定点")
    assert not _ASCII_NEXT_TO_CJK.search("clip(x, 0, 1)，在 ±2.5 处")
