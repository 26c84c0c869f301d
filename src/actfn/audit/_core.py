"""Running an audit: plan the jobs, run each library in its own process, grade.

Standard mode sends every (activation, parameters, dtype) of one library to one worker
process; ``exhaustive`` float32 splits the 2³² bit patterns into chunks, each a task
``(library, activation, parameters, chunk)`` whose result (a :mod:`._stats` partial per
order) is cached per user as it finishes, so an interrupted run resumes; tasks run here
in order or on a Dask distributed cluster (``scheduler="local"`` starts a
``LocalCluster``, anything else is a scheduler address).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _stats, _truth

__all__ = ["LIBRARIES", "check_library", "check_plugin", "param_sets", "run", "cache_dir",
           "SPECIALS", "CHUNK", "TIMEOUT"]

#: Built-in libraries (besides ``module:function`` plugins).
LIBRARIES = ("torch", "torch-compile", "jax", "jax-x64", "keras-jax", "keras-torch",
             "keras-tensorflow", "tensorflow", "numpy-naive", "actfn")
#: Inputs whose values the report lists.
SPECIALS = (("+0", 0.0), ("-0", -0.0), ("+inf", np.inf), ("-inf", -np.inf), ("nan", np.nan))
#: float32 bit patterns per exhaustive chunk (small enough that progress shows within
#: seconds: 1024 chunks per function).
CHUNK = 1 << 22
#: Bumped when the statistics change, so older cached chunks are not reused.
_CACHE_VERSION = "2"
#: Default seconds one library's worker process may run (one batch of standard points,
#: or one exhaustive chunk) before it is stopped and its records carry the timeout.
TIMEOUT = 900.0


def check_library(library: str) -> str:
    """``library`` if known (``keras`` means ``keras-<KERAS_BACKEND or jax>``), else
    ``ValueError`` listing the valid ones."""
    if library == "keras":
        return f"keras-{os.environ.get('KERAS_BACKEND', 'jax')}"
    if library in LIBRARIES:
        return library
    mod, sep, attr = library.partition(":")
    if sep and mod and attr and all(p.isidentifier() for p in mod.split(".") + attr.split(".")):
        return library
    raise ValueError(f"unknown library {library!r}; valid: {', '.join(LIBRARIES)}, keras "
                     "or module:function")


def check_plugin(library: str, timeout: float = 60.0) -> None:
    """Import a ``module:function`` plugin in a separate process (as the audit will) and
    raise ``ValueError`` with one line if the module cannot be imported, lacks the
    attribute or it is not callable."""
    code = ("import sys\nfrom actfn.audit._adapters import _plugin\n"
            "try:\n    _plugin(sys.argv[1])\n"
            "except BaseException as exc:\n"
            "    print(f'{type(exc).__name__}: {exc}'.splitlines()[0][:200]); sys.exit(3)\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code, library], env=_child_env(library),
                              capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ValueError(f"plugin {library!r}: importing it took over {timeout:g} s"
                         ) from None
    if proc.returncode != 0:
        why = (proc.stdout.strip().splitlines() or proc.stderr.strip().splitlines()
               or [f"exit {proc.returncode}"])[-1]
        raise ValueError(f"plugin {library!r} cannot be used: {why}")


def param_sets(name: str) -> list[dict[str, Any]]:
    """The parameter sets audited for ``name``: the defaults and the spec's ``cases``."""
    import actfn

    spec = actfn.lookup(name)
    out: list[dict[str, Any]] = [{}]
    for c in spec.cases:
        if dict(c) not in out:
            out.append(dict(c))
    return out


