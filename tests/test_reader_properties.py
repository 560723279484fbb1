"""Property tests of every reader: any input either fails with a Lockstep error or is fully accounted for.

Hypothesis generates hostile bytes and JSON for each built-in reader; the invariant checked after every
successful ingest is read = stored + duplicates + quarantined (the ingest also checks it and raises
``AccountingError`` otherwise), and no other exception type may escape. ``tools/fuzz.py`` runs the same
properties for much longer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockstep.errors import LockstepError
from lockstep.ingestion import ingest
from lockstep.store import open_store
from tests.hostile.corpus import IO_HEADER, TWARC_CSV_HEADER, tweet

FAST = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))

HEADERS = {
    "io-archive-tweets": IO_HEADER,
    "io-archive-users": "userid,user_screen_name,user_display_name,account_creation_date,follower_count",
    "ira": "author_id,content,publish_date,post_type,language,followers",
    "ira-fivethirtyeight": "author,content,publish_date,account_category,tweet_id,retweet",
    "airline-csv": "tweet_id,airline_sentiment,tweet_created,name,text,retweet_count",
    "bluesky-csv": "uri,cid,author_did,created_at,text,hashtags",
    "generic": "post_id,account_id,created_at,text",
    "ira-authors": "author_id,author",
    "twarc2-csv": TWARC_CSV_HEADER,
}

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ['"', '""', '"a', 'a"', "\r", "\n", "\r\n", ",", "\ufeff", "\x00", "2019-01-01 00:00:00", "-5000-01-01"]
    ),
)
line_end = st.sampled_from(["\n", "\r\n", "\r"])


def check(path: Path, **kw: object) -> None:
    with open_store(":memory:") as store:
        try:
            report = ingest(store, [path], **kw)  # type: ignore[arg-type]
        except LockstepError:
            return
        for f in report.files:
            assert f.rows_read == f.posts_stored + f.duplicates + f.account_rows + f.quarantined_total
        stored = store.con.execute("SELECT count(*) FROM posts").fetchone()
        assert stored is not None and stored[0] == report.total("posts_stored")


@pytest.mark.parametrize("fmt", sorted(HEADERS))
@FAST
@given(data=st.data())
def test_delimited_readers_account_for_every_row(tmp_path: Path, fmt: str, data: st.DataObject) -> None:
    header = HEADERS[fmt]
    width = header.count(",") + 1
    rows = data.draw(st.lists(st.lists(cell, min_size=width - 1, max_size=width + 1), max_size=6))
    eol = data.draw(line_end)
    body = "".join(",".join(r) + data.draw(line_end) for r in rows)
    raw = (header + eol + body).encode("utf-8", errors="surrogatepass")
    if data.draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    path = tmp_path / f"{fmt}.csv"
    path.write_bytes(raw)
    args: dict[str, object] = {"format": fmt}
    if fmt == "generic":
        args["mapping"] = {}
    check(path, **args)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
tweet_keys = st.sampled_from(
    ["id", "author_id", "text", "created_at", "entities", "public_metrics", "referenced_tweets", "attachments", "lang"]
)


@FAST
@given(
    st.lists(
        st.tuples(st.dictionaries(tweet_keys, json_value, max_size=4), st.booleans(), st.booleans()),
        min_size=1,
        max_size=5,
    )
)
def test_twarc2_reader_accounts_for_every_tweet(
    tmp_path_factory: pytest.TempPathFactory, tweets: list[tuple[dict[str, object], bool, bool]]
) -> None:
    lines = []
    for i, (over, as_page, break_it) in enumerate(tweets):
        t = tweet(i, **over)
        obj: object = (
            {"data": [t], "includes": {"users": [{"id": "10"}]}, "meta": {}}
            if as_page
            else {
                **t,
                "author": {"id": "1"},
            }
        )
        text = json.dumps(obj)
        lines.append(text[: len(text) // 2] if break_it else text)
    path = tmp_path_factory.mktemp("tw") / "t.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    check(path, format="twarc2")


@FAST
@given(st.lists(st.dictionaries(st.text(max_size=6), json_value, max_size=5), min_size=1, max_size=6))
def test_generic_jsonl_accounts_for_every_line(
    tmp_path_factory: pytest.TempPathFactory, objs: list[dict[str, object]]
) -> None:
    base = {"post_id": "1", "account_id": "a", "created_at": "2020-01-01 00:00:00"}
    path = tmp_path_factory.mktemp("gj") / "g.jsonl"
    path.write_text("".join(json.dumps({**base, **o}) + "\n" for o in objs), encoding="utf-8", errors="surrogatepass")
    check(path, format="generic")
