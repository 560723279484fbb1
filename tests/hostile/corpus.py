# ruff: noqa: E501
"""The hostile-input corpus: files that broke (or could break) a reader, each named by what it breaks.

Small cases are written once into ``tests/hostile/files/`` by ``python -m tests.hostile.corpus`` and
committed; big ones (100,000 rows) are generated at test time by :func:`big_cases`. Every case names the
ingest options it runs with and, where it matters, how many records it holds (``rows``): the harness
checks that every one of them is accounted for (stored, duplicate or quarantined).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

FILES = Path(__file__).parent / "files"

IO_HEADER = "tweetid,userid,user_screen_name,tweet_time,tweet_text,tweet_language,is_retweet,hashtags"
USERS_HEADER = "userid,user_screen_name,user_display_name,account_creation_date,follower_count"
GENERIC_HEADER = "post_id,account_id,created_at,text"


@dataclass(frozen=True)
class Case:
    """One hostile input: file name, content, ingest options and the number of records it holds."""

    name: str
    data: bytes
    args: tuple[str, ...] = ()
    rows: int | None = None
    analyze: bool = False
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def io_row(i: int, text: str | None = None, time: str | None = None, uid: str | None = None) -> str:
    t = text if text is not None else f"post number {i} #tag{i % 3}"
    return (
        f"{1000 + i},{uid or f'u{i % 5}'},user{i % 5},{time or f'2019-03-0{1 + i % 9} 12:{i % 60:02d}:00'},"
        f'"{t}",en,false,"[\'tag{i % 3}\']"'
    )


def io_csv(n: int, eol: str = "\n", header: str = IO_HEADER) -> str:
    return eol.join([header, *(io_row(i) for i in range(n))]) + eol


def gen_row(i: int) -> str:
    return f"p{i},a{i % 4},2020-01-0{1 + i % 9} 10:00:{i % 60:02d},hello {i}"


def gen_csv(n: int, eol: str = "\n") -> str:
    return eol.join([GENERIC_HEADER, *(gen_row(i) for i in range(n))]) + eol


def tweet(i: int, **over: object) -> dict[str, object]:
    t: dict[str, object] = {
        "id": str(2000 + i),
        "author_id": f"{10 + i % 3}",
        "created_at": f"2021-09-22T16:3{i % 10}:00.000Z",
        "text": f"tweet {i} #x",
        "lang": "en",
        "entities": {"hashtags": [{"tag": "x"}]},
        "public_metrics": {"retweet_count": 1, "like_count": 2, "reply_count": 0, "quote_count": 0},
    }
    t.update(over)
    return t


def page(tweets: list[dict[str, object]], **over: object) -> dict[str, object]:
    p: dict[str, object] = {
        "data": tweets,
        "includes": {"users": [{"id": "10", "username": "alice", "name": "Alice"}]},
        "meta": {"result_count": len(tweets)},
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.14.0"},
    }
    p.update(over)
    return p


def jl(*objs: object) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def flat(i: int, **over: object) -> dict[str, object]:
    t = tweet(i, **over)
    t.setdefault("author", {"id": t["author_id"], "username": f"user{i}"})
    return t


TWARC_CSV_HEADER = (
    "id,conversation_id,referenced_tweets.replied_to.id,referenced_tweets.retweeted.id,"
    "referenced_tweets.quoted.id,author_id,in_reply_to_user_id,retweeted_user_id,quoted_user_id,created_at,text,"
    "lang,source,public_metrics.reply_count,public_metrics.retweet_count,public_metrics.quote_count,"
    "public_metrics.like_count,entities.hashtags,entities.mentions,entities.urls,author.id,author.username,"
    "author.name,author.description,author.created_at,author.location,author.profile_image_url,"
    "author.public_metrics.followers_count,author.public_metrics.following_count,author.public_metrics.tweet_count,"
    "__twarc.retrieved_at"
)


def twarc_csv_row(i: int, text: str = "hi", rt: str = "") -> str:
    return (
        f'{3000 + i},{3000 + i},,{rt},,{20 + i % 2},,,,2022-10-04T15:2{i % 10}:05.000Z,"{text} {i}",en,Web,0,1,0,2,'
        f'"[""#a""]",,,{20 + i % 2},u{i % 2},User,bio,2010-01-01T00:00:00.000Z,Paris,,5,6,7,2022-10-05T00:00:00+00:00'
    )


def cases() -> list[Case]:
    """Every small case (written into ``files/`` and committed)."""
    c: list[Case] = []
    add = c.append
    b = str.encode
    # --- byte-order marks, line endings, encodings ------------------------------------------------------
    add(Case("bom_io_archive_tweets.csv", b"\xef\xbb\xbf" + b(io_csv(5)), rows=5))
    add(
        Case(
            "bom_io_archive_users.csv",
            b"\xef\xbb\xbf" + b(USERS_HEADER + "\nu1,a,A,2015-01-01,5\nu2,b,B,2015-01-02,6\n"),
            rows=2,
        )
    )
    add(Case("bom_generic.csv", b"\xef\xbb\xbf" + b(gen_csv(4)), ("--format", "generic"), rows=4))
    add(Case("bom_twarc2_page.jsonl", b"\xef\xbb\xbf" + b(jl(page([tweet(0), tweet(1)]))), rows=2))
    add(Case("bom_twarc2_flat.jsonl", b"\xef\xbb\xbf" + b(jl(flat(0), flat(1))), rows=2))
    add(
        Case(
            "bom_generic.jsonl",
            b"\xef\xbb\xbf"
            + b(jl({"post_id": "1", "account_id": "a", "created_at": "2020-01-01 00:00:00", "text": "x"})),
            ("--format", "generic"),
            rows=1,
        )
    )
    add(Case("bom_utf16le_io_archive_tweets.csv", io_csv(3).encode("utf-16"), rows=3))
    add(Case("double_bom_io_archive_tweets.csv", b"\xef\xbb\xbf\xef\xbb\xbf" + b(io_csv(3)), rows=3))
    add(Case("crlf_io_archive_tweets.csv", b(io_csv(5, "\r\n")), rows=5))
    add(Case("cr_only_io_archive_tweets.csv", b(io_csv(5, "\r")), rows=5))
    mixed = IO_HEADER + "\r\n" + "".join(io_row(i) + ("\r\n" if i % 2 else "\n") for i in range(6))
    add(Case("mixed_line_endings.csv", b(mixed), rows=6))
    add(
        Case(
            "mixed_line_endings_generic.csv",
            b(GENERIC_HEADER + "\n" + gen_row(0) + "\r\n" + gen_row(1) + "\n" + gen_row(2) + "\r\n"),
            ("--format", "generic"),
            rows=3,
        )
    )
    add(Case("crlf_twarc2.jsonl", b(jl(page([tweet(0)]), page([tweet(1)])).replace("\n", "\r\n")), rows=2))
    add(Case("no_trailing_newline.csv", b(io_csv(3).rstrip("\n")), rows=3))
    add(Case("blank_lines_between_rows.csv", b(IO_HEADER + "\n" + io_row(0) + "\n\n\n" + io_row(1) + "\n"), rows=2))
    add(
        Case(
            "latin1_io_archive_tweets.csv",
            (IO_HEADER + "\n" + io_row(0, "café crème") + "\n" + io_row(1, "naïve") + "\n").encode("latin-1"),
            ("--encoding", "latin-1"),
            rows=2,
        )
    )
    add(
        Case(
            "latin1_without_encoding_flag.csv",
            (IO_HEADER + "\n" + io_row(0, "café") + "\n" + io_row(1, "ok") + "\n").encode("latin-1"),
            rows=2,
        )
    )
    add(Case("utf16_io_archive_tweets.csv", io_csv(2).encode("utf-16"), ("--encoding", "utf-16"), rows=2))
    add(Case("utf16le_no_bom_flagged.csv", io_csv(2).encode("utf-16-le"), ("--encoding", "utf-16-le"), rows=2))
    add(Case("utf16_twarc2.jsonl", jl(page([tweet(0), tweet(1)])).encode("utf-16"), ("--encoding", "utf-16"), rows=2))
    add(
        Case(
            "cp1252_smart_quotes.csv",
            (IO_HEADER + "\n" + io_row(0, "\u201cquoted\u201d") + "\n").encode("cp1252"),
            ("--encoding", "cp1252"),
            rows=1,
        )
    )
    add(
        Case(
            "unknown_encoding_name.csv",
            b(io_csv(2)),
            ("--encoding", "klingon-8"),
            rows=None,
            notes="must be a clear error",
        )
    )
    add(
        Case(
            "invalid_utf8_in_one_row.csv",
            b(IO_HEADER + "\n" + io_row(0))
            + b"\n"
            + b(io_row(1, "bad \xff")).replace(b"\xc3\xbf", b"\xff")
            + b"\n"
            + b(io_row(2))
            + b"\n",
            rows=3,
        )
    )
    add(Case("invalid_utf8_in_header.csv", b"tweetid,userid\xff,tweet_time\n1,u,2020-01-01 00:00:00\n", rows=None))
    add(
        Case(
            "invalid_utf8_jsonl_line.jsonl", b(jl(flat(0))) + b'{"id": "9", "text": "\xff"}\n' + b(jl(flat(2))), rows=3
        )
    )
    add(
        Case(
            "utf8_overlong_and_surrogate_bytes.csv",
            b(IO_HEADER + "\n")
            + b'1,u1,x,2019-01-01 00:00:00,"\xc0\xaf \xed\xa0\x80",en,false,[]\n'
            + b(io_row(2))
            + b"\n",
            rows=2,
        )
    )
    # --- quoting ------------------------------------------------------------------------------------------
    rows10 = [io_row(i) for i in range(30)]
    rows10[9] = rows10[9].replace('"post number 9', '"post number 9 with a stray quote: "hi')
    add(Case("stray_quote_midfield_row10.csv", b("\n".join([IO_HEADER, *rows10]) + "\n"), rows=30))
    r = [io_row(i) for i in range(30)]
    r[9] = '1009,u4,user4,2019-03-01 12:09:00,"unterminated start,en,false,[]'
    add(Case("stray_quote_row10.csv", b("\n".join([IO_HEADER, *r]) + "\n"), rows=30))
    r2 = [io_row(i) for i in range(30)]
    r2[4] = '1004,u4,user4,2019-03-01 12:04:00,"open one,en,false,[]'
    r2[19] = '1019,u4,user4,2019-03-01 12:19:00,"open two,en,false,[]'
    add(Case("two_stray_quotes.csv", b("\n".join([IO_HEADER, *r2]) + "\n"), rows=30))
    r3 = [gen_row(i) for i in range(20)]
    r3[5] = 'p5,a1,2020-01-01 10:00:05,"stray'
    add(
        Case(
            "stray_quote_generic_last_column.csv",
            b("\n".join([GENERIC_HEADER, *r3]) + "\n"),
            ("--format", "generic"),
            rows=20,
        )
    )
    add(
        Case(
            "unterminated_quote_at_eof.csv",
            b(IO_HEADER + "\n" + io_row(0) + "\n" + '1001,u1,user1,2019-03-01 12:00:00,"cut off'),
            rows=2,
        )
    )
    add(
        Case(
            "quoted_newlines_legit.csv",
            b(IO_HEADER + "\n" + io_row(0, "line1\nline2\nline3") + "\n" + io_row(1, "a\r\nb") + "\n"),
            rows=2,
        )
    )
    add(
        Case(
            "quoted_newline_looks_like_row.csv",
            b(GENERIC_HEADER + '\np1,a,2020-01-01 00:00:00,"x\np9,a9,2020-01-01 00:00:00,y"\n' + gen_row(2) + "\n"),
            ("--format", "generic"),
            rows=2,
        )
    )
    add(Case("escaped_double_quotes.csv", b(IO_HEADER + "\n" + io_row(0, 'he said ""hi""') + "\n"), rows=1))
    add(
        Case(
            "backslash_escaped_quote.csv",
            b(IO_HEADER + "\n" + io_row(0, 'he said \\"hi\\" ok') + "\n" + io_row(1) + "\n"),
            rows=2,
        )
    )
    add(
        Case(
            "quote_in_unquoted_field.csv",
            b(GENERIC_HEADER + '\np1,a,2020-01-01 00:00:00,say "x" now\n' + gen_row(2) + "\n"),
            ("--format", "generic"),
            rows=2,
        )
    )
    add(Case("only_quotes_row.csv", b(IO_HEADER + '\n""""""\n' + io_row(1) + "\n"), rows=2))
    # --- shape ---------------------------------------------------------------------------------------------
    add(Case("empty_file.csv", b"", rows=None))
    add(Case("empty_file.jsonl", b"", ("--format", "twarc2"), rows=None))
    add(Case("only_bom.csv", b"\xef\xbb\xbf", rows=None))
    add(Case("header_only_io_archive.csv", b(IO_HEADER + "\n"), rows=0))
    add(Case("whitespace_only.csv", b"   \n\n  \n", rows=None))
    add(Case("too_many_fields_row.csv", b(IO_HEADER + "\n" + io_row(0) + ",extra,more\n" + io_row(1) + "\n"), rows=2))
    add(Case("too_few_fields_row.csv", b(IO_HEADER + "\n1000,u1,user1\n" + io_row(1) + "\n"), rows=2))
    add(Case("duplicate_header_names.csv", b(IO_HEADER + ",tweet_text\n" + io_row(0) + ',"dup"\n'), rows=1))
    add(
        Case(
            "empty_header_names.csv",
            b(GENERIC_HEADER + ",,\n" + gen_row(0) + ",x,y\n"),
            ("--format", "generic"),
            rows=1,
        )
    )
    add(
        Case(
            "header_with_spaces.csv",
            b(" tweetid , userid ,user_screen_name, tweet_time ,tweet_text\n1,u,x,2019-01-01 00:00:00,t\n"),
            rows=1,
        )
    )
    add(Case("header_case_changed.csv", b(IO_HEADER.upper() + "\n" + io_row(0) + "\n"), rows=1))
    add(
        Case(
            "semicolon_delimited.csv",
            b(IO_HEADER.replace(",", ";") + "\n1;u;x;2019-01-01 00:00:00;t;en;false;[]\n"),
            rows=None,
        )
    )
    add(
        Case(
            "tsv_io_archive.tsv",
            b(IO_HEADER.replace(",", "\t") + "\n1\tu\tx\t2019-01-01 00:00:00\tt\ten\tfalse\t[]\n"),
            rows=1,
        )
    )
    add(
        Case(
            "tsv_with_commas_in_text.tsv",
            b(
                IO_HEADER.replace(",", "\t")
                + "\n1\tu\tx\t2019-01-01 00:00:00\ta, b, c, d, e, f, g, h, i\ten\tfalse\t[]\n"
            ),
            rows=1,
        )
    )
    add(
        Case(
            "nul_bytes_in_text.csv",
            b(IO_HEADER + "\n") + b'1,u,x,2019-01-01 00:00:00,"a\x00b",en,false,[]\n' + b(io_row(1)) + b"\n",
            rows=2,
        )
    )
    add(Case("nul_byte_in_header.csv", b"tweetid\x00,userid,tweet_time\n1,u,2019-01-01 00:00:00\n", rows=None))
    add(
        Case(
            "control_chars_in_text.csv",
            b(IO_HEADER + "\n" + io_row(0, "bell\x07 esc\x1b vt\x0b ff\x0c") + "\n"),
            rows=1,
        )
    )
    add(Case("very_long_field.csv", b(IO_HEADER + "\n" + io_row(0, "x" * 300_000) + "\n" + io_row(1) + "\n"), rows=2))
    add(
        Case(
            "very_wide_header.csv",
            b(
                IO_HEADER
                + ","
                + ",".join(f"c{i}" for i in range(3000))
                + "\n"
                + io_row(0)
                + ","
                + ",".join("v" for _ in range(3000))
                + "\n"
            ),
            rows=1,
        )
    )
    add(Case("binary_garbage.csv", bytes(range(256)) * 40, rows=None))
    add(Case("gzip_named_csv.csv", b"\x1f\x8b\x08\x00" + b"\x00" * 60, rows=None))
    add(Case("pdf_named_csv.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", rows=None))
    add(Case("html_error_page.csv", b"<!DOCTYPE html><html><body>429 Too Many Requests</body></html>\n", rows=None))
    # --- ids, numbers, formulas ----------------------------------------------------------------------------
    add(
        Case(
            "excel_scientific_ids.csv",
            b(
                IO_HEADER
                + "\n6.29697E+17,u1,x,2019-01-01 00:00:00,t,en,false,[]\n1,1.2E+10,x,2019-01-01 00:00:00,t,en,false,[]\n"
                + io_row(2)
                + "\n"
            ),
            rows=3,
        )
    )
    add(
        Case(
            "formula_cells.csv",
            b(
                IO_HEADER
                + '\n1,u1,"=HYPERLINK(""http://evil"",""x"")",2019-01-01 00:00:00,"+cmd|\' /C calc\'!A0",en,false,[]\n2,u2,@SUM(1),2019-01-01 00:00:00,-2+3,en,false,[]\n'
            ),
            rows=2,
            analyze=True,
        )
    )
    add(
        Case(
            "huge_counts.csv",
            b(
                "tweetid,userid,user_screen_name,tweet_time,tweet_text,like_count,retweet_count\n1,u,x,2019-01-01 00:00:00,t,99999999999999999999999999,-5\n2,u,x,2019-01-01 00:00:01,t,1e400,nan\n"
            ),
            rows=2,
        )
    )
    add(
        Case(
            "negative_and_float_counts.csv",
            b(
                "tweetid,userid,user_screen_name,tweet_time,tweet_text,like_count,follower_count\n1,u,x,2019-01-01 00:00:00,t,-1,3.7\n"
            ),
            rows=1,
        )
    )
    add(
        Case(
            "duplicate_post_ids.csv",
            b(IO_HEADER + "\n" + io_row(0) + "\n" + io_row(0) + "\n" + io_row(1) + "\n"),
            rows=3,
        )
    )
    add(Case("whitespace_ids.csv", b(IO_HEADER + '\n" 1 ", u1 ,x,2019-01-01 00:00:00,t,en,false,[]\n'), rows=1))
    add(
        Case(
            "empty_account_ids.csv",
            b(IO_HEADER + "\n1,,x,2019-01-01 00:00:00,t,en,false,[]\n2,  ,x,2019-01-01 00:00:00,t,en,false,[]\n"),
            rows=2,
        )
    )
    add(
        Case(
            "path_traversal_account_ids.csv",
            b(
                IO_HEADER
                + "\n1,../../etc/passwd,x,2019-01-01 00:00:00,t,en,false,[]\n2,/etc/shadow,x,2019-01-01 00:00:00,t,en,false,[]\n"
            ),
            rows=2,
        )
    )
    add(
        Case(
            "sql_injection_text.csv",
            b(IO_HEADER + '\n1,u1,x,2019-01-01 00:00:00,"\'); DROP TABLE posts;--",en,false,[]\n'),
            rows=1,
        )
    )
    add(
        Case(
            "list_cells_malformed.csv",
            b(
                IO_HEADER
                + '\n1,u,x,2019-01-01 00:00:00,t,en,false,"[\'unclosed"\n2,u,x,2019-01-01 00:00:01,t,en,false,"[[[]]]"\n'
            ),
            rows=2,
        )
    )
    add(Case("c0_controls_in_names.csv", b(USERS_HEADER + "\nu1,a\x01b,Name\x02\x1f,2015-01-01,5\n"), rows=1))
    add(
        Case(
            "rtl_override_handles.csv",
            b(IO_HEADER + "\n1,u1,evil\u202egpj.exe,2019-01-01 00:00:00,t,en,false,[]\n"),
            rows=1,
        )
    )
    add(Case("emoji_and_astral_text.csv", b(IO_HEADER + "\n" + io_row(0, "🇵🇸🥀 𝕏 \U0010ffff") + "\n"), rows=1))
    # --- times ---------------------------------------------------------------------------------------------
    for name, t in [
        ("year_minus_5000", "-5000-01-01 00:00:00"),
        ("year_294247", "294247-01-01 00:00:00"),
        ("year_9999", "9999-12-31 23:59:59"),
        ("year_0001", "0001-01-01 00:00:00"),
        ("year_1900", "1900-01-01 00:00:00"),
        ("month_13", "2019-13-01 00:00:00"),
        ("feb_30", "2019-02-30 00:00:00"),
        ("epoch_seconds", "1551441600"),
        ("epoch_ms", "1551441600000"),
        ("iso_with_offset", "2019-03-01T12:00:00+08:00"),
        ("iso_z", "2019-03-01T12:00:00Z"),
        ("infinity", "infinity"),
        ("epoch_negative", "-99999999999"),
        ("garbage_time", "yesterday-ish"),
    ]:
        add(
            Case(
                f"time_{name}.csv",
                b(IO_HEADER + "\n" + io_row(0, time=t) + "\n" + io_row(1) + "\n"),
                rows=2,
                analyze=name in ("year_minus_5000", "year_294247", "infinity", "year_9999"),
            )
        )
    add(
        Case(
            "time_out_of_range_twarc2.jsonl",
            b(
                jl(
                    flat(0, created_at="-5000-01-01T00:00:00Z"),
                    flat(1, created_at="294247-01-01T00:00:00Z"),
                    flat(2, created_at="9999-12-31T23:59:59Z"),
                    flat(3),
                )
            ),
            rows=4,
            analyze=True,
        )
    )
    add(
        Case(
            "time_account_created_year_0.csv", b(USERS_HEADER + "\nu1,a,A,0000-01-01,5\nu2,b,B,99999-01-01,1\n"), rows=2
        )
    )
    # --- twarc2 JSON of the wrong shape ---------------------------------------------------------------------
    tw = [
        ("entities_list_of_ints", {"entities": [1]}),
        ("entities_string", {"entities": "x"}),
        ("hashtags_not_list", {"entities": {"hashtags": "#x"}}),
        ("hashtag_tag_int", {"entities": {"hashtags": [{"tag": 5}]}}),
        ("urls_list_of_lists", {"entities": {"urls": [[1, 2]]}}),
        ("text_int", {"text": 12345}),
        ("text_list", {"text": ["a", "b"]}),
        ("text_null", {"text": None}),
        ("id_huge_int", {"id": 10**40}),
        ("id_float", {"id": 1.5}),
        ("id_dict", {"id": {"x": 1}}),
        ("author_id_list", {"author_id": [1]}),
        ("created_at_int", {"created_at": 1600000000}),
        ("created_at_garbage", {"created_at": "not a date"}),
        ("lang_int", {"lang": 7}),
        ("public_metrics_list", {"public_metrics": [1, 2]}),
        ("metrics_huge_int", {"public_metrics": {"like_count": 10**30}}),
        ("metrics_string", {"public_metrics": {"like_count": "many"}}),
        ("referenced_tweets_dict", {"referenced_tweets": {"type": "retweeted", "id": "1"}}),
        ("referenced_type_int", {"referenced_tweets": [{"type": 3, "id": "1"}]}),
        ("referenced_id_missing", {"referenced_tweets": [{"type": "retweeted"}]}),
        ("attachments_list", {"attachments": [1]}),
        ("media_keys_ints", {"attachments": {"media_keys": [1, None]}}),
        ("source_dict", {"source": {"a": 1}}),
        ("lone_surrogate_text", {"text": "\ud800 lone"}),
    ]
    for name, over in tw:
        add(Case(f"twarc2_{name}.jsonl", b(jl(page([tweet(0, **over), tweet(1)]))), rows=2))
    add(Case("twarc2_flat_entities_list_of_ints.jsonl", b(jl(flat(0, entities=[1]), flat(1))), rows=2))
    add(Case("twarc2_flat_author_string.jsonl", b(jl(flat(0, author="alice"), flat(1))), rows=2))
    add(
        Case(
            "twarc2_includes_users_not_list.jsonl",
            b(jl(page([tweet(0)], includes={"users": {"id": "1"}}), page([tweet(1)]))),
            rows=2,
        )
    )
    add(Case("twarc2_includes_list.jsonl", b(jl(page([tweet(0)], includes=[1]), page([tweet(1)]))), rows=2))
    add(
        Case(
            "twarc2_user_metrics_wrong.jsonl",
            b(
                jl(
                    page([tweet(0)], includes={"users": [{"id": "10", "username": 5, "public_metrics": [1]}]}),
                    page([tweet(1)]),
                )
            ),
            rows=2,
        )
    )
    add(Case("twarc2_data_list_of_ints.jsonl", b(jl(page([1, 2]), page([tweet(1)]))), rows=3))
    add(Case("twarc2_data_empty.jsonl", b(jl(page([]), page([tweet(1)]))), rows=1))
    add(Case("twarc2_top_level_array.jsonl", b("[1, 2, 3]\n" + jl(page([tweet(1)]))), ("--format", "twarc2"), rows=2))
    add(
        Case(
            "twarc2_top_level_string.jsonl",
            b('"just a string"\n' + jl(page([tweet(1)]))),
            ("--format", "twarc2"),
            rows=2,
        )
    )
    add(
        Case(
            "twarc2_huge_int_literal.jsonl",
            b('{"data": [{"id": ' + "9" * 5000 + ', "text": "x"}], "meta": {}}\n' + jl(page([tweet(1)]))),
            rows=2,
        )
    )
    add(
        Case(
            "twarc2_deep_nesting.jsonl",
            b('{"data": ' + "[" * 100000 + "]" * 100000 + ', "meta": {}}\n' + jl(page([tweet(1)]))),
            rows=2,
        )
    )
    add(
        Case(
            "twarc2_nan_literal.jsonl",
            b(
                '{"data": [{"id": "1", "author_id": "2", "created_at": "2021-01-01T00:00:00Z", "text": "x", "public_metrics": {"like_count": NaN}}], "meta": {}}\n'
            ),
            rows=1,
        )
    )
    add(Case("twarc2_truncated_last_line.jsonl", b(jl(page([tweet(0)])) + '{"data": [{"id": "5", "te'), rows=2))
    add(
        Case(
            "twarc2_duplicate_keys.jsonl",
            b(
                '{"data": [], "data": [{"id": "1", "author_id": "2", "created_at": "2021-01-01T00:00:00Z", "text": "x"}], "meta": {}}\n'
            ),
            rows=1,
        )
    )
    add(Case("twarc2_escaped_nul.jsonl", b(jl(flat(0, text="a\u0000b"), flat(1))), rows=2))
    add(
        Case(
            "twarc2_lone_surrogate_key.jsonl",
            b(
                '{"id": "1", "author_id": "2", "created_at": "2021-01-01T00:00:00Z", "text": "x", "\\udc00k": 1, "author": {"id": "2"}}\n'
            ),
            rows=1,
        )
    )
    add(Case("twarc2_missing_author.jsonl", b(jl(page([tweet(0, author_id=None)]), page([tweet(1)]))), rows=2))
    add(
        Case(
            "twarc2_control_chars_username.jsonl",
            b(
                jl(
                    page(
                        [tweet(0)], includes={"users": [{"id": "10", "username": "a\u0001\u001fb", "name": "x\u0008"}]}
                    )
                )
            ),
            rows=1,
            analyze=True,
        )
    )
    # --- generic JSON lines ----------------------------------------------------------------------------------
    late = [{"post_id": str(i), "account_id": "a", "created_at": "2020-01-01 00:00:00"} for i in range(250)]
    late.append(
        {"post_id": "999", "account_id": "b", "created_at": "2020-01-02 00:00:00", "text": "late key", "late_field": 1}
    )
    add(Case("jsonl_keys_after_line_200.jsonl", b(jl(*late)), ("--format", "generic"), rows=251))
    add(
        Case(
            "jsonl_mixed_types_per_key.jsonl",
            b(
                jl(
                    {"post_id": 1, "account_id": "a", "created_at": "2020-01-01 00:00:00", "text": "x"},
                    {"post_id": "2", "account_id": ["a"], "created_at": 5, "text": {"t": 1}},
                )
            ),
            ("--format", "generic"),
            rows=2,
        )
    )
    add(
        Case(
            "jsonl_json_array_file.json",
            b(json.dumps([{"post_id": "1", "account_id": "a", "created_at": "2020-01-01 00:00:00"}], indent=2)),
            ("--format", "generic"),
            rows=None,
        )
    )
    add(
        Case(
            "jsonl_pretty_printed_object.jsonl",
            b(json.dumps({"post_id": "1", "account_id": "a"}, indent=2)),
            ("--format", "generic"),
            rows=None,
        )
    )
    add(
        Case(
            "jsonl_lone_surrogate_value.jsonl",
            b('{"post_id": "1", "account_id": "a", "created_at": "2020-01-01 00:00:00", "text": "\\ud83d"}\n'),
            ("--format", "generic"),
            rows=1,
        )
    )
    add(
        Case(
            "jsonl_huge_int_value.jsonl",
            b('{"post_id": ' + "7" * 4400 + ', "account_id": "a", "created_at": "2020-01-01 00:00:00"}\n'),
            ("--format", "generic"),
            rows=1,
        )
    )
    add(
        Case(
            "jsonl_empty_key.jsonl",
            b('{"": 1, "post_id": "1", "account_id": "a", "created_at": "2020-01-01 00:00:00"}\n'),
            ("--format", "generic"),
            rows=1,
        )
    )
    add(
        Case(
            "jsonl_key_with_quotes.jsonl",
            b('{"a\\"b": 1, "post_id": "1", "account_id": "a", "created_at": "2020-01-01 00:00:00"}\n'),
            ("--format", "generic"),
            rows=1,
        )
    )
    add(
        Case(
            "jsonl_keys_case_collide.jsonl",
            b('{"Text": "A", "text": "b", "post_id": "1", "account_id": "a", "created_at": "2020-01-01 00:00:00"}\n'),
            ("--format", "generic"),
            rows=1,
        )
    )
    # --- twarc2 csv --------------------------------------------------------------------------------------------
    add(
        Case(
            "twarc2_csv_basic.csv",
            b(TWARC_CSV_HEADER + "\n" + "\n".join(twarc_csv_row(i) for i in range(4)) + "\n"),
            rows=4,
        )
    )
    add(
        Case(
            "twarc2_csv_retweet.csv",
            b(TWARC_CSV_HEADER + "\n" + twarc_csv_row(0, rt="3005") + "\n" + twarc_csv_row(1) + "\n"),
            rows=2,
        )
    )
    add(
        Case(
            "twarc2_csv_bom_crlf.csv",
            b"\xef\xbb\xbf" + b(TWARC_CSV_HEADER + "\r\n" + twarc_csv_row(0) + "\r\n"),
            rows=1,
        )
    )
    # --- generic / other readers ------------------------------------------------------------------------------
    add(
        Case(
            "generic_missing_mapping.csv", b("body,user,when\nhello,a,2020-01-01\n"), ("--format", "generic"), rows=None
        )
    )
    add(Case("generic_map_unknown_column.csv", b(gen_csv(2)), ("--format", "generic", "--map", "text=nope"), rows=2))
    add(Case("unknown_format_flag.csv", b(gen_csv(2)), ("--format", "nope"), rows=None))
    add(
        Case(
            "airline_bad_snowflake.csv",
            b(
                "tweet_id,airline_sentiment,tweet_created,name,text,retweet_count\n99999999999999999999999,neutral,2015-02-24 11:35:52 -0800,bob,hi,0\nabc,neutral,2015-02-24 11:35:52 -0800,bob,hi,x\n"
            ),
            rows=2,
        )
    )
    add(
        Case(
            "ira_bad_rows.csv",
            b(
                "author_id,content,publish_date,post_type,language\n,x,2016-01-01 00:00:00,,English\nA,y,not a date,R,English\nB,z,2016-01-01 00:00:00,Q,\n"
            ),
            rows=3,
        )
    )
    add(
        Case(
            "bluesky_bad_rows.csv",
            b(
                "uri,cid,author_did,created_at,text\nat://x,c,did:plc:1,2024-01-01T00:00:00Z,hi\nat://y,c,,2024-01-01T00:00:00Z,hi\n"
            ),
            rows=2,
        )
    )
    # --- archives ----------------------------------------------------------------------------------------------
    return c


def zip_cases() -> list[Case]:
    """Zip and Parquet containers (built with the libraries, then damaged)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    out: list[Case] = []
    whole = _zip({"tweets.csv": io_csv(50).encode()})
    out.append(Case("zip_truncated.zip", whole[: len(whole) // 2], rows=None))
    out.append(Case("zip_ok_bom_member.zip", _zip({"x/tweets.csv": b"\xef\xbb\xbf" + io_csv(3).encode()}), rows=3))
    out.append(Case("zip_path_traversal_member.zip", _zip({"../../evil.csv": io_csv(2).encode()}), rows=2))
    out.append(Case("zip_no_data_members.zip", _zip({"readme.md": b"hi"}), rows=None))
    out.append(
        Case(
            "zip_corrupt_member_crc.zip",
            whole.replace(b"post number 1", b"post numbeX 1") if b"post number 1" in whole else _corrupt(whole),
            rows=None,
        )
    )
    pbuf = io.BytesIO()
    pq.write_table(
        pa.table(
            {
                "author_id": ["A"] * 3,
                "content": ["x", "y", "z"],
                "publish_date": ["2016-01-01 00:00:00"] * 3,
                "post_type": ["", "R", ""],
            }
        ),
        pbuf,
    )
    pdata = pbuf.getvalue()
    out.append(Case("parquet_truncated.parquet", pdata[: len(pdata) // 2], rows=None))
    out.append(Case("parquet_magic_only.parquet", b"PAR1", rows=None))
    out.append(Case("parquet_footer_garbage.parquet", pdata[:-12] + b"\x00" * 8 + b"PAR1", rows=None))
    nbuf = io.BytesIO()
    pq.write_table(
        pa.table(
            {
                "post_id": [1, 2],
                "account_id": ["a", "b"],
                "created_at": pa.array([0, 10**12], pa.timestamp("s")),
                "text": ["x", None],
            }
        ),
        nbuf,
    )
    out.append(Case("parquet_typed_columns_generic.parquet", nbuf.getvalue(), ("--format", "generic"), rows=2))
    return out


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            # a fixed time keeps the bytes (and the committed file) the same on every run
            zf.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _corrupt(data: bytes) -> bytes:
    mid = len(data) // 3
    return data[:mid] + bytes(b ^ 0xFF for b in data[mid : mid + 16]) + data[mid + 16 :]


def big_cases() -> list[Case]:
    """100,000-row cases, generated at test time (not committed)."""
    n = 100_000
    rows = [io_row(i) for i in range(n)]
    rows[9] = '1009,u4,user4,2019-03-01 12:09:00,"a stray quote swallows the rest,en,false,[]'
    stray = "\n".join([IO_HEADER, *rows]) + "\n"
    mixed = IO_HEADER + "\n" + "".join(io_row(i) + ("\r\n" if i % 7 == 0 else "\n") for i in range(n))
    return [
        Case("big_stray_quote_row10_100k.csv", stray.encode(), rows=n),
        Case("big_mixed_line_endings_100k.csv", mixed.encode(), rows=n),
    ]


def all_small_cases() -> list[Case]:
    """Small cases plus the container cases."""
    return cases() + zip_cases()


def write(folder: Path = FILES) -> int:
    """(Re)write every small case into ``folder`` and an index of their options; return the count."""
    folder.mkdir(parents=True, exist_ok=True)
    index = {}
    for case in all_small_cases():
        (folder / case.name).write_bytes(case.data)
        index[case.name] = {"args": list(case.args), "rows": case.rows, "analyze": case.analyze}
    (folder.parent / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return len(index)


if __name__ == "__main__":
    print(f"wrote {write(Path(sys.argv[1]) if len(sys.argv) > 1 else FILES)} cases")
