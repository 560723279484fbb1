"""The HTML report: self-contained, escaped, and usable in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from lockstep.report import write_report
from lockstep.report.data import collect
from lockstep.report.render import render_html
from lockstep.store import Store

from .worlds import OPS, build_world_store

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "javascript:window.__pwned=3",
    "abc\u202eevil\u202c and zero\u200bwidth",
    "</script><script>window.__pwned=4</script>",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The seeded world, with one operation account whose bio, handle and posts are attacks."""
    tmp = tmp_path_factory.mktemp("hostile")
    extra = [
        {
            "account_id": OPS[0],
            "handle": OPS[0],
            "created_at": "2023-03-06 02:00:00",
            "kind": "original",
            "text": p,
            "followers": "0",
            "account_created_at": "2023-02-01",
            "description": PAYLOADS[1] + " " + PAYLOADS[3],
            "urls": "['javascript:window.__pwned=5']",
        }
        for p in PAYLOADS
    ]
    return build_world_store(tmp, extra)


def test_report_is_single_file_and_offline(hostile: Store, tmp_path: Path) -> None:
    result = write_report(hostile, tmp_path / "r.html", assets=True)
    html = result.path.read_text(encoding="utf-8")
    assert result.campaigns >= 3 and result.nodes >= 15
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert "Content-Security-Policy" in html and "connect-src 'none'" in unescape(html)
    assert html.count("<script") == 3  # the data block, the vendored library, our script
    assert (tmp_path / "r_files" / "network.svg").exists()


def test_attacker_text_is_escaped(hostile: Store) -> None:
    html, _, net = render_html(collect(hostile))
    for bad in ("<script>window.__pwned", "<img src=x", 'onerror="window', 'href="javascript:'):
        assert bad not in html, bad
    data = html.split('<script type="application/json" id="lockstep-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and json.loads(data)["cards"][OPS[0]]["bio"] == PAYLOADS[1] + " " + PAYLOADS[3]
    assert "<img" not in net


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian packages chromium and chromium-driver")
def test_report_in_headless_chromium(hostile: Store, tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains

    report = write_report(hostile, tmp_path / "report.html").path
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-sync",
        "--disable-background-networking",
        "--disable-component-update",
        "--window-size=1400,1600",
        "--disable-dev-shm-usage",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        driver.get(report.as_uri())
        mode = driver.execute_script("return window.lockstepView && window.lockstepView.mode")
        assert mode in ("webgl", "svg")
        pos = driver.execute_script("return window.lockstepView.nodeScreenPosition(arguments[0])", OPS[1])
        assert pos is not None
        ActionChains(driver).move_by_offset(int(pos["x"]), int(pos["y"])).click().perform()
        card = driver.find_element("id", "card")
        if card.get_attribute("data-account") != OPS[1]:  # a label may sit over the node: open it from the list
            driver.execute_script("window.lockstepView.showCard(arguments[0])", OPS[1])
        assert card.get_attribute("data-account") == OPS[1]
        assert "Why: strongest links" in card.text
        driver.execute_script("window.lockstepView.showCard(arguments[0])", OPS[0])
        assert PAYLOADS[1] in card.text  # the hostile bio is shown as text, not run
        assert "[U+202E]" in card.text and "\u202e" not in card.text  # the override is made visible
        assert driver.execute_script("return window.__pwned === undefined")
        shot = tmp_path / "report.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        requests = []
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                requests.append(msg["params"]["request"]["url"])
        assert [u for u in requests if not u.startswith(("file:", "data:", "about:"))] == []
    finally:
        driver.quit()
