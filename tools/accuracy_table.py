"""Print the max ulp error of f, f', f'' per activation × dtype (markdown table).

Each cell is the worst over both NumPy code paths (compiled loops and fallback).

Uses the same oracle and test points as tests/test_accuracy.py:

    python tools/accuracy_table.py [float16,bfloat16,float32,float64] > table.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.accuracy import PATHS, case_id, cases, measure  # noqa: E402


def main() -> None:
    dtypes = (sys.argv[1] if len(sys.argv) > 1 else "float16,bfloat16,float32,float64").split(",")
    head = ["activation"] + [f"{d} f/f′/f″" for d in dtypes]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for case in cases():
        cells = []
        for dt in dtypes:
            worst = [max(int(measure(*case, w, dt, p)[3].max()) for p in PATHS) for w in range(3)]
            cells.append("/".join(map(str, worst)))
        print(f"| {case_id(case)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
