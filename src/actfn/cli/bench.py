"""``actfn bench``: parse the arguments, run :func:`actfn.bench.run_bench`, print the
tables and write the JSON or figure.

Every argument is checked before the measurement starts (an unknown name, a dtype, a
size too large for the machine's memory, an output path that cannot be written), so a
mistake costs no minutes of work.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Annotated

import typer

from .. import _safe_io, names
from ..bench import (
    DTYPES,
    SEEDS,
    check_labels,
    format_table,
    memory_needed,
    physical_memory,
    run_bench,
    save_figure,
)
from ._common import CLIError, guarded, help_text

__all__ = ["register", "cmd_bench", "parse_size", "MAX_SIZE"]

#: Largest --size accepted before the memory check (beyond it even the exponent is silly).
MAX_SIZE = 1 << 62


def parse_size(text: str) -> int:
    """``--size``: an integer such as ``16777216``, ``1e6`` or ``2^24`` (checked, not
    computed, when absurdly large)."""
    t = text.strip().lower().replace("**", "^")
    bad = CLIError(f"--size {text!r} is not an integer (e.g. 16777216 or 2^24)")
    try:
        if "^" in t:
            b, e = (int(v) for v in t.split("^", 1))
            if b >= 2 and e > 0 and e * math.log2(b) > 62:
                raise CLIError(f"--size {text!r} is too large (more than 2^62 elements)")
            n = b**e if e >= 0 else 0
        else:
            try:
                n = int(t)
            except ValueError:
                v = float(t)
                if math.isinf(v):
                    raise CLIError(f"--size {text!r} is too large (infinite)") from None
                if v != int(v):
                    raise bad from None
                n = int(v)
    except (ValueError, OverflowError):
        raise bad from None
    if n < 1:
        raise CLIError(f"--size must be at least 1, got {n}")
    if n > MAX_SIZE:
        raise CLIError(f"--size {text!r} is too large (more than 2^62 elements)")
    return n


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def _check_memory(size: int, labels: list[str], dtypes: list[str], text: str) -> None:
    need = memory_needed(size, labels, dtypes)
    have = physical_memory()
    if have is not None and need > have:
        raise CLIError(f"--size {text} needs about {_bytes(need)} of memory for "
                       f"{len(labels)} activation(s); this machine has {_bytes(have)}")


def cmd_bench(
    names_: Annotated[list[str] | None, typer.Argument(
        metavar="[NAME ...]", help="activations (default: the seed set; 'all' for every one; "
        "gelu_tanh = gelu with approximate='tanh')")] = None,
    size: Annotated[str, typer.Option("--size", help="elements per array (e.g. 2^24)")] = "2^24",
    dtype: Annotated[list[str] | None, typer.Option(
        "--dtype", help="float16, bfloat16, float32 or float64 (repeatable)")] = None,
    threads: Annotated[int, typer.Option("--threads", help="threads for actfn/torch")] = 0,
    repeats: Annotated[int, typer.Option("--repeats", help="interleaved rounds")] = 7,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="also write a figure (.png/.svg/.pdf) or the data (.json)")] = None,
    torch_layers: Annotated[bool, typer.Option(
        "--torch-layers", help="instead: actfn.torch layers vs the torch.nn built-ins, "
        "forward+backward, float32, sizes 64x256, 2^16, 2^20, 2^24 (--threads default 2; "
        "--size caps the sizes)")] = False,
    gated: Annotated[bool, typer.Option(
        "--gated", help="instead: the fused gated layers (actfn.torch.SwiGLU...) vs the eager "
        "composition (F.silu(gate) * up) and its torch.compile, forward+backward, CPU: time "
        "and memory (NAMEs are gated units, default swiglu geglu; --dtype default float32 "
        "and bfloat16; --size elements per input, default 2^23; --threads default 2)")] = False,
    no_compile: Annotated[bool, typer.Option(
        "--no-compile", help="with --gated: skip the torch.compile column")] = False,
) -> None:
    """Benchmark f and f′ against NumPy, PyTorch and JAX.

    f and f′ come from value_and_derivative; the machine's own ceilings (memory copy,
    one exp per element) are measured in the same run.
    """
    if gated:
        _gated(names_, size if size != "2^24" else "2^23", dtype, threads, repeats,
               not no_compile)
        return
    labels = list(names_ or SEEDS)
    if labels == ["all"]:
        labels = names()
    check_labels(labels)  # unknown names: one-line error with suggestions
    if torch_layers:
        from ..bench import TORCH_LAYER_SHAPES, format_torch_layers, run_torch_layers

        if repeats < 1 or threads < 0:
            raise CLIError("--repeats must be at least 1 and --threads not negative")
        cap = parse_size(size)
        shapes = [s for s in TORCH_LAYER_SHAPES if math.prod(s) <= cap]
        rows = run_torch_layers(labels, shapes, threads or 2, repeats,
                                echo=lambda s: typer.echo(s, err=True))
        typer.echo(format_torch_layers(rows))
        return
    dtypes = list(dtype or ["float32"])
    for d in dtypes:
        if d not in DTYPES:
            raise CLIError(f"--dtype {d!r} is not one of {', '.join(DTYPES)}")
    if repeats < 1:
        raise CLIError("--repeats must be at least 1")
    n = parse_size(size)
    nthreads = threads or (os.cpu_count() or 1)
    if nthreads < 1:
        raise CLIError("--threads must be at least 1")
    if output is not None:
        if output.suffix.lower() not in (".png", ".svg", ".pdf", ".json"):
            raise CLIError(f"-o {output}: use a .png, .svg, .pdf or .json file name")
        _safe_io.check_output_file(output)  # before minutes of work
    _check_memory(n, labels, dtypes, size)
    results = run_bench(labels, n, dtypes, nthreads, repeats,
                        small=min(1024, n), echo=lambda s: typer.echo(s, err=True))
    typer.echo(format_table(results))
    if output is not None:
        if output.suffix.lower() == ".json":
            data = {"generator": _safe_io.generator(), **results.to_dict()}  # actfn's mark
            _safe_io.atomic_write_text(output, json.dumps(data, indent=1))
        else:
            save_figure(results, output)
        typer.echo(f"wrote {output}", err=True)


def _gated(units: list[str] | None, size: str, dtype: list[str] | None, threads: int,
           repeats: int, compile_: bool) -> None:
    """``actfn bench --gated``: :func:`actfn._bench_gated.run_gated_bench`, checked first."""
    from .. import names as _names
    from .._bench_gated import GATED_DEFAULT, format_gated, run_gated_bench

    known = _names(kind="gated")
    chosen = list(units or GATED_DEFAULT)
    if chosen == ["all"]:
        chosen = known
    for u in chosen:
        if u not in known:
            raise CLIError(f"--gated: {u!r} is not a gated unit; gated units: "
                           + ", ".join(known))
    dtypes = list(dtype or ["float32", "bfloat16"])
    for d in dtypes:
        if d not in DTYPES:
            raise CLIError(f"--dtype {d!r} is not one of {', '.join(DTYPES)}")
    if repeats < 1 or threads < 0:
        raise CLIError("--repeats must be at least 1 and --threads not negative")
    n = parse_size(size)
    # inputs, output, gradients and the eager temporaries: about 16 arrays of float64 size
    have = physical_memory()
    if have is not None and 16 * 8 * n > have:
        raise CLIError(f"--size {size} needs about {_bytes(16 * 8 * n)} of memory; this "
                       f"machine has {_bytes(have)}")
    rows = run_gated_bench(chosen, (n,), dtypes, threads or 2, repeats, compile_,
                           echo=lambda s: typer.echo(s, err=True))
    typer.echo(format_gated(rows))
    typer.echo("CPU only (no GPU measured); time / actfn > 1: slower than actfn's fused layer; "
               "saved B/el: bytes kept for the backward per output element; peak B/el: "
               "largest bytes allocated during one forward+backward beyond the inputs; ±: "
               "IQR/median over the rounds (n/a below 3 --repeats).")


def register(app: typer.Typer) -> None:
    """Add ``actfn bench`` to the ``actfn`` Typer app."""
    app.command("bench", help=help_text(cmd_bench))(guarded(cmd_bench))
