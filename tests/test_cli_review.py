"""Regression tests for the hostile review of issue 14 on the CLI side: each
``test_review_NN_*`` pins the fix of review defect NN (``actfn atlas --force``,
``actfn explore --claims``, table wrapping)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actfn import _safe_io
from actfn.atlas import _build
from actfn.cli import app

runner = CliRunner()


def run(*args: str, **kw):
    return runner.invoke(app, list(args), **kw)


def tree(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


# -- 5: --force never replaces a file actfn did not write -----------------------------------
def test_review_05_force_refuses_user_files_up_front_naming_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_build, "names", lambda kind="elementwise": ["relu", "celu"])
    drawn: list[object] = []
    from actfn import plot

    real = plot.save
    monkeypatch.setattr(plot, "save", lambda fig, path: (drawn.append(path), real(fig, path)))
    ow = tmp_path / "ow"
    (ow / "img").mkdir(parents=True)
    (ow / "index.html").write_text("MINE")
    (ow / "atlas.js").write_text("MINE2")
    (ow / "img" / "celu.png").write_text("MINE3")
    (ow / "relu.html").write_text("MINE4")
    (ow / "style.css").write_text("MINE5")
    before = tree(ow)
    r = run("atlas", "-o", str(ow), "--force", "--lang", "en", "-q")
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()
    assert "refusing to overwrite 5 file(s)" in line and "and 2 more" in line
    assert "index.html" in line or "atlas.js" in line
    assert "--force never replaces" in line
    assert tree(ow) == before and drawn == []  # nothing written, no work done
    # without the user's files, --force adds the atlas beside what is left
    for f in ("index.html", "atlas.js", "img/celu.png", "relu.html", "style.css"):
        (ow / f).unlink()
    (ow / "notes.txt").write_text("keep")
    r = run("atlas", "-o", str(ow), "--force", "--lang", "en", "-q")
    assert r.exit_code == 0, r.output
    assert (ow / "notes.txt").read_text() == "keep"
    assert "notes.txt" not in json.loads((ow / _safe_io.MANIFEST).read_text())["files"]


def test_review_05_force_still_replaces_files_of_another_actfn_record(tmp_path: Path) -> None:
    root = tmp_path / "r"
    with _safe_io.OwnedDir(root, tool="actfn one") as owned:
        owned.write_text("shared.txt", "one")
    (root / "user.txt").write_text("mine")
    with pytest.raises(_safe_io.OutputPathError, match="user.txt"):
        _safe_io.OwnedDir(root, tool="actfn two", force=True, planned=["user.txt"])
    with _safe_io.OwnedDir(root, tool="actfn two", force=True,
                           planned=["shared.txt"]) as owned:
        owned.write_text("shared.txt", "two")
    assert (root / "shared.txt").read_text() == "two"
    assert (root / "user.txt").read_text() == "mine"


def test_review_05_help_says_force_never_replaces() -> None:
    for cmd in (["atlas", "--help"], ["claims", "run", "--help"]):
        r = run(*cmd, env={"COLUMNS": "200"})
        assert "never replaced" in " ".join(r.output.split()), cmd


# -- 12: tables wrap at word and code boundaries -------------------------------------------
def _cells(out: str) -> str:
    return "\n".join(line.rstrip() for line in out.splitlines())


def test_review_12_list_at_80_columns_breaks_no_word() -> None:
    import actfn

    r = run("list", env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    words = set(r.stdout.split())
    for n in actfn.names():
        spec = actfn.lookup(n)
        assert n in words and actfn._i18n.family(spec, "en") in words, n
        for p in spec.params:  # a parameter keeps its name whole (value maybe after a "=")
            assert p.name in r.stdout, (n, p.name)
    assert "exponent\n" not in _cells(r.stdout) and "approximat\n" not in _cells(r.stdout)
    assert "approximate='none'" in words
    assert "negative_slope=0.01" in words


def test_review_12_framework_code_breaks_at_punctuation() -> None:
    from actfn.cli._terminal import wrap_cell

    assert wrap_cell("torch.nn.functional.selu(x)", 14) == "torch.nn.\nfunctional.\nselu(x)"
    assert wrap_cell("kernel_initializer='lecun_normal'", 20) == \
        "kernel_initializer\n='lecun_normal'"
    assert wrap_cell("  negative_slope=0.01", 17) == "  negative_slope\n  =0.01"
    assert wrap_cell("abcdefghij", 4) == "abcd\nefgh\nij"  # the last resort
    assert wrap_cell("无参数：alpha 和 scale", 10) == "无参数：\nalpha 和\nscale"
    r = run("show", "selu", env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    table = r.stdout.split("Frameworks", 1)[1].split("Strengths", 1)[0]
    cells = [c.strip() for line in table.splitlines() for c in line.split("│")]
    import actfn
    from actfn.cli._terminal import _segments

    for e in actfn.lookup("selu").knowledge.frameworks:
        for code in (e.at(actfn.lookup("selu").defaults()), e.layer):  # every piece of code stays whole on one line
            for seg in _segments(code or ""):
                assert any(seg in c for c in cells), (code, seg)
    assert "functional." in cells and "torch.nn." in cells


def test_review_12_zh_kink_line_hangs_under_its_text() -> None:
    r = run("show", "selu", "--lang", "zh", env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("  折点"))
    label = lines[i].split("：", 1)[0] + "："
    from rich.cells import cell_len

    assert lines[i + 1].startswith(" " * cell_len(label)) and lines[i + 1].strip()
