"""Compiled, fused kernels behind the NumPy path (numba; optional).

For a NumPy input, :meth:`Activation._run <actfn.Activation>` calls :func:`run_numpy`.
It traces the registry kernels once per (activation, parameters, operation, dtype)
into scalar code (:mod:`._trace`), writes a small module with a serial and a
multi-threaded loop into the kernel cache directory and lets numba compile it with
``cache=True``, so a later process loads the machine code instead of compiling.

Each loop reads every input element once, converts it to float64, evaluates f (and
f′, …) in registers and stores each output rounded once to the input dtype: one
pass, no temporaries, branch-free selects. The elementary functions are the
vectorizable float64 polynomials of :mod:`._vmath` (exp, expm1, log1p, log: within
0.7–1.4 float64 ulp; tanh, erf, erfc, erfcx too below float64), libm's tanh and hypot
and SciPy's erf/erfc/erfcx for float64. Loops for float16/bfloat16/float32 may fuse
multiply-adds (``fastmath={"contract"}``, nothing else); float64 loops are strict IEEE.
The oracle tests (tests/test_accuracy.py) measure this path and the NumPy one.

Switches: the environment variable ``ACTFN_DISABLE_NUMBA=1`` (read at import) or
:func:`set_enabled` select the pure-NumPy path, which is also used where numba is not
installed or a kernel cannot be traced. ``ACTFN_CACHE_DIR`` moves the kernel cache.
Arrays with at least :data:`PARALLEL_THRESHOLD` elements use numba's threads
(``numba.set_num_threads`` limits them); smaller ones run on the calling thread, and so
does everything in a child process created by ``fork()`` (numba's thread pools do not
survive it). Integer/bool inputs are converted to float64 first and non-contiguous
ones copied; outputs are C-ordered (``out=`` may be any layout).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _trace

__all__ = [
    "PARALLEL_THRESHOLD",
    "available",
    "enabled",
    "set_enabled",
    "disabled",
    "run_numpy",
    "plan",
    "cache_dir",
    "compiled_kernel",
]

#: Arrays with at least this many elements run multi-threaded.
PARALLEL_THRESHOLD = 1 << 16

_ENV_DISABLE = "ACTFN_DISABLE_NUMBA"
_FLOATS = ("float16", "bfloat16", "float32", "float64")
_lock = threading.RLock()
_state: dict[str, Any] = {
    "enabled": os.environ.get(_ENV_DISABLE, "").strip().lower() not in ("1", "true", "yes", "on"),
    "numba": None,  # None: not probed yet; False: unavailable; else the module
    "forked": False,  # True in a child created by fork(): serial loops only
}
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


def enabled() -> bool:
    """True when NumPy inputs go through the compiled path (see :func:`available`)."""
    return available()


def set_enabled(flag: bool) -> None:
    """Turn the compiled path on or off for this process (tests, benchmarks)."""
    _state["enabled"] = bool(flag)


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Context manager: use the pure-NumPy path inside the block."""
    old = _state["enabled"]
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = old


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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# -- kernel cache -------------------------------------------------------------------------
def _version_tag() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in ("_vmath.py", "_trace.py"):
        h.update((here / name).read_bytes())
    nb = _numba()
    h.update(str(getattr(nb, "__version__", "")).encode())
    h.update(np.__version__.encode())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    """Directory of the generated kernel modules (numba caches next to them)."""
    base = os.environ.get("ACTFN_CACHE_DIR")
    if base:
        root = Path(base)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg) if xdg else Path.home() / ".cache") / "actfn"
    d = root / f"kernels-{_version_tag()}"
    try:
        d.mkdir(parents=True, exist_ok=True)
        probe = d / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError:
        d = Path(tempfile.gettempdir()) / f"actfn-kernels-{os.getuid()}-{_version_tag()}"
        d.mkdir(parents=True, exist_ok=True)
    return d


