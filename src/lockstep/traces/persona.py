"""Persona linking: accounts on different platforms that present the same persona.

An operation reuses its personas across platforms: the same handle with a suffix, the same display name, the
same profile picture, the same bio (Meta and Graphika reports on Spamouflage and Doppelganger; DISARM
T0144.001 Present Persona across Platforms). Profile matching across networks follows Goga et al., "On the
Reliability of Profile Matching Across Large Online Social Networks" (KDD 2015: name, username, photo and
bio similarity, each weak alone) and Zafarani & Liu, "Connecting Users across Social Media Sites" (KDD 2013:
username similarity).

Each pair of accounts on different platforms is scored field by field, each score in ``[0, 1]``:

* ``handle``: similarity ratio (Ratcliff-Obershelp, :class:`difflib.SequenceMatcher`) of the handles reduced
  to letters and digits, without ``@``, a Mastodon ``@instance`` or a ``.bsky.social`` suffix; a handle with
  no letters (a numeric id) is not compared;
* ``display_name``: the same ratio on case-folded, NFKC-normalised names without punctuation or emoji;
* ``avatar``: 1 when the two profile pictures have PDQ hashes within Hamming distance 31 (ThreatExchange's
  match threshold; hashes from ``lockstep media hash``) or the same reference, 0 when both are hashed and
  differ; not compared otherwise;
* ``bio``: Jaccard similarity of the bios' word sets (words of 3+ letters; bios of fewer than 3 words are
  not compared).

A field *matches* at or above its threshold (:data:`THRESHOLDS`); a pair is linked when at least
``min_fields`` fields match (default 2: one similar field is common among strangers, two rarely).
Candidate pairs come from blocking (same handle stem or the stem's first six characters, same display name,
same avatar hash), and a block larger than ``max_block`` accounts is skipped (a common name says nothing), so
the cost stays near-linear. Every link
keeps all its field scores: the evidence an analyst checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

import pyarrow as pa

#: Similarity at or above which a field counts as matching.
THRESHOLDS: dict[str, float] = {"handle": 0.8, "display_name": 0.85, "avatar": 1.0, "bio": 0.5}
#: PDQ Hamming distance at or under which two images match (ThreatExchange's recommended threshold).
PDQ_MATCH_DISTANCE = 31
_SUFFIXES = re.compile(r"(@[^@]*$)|(\.bsky\.social$)")
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Profile:
    """The profile fields persona linking compares."""

    platform: str
    account_id: str
    handle: str | None
    display_name: str | None
    bio: str | None
    avatar: str | None
    avatar_hash: str | None = None


@dataclass(frozen=True)
class PersonaLink:
    """Two accounts on different platforms presenting the same persona, with per-field scores."""

    platform_a: str
    account_a: str
    platform_b: str
    account_b: str
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def matched(self) -> list[str]:
        """The fields at or above their threshold, in a fixed order."""
        return [f for f in THRESHOLDS if self.scores.get(f, -1.0) >= THRESHOLDS[f]]

    @property
    def score(self) -> float:
        """Mean similarity over the fields compared."""
        return sum(self.scores.values()) / len(self.scores) if self.scores else 0.0

    def evidence(self) -> str:
        """One line naming the matched fields and every score, e.g. for an evidence row's item."""
        parts = ", ".join(f"{f} {self.scores[f]:.2f}" for f in THRESHOLDS if f in self.scores)
        return f"persona match on {' + '.join(self.matched)} ({parts})"


@lru_cache(maxsize=1 << 17)
def handle_key(handle: str | None) -> str:
    """A handle reduced for comparison (lower case, letters and digits, no instance or host suffix).

    Examples:
        >>> handle_key("@Harbour_Watch@mastodon.social"), handle_key("harbour.watch.bsky.social")
        ('harbourwatch', 'harbourwatch')
    """
    if not handle:
        return ""
    h = handle.strip().lstrip("@").lower()
    h = _SUFFIXES.sub("", h)
    return "".join(ch for ch in h if ch.isalnum())


@lru_cache(maxsize=1 << 17)
def name_key(name: str | None) -> str:
    """A display name reduced for comparison (NFKC, case-folded, letters, digits and single spaces)."""
    if not name:
        return ""
    n = unicodedata.normalize("NFKC", name).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in n).split())


def ratio(a: str, b: str) -> float:
    """Ratcliff-Obershelp similarity of two strings (0 when either is empty)."""
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


def pdq_distance(a: str, b: str) -> int | None:
    """Hamming distance of two PDQ hashes in hex (``None`` when either is not hex)."""
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError:
        return None


def compare(a: Profile, b: Profile) -> dict[str, float]:
    """Per-field similarity of two profiles (fields either lacks are left out)."""
    scores: dict[str, float] = {}
    ha, hb = handle_key(a.handle), handle_key(b.handle)
    if re.search(r"[^\W\d_]", ha) and re.search(r"[^\W\d_]", hb):
        scores["handle"] = round(ratio(ha, hb), 3)
    na, nb = name_key(a.display_name), name_key(b.display_name)
    if len(na) >= 3 and len(nb) >= 3:
        scores["display_name"] = round(ratio(na, nb), 3)
    if a.avatar_hash and b.avatar_hash:
        d = pdq_distance(a.avatar_hash, b.avatar_hash)
        scores["avatar"] = 1.0 if d is not None and d <= PDQ_MATCH_DISTANCE else 0.0
    elif a.avatar and b.avatar and a.avatar == b.avatar:
        scores["avatar"] = 1.0
    wa, wb = set(_WORD.findall((a.bio or "").casefold())), set(_WORD.findall((b.bio or "").casefold()))
    if len(wa) >= 3 and len(wb) >= 3:
        scores["bio"] = round(len(wa & wb) / len(wa | wb), 3)
    return scores


