"""The public API: one function per CLI command, each taking an open :class:`~lockstep.store.Store`.

The CLI (``lockstep.cli``) is a thin layer over these functions: it parses options, opens the store, calls one
function here and prints what it returns. A notebook or a pipeline calls the same functions::

    import lockstep

    with lockstep.open_store("case.duckdb") as store:
        lockstep.ingest(store, ["tweets.jsonl"])
        lockstep.detect(store)
        lockstep.analyze(store)
        for c in lockstep.list_campaigns(store):
            print(c.rank, c.accounts, c.traces)
        lockstep.report(store, "report.html")
        lockstep.export(store, "stix", "bundle.json")

Every function checks that the store has reached the stage it needs (:meth:`Store.require`) and raises a
:class:`~lockstep.errors.StoreStateError` naming the step to run first; errors are typed
(:mod:`lockstep.errors`), never printed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lockstep.errors import InputError

if TYPE_CHECKING:
    from lockstep.analysis import AnalysisReport
    from lockstep.campaigns.accounts import AccountRank
    from lockstep.reporting import ReportResult
    from lockstep.store.store import Store
    from lockstep.traces import DetectParams, DetectReport
    from lockstep.traces.engine import ProgressFn

EXPORT_FORMATS = ("gexf", "graphml", "csv", "parquet", "stix")


@dataclass(frozen=True)
class Campaign:
    """One campaign as ``lockstep campaigns`` lists it; ``summary`` is the full ABC(DE) description."""

    rank: int
    community: int
    platform: str
    accounts: int
    coordination_score: float
    significant_share: float
    traces: list[str]
    breakout_category: int
    techniques: list[str]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def fired_signals(self) -> list[str]:
        """The inauthenticity signals that fired for this campaign's community, sorted."""
        signals = self.summary.get("behaviour", {}).get("signals", {})
        return sorted(k for k, v in signals.items() if v.get("fired"))


def detect(
    store: Store,
    traces: Sequence[str] | None = None,
    params: DetectParams | None = None,
    *,
    progress: ProgressFn | None = None,
    engine: str = "duckdb",
    spark_master: str | None = "local[2]",
    spark_session: Any = None,
    parquet_dir: str | Path | None = None,
) -> DetectReport:
    """Run coordination traces (default: every default trace) and store their edges and evidence.

    Needs ingested posts. See :func:`lockstep.traces.engine.detect` for the method and its references.
    ``engine="spark"`` runs the traces the engine seam ports on Apache Spark (a new session on ``spark_master``,
    or ``spark_session``; ``parquet_dir`` names input Parquet the executors can read) and writes the same edges
    and evidence into the store (:mod:`lockstep.engine`, ``docs/scale.md``; needs ``lockstep[spark]``).
    """
    store.require("posts")
    if engine == "duckdb":
        from lockstep.traces import detect as run_detect

        if parquet_dir is not None:
            raise InputError("parquet_dir is read by the spark engine only")
        return run_detect(store, traces, params, progress=progress)
    from lockstep.engine import detect as engine_detect

    return engine_detect(  # type: ignore[no-any-return]
        store,
        traces,
        params,
        engine=engine,
        master=spark_master,
        session=spark_session,
        parquet_dir=parquet_dir,
        progress=progress,
    )


def analyze(
    store: Store,
    *,
    seed: int = 0,
    traces: Sequence[str] | None = None,
    tz_offset_hours: float = 8.0,
    min_accounts: int = 3,
    resolution: float = 1.0,
    control: Sequence[tuple[str, str]] | None = None,
    engine: str = "duckdb",
    spark_master: str | None = "local[2]",
    spark_session: Any = None,
    parquet_dir: str | Path | None = None,
) -> AnalysisReport:
    """Fuse the traces' edges, find communities, compute signals and assemble campaigns (needs ``detect``).

    ``engine="spark"`` computes the signals the engine seam ports on Apache Spark (a new session on
    ``spark_master``, or ``spark_session``; ``parquet_dir`` names ``posts``/``accounts`` Parquet the executors can
    read) and writes the same rows into the store (:mod:`lockstep.engine.signals`; needs ``lockstep[spark]``).
    """
    from lockstep.analysis import analyze as run_analyze

    store.require("detect")
    if engine == "duckdb" and parquet_dir is not None:
        raise InputError("parquet_dir is read by the spark engine only")
    return run_analyze(
        store,
        seed=seed,
        traces=traces,
        tz_offset_hours=tz_offset_hours,
        min_accounts=min_accounts,
        resolution=resolution,
        control=control,
        engine=engine,
        spark_master=spark_master,
        spark_session=spark_session,
        parquet_dir=parquet_dir,
    )


