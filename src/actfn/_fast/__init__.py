"""Compiled, fused kernels behind the NumPy path (numba; optional).

For a NumPy input, :meth:`Activation._run <actfn.Activation>` calls :func:`run_numpy`.
It traces the registry kernels once per (activation, parameters, operation, dtype)
into scalar code (:mod:`._trace`), writes a small module with a serial and a
multi-threaded loop into the kernel cache folder (:func:`cache_dir`), executes it and
gives its numba dispatchers (created with numba's ``cache=False``) an on-disk cache of
actfn's own, so a later process loads the machine code instead of compiling.

What protects the kernel cache (code from it is executed, so it must be ours):

* Location: ``$ACTFN_CACHE_DIR`` or the per-user cache folder of
  ``platformdirs.user_cache_dir("actfn")``, never a shared temporary folder. Every folder
  actfn creates, missing ancestors included, gets mode 0700 (``chmod`` after ``mkdir``,
  whatever the umask). The cache folder, ``kernels-<tag>`` and its ``__pycache__`` are
  refused (checked with ``os.lstat``; a symlink only if its target passes too) when
  another user owns them or their group or others can write to them. Every ancestor must
  be owned by root or this user, and one that its group or others can write to must be
  sticky with the next component owned by this user (:func:`_check_chain`), so nobody
  else can swap a folder on the path between the check and a later open.
* Content: a cached module is executed only when its bytes equal exactly the source
  actfn generates now. They are read once (``O_NOFOLLOW|O_NONBLOCK``, a regular file
  only: a symlink, FIFO or device is never followed or waited on), compared, and that
  same buffer is compiled and executed in a fresh module, so the file cannot change
  between check and use. A missing, empty, truncated, different or non-regular file is
  replaced atomically (temporary file in the same folder, then ``os.replace``).
* numba's own cache files (``*.nbi``/``*.nbc``, pickles that numba unpickles) are read
  and written ONLY in ``kernels-<tag>/__pycache__``: numba's ``cache=True`` locator chain
  (``$NUMBA_CACHE_DIR`` first, ``$XDG_CACHE_HOME/numba`` as a fallback, neither checked)
  is never used for actfn's kernels; :func:`_numba_cache_class` is a ``FunctionCache``
  whose only locator is actfn's, whose source stamp is the hash of the verified module
  bytes, and which reads these files like the modules (``O_NOFOLLOW|O_NONBLOCK``, regular
  only). Files it cannot load are deleted (inside that folder only) and rewritten.
* Failures never reach the caller: when no folder can be determined (no home folder),
  or the folder is refused or cannot be created, read or written (read-only, missing,
  disk full, file-size limit), or numba cannot write its cache files, the kernels are
  compiled in memory (no disk cache) for the rest of the process, with one
  :class:`CacheWarning` per process, issued after the fallback is in place; under a
  warnings filter that turns it into an error it is dropped, never raised. A thread
  whose cached loop failed retries with the in-memory loops even when another thread
  made the switch.

Each loop reads every input element once, converts it to float64, evaluates f (and
f′, …) in registers and stores each output rounded once to the input dtype: one
pass, no temporaries, branch-free selects. The elementary functions are the
vectorizable float64 polynomials of :mod:`._vmath`: for float64 results exp, expm1,
log1p, log within 0.7–0.94 float64 ulp (``*_d``), libm's tanh and hypot and SciPy's
erf/erfc/erfcx; for float32 and narrower results cheaper ones (``*_v``: exp, expm1, log1p,
log, tanh, erf, erfc, erfcx) sized to a relative error ≤ 2⁻⁴⁰, 2e-5 of a float32 ulp. Loops for float16/bfloat16/float32 may fuse
multiply-adds (``fastmath={"contract"}``, nothing else); float64 loops are strict IEEE
(Dekker's error-free products of the catalog become explicit, exact FMAs: ``_trace``).
The oracle tests (tests/test_accuracy.py) measure this path and the NumPy one.
A spec with float32-native kernels (``Spec.native32``, :mod:`._vmath32`) gets float32 loops
that read and compute in float32 instead (exact-FMA compensation, 512-bit vectors, strict
IEEE, ≤ 1 ulp: tests/test_native32.py, tools/native32_sweep.py); its f″ and its 16-bit and
float64 loops are traced as above.

Switches: the environment variable ``ACTFN_DISABLE_NUMBA=1`` (read at import) or
:func:`set_enabled` select the pure-NumPy path, which is also used where numba is not
installed or a kernel cannot be traced. ``ACTFN_CACHE_DIR`` moves the kernel cache.
Results have the native-byte-order version of the input's dtype (a big-endian
float32 input gives a native float32 result; ``out=`` must have that dtype).
Arrays with at least :data:`PARALLEL_THRESHOLD` elements use numba's threads
(``numba.set_num_threads`` limits them); smaller ones run on the calling thread, and so
does everything in a child process created by ``fork()`` (numba's thread pools do not
survive it). Integer/bool inputs are converted to float64 first and non-contiguous
ones copied; outputs are C-ordered (``out=`` may be any layout).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import tempfile
import threading
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _trace

__all__ = [
    "state",
    "PARALLEL_THRESHOLD",
    "available",
    "set_enabled",
    "disabled",
    "run_numpy",
    "run_hot",
    "entry_point",
    "plan",
    "cache_dir",
    "compiled_kernel",
    "CacheWarning",
    "CacheRefused",
]

#: Arrays with at least this many elements run multi-threaded.
PARALLEL_THRESHOLD = 1 << 16

_ENV_DISABLE = "ACTFN_DISABLE_NUMBA"
_FLOATS = ("float16", "bfloat16", "float32", "float64")
LOCK = threading.RLock()
_state: dict[str, Any] = {
    "enabled": os.environ.get(_ENV_DISABLE, "").strip().lower() not in ("1", "true", "yes", "on"),
    "numba": None,  # None: not probed yet; False: unavailable; else the module
    "forked": False,  # True in a child created by fork(): serial loops only
}
#: The same dict under a public name: ``state["enabled"]`` is read per call by actfn.torch's
#: fast path (a dict lookup; :func:`available` also probes numba).
state = _state
#: (spec id, params, kernels, fused, dtype) → compiled entry, or None (not traceable).
_KERNELS: dict[tuple[Any, ...], Any] = {}


def _numba() -> Any:
    mod = _state["numba"]
    if mod is None:
        try:
            import numba

            mod = numba
        except Exception:  # pragma: no cover - depends on the platform
            mod = False
        _state["numba"] = mod
    return mod


def available() -> bool:
    """True when the compiled path can run (numba imports and it is not disabled)."""
    return bool(_state["enabled"]) and _numba() is not False


def set_enabled(flag: bool) -> None:
    """Turn the compiled path on or off for this process (tests, benchmarks)."""
    _state["enabled"] = bool(flag)
    _update_hot()


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Context manager: use the pure-NumPy path inside the block."""
    old = _state["enabled"]
    _state["enabled"] = False
    _update_hot()
    try:
        yield
    finally:
        _state["enabled"] = old
        _update_hot()


