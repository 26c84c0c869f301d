"""The command line shared by the table generators (gen_erfc.py, gen_erfc32.py,
gen_tanh32.py): print the generated module, ``--write`` it, or ``--check`` that the
shipped one is byte-identical (exit 1 with a one-line hint otherwise)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["table_cli"]


def table_cli(argv: list[str] | None, doc: str | None, source: Callable[[], str], out: Path,
              script: str) -> int:
    """Run the generator ``script`` (its file name under tools/), whose ``source()``
    returns the text of the module ``out``."""
    ap = argparse.ArgumentParser(description=(doc or script).splitlines()[0])
    rel = out.relative_to(Path(__file__).resolve().parents[1]).as_posix()
    ap.add_argument("--check", action="store_true", help=f"exit 1 if {rel} differs")
    ap.add_argument("--write", action="store_true", help="write the table module")
    args = ap.parse_args(argv)
    text = source()
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{rel} is out of date: run python tools/{script} --write")
            return 1
        return 0
    if args.write:
        out.write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0
