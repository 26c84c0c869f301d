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


#: The first bytes of a report this command wrote (an existing file without them is
#: someone else's and is never replaced).
_MARKS = {"json": ('[\n {\n  "library"', "[]"), "md": ("# actfn audit",)}


def check_ours(path: Path, kind: str) -> None:
    """Refuse ``path`` unless it is new or an earlier ``actfn audit`` report of the same
    kind (then :func:`actfn._safe_io.check_output_file`'s checks)."""
    from .. import _safe_io

    # the audit's reports carry their own mark (_MARKS: the JSON is a bare list of
    # records, as the issue asks, so it cannot start with the "generator" key)
    target = _safe_io.check_output_file(path, require_mark=False)
    if not target.exists():
        return
    try:
        with open(target, encoding="utf-8", errors="replace") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise CLIError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    if not any(head.startswith(m) for m in _MARKS[kind]):
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
    return list(dict.fromkeys(libs)), rest


def _progress() -> Any:
    """``on_chunk`` callback drawing a one-line progress bar on stderr."""
    start = time.monotonic()

    def on_chunk(done: int, total: int, cached: bool) -> None:
        if not sys.stderr.isatty() and done not in (1, total) and done % 16:
            return
        frac = done / total
        bar = "#" * int(30 * frac)
        eta = (time.monotonic() - start) / max(frac, 1e-9) * (1 - frac)
        end = "\n" if done == total else "\r"
        print(f"audit [{bar:<30}] {done}/{total} chunks, eta {eta:.0f} s"
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
    dtypes = list(dtype or ["float16", "bfloat16", "float32", "float64"])
    for d in dtypes:
        if d not in ("float16", "bfloat16", "float32", "float64"):
            raise CLIError(f"--dtype {d!r} is not one of float16, bfloat16, float32, float64")
    if workers < 1:
        raise CLIError("--workers must be at least 1")
    if scheduler is not None and not exhaustive:
        raise CLIError("--scheduler needs --exhaustive (the standard points run here)")
    if exhaustive and "float32" not in dtypes:
        raise CLIError("--exhaustive grades float32: add --dtype float32")
    for out, kind in ((json_out, "json"), (md_out, "md")):
        if out is not None:
            check_ours(out, kind)
    if json_out is not None and md_out is not None and json_out.resolve() == md_out.resolve():
        raise CLIError("--json and --md name the same file")
    t0 = time.monotonic()
    records = []
    for lib in libs:
        records += audit.run(lib, names_ or None, dtypes=dtypes, orders=orders,
                             exhaustive=exhaustive, scheduler=scheduler, workers=workers,
                             on_chunk=_progress() if exhaustive else None)
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
