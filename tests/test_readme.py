"""Every ```python block in the README runs (blocks in one section share a namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    out = []
    for m in _BLOCK.finditer(text):
        heading = [h for h in re.findall(r"^#+ .*$", text[: m.start()], re.M)][-1:]
        out.append(((heading or ["(top)"])[0], m.group(1)))
    return out


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_example_runs(index: int, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    heading, code = _blocks()[index]
    exec(compile(code, f"README block {index} ({heading})", "exec"), {"__name__": "__readme__"})


def test_every_fence_is_closed_and_every_opening_fence_names_its_language() -> None:
    """A lost opening fence turns an example into prose (never run) and the rest of the
    README into code: fences must alternate opening-with-language / closing."""
    fences = [(n, line) for n, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1)
              if line.startswith("```")]
    assert len(fences) % 2 == 0, f"unbalanced code fences: {len(fences)}"
    for (n_open, opening), (n_close, closing) in zip(fences[::2], fences[1::2], strict=True):
        assert opening != "```", f"README line {n_open}: opening fence without a language"
        assert closing == "```", f"README line {n_close}: expected a closing fence, got {closing!r}"
