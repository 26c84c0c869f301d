"""Issue 9, "Foreign code runs": the compiled-kernel cache cannot be poisoned or break a call.

Every scenario runs in a fresh Python process with its own ``ACTFN_CACHE_DIR`` (and its
own ``TMPDIR``), because the kernel cache is per process. The child prints one JSON line:
the results of a few calls, the CacheWarnings it saw, and numba's cache statistics.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest

from actfn import _fast

SRC = str(Path(__file__).resolve().parents[2] / "src")

#: The child: evaluates relu and elu (float64) and reports what happened.
CHILD = """
import json, os, sys, warnings
MARKER = os.environ["MARKER"]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import numpy as np, actfn
    from actfn import _fast
    x = np.array([-1.0, 0.5, 2.0])
    relu = actfn.get("relu")
    elu = actfn.get("elu")
    r = [relu(x).tolist(), elu(x).tolist(), elu.derivative(x).tolist(),
         actfn.get("mish")(np.float32([1.0])).tolist()]
e = _fast.compiled_kernel(relu, (relu.spec.f,), False, "float64")
print(json.dumps({
    "results": r,
    "warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
    "cached": e.cached,
    "hits": sum(e.ser.stats.cache_hits.values()),
    "misses": sum(e.ser.stats.cache_misses.values()),
    "marker": os.path.exists(MARKER),
}))
"""

#: relu, elu, elu' at (-1, 0.5, 2) and mish(1) in float32 (mpmath, rounded once)
WANT = [[0.0, 0.5, 2.0], [float(mpmath.expm1(-1)), 0.5, 2.0], [float(mpmath.exp(-1)), 1.0, 1.0],
        [float(np.float32(float(mpmath.tanh(mpmath.log1p(mpmath.e)))))]]

#: A module planted where actfn keeps its kernels: it would write the marker file.
PLANT = """
import os
open(os.environ["MARKER"], "w").write("planted code ran")
def ser(src, *outs):
    for o in outs:
        o[:] = 42
