"""Commands that find and show coordination: detect, traces, edges, evidence, window, sensitivity."""

from __future__ import annotations

import click

from lockstep import api
from lockstep.cli.options import check_parquet_dir, db_option, engine_options, memory_option, quiet_option
from lockstep.progress import step_progress
from lockstep.store import open_store
from lockstep.traces import TRACES, DetectParams, estimate_window
from lockstep.traces import sensitivity as run_sensitivity
from lockstep.traces.queries import EDGE_SORTS
from lockstep.traces.queries import edges as query_edges
from lockstep.traces.queries import evidence as query_evidence


@click.command()
@click.option(
    "--trace", "traces", multiple=True, help="Trace to run (repeatable; default: all). See `lockstep traces`."
)
@click.option("--window", default=None, help="Co-action window: seconds, 'auto' (CooRnet estimate) or 'none'.")
@click.option(
    "--min-shared",
    type=int,
    default=None,
    help="Distinct shared items an edge needs (default: the trace's, 2; reactivation 1).",
)
@click.option(
    "--linking",
    type=click.Choice(["rarity", "strict"]),
    default="rarity",
    show_default=True,
    help="rarity: one shared item also links a pair when the item is rare in the whole data set (at most the "
    "lower quartile of shared items' popularity, capped at 1% of the acting accounts), up to the null horizon "
    "apart; strict: only --min-shared distinct items link.",
)
@click.option(
    "--rarity-guard/--no-rarity-guard",
    default=True,
    show_default=True,
    help="rarity: a rare co-action beyond the window links only with a second item or a common partner "
    "(--no-rarity-guard: one is enough, which links random crowds).",
)
@click.option(
    "--max-item-accounts",
    default=1000,
    show_default=True,
    help="Items with more accounts are viral: recorded in capped_items, not paired.",
)
@click.option("--percentile", type=float, default=None, help="Keep edges with weight >= this percentile (ties kept).")
@click.option("--null-replicates", default=10, show_default=True, help="Time-shift null replicates (0: none).")
@click.option("--null-shift", default=86400.0, show_default=True, help="Null model: max shift per account (s).")
@click.option("--seed", default=0, show_default=True, help="Seed of the null model.")
@click.option(
    "--near-dup-min-tokens",
    default=5,
    show_default=True,
    help="near-duplicate: texts with fewer distinct tokens are not compared (counted in the report); under 5, "
    "Jaccard >= 0.8 only holds for exact copies or one added token. CNT's default is 1.",
)
@click.option(
    "--near-dup-bucket-cap",
    default=2000,
    show_default=True,
    help="near-duplicate: a prefix-token bucket with more distinct texts is skipped (counted in the report).",
)
@engine_options(runs="the exact traces", tables="posts/post_urls")
@db_option
@memory_option
@quiet_option
def detect(
    traces: tuple[str, ...],
    window: str | None,
    min_shared: int | None,
    linking: str,
    rarity_guard: bool,
    max_item_accounts: int,
    percentile: float | None,
    null_replicates: int,
    null_shift: float,
    seed: int,
    near_dup_min_tokens: int,
    near_dup_bucket_cap: int,
    engine: str,
    spark_master: str,
    parquet_dir: str | None,
    db: str,
    memory_limit: str,
    quiet: bool,
) -> None:
    """Find co-action edges between accounts, with evidence, for each trace."""
    check_parquet_dir(engine, parquet_dir)
    params = DetectParams(
        window_s=window,
        min_shared_items=min_shared,
        linking=linking,
        rarity_guard=rarity_guard,
        max_item_accounts=max_item_accounts,
        min_weight_percentile=percentile,
        null_replicates=null_replicates,
        null_shift_s=null_shift,
        seed=seed,
        near_dup_min_tokens=near_dup_min_tokens,
        near_dup_bucket_cap=near_dup_bucket_cap,
    )
    with open_store(db, memory_limit=memory_limit) as store, step_progress("detect", quiet) as progress:
        report = api.detect(
            store,
            traces or None,
            params,
            progress=progress,
            engine=engine,
            spark_master=spark_master,
            parquet_dir=parquet_dir,
        )
    if not quiet:
        click.echo(report.summary(), err=True)


