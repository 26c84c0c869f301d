"""Issue 9, "User files destroyed": the CLI never destroys or half-writes what it did not
create (atlas / claims folders with a manifest, atomic single files through symlinks,
refusal of non-regular targets, umask modes, checks before the work, signals), and the
atlas is path-safe and HTML-escaped ("Plain-Python habits")."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actfn import _registry, _safe_io
from actfn.atlas import _build
from actfn.cli import app

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src"


def run(*args: str):
    return runner.invoke(app, list(args))


def one_line(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.output
    return lines[0]


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry under ``root``: kind, content (files) or link target, mode."""
    out: dict[str, tuple[str, bytes | str, int]] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        st = p.lstat()
        if p.is_symlink():
            out[rel] = ("link", os.readlink(p), 0)
        elif p.is_dir():
            out[rel] = ("dir", "", stat.S_IMODE(st.st_mode))
        else:
            out[rel] = ("file", p.read_bytes(), stat.S_IMODE(st.st_mode))
    return out


def hidden_leftovers(root: Path) -> list[str]:
    """Temporary files or folders actfn might leave: ``.x.XXXX.tmp``, ``.site.XXXX``."""
    return [p.relative_to(root).as_posix() for p in root.rglob(".*")
            if p.name not in (_safe_io.MANIFEST, ".git") and ".git" not in p.parts]


@pytest.fixture
def one_page_atlas(monkeypatch: pytest.MonkeyPatch) -> None:
    """``actfn atlas`` through the CLI builds just relu and tanh (seconds, not minutes)."""
    monkeypatch.setattr(_build, "names", lambda kind="elementwise": ["relu", "tanh"])


@pytest.fixture
def umask_027() -> Iterator[int]:
    old = os.umask(0o027)
    try:
        yield 0o027
    finally:
        os.umask(old)


def manifest_files(root: Path) -> set[str]:
    return set(json.loads((root / _safe_io.MANIFEST).read_text())["files"])


# -- atlas: folder ownership ----------------------------------------------------------------
def test_gh_pages_checkout_git_and_cname_survive_atlas_rebuild(tmp_path: Path,
                                                               one_page_atlas: None) -> None:
    site = tmp_path / "gh-pages"
    r = run("atlas", "-o", str(site), "--quiet")
    assert r.exit_code == 0, r.output
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    (site / "CNAME").write_text("atlas.example.org\n")
    (site / "notes.txt").write_text("my notes")
    theirs = {k: v for k, v in snapshot(site).items()
              if k.startswith(".git") or k in ("CNAME", "notes.txt")}
    r = run("atlas", "-o", str(site), "--quiet")
    assert r.exit_code == 0, r.output
    after = snapshot(site)
    assert {k: after[k] for k in theirs} == theirs  # .git, CNAME, notes untouched
    assert (site / "relu.html").is_file() and (site / "tanh.html").is_file()
    own = manifest_files(site)
    assert {"index.html", "relu.html", "img/relu.png", "style.css"} <= own
    assert not any(f.startswith(".git") or f in ("CNAME", "notes.txt") for f in own)
    assert hidden_leftovers(site) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gh-pages"]  # no ..old.* sibling


def test_atlas_rebuild_removes_only_its_own_stale_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build.build(site, only=["relu", "tanh"])
    (site / "CNAME").write_text("x.org")
    (site / "img" / "mine.png").write_bytes(b"not actfn's")
    _build.build(site, only=["relu"])
    assert not (site / "tanh.html").exists() and not (site / "img" / "tanh.png").exists()
    assert (site / "CNAME").read_text() == "x.org"
    assert (site / "img" / "mine.png").read_bytes() == b"not actfn's"
    assert "tanh.html" not in manifest_files(site)


def test_atlas_refuses_foreign_non_empty_dir_exit_2_untouched(tmp_path: Path,
                                                              one_page_atlas: None) -> None:
    (tmp_path / "notes.txt").write_text("keep")
    (tmp_path / "index.html").write_text("my own page")
    (tmp_path / ".git").mkdir()
    before = snapshot(tmp_path)
    r = run("atlas", "-o", str(tmp_path), "--quiet")
    assert r.exit_code == 2
    line = one_line(r)
    assert "refusing to overwrite" in line and "--force" in line
    assert snapshot(tmp_path) == before


