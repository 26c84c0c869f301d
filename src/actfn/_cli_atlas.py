"""Temporary aliases of :mod:`actfn.cli._terminal` helpers for ``actfn._cli_claims``.

``_cli_claims`` is being rewritten in parallel (issue 15) and still imports the old
private names from here; delete this module when it moves into :mod:`actfn.cli` at the
merge (it then imports ``console``, ``labels`` and ``terminal_width`` from
:mod:`actfn.cli._terminal`).
"""

from __future__ import annotations

from .cli._terminal import console as _console  # noqa: F401  (old name, for _cli_claims)
from .cli._terminal import labels as _labels  # noqa: F401  (old name, for _cli_claims)
from .cli._terminal import terminal_width

__all__ = ["terminal_width"]
