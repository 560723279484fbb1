"""Media work against the store: hash media files, check avatars, and cluster near-identical media.

Media references in posts (``posts.media``) are URLs, media keys, local paths, or hashes given by the export
(``pdq:<64 hex>``). Lockstep never downloads anything: files must be on disk (an export's media folder).
``hash_media`` hashes files under a folder and records them by their path relative to that folder and by
file name, so posts that reference either match. ``check_avatars`` runs the AI-face check on local avatar
files named in ``accounts.avatar`` (or found in a folder by account id).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from lockstep.errors import InputError
from lockstep.media.faces import DEFAULT_THRESHOLD, check_face
from lockstep.media.pdq import IMAGE_SUFFIXES, hash_image
from lockstep.store.store import Store


@dataclass
class MediaReport:
    """What a media command did."""

    files: int
    hashed: int
    skipped: list[str]
    #: Avatars judged GAN-like (``check_avatars`` only).
    flagged: int = 0


def hash_media(store: Store, folder: str | Path) -> MediaReport:
    """PDQ-hash every image under ``folder`` into ``media_hashes`` (idempotent: re-running adds nothing)."""
    base = Path(folder)
    files = sorted(p for p in base.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    rows: list[tuple[str, str, str, int, str]] = []
    skipped = []
    for f in files:
        try:
            h = hash_image(f)
        except (OSError, ValueError) as exc:
            skipped.append(f"{f}: {exc}")
            continue
        rel = str(f.relative_to(base))
        for ref in {rel, f.name}:
            rows.append((ref, "pdq", h.hash_hex, h.quality, str(f)))
    with store.transaction() as con:
        if rows:
            con.register(
                "_mh",
                pa.table(
                    {
                        "media_ref": [r[0] for r in rows],
                        "algorithm": [r[1] for r in rows],
                        "hash": [r[2] for r in rows],
                        "quality": pa.array([r[3] for r in rows], pa.int32()),
                        "source": [r[4] for r in rows],
                    }
                ),
            )
            con.execute("""INSERT INTO media_hashes SELECT * FROM _mh m
                           ANTI JOIN media_hashes o ON o.media_ref = m.media_ref AND o.algorithm = m.algorithm""")
            con.unregister("_mh")
    return MediaReport(len(files), len(files) - len(skipped), skipped)


def inside(folder: Path, name: str) -> Path | None:
    """``folder / name`` resolved, if it is a file inside ``folder`` (never a path built to escape it).

    Account ids and the ``avatar`` column come from the data: ``../../etc/passwd``, an absolute path or a
    symbolic link out of the folder are refused rather than opened.
    """
    if not name or "\x00" in name:
        return None
    try:
        p = (folder / name).resolve()
    except (OSError, ValueError, RuntimeError):
        return None
    return p if p.is_relative_to(folder) and p.is_file() else None


def check_avatars(store: Store, folder: str | Path | None = None, threshold: float = DEFAULT_THRESHOLD) -> MediaReport:
    """Run the AI-face check on every account's avatar found under ``folder``; write ``avatar_checks``.

    An avatar is ``folder/ACCOUNT_ID.jpg`` (any image suffix) or the ``avatar`` value read as a path relative
    to ``folder``; nothing outside ``folder`` is ever opened (see :func:`inside`). Without a folder, nothing is
    read (:class:`~lockstep.errors.InputError`).
    """
    if folder is None:
        raise InputError("avatar checks read image files only under a folder you name: pass --folder DIR")
    base = Path(folder).resolve()
    if not base.is_dir():
        raise InputError(f"{folder}: no such folder of avatars")
    candidates: list[tuple[str, str, Path]] = []
    for platform, acc, avatar in store.con.execute(
        "SELECT platform, account_id, avatar FROM accounts ORDER BY platform, account_id"
    ).fetchall():
        path = None
        for suffix in IMAGE_SUFFIXES:
            path = inside(base, f"{acc}{suffix}")
            if path is not None:
                break
        if path is None and avatar:
            path = inside(base, str(avatar))
        if path is not None:
            candidates.append((platform, acc, path))
    checks = [(p, a, check_face(path, threshold)) for p, a, path in candidates]
    with store.transaction() as con:
        con.execute("DELETE FROM avatar_checks")
        for platform, acc, c in checks:
            con.execute(
                "INSERT INTO avatar_checks VALUES (?, ?, ?, ?, ?, ?)",
                [platform, acc, c.path, c.distance, c.gan_like, c.reason],
            )
    return MediaReport(len(candidates), len(checks), [], flagged=sum(1 for *_, c in checks if c.gan_like))
