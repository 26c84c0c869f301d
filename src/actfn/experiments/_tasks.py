"""The audit as independent tasks: planning, a result cache keyed by task, and execution
in this process or on a Dask distributed cluster.

A task is one part of one experiment (a data set × activation, a configuration, a
training-set size ...) for one batch of seeds; the learning-rate sweep and each seed's
split run inside it, batched. Its key names the experiment, part and seeds and ends with
a hash of everything that determines its result (plan version, sizes, seeds, actfn's
version, the experiment's code), so a cached result is reused only by an identical task. Results are cached as JSON files in
``<report>/.actfn-cache/`` as they arrive: an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Task", "plan_tasks", "run_task", "timed_task", "execute", "assemble", "ANALYTIC",
           "CACHE_DIR", "SEEDED", "MissingExtra", "needs_torch", "check_scheduler",
           "code_hash"]

#: Experiments computed exactly (NumPy/SciPy): one task each.
ANALYTIC = ("selu-fixed-point", "self-normalization", "vanishing-gradients", "zero-centred",
            "smoothness", "approximations")
#: Exact experiments on random networks: one network per seed of the run, so their task
#: carries the run's seeds (``--seeds``/``--seed-start`` change them).
SEEDED = ("self-normalization", "vanishing-gradients")
#: Folder of cached task results inside a report folder.
CACHE_DIR = ".actfn-cache"


#: The modules whose code computes each kind of experiment (beside this one): their source
#: is hashed into every task key, so a cached result of older code is never reused.
_CODE: dict[str, tuple[str, ...]] = {
    "selu-fixed-point": ("_selu.py",), "self-normalization": ("_depth.py",),
    "vanishing-gradients": ("_depth.py",), "zero-centred": ("_moments.py",),
    "smoothness": ("_shape.py",), "approximations": ("_shape.py",), "cost": ("_cost.py",),
    "gated-ffn": ("_train.py", "_batched.py", "_ffn.py"),
}
_TRAIN_CODE = ("_train.py", "_batched.py")


@functools.cache
def code_hash(experiment: str) -> str:
    """SHA-256 (16 hex digits) of actfn's version and the source of the modules that
    compute ``experiment`` (and of this task runner): part of every task key."""
    from .. import __version__

    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    for name in ("_tasks.py", *_CODE.get(experiment, _TRAIN_CODE)):
        h.update(name.encode())
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


class MissingExtra(RuntimeError):
    """An experiment needs packages that are not installed (message names the extra)."""


@dataclass(frozen=True)
class Task:
    """One unit of work; ``config`` is the experiment's JSON-able configuration."""

    experiment: str
    part: str
    seeds: tuple[int, ...]
    config: Mapping[str, Any]
    version: int = 0

    @property
    def key(self) -> str:
        """``experiment/part/seeds/hash``: stable across processes and machines; the hash
        covers the plan version, the experiment's plan entry (``config``), the seeds, actfn's
        version and the experiment's code (:func:`code_hash`)."""
        blob = json.dumps({"v": self.version, "e": self.experiment, "p": self.part,
                           "s": list(self.seeds), "c": self.config,
                           "code": code_hash(self.experiment)}, sort_keys=True)
        h = hashlib.sha256(blob.encode()).hexdigest()[:16]
        s = f"s{self.seeds[0]}-{self.seeds[-1]}" if self.seeds else "exact"
        return f"{self.experiment}/{self.part or 'all'}/{s}/{h}"

    @property
    def filename(self) -> str:
        return self.key.replace("/", "__").replace("@", "-").replace("+", "-") + ".json"

    def as_dict(self) -> dict[str, Any]:
        return {"experiment": self.experiment, "part": self.part, "seeds": list(self.seeds),
                "config": dict(self.config), "version": self.version}


def needs_torch(experiments: Iterable[str]) -> list[str]:
    """The experiments among ``experiments`` that train networks (PyTorch, scikit-learn)."""
    from ._train import TRAIN_EXPERIMENTS

    return [e for e in experiments if e in TRAIN_EXPERIMENTS]


