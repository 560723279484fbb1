"""URL canonicalisation, text normalisation and language codes, on real examples from the shared data."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockstep.engine.textnorm import normalize_like_duckdb
from lockstep.normalize.languages import language_code, language_code_sql
from lockstep.normalize.text import extract_hashtags, normalize_text, normalize_text_sql
from lockstep.normalize.urls import canonical_url, registered_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # real links from the IO archive sample
        (
            "http://www.breitbart.com/radio/2016/05/25/frank-gaffney/#WakeUpAmerica",
            "http://www.breitbart.com/radio/2016/05/25/frank-gaffney/",
        ),
        ("http://www.youtube.com/watch?v=tgSkgNEcNwk", "http://www.youtube.com/watch?v=tgSkgNEcNwk"),
        ("http://tinyurl.com/onc5d54", "http://tinyurl.com/onc5d54"),  # shorteners stay as they are
        ("https://t.co/XFnhCqCWBy", "https://t.co/XFnhCqCWBy"),
        (
            "HTTPS://News.Example.ORG:443/a?utm_source=twitter&utm_medium=social&id=9&fbclid=IwAR0",
            "https://news.example.org/a?id=9",
        ),
        ("http://example.com:8080/", "http://example.com:8080"),
        ("https://example.com/", "https://example.com"),
        ("example.com/path", "http://example.com/path"),
        ("https://example.com/p?b=2&a=1", "https://example.com/p?b=2&a=1"),  # other parameters keep order
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize("blank", [None, "", "   ", "\t"])
def test_blank_url_is_no_url(blank: str | None) -> None:
    # the QUT toolkit stored "" as a URL, so every link-less post co-linked with every other
    assert canonical_url(blank) is None


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("http://en.insidesyriamc.com/2017/08/06/x/", "insidesyriamc.com"),
        ("https://news.bbc.co.uk/2/hi/world", "bbc.co.uk"),
        ("http://45.wh.gov/RtVRmD", "wh.gov"),
        ("https://www.scmp.com.hk/x", "scmp.com.hk"),
        ("https://WWW.Example.com", "example.com"),
        ("not a url at all", None),
    ],
)
def test_registered_domain(url: str, domain: str | None) -> None:
    assert registered_domain(url) == domain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "RT @10_gop: Time to follow our fellow Trump supporter @10_gop whose account was suspended (again) 🇺🇸 "
            "https://t.co/CXozby3AIp",
            "time to follow our fellow trump supporter whose account was suspended (again)",
        ),
        (
            "New Convoy of #SyrianArmy Arrived in #Hama #InsideSyriaMC https://t.co/epSlyp3W71",
            "new convoy of #syrianarmy arrived in #hama #insidesyriamc",
        ),
        ("  Multiple\n\nspaces\tand TABS  ", "multiple spaces and tabs"),
        ("团结就是力量 #统一 👍", "团结就是力量 #统一"),
    ],
)
def test_normalize_text_and_sql_agree(text: str, expected: str) -> None:
    assert normalize_text(text) == expected
    got = duckdb.connect().execute(f"SELECT {normalize_text_sql('x')} FROM (SELECT ? AS x)", [text]).fetchone()
    assert got is not None and got[0] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"aB rt@:/.#_-wWhHtTpPs\t\n\r\x0b\x0c\x1f", "  ", "http", "www."]), max_size=20))
def test_sql_ascii_fast_path_equals_the_full_expression(parts: list[str]) -> None:
    text = "".join(parts)
    # ASCII texts without @, http or www. skip the regular expressions (normalize_text_sql); the result must be
    # what the full expression computes, which the engine's Python replica mirrors (tests/test_engine_shims.py).
    got = duckdb.connect().execute(f"SELECT {normalize_text_sql('x')} FROM (SELECT ? AS x)", [text]).fetchone()
    assert got is not None and got[0] == normalize_like_duckdb(text)


def test_translation_is_not_normalised_away() -> None:
    assert normalize_text("Unity is strength") != normalize_text("团结就是力量")


def test_extract_hashtags_in_order() -> None:
    assert extract_hashtags("#b first then #a and #b again") == ["b", "a", "b"]


def test_language_codes_python_and_sql_agree() -> None:
    for label in ("English", "Farsi (Persian)", "zh-CN", "und", "Klingon"):
        got = duckdb.connect().execute(f"SELECT {language_code_sql('x')} FROM (SELECT ? AS x)", [label]).fetchone()
        assert got is not None and got[0] == language_code(label)