def cache_dir() -> Path:
    """Per-user cache of exhaustive chunks (``platformdirs.user_cache_dir``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("actfn", appauthor=False)) / "audit"


# -- the worker process ----------------------------------------------------------------------
def _child_env(library: str) -> dict[str, str]:
    from ._adapters import environment

    env = dict(os.environ)
    env.update(environment(library))
    src = str(Path(__file__).resolve().parents[2])
    paths = [src, os.getcwd(), *[p for p in sys.path if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def run_library(library: str, jobs: list[tuple[str, str, dict[str, Any], tuple[int, ...],
                                                 np.ndarray]], timeout: float | None = TIMEOUT
                ) -> dict[str, Any]:
    """Evaluate ``jobs`` in a fresh worker process of ``library`` (see ``._worker``);
    a crash of the process, or running past ``timeout`` seconds (then it is killed),
    gives every job the error text."""
    with tempfile.TemporaryDirectory(prefix="actfn-audit-") as tmp:
        jp, op = Path(tmp, "job.pkl"), Path(tmp, "out.pkl")
        with open(jp, "wb") as fh:
            pickle.dump({"library": library, "jobs": jobs}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            proc = subprocess.run([sys.executable, "-m", "actfn.audit._worker", str(jp),
                                   str(op)], env=_child_env(library), capture_output=True,
                                  text=True, check=False, timeout=timeout)
        except subprocess.TimeoutExpired:
            err = f"{library} worker process timed out after {timeout:g} s (--timeout)"
            return {"version": "", "results": {j[0]: dict.fromkeys(j[3], err) for j in jobs}}
        if proc.returncode != 0 or not op.exists():
            tail = (proc.stderr.strip().splitlines() or [""])[-1][:200]
            err = f"{library} worker process failed (exit {proc.returncode}): {tail}"
            return {"version": "", "results": {j[0]: dict.fromkeys(j[3], err) for j in jobs}}
        with open(op, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - written by our own worker


# -- grading ---------------------------------------------------------------------------------
def _key(name: str, params: Mapping[str, Any], dtype: str) -> str:
    return json.dumps([name, dict(params), dtype], sort_keys=True)


def _with_specials(x: np.ndarray) -> np.ndarray:
    sp = np.array([v for _, v in SPECIALS], dtype=np.float64).astype(x.dtype)
    return np.concatenate([x, sp])


def _grade(name: str, params: dict[str, Any], order: int, x: np.ndarray, got: Any
           ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(partial statistics over ``x``, extras: specials and output dtype) of ``got``
    (values at ``x`` followed by the specials)."""
    n = x.size
    got = np.asarray(got)
    if got.shape != (n + len(SPECIALS),):
        raise _BadOutput(f"returned shape {got.shape} for input shape {(n + len(SPECIALS),)}")
    if got.dtype.kind not in "fV" and got.dtype.name != "bfloat16":
        raise _BadOutput(f"returned dtype {got.dtype.name}, not a float")
    out_dtype = got.dtype.name
    with np.errstate(all="ignore"):
        g = np.asarray(got).astype(x.dtype)
    xs = _with_specials(x)
    ref, undecided = _truth.values(name, xs, order, params)
    keep = ~undecided[:n]
    part = _stats.partial(x[keep], g[:n][keep], ref[:n][keep], (float(ref[n]), float(ref[n + 1])))
    part["undecided"] = int(n - keep.sum())
    specials = {label: [_stats.fmt(g[n + i]), _stats.fmt(ref[n + i])]
                for i, (label, _) in enumerate(SPECIALS)}
    return part, {"specials": specials, "out_dtype": out_dtype}


class _BadOutput(ValueError):
    """A library returned values of the wrong shape or kind (reported on its record)."""


def _record(library: str, version: str, name: str, params: dict[str, Any], dtype: str,
            order: int, exhaustive: bool) -> dict[str, Any]:
    return {"library": library, "version": version, "name": name, "params": params,
            "dtype": dtype, "order": order, "exhaustive": exhaustive, "error": None}


def _empty() -> dict[str, Any]:
    return {"points": 0, "compared": 0, "max_ulp": None, "max_ulp_finite": None,
            "p999_ulp": None, "max_mixed": None,
            "nonfinite": None, "nan_lost": None, "flushed": None, "undecided": 0,
            "worst_x": [], "worst": [], "nonfinite_worst": [],
            "specials": {}, "out_dtype": None}


# -- exhaustive chunks -----------------------------------------------------------------------
def _dist_versions(library: str) -> dict[str, str]:
    """Installed versions of the distributions ``library`` runs on (part of a chunk's
    cache key, so an upgraded framework is graded again)."""
    from importlib import metadata

    dists = {"torch": ("torch",), "torch-compile": ("torch",), "jax": ("jax", "jaxlib"),
             "jax-x64": ("jax", "jaxlib"), "tensorflow": ("tensorflow", "keras"),
             "numpy-naive": ("numpy", "scipy")}.get(library, ())
    if library.startswith("keras-"):
        dists = ("keras", {"jax": "jax", "torch": "torch"}.get(library[6:], "tensorflow"))
    out = {}
    for d in (*dists, "numpy", "python-flint"):
        try:
            out[d] = metadata.version(d)
        except metadata.PackageNotFoundError:
            out[d] = ""
    return out


