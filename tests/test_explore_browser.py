"""The explorer page in a real headless Chromium (Selenium), against a server on 127.0.0.1.

Moving a parameter slider changes the plotted curve, the wheel zooms, the pointer reads
values off, the deep-network controls redraw, the language switch changes the text, and
the console stays free of errors. A screenshot of every panel in English and Chinese is
saved to the test's tmp folder and copied to ``$ACTFN_SCREENSHOTS`` when that is set.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib.image as mpimg
import pytest

PANELS = ("panel-curves", "panel-dtype", "panel-network", "panel-info")


def _browser() -> tuple[str, str] | None:
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chrome, driver) if chrome and driver else None


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    from actfn.explore import create_app, make_server

    server = make_server(create_app(), "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # stop from inside the server's own loop (closing its sockets from this thread
        # races with the loop): requests in flight finish first, then every socket closes
        # and the loop, left with nothing to watch, returns
        from waitress import wasyncore

        server.task_dispatcher.shutdown()
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=30)
        assert not thread.is_alive()


@pytest.fixture(scope="module")
def driver(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # depends on base_url so that the browser quits before the server closes
    found = _browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        found = None
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("browser test cannot run in CI: chromium/chromedriver/selenium missing")
        pytest.skip("chromium, chromedriver or selenium not installed")
    chrome, driver_path = found
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    profile = tmp_path_factory.mktemp("profile")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=1400,1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(driver_path), options=opts)
    drv.set_script_timeout(60)
    try:
        yield drv
    finally:
        drv.get("about:blank")  # no request left in flight when the server closes
        drv.quit()


def wait_for(check: Callable[[], Any], what: str, timeout: float = 90.0) -> Any:
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def path_d(drv: Any, svg: str, series: str) -> str | None:
    return drv.execute_script(
        "const p = document.querySelector(`#${arguments[0]} path[data-series='${arguments[1]}']`);"
        "return p ? p.getAttribute('d') : null;", svg, series)


def console_errors(drv: Any) -> list[dict]:
    return [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]


def shoot(drv: Any, tmp: Path, lang: str) -> list[Path]:
    out = []
    # a window as tall as the page, so no panel is cut at the bottom of the viewport
    height = drv.execute_script("return document.documentElement.scrollHeight")
    drv.set_window_size(1400, min(int(height) + 200, 6000))
    time.sleep(0.4)
    for panel in PANELS:
        el = drv.find_element("id", panel)
        drv.execute_script("window.scrollTo(0, arguments[0].getBoundingClientRect().top"
                           " + window.scrollY - 64)", el)
        time.sleep(0.4)
        shot = tmp / f"explore-{panel.removeprefix('panel-')}-{lang}.png"
        assert el.screenshot(str(shot))
        img = mpimg.imread(shot)
        assert img.shape[0] >= 150 and img.shape[1] >= 600
        assert img[..., :3].std() > 0.03  # not blank
        out.append(shot)
    drv.execute_script("window.scrollTo(0, 0)")
    full = tmp / f"explore-page-{lang}.png"
    assert drv.save_screenshot(str(full))
    out.append(full)
    drv.set_window_size(1400, 1000)
    dest = os.environ.get("ACTFN_SCREENSHOTS")
    if dest:
        Path(dest).mkdir(parents=True, exist_ok=True)
        for p in out:
            shutil.copy(p, Path(dest) / p.name)
    return out


def test_explorer_in_headless_chromium(driver: Any, base_url: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
    from selenium.webdriver.common.keys import Keys

    drv = driver
    drv.get(f"{base_url}/?name=celu,selu,sigmoid,relu")
    wait_for(lambda: path_d(drv, "plot-curves", "celu:f"), "the celu curve")
    wait_for(lambda: path_d(drv, "plot-net-var", "sigmoid"), "the network plot")
    wait_for(lambda: path_d(drv, "plot-dtype", "bfloat16"), "the dtype plot")
    wait_for(lambda: drv.find_elements("css selector", "#info .katex"), "KaTeX formulas")
    assert drv.title == "actfn explorer"
    # every registered activation can be added
    import actfn

    options = drv.execute_script(
        "return Array.from(document.querySelectorAll('#add-select option'))"
        ".map(o => o.value).filter(v => v)")
    # elementwise first, then the gated units (their own group)
    assert options == actfn.names() + actfn.names(kind="gated")

    # 1. moving the alpha slider (keyboard on the real control) changes the plotted data
    before = path_d(drv, "plot-curves", "celu:f")
    slider = drv.find_element("css selector", ".card[data-name=celu] input[data-param=alpha]")
    box = drv.find_element("css selector", ".card[data-name=celu] input[type=number]")
    assert float(box.get_attribute("value")) == 1.0
    slider.click()
    slider.send_keys(*[Keys.ARROW_LEFT] * 150)
    wait_for(lambda: path_d(drv, "plot-curves", "celu:f") != before, "the celu curve to move")
    alpha = float(box.get_attribute("value"))
    assert 0.01 <= alpha < 1.0
    selu_box = drv.find_element("css selector", ".card[data-name=selu] input[type=number]")
    assert float(selu_box.get_attribute("value")) == actfn.lookup("selu").params[0].default
    # the page's data is the API's: celu at that alpha
    last = drv.execute_script(
        "const r = await fetch(`/api/curve?name=celu&alpha=${arguments[0]}&lo=-3&hi=3&n=3`);"
        "return (await r.json()).f[0];", alpha)
    assert last == float(actfn.get("celu", alpha=alpha)(__import__("numpy").float32(-3)))

    # 2. values read off under the cursor
    plot = drv.find_element("id", "plot-curves")
    ActionChains(drv).move_to_element_with_offset(plot, 40, 0).perform()
    wait_for(lambda: "celu: x = " in drv.find_element("id", "readout").text, "the readout")

    # 3. the wheel zooms in around the cursor
    lo = float(drv.find_element("id", "x-lo").get_attribute("value"))
    ActionChains(drv).scroll_from_origin(ScrollOrigin.from_element(plot), 0, -300).perform()
    wait_for(lambda: float(drv.find_element("id", "x-lo").get_attribute("value")) > lo,
             "the x range to shrink")

    # 4. deep network: He init makes SELU's variance explode
    var_before = path_d(drv, "plot-net-var", "selu")
    drv.find_element("css selector", "#net-init option[value=he]").click()
    wait_for(lambda: path_d(drv, "plot-net-var", "selu") != var_before, "the network to redraw")

    # 5. low precision: celu's f′ = exp(x/α) near 0⁻ is a staircase in bfloat16
    bf16 = path_d(drv, "plot-dtype", "bfloat16")
    drv.find_element("css selector", "#dtype-what option[value=df]").click()
    wait_for(lambda: path_d(drv, "plot-dtype", "bfloat16") != bf16, "the f′ dtype plot")
    assert "bfloat16" in drv.find_element("id", "dtype-errors").text

    assert not console_errors(drv)
    en_shots = shoot(drv, tmp_path, "en")

    # 6. the language switch changes the text, the knowledge included
    heading = drv.find_element("css selector", "#panel-curves h2")
    assert heading.text == "Curves"
    drv.find_element("id", "lang-toggle").click()
    wait_for(lambda: heading.text == "曲线", "the Chinese heading")
    wait_for(lambda: "优点" in drv.find_element("id", "info").text, "Chinese knowledge")
    from actfn import _i18n

    spec = actfn.lookup("celu")
    info_text = drv.find_element("id", "info").text
    assert _i18n.prose(spec, "zh").strengths[0] in info_text
    assert _i18n.text(spec, "summary", "zh") in info_text
    # the parameter's meaning in the sidebar follows the language too
    wait_for(lambda: _i18n.text(spec, "param:alpha", "zh") in
             drv.find_element("css selector", ".card[data-name=celu]").text, "Chinese docs")
    assert drv.title == "actfn 探索器"
    assert drv.find_element("id", "lang-toggle").text == "English"
    # the CJK font subset is loaded from the package, not from the system
    assert drv.execute_script(
        "await document.fonts.ready; return document.fonts.check('16px ActfnCJK', '曲线');")
    time.sleep(0.5)
    assert not console_errors(drv)
    zh_shots = shoot(drv, tmp_path, "zh")
    assert len(en_shots) == len(zh_shots) == len(PANELS) + 1

    # 7. a bad value in a number box shows the API's message, not a broken page
    box = drv.find_element("css selector", ".card[data-name=celu] input[type=number]")
    box.clear()
    box.send_keys("-1", Keys.ENTER)
    wait_for(lambda: "alpha=-1.0 is out of range" in drv.find_element("id", "error").text,
             "the API's error message on the page")
    # leave the page: a request for alpha=-1 still in flight (the dtype panel asks
    # separately) is cancelled instead of logging its 400 during the next test
    drv.get("about:blank")
    errors = console_errors(drv)
    # the only console entry allowed: the browser logging the 400 answer itself
    assert all("400" in e["message"] for e in errors), errors


def test_atlas_links_open_the_activation(driver: Any, base_url: str) -> None:
    from actfn.atlas._build import EXPLORER_URL

    link = EXPLORER_URL.format(name="swish")  # an alias, as a user might type it
    fragment = link.split("/", 3)[3]
    assert fragment.startswith("#name=")
    driver.get(f"{base_url}/{fragment}")
    wait_for(lambda: path_d(driver, "plot-curves", "silu:f"), "the silu curve")
    assert [c.get_attribute("data-name") for c in
            driver.find_elements("css selector", "#overlays .card")] == ["silu"]
    driver.execute_script("location.hash = '#name=tanh,relu'")
    wait_for(lambda: path_d(driver, "plot-curves", "relu:f"), "the relu curve")
    assert [c.get_attribute("data-name") for c in
            driver.find_elements("css selector", "#overlays .card")] == ["tanh", "relu"]
    assert not console_errors(driver)


def test_review_03_narrow_screen_has_no_horizontal_scroll(driver: Any, base_url: str,
                                                          tmp_path: Path) -> None:
    drv = driver
    drv.set_window_size(375, 800)
    try:
        drv.get(f"{base_url}/?name=celu,selu")
        wait_for(lambda: path_d(drv, "plot-curves", "celu:f"), "the celu curve")
        wait_for(lambda: path_d(drv, "plot-net-var", "selu"), "the network plot")
        wait_for(lambda: drv.find_elements("css selector", "#info h3"), "the knowledge")
        inner = drv.execute_script("return window.innerWidth")
        assert inner <= 380, inner  # the window really is narrow
        width = drv.execute_script("return document.documentElement.scrollWidth")
        assert width <= 380, width
        # the activations sit above the panels, not beside them
        aside, panels = (drv.find_element("id", i).rect for i in ("overlays", "panels"))
        assert aside["y"] + aside["height"] <= panels["y"] + 1
        assert drv.save_screenshot(str(tmp_path / "explore-375x800.png"))
        assert not console_errors(drv)
    finally:
        drv.set_window_size(1400, 1000)


def test_review_04_zoom_limits_and_deep_zoom_in(driver: Any, base_url: str) -> None:
    drv = driver
    drv.get(f"{base_url}/?name=celu")
    wait_for(lambda: path_d(drv, "plot-curves", "celu:f"), "the celu curve")
    # zoom out to ±1e308: limited, and the plot stays drawable (no NaN in the path)
    drv.execute_script("setRange(-1e308, 1e308)")
    wait_for(lambda: drv.find_element("id", "x-hi").get_attribute("value") == "1000000000000",
             "the zoom-out limit")
    time.sleep(1.0)
    d = path_d(drv, "plot-curves", "celu:f")
    assert d and "NaN" not in d
    # zoom in far below the old stall at a span of ~5e-8
    drv.execute_script("setRange(0.5, 0.5 + 1e-10)")
    wait_for(lambda: float(drv.find_element("id", "x-hi").get_attribute("value")) -
             float(drv.find_element("id", "x-lo").get_attribute("value")) < 2e-10,
             "the deep zoom-in")
    lo, hi = drv.execute_script("return [state.lo, state.hi]")
    assert 0 < hi - lo < 2e-10
    drv.execute_script("setRange(state.lo + (state.hi - state.lo) * 0.1,"
                       " state.hi - (state.hi - state.lo) * 0.1)")
    lo2, hi2 = drv.execute_script("return [state.lo, state.hi]")
    assert hi2 - lo2 < hi - lo  # still zooms in
    time.sleep(1.0)
    d = path_d(drv, "plot-curves", "celu:f")
    assert d and "NaN" not in d
    assert not console_errors(drv)


def test_review_09_readout_hint_follows_the_language(driver: Any, base_url: str) -> None:
    drv = driver
    drv.get(f"{base_url}/?name=celu")
    wait_for(lambda: path_d(drv, "plot-curves", "celu:f"), "the celu curve")
    assert "read values" in drv.find_element("id", "readout").text
    drv.find_element("id", "lang-toggle").click()
    wait_for(lambda: "读数" in drv.find_element("id", "readout").text, "the Chinese hint")
    drv.find_element("id", "lang-toggle").click()


def test_gated_unit_up_slider_properties_and_chinese(driver: Any, base_url: str) -> None:
    """A gated unit beside an elementwise one: plotted along the gate with ∂f/∂up, its up
    slider redraws the curve, swiglu_clamped's limit slider exists, the knowledge panel
    shows its properties (in Chinese too), and the network keeps the elementwise overlay."""
    from selenium.webdriver.common.keys import Keys

    drv = driver
    drv.get(f"{base_url}/?name=swiglu_clamped,relu")
    wait_for(lambda: path_d(drv, "plot-curves", "swiglu_clamped:f"), "the gated curve")
    assert path_d(drv, "plot-curves", "swiglu_clamped:du")
    wait_for(lambda: path_d(drv, "plot-net-var", "relu"), "the network of relu")
    assert path_d(drv, "plot-net-var", "swiglu_clamped") is None
    assert drv.find_element("id", "net-note").text
    card = ".card[data-name=swiglu_clamped]"
    assert drv.find_elements("css selector", f"{card} input[data-param=limit]")
    # f, f′, f″ scale with b(up) and so does the autoscaled y axis: ∂f/∂up = a(gate) does not
    before = path_d(drv, "plot-curves", "swiglu_clamped:du")
    up = drv.find_element("css selector", f"{card} input[data-param=up]")
    up.click()
    up.send_keys(Keys.ARROW_RIGHT * 20)
    wait_for(lambda: path_d(drv, "plot-curves", "swiglu_clamped:du") != before,
             "the up slider to redraw")
    wait_for(lambda: "monotone in gate" in drv.find_element("id", "info").text, "gated props")
    drv.find_element("id", "lang-toggle").click()
    wait_for(lambda: "对 gate 单调" in drv.find_element("id", "info").text, "Chinese props")
    assert "gate_first=True" in drv.find_element("id", "info").text
    assert not console_errors(drv)
