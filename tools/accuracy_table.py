"""Print the max ulp error of f, f', f'' per activation × dtype (markdown table).

Uses the same oracle and test points as tests/test_accuracy.py:

    python tools/accuracy_table.py [float16,bfloat16,float32,float64] > table.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.accuracy import case_id, cases, measure  # noqa: E402


def main() -> None:
    dtypes = (sys.argv[1] if len(sys.argv) > 1 else "float16,bfloat16,float32,float64").split(",")
    head = ["activation"] + [f"{d} f/f′/f″" for d in dtypes]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for case in cases():
        cells = []
        for dt in dtypes:
            cells.append("/".join(str(int(measure(*case, w, dt)[3].max())) for w in range(3)))
        print(f"| {case_id(case)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
