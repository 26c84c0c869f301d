"""Write the claims verdict table into README.md from the committed full-run results.

Usage: ``python tools/claims_table.py [RESULTS.json]`` (default ``docs/claims/results.json``);
the table goes between ``<!-- claims-table -->`` and ``<!-- /claims-table -->``.
``tests/test_claims_readme.py`` checks that the README matches.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- claims-table -->", "<!-- /claims-table -->"


def table(results: Path) -> str:
    """The Markdown table for ``results`` (a report's results.json)."""
    sys.path.insert(0, str(ROOT / "src"))
    from actfn.experiments._report import verdict_table

    data = json.loads(results.read_text(encoding="utf-8"))
    return "\n".join(verdict_table(data["verdicts"]))


def main(argv: list[str]) -> int:
    results = Path(argv[0]) if argv else ROOT / "docs" / "claims" / "results.json"
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    a, b = text.index(START) + len(START), text.index(END)
    readme.write_text(text[:a] + "\n" + table(results) + "\n" + text[b:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
