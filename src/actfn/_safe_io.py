"""Safe file output for everything actfn writes (CLI outputs, reports, plots, the atlas).

One small module so that every command follows the same rules:

* :func:`atomic_write_bytes` / :func:`atomic_write_text`: a file is written to a
  temporary file in the same folder and renamed over the target, so a failure never
  leaves a half-written file and an earlier good file stays intact. An existing symlink
  is written *through* (its resolved target is replaced, the link is kept); a target
  that is not a regular file (FIFO, device node, directory, socket) is refused without
  being opened; an existing file keeps its permission bits and a new one gets the
  user's umask (``0o666 & ~umask``), like ``open()`` would give it. The owner and group
  are kept where the process may set them (``os.fchown``); setuid/setgid bits are
  dropped. Replacement makes a new file: other hard links to the old one keep the old
  content. Temporary names are short (``.actfn-XXXXXXXX.tmp``), so any file name that
  fits the file system can be written.
* :func:`check_output_file`: the same checks up front, so that a command can refuse a
  bad output path *before* minutes of work.
* :class:`OwnedDir`: a folder actfn writes several files into (the atlas, the claims
  report). It must be new, empty, or one actfn made before (it holds a manifest,
  :data:`MANIFEST`, listing the relative paths of actfn's own files per tool). A rebuild
  replaces only actfn's files and removes only actfn's stale files; everything else
  (``.git``, ``CNAME``, notes) is left alone. A non-empty foreign folder is refused
  unless ``force``, and even then only actfn's own files are written. Every planned
  path is checked before the work, the folder is locked against a concurrent run, the
  manifest is never followed through a symlink, and only files this process wrote
  (by inode) are ever recorded or cleaned up.
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
    "wrote",
    "OwnedDir",
    "signal_guard",
    "fired_signal",
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


class _ForeignFile(OutputPathError):
    """An existing file actfn would replace but did not write (refused, ``force`` or not)."""

    def __init__(self, rel: str, message: str) -> None:
        super().__init__(message)
        self.rel = rel


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
#: Inodes (st_dev, st_ino) of the files this process wrote with :func:`atomic_write_bytes`:
#: :class:`OwnedDir` removes or records only files it can prove it wrote.
_WRITTEN: set[tuple[int, int]] = set()
_WRITTEN_LOCK = threading.Lock()


def _ident(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _missing_folder(folder: str) -> str:
    """The deepest ancestor of ``folder`` (``folder`` included) that does not exist."""
    missing = folder
    parent = os.path.dirname(missing)
    while parent and parent != missing and not os.path.lexists(parent):
        missing, parent = parent, os.path.dirname(parent)
    return missing if not os.path.isdir(missing) else folder


def _no_folder(shown: str, target: str) -> OutputPathError:
    """The error for a missing folder, naming the folder that is really missing (the
    one a symlink points into, not the folder the link is in)."""
    folder = os.path.dirname(target) or "."
    if os.path.realpath(os.path.abspath(shown)) != os.path.abspath(shown) or os.path.islink(
            shown):
        missing = _missing_folder(folder)
        # the link's target is left out: long paths would push the message past the
        # CLI's one-line limit and cut off the folder that is missing
        return OutputPathError(f"cannot write {_q(shown)}: it is a symlink, and directory "
                               f"{_q(missing)} does not exist")
    return OutputPathError(f"cannot write {_q(shown)}: directory "
                           f"{_q(os.path.dirname(shown) or '.')} does not exist")


def check_output_file(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be (re)written as a regular file; return the real target.

    A symlink is followed to its final target (which may not exist yet: a dangling link
    is written through too). Refused with :class:`OutputPathError`: a target that exists
    but is not a regular file, a read-only target, a missing or read-only folder (for a
    dangling link, the message names the folder of the link's target that is missing).
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
        raise _no_folder(shown, target)
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


def _keep_owner(fd: int, st: os.stat_result) -> None:
    """Give the new file the old file's owner and group where this process may (root may
    set both, a member of the group may set the group); otherwise they stay ours."""
    for uid, gid in ((st.st_uid, st.st_gid), (-1, st.st_gid)):
        try:
            os.fchown(fd, uid, gid)
            return
        except (OSError, AttributeError):
            continue


def _replace_with(target: str, data: bytes, st: os.stat_result | None,
                  shown: str | os.PathLike[str]) -> tuple[int, int]:
    """Write ``data`` to a short-named temporary file next to ``target`` and rename it
    over ``target`` (the name itself: a symlink there would be replaced, not followed).
    ``st`` is the old file's status (mode, owner kept) or None (umask mode).
    Returns the new file's (st_dev, st_ino)."""
    mode = 0o666 & ~umask()
    if st is not None:
        # setuid/setgid are dropped: a rewritten file is new content, not the old program
        mode = stat.S_IMODE(st.st_mode) & ~(stat.S_ISUID | stat.S_ISGID)
    tmp: str | None = None
    with critical():
        try:
            fd, tmp = tempfile.mkstemp(prefix=".actfn-", suffix=".tmp",
                                       dir=os.path.dirname(target) or ".")
            try:
                _write_all(fd, data)
                if st is not None and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    _keep_owner(fd, st)
                os.fchmod(fd, mode)  # mkstemp makes it 0600; after fchown (it clears setuid)
                ident = _ident(os.fstat(fd))
            finally:
                os.close(fd)
            os.replace(tmp, target)
            tmp = None
            with _WRITTEN_LOCK:
                _WRITTEN.add(ident)
        except OSError as exc:
            if isinstance(exc, OutputPathError):
                raise
            raise OutputPathError(f"cannot write {_q(shown)}: {exc.strerror or exc}") from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    return ident


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path written (the real target).

    See the module docstring for the rules (temporary file + ``os.replace``, through
    symlinks, refuse non-regular targets, keep the mode, owner and group where allowed
    but drop setuid/setgid, or use the umask for a new file). The file is replaced by a
    new one, so other hard links to the old file keep the old content. On any failure,
    including :class:`Interrupted`, the temporary file is removed and the old file, if
    any, is untouched.
    """
    target = check_output_file(path)
    _replace_with(str(target), data, _stat(str(target), path), path)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def wrote(path: str | os.PathLike[str]) -> bool:
    """Whether the file now at ``path`` (links followed) is one this process wrote with
    :func:`atomic_write_bytes` (compared by inode, so a file put there since is not)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    with _WRITTEN_LOCK:
        return stat.S_ISREG(st.st_mode) and _ident(st) in _WRITTEN