def test_atlas_force_writes_only_its_own_files(tmp_path: Path, one_page_atlas: None) -> None:
    (tmp_path / "notes.txt").write_text("keep")
    (tmp_path / "CNAME").write_text("x.org")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    before = snapshot(tmp_path)
    r = run("atlas", "-o", str(tmp_path), "--quiet", "--force")
    assert r.exit_code == 0, r.output
    after = snapshot(tmp_path)
    assert {k: after[k] for k in before} == before
    own = manifest_files(tmp_path)
    new = {k for k in set(after) - set(before) if not (tmp_path / k).is_dir()}  # folders:
    new -= {_safe_io.MANIFEST}  # img/, assets/katex/fonts/ … hold the listed files
    assert new == own  # everything added is listed as actfn's, nothing else was touched
    r = run("atlas", "-o", str(tmp_path), "--quiet")  # now it is an atlas: no --force needed
    assert r.exit_code == 0, r.output
    assert (tmp_path / "notes.txt").read_text() == "keep"


def test_atlas_rebuild_refuses_to_overwrite_a_file_it_did_not_write(
        tmp_path: Path, one_page_atlas: None) -> None:
    site = tmp_path / "site"
    _build.build(site, only=["relu"])
    (site / "tanh.html").write_text("my page about tanh")  # not in the manifest
    r = run("atlas", "-o", str(site), "--quiet")
    assert r.exit_code == 2 and "tanh.html" in one_line(r)
    assert (site / "tanh.html").read_text() == "my page about tanh"


def test_atlas_into_dot_leaves_no_old_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             one_page_atlas: None) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        r = run("atlas", "-o", ".", "--quiet")
        assert r.exit_code == 0, r.output
    assert (tmp_path / "index.html").is_file()
    assert [p.name for p in tmp_path.parent.iterdir() if ".old." in p.name] == []
    assert hidden_leftovers(tmp_path) == []


def test_atlas_of_0_1_0_with_marker_is_rebuilt_in_place(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / _build.LEGACY_MARKER).write_text("actfn 0.1.0\n")
    (site / "relu.html").write_text("old page")
    (site / "CNAME").write_text("x.org")
    _build.build(site, only=["relu"])
    assert "old page" not in (site / "relu.html").read_text()
    assert (site / "CNAME").read_text() == "x.org"
    assert not (site / _build.LEGACY_MARKER).exists()


# -- atlas: path safety and escaping (issue: "Plain-Python habits") -------------------------
@pytest.fixture
def hostile_spec() -> Iterator[Callable[..., str]]:
    added: list[str] = []

    def add(name: str, **changes) -> str:
        spec = dataclasses.replace(_registry.lookup("relu"), name=name, aliases=(), **changes)
        _registry._SPECS[name] = spec
        added.append(name)
        return name

    try:
        yield add
    finally:
        for n in added:
            _registry._SPECS.pop(n, None)


def test_atlas_spec_named_dotdot_cannot_write_outside(tmp_path: Path, hostile_spec) -> None:
    name = hostile_spec("../x")
    out = tmp_path / "a" / "site"
    out.parent.mkdir()
    with pytest.raises(ValueError, match="not a safe file name"):
        _build.build(out, only=[name])
    assert list(tmp_path.rglob("*")) == [out.parent]  # nothing written anywhere