def list_campaigns(store: Store, *, limit: int | None = None) -> list[Campaign]:
    """The campaigns, strongest coordination first (needs ``analyze``)."""
    store.require("analyze")
    sql = (
        "SELECT rank, campaign, platform, accounts, coordination_score, significant_share, traces, "
        "breakout_category, techniques, summary FROM campaigns ORDER BY rank"
    )
    rows = (
        store.con.execute(sql + " LIMIT ?", [limit]).fetchall()
        if limit is not None
        else store.con.execute(sql).fetchall()
    )
    return [
        Campaign(
            rank=int(r[0]),
            community=int(r[1]),
            platform=str(r[2]),
            accounts=int(r[3]),
            coordination_score=float(r[4]),
            significant_share=float(r[5]),
            traces=list(r[6]),
            breakout_category=int(r[7]),
            techniques=list(json.loads(r[8])),
            summary=json.loads(r[9]),
        )
        for r in rows
    ]


def list_accounts(
    store: Store, *, campaign: int | None = None, limit: int | None = None, reasons: int = 3
) -> list[AccountRank]:
    """Every scored account, best first, with its campaign and top reasons (needs ``analyze``)."""
    from lockstep.campaigns.accounts import rank_accounts

    store.require("analyze")
    return rank_accounts(store, campaign=campaign, limit=limit, reasons=reasons)


def find_accounts(store: Store, ids: Sequence[str]) -> list[tuple[str, str]]:
    """``(platform, account_id)`` of the stored accounts whose id is one of ``ids`` (e.g. a control group)."""
    rows = store.con.execute(
        "SELECT DISTINCT platform, account_id FROM accounts WHERE list_contains(?, account_id) ORDER BY ALL",
        [list(ids)],
    ).fetchall()
    return [(str(p), str(a)) for p, a in rows]


def report(
    store: Store,
    out: str | Path,
    *,
    campaign: int | None = None,
    seed: int = 0,
    assets: bool = True,
    tz_offset_hours: float | None = None,
    show_paths: bool = False,
    fmt: str = "html",
) -> ReportResult:
    """Write the single-file HTML report (``fmt="pdf"``: also print it to PDF with headless Chromium).

    ``campaign`` is a campaign number as :func:`list_campaigns` ranks it; ``out`` is the file to write (for ``pdf``
    the HTML is written beside it, with the ``.html`` suffix). Returns what was written; for PDF,
    ``result.pdf`` is the PDF's path.
    """
    from dataclasses import replace

    from lockstep.reporting import write_report
    from lockstep.reporting.pdf import html_to_pdf

    if fmt not in ("html", "pdf"):
        raise InputError(f"report format {fmt!r}: choose html or pdf")
    target = Path(out)
    html_path = target if fmt == "html" else target.with_suffix(".html")
    result = write_report(
        store,
        html_path,
        campaign=campaign,
        seed=seed,
        assets=assets,
        tz_offset_hours=tz_offset_hours,
        show_paths=show_paths,
    )
    if fmt == "pdf":
        result = replace(result, pdf=html_to_pdf(result.path, target))
    return result


def export(
    store: Store,
    fmt: str,
    out: str | Path,
    *,
    campaign: int | None = None,
    pseudonym_key: str | None = None,
    raw_cells: bool = False,
) -> list[Path]:
    """Export the results as ``fmt``: ``gexf``/``graphml`` (Gephi), ``csv``/``parquet`` (a folder of tables) or
    ``stix`` (a STIX 2.1 bundle with DISARM techniques); return the files written.

    ``campaign`` (a number as :func:`list_campaigns` ranks it) limits graph and STIX exports to one campaign;
    ``pseudonym_key`` replaces account ids and handles with keyed pseudonyms
    (:class:`~lockstep.exporting.Pseudonymizer`); ``raw_cells`` keeps CSV cells that spreadsheets would run as
    formulas as they are.
    """
    from lockstep.campaigns.explain import community_of_campaign
    from lockstep.exporting import Pseudonymizer, export_graph, export_stix, export_tables

    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    store.require("analyze")
    pseudo = Pseudonymizer(pseudonym_key) if pseudonym_key is not None else None
    community = community_of_campaign(store, campaign) if campaign is not None else None
    if fmt in ("gexf", "graphml"):
        return [export_graph(store, out, fmt, campaign=community, pseudonymizer=pseudo)]
    if fmt == "stix":
        return [export_stix(store, out, campaign=community, pseudonymizer=pseudo)]
    if campaign is not None:
        raise InputError("csv and parquet exports hold every campaign; --campaign applies to gexf, graphml and stix")
    return export_tables(store, out, fmt, pseudonymizer=pseudo, raw_cells=raw_cells)