def check_extras(experiments: Iterable[str]) -> None:
    """Raise :class:`MissingExtra` when a training experiment lacks its packages."""
    import importlib.util

    need = needs_torch(experiments)
    if not need:
        return
    def has(mod: str) -> bool:
        try:
            return importlib.util.find_spec(mod) is not None
        except (ImportError, ValueError):  # a module blocked in sys.modules
            return False

    missing = [m for m in ("torch", "sklearn", "statsmodels") if not has(m)]
    if missing:
        raise MissingExtra(
            f"{', '.join(need)} need{'s' if len(need) == 1 else ''} {', '.join(missing)}: "
            "install the claims extra (pip install 'actfn[claims]') or pick claims that "
            "need only NumPy/SciPy")


def plan_tasks(experiments: Sequence[str], plan: Mapping[str, Any]) -> list[Task]:
    """Every task of ``experiments`` under ``plan`` (see :func:`._claims.plan`)."""
    from ._train import PARTS, TRAIN_EXPERIMENTS

    seeds = list(plan["seeds"])
    b = plan["seed_batch"]
    own = plan.get("experiment_seeds", {})
    out: list[Task] = []
    v = plan["version"]
    for e in experiments:
        cfg = plan["experiments"].get(e, {})
        mine = list(own.get(e, seeds))  # the experiment's pre-registered seed count
        batches = [tuple(mine[i:i + b]) for i in range(0, len(mine), b)]
        if e in ANALYTIC:
            # exact computations run at full size even in a quick run (seconds), so
            # their verdicts never differ between quick and full
            out.append(Task(e, "", tuple(seeds) if e in SEEDED else (), {"quick": False}, v))
        elif e == "cost":
            if not cfg.get("skip"):
                out += [Task(e, p, (), cfg, v) for p in ("instructions", "timing")]
        elif e in TRAIN_EXPERIMENTS:
            out += [Task(e, p, s, cfg, v) for p in PARTS(e, cfg) for s in batches]
        else:  # pragma: no cover
            raise KeyError(e)
    return out


def run_task(task: Mapping[str, Any]) -> dict[str, Any]:
    """Compute one task (a :meth:`Task.as_dict`); pure apart from its own randomness,
    which is seeded. Importable at top level, so Dask workers can run it."""
    try:  # one BLAS thread: a task is one core's work (many BLAS threads thrash a shared box)
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        limits: Any = contextlib.nullcontext()
    else:
        limits = threadpool_limits(1)
    with limits:
        return _run_task(task)


def timed_task(task: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
    """``(run_task(task), seconds it took)`` (the seconds are cached with the result)."""
    import time

    t0 = time.perf_counter()
    res = run_task(task)
    return res, time.perf_counter() - t0


def _run_task(task: Mapping[str, Any]) -> dict[str, Any]:
    e, part, cfg = task["experiment"], task["part"], task["config"]
    if e in ANALYTIC:
        from ._report import ANALYTIC_RUN

        if e in SEEDED:
            return ANALYTIC_RUN[e](quick=cfg["quick"], seeds=list(task["seeds"]))
        return ANALYTIC_RUN[e](quick=cfg["quick"])
    if e == "cost":
        from ._cost import run_part

        return run_part(part, cfg)
    from ._train import run_part as train_part

    return train_part(e, part, task["seeds"], cfg)


def _cache_path(cache: Path | None, t: Task) -> Path | None:
    return None if cache is None else cache / t.filename


def _json_default(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):
        return str(o)
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)


def load_cached(cache: Path | None, t: Task) -> tuple[dict[str, Any], float] | None:
    """``(result, seconds)`` of ``t`` from the cache, or None (absent or another task's)."""
    path = _cache_path(cache, t)
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != t.key:
        return None
    return data["result"], float(data.get("seconds", 0.0))


