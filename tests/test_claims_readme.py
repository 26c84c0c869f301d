"""The README's claims verdict table is the committed full run's, and that run is the
pre-registered plan (full, the registry's seed counts, this claims.toml version)."""

from __future__ import annotations

import json
from pathlib import Path

from actfn.experiments import claims
from actfn.experiments._claims import registry
from actfn.experiments._report import verdict_table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "claims" / "results.json"


def test_readme_table_is_generated_from_the_committed_results() -> None:
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- claims-table -->")[1].split("<!-- /claims-table -->")[0]
    assert block.strip() == "\n".join(verdict_table(data["verdicts"])), \
        "run `python tools/claims_table.py` after committing a new docs/claims/results.json"


def test_committed_results_are_a_full_run_of_this_registry() -> None:
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    reg = registry()
    # version 7 raised seed counts before a full run of them existed: claims.toml's
    # [committed] table then names the committed run's version and counts, and that run is
    # checked against them (test_claims_power checks the table itself)
    committed = reg.get("committed", {})
    assert data["quick"] is False
    assert data["version"] == committed.get("version", reg["version"])
    assert len(data["plan"]["seeds"]) == reg["seeds"]["count"]
    # version 5: training experiments with their own (power-analysis) seed counts
    counts = committed.get("seeds") or {e: cfg["seeds"] for e, cfg in reg["experiments"].items()
                                        if "seeds" in cfg}
    own = {e: list(range(n)) for e, n in counts.items() if n != reg["seeds"]["count"]}
    assert data["plan"].get("experiment_seeds", {}) == own
    assert data["plan"]["scale"] == 1.0
    assert set(data["verdicts"]) == {c.id for c in claims()}
    assert all(v["kind"] in ("supported", "refuted", "nuanced", "inconclusive")
               for v in data["verdicts"].values())
    assert (RESULTS.parent / "README.md").is_file()


def test_readme_table_parses_back_to_every_claim() -> None:
    """The table's grammar (what the explorer reads when given no report): one row per
    verdict kind, `id (condition)` items split on commas outside parentheses."""
    import re

    row = re.compile(r"^\| (supported|refuted|nuanced|inconclusive) \((\d+)\) \| (.*) \|\s*$")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- claims-table -->")[1].split("<!-- /claims-table -->")[0]
    data = json.loads(RESULTS.read_text(encoding="utf-8"))["verdicts"]
    found: dict[str, tuple[str, str]] = {}
    for line in block.splitlines():
        m = row.match(line)
        if not m:
            continue
        items = re.split(r",\s*(?![^()]*\))", m.group(3))
        assert len(items) == int(m.group(2))
        for item in items:
            cid, _, cond = item.strip().partition(" (")
            found[cid] = (m.group(1), cond[:-1] if cond else "")
    assert found == {k: (v["kind"], v["condition"]) for k, v in data.items()}
