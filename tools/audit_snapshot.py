"""Regenerate the committed audit snapshot in ``docs/audit/`` (one command).

Usage: ``nice python tools/audit_snapshot.py [--light] [--quick]``

Grades torch, torch-compile, jax, jax-x64, keras (JAX backend) and tensorflow, as
installed, against ``actfn.reference``: every activation and parameter case, f, f′
and f″ by each library's autodiff, every float16 and bfloat16 value and the standard
float32/float64 points (about five minutes here). ``--light`` grades only bfloat16 and
float32, f and f′ (about two minutes). torch-compile is limited to :data:`COMPILED` (each function is
compiled by inductor, seconds apiece) and to f and f′ (no double backward through
``torch.compile``). Writes ``docs/audit/README.md`` (Markdown) and
``docs/audit/audit.json`` (the records; a copy in ``src/actfn/audit/snapshot.json`` is
what the atlas page "How accurate is each framework?" shows) through an :class:`actfn._safe_io.OwnedDir`,
so files in ``docs/audit`` that this tool did not write are never replaced.
``--quick`` grades only :data:`COMPILED` everywhere (a smoke run).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "audit"
#: Activations torch-compile is graded on (the benchmark's seed set).
COMPILED = ("relu", "gelu", "silu", "sigmoid", "tanh")
#: ``--light``: (library, activations or None for all, dtypes, orders).
LIGHT = (
    ("torch", None, ("bfloat16", "float32"), (0, 1)),
    ("torch-compile", COMPILED, ("bfloat16", "float32"), (0, 1)),
    ("jax", None, ("bfloat16", "float32"), (0, 1)),
    ("jax-x64", None, ("float64",), (0, 1)),
    ("keras-jax", None, ("bfloat16", "float32"), (0, 1)),
    ("tensorflow", None, ("bfloat16", "float32"), (0, 1)),
)
#: The committed snapshot.
PLAN = (
    ("torch", None, ("float16", "bfloat16", "float32", "float64"), (0, 1, 2)),
    ("torch-compile", COMPILED, ("bfloat16", "float32"), (0, 1)),
    ("jax", None, ("float16", "bfloat16", "float32", "float64"), (0, 1, 2)),
    ("jax-x64", None, ("float64",), (0, 1, 2)),
    ("keras-jax", None, ("float16", "bfloat16", "float32"), (0, 1, 2)),
    ("tensorflow", None, ("float16", "bfloat16", "float32", "float64"), (0, 1, 2)),
)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from actfn import audit
    from actfn._safe_io import OwnedDir

    quick = "--quick" in argv
    plan = LIGHT if "--light" in argv else PLAN
    records = []
    with OwnedDir(OUT, tool="audit-snapshot", planned=["README.md", "audit.json"]) as out:
        t0 = time.monotonic()
        for lib, names, dtypes, orders in plan:
            t = time.monotonic()
            recs = audit.run(lib, list(COMPILED if quick else names or []) or None,
                             dtypes=dtypes, orders=orders)
            records += recs
            print(f"{lib}: {len(recs)} records, {time.monotonic() - t:.0f} s", flush=True)
        wall = time.monotonic() - t0
        md = audit.to_markdown(records, title="How accurate is each framework? (actfn audit)")
        md += (f"\nRegenerate with `nice python tools/audit_snapshot.py` ({wall:.0f} s here). "
               f"torch-compile: only {', '.join(COMPILED)}, bfloat16 and float32, f and "
               "f′.\n")
        out.write_text("README.md", md)
        out.write_text("audit.json", audit.to_json(records))
    # the copy the atlas page reads (package data)
    from actfn._safe_io import atomic_write_text

    atomic_write_text(ROOT / "src" / "actfn" / "audit" / "snapshot.json", audit.to_json(records),
                      require_mark=False)  # a file of the repository, not a user output
    print(f"wrote {OUT} ({len(records)} records, {wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