def plan(n: int) -> str:
    """``"parallel"`` or ``"serial"``: which loop an array of ``n`` elements uses."""
    if n < PARALLEL_THRESHOLD or _state["forked"]:
        return "serial"
    nb = _numba()
    return "parallel" if nb and nb.get_num_threads() > 1 else "serial"


def _after_fork_in_child() -> None:
    # numba's OpenMP/workqueue thread pools do not survive fork(); a forked child (a
    # multiprocessing or DataLoader worker) keeps to the serial loops.
    _state["forked"] = True
    _update_hot()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# -- kernel cache -------------------------------------------------------------------------
class CacheWarning(UserWarning):
    """The kernel cache cannot be used: kernels are compiled in memory for this process.

    Issued at most once per process. Results are unaffected; only the first call of
    each kernel is slower (numba compiles it again in every process).
    """


class CacheRefused(OSError):
    """The kernel cache folder is unsafe to use (another owner, group/world-writable)."""


#: Most work :func:`numpy.shares_memory` may spend on one ``out=`` overlap question.
_MAX_WORK = 10**6
_ENV_CACHE = "ACTFN_CACHE_DIR"
_state["warned"] = False  # the one CacheWarning of this process was issued
_state["broken"] = set()  # cache roots that failed in this process: compile in memory
#: module name → module built from verified bytes (or in memory), this process.
_MODULES: dict[str, Any] = {}


def _version_tag() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in ("_vmath.py", "_vmath32.py", "_trace.py", "../kernels/_erfc_tables.py"):
        h.update((here / name).read_bytes())  # (_vmath bakes the erfc tables in)
    nb = _numba()
    h.update(str(getattr(nb, "__version__", "")).encode())
    h.update(np.__version__.encode())
    return h.hexdigest()[:16]


def _cache_root() -> Path:
    """``$ACTFN_CACHE_DIR``, else the platform's per-user cache folder for actfn.

    May raise (``RuntimeError`` without a home folder, for instance): callers treat any
    exception as "no disk cache".
    """
    base = os.environ.get(_ENV_CACHE, "").strip()
    if base:
        return Path(os.path.abspath(Path(base).expanduser()))
    import platformdirs

    found = platformdirs.user_cache_dir("actfn", appauthor=False)
    if not os.path.isabs(found):  # "~/.cache/actfn" unexpanded: no home folder
        raise CacheRefused(f"no home folder to put the cache in (got {found!r}); "
                           f"set {_ENV_CACHE}")
    return Path(found)


