"""Regression tests for the hostile review of ``actfn explore`` (issue 14): each
``test_review_NN_*`` pins the fix of review defect NN through the JSON API (Flask's test
client) or the page's own files."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import actfn
from actfn.explore import STATIC, _api, create_app


@pytest.fixture(scope="module")
def client() -> Any:
    return create_app().test_client()


def get(client: Any, path: str, **query: Any) -> tuple[int, Any]:
    r = client.get(path, query_string=query)
    assert r.mimetype == "application/json"
    return r.status_code, json.loads(r.get_data(as_text=True))


def _page_network_request() -> dict[str, str]:
    """The keys the page sends to /api/network besides the activation's parameters."""
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    m = re.search(r'api\("network", \{ \.\.\.overlayParams\(o\), ([^}]*)\}', js)
    assert m, "the page's network request not found in app.js"
    keys = [part.split(":")[0].strip() for part in m.group(1).split(",") if part.strip()]
    return dict.fromkeys(keys, "")


# -- 1: input scale vs SELU's λ --------------------------------------------------------------
def test_review_01_page_sends_input_scale_and_selu_keeps_its_fixed_point(client) -> None:
    keys = _page_network_request()
    assert "input_scale" in keys and "scale" not in keys
    # the page's request format: input scale 2, SELU keeps its own λ
    q = {"name": "selu", "depth": 50, "width": 128, "init": "lecun", "input_scale": 2,
         "batch": 256, "seed": 0}
    assert set(q) - {"name"} == set(keys)
    status, body = get(client, "/api/network", **q)
    assert status == 200, body
    assert body["params"]["scale"] == float(actfn.lookup("selu").params[1].default)
    assert body["input_scale"] == 2.0
    assert all(abs(m) < 0.1 for m in body["mean"][-10:])
    assert all(0.8 < v < 1.25 for v in body["var"][-10:])
    # λ itself is still a parameter, under its own name
    status, body = get(client, "/api/network", name="selu", scale=2, depth=2, width=4, batch=2)
    assert status == 200 and body["params"]["scale"] == 2.0 and body["input_scale"] == 1.0


def test_review_01_parameter_colliding_with_a_query_key_is_rejected(client) -> None:
    spec = actfn.Spec(name="test_review_depthy", f=lambda x, xp: x, df=lambda x, xp: 1 + 0 * x,
                      d2f=lambda x, xp: 0 * x,
                      params=(actfn.Param("depth", 1.0, "a parameter named like a query key"),))
    actfn.register(spec)
    try:
        status, body = get(client, "/api/network", name="test_review_depthy", depth=3)
        assert status == 400
        assert "'depth' collide with this endpoint's own query keys" in body["error"]
    finally:
        actfn.unregister("test_review_depthy")
    for n in actfn.names():  # no registered activation collides with any endpoint
        params = set(actfn.lookup(n).param_names)
        assert not params & {"name", "depth", "width", "init", "input_scale", "batch", "seed",
                             "lo", "hi", "n", "dtype", "lang"}, n


# -- 2: cost model and the network semaphore ------------------------------------------------
def _page_max(id_: str) -> int:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    m = re.search(rf'id="{id_}"[^>]*\bmax="(\d+)"', html)
    assert m, id_
    return int(m.group(1))


@pytest.mark.parametrize("init", _api.INITS)
def test_review_02_page_maximum_settings_fit_the_cost_cap(init: str) -> None:
    depth, width = _page_max("net-depth"), _page_max("net-width")
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    batch = int(re.search(r"batch: (\d+)", js).group(1))
    assert _api.network_cost(depth, width, batch, init) <= _api.MAX_COST
    # with every overlay computing at once, the page still fits the slots' budget
    assert _api.NETWORK_SLOTS < 8  # waitress's threads: curves always find a free one


def test_review_02_cost_counts_orthogonal_qr_and_random_numbers(client) -> None:
    # the reviewer's 12-second request: now refused up front
    q = {"name": "selu", "depth": 200, "width": 512, "batch": 1, "init": "orthogonal"}
    cost = _api.network_cost(200, 512, 1, "orthogonal")
    assert cost > _api.MAX_COST
    assert cost > 5 * _api.network_cost(200, 512, 1, "lecun")  # the QR dominates
    assert _api.network_cost(200, 512, 1, "lecun") > 200 * 512 * 512  # RNG counted
    status, body = get(client, "/api/network", **q)
    assert status == 400 and "network too large for orthogonal init" in body["error"]


def test_review_02_semaphore_rejects_when_full_with_503_busy(client) -> None:
    sem = _api._NETWORK_SEMAPHORE
    held = 0
    try:
        while sem.acquire(blocking=False):
            held += 1
        assert held == _api.NETWORK_SLOTS
        status, body = get(client, "/api/network", name="relu", depth=2, width=4, batch=2)
        assert status == 503 and body == {"error": "busy"}
        # curves do not wait for network slots
        status, body = get(client, "/api/curve", name="relu", n=3)
        assert status == 200
    finally:
        for _ in range(held):
            sem.release()
    status, body = get(client, "/api/network", name="relu", depth=2, width=4, batch=2)
    assert status == 200


