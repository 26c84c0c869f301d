"""Chinese text is complete wherever the English one is (issue 14)."""

from __future__ import annotations

import pytest

from actfn import _i18n, lookup, names
from actfn._registry import Spec


def _fields(spec: Spec) -> list[str]:
    out = ["summary", "kink_convention", "range_text"]
    out += [f"param:{p.name}" for p in spec.params]
    for e in spec.info.get("frameworks", ()):
        out += [f"framework:{e.framework}:notes", f"framework:{e.framework}:params"]
    return out


@pytest.mark.parametrize("name", names())
def test_every_english_field_has_chinese(name):
    spec = lookup(name)
    missing = [f for f in _fields(spec)
               if _i18n.text(spec, f, "en") and not _i18n.text(spec, f, "zh", fallback=False)]
    assert not missing, f"{name}: no Chinese for {missing}; add them to {_i18n.KNOWLEDGE}/{name}.toml"
    zh = _i18n.prose(spec, "zh")
    assert zh is not None and zh.strengths and zh.weaknesses and zh.use


@pytest.mark.parametrize("name", names())
def test_knowledge_file_names_only_what_the_spec_has(name):
    spec = lookup(name)
    zh = _i18n.knowledge(name).get("zh", {})
    assert set(zh) <= {"summary", "kink_convention", "range_text", "params", "frameworks"}
    assert set(zh.get("params", {})) <= set(spec.param_names)
    assert set(zh.get("frameworks", {})) <= {e.framework for e in spec.info["frameworks"]}
    for fw, d in zh.get("frameworks", {}).items():
        assert set(d) <= {"notes", "params"}, fw
    for url in _i18n.links(spec):
        assert url.startswith("https://")


def test_no_orphan_knowledge_files():
    files = {p.stem for p in _i18n.KNOWLEDGE.glob("*.toml") if not p.stem.startswith("_")}
    assert files <= set(names()), files - set(names())


def test_labels_have_both_languages():
    lab = _i18n.labels()
    assert lab["en"].keys() == lab["zh"].keys()
    assert all(v.strip() for lang in lab.values() for v in lang.values())
    assert _i18n.label("smooth", "zh") == "光滑性"
    families = {lookup(n).family for n in names()}
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