def _upper(a: str, b: str, threshold: float) -> bool:
    """Whether the similarity ratio of ``a`` and ``b`` can reach ``threshold`` (cheap upper bounds first)."""
    if not a or not b:
        return False
    m = SequenceMatcher(None, a, b)
    return m.real_quick_ratio() >= threshold and m.quick_ratio() >= threshold


def _may_match(a: Profile, b: Profile, min_fields: int) -> bool:
    """Whether ``min_fields`` fields could match: a cheap filter before the exact scores of :func:`compare`."""
    possible = 0
    if _upper(handle_key(a.handle), handle_key(b.handle), THRESHOLDS["handle"]):
        possible += 1
    if _upper(name_key(a.display_name), name_key(b.display_name), THRESHOLDS["display_name"]):
        possible += 1
    if (a.avatar_hash and b.avatar_hash) or (a.avatar and a.avatar == b.avatar):
        possible += 1
    if a.bio and b.bio:
        possible += 1
    return possible >= min_fields


def _blocks(profile: Profile) -> list[str]:
    keys = []
    stem = handle_key(profile.handle).rstrip("0123456789")
    if len(stem) >= 4:
        keys += ["h:" + stem, "p:" + stem[:6]]  # the whole stem, and its start (a suffix added on one platform)
    name = name_key(profile.display_name)
    if len(name) >= 4:
        keys.append("n:" + name)
    if profile.avatar_hash:
        keys.append("a:" + profile.avatar_hash)
    elif profile.avatar:
        keys.append("a:" + profile.avatar)
    return keys


def link_profiles(profiles: list[Profile], *, min_fields: int = 2, max_block: int = 50) -> list[PersonaLink]:
    """Persona links among ``profiles`` (pairs on different platforms only), sorted by account."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in _blocks(p):
            blocks[key].append(i)
    seen: set[tuple[int, int]] = set()
    links = []
    for members in blocks.values():
        if len(members) < 2 or len(members) > max_block:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                a, b = profiles[i], profiles[j]
                if a.platform == b.platform:
                    continue
                pair = (min(i, j), max(i, j))
                if pair in seen:
                    continue
                seen.add(pair)
                if not _may_match(a, b, min_fields):
                    continue
                if (a.platform, a.account_id) > (b.platform, b.account_id):
                    a, b = b, a
                scores = compare(a, b)
                link = PersonaLink(a.platform, a.account_id, b.platform, b.account_id, scores)
                if len(link.matched) >= min_fields:
                    links.append(link)
    return sorted(links, key=lambda k: (k.platform_a, k.account_a, k.platform_b, k.account_b))


def load_profiles(con: Any) -> list[Profile]:
    """Profiles of the accounts that posted, with avatar PDQ hashes where ``media_hashes`` has them."""
    rows = con.execute(
        """SELECT a.platform, a.account_id, coalesce(a.handle, a.account_id), a.display_name, a.description,
                  a.avatar, h.hash
           FROM accounts a
           SEMI JOIN (SELECT DISTINCT platform, account_id FROM posts) p
             ON p.platform = a.platform AND p.account_id = a.account_id
           LEFT JOIN (SELECT media_ref, any_value(hash) AS hash FROM media_hashes WHERE algorithm = 'pdq'
                      GROUP BY media_ref) h ON h.media_ref = a.avatar
           ORDER BY a.platform, a.account_id"""
    ).fetchall()
    return [Profile(*r) for r in rows]


def persona_links(con: Any, *, min_fields: int = 2, max_block: int = 50) -> list[PersonaLink]:
    """Persona links among the store's posting accounts (``con``: the store's DuckDB connection)."""
    profiles = load_profiles(con)
    if len({p.platform for p in profiles}) < 2:
        return []
    return link_profiles(profiles, min_fields=min_fields, max_block=max_block)


def build_persona_actions(con: Any, params: Any = None) -> None:
    """Temp table ``persona_actions``: each linked account 'acts' on its link with its first post.

    The persona trace's ``prepare`` step: the engine then pairs the two accounts of each link, and the
    evidence row's item is the link's evidence line (matched fields and scores) with both accounts named,
    so two links never share an item.
    """
    rows: list[tuple[str, str, str]] = []
    for k in persona_links(con):
        item = f"{k.evidence()} [{k.platform_a}:{k.account_a} ~ {k.platform_b}:{k.account_b}]"
        rows += [(k.platform_a, k.account_a, item), (k.platform_b, k.account_b, item)]
    names = ("platform", "account_id", "item")
    con.register(
        "_persona_links", pa.table({n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)})
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE persona_actions AS
        SELECT l.platform, l.account_id, l.item, f.post_id, f.t
        FROM _persona_links l JOIN (
          SELECT platform, account_id, arg_min(post_id, created_at) AS post_id, min(created_at) AS t
          FROM posts GROUP BY platform, account_id) f USING (platform, account_id)"""
    )
    con.unregister("_persona_links")