# -- 4: wide x ranges and input scales -------------------------------------------------------
def test_review_04_widest_range_has_finite_exact_grid(client) -> None:
    status, body = get(client, "/api/curve", name="celu", lo="-1e308", hi="1e308", n=5,
                       dtype="float64")
    assert status == 200, body
    x = body["x"]
    assert all(isinstance(v, float) for v in x), x
    assert x[0] == -1e308 and x[-1] == 1e308 and x[2] == 0.0 and x == sorted(x)
    assert all(isinstance(v, float) for v in body["f"])  # celu(±1e308) is finite


@pytest.mark.parametrize("dtype,lo", [("float16", "-1e5"), ("bfloat16", "-1e39"),
                                      ("float32", "-1e39")])
def test_review_04_range_outside_the_dtype_is_400(client, dtype: str, lo: str) -> None:
    status, body = get(client, "/api/curve", name="celu", lo=lo, hi="1", n=5, dtype=dtype)
    assert status == 400 and f"outside {dtype}'s finite range" in body["error"]


def test_review_04_input_scale_is_capped(client) -> None:
    status, body = get(client, "/api/network", name="celu", input_scale="1e308", depth=2,
                       width=4, batch=2)
    assert status == 400 and "input_scale <= 10000" in body["error"]
    status, body = get(client, "/api/network", name="celu", input_scale="1e4", depth=2,
                       width=4, batch=2)
    assert status == 200 and all(isinstance(v, float) for v in body["var"])


# -- 7: log sliders for wide positive ranges -------------------------------------------------
@pytest.mark.parametrize("name", ["silu", "softplus"])
def test_review_07_beta_slider_is_logarithmic_with_default_mid_way(name: str) -> None:
    import math

    (beta,) = actfn.lookup(name).params
    s = _api.slider(beta)
    assert s == {"min": 1e-16, "max": 1e16, "scale": "log"}
    # the page's sliderPos for a log slider: default 1 sits half-way, not at position 0
    pos = (math.log(1.0) - math.log(s["min"])) / (math.log(s["max"]) - math.log(s["min"]))
    assert abs(pos - 0.5) < 1e-12
    # one of the page's 1000 steps changes beta by a factor, never by 1e13
    assert (s["max"] / s["min"]) ** (1 / 1000) < 1.1


def test_review_07_every_bounded_wide_positive_range_is_log() -> None:
    for n in actfn.names():
        for p in actfn.lookup(n).params:
            s = _api.slider(p)
            if s and p.lower is not None and p.upper is not None and p.lower > 0 \
                    and p.upper / p.lower > 1e3:
                assert s["scale"] == "log", (n, p.name)


# -- 6: per-channel PReLU --------------------------------------------------------------------
def test_review_06_per_channel_prelu_displays_channel_0() -> None:
    act = actfn.get("prelu", weight=[0.1, 0.2, 0.3])
    html = act._repr_html_()
    assert "3 channels: the plot shows channel 0 (weight=0.1)" in html
    assert "<svg" in html and "weight=(0.1, 0.2, 0.3)" in html
    # the plotted curve is channel 0's: same SVG as prelu(weight=0.1)
    from actfn.explore._svg import curve_svg

    assert curve_svg(actfn.get("prelu", weight=0.1)) in html


def test_review_06_api_says_the_explorer_takes_one_slope(client) -> None:
    status, body = get(client, "/api/curve", name="prelu", weight="0.1,0.2")
    assert status == 400
    assert "the explorer plots one channel, so give one weight" in body["error"]
    assert "is not a number" not in body["error"]
    status, body = get(client, "/api/names")
    (w,) = next(a for a in body["activations"] if a["name"] == "prelu")["params"]
    assert w["vector"] is True and w["explorer_channels"] == 1
    status, body = get(client, "/api/curve", name="prelu", weight="0.1", n=3, lo=-1, hi=1,
                       dtype="float64")
    assert status == 200 and body["f"] == [-0.1, 0.0, 1.0]


# -- 10: errors never echo unbounded input ---------------------------------------------------
@pytest.mark.parametrize("path,query", [
    ("/api/curve", {"name": "x" * 10_000}),
    ("/api/curve", {"name": "celu", "alpha": "y" * 10_000}),
    ("/api/network", {"name": "celu", "depth": "9" * 10_000}),
    ("/api/info", {"name": "celu", "lang": "z" * 10_000}),
    ("/api/" + "q" * 5000, {}),
])
def test_review_10_error_messages_are_cut(client, path: str, query: dict) -> None:
    status, body = get(client, path, **query)
    assert status in (400, 404)
    assert 10 < len(body["error"]) <= 300, len(body["error"])


