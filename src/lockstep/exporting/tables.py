"""Tables out: accounts (with scores), fused network, per-trace edges, evidence, campaigns, signals.

CSV or Parquet, one file per table in a folder, plus ``provenance.json``. With a pseudonymizer, account ids
and handles become keyed pseudonyms everywhere; names, bios, campaign summaries and signal details are left
out (they can identify people); items that name accounts (mentioned handles, reposted authors) are
pseudonymised too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from lockstep.engine import embedded
from lockstep.errors import InputError
from lockstep.exporting.provenance import provenance
from lockstep.exporting.pseudonym import Pseudonymizer
from lockstep.sqltext import ident, sql_str
from lockstep.store.store import Store
from lockstep.traces import traces_where
from lockstep.traces.cross_platform import CROSS_PLATFORM, account_sql, platform_sql

TABLE_QUERIES = {
    "accounts": """SELECT a.platform, {acc_a} AS account_id, {handle} AS handle, {name_cols}
                          a.created_at, a.followers, a.following, a.post_count, a.language, a.id_is_hashed,
                          s.community, s.degree, s.strength, s.eigenvector, s.core
                   FROM accounts a {pmap_a}
                   LEFT JOIN account_scores s ON s.platform = a.platform AND s.account_id = a.account_id
                   WHERE s.account_id IS NOT NULL OR a.account_id IN (SELECT account_id FROM posts)""",
    "network_edges": """SELECT e.platform, {acc_ea} AS account_a, {acc_eb} AS account_b, e.traces, e.n_traces,
                               e.weight, e.shared_items, e.coactions, e.min_gap_s, e.min_p_value, e.significant
                        FROM network_edges e {pmap_e}""",
    "edges": """SELECT e.trace, e.platform, {acc_ea} AS account_a, {acc_eb} AS account_b, e.shared_items,
                       e.coactions, e.min_gap_s, e.median_gap_s, e.weight, e.null_mean, e.z_score, e.p_value, e.run_id
                FROM edges e {pmap_e}""",
    "evidence": """SELECT e.trace, e.platform, {acc_ea} AS account_a, {acc_eb} AS account_b, {item} AS item,
                          e.post_a, e.post_b, e.time_a, e.time_b, e.gap_s, e.run_id
                   FROM evidence e {pmap_e} {imap}""",
    "campaigns": "SELECT campaign, rank, platform, accounts, coordination_score, significant_share, traces, "
    "breakout_category, breakout_reason, techniques {summary} FROM campaigns",
    "signals": """SELECT s.scope, s.platform, CASE WHEN s.scope = 'account' THEN {acc_s} ELSE s.subject END AS subject,
                         s.signal, s.value, s.baseline, s.fired {detail}
                  FROM signals s {pmap_s}""",
}


def _home(alias: str, end: str) -> tuple[str, str]:
    """SQL for the (platform, account id) of one end of an edge row, decoding cross-platform ids."""
    col = f"{alias}.account_{end}"
    cross = f"{alias}.platform = '{CROSS_PLATFORM}'"
    return (
        f"(CASE WHEN {cross} THEN {platform_sql(col)} ELSE {alias}.platform END)",
        f"(CASE WHEN {cross} THEN {account_sql(col)} ELSE {col} END)",
    )


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_START = "=+-@\t\r"
_FORMULA_PATTERN = sql_str("^[=+\\-@\t\r]")


def neutralize_cell(text: str) -> str:
    """One CSV text cell made safe for spreadsheets: ``'`` before a leading ``= + - @``, tab or CR (OWASP).

    Examples:
        >>> neutralize_cell("=HYPERLINK(1)"), neutralize_cell("plain")
        ("'=HYPERLINK(1)", 'plain')
    """
    return "'" + text if text[:1] and text[0] in FORMULA_START else text


_QUOTE = sql_str("'")


def neutralised(con: embedded.Connection, query: str) -> str:
    """``query`` with every text cell that starts like a formula prefixed with ``'`` (OWASP rule).

    Spreadsheets run ``=HYPERLINK(...)``, ``+cmd|...`` or ``@SUM(...)`` found in a CSV; post text, names and
    handles are attacker-controlled, so CSV exports neutralise them unless ``raw_cells`` is asked for.
    Numbers are left alone (a negative count is not text).
    """
    out = []
    for name, typ, *_ in con.execute(f"DESCRIBE ({query})").fetchall():
        q = ident(str(name))
        if str(typ) == "VARCHAR":
            out.append(f"CASE WHEN regexp_matches({q}, {_FORMULA_PATTERN}) THEN {_QUOTE} || {q} ELSE {q} END AS {q}")
        elif str(typ) == "VARCHAR[]":
            out.append(
                f"list_transform({q}, lambda x: CASE WHEN regexp_matches(x, {_FORMULA_PATTERN}) "
                f"THEN {_QUOTE} || x ELSE x END) AS {q}"
            )
        else:
            out.append(q)
    return f"SELECT {', '.join(out)} FROM ({query})"


def export_tables(
    store: Store,
    folder: str | Path,
    fmt: str = "csv",
    pseudonymizer: Pseudonymizer | None = None,
    *,
    raw_cells: bool = False,
) -> list[Path]:
    """Write every table to ``folder`` as ``fmt`` (``csv`` or ``parquet``); return the files written.

    CSV text cells starting with ``= + - @``, tab or CR get a leading ``'`` (see :func:`neutralised`) unless
    ``raw_cells``; Parquet keeps values as they are (spreadsheets do not evaluate it as formulas).
    """
    if fmt not in ("csv", "parquet"):
        raise InputError(f"table format {fmt!r}: choose csv or parquet")
    store.require("analyze")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    con = store.con
    if pseudonymizer:
        rows = con.execute("SELECT DISTINCT platform, account_id, handle FROM accounts").fetchall()
        con.register(
            "_pmap_arrow",
            pa.table(
                {
                    "platform": [r[0] for r in rows],
                    "account_id": [r[1] for r in rows],
                    "pseudonym": [pseudonymizer.account(r[0], r[1]) for r in rows],
                    "handle_pseudonym": [pseudonymizer.handle(r[0], r[2]) for r in rows],
                }
            ),
        )
        con.execute("CREATE OR REPLACE TEMP TABLE _pmap AS SELECT * FROM _pmap_arrow")
        con.unregister("_pmap_arrow")
        # Items that name accounts (a trace's ``item_identifies`` fact): mentioned handles, reposted authors.
        handle_traces = traces_where(item_identifies="handle")
        account_traces = traces_where(item_identifies="account")
        items = con.execute(
            "SELECT DISTINCT platform, trace, item FROM evidence WHERE list_contains(?::VARCHAR[], trace)",
            [handle_traces + account_traces],
        ).fetchall()
        con.register(
            "_imap_arrow",
            pa.table(
                {
                    "platform": [r[0] for r in items],
                    "trace": [r[1] for r in items],
                    "item": [r[2] for r in items],
                    "pseudo": [
                        pseudonymizer.handle(r[0], r[2]) if r[1] in handle_traces else pseudonymizer.account(r[0], r[2])
                        for r in items
                    ],
                }
            ),
        )
        con.execute("CREATE OR REPLACE TEMP TABLE _imap AS SELECT * FROM _imap_arrow")
        con.unregister("_imap_arrow")
        subs = {
            "acc_a": "pa.pseudonym",
            "handle": "pa.handle_pseudonym",
            "name_cols": "",
            "pmap_a": "LEFT JOIN _pmap pa ON pa.platform = a.platform AND pa.account_id = a.account_id",
            "acc_ea": "coalesce(pa.pseudonym, 'acct_unknown')",
            "acc_eb": "coalesce(pb.pseudonym, 'acct_unknown')",
            # cross-platform rows name accounts as platform:account_id (lockstep.traces.cross_platform)
            "pmap_e": "LEFT JOIN _pmap pa ON pa.platform = {} AND pa.account_id = {} ".format(*_home("e", "a"))
            + "LEFT JOIN _pmap pb ON pb.platform = {} AND pb.account_id = {}".format(*_home("e", "b")),
            "acc_s": "coalesce(ps.pseudonym, 'acct_unknown')",
            "pmap_s": "LEFT JOIN _pmap ps ON ps.platform = s.platform AND ps.account_id = s.subject",
            "summary": "",
            "detail": "",
            # a persona link's item ends with the two accounts' ids: cut them off
            "item": "CASE WHEN im.pseudo IS NOT NULL THEN im.pseudo "
            "WHEN e.trace = 'cross-platform-persona' THEN regexp_replace(e.item, ' \\[.*$', '') ELSE e.item END",
            "imap": "LEFT JOIN _imap im ON im.platform = e.platform AND im.trace = e.trace AND im.item = e.item",
        }
    else:
        subs = {
            "acc_a": "a.account_id",
            "handle": "a.handle",
            "name_cols": "a.display_name, a.description, a.location,",
            "pmap_a": "",
            "acc_ea": "e.account_a",
            "acc_eb": "e.account_b",
            "pmap_e": "",
            "acc_s": "s.subject",
            "pmap_s": "",
            "summary": ", summary",
            "detail": ", s.detail",
            "item": "e.item",
            "imap": "",
        }
    written = []
    for name, template in TABLE_QUERIES.items():
        path = out / f"{name}.{fmt}"
        options = "(FORMAT parquet)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
        query = template.format(**subs)
        if fmt == "csv" and not raw_cells:
            query = neutralised(con, query)
        con.execute(f"COPY ({query}) TO {sql_str(str(path))} {options}")
        written.append(path)
    prov = out / "provenance.json"
    prov.write_text(
        json.dumps(
            provenance(store, pseudonymized=pseudonymizer is not None, format=fmt, raw_cells=raw_cells),
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    written.append(prov)
    if pseudonymizer:
        con.execute("DROP TABLE _pmap")
        con.execute("DROP TABLE _imap")
    return written
