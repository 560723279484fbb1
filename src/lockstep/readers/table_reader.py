"""A reader defined by a column map over a tabular file: the shape of most exports."""

from __future__ import annotations

from collections.abc import Iterator

from lockstep.readers.base import Probe, Reader, StageContext
from lockstep.readers.mapping import ColumnMap
from lockstep.readers.tabular import TabularSource, stage_tabular
from lockstep.readers.tabular_chunks import iter_tabular_chunks
from lockstep.sqltext import ident


class TableReader(Reader):
    """Reads CSV/TSV/JSON-lines/Parquet exports through a :class:`ColumnMap`.

    ``signature`` columns must all be present for :meth:`sniff` to claim a file; ``kinds`` limits the
    file kinds it claims.
    """

    def __init__(
        self,
        name: str,
        column_map: ColumnMap,
        *,
        signature: tuple[str, ...],
        description: str,
        version: str = "1",
        kinds: tuple[str, ...] = ("csv", "tsv", "jsonl", "parquet"),
        confidence: float = 0.9,
        forbidden: tuple[str, ...] = (),
        ensure_columns: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.column_map = column_map
        self.signature = signature
        self.description = description
        self.version = version
        self.kinds = kinds
        self.confidence = confidence
        self.forbidden = forbidden
        #: Columns the map's trusted expressions use that some layouts lack: added as nulls when absent.
        self.ensure_columns = ensure_columns

    def sniff(self, probe: Probe) -> float:
        if probe.kind not in self.kinds or not self.signature or not probe.has(*self.signature):
            return 0.0
        if any(probe.has(f) for f in self.forbidden):
            return 0.0
        return self.confidence

    def stage(self, ctx: StageContext) -> None:
        """Stage the whole file at once (what other readers that delegate to a table reader call)."""
        for _ in self._stage(ctx, None):
            pass

    def stage_chunks(self, ctx: StageContext) -> Iterator[None]:
        """Stage the file in chunks of at most ``ctx.chunk_rows`` rows (see :func:`iter_tabular_chunks`)."""
        yield from self._stage(ctx, ctx.chunk_rows)

    def _stage(self, ctx: StageContext, chunk_rows: int | None) -> Iterator[None]:
        table = "src_rows"
        if chunk_rows is None:
            chunks: Iterator[tuple[TabularSource, bool]] = iter(
                [
                    (
                        stage_tabular(
                            ctx.con, ctx.path, ctx.kind, table, encoding=ctx.encoding, quarantine=ctx.quarantine
                        ),
                        False,
                    )
                ]
            )
        else:
            chunks = iter_tabular_chunks(
                ctx.con,
                ctx.path,
                ctx.kind,
                table,
                chunk_rows=chunk_rows,
                encoding=ctx.encoding,
                quarantine=ctx.quarantine,
            )
        cmap: ColumnMap | None = None
        for src, more in chunks:
            present = {c.lower() for c in src.columns}
            for col in self.ensure_columns:
                if col.lower() not in present:
                    ctx.con.execute(f"ALTER TABLE {table} ADD COLUMN {ident(col)} VARCHAR")
            if cmap is None:
                # Resolved once per file; the time hints only pick the parse tried first (the result never
                # depends on them), so the first chunk's sample serves every chunk.
                cmap = self.column_map.with_overrides(ctx.overrides).resolve(ctx.display, self.name, src.columns)
                cmap = cmap.with_time_hints(ctx.con, table)
            if cmap.has_posts:
                ctx.con.execute(f"INSERT INTO stage_posts BY NAME {cmap.posts_select(table, src.columns)}")
            posts = "stage_posts" if cmap.has_posts else None
            ctx.con.execute(f"INSERT INTO stage_accounts BY NAME {cmap.accounts_select(table, src.columns, posts)}")
            ctx.con.execute(f"DROP TABLE {table}")
            ctx.rows_read = src.rows_read
            ctx.more = more
            yield
