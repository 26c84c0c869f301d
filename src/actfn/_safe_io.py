"""Safe file output for everything actfn writes (CLI outputs, reports, plots, the atlas).

One small module so that every command follows the same rules:

* :func:`atomic_write_bytes` / :func:`atomic_write_text`: a file is written to a
  temporary file in the same folder and renamed over the target, so a failure never
  leaves a half-written file and an earlier good file stays intact. An existing symlink
  is written *through* (its resolved target is replaced, the link is kept); a target
  that is not a regular file (FIFO, device node, directory, socket) is refused without
  being opened; an existing file keeps its permission bits and a new one gets the
  user's umask (``0o666 & ~umask``), like ``open()`` would give it.
* :func:`check_output_file`: the same checks up front, so that a command can refuse a
  bad output path *before* minutes of work.
* :class:`OwnedDir`: a folder actfn writes several files into (the atlas, the claims
  report). It must be new, empty, or one actfn made before (it holds a manifest,
  :data:`MANIFEST`, listing the relative paths of actfn's own files). A rebuild replaces
  only actfn's files and removes only actfn's stale files; everything else (``.git``,
  ``CNAME``, notes) is left alone. A non-empty foreign folder is refused unless
  ``force``, and even then only actfn's own files are written.
* :func:`signal_guard`: SIGINT, SIGTERM and SIGHUP become an :class:`Interrupted`
  exception, so ``finally`` blocks remove temporary files; :func:`critical` defers them
  over the few statements that must not be cut (create a temporary file, rename it).

Every error about a path is an :class:`OutputPathError` (an ``OSError``) whose message
is one line naming the path and the problem.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Any

__all__ = [
    "MANIFEST",
    "OutputPathError",
    "Interrupted",
    "umask",
    "check_output_file",
    "check_output_dir",
    "atomic_write_bytes",
    "atomic_write_text",
    "OwnedDir",
    "signal_guard",
    "critical",
]

#: Name of the manifest that marks a folder as written by actfn and lists its files.
MANIFEST = ".actfn-manifest.json"

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class OutputPathError(OSError):
    """An output path actfn refuses to write (one-line message naming path and reason)."""


class Interrupted(BaseException):
    """Raised in the main thread for SIGINT, SIGTERM or SIGHUP inside :func:`signal_guard`.

    A ``BaseException`` (like ``KeyboardInterrupt``) so that ``except Exception`` does
    not swallow it; ``exit_code`` is the shell convention ``128 + signal number``.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"interrupted by {self.name}")

    @property
    def exit_code(self) -> int:
        """``128 + signum``: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + self.signum


# -- permissions ---------------------------------------------------------------------------
def umask() -> int:
    """The process umask, read without changing it where the platform allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # the portable way: set and restore
    os.umask(mask)
    return mask


def _q(path: str | os.PathLike[str]) -> str:
    return repr(os.fspath(path))


def _kind(mode: int) -> str | None:
    for test, label in _KINDS:
        if test(mode):
            return label
    return None


