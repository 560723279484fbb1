"""The HTML report: self-contained, escaped, and usable in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import math
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from lockstep.campaigns import explain, format_card
from lockstep.errors import InputError
from lockstep.reporting import write_report
from lockstep.reporting.data import ReportData, collect
from lockstep.reporting.render import render_html
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


def chromium(width: int, height: int) -> Any:
    """Headless Debian Chromium with networking features off, console and network logs on."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

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
        f"--window-size={width},{height}",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian packages chromium and chromium-driver")
def test_report_in_headless_chromium(hostile: Store, tmp_path: Path) -> None:
    pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.action_chains import ActionChains

    report = write_report(hostile, tmp_path / "report.html").path
    driver = chromium(1400, 1600)
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


@pytest.fixture(scope="module")
def world_data(hostile: Store) -> ReportData:
    return collect(hostile)


def test_findings_come_first_and_settings_last(hostile: Store) -> None:
    html, _, _ = render_html(collect(hostile))
    order = [html.index(f'id="{s}"') for s in ("findings", "network", "campaign-1", "campaign-2", "appendix")]
    assert order == sorted(order)
    assert html.index("Run settings") > html.index('id="campaign-3"')
    assert "world.csv" in html and str(Path(hostile.path).parent) not in html  # no local folders by default
    shown = render_html(collect(hostile, show_paths=True))[0]
    assert str(Path(hostile.path).parent / "world.csv") in shown


def test_campaign_number_is_the_rank(hostile: Store) -> None:
    ranks = dict(hostile.con.execute("SELECT rank, campaign FROM campaigns").fetchall())
    for rank, community in ranks.items():
        only = collect(hostile, campaign=int(rank))
        assert [(c["rank"], c["campaign"]) for c in only.campaigns] == [(rank, community)]
        assert only.title == f"Lockstep report: campaign #{rank}"
    with pytest.raises(InputError, match="no campaign #99"):
        collect(hostile, campaign=99)


def test_names_confidence_and_zone(world_data: ReportData) -> None:
    by_name = {c["name"]: c for c in world_data.campaigns}
    fans = by_name["#tstheerastour / #erasday0 / #erasday1"]
    assert fans["examples"][0]["key"] == "tstheerastour" and fans["examples"][0]["accounts"] == 6
    ops = next(
        c
        for c in world_data.campaigns
        if OPS[0] in c["actors"]["top_accounts"] or OPS[1] in c["actors"]["top_accounts"]
    )
    assert ops["name"] == "script / pwned / window"  # terms of the hostile posts: shown escaped
    assert ops["zone"] == {
        "offset_hours": 8.0,
        "label": "UTC+8 (China, Singapore)",
        "source": "inferred from posting hours",
    }
    assert ops["created"]["first"] == "2023-02-01" and ops["created"]["unknown"] == 0
    assert all(c["confidence"] in ("strong", "moderate", "weak") for c in world_data.campaigns)


def test_evidence_pairs_are_the_stored_posts(hostile: Store, world_data: ReportData) -> None:
    ops = next(c for c in world_data.campaigns if c["zone"]["offset_hours"] == 8.0)
    assert len(ops["evidence"]) == 6
    pairs = set()
    for e in ops["evidence"]:
        a, b = e["first"], e["second"]
        assert {a["account"], b["account"]} <= set(OPS) and a["time"] <= b["time"]
        pairs.add(frozenset((a["account"], b["account"])))
        for side in (a, b):
            text, created = hostile.con.execute(
                "SELECT text, strftime(created_at, '%Y-%m-%d %H:%M:%S') FROM posts WHERE post_id = ?", [side["post"]]
            ).fetchone()
            assert (side["text"], side["time"]) == (text, created)
            assert side["link"] == f"https://twitter.com/{side['handle']}/status/{side['post']}"
        gap = hostile.con.execute(
            "SELECT min(gap_s) FROM evidence WHERE account_a = least(?, ?) AND account_b = greatest(?, ?)",
            [a["account"], b["account"], a["account"], b["account"]],
        ).fetchone()[0]
        assert e["gap_s"] == gap
    assert len(pairs) == 6  # one co-action per account pair
    weights = [e["weight"] for e in ops["evidence"]]
    assert weights == sorted(weights, reverse=True)


def test_cards_list_shared_items_and_timestamps_to_the_second(world_data: ReportData) -> None:
    card = world_data.cards[OPS[1]]
    assert card["campaign"] in {c["rank"] for c in world_data.campaigns}
    link = card["links"][0]
    assert link["handle"] == link["account"] and link["items"]
    assert all(i["trace"] in link["traces"] for i in link["items"])
    assert all(len(c["created"]) == 19 for c in world_data.cards.values() if c["created"])
    for c in world_data.campaigns:
        assert len(c["period"]["first_post"]) == 19 and "." not in c["period"]["first_post"]


def test_hostile_text_in_evidence_and_names_is_escaped(hostile: Store) -> None:
    html, _, _ = render_html(collect(hostile))
    body = html.split('<script type="application/json"', 1)[0]
    assert "<script>window" not in body and "&lt;script&gt;window.__pwned" in body
    assert "\u202e" not in body


def test_explain_says_unknown_not_none(hostile: Store) -> None:
    text = format_card(explain(hostile, OPS[0]))
    assert "None" not in text and "campaign   #" in text


CHROMIUM_FOR_PDF = shutil.which("chromium")


