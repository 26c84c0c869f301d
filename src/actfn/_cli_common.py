"""Temporary alias of :mod:`actfn.cli._common` for ``actfn._cli_claims``.

``_cli_claims`` is being rewritten in parallel (issue 15) and still imports from here;
delete this module when it moves into :mod:`actfn.cli` at the merge.
"""

from __future__ import annotations

from .cli._common import CLIError, fail, guarded, help_text, user_params

__all__ = ["CLIError", "fail", "guarded", "help_text", "user_params"]
