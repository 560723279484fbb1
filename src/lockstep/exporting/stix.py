"""STIX 2.1 bundles for threat-intelligence exchange (OpenCTI, MISP), one campaign or all, DISARM-linked.

Per campaign: a ``campaign`` and the ``intrusion-set`` behind it (``attributed-to``); the DISARM
``attack-pattern`` objects it used, copied unchanged from the vendored DISARM bundle (so ids match other
DISARM users), each with a ``uses`` relationship whose description is the evidence; the member accounts as
``user-account`` objects inside ``observed-data`` (first/last seen, post count) and as ``indicator`` patterns;
the ``domain-name`` and ``url`` objects it pushed; ``note`` objects carrying the strongest co-action
evidence; and a ``report`` that references all of it, with the provenance in its description. Built and
validated with the ``stix2`` library.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lockstep.campaigns.disarm import techniques
from lockstep.errors import InputError
from lockstep.exporting.provenance import provenance
from lockstep.exporting.pseudonym import Pseudonymizer
from lockstep.store.store import Store

if TYPE_CHECKING:
    import stix2

# stix2 is imported inside the functions that build objects, so importing this module stays cheap.
IDENTITY_ID = "identity--8c7f5e6a-5b1e-4c57-9a54-6f3f0b7c2d11"


@functools.cache
def identity() -> Any:
    """Lockstep's own STIX Identity, the ``created_by_ref`` of every object it writes."""
    import stix2

    return stix2.Identity(
        id=IDENTITY_ID,
        name="Lockstep",
        identity_class="system",
        description="Lockstep coordinated-inauthentic-behaviour toolkit (automated analysis)",
        created="2026-01-01T00:00:00.000Z",
        modified="2026-01-01T00:00:00.000Z",
    )


MAX_ACCOUNTS = 500


