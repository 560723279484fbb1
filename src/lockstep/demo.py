"""The bundled demo: the whole pipeline that exists, on a small real sample, in one call."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lockstep.ingestion import ProgressFn, ingest
from lockstep.store import open_store

DEMO_FILES = (
    "ira_authors_2015-02-16_25.csv",
    "ira_tweets_2015-02-16_25.parquet",
    "us_airline_tweets_2015-02.csv",
)


def demo_paths() -> list[Path]:
    """Paths of the bundled demo files (IRA accounts and organic airline tweets, Feb 2015)."""
    base = resources.files("lockstep") / "data" / "demo"
    return [Path(str(base / name)) for name in DEMO_FILES]


def run_demo(db: str | Path, *, progress: ProgressFn | None = None) -> str:
    """Ingest the demo sample into ``db`` and return what a person should read (the store summary)."""
    from lockstep.cli.store_commands import format_info

    with open_store(db) as store:
        report = ingest(store, demo_paths(), progress=progress)
        info = store.info()
    return f"{report.summary()}\n\n{format_info(info)}"
