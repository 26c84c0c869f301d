"""``actfn audit``: grade a library's activations against the correctly rounded truth.

Arguments are checked before any work (library, names, dtypes, orders, output paths);
the grading itself is :func:`actfn.audit.run`. Files are written atomically and never
over a file actfn did not write (:mod:`actfn._safe_io`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import CLIError, guarded, help_text

__all__ = ["register", "cmd_audit", "parse_orders", "split_targets", "check_ours"]


def parse_orders(text: str) -> list[int]:
    """``--derivatives 0,1,2`` → ``[0, 1, 2]`` (``CLIError`` naming a bad entry)."""
    out = []
    for part in text.split(","):
        p = part.strip()
        if p not in ("0", "1", "2"):
            raise CLIError(f"--derivatives {text!r}: {p!r} is not 0, 1 or 2")
        out.append(int(p))
    return sorted(set(out))


#: Keys every record of an audit JSON report has (a file that is not entirely such a
#: list is someone else's and is never replaced).
_RECORD_KEYS = frozenset({"library", "version", "name", "params", "dtype", "order",
                          "points", "max_ulp", "worst", "specials", "out_dtype", "error"})


def _is_report(text: str, kind: str) -> bool:
    """Whether ``text`` is, entirely, a report ``actfn audit`` writes: JSON that parses
    as a list of audit records, or Markdown that starts with the audit's full header
    (title line, blank line, the audit's legend paragraph)."""
    import json

    from ..audit._report import MD_LEGEND

    if kind == "md":
        lines = text.split("\n", 3)
        return (len(lines) >= 3 and lines[0].startswith("# ") and lines[1] == ""
                and lines[2] == MD_LEGEND)
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, list) and all(
        isinstance(r, dict) and _RECORD_KEYS <= set(r) for r in data)


def check_ours(path: Path, kind: str) -> None:
    """Refuse ``path`` unless it is new or, in its entirety, an earlier ``actfn audit``
    report of the same kind (then :func:`actfn._safe_io.check_output_file`'s checks)."""
    from .. import _safe_io

    # the audit's reports are recognised by their whole content (_is_report: the JSON is
    # a bare list of records, as the issue asks, so it cannot carry a "generator" key)
    target = _safe_io.check_output_file(path, require_mark=False)
    if not target.exists():
        return
    try:
        with open(target, encoding="utf-8", errors="replace") as fh:
            text = fh.read(64 << 20)
    except OSError as exc:
        raise CLIError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    if not _is_report(text, kind):
        raise CLIError(f"--{kind} {str(path)!r} exists and is not an actfn audit report; "
                       "refusing to replace it (remove it or choose another name)")


def split_targets(targets: list[str]) -> tuple[list[str], list[str]]:
    """(libraries, activation names): the leading arguments that name a library, then
    the activations (checked: one-line errors)."""
    from .. import audit, lookup

    libs: list[str] = []
    rest = list(targets)
    while rest:
        try:
            lookup(rest[0])
            break
        except (KeyError, ValueError):
            pass
        try:
            libs.append(audit.check_library(rest[0]))
        except ValueError as exc:
            if not libs:
                raise CLIError(str(exc)) from None
            break
        rest.pop(0)
    if not libs:
        raise CLIError(f"{targets[0]!r} is an activation, not a library; the first "
                       f"argument is the library (valid: {', '.join(audit.LIBRARIES)})")
    for n in rest:
        try:
            lookup(n)
        except (KeyError, ValueError) as exc:
            raise CLIError(str(exc.args[0]) if exc.args else f"unknown activation {n!r}"
                           ) from None
    return list(dict.fromkeys(libs)), list(dict.fromkeys(rest))


def _progress() -> Any:
    """``on_chunk`` callback drawing a one-line progress bar on stderr."""
    start = time.monotonic()
    last = [-1e9]

    def on_chunk(done: int, total: int, cached: bool) -> None:
        now = time.monotonic()
        # a terminal redraws the bar on every chunk; a log gets a line at most every 10 s
        if not sys.stderr.isatty() and done not in (0, 1, total) and now - last[0] < 10:
            return
        last[0] = now
        frac = done / total
        bar = "#" * int(30 * frac)
        eta = (f"eta {(now - start) / frac * (1 - frac):.0f} s" if frac > 0 else "starting")
        end = "\n" if done == total or not sys.stderr.isatty() else "\r"
        print(f"audit [{bar:<30}] {done}/{total} chunks, {eta}"
              + (" (cached)" if cached else ""), end=end, file=sys.stderr, flush=True)

    return on_chunk


