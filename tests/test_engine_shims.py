"""The engine shims compute exactly what DuckDB computes: text normalisation, lower-casing, epoch seconds, md5.

The default engine runs DuckDB's functions; the Spark engine runs the shims of :mod:`lockstep.engine.shims`.
Each is compared here on hostile text (Greek final sigma, dotted capital I, long s in ``https``, NFD accents,
emoji sequences, vertical tabs and no-break spaces) and, for ``lower``, on every Unicode code point.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockstep.normalize.text import normalize_text_sql

pytest.importorskip("ibis", reason="ibis-framework not installed (pip install 'lockstep[spark]')")

import ibis

from lockstep.engine.shims import DUCKDB, SPARK
from lockstep.engine.textnorm import lower_like_duckdb, normalize_like_duckdb
from tests.spark_session import spark_or_skip

HOSTILE = [
    "RT @bot1: Fake NEWS!!  https://t.co/x 🇺🇸 @CNN #MAGA",
    "ΟΔΟΣ ΣΤΑ ΝΕΑ İstanbul KELVIN\u212a",
    "httpſ://evil.example/a and HTTPS://X.Y/Z and www.Example.com/q",
    "@ıab @ſam @\u212aate @a. @b- @.c @_x_",
    "Cafe\u0301 vs Caf\u00e9",
    "\x0b lead\u00a0nbsp\ttab\u2028ls\u0085nel  trail \x0b",
    "👩‍👩‍👧 family 1️⃣ keycap ☀︎ text-style 🏴󠁧󠁢󠁳󠁣󠁴󠁿 flag",
    "  rt @x:   a",
    "RT @a_b hello",
    "",
    "ǅemal Ǉ ǈ ǋ ϴ ẞ Ω",
    "<script>alert('x')</script> 'quoted' \"dq\" \\ backslash",
]
TIMES = [
    dt.datetime(2023, 1, 1, 0, 0, 0, 500_000),
    dt.datetime(1969, 12, 31, 23, 59, 59, 999_999),
    dt.datetime(2038, 1, 19, 3, 14, 8, 123_457),
    dt.datetime(2024, 2, 29, 12, 0, 0),
]


def _duck(sql: str, value: object) -> object:
    row = duckdb.connect().execute(sql, [value]).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize("text", HOSTILE)
def test_python_replica_equals_duckdb_normalisation(text: str) -> None:
    assert normalize_like_duckdb(text) == _duck(f"SELECT {normalize_text_sql('$1')}", text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("aRTt @:/.#_-sſıİΣσς\u0301e\u00a0\u3000\u2009\x0b\t\n 👩\u200d🇺🇸wWhHpP")),
        max_size=40,
    )
)
def test_python_replica_equals_duckdb_on_random_text(text: str) -> None:
    assert normalize_like_duckdb(text) == _duck(f"SELECT {normalize_text_sql('$1')}", text)


def test_lower_table_equals_duckdb_lower_on_every_code_point() -> None:
    cps = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    con = duckdb.connect()
    con.register("cps", pa.table({"s": [chr(cp) for cp in cps]}))
    lowered = [r[0] for r in con.execute("SELECT lower(s) FROM cps").fetchall()]
    assert lowered == [lower_like_duckdb(chr(cp)) for cp in cps]


def test_duckdb_shims_are_the_default_engines_functions() -> None:
    con = ibis.duckdb.connect()
    t = ibis.memtable({"s": HOSTILE})
    out = con.to_pyarrow(t.select(n=DUCKDB.normalize_text(t.s), m=DUCKDB.md5_hex(t.s))).to_pylist()
    for text, row in zip(HOSTILE, out, strict=True):
        assert row["n"] == _duck(f"SELECT {normalize_text_sql('$1')}", text)
        assert row["m"] == _duck("SELECT md5(?)", text)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("ab Rt@:/w.hp\t\n\x0c\r\x0bé€👩")), max_size=30)),
        max_size=25,
    )
)
def test_duckdb_normalisation_shim_equals_the_sql_fast_path_included(texts: list[str | None]) -> None:
    """The shim builds ``normalize_text_sql``'s expression, the plain-ASCII fast path (whitespace runs, a space
    at either end, ``@``/``http``/``www.`` sending a text to the full path) included."""
    data = pa.table({"i": pa.array(range(len(texts)), type=pa.int64()), "s": pa.array(texts, type=pa.string())})
    con = ibis.duckdb.connect()
    t = con.create_table("texts", data, temp=True)
    got = con.to_pyarrow(t.select("i", n=DUCKDB.normalize_text(t.s)).order_by("i")).column("n").to_pylist()
    sql = con.raw_sql(f"SELECT {normalize_text_sql('s')} FROM texts ORDER BY i").fetchall()
    assert got == [r[0] for r in sql]


def _both(expr_fn, column: str, values: list[object], dtype: str) -> tuple[list[object], list[object]]:  # type: ignore[no-untyped-def]
    """``expr_fn(table, shims)`` on DuckDB and on Spark over the same Arrow column (Spark reads it as from Parquet)."""
    from lockstep.engine.backends import Backend

    session = spark_or_skip()
    data = pa.table({column: pa.array(values, type=pa.timestamp("us") if dtype == "timestamp" else pa.string())})
    duck = ibis.duckdb.connect()
    d = duck.to_pyarrow(expr_fn(ibis.memtable(data), DUCKDB)).column(0).to_pylist()
    session.createDataFrame(data).createOrReplaceTempView("lockstep_shim_input")
    spark = Backend("spark", ibis.pyspark.connect(session), SPARK, session=session)
    s = spark.to_arrow(expr_fn(spark.con.table("lockstep_shim_input"), SPARK)).column(0).to_pylist()
    return d, s


def test_spark_normalisation_and_md5_equal_duckdb() -> None:
    d, s = _both(lambda t, sh: t.select(v=sh.md5_hex(sh.normalize_text(t.s))), "s", [*HOSTILE, None], "string")
    assert d == s


def test_spark_lower_equals_duckdb_on_every_code_point() -> None:
    values: list[object] = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    values += ["ΟΔΟΣ", "ΣΑΣ ΣΑΣ", "İİ", "Iİı"]
    d, s = _both(lambda t, sh: t.select(v=sh.lower(t.s)), "s", values, "string")
    assert d == s


def test_spark_epoch_equals_duckdb_to_the_microsecond() -> None:
    d, s = _both(lambda t, sh: t.select(v=sh.epoch(t.t)), "t", list(TIMES), "timestamp")
    assert d == s
    assert d[0] == 1672531200.5
