"""Check that two stores hold the same canonical data: every row of every canonical table, as a multiset.

Usage: python bench/compare_stores.py A.duckdb B.duckdb

Used to show that an ingest change stores exactly what the old code stored (old vs new code on the same
input). Rows are compared as multisets (``EXCEPT ALL`` both ways), so the physical order of rows, which DuckDB
does not define, does not count. Columns that name the run rather than the data are left out: ``batch_id``
(a timestamp of the run) everywhere, and the run times in ``ingest_batches`` (only its row count is
compared). Exits 1 and prints the differing tables when the stores differ.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

#: Canonical tables and the columns left out of the comparison.
TABLES = {
    "posts": ("batch_id",),
    "accounts": ("batch_id",),
    "post_urls": (),
    "quarantine": ("batch_id",),
    "sources": ("batch_id",),
}


def compare(a: str, b: str) -> dict[str, dict[str, int]]:
    """Per table: rows in ``a``, rows in ``b``, rows only in ``a``, rows only in ``b`` (multiset counts)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    out: dict[str, dict[str, int]] = {}
    for table, skip in TABLES.items():
        cols = f"* EXCLUDE ({', '.join(skip)})" if skip else "*"
        sa, sb = f"SELECT {cols} FROM a.{table}", f"SELECT {cols} FROM b.{table}"
        row = con.execute(
            f"""SELECT (SELECT count(*) FROM a.{table}), (SELECT count(*) FROM b.{table}),
                       (SELECT count(*) FROM ({sa} EXCEPT ALL {sb})), (SELECT count(*) FROM ({sb} EXCEPT ALL {sa}))"""
        ).fetchone()
        assert row is not None
        out[table] = {"rows_a": row[0], "rows_b": row[1], "only_a": row[2], "only_b": row[3]}
    row = con.execute(
        "SELECT (SELECT count(*) FROM a.ingest_batches), (SELECT count(*) FROM b.ingest_batches)"
    ).fetchone()
    assert row is not None
    out["ingest_batches"] = {"rows_a": row[0], "rows_b": row[1], "only_a": 0, "only_b": 0}
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args()
    result = compare(args.a, args.b)
    same = True
    print(f"{'table':<16} {'rows A':>12} {'rows B':>12} {'only A':>8} {'only B':>8}")
    for table, r in result.items():
        differs = r["only_a"] or r["only_b"] or r["rows_a"] != r["rows_b"]
        same = same and not differs
        print(
            f"{table:<16} {r['rows_a']:>12,} {r['rows_b']:>12,} {r['only_a']:>8,} {r['only_b']:>8,}"
            + ("  DIFFERS" if differs else "")
        )
    print("identical" if same else "DIFFERENT")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
