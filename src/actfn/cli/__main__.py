"""``python -m actfn.cli``: the same as the ``actfn`` console script."""

from __future__ import annotations

from . import main

__all__: list[str] = []

if __name__ == "__main__":  # pragma: no branch
    main()