def test_atlas_cli_with_unsafe_name_is_exit_2(tmp_path: Path, hostile_spec,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    name = hostile_spec('x"><script>')
    monkeypatch.setattr(_build, "names", lambda kind="elementwise": ["relu", name])
    r = run("atlas", "-o", str(tmp_path / "site"), "--quiet")
    assert r.exit_code == 2 and "not a safe file name" in one_line(r)
    assert list(tmp_path.iterdir()) == []


def test_atlas_escapes_hostile_text(tmp_path: Path, hostile_spec, monkeypatch) -> None:
    # The prose is data: a plugin's knowledge file beside its module (relu's, with hostile
    # English strengths and use).
    relu = _registry.lookup("relu")
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "zz_evil_kernels.py").write_text("def f(x, xp):\n    return xp.where(x < 0, 0.0, x)\n")
    toml = relu.knowledge.source.read_text(encoding="utf-8")
    head, en, zh = re.split(r"(?m)^(?=\[prose\.(?:en|zh)\]$)", toml)
    lines = en.split("\n")
    assert lines[1] == "strengths = ["
    lines[2] = "    " + json.dumps('<script>alert("s")</script>') + ","
    lines = [("use = " + json.dumps("it's \"fine\" <b>")) if ln.startswith("use = ") else ln
             for ln in lines]
    (plugin / "zz_evil.toml").write_text(head + "\n".join(lines) + zh, encoding="utf-8")
    monkeypatch.syspath_prepend(str(plugin))
    import zz_evil_kernels

    name = hostile_spec("zz_evil", summary='<script>alert("x")</script> & "q"',
                        family='"><img src=x onerror=alert(1)>', f=zz_evil_kernels.f,
                        reference="<script>r</script>")
    assert _registry.lookup(name).knowledge.prose["en"].use == "it's \"fine\" <b>"
    site = tmp_path / "site"
    _build.build(site, only=["relu", name])
    # The pages come from autoescaping Jinja2 templates (issue 14), which write a quote as
    # &#34; rather than &quot;, and load the atlas's own scripts (KaTeX, search): the
    # hostile text must appear only escaped, never as markup.
    for page in ("index.html", f"{name}.html", f"{name}.zh.html"):
        text = (site / page).read_text()
        assert "<script>alert" not in text and "<script>r<" not in text, page
        assert "onerror=alert(1)>" not in text and "<img src=x" not in text, page
        assert set(re.findall(r"<script[^>]*>", text)) <= {
            '<script src="assets/katex/katex.min.js">', '<script src="search-index.js">',
            '<script src="atlas.js">'}, page
        assert "&lt;script&gt;" in text or page == "index.html"
        assert "&#34;&gt;&lt;img src=x" in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;q&#34;" in (
        site / f"{name}.html").read_text()
    index_js = (site / "search-index.js").read_text()
    assert "</script" not in index_js and "alert" in index_js  # "</" written as "<\\/"


def test_owned_dir_refuses_paths_leaving_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    with _safe_io.OwnedDir(root, tool="actfn test") as owned:
        for rel in ("../x", "/etc/x", "a/../../x", "", "a//b"):
            with pytest.raises(_safe_io.OutputPathError):
                owned.path(rel)
        (root / "link").symlink_to(outside)
        with pytest.raises(_safe_io.OutputPathError, match="resolves outside"):
            owned.write_text("link/x.txt", "no")
        owned.write_text("ok.txt", "yes")
    assert list(outside.iterdir()) == []
    assert manifest_files(root) == {"ok.txt"}


# -- claims run -o --------------------------------------------------------------------------
CLAIM = "selu-constants"  # one experiment (selu-fixed-point), a few seconds with --quick