def cmd_audit(
    targets: Annotated[list[str], typer.Argument(
        metavar="LIBRARY [LIBRARY ...] [NAME ...]",
        help="libraries: torch, torch-compile, jax, jax-x64, keras (or keras-jax, "
        "keras-torch, keras-tensorflow), tensorflow, numpy-naive, actfn or module:function; "
        "then activations (default: every one)")],
    dtype: Annotated[list[str] | None, typer.Option(
        "--dtype", help="float16, bfloat16, float32 or float64 (repeatable; default all)")
    ] = None,
    derivatives: Annotated[str, typer.Option(
        "--derivatives", help="orders to grade, e.g. 0,1,2 (f, f′ by autodiff, f″)")] = "0,1,2",
    exhaustive: Annotated[bool, typer.Option(
        "--exhaustive", help="float32 on all 2^32 inputs, in cached chunks (resumable)")
    ] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the records as JSON")
                        ] = None,
    md_out: Annotated[Path | None, typer.Option("--md", help="write the report as Markdown")
                      ] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="with --exhaustive: 'local' (a Dask LocalCluster) or a Dask "
        "scheduler address such as tcp://host:8786")] = None,
    workers: Annotated[int, typer.Option("--workers", help="LocalCluster workers")] = 2,
    timeout: Annotated[float, typer.Option(
        "--timeout", help="seconds one library's worker process may run (one batch of "
        "standard points or one exhaustive chunk) before it is stopped; default 900")
    ] = 900.0,
) -> None:
    """Grade a library's activations and autodiff derivatives against actfn.reference.

    For every activation × parameters × dtype × derivative order: max and 99.9th
    percentile ULP error, mixed error, nan/inf where the exact value is finite, flushed
    subnormals and the worst inputs. float16 and bfloat16 use every value; float32 and
    float64 the standard points of actfn.reference (all 2^32 float32 with --exhaustive).
    Each library runs in its own process.
    """
    from .. import _safe_io, audit

    libs, names_ = split_targets(targets)
    orders = parse_orders(derivatives)
    dtypes = list(dict.fromkeys(dtype or ["float16", "bfloat16", "float32", "float64"]))
    for d in dtypes:
        if d not in ("float16", "bfloat16", "float32", "float64"):
            raise CLIError(f"--dtype {d!r} is not one of float16, bfloat16, float32, float64")
    if workers < 1:
        raise CLIError("--workers must be at least 1")
    if not timeout > 0:
        raise CLIError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    if scheduler is not None and not exhaustive:
        raise CLIError("--scheduler needs --exhaustive (the standard points run here)")
    if exhaustive and "float32" not in dtypes:
        raise CLIError("--exhaustive grades float32: add --dtype float32")
    for out, kind in ((json_out, "json"), (md_out, "md")):
        if out is not None:
            check_ours(out, kind)
    if json_out is not None and md_out is not None and json_out.resolve() == md_out.resolve():
        raise CLIError("--json and --md name the same file")
    for lib in libs:
        if lib not in audit.LIBRARIES:
            try:
                audit.check_plugin(lib)
            except ValueError as exc:
                raise CLIError(str(exc)) from None
    t0 = time.monotonic()
    records = []
    for lib in libs:
        records += audit.run(lib, names_ or None, dtypes=dtypes, orders=orders,
                             exhaustive=exhaustive, scheduler=scheduler, workers=workers,
                             on_chunk=_progress() if exhaustive else None, timeout=timeout)
    wall = time.monotonic() - t0
    typer.echo(audit.format_table(records))
    typer.echo(f"wall time: {wall:.1f} s")
    if json_out is not None:
        _safe_io.atomic_write_text(json_out, audit.to_json(records), require_mark=False)
    if md_out is not None:
        _safe_io.atomic_write_text(md_out, audit.to_markdown(records), require_mark=False)


def register(app: typer.Typer) -> None:
    """Add ``actfn audit`` to the ``actfn`` Typer app."""
    app.command("audit", help=help_text(cmd_audit))(guarded(cmd_audit))