par = ser
"""


def run_child(tmp_path: Path, cache: Path | None, *, limit: int | None = None,
              code: str = CHILD, env: dict[str, str] | None = None) -> dict[str, Any]:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    e = dict(os.environ, PYTHONPATH=SRC, MARKER=str(tmp_path / "marker"), TMPDIR=str(tmpdir),
             XDG_CACHE_HOME=str(tmp_path / "xdg"))
    e.pop("ACTFN_CACHE_DIR", None)
    e.pop("NUMBA_CACHE_DIR", None)
    if cache is not None:
        e["ACTFN_CACHE_DIR"] = str(cache)
    e.update(env or {})

    def preexec() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, env=e, timeout=600, preexec_fn=preexec)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def kernel_dir(root: Path) -> Path:
    return root / f"kernels-{_fast._version_tag()}"


def cache_warnings(res: dict[str, Any]) -> list[str]:
    return [w for w in res["warnings"] if w.startswith("CacheWarning")]


def assert_good(res: dict[str, Any], tmp_path: Path) -> None:
    assert res["results"] == WANT
    assert not res["marker"] and not (tmp_path / "marker").exists()


# -- poisoning ----------------------------------------------------------------------------------
def test_planted_modules_are_never_executed_and_get_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run_child(tmp_path, cache)
    assert_good(first, tmp_path)
    assert first["cached"] and not cache_warnings(first)
    modules = sorted(kernel_dir(cache).glob("actfn_kernel_*.py"))
    assert len(modules) == 4
    good = {p: p.read_bytes() for p in modules}
    for p in modules:
        p.write_text(PLANT)
    second = run_child(tmp_path, cache)
    assert_good(second, tmp_path)
    assert second["cached"] and not cache_warnings(second)
    assert {p: p.read_bytes() for p in modules} == good  # regenerated


def test_truncated_and_empty_modules_are_regenerated(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert_good(run_child(tmp_path, cache), tmp_path)
    modules = sorted(kernel_dir(cache).glob("actfn_kernel_*.py"))
    good = {p: p.read_bytes() for p in modules}
    modules[0].write_bytes(b"")
    for p in modules[1:]:
        p.write_bytes(good[p][: len(good[p]) // 2])
    res = run_child(tmp_path, cache)
    assert_good(res, tmp_path)
    assert not cache_warnings(res)  # nothing was wrong with the folder: no warning
    assert {p: p.read_bytes() for p in modules} == good


def _plant_everywhere(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        (folder / f"actfn_kernel_{i}.py").write_text(PLANT)


@pytest.mark.parametrize("how", ["foreign_owner", "world_writable", "group_writable",
                                 "symlink_to_foreign"])
def test_unsafe_cache_folder_is_refused(tmp_path: Path, how: str) -> None:
    cache = tmp_path / "cache"
    target = cache
    if how == "symlink_to_foreign":
        target = tmp_path / "elsewhere"
        cache.symlink_to(target)
    _plant_everywhere(kernel_dir(target))
    if how in ("foreign_owner", "symlink_to_foreign"):
        os.chown(target, 12345, 12345)
    else:
        os.chmod(target, 0o777 if how == "world_writable" else 0o770)
    before = sorted(p.name for p in kernel_dir(target).iterdir())
    res = run_child(tmp_path, cache)
    assert_good(res, tmp_path)
    assert not res["cached"]  # compiled in memory
    (w,) = cache_warnings(res)  # exactly one warning for all four kernels
    assert "owned by uid 12345" in w or "writable by its group or by others" in w
    assert sorted(p.name for p in kernel_dir(target).iterdir()) == before  # nothing written


def test_foreign_owned_kernel_subfolder_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    _plant_everywhere(kernel_dir(cache))
    os.chown(kernel_dir(cache), 12345, 12345)
    res = run_child(tmp_path, cache)
    assert_good(res, tmp_path)
    assert len(cache_warnings(res)) == 1 and not res["cached"]


def test_private_symlinked_cache_folder_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "real"
    target.mkdir(mode=0o700)
    (tmp_path / "cache").symlink_to(target)
    res = run_child(tmp_path, tmp_path / "cache")
    assert_good(res, tmp_path)
    assert res["cached"] and not cache_warnings(res)
    assert any(kernel_dir(target).glob("actfn_kernel_*.py"))


# -- failures fall back, with one warning -------------------------------------------------------
@pytest.mark.parametrize("limit", [200, 4000])
def test_write_failure_under_rlimit_fsize_falls_back(tmp_path: Path, limit: int) -> None:
    # 200 bytes: the module cannot be written; 4000: the module can, numba's cache files not
    cache = tmp_path / "cache"
    res = run_child(tmp_path, cache, limit=limit)
    assert_good(res, tmp_path)
    (w,) = cache_warnings(res)
    assert "File too large" in w
    assert not res["cached"]
    assert not list(cache.rglob("*.tmp*"))  # no temporary file left behind
    # the next process without the limit uses the cache normally
    res = run_child(tmp_path, cache)
    assert_good(res, tmp_path)
    assert res["cached"] and not cache_warnings(res)


@pytest.mark.parametrize("where", ["/proc", "/proc/actfn/x", "file"])
def test_read_only_or_uncreatable_folder_falls_back(tmp_path: Path, where: str) -> None:
    # /proc: a folder this user owns on a read-only file system (root cannot write it
    # either); /proc/actfn/x cannot be created; "file": a path below a regular file
    if where == "file":
        (tmp_path / "f").write_text("")
        where = str(tmp_path / "f" / "cache")
    res = run_child(tmp_path, Path(where))
    assert_good(res, tmp_path)
    assert len(cache_warnings(res)) == 1 and not res["cached"]


def test_no_numba_cache_possible_falls_back(tmp_path: Path) -> None:
    # the cached modules are fine but there is no folder for numba's cache files: the
    # __pycache__ is a file (numba's NUMBA_CACHE_DIR / user-wide folders are never used)
    cache = tmp_path / "cache"
    assert_good(run_child(tmp_path, cache), tmp_path)
    pyc = kernel_dir(cache) / "__pycache__"
    for p in pyc.iterdir():
        p.unlink()
    pyc.rmdir()
    pyc.write_text("")
    (tmp_path / "f").write_text("")
    res = run_child(tmp_path, cache, env={"NUMBA_CACHE_DIR": str(tmp_path / "f" / "x"),
                                          "XDG_CACHE_HOME": str(tmp_path / "f" / "xdg")})
    assert_good(res, tmp_path)
    (w,) = cache_warnings(res)
    # actfn's own locator is numba's only one: no fallback to NUMBA_CACHE_DIR/XDG folders
    assert "__pycache__ is not a folder" in w and not res["cached"]


# -- location -----------------------------------------------------------------------------------
def test_actfn_cache_dir_is_honoured_and_private(tmp_path: Path) -> None:
    cache = tmp_path / "new" / "cache"
    res = run_child(tmp_path, cache)
    assert_good(res, tmp_path)
    assert res["cached"]
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(kernel_dir(cache).stat().st_mode) == 0o700
    assert len(list(kernel_dir(cache).glob("actfn_kernel_*.py"))) == 4
    assert not (tmp_path / "xdg").exists()


def test_default_is_the_platform_user_cache_dir(tmp_path: Path) -> None:
    import platformdirs

    old = os.umask(0o000)  # the child inherits a umask that would leave folders 0777
    try:
        res = run_child(tmp_path, None)
    finally:
        os.umask(old)
    assert_good(res, tmp_path)
    root = tmp_path / "xdg" / "actfn"  # platformdirs on Linux: $XDG_CACHE_HOME/actfn
    assert Path(platformdirs.user_cache_dir("actfn", appauthor=False)).name == "actfn"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700  # even under umask 000
    assert len(list(kernel_dir(root).glob("actfn_kernel_*.py"))) == 4


def test_nothing_is_read_or_created_in_the_temp_folder(tmp_path: Path) -> None:
    # the 0.1.0 fallback folder, planted: it must never be read (audit hook) or executed
    tmpdir = tmp_path / "tmpdir"
    old = tmpdir / f"actfn-kernels-{os.getuid()}-{_fast._version_tag()}"
    _plant_everywhere(old)
    os.chown(tmpdir, 12345, 12345)  # and an unusable cache, to force the fallbacks
    code = textwrap.dedent("""
        import os, sys, tempfile
        seen = []
        tmp = os.path.realpath(tempfile.gettempdir())
        def hook(event, args):
            if event == "open" and isinstance(args[0], str) and \
                    os.path.realpath(args[0]).startswith(tmp):
                seen.append(args[0])
        sys.addaudithook(hook)
    """) + CHILD.replace('"marker": os.path.exists(MARKER),', '"marker": bool(seen),')
    for cache in (tmp_path / "cache", tmpdir):  # a good cache folder, then a refused one
        res = run_child(tmp_path, cache, code=code)
        assert res["results"] == WANT
        assert not res["marker"], "a file under the temp folder was opened"
        assert not (tmp_path / "marker").exists()
    assert sorted(p.name for p in tmpdir.iterdir()) == [old.name]
    assert sorted(p.name for p in old.iterdir()) == [f"actfn_kernel_{i}.py" for i in range(3)]


# -- numba's on-disk cache still works ----------------------------------------------------------
def test_second_process_loads_numba_cache_instead_of_compiling(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run_child(tmp_path, cache)
    assert (first["hits"], first["misses"]) == (0, 1)  # compiled
    index = sorted((kernel_dir(cache) / "__pycache__").glob("*.nbi"))
    assert index
    stamps = {p: p.stat().st_mtime_ns for p in kernel_dir(cache).glob("actfn_kernel_*.py")}
    second = run_child(tmp_path, cache)
    assert_good(second, tmp_path)
    assert (second["hits"], second["misses"]) == (1, 0)  # loaded, not compiled
    # modules were verified, not rewritten (numba's index is keyed by their mtime)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert sorted((kernel_dir(cache) / "__pycache__").glob("*.nbi")) == index


# -- review of the cache (second round) ---------------------------------------------------------
def _evil_pickle(marker: Path) -> bytes:
    """A pickle that creates ``marker`` when it is loaded."""
    import pickle

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (exec, (f"open({str(marker)!r}, 'w').write('pickle ran')",))

    return pickle.dumps(Evil())


def _plant_numba_files(cache: Path, folder: Path, marker: Path) -> None:
    """Evil copies of actfn's numba index/data files where numba's own locators look."""
    from numba.core.caching import _CacheLocator

    for mod in kernel_dir(cache).glob("actfn_kernel_*.py"):
        sub = folder / _CacheLocator.get_suitable_cache_subpath(str(mod))
        sub.mkdir(parents=True, exist_ok=True)
        os.chmod(sub, 0o777)
        for f in (kernel_dir(cache) / "__pycache__").iterdir():
            (sub / f.name).write_bytes(_evil_pickle(marker))


@pytest.mark.parametrize("where", ["NUMBA_CACHE_DIR", "XDG_CACHE_HOME"])
def test_numba_cache_dir_and_user_wide_folder_are_never_read(tmp_path: Path, where: str) -> None:
    cache = tmp_path / "cache"
    first = run_child(tmp_path, cache)
    assert_good(first, tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    if where == "NUMBA_CACHE_DIR":
        _plant_numba_files(cache, shared, tmp_path / "marker")
        env = {"NUMBA_CACHE_DIR": str(shared)}
    else:
        _plant_numba_files(cache, shared / "numba", tmp_path / "marker")
        env = {"XDG_CACHE_HOME": str(shared)}
    planted = sorted(str(p) for p in shared.rglob("*"))
    second = run_child(tmp_path, cache, env=env)
    assert_good(second, tmp_path)  # the planted pickles never ran
    assert second["cached"] and not cache_warnings(second)
    assert (second["hits"], second["misses"]) == (1, 0)  # actfn's own numba cache reused
    assert sorted(str(p) for p in shared.rglob("*")) == planted  # nothing written there


def test_read_only_kernel_cache_never_falls_back_to_user_wide_numba_folder(
        tmp_path: Path) -> None:
    # numba's chain fell back to $XDG_CACHE_HOME/numba when __pycache__ was unusable
    cache = tmp_path / "cache"
    assert_good(run_child(tmp_path, cache), tmp_path)
    xdg = tmp_path / "xdg"
    _plant_numba_files(cache, xdg / "numba", tmp_path / "marker")
    pyc = kernel_dir(cache) / "__pycache__"
    for p in pyc.iterdir():
        p.unlink()
    pyc.rmdir()
    pyc.write_text("")  # no usable folder for numba's files
    res = run_child(tmp_path, cache)
    assert_good(res, tmp_path)
    assert len(cache_warnings(res)) == 1 and not res["cached"]


THREADS = """
import json, threading, warnings
import numpy as np, actfn
from actfn import _fast
x = np.linspace(-3, 3, 1000)
a = actfn.get("elu")
want = np.where(x > 0, x, np.expm1(x))
errors, ok = [], []
barrier = threading.Barrier(16)
def work():
    barrier.wait()
    try:
        ok.append(bool(np.allclose(a(x), want, rtol=1e-15, atol=0)))
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
with warnings.catch_warnings(record=True):
    warnings.simplefilter("always")
    ts = [threading.Thread(target=work) for _ in range(16)]
    for t in ts: t.start()
    for t in ts: t.join()
