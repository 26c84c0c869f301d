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