def _stat(path: str, shown: str | os.PathLike[str]) -> os.stat_result | None:
    """``os.stat`` (following links) or None if nothing is there; one-line errors."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputPathError(f"cannot write {_q(shown)}: {exc.strerror or exc}") from None


# -- single files ----------------------------------------------------------------------------
def check_output_file(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be (re)written as a regular file; return the real target.

    A symlink is followed to its final target (which may not exist yet: a dangling link
    is written through too). Refused with :class:`OutputPathError`: a target that exists
    but is not a regular file, a read-only target, a missing or read-only folder.
    Nothing is created or opened.
    """
    shown = os.fspath(path)
    if not shown:
        raise OutputPathError("cannot write '': empty file name")
    target = os.path.realpath(shown)
    st = _stat(target, shown)
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            kind = _kind(st.st_mode) or "something else"
            raise OutputPathError(f"cannot write {_q(shown)}: it is {kind}, not a regular file")
        if not os.access(target, os.W_OK):
            raise OutputPathError(f"cannot write {_q(shown)}: the file is not writable")
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise OutputPathError(f"cannot write {_q(shown)}: directory "
                              f"{_q(os.path.dirname(shown) or '.')} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {_q(shown)}: directory {_q(folder)} is not "
                              "writable")
    return Path(target)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (a seam the tests use to fail mid-write)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path written (the real target).

    See the module docstring for the rules (temporary file + ``os.replace``, through
    symlinks, refuse non-regular targets, keep the mode or use the umask). On any
    failure, including :class:`Interrupted`, the temporary file is removed and the old
    file, if any, is untouched.
    """
    target = check_output_file(path)
    st = _stat(str(target), path)
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~umask()
    tmp: str | None = None
    with critical():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                       dir=target.parent)
            try:
                _write_all(fd, data)
                os.fchmod(fd, mode)  # mkstemp makes it 0600
            finally:
                os.close(fd)
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            if isinstance(exc, OutputPathError):
                raise
            raise OutputPathError(f"cannot write {_q(path)}: {exc.strerror or exc}") from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"))


# -- folders of actfn's own files ------------------------------------------------------------
def _inside(root: str, target: str) -> bool:
    try:
        return os.path.commonpath([root, target]) == root
    except ValueError:
        return False


def check_output_dir(path: str | os.PathLike[str], *, tool: str, force: bool = False,
                     legacy: tuple[str, Iterable[str]] | None = None,
                     planned: Iterable[str] = ()) -> OwnedDir:
    """Validate ``path`` as an output folder now; see :class:`OwnedDir`."""
    return OwnedDir(path, tool=tool, force=force, legacy=legacy, planned=planned)


class OwnedDir:
    """A folder that actfn writes its own files into, recorded in :data:`MANIFEST`.

    The constructor only checks (nothing is created), so a command builds one before
    its long work: the parent must exist and be writable; ``path`` must be absent, an
    empty folder, or a folder with a valid manifest from ``tool``; any other non-empty
    folder is refused unless ``force``. ``legacy = (marker, patterns)`` accepts an older
    layout: a folder holding the file ``marker`` is treated as actfn's, its files that
    match the glob ``patterns`` as actfn's own. ``planned`` relative paths are checked
    at once for clashes with files that are not actfn's.

    Use it as a context manager and get each output path from :meth:`path` (or write
    with :meth:`write_bytes` / :meth:`write_text`). On success the manifest lists
    exactly the files written, and files of the previous manifest that were not written
    again are removed (empty folders they leave too). On failure or interruption the
    files this run created are removed again (the folder too if this run created it)
    and the manifest keeps listing every file of actfn's that is still there; files
    that were replaced keep their new, complete content.
    """

    def __init__(self, path: str | os.PathLike[str], *, tool: str, force: bool = False,
                 legacy: tuple[str, Iterable[str]] | None = None,
                 planned: Iterable[str] = ()) -> None:
        self.shown = os.fspath(path) or "."
        self.tool = tool
        self.force = force
        self.root = Path(os.path.realpath(self.shown))
        self._old: set[str] = set()
        self._has_manifest = False
        self._written: set[str] = set()
        self._created_files: set[str] = set()
        self._created_dirs: list[Path] = []
        self._check(legacy)
        for rel in planned:
            self._clash(self._rel(rel))

    # -- checks ---------------------------------------------------------------------------
    def _check(self, legacy: tuple[str, Iterable[str]] | None) -> None:
        root = str(self.root)
        st = _stat(root, self.shown)
        if st is None:
            parent = os.path.dirname(root) or "."
            if not os.path.isdir(parent):
                raise OutputPathError(f"cannot write {_q(self.shown)}: directory "
                                      f"{_q(os.path.dirname(self.shown) or '.')} does not exist")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputPathError(f"cannot write {_q(self.shown)}: directory {_q(parent)} "
                                      "is not writable")
            return
        if not stat.S_ISDIR(st.st_mode):
            raise OutputPathError(f"cannot write into {_q(self.shown)}: it is "
                                  f"{_kind(st.st_mode) or 'a file'}, not a directory")
        if not os.access(root, os.W_OK | os.X_OK):
            raise OutputPathError(f"cannot write into {_q(self.shown)}: the directory is not "
                                  "writable")
        manifest = self.root / MANIFEST
        if manifest.exists() or manifest.is_symlink():
            self._old = self._read_manifest(manifest)
            self._has_manifest = True
            return
        if legacy is not None and (self.root / legacy[0]).is_file():
            marker, patterns = legacy
            pats = tuple(patterns)
            self._old = {marker} | {
                p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                if p.is_file() and not p.is_symlink()
                and any(fnmatchcase(p.relative_to(self.root).as_posix(), pat) for pat in pats)
            }
            return
        if any(os.scandir(root)) and not self.force:
            raise OutputPathError(
                f"refusing to overwrite {_q(self.shown)}: it is not empty and was not made "
                f"by {tool_label(self.tool)} (no {MANIFEST}); use --force to add actfn's files "
                "to it (nothing else is touched)")

    def _read_manifest(self, manifest: Path) -> set[str]:
        problem = f"{MANIFEST} in {_q(self.shown)} is not one actfn wrote"
        try:
            if manifest.is_symlink() or not manifest.is_file():
                raise ValueError(problem)
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("files"), list):
                raise ValueError(problem)
            if data.get("tool") != self.tool:
                raise ValueError(f"{_q(self.shown)} was written by {data.get('tool')!r}, "
                                 f"not {self.tool!r}")
            files = {self._rel(f) for f in data["files"] if isinstance(f, str)}
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            if self.force:
                return set()
            raise OutputPathError(f"refusing to write into {_q(self.shown)}: {exc}; use --force "
                                  "to add actfn's files to it (nothing else is touched)") from None
        return files

    def _rel(self, rel: str) -> str:
        """Normalize a relative POSIX path; refuse absolute paths and ``..``."""
        p = PurePosixPath(rel)
        if (not rel or p.is_absolute() or "\\" in rel or "\0" in rel
                or any(part in ("..", ".", "") for part in rel.split("/"))):
            raise OutputPathError(f"refusing to write {rel!r}: not a plain path inside "
                                  f"{_q(self.shown)}")
        return p.as_posix()

    def _clash(self, rel: str) -> None:
        full = self.root / rel
        if (full.exists() or full.is_symlink()) and rel not in self._old \
                and rel not in self._written and not self.force:
            raise OutputPathError(
                f"refusing to overwrite {_q(os.path.join(self.shown, rel))}: it was not "
                f"written by {tool_label(self.tool)} (not in {MANIFEST}); move it away or use "
                "--force")

    # -- writing --------------------------------------------------------------------------
    def __enter__(self) -> OwnedDir:
        if not self.root.exists():
            with critical():
                self.root.mkdir()
                self._created_dirs.append(self.root)
        return self

    def path(self, rel: str) -> Path:
        """The full path for actfn's file ``rel`` (created folders included), recorded as
        actfn's. Refuses paths that leave the folder (``..``, symlinks pointing out) and
        existing files that are not actfn's (unless ``force``)."""
        rel = self._rel(rel)
        full = self.root / rel
        for parent in reversed(full.relative_to(self.root).parents[:-1]):
            d = self.root / parent
            if not d.exists():
                with critical():
                    d.mkdir()
                    self._created_dirs.append(d)
        real = os.path.realpath(full)
        if not _inside(str(self.root), real) or real == str(self.root):
            raise OutputPathError(f"refusing to write {_q(os.path.join(self.shown, rel))}: it "
                                  f"resolves outside {_q(self.shown)}")
        self._clash(rel)
        if rel not in self._written and not (full.exists() or full.is_symlink()):
            self._created_files.add(rel)
        self._written.add(rel)
        return full

    def write_bytes(self, rel: str, data: bytes) -> Path:
        """Write actfn's file ``rel`` atomically (:func:`atomic_write_bytes`)."""
        return atomic_write_bytes(self.path(rel), data)

    def write_text(self, rel: str, text: str) -> Path:
        """UTF-8 text version of :meth:`write_bytes`."""
        return self.write_bytes(rel, text.encode("utf-8"))

    def _manifest(self, files: Iterable[str]) -> None:
        body = {"tool": self.tool, "files": sorted(files)}
        atomic_write_text(self.root / MANIFEST, json.dumps(body, indent=1) + "\n")

    def _prune(self, rel: str) -> None:
        """Remove empty folders above ``rel`` (never the root, never a non-empty one)."""
        d = (self.root / rel).parent
        while d != self.root and _inside(str(self.root), str(d)):
            try:
                d.rmdir()
            except OSError:
                return
            d = d.parent

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        with critical():
            if exc_type is None:
                self._manifest(self._written)
                for rel in sorted(self._old - self._written):
                    full = self.root / rel
                    if full.is_file() or full.is_symlink():
                        with contextlib.suppress(OSError):
                            full.unlink()
                            self._prune(rel)
                return
            for rel in self._created_files:
                with contextlib.suppress(OSError):
                    (self.root / rel).unlink()
            for d in reversed(self._created_dirs):
                with contextlib.suppress(OSError):
                    d.rmdir()
            if not self.root.exists():
                return
            keep = {r for r in self._old | self._written if (self.root / r).exists()}
            if keep or self._has_manifest:
                with contextlib.suppress(OSError):
                    self._manifest(keep)


