"""``actfn explore``: serve the interactive explorer (:mod:`actfn.explore`) locally.

The server runs until Ctrl-C (SIGINT) or SIGTERM, which stop it cleanly with exit
code 0 (stopping a server is its normal end). A port that is taken, a bad host or a
missing ``explore`` extra is one line on stderr with exit code 2.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Annotated

import typer

from .._safe_io import Interrupted
from ._common import CLIError, guarded

__all__ = ["register", "cmd_explore"]


def cmd_explore(
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port; the "
                                      "atlas links to 8000, the default).",
                                      min=0, max=65535)] = 8000,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on (a non-loopback address prints a warning: "
                       "others can then reach it).")] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser",
                                             help="Do not open a web browser.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Page language: en or zh.")] = "en",
    claims_report: Annotated[Path | None, typer.Option(
        "--claims", help="A report folder from `actfn claims run -o DIR`: show its "
                         "verdicts and figures.")] = None,
) -> None:
    """Open the explorer: drag parameters and watch f, f′, f″, low-precision dtypes
    and a deep network respond (a local web app; works offline)."""
    if lang not in ("en", "zh"):
        raise CLIError(f"--lang {lang!r}: valid: en, zh")
    try:
        import flask  # noqa: F401
        import waitress  # noqa: F401

        from ..explore import serve
    except ImportError as exc:
        raise CLIError(f"actfn explore needs {exc.name}: pip install 'actfn[explore]'"
                       ) from None

    if claims_report is not None:  # before listening: its own message
        from ..explore import load_claims_report

        try:
            load_claims_report(claims_report)
        except (OSError, ValueError) as exc:
            raise CLIError(f"--claims: {exc}") from None
    from ..explore import is_loopback

    def ready(url: str) -> None:
        if not is_loopback(host):  # once it listens (a bad host is one error line)
            typer.echo(f"actfn: warning: --host {host} is not a loopback address: anyone "
                       "who can reach this machine there can use the explorer", err=True)
        typer.echo(f"actfn explorer at {url}  (Ctrl-C stops it)")
        sys.stdout.flush()

    try:
        serve(host, port, open_browser=not no_browser, lang=lang,
              claims_report=claims_report, on_ready=ready)
    except (Interrupted, KeyboardInterrupt) as exc:
        name = getattr(exc, "name", "SIGINT")
        typer.echo(f"actfn: explorer stopped ({name})", err=True)
    except ValueError as exc:  # waitress: a host name that does not resolve
        raise CLIError(f"cannot listen on {host}:{port}: {str(exc).rstrip('.').lower()}"
                       ) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CLIError(f"cannot listen on {host}:{port}: the port is in use "
                           "(choose another with --port, or --port 0 for any)") from None
        raise CLIError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    """Add ``explore`` to the ``actfn`` Typer app."""
    app.command("explore")(guarded(cmd_explore))