@pytest.mark.skipif(not CHROMIUM_FOR_PDF, reason="needs the Debian package chromium")
def test_pdf(hostile: Store, tmp_path: Path) -> None:
    from lockstep.reporting.pdf import html_to_pdf

    report = write_report(hostile, tmp_path / "r.html", assets=False).path
    pdf = html_to_pdf(report, tmp_path / "r.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000


def test_campaign_name_fallbacks() -> None:
    from lockstep.campaigns.naming import campaign_name, confidence_words

    reposting = {
        "content": {"hashtags": [], "top_terms": [], "domains": [["t.co", 9]]},
        "distribution": {"targets_mentioned": []},
        "behaviour": {"traces": [{"trace": "co-retweet", "edges": 9, "best_p_value": 0.2}]},
        "actors": {"top_accounts": ["lucy1", "lucy2"], "accounts": 6},
    }
    assert campaign_name(reposting) == "co-retweet network around lucy1"
    assert campaign_name(
        {"content": {"domains": [["rt.com", 3]]}, "distribution": {"targets_mentioned": [["nato", 2]]}}
    ) == ("rt.com / @nato")
    assert campaign_name({"content": {"hashtags": [["a" * 70, 1]]}}) == "#" + "a" * 58 + "…"
    assert confidence_words(reposting) == (
        "weak",
        "1 trace (co-retweet), coordination score 0.00, best null-model p 0.200, 0% of edges significant",
    )


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian packages chromium and chromium-driver")
def test_report_reads_at_900px_with_posts_side_by_side(hostile: Store, tmp_path: Path) -> None:
    """Sections in order, evidence pairs, labels and legend at 900 px and in print; a screenshot per section."""
    data = collect(hostile)
    report = write_report(hostile, tmp_path / "report.html", assets=False).path
    shots = tmp_path / "screenshots"
    shots.mkdir()
    driver = chromium(900, 1200)
    try:
        driver.get(report.as_uri())
        ids = ["findings", "network", *(f"campaign-{c['rank']}" for c in data.campaigns), "appendix"]
        tops = [
            driver.execute_script(f"return document.getElementById('{i}').getBoundingClientRect().top") for i in ids
        ]
        assert tops == sorted(tops)
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 900  # no sideways scrolling
        rows = driver.find_elements("css selector", "#findings-table tr")[1:]
        assert [r.find_elements("css selector", "td")[1].text for r in rows] == [c["name"] for c in data.campaigns]
        legend = driver.find_element("id", "campaign-legend").text
        assert all(f"#{c['rank']} {c['name']}" in legend for c in data.campaigns)
        mode = driver.execute_script("return window.lockstepView.mode")
        label_css = ".cluster-tag" if mode == "webgl" else "#graph-fallback text.cluster-label"
        labels = [e.get_attribute("textContent") for e in driver.find_elements("css selector", label_css)]
        assert labels == [f"#{c['rank']} {c['name']}" for c in data.campaigns]
        for c in data.campaigns:
            section = driver.find_element("id", f"campaign-{c['rank']}")
            pairs = section.find_elements("css selector", ".pair")
            assert len(pairs) == len(c["evidence"]) > 0
            for pair, ev in zip(pairs, c["evidence"], strict=True):
                sides = pair.find_elements("css selector", ".side-post")
                assert len(sides) == 2
                left, right = (s.find_element("css selector", ".post").text for s in sides)
                assert (left, right) == (ev["first"]["text"].strip(), ev["second"]["text"].strip())
                boxes = [s.rect for s in sides]
                assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]  # side by side, not stacked
            assert c["zone"]["label"] in section.find_element("css selector", ".zone").text
            section.find_elements("css selector", ".pair")[0].screenshot(str(shots / f"campaign-{c['rank']}-pair.png"))
        for name in ("findings", "network", "appendix"):
            driver.find_element("id", name).screenshot(str(shots / f"{name}.png"))
        assert all(p.stat().st_size > 5_000 for p in shots.iterdir()) and len(list(shots.iterdir())) == 3 + len(ids) - 3
        driver.execute_script("window.lockstepView.showCard(arguments[0])", OPS[1])
        card = driver.find_element("id", "card")
        link = data.cards[OPS[1]]["links"][0]
        partners = card.find_elements("css selector", "a[data-partner]")
        assert partners[0].text == "@" + link["handle"]
        items = partners[0].find_elements("xpath", "..//ul[@class='items']/li")
        assert [i.text for i in items] == [
            f"[{it['trace']}] {it['item']} ({math.floor(it['gap_s'] + 0.5)} s apart)" for it in link["items"]
        ]
        partners[0].click()  # a partner opens its own card
        assert card.get_attribute("data-account") == link["account"]
        assert driver.execute_script("return window.__pwned === undefined")
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        shown = driver.execute_script(
            "return [getComputedStyle(document.getElementById('graph')).display,"
            " getComputedStyle(document.getElementById('graph-fallback')).display]"
        )
        assert shown == ["none", "block"]  # print uses the static network with its labels
    finally:
        driver.quit()


def test_readme_screenshots_exist() -> None:
    root = Path(__file__).resolve().parents[1]
    refs = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+)\)", (root / "README.md").read_text(encoding="utf-8"))
    assert {"docs/images/demo_report_top.png", "docs/images/demo_report_campaign.png"} <= set(refs)
    assert all((root / r).stat().st_size > 20_000 for r in refs)


def test_campaign_numbers_resolve_to_communities(hostile: Store) -> None:
    from lockstep.campaigns.explain import community_of_campaign

    for rank, community in hostile.con.execute("SELECT rank, campaign FROM campaigns").fetchall():
        assert community_of_campaign(hostile, int(rank)) == community
    with pytest.raises(InputError, match="no campaign #0"):
        community_of_campaign(hostile, 0)
