"""``actfn explore``: a local web app to drag parameters and watch f, f′, f″ and a deep
network respond, plus :func:`widget` for the same sliders inline in Jupyter.

The page (``static/``) is plain JavaScript and SVG; every asset it loads comes from this
package (KaTeX and the CJK font from :mod:`actfn._assets` when installed), nothing from
a CDN, so it works offline. It asks the JSON API (:mod:`actfn.explore._api`) for
everything, so activations registered later appear without edits.

The web framework (Flask) and server (waitress) are the ``explore`` extra and load only
when :func:`create_app` or :func:`serve` is called; :func:`widget` needs the
``notebook`` extra (ipywidgets).
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._api import ApiBusy, ApiError, api_curve, api_info, api_names, api_network

__all__ = ["create_app", "serve", "make_server", "close_server", "widget", "ApiError", "STATIC", "host_allowed",
           "is_loopback", "load_claims_report"]

#: The page's own files.
STATIC = Path(__file__).resolve().parent / "static"


def _assets_dir() -> Path | None:
    """Folder of the vendored KaTeX and CJK font (``actfn._assets``), when present."""
    try:
        from .. import _assets  # type: ignore[attr-defined]
    except ImportError:
        return None
    root = getattr(_assets, "ROOT", None) or Path(_assets.__file__).resolve().parent
    return Path(root)


def load_claims_report(folder: str | Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Verdicts and figure names from a report written by ``actfn claims run -o DIR``.

    Raises ``OSError``/``ValueError`` with a one-line message when ``folder`` holds none.
    """
    path = Path(folder) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OSError(f"{folder}: no claims report here (results.json missing; "
                      "write one with `actfn claims run -o DIR`)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a claims report ({exc})") from None
    verdicts = {k: {**v, "source": "report"} for k, v in data.get("verdicts", {}).items()}
    figures = {e: f"/claims/{e}.png" for e in data.get("results", {})
               if (Path(folder) / f"{e}.png").is_file()}
    return verdicts, figures


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address to listen on) is a loopback address."""
    import ipaddress

    h = host.strip("[]").lower()
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def host_allowed(header: str, bound: str = "127.0.0.1") -> bool:
    """Whether a request's ``Host`` header may be served (against DNS rebinding): an IP
    address, a loopback name, the bound host, or (bound to all interfaces) this machine's
    own names. A rebinding page reaches the server under its own DNS name: refused."""
    import ipaddress
    import socket

    h = header.strip().lower()
    if h.startswith("["):
        h = h[1:].split("]", 1)[0]
    elif h.count(":") == 1:
        h = h.split(":", 1)[0]
    h = h.rstrip(".")
    if not h:
        return False
    try:
        ipaddress.ip_address(h)
        return True
    except ValueError:
        pass
    if is_loopback(h) or h == bound.strip("[]").lower().rstrip("."):
        return True
    if bound in ("0.0.0.0", "::", ""):
        return h in {socket.gethostname().lower(), socket.getfqdn().lower()}
    return False


def create_app(claims_report: str | Path | None = None, lang: str = "en",
               host: str = "127.0.0.1") -> Any:
    """The Flask application: the page at ``/``, its files, and the JSON API under
    ``/api/``. ``claims_report``: a folder from ``actfn claims run -o DIR`` whose
    verdicts and figures the knowledge panel then shows (otherwise the README's).
    ``host``: the address the server listens on; requests with another ``Host`` header
    (see :func:`host_allowed`) get 403."""
    from flask import Flask, Response, abort, request, send_from_directory

    if lang not in ("en", "zh"):
        raise ValueError(f"lang={lang!r} must be 'en' or 'zh'")
    verdicts: dict[str, Any] | None = None
    figures: dict[str, str] = {}
    report = Path(claims_report) if claims_report is not None else None
    if report is not None:
        verdicts, figures = load_claims_report(report)
    assets = _assets_dir()

    app = Flask("actfn.explore", static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.before_request
    def check_host() -> Any:
        header = request.headers.get("Host", "")
        if not host_allowed(header, host):
            return _json({"error": _short(f"Host {header!r} is not served here (only "
                                          f"{host}, localhost or an IP address; against DNS "
                                          "rebinding)")}, 403)
        return None

    def endpoint(fn: Callable[..., dict[str, Any]], **kw: Any) -> Callable[[], Any]:
        def view() -> Any:
            query = {k: request.args.getlist(k) for k in request.args}
            try:
                body = fn(query, **kw)
            except ApiError as exc:
                return _json({"error": _short(str(exc))}, 400)
            except ApiBusy:
                return _json({"error": "busy"}, 503)
            return _json(body, 200)

        view.__name__ = f"api_{fn.__name__}"
        return view

    def _json(body: dict[str, Any], status: int) -> Any:
        # allow_nan=False: non-finite numbers are strings by then (see _api.num).
        text = json.dumps(body, allow_nan=False, ensure_ascii=False)
        return Response(text, status=status, mimetype="application/json")

    app.add_url_rule("/api/names", view_func=endpoint(api_names))
    app.add_url_rule("/api/curve", view_func=endpoint(api_curve))
    app.add_url_rule("/api/network", view_func=endpoint(api_network))
    app.add_url_rule("/api/info", view_func=endpoint(api_info, verdicts=verdicts,
                                                     figures=figures))

    @app.get("/api/config")
    def config() -> Any:
        if request.args:  # like every other endpoint: an unknown key is a 400
            keys = ", ".join(repr(k) for k in sorted(request.args))
            return _json({"error": _short(f"unknown query key(s) {keys}; /api/config takes "
                                          "none")}, 400)
        katex = assets is not None and (assets / "katex" / "katex.min.js").is_file()
        font = None
        if assets is not None:
            from .. import _assets  # type: ignore[attr-defined]

            if (assets / _assets.CJK_FONT).is_file():
                font = {"family": _assets.CJK_FAMILY, "url": f"/assets/{_assets.CJK_FONT}"}
        from .. import __version__

        return _json({"lang": lang, "version": __version__, "katex": katex, "cjk_font": font,
                      "claims_report": report is not None}, 200)

    @app.get("/")
    def index() -> Any:
        return send_from_directory(STATIC, "index.html")

    @app.get("/static/<path:filename>")
    def static_files(filename: str) -> Any:
        return send_from_directory(STATIC, filename)

    @app.get("/assets/<path:filename>")
    def asset_files(filename: str) -> Any:
        if assets is None:
            abort(404)
        return send_from_directory(assets, filename)

    @app.get("/claims/<path:filename>")
    def claim_files(filename: str) -> Any:
        if report is None or not filename.endswith(".png"):
            abort(404)
        return send_from_directory(report, filename)

    @app.errorhandler(404)
    def not_found(exc: Any) -> Any:
        if request.path.startswith("/api/"):
            return _json({"error": f"no API endpoint {_short(request.path, 100)}; valid: "
                                   "/api/names, "
                                   "/api/curve, /api/network, /api/info, /api/config"}, 404)
        return exc

    @app.errorhandler(405)
    def not_allowed(exc: Any) -> Any:
        return _json({"error": f"method {request.method} not allowed; use GET"}, 405)

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> Any:
        from werkzeug.exceptions import HTTPException

        if isinstance(exc, HTTPException):
            return exc
        return _json({"error": _short(f"internal error: {type(exc).__name__}: {exc}")}, 500)

    return app


#: the longest error message the API answers (like the CLI's one-line errors): a request
#: with a huge value never gets it echoed back in full.
MAX_ERROR = 300


def _short(text: str, limit: int = MAX_ERROR) -> str:
    """``text`` cut to ``limit`` characters, ending in ``…`` when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def make_server(app: Any, host: str = "127.0.0.1", port: int = 8000) -> Any:
    """A waitress server for ``app`` bound to ``host:port`` (``port=0``: any free port;
    read it from ``server.effective_port``). Raises ``OSError`` when the port is taken."""
    import logging

    from waitress.server import create_server

    # "Task queue depth is N" warnings only mean the page asked for several curves at once
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    return create_server(app, host=host, port=port, threads=8, ident="actfn-explore",
                         clear_untrusted_proxy_headers=True)


def serve(host: str = "127.0.0.1", port: int = 8000, *, open_browser: bool = True,
          lang: str = "en", claims_report: str | Path | None = None,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the explorer until interrupted (Ctrl-C). ``on_ready(url)`` is called once the
    socket listens (the CLI prints the URL there); the browser opens unless
    ``open_browser`` is false."""
    app = create_app(claims_report=claims_report, lang=lang, host=host)
    server = make_server(app, host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.effective_port}/" + ("?lang=zh" if lang == "zh" else "")
    with _stop_on_signals() as got:
        try:
            if on_ready is not None:
                on_ready(url)
            if open_browser:
                import webbrowser

                webbrowser.open(url)
            loop_timeout = min(float(server.adj.asyncore_loop_timeout), 0.25)
            while server._map and not got:
                _loop_once(server, loop_timeout)
        finally:
            close_server(server)


def _loop_once(server: Any, timeout: float) -> None:
    """One pass of waitress's event loop over ``server``'s sockets (at most ``timeout``
    seconds of waiting)."""
    from waitress import wasyncore

    wasyncore.loop(timeout=timeout, map=server._map, use_poll=server.adj.asyncore_use_poll,
                   count=1)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[list[int]]:
    """While serving, SIGINT, SIGTERM and SIGHUP only record themselves (the list yielded);
    the loop sees the record within its poll timeout and the server closes in order
    (:func:`close_server`). Then the signal goes to the handler that was there before: the
    CLI's guard raises :class:`actfn._safe_io.Interrupted`, Python's default SIGINT handler
    ``KeyboardInterrupt``, a default SIGTERM ends the process.

    Why not let the handler raise: waitress's event loop catches every exception but
    ``KeyboardInterrupt``/``SystemExit`` raised inside a socket handler and logs it, so a
    signal arriving there was swallowed and the server kept running (seen as a hang), and
    one arriving elsewhere closed the sockets under a worker still answering.
    Outside the main thread (no handlers there) nothing is installed."""
    got: list[int] = []
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            old = signal.getsignal(sig)
            if old is signal.SIG_IGN:
                continue  # ignored by the caller: stays ignored
            signal.signal(sig, lambda signum, frame: got.append(signum))
            previous[sig] = old
    try:
        yield got
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)
    if got:
        old = previous.get(got[0])
        if callable(old):
            old(got[0], None)
        elif old == signal.SIG_DFL:
            signal.raise_signal(got[0])


def close_server(server: Any, timeout: float = 10.0) -> None:
    """Stop ``server`` in order: let the worker threads finish the requests they are serving
    (up to ``timeout`` seconds), then close every socket it holds.

    Closing first would leave a worker still answering a request writing to a closed
    wake-up pipe (``OSError: Bad file descriptor``, a traceback on stderr after "explorer
    stopped")."""
    from waitress import wasyncore

    try:
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
    finally:
        wasyncore.close_all(server._map)


def widget(name: str = "celu", **params: Any) -> Any:
    """Sliders for ``name``'s parameters and the plot range, with f, f′, f″ redrawn
    inline (ipywidgets, the ``notebook`` extra). Returns the ``ipywidgets.VBox``; its
    ``.figure`` attribute is the ``ipywidgets.HTML`` output holding the SVG plot and
    ``.controls`` maps parameter names (and ``"range"``) to their sliders."""
    from ._widget import build

    return build(name, **params)