def _load_module(source: str) -> Any:
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    modname = f"actfn_kernel_{digest}"
    if modname in sys.modules:
        return sys.modules[modname]
    path = cache_dir() / f"{modname}.py"
    if not path.exists():
        tmp = path.with_name(f".{modname}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(source)
        try:
            os.link(tmp, path)  # atomic, never replaces (keeps numba's cache valid)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    spec = importlib.util.spec_from_file_location(modname, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    spec.loader.exec_module(module)
    return module


class _Compiled:
    __slots__ = ("ser", "par", "n_out", "source")

    def __init__(self, module: Any, n_out: int, source: str) -> None:
        self.ser = module.ser
        self.par = module.par
        self.n_out = n_out
        self.source = source


def _params_key(params: dict[str, Any]) -> tuple[Any, ...] | None:
    items = []
    for k, v in sorted(params.items()):
        if isinstance(v, tuple):
            if len(v) != 1:
                return None  # per-channel vector parameter: NumPy path
            v = v[0]
        items.append((k, v))
    return tuple(items)


def compiled_kernel(act: Any, kernels: Sequence[Callable[..., Any]], fused: bool,
                    dtype: str) -> _Compiled | None:
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
                     dtype: str) -> _Compiled | None:
    spec = act.spec
    pkey = _params_key(act._params)
    if pkey is None:
        return None
    key = (id(spec), pkey, tuple(kernels), fused, dtype)
    hit = _KERNELS.get(key, _KERNELS)
    if hit is not _KERNELS:
        return hit[1]  # type: ignore[no-any-return]
    with _lock:
        hit = _KERNELS.get(key, _KERNELS)
        if hit is not _KERNELS:
            return hit[1]  # type: ignore[no-any-return]
        entry: _Compiled | None
        try:
            params = dict(pkey)
            if spec.needs_special:
                params["special"] = None
            prog = _trace.trace(kernels, fused, params, "a" if dtype == "float64" else "v")
            title = f"{act!r}, {'+'.join(getattr(k, '__name__', 'k') for k in kernels)}, {dtype}"
            src = _trace.loop_source(prog, dtype, title)
            entry = _Compiled(_load_module(src), len(prog.outputs), src)
        except _trace.TraceError:
            entry = None
        # keep the spec alive with its entry so that id(spec) is never reused
        _KERNELS[key] = (spec, entry)
        return entry


# -- the NumPy hook -------------------------------------------------------------------------
def _bad_dtype(dt: Any) -> TypeError:
    from .._backend import _bad_dtype as bad

    return bad(dt)


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
    src_owns = src.base is None
    for j, o in enumerate(outs):
        # the common case in a few cheap comparisons; details only to explain an error
        if not (type(o) is np.ndarray and o.dtype == dtype and o.shape == shape
                and o.flags.writeable):
            _explain_bad_out(o, "out" if n == 1 else f"out[{j}]", shape, dtype)
        # two different arrays that own their memory are separate allocations
        if o is src or not (src_owns and o.base is None) and np.may_share_memory(o, src):
            raise ValueError(f"{'out' if n == 1 else f'out[{j}]'} overlaps the input: "
                             "actfn never writes to its input")
    if n == 2 and _may_overlap(outs[0], outs[1]):
        raise ValueError("out[0] and out[1] overlap")
    return outs


def _may_overlap(a: np.ndarray, b: np.ndarray) -> bool:
    # Two different arrays that each own their memory are separate allocations (the
    # common case, checked without NumPy's bounds computation); views are checked.
    if a is b:
        return True
    if a.base is None and b.base is None:
        return False
    return bool(np.may_share_memory(a, b))


def _explain_bad_out(o: Any, what: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    if not isinstance(o, np.ndarray):
        raise TypeError(f"{what} must be a NumPy array, got {type(o).__name__}")
    if o.dtype != dtype:
        raise TypeError(
            f"{what} has dtype {o.dtype.name} but the result has dtype {dtype.name} "
            "(the input's floating dtype; integers and bool give float64)"
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


def run_numpy(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """:func:`_run_numpy`, leaving PyTorch's thread count as it was.

    Compiling or starting numba's OpenMP thread pool calls ``omp_set_num_threads`` in
    the OpenMP runtime that PyTorch shares, so a user's ``torch.set_num_threads(1)``
    would silently become numba's count. When torch is loaded, restore it.
    """
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
    if sname is not None:
        out_dtype = dt
    elif dt.kind in "biu":
        out_dtype = np.dtype(np.float64)
        sname = "float64"
    elif dt.kind == "f" and dt.name in _FLOATS:  # non-native byte order
        out_dtype = dt
    else:
        raise _bad_dtype(dt)
    n_out = 2 if fused else len(kernels)
    outs = None if out is None else _check_out(out, n_out, arr.shape, out_dtype, arr)
    entry = None
    if sname is not None and _state["enabled"] and (_state["numba"] or _numba()):
        entry = compiled_kernel(act, kernels, fused, sname)
    if entry is None:
        res = generic(arr, kernels, fused)
        if outs is None:
            return res  # type: ignore[no-any-return]
        for o, r in zip(outs, res, strict=True):
            np.copyto(o, r, casting="no")
        return tuple(outs)
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
    fn(_storage(src), *[_storage(t) for t in targets])
    if targets is not results:
        for o, t in zip(results, targets, strict=True):
            if o is not t:
                o[...] = t
    return tuple(results)