def store(cache: Path | None, t: Task, result: Mapping[str, Any], seconds: float = 0.0) -> None:
    from ._core import atomic_write_text

    path = _cache_path(cache, t)
    if path is not None:
        atomic_write_text(path, json.dumps({"key": t.key, "seconds": seconds, "result": result},
                                           default=_json_default))


def check_scheduler(scheduler: str | None) -> None:
    """Raise :class:`MissingExtra` (one line naming the extra) when ``scheduler`` asks
    for Dask and ``distributed`` cannot be imported; ``None`` needs nothing."""
    if scheduler is None:
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise MissingExtra(f"--scheduler {scheduler} needs dask.distributed: install the "
                           "claims extra (pip install 'actfn[claims]')") from None


@contextlib.contextmanager
def _client(scheduler: str, workers: int) -> Any:
    """A Dask client: ``local`` starts a LocalCluster of ``workers`` single-threaded
    processes; anything else is a scheduler address (``tcp://host:8786``)."""
    check_scheduler(scheduler)
    from .._dask import client

    with client(scheduler, workers) as c:
        yield c


def execute(tasks: Sequence[Task], *, cache: Path | None = None, scheduler: str | None = None,
            workers: int = 2,
            on_done: Callable[[Task, int, int, bool], None] | None = None,
            seconds: dict[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """Results of ``tasks`` by key: cached ones are read, the rest computed here in order
    (``scheduler=None``) or on a Dask cluster, and cached as they finish.
    ``on_done(task, done, total, cached)`` reports progress; ``seconds`` (if given) is
    filled with each task's compute time, cached ones included."""
    check_scheduler(scheduler)  # before any work: one line naming the extra
    results: dict[str, dict[str, Any]] = {}
    secs = seconds if seconds is not None else {}
    pending: list[Task] = []
    done = 0
    for t in tasks:
        hit = load_cached(cache, t)
        if hit is not None:
            results[t.key], secs[t.key] = hit
            done += 1
            if on_done:
                on_done(t, done, len(tasks), True)
        else:
            pending.append(t)
    if not pending:
        return results

    def finish(t: Task, res: dict[str, Any], took: float) -> None:
        nonlocal done
        store(cache, t, res, took)
        results[t.key], secs[t.key] = res, took
        done += 1
        if on_done:
            on_done(t, done, len(tasks), False)

    if scheduler is None:
        for t in pending:
            finish(t, *timed_task(t.as_dict()))
        return results
    with _client(scheduler, workers) as client:
        from distributed import as_completed

        futures = {client.submit(timed_task, t.as_dict(), key=t.key.replace("/", "|"),
                                 pure=False): t for t in pending}
        for fut in as_completed(futures):
            finish(futures[fut], *fut.result())
    return results


def assemble(tasks: Sequence[Task], results: Mapping[str, Mapping[str, Any]],
             plan: Mapping[str, Any]) -> dict[str, Any]:
    """Experiment id → data, merging the tasks of each experiment."""
    from . import _cost, _train

    by_exp: dict[str, list[Task]] = {}
    for t in tasks:
        by_exp.setdefault(t.experiment, []).append(t)
    out: dict[str, Any] = {}
    for e, ts in by_exp.items():
        if e in ANALYTIC:
            out[e] = results[ts[0].key]
        elif e == "cost":
            out[e] = _cost.merge(ts[0].config, {t.part: results[t.key] for t in ts})
        else:
            pieces: dict[str, list[tuple[Sequence[int], dict[str, Any]]]] = {}
            for t in ts:
                pieces.setdefault(t.part, []).append((t.seeds, dict(results[t.key])))
            out[e] = _train.merge(e, ts[0].config, pieces)
    for e, cfg in plan["experiments"].items():
        if e == "cost" and cfg.get("skip") and e not in out and "cost" in plan.get("needed", ()):
            out[e] = {"skipped": "quick"}
    return out