def test_claims_run_does_not_overwrite_user_files_and_uses_umask(tmp_path: Path,
                                                                umask_027: int) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    (out / "README.md").write_text("my readme")
    before = snapshot(out)
    r = run("claims", "run", CLAIM, "--quick", "--no-figures", "-o", str(out))
    assert r.exit_code == 2 and "refusing to overwrite" in one_line(r)
    assert snapshot(out) == before
    (out / "README.md").unlink()
    r = run("claims", "run", CLAIM, "--quick", "-o", str(out), "--force")
    assert r.exit_code == 0, r.output
    assert (out / "notes.md").read_text() == "mine"
    own = manifest_files(out)
    assert own == {"README.md", "plan.json", "results.json", "selu-fixed-point.png"}
    for rel in (*own, _safe_io.MANIFEST):
        assert stat.S_IMODE((out / rel).stat().st_mode) == 0o640, rel  # 0o666 & ~0o027
    assert hidden_leftovers(out) == [".actfn-cache"]  # the task cache a rerun resumes from
    # an earlier report: rerun without --force replaces only its own files
    (out / "README.md").chmod(0o604)
    r = run("claims", "run", CLAIM, "--quick", "--no-figures", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert not (out / "selu-fixed-point.png").exists()  # stale: not drawn this time
    assert stat.S_IMODE((out / "README.md").stat().st_mode) == 0o604  # mode kept
    assert (out / "notes.md").read_text() == "mine"


def test_claims_run_checks_output_before_running(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import actfn.experiments as ex

    calls: list[object] = []
    monkeypatch.setattr(ex, "run", lambda *a, **k: calls.append(a))
    (tmp_path / "user.txt").write_text("x")
    for target in (tmp_path, tmp_path / "user.txt", tmp_path / "missing" / "report"):
        r = run("claims", "run", CLAIM, "--quick", "-o", str(target))
        assert r.exit_code == 2, r.output
        one_line(r)
    assert calls == []


# -- single files: atomic, through symlinks, refuse non-regular targets ----------------------
#: The first line that marks a text file as actfn's (single files actfn may rewrite).
MINE = _safe_io.text_header()
#: An earlier bench JSON written by actfn (its mark: the first key "generator").
OLD_JSON = json.dumps({"generator": _safe_io.generator(), "good": True})


def test_atomic_write_mode_umask_and_kept(tmp_path: Path, umask_027: int) -> None:
    p = tmp_path / "a.txt"
    _safe_io.atomic_write_text(p, MINE + "one")
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    p.chmod(0o604)
    _safe_io.atomic_write_text(p, MINE + "two")
    assert p.read_text() == MINE + "two" and stat.S_IMODE(p.stat().st_mode) == 0o604
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt"]


def _fail_midway(fd: int, data: bytes) -> None:
    os.write(fd, data[: len(data) // 2])
    raise OSError(errno.EFBIG, "File too large")


def test_bench_output_is_atomic_when_the_write_fails(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "b.json"
    out.write_text(OLD_JSON)
    monkeypatch.setattr(_safe_io, "_write_all", _fail_midway)
    r = run("bench", "relu", "--size", "64", "--repeats", "1", "--threads", "1",
            "-o", str(out))
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "File too large" in r.stderr.strip().splitlines()[-1]  # after bench's progress
    assert out.read_text() == OLD_JSON
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]


def test_bench_output_survives_a_file_size_limit(tmp_path: Path) -> None:
    """The issue's case: RLIMIT_FSIZE cut a bench JSON at 1,024 bytes over a good file."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    args = [sys.executable, "-m", "actfn.cli", "bench", "relu", "--size", "64", "--repeats",
            "1", "--threads", "1", "-o"]
    warm = subprocess.run([*args, str(tmp_path / "warm.json")], capture_output=True,
                          text=True, env=env, timeout=600)  # compiles and caches kernels
    assert warm.returncode == 0, warm.stderr
    assert (tmp_path / "warm.json").stat().st_size > 1024
    out = tmp_path / "b.json"
    out.write_text(OLD_JSON)

    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.RLIM_INFINITY))\n"
            "from actfn.cli import main\n"
            "main(sys.argv[1:])\n")
    r = subprocess.run([sys.executable, "-c", code, *args[3:], str(out)], capture_output=True,
                       text=True, env=env, timeout=600)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "File too large" in r.stderr.strip().splitlines()[-1]
    assert out.read_text() == OLD_JSON
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json", "warm.json"]


def test_bench_checks_output_before_running(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from actfn.cli import bench as cli_bench

    calls: list[object] = []
    monkeypatch.setattr(cli_bench, "run_bench", lambda *a, **k: calls.append(a))
    (tmp_path / "d.json").mkdir()
    os.mkfifo(tmp_path / "f.json")
    for target in ("missing/b.json", "d.json", "f.json"):
        r = run("bench", "relu", "--size", "64", "-o", str(tmp_path / target))
        assert r.exit_code == 2, r.output
        one_line(r)
    assert calls == []


def test_plot_writes_through_a_symlink_and_keeps_it(tmp_path: Path, umask_027: int) -> None:
    from actfn import plot

    target = tmp_path / "real.png"
    plot.save(plot.figure("relu"), target)  # an earlier figure of actfn's
    target.chmod(0o664)
    link = tmp_path / "link.png"
    link.symlink_to(target.name)
    r = run("plot", "relu", "-o", str(link))
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == "real.png"
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o664
    dangling = tmp_path / "new.svg"
    dangling.symlink_to("made.svg")
    r = run("compare", "relu", "gelu", "-o", str(dangling))
    assert r.exit_code == 0, r.output
    assert dangling.is_symlink() and (tmp_path / "made.svg").read_bytes().startswith(b"<?xml")
    assert stat.S_IMODE((tmp_path / "made.svg").stat().st_mode) == 0o640
    assert hidden_leftovers(tmp_path) == []


def test_plot_refuses_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run([sys.executable, "-m", "actfn.cli", "plot", "relu", "-o", str(fifo)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "FIFO" in r.stderr and "Traceback" not in r.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize("kind", ["directory", "device", "symlink to a directory"])
def test_plot_refuses_non_regular_targets(kind: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from actfn import plot

    monkeypatch.setattr(plot, "figure", lambda *a, **k: pytest.fail("drew before checking"))
    if kind == "directory":
        target = tmp_path / "d.png"
        target.mkdir()
    elif kind == "device":
        target = tmp_path / "null.png"
        target.symlink_to("/dev/null")
    else:
        (tmp_path / "d").mkdir()
        target = tmp_path / "d.png"
        target.symlink_to("d")
    r = run("plot", "relu", "-o", str(target))
    assert r.exit_code == 2
    assert "not a regular file" in one_line(r)
    assert Path("/dev/null").exists() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_invalid_output_paths_fail_before_the_work(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from actfn import atlas, plot

    monkeypatch.setattr(plot, "figure", lambda *a, **k: pytest.fail("plot drew"))
    monkeypatch.setattr(plot, "compare_figure", lambda *a, **k: pytest.fail("compare drew"))
    monkeypatch.setattr(atlas, "build", lambda *a, **k: pytest.fail("atlas built"))
    (tmp_path / "dir.png").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    cases = [
        ("plot", "relu", "-o", str(tmp_path / "dir.png")),
        ("plot", "relu", "-o", str(tmp_path / "no" / "x.png")),
        ("compare", "relu", "gelu", "-o", str(tmp_path / "dir.png")),
        ("atlas", "-o", str(tmp_path / "full"), "--quiet"),
        ("atlas", "-o", str(tmp_path / "no" / "site"), "--quiet"),
        ("atlas", "-o", str(tmp_path / "full" / "x"), "--quiet"),
    ]
    for args in cases:
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        one_line(r)


# -- signals ----------------------------------------------------------------------------------
def _start_atlas(site: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, "-m", "actfn.cli", "atlas", "-o", str(site),
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _wait_for(cond, proc: subprocess.Popen, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "atlas did not start writing"
        time.sleep(0.02)


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_signal_during_atlas_leaves_nothing_behind(sig: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    proc = _start_atlas(site)
    _wait_for(lambda: any((site / "img").glob("*.png")), proc)
    signum = getattr(signal, sig)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines() == [f"actfn: interrupted by {sig}"]
    assert list(tmp_path.iterdir()) == []  # the new folder and its files are gone


def test_sigterm_during_atlas_rebuild_keeps_the_earlier_atlas(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build.build(site, only=["relu"])
    (site / "CNAME").write_text("x.org")
    before, own_before = snapshot(site), manifest_files(site)
    proc = _start_atlas(site)
    _wait_for(lambda: len(list((site / "img").glob("*.png"))) > 4, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 143, err
    after = snapshot(site)
    assert set(after) == set(before)  # files the interrupted run created are gone
    assert after["CNAME"] == before["CNAME"]
    assert hidden_leftovers(site) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert manifest_files(site) == own_before


# -- review of the file-safety work: regression tests named after the defect ----------------
def _count_drawing(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every figure the atlas would draw (none must be drawn before a refusal)."""
    from actfn import plot

    calls: list[object] = []
    real = plot.save

    def save(fig, path):
        calls.append(path)
        return real(fig, path)

    monkeypatch.setattr(plot, "save", save)
    return calls


def test_defect01_rebuild_of_0_1_0_atlas_deletes_only_exact_old_names(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for d in ("img", "math", "notes"):
        (site / d).mkdir(parents=True)
    (site / _build.LEGACY_MARKER).write_text("actfn 0.1.0\n")
    old = ["relu.html", "tanh.html", "index.html", "style.css", "img/relu.png",
           "img/tanh-thumb.png", "img/overview.png", "math/0123456789abcdef.svg"]
    mine = ["about.html", "img/logo.png", "notes/todo.html", "notes/relu.html", "CNAME",
            "math/mine.svg", "img/sub.png"]
    for rel in old + mine:
        (site / rel).write_text("old or mine")
    (site / "img" / "nested").mkdir()
    (site / "img" / "nested" / "relu.png").write_text("mine")
    _build.build(site, only=["relu"])
    for rel in mine + ["img/nested/relu.png"]:
        assert (site / rel).read_text() in ("old or mine", "mine"), rel  # kept
    for rel in ("tanh.html", "img/tanh-thumb.png", "math/0123456789abcdef.svg"):
        assert not (site / rel).exists(), rel  # the old version's stale files
    assert "old or mine" not in (site / "relu.html").read_text()
    assert not set(mine) & manifest_files(site)


def test_defect02_force_never_writes_through_a_symlinked_manifest(
        tmp_path: Path, one_page_atlas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _build.build(site, only=["relu"])
    decoy = tmp_path / "decoy.txt"
    decoy.write_text("precious")
    (site / _safe_io.MANIFEST).unlink()
    (site / _safe_io.MANIFEST).symlink_to(decoy)
    drawn = _count_drawing(monkeypatch)
    for extra in ((), ("--force",)):
        r = run("atlas", "-o", str(site), "-q", *extra)
        assert r.exit_code == 2, r.output
        assert "symlink" in one_line(r) and _safe_io.MANIFEST in one_line(r)
    assert decoy.read_text() == "precious" and drawn == []
    assert (site / _safe_io.MANIFEST).is_symlink()


def test_defect03_stale_removal_never_leaves_the_folder_through_a_symlink(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build.build(site, only=["relu"])
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "victim.txt").write_text("precious")
    (tmp_path / "victim2.txt").write_text("precious")
    (site / "lnk").symlink_to(decoy)
    (site / "lnk2.txt").symlink_to(tmp_path / "victim2.txt")
    data = json.loads((site / _safe_io.MANIFEST).read_text())
    data["files"] += ["lnk/victim.txt", "lnk2.txt"]
    (site / _safe_io.MANIFEST).write_text(json.dumps(data))
    _build.build(site, only=["relu"])
    assert (decoy / "victim.txt").read_text() == "precious"
    assert (tmp_path / "victim2.txt").read_text() == "precious"
    assert (site / "lnk2.txt").is_symlink()  # not a regular file: not actfn's to remove
    assert not {"lnk/victim.txt", "lnk2.txt"} & manifest_files(site)


def test_defect04_force_refuses_a_folder_in_a_file_slot_before_work_and_records_nothing(
        tmp_path: Path, one_page_atlas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    w = tmp_path / "w"
    (w / "index.html").mkdir(parents=True)
    (w / "notes.txt").write_text("note")
    before = snapshot(w)
    drawn = _count_drawing(monkeypatch)
    r = run("atlas", "-o", str(w), "-q", "--force")
    assert r.exit_code == 2 and "index.html" in one_line(r) and "directory" in one_line(r)
    assert drawn == [] and snapshot(w) == before  # no manifest appeared


def test_defect04_failed_run_records_only_files_it_wrote(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "user.txt").write_text("mine")
    with _safe_io.OwnedDir(root, tool="actfn test", force=True) as owned:
        owned.write_text("a.txt", "a")
    assert manifest_files(root) == {"a.txt"}

    def broken(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(_safe_io.OutputPathError, match="No space"):
        with _safe_io.OwnedDir(root, tool="actfn test") as owned:
            owned.write_text("a.txt", "a2")
            owned.path("requested-never-written.txt")
            monkeypatch.setattr(_safe_io, "_write_all", broken)
            owned.write_text("b.txt", "b")
    assert manifest_files(root) == {"a.txt"} and (root / "a.txt").read_text() == "a2"
    assert sorted(p.name for p in root.iterdir()) == [_safe_io.MANIFEST, "a.txt", "user.txt"]
    # a forced run into a folder that had no manifest writes none when it fails
    monkeypatch.undo()
    other = tmp_path / "other"
    other.mkdir()
    (other / "user.txt").write_text("mine")
    with pytest.raises(RuntimeError):
        with _safe_io.OwnedDir(other, tool="actfn test", force=True) as owned:
            owned.write_text("new.txt", "x")
            raise RuntimeError("the build failed")
    assert [p.name for p in other.iterdir()] == ["user.txt"]


def test_defect05_manifest_slot_that_is_a_folder_is_refused_before_work(
        tmp_path: Path, one_page_atlas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    s3 = tmp_path / "s3"
    (s3 / _safe_io.MANIFEST).mkdir(parents=True)
    (s3 / "notes.txt").write_text("mine")
    before = snapshot(s3)
    drawn = _count_drawing(monkeypatch)
    r = run("atlas", "-o", str(s3), "-q", "--force")
    assert r.exit_code == 2 and _safe_io.MANIFEST in one_line(r)
    assert drawn == [] and snapshot(s3) == before


def test_defect05_manifest_write_failing_at_the_end_is_a_failure_that_cleans_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_manifest(self, own) -> None:
        raise _safe_io.OutputPathError("cannot write the manifest: disk full")

    monkeypatch.setattr(_safe_io.OwnedDir, "_write_manifest", no_manifest)
    new = tmp_path / "new"
    with pytest.raises(_safe_io.OutputPathError, match="disk full"):
        _build.build(new, only=["relu"])
    assert list(tmp_path.iterdir()) == []  # created files and folders removed again


def test_defect06_concurrent_run_fails_fast_and_removes_nothing(
        tmp_path: Path, one_page_atlas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    new = tmp_path / "cc" / "new"
    new.parent.mkdir()
    drawn = _count_drawing(monkeypatch)
    with _safe_io.OwnedDir(new, tool="actfn atlas") as first:
        first.write_text("img/relu.png", "first run's")
        r = run("atlas", "-o", str(new), "-q")
        assert r.exit_code == 2 and "another actfn command is writing" in one_line(r)
        assert drawn == []
        assert (new / "img" / "relu.png").read_text() == "first run's"
    assert manifest_files(new) == {"img/relu.png"}
    r = run("atlas", "-o", str(new), "-q")  # once the first has finished: fine
    assert r.exit_code == 0, r.output


def test_defect06_concurrent_atlas_processes_one_wins_and_the_other_writes_nothing(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = _start_atlas(site)
    _wait_for(lambda: any((site / "img").glob("*.png")), first)
    # Paused while the second runs: on an idle machine the first could otherwise finish
    # the whole atlas before the second has even started (a race, not a property).
    first.send_signal(signal.SIGSTOP)
    second = _start_atlas(site)
    _, err2 = second.communicate(timeout=300)
    assert second.returncode == 2 and "another actfn command is writing" in err2
    assert len(err2.strip().splitlines()) == 1
    first.send_signal(signal.SIGTERM)  # pending until it continues; no need to wait for all
    first.send_signal(signal.SIGCONT)
    first.communicate(timeout=300)
    assert first.returncode == 143
    assert list(tmp_path.iterdir()) == []


def test_defect07_bad_folders_inside_the_output_are_refused_before_work(
        tmp_path: Path, one_page_atlas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = _count_drawing(monkeypatch)
    outside = tmp_path / "outside"
    outside.mkdir()
    for case, make in [("dangling", lambda m: m.symlink_to(tmp_path / "gone")),
                       ("outside", lambda m: m.symlink_to(outside)),
                       ("file", lambda m: m.write_text("x"))]:
        site = tmp_path / f"site-{case}"
        _build.build(site, only=["relu"])
        shutil_rmtree(site / "img")  # a folder the atlas writes into (Atlas II has no math/)
        make(site / "img")
        drawn.clear()
        before = snapshot(site)
        r = run("atlas", "-o", str(site), "-q")
        line = one_line(r)
        assert r.exit_code == 2 and "img" in line and "Errno" not in line, (case, line)
        assert drawn == [] and snapshot(site) == before, case
    assert list(outside.iterdir()) == []


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


def test_defect07_claims_report_symlinked_out_is_refused_before_the_experiments(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import actfn.experiments as ex

    calls: list[object] = []
    monkeypatch.setattr(ex, "run", lambda *a, **k: calls.append(a))
    out = tmp_path / "r"
    out.mkdir()
    (out / _safe_io.MANIFEST).write_text(json.dumps(
        {"tool": "actfn claims run", "files": ["README.md", "results.json"]}))
    (out / "results.json").write_text("old results")
    (tmp_path / "elsewhere.md").write_text("not the report's")
    (out / "README.md").symlink_to(tmp_path / "elsewhere.md")
    r = run("claims", "run", CLAIM, "--quick", "--no-figures", "-o", str(out))
    assert r.exit_code == 2 and "README.md" in one_line(r) and "outside" in one_line(r)
    assert calls == [] and (out / "results.json").read_text() == "old results"
    assert (tmp_path / "elsewhere.md").read_text() == "not the report's"


def test_defect09_second_tool_adds_its_record_and_keeps_the_first(
        tmp_path: Path, one_page_atlas: None) -> None:
    site = tmp_path / "site"
    assert run("atlas", "-o", str(site), "-q").exit_code == 0
    atlas_files = manifest_files(site)
    r = run("claims", "run", CLAIM, "--quick", "--no-figures", "-o", str(site))
    assert r.exit_code == 2 and "actfn atlas" in one_line(r)  # without --force: refused
    r = run("claims", "run", CLAIM, "--quick", "--no-figures", "-o", str(site), "--force")
    assert r.exit_code == 0, r.output
    data = json.loads((site / _safe_io.MANIFEST).read_text())
    assert data["tool"] == "actfn claims run"
    assert set(data["files"]) == {"README.md", "plan.json", "results.json"}
    assert set(data["others"]["actfn atlas"]) == atlas_files
    r = run("atlas", "-o", str(site), "-q")  # the atlas still knows its folder
    assert r.exit_code == 0, r.output
    data = json.loads((site / _safe_io.MANIFEST).read_text())
    assert set(data["files"]) == atlas_files
    assert set(data["others"]["actfn claims run"]) == {"README.md", "plan.json", "results.json"}
    assert (site / "README.md").is_file() and (site / "results.json").is_file()
    r = run("claims", "run", CLAIM, "--quick", "--no-figures", "-o", str(site))
    assert r.exit_code == 0, r.output  # and so does the report, without --force


def test_defect10_dangling_link_names_the_missing_folder(tmp_path: Path,
                                                         one_page_atlas: None) -> None:
    (tmp_path / "dangle").symlink_to(tmp_path / "nodir" / "sub")
    r = run("atlas", "-q", "-o", str(tmp_path / "dangle"))
    line = one_line(r)
    assert r.exit_code == 2 and f"{str(tmp_path / 'nodir')!r} does not exist" in line, line
    (tmp_path / "p.png").symlink_to(tmp_path / "nodir2" / "x.png")
    r = run("plot", "relu", "-o", str(tmp_path / "p.png"))
    line = one_line(r)
    assert r.exit_code == 2 and f"{str(tmp_path / 'nodir2')!r} does not exist" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangle", "p.png"]


def test_defect11_longest_file_name_can_be_written(tmp_path: Path) -> None:
    name = "a" * 251 + ".png"  # 255 bytes, the usual limit
    r = run("plot", "relu", "-o", str(tmp_path / name))
    assert r.exit_code == 0, r.output
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_defect12_rewrite_keeps_owner_and_group_drops_setuid(tmp_path: Path) -> None:
    p = tmp_path / "own.txt"
    p.write_text(MINE + "old")
    if os.geteuid() == 0:
        os.chown(p, 65534, 65534)
    p.chmod(0o4755 | stat.S_ISGID)
    before = p.stat()
    link = tmp_path / "hard.txt"
    os.link(p, link)
    _safe_io.atomic_write_bytes(p, MINE.encode() + b"new")
    after = p.stat()
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert stat.S_IMODE(after.st_mode) == 0o755  # setuid/setgid dropped, the rest kept
    assert p.read_text() == MINE + "new"
    assert link.read_text() == MINE + "old"  # documented: replacement breaks hard links
    assert "hard links" in (_safe_io.atomic_write_bytes.__doc__ or "")


def test_defect15_manifest_listing_itself_survives_the_rebuild(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _build.build(site, only=["relu"])
    data = json.loads((site / _safe_io.MANIFEST).read_text())
    data["files"].append(_safe_io.MANIFEST)
    (site / _safe_io.MANIFEST).write_text(json.dumps(data))
    _build.build(site, only=["relu"])
    assert (site / _safe_io.MANIFEST).is_file()
    assert _safe_io.MANIFEST not in manifest_files(site)


def test_defect16_messages_are_plain(tmp_path: Path, one_page_atlas: None) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("x")
    (site / _safe_io.MANIFEST).write_text("{bad json")
    r = run("atlas", "-q", "-o", str(site))
    line = one_line(r)
    assert r.exit_code == 2 and "the manifest" in line and "is not valid JSON" in line
    assert "Expecting" not in line and "char 1" not in line
    r = run("atlas", "-q", "-o", "/proc/x")
    line = one_line(r)
    assert r.exit_code == 2 and "'/proc/x'" in line and "Errno" not in line, line
