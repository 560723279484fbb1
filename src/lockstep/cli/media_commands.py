"""Commands beyond text: media hashing, avatar checks, language identification."""

from __future__ import annotations

import click

from lockstep.cli.options import db_option


@click.group()
def media() -> None:
    """Media evidence: PDQ hashes of images and AI-generated avatar checks (needs lockstep[media])."""


@media.command("hash")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@db_option
def media_hash(folder: str, db: str) -> None:
    """PDQ-hash every image under FOLDER (an export's media folder) for the co-media-near trace."""
    from lockstep.media.store_ops import hash_media
    from lockstep.store import open_store

    with open_store(db) as store:
        report = hash_media(store, folder)
    click.echo(
        f"hashed {report.hashed:,} of {report.files:,} images"
        + (f"; {len(report.skipped)} unreadable: {'; '.join(report.skipped[:3])}" if report.skipped else ""),
        err=True,
    )


@media.command("faces")
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False),
    help="Folder of avatars named ACCOUNT_ID.jpg/.png or as in accounts.avatar; nothing outside it is read.",
)
@click.option("--threshold", default=0.025, show_default=True, help="Eye distance (fraction of the side).")
@db_option
def media_faces(folder: str | None, threshold: float, db: str) -> None:
    """Check avatars for StyleGAN faces (eyes at the canonical positions); feeds the ai_faces signal."""
    from lockstep.media.store_ops import check_avatars
    from lockstep.store import open_store

    with open_store(db) as store:
        report = check_avatars(store, folder, threshold)
    click.echo(
        f"checked {report.hashed:,} local avatars; {report.flagged:,} GAN-like "
        "(re-run `lockstep analyze` to update the signals)",
        err=True,
    )


@click.command()
@db_option
def langid(db: str) -> None:
    """Identify the language of posts whose export gave none (offline; needs lockstep[text])."""
    from lockstep.normalize.langid import identify_posts
    from lockstep.store import open_store

    with open_store(db) as store:
        n = identify_posts(store)
    click.echo(f"labelled {n:,} posts", err=True)