def _ts(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return dt.datetime.now(dt.UTC)


def campaign_objects(store: Store, cid: int, pseudonymizer: Pseudonymizer | None = None) -> list[Any]:
    """STIX objects for one campaign."""
    import stix2

    q = store.con.execute
    row = q("SELECT rank, platform, accounts, summary FROM campaigns WHERE campaign = ?", [cid]).fetchone()
    if row is None:
        raise InputError(f"no campaign {cid}; see `lockstep campaigns`")
    rank, platform, n_accounts, summary_json = row
    s = json.loads(summary_json)
    first, last = s["period"]["first_post"], s["period"]["last_post"]
    first_dt = _ts(dt.datetime.fromisoformat(first)) if first else dt.datetime.now(dt.UTC)
    last_dt = _ts(dt.datetime.fromisoformat(last)) if last else first_dt
    platforms = ", ".join(s.get("platforms") or [platform])
    label = f"Lockstep campaign #{rank} (community {cid}, {platforms})"
    desc = (
        f"{n_accounts} coordinated accounts on {platforms}; traces: "
        f"{', '.join(t['trace'] for t in s['behaviour']['traces'])}; Breakout Scale category "
        f"{s['effect']['breakout_category']}: {s['effect']['breakout_reason']}."
    )
    campaign = stix2.Campaign(
        name=label,
        description=desc,
        first_seen=first_dt,
        last_seen=last_dt,
        created_by_ref=IDENTITY_ID,
        allow_custom=False,
    )
    iset = stix2.IntrusionSet(
        name=f"Operator of {label}",
        description="The actor running the campaign "
        "(attribution beyond the coordinated accounts is not made by Lockstep).",
        created_by_ref=IDENTITY_ID,
    )
    objects: list[Any] = [
        campaign,
        iset,
        stix2.Relationship(campaign, "attributed-to", iset, created_by_ref=IDENTITY_ID),
    ]
    known = techniques()
    for t in s["techniques"]:
        ap = known.get(t["id"])
        if ap is None:
            continue  # retired ids have no attack-pattern object in the current bundle; kept in the note below
        pattern = stix2.AttackPattern(
            **{k: v for k, v in ap.items() if k not in ("type", "spec_version")}, allow_custom=True
        )
        objects.append(pattern)
        objects.append(
            stix2.Relationship(
                campaign, "uses", pattern, description="; ".join(t["evidence"]), created_by_ref=IDENTITY_ID
            )
        )
    members = q(
        """SELECT a.platform, a.account_id, a.handle, min(p.created_at), max(p.created_at), count(p.post_id)
                   FROM account_scores s JOIN accounts a USING (platform, account_id)
                   LEFT JOIN posts p ON p.platform = s.platform AND p.account_id = s.account_id
                   WHERE s.community = ? GROUP BY ALL ORDER BY max(s.eigenvector), a.account_id LIMIT ?""",
        [cid, MAX_ACCOUNTS],
    ).fetchall()
    accounts = []
    for home, acc, handle, f, l_, n in members:  # a campaign may span platforms: each account's own
        uid = pseudonymizer.account(home, acc) if pseudonymizer else str(acc)
        login = pseudonymizer.handle(home, handle) if pseudonymizer else handle
        ua = stix2.UserAccount(user_id=uid, account_login=login, account_type=str(home))
        accounts.append(ua)
        objects.append(ua)
        objects.append(
            stix2.ObservedData(
                first_observed=_ts(f),
                last_observed=_ts(l_),
                number_observed=max(1, int(n)),
                object_refs=[ua.id],
                created_by_ref=IDENTITY_ID,
            )
        )
        objects.append(
            stix2.Indicator(
                name=f"Coordinated account {login or uid}",
                pattern_type="stix",
                pattern=f"[user-account:user_id = '{_pattern_str(uid)}']",
                valid_from=first_dt,
                indicator_types=["attribution"],
                created_by_ref=IDENTITY_ID,
            )
        )
    for domain, _n in s["content"]["domains"][:20]:
        objects.append(stix2.DomainName(value=domain))
    urls = q(
        """SELECT u.url, count(*) FROM post_urls u JOIN posts p USING (platform, post_id)
                SEMI JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id
                                           AND s.community = ?
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20""",
        [cid],
    ).fetchall()
    for url, _n in urls:
        try:
            objects.append(stix2.URL(value=url))
        except (stix2.exceptions.STIXError, ValueError):
            continue
    retired = [t for t in s["techniques"] if t["id"] not in known]
    evidence = [
        f"{t['trace']}: {t['edges']} account pairs, {t['shared_items']} shared items"
        + (f", best null-model p {t['best_p_value']:.3f}" if t["best_p_value"] is not None else "")
        for t in s["behaviour"]["traces"]
    ]
    objects.append(
        stix2.Note(
            abstract="Coordination evidence (Lockstep)",
            content="\n".join(evidence)
            + (
                "\nRetired DISARM ids also matching: " + ", ".join(f"{t['id']} {t['name']}" for t in retired)
                if retired
                else ""
            ),
            object_refs=[campaign.id],
            created_by_ref=IDENTITY_ID,
        )
    )
    narratives = (
        [
            f"[{n['trace']}] {n['accounts']} accounts: {str(n['example'] or '')[:280]}"
            for n in s["content"]["narratives"][:5]
        ]
        if not pseudonymizer
        else []
    )
    if narratives:
        objects.append(
            stix2.Note(
                abstract="Narratives: shared items with example posts",
                content="\n".join(narratives),
                object_refs=[campaign.id],
                created_by_ref=IDENTITY_ID,
            )
        )
    return objects


def _pattern_str(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def build_bundle(
    store: Store, *, campaign: int | None = None, pseudonymizer: Pseudonymizer | None = None
) -> stix2.Bundle:
    """One bundle with every campaign (or one), a report referencing everything, and the provenance."""
    import stix2

    ids = (
        [campaign]
        if campaign is not None
        else [int(r[0]) for r in store.con.execute("SELECT campaign FROM campaigns ORDER BY rank").fetchall()]
    )
    if not ids:
        raise InputError("no campaigns to export: run `lockstep detect` and `lockstep analyze` first")
    objects: list[Any] = [identity()]
    for cid in ids:
        objects.extend(campaign_objects(store, cid, pseudonymizer))
    prov = provenance(store, campaign=campaign, pseudonymized=pseudonymizer is not None)
    refs = [o.id for o in objects if o.type not in ("identity",)]
    report = stix2.Report(
        name="Lockstep coordinated inauthentic behaviour findings",
        report_types=["campaign"],
        published=dt.datetime.now(dt.UTC),
        object_refs=refs,
        created_by_ref=IDENTITY_ID,
        description="Provenance: " + json.dumps(prov, default=str),
    )
    return stix2.Bundle(objects=[*objects, report], allow_custom=True)


def export_stix(
    store: Store, path: str | Path, *, campaign: int | None = None, pseudonymizer: Pseudonymizer | None = None
) -> Path:
    """Write the STIX 2.1 bundle to ``path`` (validated by parsing it back)."""
    import stix2

    store.require("analyze")
    bundle = build_bundle(store, campaign=campaign, pseudonymizer=pseudonymizer)
    text = bundle.serialize(pretty=True)
    stix2.parse(text, allow_custom=True)
    out = Path(path)
    out.write_text(text, encoding="utf-8")
    return out
