"""Property-based: well-formed rows round-trip exactly; malformed rows are quarantined, never lost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockstep import ingest
from lockstep.store import open_store

_counter = itertools.count()

# Text as exports carry it: any printable Unicode, quotes, commas, newlines (no lone surrogates, no CR).
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r")
    | st.sampled_from(["\n", ",", '"', "#", "@", "\t"]),
    max_size=80,
)
times = st.datetimes(min_value=dt.datetime(2007, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
    lambda t: t.replace(microsecond=0)
)
rows = st.lists(
    st.tuples(st.from_regex(r"[a-z][a-z0-9_]{0,14}", fullmatch=True), times, texts),
    min_size=1,
    max_size=25,
)


def _csv(records: list[tuple[str, str, str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["post_id", "account_id", "created_at", "text"])
    w.writerows(records)
    return buf.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_well_formed_rows_round_trip(tmp_path: Path, data: list[tuple[str, dt.datetime, str]]) -> None:
    n = next(_counter)
    records = [(str(i + 1), acct, t.strftime("%Y-%m-%d %H:%M:%S"), text) for i, (acct, t, text) in enumerate(data)]
    src = tmp_path / f"rows{n}.csv"
    src.write_text(_csv(records), encoding="utf-8")
    with open_store(tmp_path / f"s{n}.duckdb") as store:
        report = ingest(store, [src], format="generic")
        got = store.con.execute(
            "SELECT post_id, account_id, strftime(created_at, '%Y-%m-%d %H:%M:%S'), coalesce(text, '') "
            "FROM posts ORDER BY CAST(post_id AS INTEGER)"
        ).fetchall()
    assert report.files[0].quarantined_total == 0
    assert got == [(p, a, t, x) for p, a, t, x in records]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows, st.sets(st.integers(min_value=0, max_value=24)))
def test_malformed_rows_are_quarantined_not_lost(
    tmp_path: Path, data: list[tuple[str, dt.datetime, str]], broken: set[int]
) -> None:
    n = next(_counter)
    records = []
    bad = 0
    for i, (acct, t, text) in enumerate(data):
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        if i in broken:
            stamp, bad = "not a time", bad + 1
        records.append((str(i + 1), acct, stamp, text))
    src = tmp_path / f"bad{n}.csv"
    src.write_text(_csv(records), encoding="utf-8")
    with open_store(tmp_path / f"b{n}.duckdb") as store:
        report = ingest(store, [src], format="generic")
        f = report.files[0]
        assert f.rows_read == len(records)
        assert f.posts_stored + f.duplicates + f.quarantined_total == f.rows_read
        assert f.quarantined_total == bad == store.count("quarantine")