# -- folders of actfn's own files ------------------------------------------------------------
def _inside(root: str, target: str) -> bool:
    try:
        return os.path.commonpath([root, target]) == root
    except ValueError:
        return False


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def check_output_dir(path: str | os.PathLike[str], *, tool: str, force: bool = False,
                     legacy: tuple[str, Iterable[str]] | None = None,
                     planned: Iterable[str] = ()) -> OwnedDir:
    """Validate ``path`` as an output folder now; see :class:`OwnedDir`."""
    return OwnedDir(path, tool=tool, force=force, legacy=legacy, planned=planned)


class OwnedDir:
    """A folder that actfn writes its own files into, recorded in :data:`MANIFEST`.

    The constructor only checks (nothing is created), so a command builds one before
    its long work: the parent must exist and be writable; ``path`` must be absent, an
    empty folder, or a folder with a valid manifest that records ``tool``; any other
    non-empty folder is refused unless ``force``. ``planned`` relative paths (a trailing
    ``/`` marks a folder) are checked at once, ``force`` or not: a parent on the way that
    is a symlink or not a folder, a target that is not a regular file or is a symlink
    leading out of the folder, and an existing file that is not actfn's (not in any
    record of the manifest) are refused — ``force`` lets actfn add its files to a folder
    it did not make, never replace a file it did not write; all such files are named
    (the first three and a count) before any work. The manifest itself is never followed: a symlink, folder or
    other non-file in its place is refused.

    ``legacy = (marker, patterns)`` accepts an older layout: a folder holding the regular
    file ``marker`` is treated as actfn's, and exactly the files matching ``patterns``
    as actfn's own. A pattern is a relative path whose last component may use ``fnmatch``
    wildcards (``math/*.svg`` matches ``math/a.svg`` only, never ``math/x/a.svg``); the
    folders before it are literal.

    One manifest serves several tools: it records ``{"tool": T, "files": [...]}`` for
    the tool that wrote it last and ``"others": {tool: [...]}`` for the rest. A tool
    whose record is there writes without ``force``; a tool that is not recorded needs
    ``force`` and then *adds* its record, keeping the others (a file that it overwrites
    moves to its own record).

    Use it as a context manager and get each output path from :meth:`path` (or write
    with :meth:`write_bytes` / :meth:`write_text`; files must be written with
    :func:`atomic_write_bytes`, directly or through :func:`actfn.plot.save`).
    Entering it creates the folder if needed and locks it (``flock``) against another
    actfn command writing into it at the same time; that one fails at once with one
    line, before writing anything. On success the manifest lists exactly the files this
    run wrote (identified by inode), and files of the previous record that were not
    written again are removed if they are still regular files in a real folder inside
    this one. If the run fails or is interrupted, the files this run created are removed
    again (and the folders it created, if empty), files it replaced keep their new,
    complete content and stay recorded, and a manifest is written only where there was
    one before. A manifest that cannot be written at the end counts as a failure.
    """

    def __init__(self, path: str | os.PathLike[str], *, tool: str, force: bool = False,
                 legacy: tuple[str, Iterable[str]] | None = None,
                 planned: Iterable[str] = ()) -> None:
        self.shown = os.fspath(path) or "."
        self.tool = tool
        self.force = force
        self.root = Path(os.path.realpath(self.shown))
        self._legacy = (legacy[0], tuple(legacy[1])) if legacy is not None else None
        self._planned = tuple(planned)
        self._old: set[str] = set()
        self._keep_old = False  # keep_previous(): no stale removal at exit
        self._others: dict[str, set[str]] = {}
        self._has_manifest = False
        self._prior: dict[str, tuple[int, int] | None] = {}
        self._created_dirs: list[str] = []
        self._lock_fd: int | None = None
        self._validate(probe=True)

    # -- checks ---------------------------------------------------------------------------
    def _show(self, rel: str) -> str:
        return os.path.join(self.shown, rel)

    def _validate(self, *, probe: bool = False) -> None:
        self._old, self._others, self._has_manifest = set(), {}, False
        if probe and self.root.is_dir():
            self._lock()  # another run writing there now: say so, not "not empty"
            self._unlock()
        self._check()
        foreign: list[str] = []
        for rel in self._planned:
            folder = rel.endswith("/")
            try:
                self._check_path(self._rel(rel.rstrip("/")), folder=folder)
            except _ForeignFile as exc:
                foreign.append(exc.rel)
        if foreign:
            shown = ", ".join(foreign[:3])
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            raise OutputPathError(
                f"refusing to overwrite {len(foreign)} file(s) in {_q(self.shown)} that actfn "
                f"did not write: {shown}{more}; move them away first (--force never replaces "
                f"files actfn did not write; not in {MANIFEST})")

    def _check(self) -> None:
        root = str(self.root)
        st = _stat(root, self.shown)
        if st is None:
            parent = os.path.dirname(root) or "."
            if not os.path.isdir(parent):
                raise _no_folder(self.shown, root)
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
        if self._read_manifest():
            return
        if self._legacy is not None:
            marker = os.path.join(root, self._legacy[0])
            mst = _lstat(marker)
            if mst is not None and stat.S_ISREG(mst.st_mode):
                self._old = self._legacy_files(*self._legacy)
                return
        try:
            empty = not any(os.scandir(root))
        except OSError as exc:
            raise OutputPathError(f"cannot read {_q(self.shown)}: {exc.strerror or exc}") \
                from None
        if not empty and not self.force:
            raise OutputPathError(
                f"refusing to overwrite {_q(self.shown)}: it is not empty and was not made "
                f"by {tool_label(self.tool)} (no {MANIFEST}); use --force to add actfn's files "
                "to it (nothing else is touched)")

    def _refuse(self, why: str) -> OutputPathError:
        return OutputPathError(f"refusing to write into {_q(self.shown)}: {why}; use --force "
                               "to add actfn's files to it (nothing else is touched)")

    def _read_manifest(self) -> bool:
        """Read the manifest if there is one (True); never follows a symlink."""
        full = os.path.join(str(self.root), MANIFEST)
        st = _lstat(full)
        if st is None:
            return False
        if not stat.S_ISREG(st.st_mode):
            kind = "a symlink" if stat.S_ISLNK(st.st_mode) else _kind(st.st_mode) or "not a file"
            raise OutputPathError(
                f"refusing to write into {_q(self.shown)}: {_q(self._show(MANIFEST))} is "
                f"{kind}, not a manifest actfn wrote (actfn never follows or replaces it; "
                "remove it first)")
        try:
            fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise OutputPathError(f"cannot read {_q(self._show(MANIFEST))}: "
                                  f"{exc.strerror or exc}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            if self.force:
                return True  # replaced by a valid one
            raise self._refuse(f"the manifest {MANIFEST} is not valid JSON") from None
        records = self._records(data)
        if records is None:
            if self.force:
                return True
            raise self._refuse(f"{MANIFEST} is not a manifest actfn wrote")
        self._has_manifest = True
        if self.tool in records:
            self._old = records.pop(self.tool)
        elif not self.force:
            raise OutputPathError(
                f"refusing to write into {_q(self.shown)}: it was written by "
                f"{', '.join(repr(t) for t in records)}, not {self.tool!r}; use --force to add "
                f"{tool_label(self.tool)}'s files to it (the other record is kept)")
        self._others = records
        return True

    def _records(self, data: Any) -> dict[str, set[str]] | None:
        """tool -> its files, from a manifest's JSON (None if it is not one of actfn's)."""
        if not isinstance(data, dict) or not isinstance(data.get("tool"), str) \
                or not isinstance(data.get("files"), list):
            return None
        raw: dict[str, Any] = {data["tool"]: data["files"]}
        others = data.get("others", {})
        if not isinstance(others, dict):
            return None
        for tool, files in others.items():
            if tool != data["tool"]:
                raw[tool] = files
        records: dict[str, set[str]] = {}
        for tool, files in raw.items():
            if not isinstance(tool, str) or not isinstance(files, list):
                return None
            rels = set()
            for f in files:
                if not isinstance(f, str) or f == MANIFEST:
                    continue  # the manifest is never one of the recorded files
                try:
                    rels.add(self._rel(f))
                except OutputPathError as exc:
                    raise self._refuse(f"{MANIFEST} lists {f!r}: {exc.strerror}") from None
            records[tool] = rels
        return records

    def _legacy_files(self, marker: str, patterns: Iterable[str]) -> set[str]:
        """``marker`` and the regular files matching ``patterns`` (see the class doc)."""
        found = {marker}
        root = str(self.root)
        for pat in patterns:
            *dirs, leaf = pat.split("/")
            folder = os.path.join(root, *dirs)
            if os.path.realpath(folder) != os.path.normpath(folder):
                continue  # a symlinked folder is not one actfn wrote
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for e in entries:
                if fnmatchcase(e.name, leaf) and e.is_file(follow_symlinks=False) \
                        and e.name != MANIFEST:
                    found.add("/".join([*dirs, e.name]))
        return found

    def _rel(self, rel: str) -> str:
        """Normalize a relative POSIX path; refuse absolute paths, ``..`` and the manifest."""
        p = PurePosixPath(rel)
        if (not rel or p.is_absolute() or "\\" in rel or "\0" in rel or rel == MANIFEST
                or any(part in ("..", ".", "") for part in rel.split("/"))):
            raise OutputPathError(f"refusing to write {rel!r}: not a plain path inside "
                                  f"{_q(self.shown)}")
        return p.as_posix()

    def _check_path(self, rel: str, *, folder: bool = False) -> None:
        """Refuse writing actfn's file (or folder) ``rel`` where that would leave the folder,
        write into something that is not a file, or overwrite a file that is not actfn's."""
        root = str(self.root)
        parts = rel.split("/")
        cur = root
        for part in parts if folder else parts[:-1]:
            cur = os.path.join(cur, part)
            st = _lstat(cur)
            if st is None:
                return  # created later; nothing below it exists
            shown = self._show(os.path.relpath(cur, root))
            if stat.S_ISLNK(st.st_mode):
                real = os.path.realpath(cur)
                where = ("resolves outside " + _q(self.shown) if not _inside(root, real)
                         else "is a symlink; actfn writes only into real folders inside "
                         + _q(self.shown))
                if not os.path.exists(cur):
                    where = (f"is a dangling symlink to {_q(os.readlink(cur))}; actfn writes "
                             f"only into real folders inside {_q(self.shown)}")
                raise OutputPathError(f"refusing to write {_q(self._show(rel))}: {_q(shown)} "
                                      f"{where}")
            if not stat.S_ISDIR(st.st_mode):
                raise OutputPathError(f"refusing to write {_q(self._show(rel))}: {_q(shown)} "
                                      f"is {_kind(st.st_mode) or 'a file'}, not a directory")
        if folder:
            return
        full = os.path.join(root, rel)
        st = _lstat(full)
        if st is None:
            return
        if stat.S_ISLNK(st.st_mode):
            if not _inside(root, os.path.realpath(full)):
                raise OutputPathError(f"refusing to write {_q(self._show(rel))}: it resolves "
                                      f"outside {_q(self.shown)}")
            try:
                st = os.stat(full)
            except OSError:
                st = None  # a dangling link inside the folder: written through
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise OutputPathError(f"cannot write {_q(self._show(rel))}: it is "
                                  f"{_kind(st.st_mode) or 'something else'}, not a regular file")
        if rel not in self._old and rel not in self._prior \
                and not any(rel in files for files in self._others.values()):
            raise _ForeignFile(rel, f"refusing to overwrite {_q(self._show(rel))}: it was not "
                               f"written by {tool_label(self.tool)} (not in {MANIFEST}); move "
                               "it away first (--force never replaces files actfn did not write)")

    # -- writing --------------------------------------------------------------------------
    def _mkdir(self, path: str, shown: str) -> bool:
        """Create one folder (umask mode); False if it is there already."""
        with critical():
            try:
                os.mkdir(path)
            except FileExistsError:
                return False
            except OSError as exc:
                raise OutputPathError(f"cannot create directory {_q(shown)}: "
                                      f"{exc.strerror or exc}") from None
            self._created_dirs.append(path)
        return True

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return
        try:
            fd = os.open(str(self.root), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as exc:
            raise OutputPathError(f"cannot open {_q(self.shown)}: {exc.strerror or exc}") \
                from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputPathError(
                f"cannot write into {_q(self.shown)}: another actfn command is writing into it "
                "now; try again when it has finished") from None
        except OSError:  # pragma: no cover - a file system without flock: no lock
            os.close(fd)
            return
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def __enter__(self) -> OwnedDir:
        created = self._mkdir(str(self.root), self.shown)
        self._lock()  # a folder we created but lost to another run is left to that run
        if not created:
            try:
                self._validate()  # again, under the lock: the folder may have changed
            except BaseException:
                self._unlock()
                raise
        return self

    def path(self, rel: str) -> Path:
        """The full path for actfn's file ``rel`` (its folders created), to be written with
        :func:`atomic_write_bytes`. Refuses what the constructor refuses for ``planned``."""
        rel = self._rel(rel)
        self._check_path(rel)
        root = str(self.root)
        parts = rel.split("/")
        for i in range(1, len(parts)):
            sub = "/".join(parts[:i])
            self._mkdir(os.path.join(root, sub), self._show(sub))
        full = os.path.join(root, rel)
        if rel not in self._prior:
            try:
                self._prior[rel] = _ident(os.stat(full))
            except OSError:
                self._prior[rel] = None
        return Path(full)

    def write_bytes(self, rel: str, data: bytes) -> Path:
        """Write actfn's file ``rel`` atomically (:func:`atomic_write_bytes`)."""
        return atomic_write_bytes(self.path(rel), data)

    def write_text(self, rel: str, text: str) -> Path:
        """UTF-8 text version of :meth:`write_bytes`."""
        return self.write_bytes(rel, text.encode("utf-8"))

    def _mine(self) -> set[str]:
        """The files this run wrote: there now, written by this process, not the old one."""
        mine = set()
        for rel, prior in self._prior.items():
            full = os.path.join(str(self.root), rel)
            if wrote(full) and _ident(os.stat(full)) != prior:
                mine.add(rel)
        return mine

    def _write_manifest(self, own: Iterable[str]) -> None:
        own = set(own)
        body: dict[str, Any] = {"tool": self.tool, "files": sorted(own)}
        others = {t: sorted(f - own) for t, f in sorted(self._others.items()) if f - own}
        if others:
            body["others"] = others
        full = os.path.join(str(self.root), MANIFEST)
        st = _lstat(full)
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise OutputPathError(f"cannot write {_q(self._show(MANIFEST))}: it is not a "
                                  "regular file")
        _replace_with(full, (json.dumps(body, indent=1) + "\n").encode("utf-8"), st,
                      self._show(MANIFEST))

    def _real_dir(self, folder: str) -> bool:
        """``folder`` is a real folder inside the root (no symlink on the way)."""
        return _inside(str(self.root), folder) and os.path.realpath(folder) == folder

    def _remove(self, rel: str, *, ours_only: bool) -> None:
        """Unlink actfn's file ``rel`` if it is a regular file in a real folder inside the
        root (and, with ``ours_only``, one this process wrote), then empty folders above."""
        full = os.path.join(str(self.root), rel)
        if not self._real_dir(os.path.dirname(full)):
            return
        st = _lstat(full)
        if st is None or not stat.S_ISREG(st.st_mode) or (ours_only and not wrote(full)):
            return
        with contextlib.suppress(OSError):
            os.unlink(full)
            self._prune(os.path.dirname(full))

    def _prune(self, d: str) -> None:
        """Remove empty folders from ``d`` up (never the root, never a non-empty one)."""
        root = str(self.root)
        while d != root and self._real_dir(d):
            try:
                os.rmdir(d)
            except OSError:
                return
            d = os.path.dirname(d)

    def _undo(self, mine: set[str]) -> None:
        created = {rel for rel in mine if self._prior.get(rel) is None}
        for rel in created:
            self._remove(rel, ours_only=True)
        for d in reversed(self._created_dirs):
            with contextlib.suppress(OSError):
                os.rmdir(d)
        if not self._has_manifest or not self.root.is_dir():
            return
        keep = {r for r in self._old if os.path.isfile(os.path.join(str(self.root), r))}
        with contextlib.suppress(OSError):
            self._write_manifest(keep | (mine - created))

    def keep_previous(self) -> None:
        """Keep the files an earlier run of this tool recorded here (still recorded, not
        removed as stale at exit): for a first pass that only claims the folder before
        long work, so the earlier report stays whole until the new one replaces it."""
        self._keep_old = True

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            with critical():
                mine = self._mine()
                if exc_type is not None:
                    self._undo(mine)
                    return
                keep = set()
                if self._keep_old:
                    keep = {rel for rel in self._old
                            if os.path.isfile(os.path.join(str(self.root), rel))}
                try:
                    self._write_manifest(mine | keep)
                except BaseException:
                    self._undo(mine)
                    raise
                for rel in sorted(self._old - mine - keep):
                    self._remove(rel, ours_only=False)
        finally:
            self._unlock()


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
        self.fired_signum: int | None = None  # the signal that raised it


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.fired:
        return
    if _state.depth > 0:
        if _state.pending is None:
            _state.pending = signum
        return
    _state.fired, _state.fired_signum = True, signum
    raise Interrupted(signum)


def fired_signal() -> int | None:
    """The signal that raised :class:`Interrupted` in the latest :func:`signal_guard`, if any.

    Library code can catch the ``Interrupted`` raised inside it and raise something else
    instead (matplotlib turns an exception inside its layout code into "Invalid bounding
    box"); the CLI asks this to report such a failure as the interruption it was.
    """
    return _state.fired_signum if _state.fired else None


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
            _state.fired, _state.fired_signum = True, signum
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
    _state.fired_signum = None
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