@click.command()
def traces() -> None:
    """List the coordination traces."""
    width = max(len(n) for n in TRACES)
    for name in sorted(TRACES):
        t = TRACES[name]
        window = "any time" if t.default_window_s is None else f"{t.default_window_s:g} s"
        opt = "" if t.default else " (opt-in: --trace " + name + ")"
        click.echo(f"{name:<{width}}  [{window}] accounts that {t.description}{opt}")


@click.command()
@click.option("--trace", default=None, help="Only this trace.")
@click.option("--sort", type=click.Choice(sorted(EDGE_SORTS)), default="weight", show_default=True)
@click.option("--limit", default=20, show_default=True)
@db_option
def edges(trace: str | None, sort: str, limit: int, db: str) -> None:
    """List the strongest edges."""
    # Imported here: the campaigns package loads the signals and readers, which ``detect`` never needs.
    from lockstep.campaigns.explain import account_label, handles

    with open_store(db, read_only=True) as store:
        rows = query_edges(store, trace=trace, sort=sort, limit=limit)
        known = handles(store, [e.account_a for e in rows] + [e.account_b for e in rows])
    click.echo(
        f"{'trace':<17} {'account_a':<28} {'account_b':<28} {'items':>6} {'co-acts':>7} {'med gap s':>9} "
        f"{'weight':>7} {'z':>6} {'p':>6}"
    )
    for e in rows:
        z = f"{e.z_score:6.1f}" if e.z_score is not None else "     -"
        p = f"{e.p_value:6.3f}" if e.p_value is not None else "     -"
        click.echo(
            f"{e.trace:<17} {account_label(e.account_a, known)[:28]:<28} {account_label(e.account_b, known)[:28]:<28} "
            f"{e.shared_items:>6,} "
            f"{e.coactions:>7,} {e.median_gap_s:>9.0f} {e.weight:>7.3f} {z} {p}"
        )


@click.command()
@click.argument("account_a")
@click.argument("account_b")
@click.option("--trace", default=None, help="Only this trace.")
@click.option("--limit", default=50, show_default=True)
@db_option
def evidence(account_a: str, account_b: str, trace: str | None, limit: int, db: str) -> None:
    """Show why ACCOUNT_A and ACCOUNT_B (ids or handles) are linked: each shared item, both posts, times, gap."""
    from lockstep.campaigns.explain import account_label, handles, resolve_or_keep

    with open_store(db, read_only=True) as store:
        id_a, id_b = resolve_or_keep(store, account_a), resolve_or_keep(store, account_b)
        rows = query_evidence(store, id_a, id_b, trace=trace, limit=limit)
        known = handles(store, [id_a, id_b])
    if not rows:
        click.echo(f"no evidence links {account_a} and {account_b}" + (f" in {trace}" if trace else ""), err=True)
        return
    a, b = (account_label(x, known) for x in sorted((id_a, id_b)))
    for ev in rows:
        click.echo(f"[{ev.trace}] item {ev.item[:80]!r}  gap {ev.gap_s:.0f} s")
        click.echo(f"  {_when(ev.time_a)}  {a}  post {ev.post_a}: {_short(ev.text_a)}")
        click.echo(f"  {_when(ev.time_b)}  {b}  post {ev.post_b}: {_short(ev.text_b)}")


def _when(value: object) -> str:
    text = str(value)
    return text.split(".", 1)[0] if len(text) > 19 and text[19] == "." else text


def _short(text: str | None, n: int = 100) -> str:
    if text is None:
        return "-"
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= n else flat[: n - 1] + "…")


@click.command()
@click.argument("trace_name", metavar="TRACE")
@db_option
def window(trace_name: str, db: str) -> None:
    """Estimate TRACE's co-action window from the data (CooRnet's rule), in seconds."""
    with open_store(db) as store:
        click.echo(f"{estimate_window(store, trace_name):g}")


@click.command()
@click.argument("trace_name", metavar="TRACE")
@db_option
def sensitivity(trace_name: str, db: str) -> None:
    """Edges and accounts kept against the weight-percentile threshold, for TRACE's stored edges."""
    with open_store(db, read_only=True) as store:
        rows = run_sensitivity(store, trace_name)
    click.echo(f"{'percentile':>10} {'weight >=':>10} {'edges':>9} {'accounts':>9}")
    for p, w, n_e, n_a in rows:
        click.echo(f"{p:>10g} {w:>10.4f} {n_e:>9,} {n_a:>9,}")