def _check_private(path: Path) -> None:
    """Raise :class:`CacheRefused` unless ``path`` is a folder only this user can write.

    ``os.lstat`` first: a symlink is accepted only when the folder it resolves to
    passes the same checks.
    """
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise CacheRefused(f"{path} is not a folder")
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # pragma: no cover - Windows: per-user profile folders and ACLs
        return
    if st.st_uid != getuid():
        raise CacheRefused(f"{path} is owned by uid {st.st_uid}, not by this user ({getuid()})")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheRefused(
            f"{path} is writable by its group or by others (mode {stat.S_IMODE(st.st_mode):04o})"
        )


def _check_chain(path: str) -> None:
    """Raise :class:`CacheRefused` unless nobody else can replace any folder on ``path``.

    The classic secure-path rule, for every ancestor of the absolute ``path`` (checked
    with ``os.lstat``, component by component): it is owned by root or by this user,
    and when its group or others can write to it, it has the sticky bit and the next
    component below it is owned by this user (``/tmp/me/...`` is fine, a 0777 folder
    is not). A symlink on the way is checked the same way after resolving it.
    """
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # pragma: no cover - Windows
        return
    uid = getuid()
    parts = Path(path).parts
    cur = Path(parts[0])
    st = os.lstat(cur)
    for name in parts[1:]:
        nxt = cur / name
        nst = os.lstat(nxt)
        if not stat.S_ISLNK(st.st_mode):
            if st.st_uid not in (0, uid):
                raise CacheRefused(f"{cur} (above the kernel cache) is owned by uid "
                                   f"{st.st_uid}, who could replace the cache folder")
            if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not (
                    st.st_mode & stat.S_ISVTX and nst.st_uid == uid):
                raise CacheRefused(
                    f"{cur} (above the kernel cache) is writable by its group or by others "
                    f"(mode {stat.S_IMODE(st.st_mode):04o}) without the sticky bit protecting "
                    f"{name}: others could replace the cache folder")
        if stat.S_ISLNK(nst.st_mode):
            _check_chain(os.path.realpath(nxt))
        cur, st = nxt, nst


