"""The worker process of one library: ``python -m actfn.audit._worker JOB OUT``.

``JOB`` is a pickle written by the audit (this user's temporary folder): the library
and a list of ``(key, name, params, orders, x)``; ``OUT`` receives a pickle
``{"version": str, "results": {key: {order: ndarray | "error text"}}}``. Every job is
evaluated in a ``try``: an activation the library lacks becomes ``"not provided: …"``,
any other exception its one-line message; only a crash of the whole process (a
segfault, the out-of-memory killer) loses the batch, and the parent reports that.
"""

from __future__ import annotations

import pickle
import sys
import warnings
from typing import Any

__all__ = ["main", "run_jobs"]


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def run_jobs(library: str, jobs: list[tuple[str, str, dict[str, Any], tuple[int, ...], Any]]
             ) -> dict[str, Any]:
    """Evaluate ``jobs`` with ``library`` here (the worker's body)."""
    from ._adapters import NotProvided, evaluate, library_version

    warnings.filterwarnings("ignore")
    results: dict[str, dict[int, Any]] = {}
    try:
        version = library_version(library)
    except Exception as exc:  # noqa: BLE001 - the library cannot be imported
        version = ""
        err = f"cannot import: {_line(exc)}"
        return {"version": version, "results": {j[0]: dict.fromkeys(j[3], err) for j in jobs}}
    for key, name, params, orders, x in jobs:
        try:
            got = evaluate(library, name, params, x, orders)
            res: dict[int, Any] = {}
            for k in orders:
                v = got.get(k)
                if isinstance(v, NotProvided):
                    res[k] = f"not provided: {v}"
                elif isinstance(v, BaseException):
                    res[k] = _line(v)
                else:
                    res[k] = v
        except NotProvided as exc:
            res = dict.fromkeys(orders, f"not provided: {exc}")
        except Exception as exc:  # noqa: BLE001 - reported per activation
            res = dict.fromkeys(orders, _line(exc))
        results[key] = res
    return {"version": version, "results": results}


def main(argv: list[str] | None = None) -> int:
    """Read the job pickle, evaluate, write the result pickle."""
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], "rb") as fh:
        job = pickle.load(fh)  # noqa: S301 - written by the parent audit process
    out = run_jobs(job["library"], job["jobs"])
    with open(args[1], "wb") as fh:
        pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