def tool_label(tool: str) -> str:
    """``"actfn atlas"`` for ``"atlas"``: how messages name the tool."""
    return tool if tool.startswith("actfn") else f"actfn {tool}"


# -- signals ---------------------------------------------------------------------------------
_GUARDED = (signal.SIGINT, signal.SIGTERM, *(
    (signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))


class _State(threading.local):
    def __init__(self) -> None:
        self.active = False  # inside signal_guard (main thread)
        self.depth = 0  # nesting of critical()
        self.pending: int | None = None  # signal received inside critical()
        self.fired = False  # Interrupted already raised: later signals are ignored


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.fired:
        return
    if _state.depth > 0:
        if _state.pending is None:
            _state.pending = signum
        return
    _state.fired = True
    raise Interrupted(signum)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Defer guarded signals to the end of this block (a few statements at most)."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0 and _state.pending is not None and not _state.fired:
            signum, _state.pending = _state.pending, None
            _state.fired = True
            raise Interrupted(signum)


@contextlib.contextmanager
def signal_guard() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`Interrupted` for the block.

    Also ignores SIGXFSZ, so that a file-size limit makes a write fail with an
    ``OSError`` (and the temporary file is removed) instead of killing the process.
    Does nothing outside the main thread (where Python cannot install handlers).
    """
    if threading.current_thread() is not threading.main_thread() or _state.active:
        yield
        return
    sigs = list(_GUARDED)
    old: dict[int, Any] = {}
    _state.active, _state.fired, _state.pending = True, False, None
    try:
        for s in sigs:
            old[s] = signal.signal(s, _handler)
        if hasattr(signal, "SIGXFSZ"):
            old[signal.SIGXFSZ] = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)
        _state.active, _state.pending = False, None