def _mkdir_private(path: Path) -> None:
    """Create the folder ``path`` with mode 0700 whatever the umask (it may exist)."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        return
    os.chmod(path, 0o700)  # exactly 0700, whatever the umask


def _private_dir(path: Path) -> None:
    """Create ``path`` with mode 0700 if missing, then check it (:func:`_check_private`)."""
    _mkdir_private(path)
    _check_private(path)


def cache_dir() -> Path:
    """The folder of the generated kernel modules (numba's files in its ``__pycache__``).

    ``$ACTFN_CACHE_DIR/kernels-<tag>``, else ``<user cache dir>/actfn/kernels-<tag>``
    (``platformdirs.user_cache_dir``); ``<tag>`` changes with actfn's code generator,
    numba and NumPy. Missing folders (ancestors included) are created with mode 0700.
    Raises :class:`CacheRefused` when the cache folder or its ``kernels-<tag>`` folder
    is owned by another user or is writable by its group or others, or when an
    ancestor lets someone else replace them (:func:`_check_chain`); ``OSError`` when
    it cannot be created.
    """
    root = _cache_root()
    missing = []
    p = root
    while not os.path.lexists(p) and p.parent != p:
        missing.append(p)
        p = p.parent
    for q in reversed(missing):
        _mkdir_private(q)
    _check_private(root)
    d = root / f"kernels-{_version_tag()}"
    _private_dir(d)
    _check_chain(str(d))
    return d


def _cache_failed(what: str, err: BaseException) -> None:
    """Issue this process's one :class:`CacheWarning` (later failures stay silent).

    Called only after the fallback is in place. The warning never aborts the call: where
    a warnings filter turns it into an exception (``python -W error``, pytest's
    ``filterwarnings = error``), that exception is dropped here, because a cache problem
    must never reach the caller (the result is right either way).
    """
    with LOCK:
        if _state["warned"]:
            return
        _state["warned"] = True
    try:
        warnings.warn(
            f"actfn: the compiled-kernel cache cannot be used ({what}: {type(err).__name__}: "
            f"{err}); kernels are compiled in memory for this process instead. Results are "
            f"the same; set {_ENV_CACHE} to a private, writable folder to keep them.",
            CacheWarning,
            stacklevel=_user_stacklevel(),
        )
    except Warning:
        pass


def _user_stacklevel() -> int:
    """The ``stacklevel`` of the first caller outside actfn (for a warning)."""
    level, frame = 2, sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("actfn"):
        level += 1
        frame = frame.f_back
    return level


#: Flags for reading a cache file: never follow a symlink, never block on a FIFO.
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_NONBLOCK", 0))


def _read_regular(path: str | Path, limit: int | None = None) -> bytes | None:
    """The bytes of the regular file ``path`` (at most ``limit + 1``); None otherwise.

    Opened with ``O_NOFOLLOW | O_NONBLOCK`` (a symlink, FIFO or device node neither
    redirects nor blocks) and checked with ``fstat`` to be a regular file. None: the
    file is missing, not a regular file or unreadable.
    """
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        left = -1 if limit is None else limit + 1
        while left != 0:
            b = os.read(fd, 1 << 20 if left < 0 else min(left, 1 << 20))
            if not b:
                break
            chunks.append(b)
            if left > 0:
                left -= len(b)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_exact(path: Path, size: int) -> bytes | None:
    """Up to ``size + 1`` bytes of the regular file ``path`` (None: missing/unreadable)."""
    return _read_regular(path, size)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _exec_module(modname: str, data: bytes | str, filename: str) -> Any:
    """Execute ``data`` (already verified) as a fresh module named ``modname``.

    The module goes into ``sys.modules`` first: numba re-imports it by name when it
    loads machine code from its cache. ``filename`` becomes the code's ``co_filename``.
    """
    code = compile(data, filename, "exec", dont_inherit=True)
    module = types.ModuleType(modname)
    module.__file__ = filename
    sys.modules[modname] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    return module


def _memory_module(source: str) -> Any:
    """Compile ``source`` in memory (no disk cache at all); nothing is written."""
    modname = f"actfn_kernel_mem_{hashlib.sha256(source.encode()).hexdigest()[:24]}"
    module = _MODULES.get(modname)
    if module is None:
        module = _exec_module(modname, source, f"<actfn kernel {modname[17:]}>")
        _MODULES[modname] = module
    return module


# -- numba's on-disk cache, confined to actfn's checked folder ---------------------------------
#: module file name → (numba folder, source stamp) for the locator below.
_NUMBA_DIRS: dict[str, tuple[str, bytes]] = {}
_numba_cache_classes: list[Any] = []


def _numba_cache_class() -> Any:
    """numba's ``FunctionCache`` with actfn's locator as its ONLY locator.

    numba's own chain (``cache=True``) tries ``$NUMBA_CACHE_DIR`` first and falls back to
    ``$XDG_CACHE_HOME/numba``, folders actfn does not check, and unpickles the index
    and data files it finds there. actfn's kernels never use that chain: their
    dispatchers are created with ``cache=False`` and get this cache, whose files live in
    ``<kernel folder>/__pycache__`` (checked like the kernel folder), are opened
    without following symlinks or blocking on FIFOs, and are deleted (so the next save
    rewrites them) when they cannot be loaded.
    """
    if _numba_cache_classes:
        return _numba_cache_classes[0]
    from numba.core import caching

    class _ActfnLocator(caching._CacheLocator):  # type: ignore[misc]
        def __init__(self, py_func: Any, py_file: str) -> None:
            self._lineno = py_func.__code__.co_firstlineno
            self._folder, self._stamp = _NUMBA_DIRS[py_file]

        def ensure_cache_path(self) -> None:
            _check_private(Path(self._folder))  # created and checked by actfn

        def get_cache_path(self) -> str:
            return self._folder

        def get_source_stamp(self) -> bytes:
            return self._stamp  # the sha256 of the verified module bytes

        def get_disambiguator(self) -> str:
            return str(self._lineno)

        @classmethod
        def from_function(cls, py_func: Any, py_file: str) -> Any:
            if py_file not in _NUMBA_DIRS:
                return None
            return cls(py_func, py_file)

    class _ActfnIndexFile(caching.IndexDataCacheFile):  # type: ignore[misc]
        def _load_index(self) -> Any:
            raw = _read_regular(self._index_path)
            if raw is None:
                return {}
            import io
            import pickle

            f = io.BytesIO(raw)
            version = pickle.load(f)
            if version != self._version:
                return {}
            stamp, overloads = pickle.loads(f.read())
            return overloads if stamp == self._source_stamp else {}

        def _load_data(self, name: str) -> Any:
            import pickle

            raw = _read_regular(self._data_path(name))
            if raw is None:
                raise FileNotFoundError(name)
            return pickle.loads(raw)

        def remove_all(self) -> None:
            """Delete this function's index and data files (they could not be loaded)."""
            base = self._index_name[: -len(".nbi")]
            with contextlib.suppress(OSError):
                for entry in os.scandir(self._cache_path):
                    if entry.name == self._index_name or (
                            entry.name.startswith(base + ".") and entry.name.endswith(".nbc")):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    class _Impl(caching.CompileResultCacheImpl):  # type: ignore[misc]
        _locator_classes = [_ActfnLocator]

    class _Cache(caching.FunctionCache):  # type: ignore[misc]
        _impl_class = _Impl

        def __init__(self, py_func: Any) -> None:
            super().__init__(py_func)
            if not isinstance(self._impl.locator, _ActfnLocator):
                # NUMBA_CACHE_LOCATOR_CLASSES overrides _locator_classes: not ours
                raise CacheRefused("numba chose another cache locator "
                                   "(NUMBA_CACHE_LOCATOR_CLASSES is set)")
            self._cache_file = _ActfnIndexFile(
                cache_path=self._cache_path, filename_base=self._impl.filename_base,
                source_stamp=self._impl.locator.get_source_stamp())

        def load_overload(self, sig: Any, target_context: Any) -> Any:
            try:
                return super().load_overload(sig, target_context)
            except Exception:
                # corrupt or foreign-format files: delete them, compile, save anew
                self._cache_file.remove_all()
                return None

    _numba_cache_classes.append(_Cache)
    return _Cache


def _install_numba_cache(module: Any, folder: Path, data: bytes) -> None:
    """Give ``module``'s loops numba's on-disk cache in ``folder`` (checked, 0700)."""
    _private_dir(folder)
    cls = _numba_cache_class()
    _NUMBA_DIRS[module.__file__] = (str(folder), hashlib.sha256(data).digest())
    for name in ("ser", "par"):
        disp = getattr(module, name)
        disp._cache = cls(disp.py_func)  # what Dispatcher.enable_caching does


def load_module(source: str, memory_source: str | None = None) -> tuple[Any, bool]:
    """The module of ``source``, and True when it came from the kernel cache.

    The cached file is executed only when its bytes equal ``source`` exactly; they
    are read once, compared and compiled from that same buffer (no second read). A
    missing, different or non-regular file is replaced atomically. Its loops then get
    numba's on-disk cache in ``__pycache__`` next to it (:func:`_numba_cache_class`).
    When the cache cannot be used at all (no folder can be determined, created or
    trusted), the same source is compiled in memory instead and one
    :class:`CacheWarning` is issued per process.
    """
    data = source.encode()
    modname = f"actfn_kernel_{hashlib.sha256(data).hexdigest()[:24]}"
    module = _MODULES.get(modname)
    if module is not None:
        return module, True
    root = "?"
    try:
        root = str(_cache_root())
        if root not in _state["broken"]:
            d = cache_dir()
            path = d / f"{modname}.py"
            if _read_exact(path, len(data)) != data:
                _write_atomic(path, data)  # missing, truncated, foreign or stale: replace
            module = _exec_module(modname, data, str(path))
            try:
                _install_numba_cache(module, d / "__pycache__", data)
            except BaseException:
                sys.modules.pop(modname, None)
                raise
            _MODULES[modname] = module
            return module, True
    except Exception as err:  # any cache failure: compile in memory, never raise
        _state["broken"].add(root)
        module = _memory_module(memory_source or source)
        _cache_failed(f"folder {root}", err)
        return module, False
    return _memory_module(memory_source or source), False


class Compiled:
    #: ``warm``: the serial loop has run once in this process (compiled or loaded, and
    #: with it numba's first-call setup done), so :func:`_run_warm` may call it directly.
    __slots__ = ("ser", "par", "n_out", "source", "memory_source", "cached", "warm")

    def __init__(self, module: Any, n_out: int, source: str, memory_source: str,
                 cached: bool) -> None:
        self.ser = module.ser
        self.par = module.par
        self.n_out = n_out
        self.source = source
        self.memory_source = memory_source
        self.cached = cached
        self.warm = False

    def to_memory(self, err: BaseException) -> None:
        """Numba failed to load or save its cache: use loops compiled in memory."""
        with LOCK:
            if self.cached:
                with contextlib.suppress(Exception):
                    _state["broken"].add(str(_cache_root()))
                module = _memory_module(self.memory_source)
                self.ser, self.par, self.cached = module.ser, module.par, False
                _cache_failed("numba's cache files", err)


def params_key(params: dict[str, Any]) -> tuple[Any, ...] | None:
    items = []
    for k, v in sorted(params.items()):
        if isinstance(v, tuple):
            if len(v) != 1:
                return None  # per-channel vector parameter: NumPy path
            v = v[0]
        items.append((k, v))
    return tuple(items)


def compiled_kernel(act: Any, kernels: Sequence[Callable[..., Any]], fused: bool,
                    dtype: str) -> Compiled | None:
    """The compiled loops for ``act``'s ``kernels`` on storage ``dtype`` (None: NumPy path)."""
    local = getattr(act, "_kcache", None)
    if local is not None:
        hit = local.get((kernels, fused, dtype), local)
        if hit is not local:
            return hit  # type: ignore[no-any-return]
    entry = _compiled_kernel(act, kernels, fused, dtype)
    if local is not None:
        local[(tuple(kernels), fused, dtype)] = entry
    return entry


def _compiled_kernel(act: Any, kernels: Sequence[Callable[..., Any]], fused: bool,
                     dtype: str) -> Compiled | None:
    spec = act.spec
    pkey = params_key(act._params)
    if pkey is None:
        return None
    key = (id(spec), pkey, tuple(kernels), fused, dtype)
    hit = _KERNELS.get(key, _KERNELS)
    if hit is not _KERNELS:
        return hit[1]  # type: ignore[no-any-return]
    with LOCK:
        hit = _KERNELS.get(key, _KERNELS)
        if hit is not _KERNELS:
            return hit[1]  # type: ignore[no-any-return]
        entry: Compiled | None
        try:
            params = dict(pkey)
            prog = _trace.native_program(spec, kernels, fused, params) \
                if dtype == "float32" else None  # Spec.native32: float32 arithmetic
            if prog is None:
                prog = _trace.trace(kernels, fused, params, "a" if dtype == "float64" else "v")
            title = f"{act!r}, {'+'.join(getattr(k, '__name__', 'k') for k in kernels)}, {dtype}"
            src = _trace.loop_source(prog, dtype, title)  # numba's cache=False
            module, cached = load_module(src)
            entry = Compiled(module, len(prog.outputs), src, src, cached)
        except _trace.TraceError:
            entry = None
        # keep the spec alive with its entry so that id(spec) is never reused
        _KERNELS[key] = (spec, entry)
        return entry


# -- the NumPy hook -------------------------------------------------------------------------
def _bad_dtype(dt: Any) -> TypeError:
    from .._backend import bad_dtype

    return bad_dtype(dt)


def _check_out(out: Any, n: int, shape: tuple[int, ...], dtype: np.dtype,
               src: np.ndarray) -> list[np.ndarray]:
    """Validate ``out=`` (one array, or a pair for two results) and return the list."""
    if n == 1:
        if isinstance(out, (tuple, list)):
            if len(out) != 1:
                raise TypeError(f"out must be one NumPy array, got a sequence of {len(out)}")
            out = out[0]
        outs = [out]
    else:
        if not isinstance(out, (tuple, list)) or len(out) != n:
            raise TypeError(
                f"out must be a pair (tuple) of {n} NumPy arrays for value_and_derivative, "
                f"got {type(out).__name__}"
            )
        outs = list(out)
    for j, o in enumerate(outs):
        # the common case in a few cheap comparisons; details only to explain an error
        if not (type(o) is np.ndarray and o.dtype == dtype and o.shape == shape
                and o.flags.writeable):
            _explain_bad_out(o, "out" if n == 1 else f"out[{j}]", shape, dtype)
        why = _overlap(o, src)
        if why is not None:
            raise ValueError(f"{'out' if n == 1 else f'out[{j}]'} {why} the input: "
                             "actfn never writes to its input")
    if n == 2:
        why = _overlap(outs[0], outs[1])
        if why is not None:
            raise ValueError(f"out[0] {why} out[1]: the two results need separate memory")
    return outs


_TooHardError = getattr(np, "exceptions", np).TooHardError


def _overlap(a: np.ndarray, b: np.ndarray) -> str | None:
    """None when ``a`` and ``b`` share no memory, else how they overlap (for a message).

    Two different arrays that each own their memory are separate allocations (the
    common case, no bounds computation). Views are first checked by their memory
    bounds, then exactly by :func:`numpy.shares_memory` (interleaved views such as
    ``buf[:, ::2]`` and ``buf[:, 1::2]`` do not overlap); a question too hard to
    decide within :data:`_MAX_WORK` counts as overlapping.
    """
    if a is b:
        return "overlaps"
    if (a.base is None and b.base is None) or not np.may_share_memory(a, b):
        return None
    try:
        return "overlaps" if np.shares_memory(a, b, max_work=_MAX_WORK) else None
    except _TooHardError:
        return ("may overlap (NumPy could not decide within its work bound, so actfn "
                "treats it as overlapping) with")


def _describe(dt: np.dtype) -> str:
    if dt.byteorder in "<>" and dt.byteorder != np.dtype(dt.name).byteorder:
        return f"{dt.name} ({'big' if dt.byteorder == '>' else 'little'}-endian, non-native)"
    return dt.name


def _explain_bad_out(o: Any, what: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    if not isinstance(o, np.ndarray):
        raise TypeError(f"{what} must be a NumPy array, got {type(o).__name__}")
    if o.dtype != dtype:
        if o.dtype.name == dtype.name:  # same type, other byte order
            raise TypeError(
                f"{what} has byte order {_describe(o.dtype)} but the result is "
                f"{_describe(dtype)} in native byte order (results are always native-endian: "
                "pass an out= array of the native dtype)"
            )
        raise TypeError(
            f"{what} has dtype {_describe(o.dtype)} but the result has dtype "
            f"{_describe(dtype)} (the input's floating dtype in native byte order; "
            "integers and bool give float64)"
        )
    if o.shape != shape:
        raise ValueError(f"{what} has shape {o.shape} but the input has shape {shape}")
    if not o.flags.writeable:
        raise ValueError(f"{what} is read-only")


def _storage(a: np.ndarray) -> np.ndarray:
    """A flat view of a C-contiguous array in the dtype the loops read or write."""
    flat = a if a.ndim == 1 else a.reshape(-1)
    if a.itemsize == 2:
        return flat.view(np.uint16)
    return flat


#: Native floating dtypes the loops handle, by dtype (a dict lookup is far cheaper
#: than ``dtype.name``, which runs Python code in NumPy).
_NAMES: dict[np.dtype, str] = {}


def _dtype_names() -> dict[np.dtype, str]:
    if not _NAMES:
        import ml_dtypes

        for dt in (np.float16, ml_dtypes.bfloat16, np.float32, np.float64):
            d = np.dtype(dt)
            _NAMES[d] = d.name
    return _NAMES


def run_numpy(act: Any, arr: np.ndarray, kernels: Sequence[Callable[..., Any]], fused: bool,
              out: Any, generic: Callable[..., tuple[Any, ...]]) -> tuple[Any, ...]:
    """:func:`_run_numpy`, leaving PyTorch's thread count as it was.

    Compiling or starting numba's OpenMP thread pool calls ``omp_set_num_threads`` in
    the OpenMP runtime that PyTorch shares, so a user's ``torch.set_num_threads(1)``
    would silently become numba's count. When torch is loaded, restore it.

    The steady state of a loop that passes ``out=`` (a serial loop that already ran, plain
    contiguous arrays of the result's dtype and shape that share no memory with the
    input or each other) takes :func:`run_hot`, which checks exactly that in a few
    attribute reads and calls the loop: a call at 2**10 elements costs little more than
    the loop itself. Everything else takes the general path below.
    """
    if out is not None:
        outs = out if type(out) is tuple else (out,) if type(out) is np.ndarray else None
        if outs is not None and getattr(act, "_hot", None) is not None:
            hit = run_hot(act, arr, kernels, outs)
            if hit is not None:
                return hit
    elif getattr(act, "_hot", None) is not None:
        hit = run_hot(act, arr, kernels, None)  # fresh outputs for a warm loop
        if hit is not None:
            return hit
    return _run_guarded(act, arr, kernels, fused, out, generic)


#: True while warm loops may be called directly (:func:`run_hot`): the compiled path is
#: on and this is not a child created by ``fork()``. Kept in step with ``_state``.
_HOT_ON = True


def _update_hot() -> None:
    global _HOT_ON
    _HOT_ON = bool(_state["enabled"]) and not _state["forked"]


_update_hot()

#: The flag bits :func:`run_hot` needs on every output array (one integer test).
_OUT_FLAGS = 0x0001 | 0x0100 | 0x0400  # NPY_ARRAY_C_CONTIGUOUS | ALIGNED | WRITEABLE
#: ... and on the input.
_IN_FLAGS = 0x0001 | 0x0100  # NPY_ARRAY_C_CONTIGUOUS | ALIGNED


def entry_point(fn: Any, args: Sequence[np.ndarray]) -> Callable[..., Any]:
    """The compiled overload of the dispatcher ``fn`` for exactly the types of ``args``
    (1-D C-contiguous aligned arrays), callable without numba's dispatch (type
    resolution of every argument): :func:`run_hot` calls it only with arrays it has
    checked to have those types (dtype object, layout, alignment; a read-only input
    is only read), and actfn.torch's compiled path with the same types every call (a
    contiguous tensor's flat storage view, fresh buffers). ``fn`` itself when it is not
    such a dispatcher (or not compiled)."""
    try:
        nb = _numba()
        sig = tuple(nb.typeof(a) for a in args)
        return fn.overloads[sig].entry_point  # type: ignore[no-any-return]
    except Exception:
        return fn  # type: ignore[no-any-return]


def run_hot(act: Any, arr: np.ndarray, kernels: Sequence[Callable[..., Any]],
            out: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """The loop's result for the steady state of :func:`run_numpy`; None: not that case
    (nothing was run: the general path decides, raises or falls back).

    ``act._hot`` maps ``(kernels, dtype)`` to the serial loop of an entry that has run
    once in this process (filled by :func:`_run_numpy`). The checks are exactly those
    of the general path for this case, in the fewest attribute reads: every output is a
    base ndarray (not a view: views take the general path, which checks overlaps
    exactly) of the input's dtype object and shape, C-contiguous, aligned and
    writeable, not the input and not the other output; an input that does not own its
    memory must not share any with an output. Arrays of 2**16 elements or more (the
    parallel loop, torch's thread count) take the general path. ``out=None``: new arrays of
    the input's dtype and shape (which pass those checks by construction).
    """
    hit = act._hot.get((kernels, arr.dtype))
    if hit is None or not _HOT_ON:
        return None
    ser, ep, direct, n_out = hit
    if arr.size >= PARALLEL_THRESHOLD or arr.flags.num & _IN_FLAGS != _IN_FLAGS:
        return None
    if out is None:
        out = tuple(np.empty(arr.shape, arr.dtype) for _ in range(n_out))
    elif len(out) != n_out:
        return None
    dt = arr.dtype
    if n_out == 2:
        o, p = out
        if (type(o) is not np.ndarray or type(p) is not np.ndarray
                or o.base is not None or p.base is not None
                or o is arr or p is arr or o is p or o.dtype is not dt or p.dtype is not dt
                or o.flags.num & _OUT_FLAGS != _OUT_FLAGS
                or p.flags.num & _OUT_FLAGS != _OUT_FLAGS):
            return None
        if direct and arr.ndim == 1:  # the same shape (n,): same ndim, same size
            n = arr.size
            if o.ndim != 1 or p.ndim != 1 or o.size != n or p.size != n:
                return None
        elif o.shape != arr.shape or p.shape != arr.shape:
            return None
        if arr.base is not None and (np.may_share_memory(o, arr)
                                     or np.may_share_memory(p, arr)):
            return None
        if direct and arr.ndim == 1:
            ep(arr, o, p)
        else:
            ser(_storage(arr), _storage(o), _storage(p))
        return out
    (o,) = out
    if (type(o) is not np.ndarray or o.base is not None or o is arr or o.dtype is not dt
            or o.flags.num & _OUT_FLAGS != _OUT_FLAGS or o.shape != arr.shape):
        return None
    if arr.base is not None and np.may_share_memory(o, arr):
        return None
    if direct and arr.ndim == 1:
        ep(arr, o)
    else:
        ser(_storage(arr), _storage(o))
    return out


def _run_guarded(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """:func:`_run_numpy` with PyTorch's thread count restored (see :func:`run_numpy`)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return _run_numpy(*args, **kwargs)
    before = torch.get_num_threads()
    try:
        return _run_numpy(*args, **kwargs)
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def _run_numpy(act: Any, arr: np.ndarray, kernels: Sequence[Callable[..., Any]], fused: bool,
              out: Any, generic: Callable[..., tuple[Any, ...]]) -> tuple[Any, ...]:
    """Evaluate ``kernels`` on the NumPy array ``arr``: compiled when possible.

    ``generic(arr, kernels, fused)`` is the pure-NumPy evaluation, used when the
    compiled path is off or cannot handle the activation. ``out`` (None, an array,
    or a sequence of arrays) receives the results and is returned.
    """
    dt = arr.dtype
    sname = (_NAMES or _dtype_names()).get(dt)
    if sname is None and dt.kind == "V" and dt.name == "bfloat16":
        # non-native-byte-order bfloat16 (ml_dtypes): a native copy, like other floats
        arr = arr.astype(dt.newbyteorder("="))
        dt = arr.dtype
        sname = _NAMES.get(dt)
    if sname is not None:
        out_dtype = dt
    elif dt.kind in "biu":
        out_dtype = np.dtype(np.float64)
        sname = "float64"
    elif dt.kind == "f" and dt.name in _FLOATS:  # non-native byte order: native result
        out_dtype = dt.newbyteorder("=")
        sname = _NAMES.get(out_dtype)
    else:
        raise _bad_dtype(dt)
    n_out = 2 if fused else len(kernels)
    outs = None if out is None else _check_out(out, n_out, arr.shape, out_dtype, arr)
    entry = None
    if sname is not None and _state["enabled"] and (_state["numba"] or _numba()):
        entry = compiled_kernel(act, kernels, fused, sname)
    if outs is not None:
        # the loops and the pure-NumPy path write through plain ndarray views of the
        # caller's memory (np.matrix, memmap, masked arrays: their data); the caller's
        # own objects are returned
        users = outs
        outs = [o if type(o) is np.ndarray else np.asarray(o) for o in outs]
    if entry is None:  # the pure-NumPy path writes into outs itself
        res = generic(arr, kernels, fused, out=outs)
        return res if outs is None else tuple(users)
    src = arr
    if dt != out_dtype:
        src = arr.astype(out_dtype)
    if not src.flags.c_contiguous:
        src = np.ascontiguousarray(src)
    shape = arr.shape
    if outs is None:
        results = [np.empty(shape, out_dtype) for _ in range(n_out)]
        targets = results
    else:
        results = outs
        targets = outs
        for o in outs:
            if not o.flags.c_contiguous:  # write into a temporary, then copy over
                targets = [o if o.flags.c_contiguous else np.empty(shape, out_dtype)
                           for o in outs]
                break
    fn = entry.ser
    if src.size >= PARALLEL_THRESHOLD and plan(src.size) == "parallel":
        fn = entry.par
    args = [_storage(src), *[_storage(t) for t in targets]]
    parallel = fn is entry.par
    try:
        fn(*args)  # the first call compiles, or loads numba's cache files
    except Exception as err:
        # fn may be a cached loop even when another thread has switched the entry to
        # memory meanwhile: retry with the in-memory loops whenever they differ from fn
        entry.to_memory(err)  # numba could not read or write its cache files
        again = entry.par if parallel else entry.ser
        if again is fn:
            raise
        again(*args)
    if not parallel:
        entry.warm = True
        hot = getattr(act, "_hot", None)
        if hot is not None and src is arr and dt == out_dtype and (tuple(kernels), dt) not in hot:
            # (the serial loop itself: it has run, so it is compiled or loaded for good)
            hot[(tuple(kernels), dt)] = (entry.ser, entry_point(entry.ser, args), dt.itemsize != 2,
                                         n_out)
    if targets is not results:
        for o, t in zip(results, targets, strict=True):
            if o is not t:
                o[...] = t
    return tuple(results) if outs is None else tuple(users)
