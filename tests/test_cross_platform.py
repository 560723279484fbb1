"""One operation planted across Telegram, Bluesky and X among organic noise: linked as one campaign.

Inputs are written in formats that ingest today: Telegram as a generic CSV (``--map platform=telegram``),
Bluesky in the Bluesky CSV layout (``tests/fixtures/bluesky_posts.csv``) and X as twarc2 flattened JSON lines.
Three personas with similar handles post the same five texts, each with the same article URL (and, on
Telegram and X, the same image by PDQ hash),
within minutes of each other; sixty organic accounts (twenty a platform) post their own texts, and share a
few popular URLs hours apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest

from lockstep import ingest
from lockstep.analysis import analyze
from lockstep.reporting.data import collect
from lockstep.reporting.render import render_html
from lockstep.store import Store
from lockstep.traces import DetectParams, detect
from lockstep.traces.cross_platform import CROSS_PLATFORM, split_account
from lockstep.traces.persona import Profile, compare, link_profiles

START = dt.datetime(2024, 5, 6, 9, 0)
NARRATIVES = [
    "The port authority is hiding the real cost of the new harbour contract from taxpayers",
    "Leaked memo shows the ferry strike was planned by foreign consultants months ago",
    "Why is nobody asking who profits from closing the northern shipping lane this summer",
    "Residents report that the harbour water tests were quietly changed before the vote",
    "Independent engineers warn the new bridge design was copied from a failed project abroad",
]
WORDS = [
    "coffee",
    "morning",
    "garden",
    "rain",
    "train",
    "music",
    "bread",
    "market",
    "river",
    "walk",
    "school",
    "book",
    "friend",
    "city",
    "dinner",
    "film",
    "weekend",
    "holiday",
    "football",
    "paint",
    "cat",
    "dog",
    "office",
    "meeting",
    "bike",
    "park",
    "summer",
    "winter",
    "kitchen",
    "lunch",
    "tea",
]
POPULAR = ["https://news.example.com/weather/storm-update", "https://sport.example.net/final-score"]
# ids of the planted personas (platform, account id)
OPERATION = {
    ("telegram", "tg_harbour_truth"),
    ("bluesky", "did:plc:harbourtruth0001"),
    ("twitter", "990000000000000001"),
}


def _organic_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))


def _plant(tmp: Path, seed: int = 7) -> tuple[Path, Path, Path]:
    rng = random.Random(seed)
    tg_rows: list[dict[str, Any]] = []
    bs_rows: list[dict[str, Any]] = []
    x_lines: list[dict[str, Any]] = []

    def tg(acct: str, handle: str, name: str, bio: str, t: dt.datetime, text: str, media: str = "") -> None:
        tg_rows.append(
            {
                "post_id": f"tg{len(tg_rows) + 1}",
                "account_id": acct,
                "handle": handle,
                "display_name": name,
                "bio": bio,
                "created_at": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "text": text,
                "media": media,
            }
        )

    def bs(did: str, handle: str, name: str, bio: str, t: dt.datetime, text: str, urls: list[str]) -> None:
        n = len(bs_rows) + 1
        bs_rows.append(
            {
                "uri": f"at://{did}/app.bsky.feed.post/3k{n:011d}",
                "cid": f"bafyrei{n:020d}",
                "text": text,
                "created_at": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "author_handle": handle,
                "author_did": did,
                "author_display_name": name,
                "author_description": bio,
                "urls": json.dumps(urls),
            }
        )

    def x(
        uid: str, handle: str, name: str, bio: str, t: dt.datetime, text: str, url: str | None, media: str = ""
    ) -> None:
        n = len(x_lines) + 1
        tweet: dict[str, Any] = {
            "id": str(1790000000000000000 + n),
            "text": text,
            "created_at": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "author_id": uid,
            "lang": "en",
            "author": {"id": uid, "username": handle, "name": name, "description": bio},
        }
        if url:
            tweet["entities"] = {"urls": [{"url": "https://t.co/x", "expanded_url": url}]}
        if media:
            tweet["attachments"] = {"media_keys": [f"3_{n}"], "media": [{"media_key": f"3_{n}", "url": media}]}
        x_lines.append(tweet)

    bio = "Independent voice on harbour politics, shipping and the people who pay for it all"
    for i, narrative in enumerate(NARRATIVES):
        t0 = START + dt.timedelta(hours=5 * i, minutes=rng.randint(0, 30))
        url = f"https://harbour-files.example.org/story/{i + 1}?utm_source=share&utm_medium={i}"
        media = f"photos/photo_{i + 1}@06-05-2024_09-00-00.jpg"  # as Telegram Desktop exports name them
        tg("tg_harbour_truth", "harbour_truth", "Harbour Truth", bio, t0, f"{narrative} {url}", media)
        bs(
            "did:plc:harbourtruth0001",
            "harbourtruth.bsky.social",
            "Harbour Truth",
            bio,
            t0 + dt.timedelta(minutes=2, seconds=rng.randint(0, 50)),
            f"{narrative} {url.split('?')[0]}",
            [url.split("?")[0]],
        )
        x(
            "990000000000000001",
            "harbour_truth24",
            "Harbour Truth 24",
            bio,
            t0 + dt.timedelta(minutes=4, seconds=rng.randint(0, 50)),
            f"{narrative} https://t.co/x",
            url + "&fbclid=abc",
            f"https://pbs.twimg.com/media/GN{i + 1}xYz.jpg",
        )
    for k in range(20):
        for j in range(5):
            t = START + dt.timedelta(seconds=rng.randint(0, 86_400 * 2))
            popular = POPULAR[(k + j) % 2] if j == 0 else None
            text = _organic_text(rng) + (f" {popular}" if popular else "")
            tg(f"tg_user{k}", f"reader{k}_tg", f"Reader {k} TG", "", t, text)
            t = START + dt.timedelta(seconds=rng.randint(0, 86_400 * 2))
            text = _organic_text(rng)
            bs(f"did:plc:organic{k:012d}", f"walker{k}.bsky.social", f"Walker {k}", "", t, text, [])
            t = START + dt.timedelta(seconds=rng.randint(0, 86_400 * 2))
            popular = POPULAR[(k + j + 1) % 2] if j == 1 else None
            x(f"88000000000000{k:04d}", f"fan_{k}_of_things", f"Fan {k}", "", t, _organic_text(rng), popular)
    tg_path, bs_path, x_path = tmp / "telegram_channel.csv", tmp / "bluesky_posts.csv", tmp / "x_tweets.jsonl"
    for path, rows in ((tg_path, tg_rows), (bs_path, bs_rows)):
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    x_path.write_text("".join(json.dumps(t) + "\n" for t in x_lines), encoding="utf-8")
    return tg_path, bs_path, x_path


TELEGRAM_MAP = {
    "platform": "telegram",
    "post_id": "post_id",
    "account_id": "account_id",
    "created_at": "created_at",
    "text": "text",
    "handle": "handle",
    "display_name": "display_name",
    "description": "bio",
    "media": "media",
}


@pytest.fixture
def planted(store: Store, tmp_path: Path) -> Store:
    tg_path, bs_path, x_path = _plant(tmp_path)
    ingest(store, [tg_path], format="generic", mapping=TELEGRAM_MAP)
    report = ingest(store, [bs_path, x_path])
    assert [f.format for f in report.files] == ["bluesky-csv", "twarc2"]
    assert store.con.execute("SELECT platform, count(*) FROM posts GROUP BY 1 ORDER BY 1").fetchall() == [
        ("bluesky", 105),
        ("telegram", 105),
        ("twitter", 105),
    ]
    # the two platforms' copies of each image hash alike (what `lockstep media hash` writes)
    for i in range(len(NARRATIVES)):
        pdq = f"{i + 1:x}" * 64
        for ref in (f"photos/photo_{i + 1}@06-05-2024_09-00-00.jpg", f"https://pbs.twimg.com/media/GN{i + 1}xYz.jpg"):
            store.con.execute("INSERT INTO media_hashes VALUES (?, 'pdq', ?, 100, 'test')", [ref, pdq[:64]])
    detect(store, params=DetectParams(seed=1))
    analyze(store, seed=1)
    return store


def test_operation_across_three_platforms_is_one_campaign(planted: Store) -> None:
    camps = planted.con.execute("SELECT campaign, platform, accounts, summary FROM campaigns").fetchall()
    assert len(camps) == 1
    cid, platform, accounts, summary_json = camps[0]
    summary = json.loads(summary_json)
    members = set(
        planted.con.execute("SELECT platform, account_id FROM account_scores WHERE community = ?", [cid]).fetchall()
    )
    assert members == OPERATION and accounts == 3
    assert summary["platforms"] == ["bluesky", "telegram", "twitter"]
    assert summary["distribution"]["platforms"] == ["bluesky", "telegram", "twitter"]
    assert platform in summary["platforms"]
    traces = {t["trace"] for t in summary["behaviour"]["traces"]}
    assert {"cross-platform-text", "cross-platform-url", "cross-platform-media", "cross-platform-persona"} <= traces
    assert {"T0119.002", "T0144.001"} <= {t["id"] for t in summary["techniques"]}
    assert summary["effect"]["breakout_category"] == 2  # on three platforms
    evidence = summary["cross_platform"]
    assert evidence and all(e["platform_a"] != e["platform_b"] for e in evidence)
    pairs = {frozenset([(e["platform_a"], e["account_a"]), (e["platform_b"], e["account_b"])]) for e in evidence}
    assert len(pairs) == 3  # every pair of the three personas
    text_rows = [e for e in evidence if e["trace"] == "cross-platform-text"]
    assert text_rows and all(e["gap_s"] <= 600 for e in text_rows)
    assert all(e["text_a"] and e["text_b"] for e in text_rows)


def test_organic_noise_is_not_linked(planted: Store) -> None:
    linked = planted.con.execute(
        f"SELECT DISTINCT account_a FROM edges WHERE platform = '{CROSS_PLATFORM}' "
        f"UNION SELECT DISTINCT account_b FROM edges WHERE platform = '{CROSS_PLATFORM}'"
    ).fetchall()
    assert {split_account(a) for (a,) in linked} == OPERATION
    in_campaigns = set(
        planted.con.execute(
            "SELECT s.platform, s.account_id FROM account_scores s JOIN campaigns c ON c.campaign = s.community"
        ).fetchall()
    )
    assert in_campaigns == OPERATION


def test_cross_platform_evidence_names_both_platforms(planted: Store) -> None:
    rows = planted.con.execute(
        "SELECT trace, account_a, account_b, item, post_a, post_b FROM evidence WHERE platform = ? ORDER BY 1",
        [CROSS_PLATFORM],
    ).fetchall()
    assert rows
    for trace, a, b, item, post_a, post_b in rows:
        (pa, _), (pb, _) = split_account(a), split_account(b)
        assert pa != pb
        # each post id is the post's own id on its platform
        for p, post in ((pa, post_a), (pb, post_b)):
            assert planted.con.execute(
                "SELECT count(*) FROM posts WHERE platform = ? AND post_id = ?", [p, post]
            ).fetchone() == (1,)
        if trace == "cross-platform-persona":
            assert item.startswith("persona match on ") and "handle" in item


def test_report_shows_platforms_and_escapes_evidence(planted: Store, tmp_path: Path) -> None:
    planted.con.execute(
        "UPDATE posts SET text = text || ' <script>alert(1)</script>' WHERE platform = 'telegram' "
        "AND account_id = 'tg_harbour_truth'"
    )
    from lockstep.campaigns.assemble import build_campaigns

    build_campaigns(planted)
    data = collect(planted)
    assert len(data.graph["nodes"]) == 3 and len(data.graph["edges"]) == 3  # the cross-platform links are drawn
    html, _, _ = render_html(data)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert "Cross-platform evidence" in html
    assert "bluesky, telegram, twitter" in html


def test_persona_scores_and_blocking() -> None:
    a = Profile("telegram", "1", "harbour_truth", "Harbour Truth", "Independent voice on harbour politics", None)
    b = Profile("bluesky", "did:plc:x", "harbourtruth.bsky.social", "Harbour Truth", "harbour politics voice", None)
    c = Profile("twitter", "9", "walker7", "Walker 7", "", None)
    scores = compare(a, b)
    assert scores["handle"] == 1.0 and scores["display_name"] == 1.0 and 0 < scores["bio"] < 1
    links = link_profiles([a, b, c])
    assert [(k.platform_a, k.platform_b, k.matched) for k in links] == [
        ("bluesky", "telegram", ["handle", "display_name", "bio"])
    ]
    same_platform = Profile("telegram", "2", "harbour_truth2", "Harbour Truth", "", None)
    assert link_profiles([a, same_platform]) == []
    hashed_a = Profile("x", "1", "anna", "Anna", None, "u1", "f" * 64)
    hashed_b = Profile("y", "2", "zed", "Anna", None, "u2", "f" * 63 + "0")
    assert compare(hashed_a, hashed_b)["avatar"] == 1.0  # PDQ distance 4


def test_explain_lists_cross_platform_partners(planted: Store) -> None:
    from lockstep.campaigns.explain import explain

    card = explain(planted, "harbour_truth")
    partners = {str(link["account"]) for link in card.links}
    assert partners == {"bluesky:did:plc:harbourtruth0001", "twitter:990000000000000001"}
    for link in card.links:
        assert link["evidence"] and {"cross-platform-persona", "cross-platform-text"} <= set(link["traces"])


def test_pseudonymised_export_hides_cross_platform_accounts(planted: Store, tmp_path: Path) -> None:
    from lockstep.exporting.graph import build_graph
    from lockstep.exporting.pseudonym import Pseudonymizer
    from lockstep.exporting.tables import export_tables

    files = export_tables(planted, tmp_path / "out", pseudonymizer=Pseudonymizer("test-key-123"))
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    # (Bluesky post ids, at:// URIs, contain the author's DID: post ids are not pseudonymised by any export)
    for raw in ("tg_harbour_truth", "990000000000000001", "harbour_truth"):
        assert raw not in text
    evidence = (tmp_path / "out" / "evidence.csv").read_text(encoding="utf-8")
    assert "cross-platform-persona" in evidence and "persona match on handle" in evidence
    assert "acct_unknown" not in evidence  # cross-platform ends map to the same pseudonyms as elsewhere
    assert build_graph(planted).number_of_edges() == 3


def test_stix_campaign_names_every_platform(planted: Store) -> None:
    from lockstep.exporting.stix import campaign_objects

    (cid,) = planted.con.execute("SELECT campaign FROM campaigns").fetchone() or (None,)
    objects = campaign_objects(planted, int(str(cid)))
    campaign = next(o for o in objects if o.type == "campaign")
    assert "on bluesky, telegram, twitter" in campaign.description
    accounts = {o.account_type for o in objects if o.type == "user-account"}
    assert accounts == {"bluesky", "telegram", "twitter"}


def test_persona_matches_alone_are_not_a_campaign(store: Store, tmp_path: Path) -> None:
    """One person with the same name and handle on three platforms, never co-acting: linked, not a campaign."""
    lines = ["post_id,account_id,handle,display_name,bio,created_at,text"]
    for k, plat in enumerate(("telegram", "bluesky", "twitter")):
        for j in range(3):
            lines.append(
                f"{plat}{j},{plat}_anna,anna_lindqvist,Anna Lindqvist,,2024-05-0{k + 1}T1{j}:00:00Z,day {k} note {j}"
            )
    for plat in ("telegram", "bluesky", "twitter"):
        one = tmp_path / f"{plat}.csv"
        one.write_text("\n".join([lines[0], *(ln for ln in lines[1:] if ln.startswith(plat))]) + "\n")
        ingest(store, [one], format="generic", mapping={**TELEGRAM_MAP, "platform": plat})
    detect(store, params=DetectParams(seed=1))
    analyze(store, seed=1)
    assert store.con.execute("SELECT count(*) FROM edges WHERE trace = 'cross-platform-persona'").fetchone() == (3,)
    assert store.con.execute("SELECT count(*) FROM communities WHERE accounts = 3").fetchone() == (1,)
    assert store.count("campaigns") == 0


def test_campaigns_command_says_the_campaign_spans_platforms(planted: Store) -> None:
    from click.testing import CliRunner

    from lockstep.cli import cli

    path = str(planted.path)
    planted.close()
    result = CliRunner().invoke(cli, ["campaigns", "--db", path])
    assert result.exit_code == 0, result.output
    assert "spans bluesky, telegram, twitter" in result.output
