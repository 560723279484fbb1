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

from lockstep.engine.quantiles import quantile_cont
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


def _median_input() -> pa.Table:
    """Groups of odd and even sizes, ties, one value, nulls, and gaps whose midpoint is not a simple double."""
    rng = __import__("random").Random(7)
    keys, values = [], []
    for g in range(60):
        size = 1 + g % 7
        for _ in range(size):
            keys.append(f"g{g}")
            values.append(rng.choice([None, 0.0, 0.1, 1e-7, 3.3, 86_399.999999, rng.uniform(0, 1e5)]))
    return pa.table({"k": keys, "v": pa.array(values, pa.float64())})


def _medians(con: object, table: object, sh: object) -> list[tuple[object, ...]]:
    out = sh.aggregate_with_median(table, ["k"], {"n": table.count()}, "v", "m")  # type: ignore[attr-defined]
    rows = con.to_pyarrow(out).to_pylist()  # type: ignore[attr-defined]
    return sorted((r["k"], r["n"], r["m"]) for r in rows)


def test_median_shim_is_duckdb_median_and_the_rank_formulation_equals_it() -> None:
    data = _median_input()
    con = ibis.duckdb.connect()
    native = _medians(con, ibis.memtable(data), DUCKDB)
    duck = duckdb.connect()
    duck.register("m", data)
    expected = sorted(duck.execute("SELECT k, count(*), median(v) FROM m GROUP BY k").fetchall())
    assert native == expected
    # The Spark formulation (ranks) is plain Ibis: on DuckDB it gives the same doubles.
    assert _medians(con, ibis.memtable(data), SPARK) == expected
    # The driver's quantile (the seam's auto window) agrees too.
    groups: dict[str, list[float | None]] = {}
    for k, v in zip(data["k"].to_pylist(), data["v"].to_pylist(), strict=True):
        groups.setdefault(k, []).append(v)
    driver = [(k, len(vs), quantile_cont([v for v in vs if v is not None], 0.5)) for k, vs in groups.items()]
    assert sorted(driver) == expected


def test_spark_median_equals_duckdb_median() -> None:
    from lockstep.engine.backends import Backend

    session = spark_or_skip()
    data = _median_input()
    expected = _medians(ibis.duckdb.connect(), ibis.memtable(data), DUCKDB)
    session.createDataFrame(data.to_pandas()).createOrReplaceTempView("lockstep_median_input")
    spark = Backend("spark", ibis.pyspark.connect(session), SPARK, session=session)
    out = SPARK.aggregate_with_median(spark.con.table("lockstep_median_input"), ["k"], {}, "v", "m")
    rows = spark.to_arrow(out).to_pylist()
    assert sorted((r["k"], r["m"]) for r in rows) == [(k, m) for k, _, m in expected]