print(json.dumps({"errors": errors, "ok": ok}))
"""


def test_thread_race_on_corrupt_numba_index_never_raises(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run_child(tmp_path, cache, code=THREADS)
    for _ in range(3):  # truncated index files, 16 threads at once
        for p in (kernel_dir(cache) / "__pycache__").glob("*.nbi"):
            p.write_bytes(p.read_bytes()[:100])
        res = run_child(tmp_path, cache, code=THREADS)
        assert res["errors"] == [] and res["ok"] == [True] * 16


def test_thread_race_retry_when_another_thread_switched_to_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # this thread's cached loop failed, and another thread has already switched the
    # entry to memory (cached is False): retry with the in-memory loops, do not re-raise
    import actfn

    act = actfn.get("relu")
    real = _fast.compiled_kernel(act, (act.spec.f,), False, "float64")
    assert real is not None

    def failing(*args: Any) -> None:
        raise OSError("numba's cache file is unreadable")

    class Entry:
        cached = False  # already switched by the other thread
        ser = par = staticmethod(failing)  # what this thread picked up before that

        def to_memory(self, err: BaseException) -> None:  # the switch becomes visible
            self.ser = self.par = real.ser

    monkeypatch.setattr(_fast, "compiled_kernel", lambda *a: Entry())
    (r,) = _fast._run_numpy(act, np.array([-1.0, 2.0]), (act.spec.f,), False, None, None)
    assert r.tolist() == [0.0, 2.0]


def test_no_home_directory_falls_back_with_one_warning(tmp_path: Path) -> None:
    code = "import pwd\n" \
        "def _nope(uid):\n    raise KeyError(uid)\n" \
        "pwd.getpwuid = _nope\n" + CHILD
    e = dict(os.environ, PYTHONPATH=SRC, MARKER=str(tmp_path / "marker"))
    for k in ("HOME", "XDG_CACHE_HOME", "ACTFN_CACHE_DIR", "NUMBA_CACHE_DIR"):
        e.pop(k, None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                         timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert_good(res, tmp_path)
    assert len(cache_warnings(res)) == 1 and not res["cached"]
    assert list(tmp_path.iterdir()) == []  # no "~" folder in the working directory


def test_umask_000_creates_0700_ancestors(tmp_path: Path) -> None:
    cache = tmp_path / "a" / "b" / "cache"
    old = os.umask(0o000)
    try:
        res = run_child(tmp_path, cache)
    finally:
        os.umask(old)
    assert_good(res, tmp_path)
    assert res["cached"]
    for d in (tmp_path / "a", tmp_path / "a" / "b", cache, kernel_dir(cache),
              kernel_dir(cache) / "__pycache__"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d


@pytest.mark.parametrize("how", ["world_writable", "foreign_owner"])
def test_unsafe_ancestor_is_refused(tmp_path: Path, how: str) -> None:
    anc = tmp_path / "anc"
    anc.mkdir()
    if how == "world_writable":
        os.chmod(anc, 0o777)  # not sticky: anyone could swap anc/cache
    else:
        os.chown(anc, 12345, 12345)
    res = run_child(tmp_path, anc / "cache")
    assert_good(res, tmp_path)
    (w,) = cache_warnings(res)
    assert not res["cached"]
    assert "above the kernel cache" in w


def test_sticky_world_writable_ancestor_with_own_child_is_accepted(tmp_path: Path) -> None:
    anc = tmp_path / "sticky"
    anc.mkdir()
    os.chmod(anc, 0o1777)  # like /tmp
    res = run_child(tmp_path, anc / "cache")
    assert_good(res, tmp_path)
    assert res["cached"] and not cache_warnings(res)


def test_foreign_owned_pycache_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert_good(run_child(tmp_path, cache), tmp_path)
    pyc = kernel_dir(cache) / "__pycache__"
    for p in pyc.iterdir():
        p.write_bytes(_evil_pickle(tmp_path / "marker"))
    os.chown(pyc, 12345, 12345)
    res = run_child(tmp_path, cache)
    assert_good(res, tmp_path)  # the pickles there never ran
    (w,) = cache_warnings(res)
    assert "owned by uid 12345" in w and not res["cached"]


@pytest.mark.parametrize("which", ["module", "numba_index"])
def test_fifo_in_cache_folder_does_not_hang(tmp_path: Path, which: str) -> None:
    cache = tmp_path / "cache"
    assert_good(run_child(tmp_path, cache), tmp_path)
    if which == "module":
        victims = list(kernel_dir(cache).glob("actfn_kernel_*.py"))
    else:
        victims = list((kernel_dir(cache) / "__pycache__").glob("*.nbi"))
    for p in victims:
        p.unlink()
        os.mkfifo(p)
    res = run_child(tmp_path, cache)  # subprocess.run(timeout=600) fails a hang
    assert_good(res, tmp_path)
    assert res["cached"] and not cache_warnings(res)
    assert all(stat.S_ISREG(p.lstat().st_mode) for p in victims)  # replaced


def test_corrupt_numba_files_are_repaired(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert_good(run_child(tmp_path, cache), tmp_path)
    pyc = kernel_dir(cache) / "__pycache__"
    for p in pyc.glob("*.nbi"):
        p.write_bytes(b"\x80\x05garbage")
    for p in pyc.glob("*.nbc"):
        p.write_bytes(b"")
    first = run_child(tmp_path, cache)
    assert_good(first, tmp_path)
    assert first["cached"] and not cache_warnings(first)
    assert (first["hits"], first["misses"]) == (0, 1)  # recompiled and saved anew
    second = run_child(tmp_path, cache)
    assert_good(second, tmp_path)
    assert not cache_warnings(second) and (second["hits"], second["misses"]) == (1, 0)


@pytest.mark.parametrize("how", ["-W", "simplefilter"])
def test_warnings_as_errors_never_abort_the_call(tmp_path: Path, how: str) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    os.chmod(cache, 0o777)  # refused: the warning is due
    code = textwrap.dedent("""
        import json, warnings
        %s
        import numpy as np, actfn
        x = np.array([-1.0, 0.5, 2.0])
        print(json.dumps({"r": actfn.get("relu")(x).tolist(),
                          "d": actfn.get("elu").derivative(x).tolist()}))
    """ % ('warnings.simplefilter("error")' if how == "simplefilter" else ""))
    e = dict(os.environ, PYTHONPATH=SRC, ACTFN_CACHE_DIR=str(cache))
    e.pop("NUMBA_CACHE_DIR", None)
    args = [sys.executable] + (["-W", "error::UserWarning"] if how == "-W" else [])
    out = subprocess.run([*args, "-c", code], capture_output=True, text=True, env=e,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res == {"r": WANT[0], "d": WANT[2]}