# -- 8: non-loopback hosts and DNS rebinding -------------------------------------------------
@pytest.mark.parametrize("header,ok", [
    ("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True),
    ("192.168.1.5:8000", True), ("localhost", True),
    ("evil.example:8000", False), ("attacker.test", False), ("", False),
])
def test_review_08_host_header_is_checked_against_dns_rebinding(client, header: str,
                                                                ok: bool) -> None:
    for path in ("/api/names", "/", "/api/curve?name=relu&n=3"):
        r = client.get(path, headers={"Host": header})
        if ok:
            assert r.status_code == 200, (path, header)
        else:
            assert r.status_code == 403, (path, header)
            assert "is not served here" in r.get_json()["error"]


def test_review_08_bound_host_name_is_served() -> None:
    from actfn.explore import host_allowed, is_loopback

    assert host_allowed("myhost.lan:8000", "myhost.lan")
    assert not host_allowed("other.lan:8000", "myhost.lan")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_review_08_non_loopback_host_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from actfn import explore
    from actfn.cli import app

    seen: list[tuple] = []
    monkeypatch.setattr(explore, "serve",
                        lambda *a, **kw: (seen.append((a, kw)), kw["on_ready"]("http://x/")))
    r = CliRunner().invoke(app, ["explore", "--no-browser", "--host", "0.0.0.0"])
    assert r.exit_code == 0, r.output
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("actfn: warning: --host 0.0.0.0 is not a loopback address")
    assert seen and seen[0][0][0] == "0.0.0.0"
    r = CliRunner().invoke(app, ["explore", "--no-browser"])
    assert r.exit_code == 0 and r.stderr == "" and "actfn explorer at" in r.stdout


# -- 11: --claims is checked before listening ------------------------------------------------
def test_review_11_missing_claims_report_has_its_own_message(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from actfn import explore
    from actfn.cli import app

    seen: list[object] = []
    monkeypatch.setattr(explore, "serve", lambda *a, **kw: seen.append(a))
    r = CliRunner().invoke(app, ["explore", "--no-browser", "--port", "0", "--claims",
                                 str(tmp_path / "nonexistent")])
    assert r.exit_code == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("actfn: error: --claims: ") and "no claims report here" in line
    assert "cannot listen" not in line and seen == []  # never started listening


# -- 15: /api/config rejects unknown keys like the others ------------------------------------
def test_review_15_config_rejects_unknown_query_keys(client) -> None:
    status, body = get(client, "/api/config", x="1")
    assert status == 400 and body == {"error": "unknown query key(s) 'x'; /api/config takes "
                                               "none"}
    status, body = get(client, "/api/config")
    assert status == 200 and "version" in body


# -- 9: Chinese everywhere the English is ----------------------------------------------------
def test_review_09_valid_range_in_chinese() -> None:
    from actfn import _i18n

    assert _i18n.valid_range(actfn.lookup("celu").params[0], "zh") == "alpha > 0（有限）"
    assert _i18n.valid_range(actfn.lookup("gelu").params[0], "zh") == \
        "approximate 取值：'none'、'tanh'"
    assert _i18n.valid_range(actfn.lookup("silu").params[0], "zh") == \
        "beta >= 1e-16 且 beta <= 1e+16（有限）"
    assert _i18n.valid_range(actfn.lookup("prelu").params[0], "zh") == "weight 为任意有限实数"
    for n in actfn.names():
        for p in actfn.lookup(n).params:
            assert _i18n.valid_range(p, "en") == p.valid_range()
            zh = _i18n.valid_range(p, "zh")
            assert "finite" not in zh and "must" not in zh and p.name in zh


def test_review_09_api_in_chinese_has_chinese_ranges_and_labels_english_sources(client) -> None:
    status, d = get(client, "/api/info", name="celu", lang="zh")
    assert status == 200 and d["params"][0]["valid"] == "alpha > 0（有限）"
    _, names = get(client, "/api/names", lang="zh")
    gelu = next(a for a in names["activations"] if a["name"] == "gelu")
    assert gelu["params"][0]["valid"] == "approximate 取值：'none'、'tanh'"
    _, selu = get(client, "/api/info", name="selu", lang="zh")
    verdicts = [c["verdict"] for c in selu["claims"] if c["verdict"]]
    assert verdicts and all(v["text_lang"] == "en" for v in verdicts)
    assert all(e["title_lang"] == "en" for c in selu["claims"] for e in c["experiments"])
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    assert "（英文原文）" in js  # the page labels them in Chinese
    from actfn import _i18n

    _, thr = get(client, "/api/info", name="threshold", lang="zh")
    assert thr["properties"]["range"] == _i18n.text(actfn.lookup("threshold"), "range_text",
                                                    "zh")


def test_review_09_show_in_chinese_has_chinese_ranges() -> None:
    from typer.testing import CliRunner

    from actfn.cli import app

    r = CliRunner().invoke(app, ["show", "gelu", "--lang", "zh"], env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "取值：'none'、'tanh'" in r.stdout and "must be one of" not in r.stdout
