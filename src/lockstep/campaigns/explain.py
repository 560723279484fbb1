"""Why was this account flagged? One account's card: campaign, links with their evidence, signals."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lockstep.errors import InputError
from lockstep.store.store import Store
from lockstep.traces.cross_platform import CROSS_PLATFORM, encode_account


@dataclass
class AccountCard:
    """Everything that places one account in a campaign."""

    platform: str
    account_id: str
    handle: str | None
    profile: dict[str, Any]
    posts: int
    community: int | None
    campaign_rank: int | None
    scores: dict[str, Any]
    links: list[dict[str, Any]] = field(default_factory=list)
    signals: list[dict[str, Any]] = field(default_factory=list)
    community_signals: list[dict[str, Any]] = field(default_factory=list)


def resolve_account(store: Store, who: str) -> tuple[str, str]:
    """(platform, account_id) for an account id or handle (``@`` optional, case-insensitive)."""
    name = who.lstrip("@")
    rows = store.con.execute(
        """SELECT platform, account_id FROM accounts WHERE account_id = ? OR lower(handle) = lower(?)
           ORDER BY account_id = ? DESC, platform, account_id LIMIT 2""",
        [name, name, name],
    ).fetchall()
    if not rows:
        raise InputError(f"no account {who!r} in the store (give an account id or a handle)")
    return str(rows[0][0]), str(rows[0][1])


def handles(store: Store, account_ids: list[str]) -> dict[str, str]:
    """Stored handles of ``account_ids`` (any platform), for showing people names instead of numeric ids."""
    ids = sorted({str(a) for a in account_ids})
    if not ids:
        return {}
    rows = store.con.execute(
        "SELECT account_id, min(handle) FROM accounts WHERE account_id IN (SELECT unnest(?)) AND handle IS NOT NULL "
        "GROUP BY account_id",
        [ids],
    ).fetchall()
    return {str(a): str(h) for a, h in rows}


def account_label(account_id: str, known: dict[str, str]) -> str:
    """``@handle`` where a handle is stored and is the id itself, ``@handle (id)`` where they differ, else the id.

    Examples:
        >>> account_label("123", {"123": "alice"}), account_label("bob", {"bob": "bob"}), account_label("9", {})
        ('@alice (123)', '@bob', '9')
    """
    handle = known.get(str(account_id))
    if not handle:
        return _printable(str(account_id))
    label = f"@{handle}" if handle.lower() == str(account_id).lower() else f"@{handle} ({account_id})"
    return _printable(label)


def _printable(text: str) -> str:
    """Terminal-safe text: control and format characters (escape sequences, bidi overrides) shown as ``\\uXXXX``."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def community_of_campaign(store: Store, number: int) -> int:
    """The community id behind campaign ``#number`` (the rank every command prints); raises :class:`InputError`."""
    row = store.con.execute("SELECT campaign FROM campaigns WHERE rank = ?", [number]).fetchone()
    if not row:
        raise InputError(f"no campaign #{number}; `lockstep campaigns` lists the campaign numbers")
    return int(row[0])


def resolve_or_keep(store: Store, who: str) -> str:
    """The account id of ``who`` (id or handle); ``who`` itself when no stored account matches."""
    try:
        return resolve_account(store, who)[1]
    except InputError:
        return who