def _chunk_key(task: Mapping[str, Any]) -> str:
    import actfn

    blob = json.dumps({**task, "actfn": actfn.__version__, "v": _CACHE_VERSION,
                       "python": sys.version.split()[0],
                       "dists": _dist_versions(task["library"])}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def chunk_task(task: Mapping[str, Any]) -> dict[str, Any]:
    """Grade one exhaustive chunk: ``{"version", "parts": {order: partial},
    "extras": {order: ...}, "errors": {order: text}}`` (runs on a Dask worker too)."""
    x = _truth.chunk(task["start"], task["stop"])
    orders = tuple(task["orders"])
    res = run_library(task["library"], [("c", task["name"], task["params"], orders,
                                         _with_specials(x))],
                      timeout=task.get("timeout", TIMEOUT))
    out: dict[str, Any] = {"version": res["version"], "parts": {}, "extras": {}, "errors": {}}
    for k in orders:
        got = res["results"]["c"][k]
        if isinstance(got, str):
            out["errors"][str(k)] = got
        else:
            try:
                part, extra = _grade(task["name"], task["params"], k, x, got)
            except _BadOutput as exc:
                out["errors"][str(k)] = str(exc)
                continue
            out["parts"][str(k)], out["extras"][str(k)] = part, extra
    return out


def _load(path: Path, key: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return data.get("result")


def _store(path: Path, key: str, result: Mapping[str, Any]) -> None:
    from .._safe_io import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    # a chunk in the private, verified cache folder: ownership is the folder's, no mark
    atomic_write_text(path, json.dumps({"key": key, "result": result}), require_mark=False)


@contextlib.contextmanager
def _client(scheduler: str, workers: int) -> Iterator[Any]:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ValueError(f"--scheduler {scheduler} needs dask.distributed "
                         "(pip install 'dask[distributed]')") from None
    from .._dask import client

    with client(scheduler, workers) as c:
        yield c


def _run_chunks(tasks: list[dict[str, Any]], *, cache: Path | None, scheduler: str | None,
                workers: int, on_chunk: Callable[[int, int, bool], None] | None
                ) -> list[dict[str, Any]]:
    results: list[dict[str, Any] | None] = [None] * len(tasks)
    keys = [_chunk_key(t) for t in tasks]
    pending: list[int] = []
    done = 0
    for i, k in enumerate(keys):
        hit = _load(cache / f"{k}.json", k) if cache is not None else None
        if hit is not None:
            results[i] = hit
            done += 1
            if on_chunk:
                on_chunk(done, len(tasks), True)
        else:
            pending.append(i)

    if on_chunk and pending:  # shows at once that the run started, before a chunk ends
        on_chunk(done, len(tasks), False)

    def finish(i: int, res: dict[str, Any]) -> None:
        nonlocal done
        if cache is not None:
            _store(cache / f"{keys[i]}.json", keys[i], res)
        results[i] = res
        done += 1
        if on_chunk:
            on_chunk(done, len(tasks), False)

    if scheduler is None:
        for i in pending:
            finish(i, chunk_task(tasks[i]))
    elif pending:
        with _client(scheduler, workers) as client:
            from distributed import as_completed

            futs = {client.submit(chunk_task, tasks[i], key=f"actfn-audit-{keys[i]}",
                                  pure=False): i for i in pending}
            for fut in as_completed(futs):
                finish(futs[fut], fut.result())
    return [r for r in results if r is not None]


# -- the audit -------------------------------------------------------------------------------
def run(library: str, names: Sequence[str] | None = None, *,
        dtypes: Sequence[str] = ("float16", "bfloat16", "float32", "float64"),
        orders: Sequence[int] = (0, 1, 2), exhaustive: bool = False,
        scheduler: str | None = None, workers: int = 2, chunk: int = CHUNK,
        chunk_range: tuple[int, int] | None = None, cache: Path | None | bool = True,
        on_chunk: Callable[[int, int, bool], None] | None = None,
        points: Mapping[str, Any] | None = None,
        timeout: float | None = TIMEOUT) -> list[dict[str, Any]]:
    """Grade ``library`` on ``names`` (default: every registered activation) and return
    one record per activation × parameters × dtype × order.

    ``exhaustive`` grades float32 on all 2³² inputs (``chunk_range=(start, stop)``
    restricts the bit patterns, for tests and partial runs), in chunks of ``chunk``
    cached in ``cache`` (``True``: :func:`cache_dir`; ``None``/``False``: no cache).
    ``points`` maps a dtype name to the inputs to use instead of the standard ones
    (e.g. a range where a defect is suspected); ``on_chunk(done, total, cached)``
    reports the progress of an exhaustive run. ``timeout`` bounds each worker process
    (seconds; ``None``: no bound); a plugin is imported once first (``ValueError``
    if that fails). Repeated names, dtypes and orders are graded once.
    """
    import actfn

    library = check_library(library)
    if library not in LIBRARIES:
        check_plugin(library)
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    names = list(dict.fromkeys(names)) if names else actfn.names()
    for n in names:
        try:
            actfn.lookup(n)
        except (KeyError, ValueError) as exc:
            raise ValueError(str(exc.args[0]) if exc.args else f"unknown activation {n!r}"
                             ) from None
    names = list(dict.fromkeys(actfn.lookup(n).name for n in names))
    dtypes = list(dict.fromkeys(dtypes))
    for d in dtypes:
        _truth.np_dtype(d)
    orders = tuple(sorted(set(orders)))
    if not orders or any(k not in (0, 1, 2) for k in orders):
        raise ValueError(f"derivative orders must be among 0, 1, 2, got {list(orders)}")
    if not exhaustive and scheduler is not None:
        raise ValueError("--scheduler needs --exhaustive (the standard points run here)")
    cdir = cache_dir() if cache is True else (cache or None)
    combos = [(n, p) for n in names for p in param_sets(n)]
    std_dtypes = [d for d in dtypes if not (exhaustive and d == "float32")]
    for d in points or {}:
        if d not in dtypes:
            raise ValueError(f"points given for {d!r}, which is not among the dtypes audited")
    records: list[dict[str, Any]] = []
    if std_dtypes:
        jobs, xs = [], {}
        for n, p in combos:
            for d in std_dtypes:
                x = (np.asarray(points[d], dtype=_truth.np_dtype(d)).ravel()
                     if points and d in points else _truth.points(d, n, p))
                xs[_key(n, p, d)] = x
                jobs.append((_key(n, p, d), n, p, orders, _with_specials(x)))
        res = run_library(library, jobs, timeout=timeout)
        for n, p in combos:
            for d in std_dtypes:
                key = _key(n, p, d)
                for k in orders:
                    rec = _record(library, res["version"], n, p, d, k,
                                  d in ("float16", "bfloat16") and not (points and d in points))
                    got = res["results"][key][k]
                    if isinstance(got, str):
                        records.append({**rec, **_empty(), "error": got})
                        continue
                    try:
                        part, extra = _grade(n, p, k, xs[key], got)
                    except _BadOutput as exc:
                        records.append({**rec, **_empty(), "error": str(exc)})
                        continue
                    records.append({**rec, **_stats.finish(part), **extra})
    if exhaustive and "float32" in dtypes:
        lo, hi = chunk_range or (0, 1 << 32)
        tasks = [{"library": library, "name": n, "params": p, "orders": list(orders),
                  "start": s, "stop": min(s + chunk, hi),
                  **({} if timeout == TIMEOUT else {"timeout": timeout})}
                 for n, p in combos for s in range(lo, hi, chunk)]
        results = _run_chunks(tasks, cache=cdir, scheduler=scheduler, workers=workers,
                              on_chunk=on_chunk)
        for n, p in combos:
            mine = [r for t, r in zip(tasks, results, strict=True)
                    if t["name"] == n and t["params"] == p]
            version = next((r["version"] for r in mine if r["version"]), "")
            for k in orders:
                rec = _record(library, version, n, p, "float32", k, True)
                errs = [r["errors"][str(k)] for r in mine if str(k) in r["errors"]]
                parts = [r["parts"][str(k)] for r in mine if str(k) in r["parts"]]
                if errs and not parts:
                    records.append({**rec, **_empty(), "error": errs[0]})
                    continue
                extra = next(r["extras"][str(k)] for r in mine if str(k) in r["extras"])
                records.append({**rec, **_stats.finish(_stats.merge(parts)), **extra,
                                "error": errs[0] if errs else None})
    return records