def explain(store: Store, who: str, *, links: int = 10, evidence_per_link: int = 3) -> AccountCard:
    """The card of account ``who`` (id or handle)."""
    platform, account_id = resolve_account(store, who)
    q = store.con.execute
    prof = q(
        """SELECT handle, display_name, description, location, created_at, followers, following, post_count,
                       language, id_is_hashed FROM accounts WHERE platform = ? AND account_id = ?""",
        [platform, account_id],
    ).fetchone()
    keys = (
        "handle",
        "display_name",
        "description",
        "location",
        "created_at",
        "followers",
        "following",
        "post_count",
        "language",
        "id_is_hashed",
    )
    profile = dict(zip(keys, prof, strict=True)) if prof else {}
    posts_row = q("SELECT count(*) FROM posts WHERE platform = ? AND account_id = ?", [platform, account_id]).fetchone()
    score = q(
        """SELECT s.community, s.degree, s.strength, s.eigenvector, s.core, c.rank FROM account_scores s
                 LEFT JOIN campaigns c ON c.campaign = s.community WHERE s.platform = ? AND s.account_id = ?""",
        [platform, account_id],
    ).fetchone()
    card = AccountCard(
        platform=platform,
        account_id=account_id,
        handle=profile.get("handle"),
        profile=profile,
        posts=int(posts_row[0]) if posts_row else 0,
        community=int(score[0]) if score else None,
        campaign_rank=int(score[5]) if score and score[5] else None,
        scores=dict(zip(("degree", "strength", "eigenvector", "core"), score[1:5], strict=True)) if score else {},
    )
    # Cross-platform links name this account as ``platform:account_id`` and the partner likewise.
    encoded = encode_account(platform, account_id)
    neighbours = q(
        """SELECT platform, CASE WHEN account_a IN (?, ?) THEN account_b ELSE account_a END AS other, traces, weight,
                  shared_items, coactions, min_gap_s, min_p_value
           FROM network_edges WHERE (platform = ? AND (account_a = ? OR account_b = ?))
                                 OR (platform = ? AND (account_a = ? OR account_b = ?))
           ORDER BY weight DESC, other LIMIT ?""",
        [account_id, encoded, platform, account_id, account_id, CROSS_PLATFORM, encoded, encoded, links],
    ).fetchall()
    for edge_platform, other, traces, weight, shared, coacts, min_gap, p in neighbours:
        a, b = sorted((encoded if edge_platform == CROSS_PLATFORM else account_id, str(other)))
        ev = q(
            """SELECT trace, item, post_a, post_b, time_a, time_b, gap_s FROM evidence
                  WHERE platform = ? AND account_a = ? AND account_b = ? ORDER BY gap_s, time_a LIMIT ?""",
            [edge_platform, a, b, evidence_per_link],
        ).fetchall()
        card.links.append(
            {
                "account": other,
                "handle": None,
                "traces": list(traces),
                "weight": weight,
                "shared_items": shared,
                "coactions": coacts,
                "min_gap_s": min_gap,
                "min_p_value": p,
                "evidence": [
                    dict(zip(("trace", "item", "post_a", "post_b", "time_a", "time_b", "gap_s"), r, strict=True))
                    for r in ev
                ],
            }
        )
    names = handles(store, [str(link["account"]) for link in card.links])
    for link in card.links:
        link["handle"] = names.get(str(link["account"]))
    for scope, subject, target in (
        ("account", account_id, card.signals),
        ("community", str(card.community), card.community_signals),
    ):
        for sig, value, base, fired, detail in q(
            "SELECT signal, value, baseline, fired, detail FROM signals WHERE scope = ? AND platform = ? "
            "AND subject = ? ORDER BY fired DESC, signal",
            [scope, platform, subject],
        ).fetchall():
            target.append(
                {
                    "signal": sig,
                    "value": value,
                    "baseline": base,
                    "fired": fired,
                    "detail": json.loads(detail) if detail else None,
                }
            )
    return card


def format_card(card: AccountCard) -> str:
    """Plain-text rendering of a card (what ``lockstep explain`` prints)."""
    p = card.profile
    lines = [
        f"account    {card.account_id} ({card.platform})" + (f" @{card.handle}" if card.handle else ""),
        f"profile    created {_when(p.get('created_at'))}, followers {_known(p.get('followers'))}, "
        f"location {p.get('location') or 'unknown'}, posts in store {card.posts:,}",
    ]
    if card.community is None:
        lines.append("campaign   none: this account has no coordination edge in the fused network")
    else:
        where = (
            f"campaign   #{card.campaign_rank} (community {card.community})"
            if card.campaign_rank
            else f"community  {card.community} (below campaign size)"
        )
        s = card.scores
        lines.append(
            f"{where}; degree {s.get('degree')}, strength "
            f"{float(s.get('strength') or 0):.3f}, eigenvector {float(s.get('eigenvector') or 0):.3f}"
            + (", core" if s.get("core") else "")
        )
    if card.links:
        lines.append("linked to")
        for link in card.links:
            p_txt = f", p {link['min_p_value']:.3f}" if link["min_p_value"] is not None else ""
            who = account_label(str(link["account"]), {str(link["account"]): link["handle"] or ""})
            lines.append(
                f"  {who}: {', '.join(link['traces'])}; weight {link['weight']:.3f}, "
                f"{link['shared_items']} shared items, min gap {link['min_gap_s']:.0f} s{p_txt}"
            )
            for ev in link["evidence"]:
                lines.append(
                    f"      [{ev['trace']}] {str(ev['item'])[:60]!r} {_when(ev['time_a'])} / {_when(ev['time_b'])} "
                    f"({ev['gap_s']:.0f} s apart)"
                )
    for title, sigs in (("signals", card.signals), ("community signals", card.community_signals)):
        if sigs:
            lines.append(title)
            for s in sigs:
                val = f"{s['value']:.3f}" if isinstance(s["value"], float) else str(s["value"])
                base = f"{s['baseline']:.3f}" if isinstance(s["baseline"], float) else "-"
                lines.append(f"  {'FIRED ' if s['fired'] else '      '}{s['signal']}: {val} (baseline {base})")
    return "\n".join(lines)


def _known(value: Any) -> str:
    return "unknown" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def _when(value: Any) -> str:
    """A timestamp to the second, or ``unknown``."""
    if value is None:
        return "unknown"
    text = str(value)
    return text.split(".", 1)[0] if len(text) > 19 and text[19] == "." else text
