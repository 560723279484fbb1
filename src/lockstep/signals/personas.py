"""Persona templates: handles made from one pattern, and biographies reused across accounts.

Operators mass-produce personas from templates (DISARM T0144.002 Persona Template): handles like
``EttaJac84185457`` (a name plus a long digit run, Twitter's default suggestion for new accounts, common in
Spamouflage's 2023 X accounts listed by Meta) and copied bios. Per account: the length of the trailing digit
run of its handle and its *shape* (letters -> ``a``, digits -> ``9``, runs collapsed: ``EttaJac84185457`` ->
``a9``). Per community: the share of members whose handle ends in at least ``DIGITS`` digits (baseline: the
same share in the baseline population) and the number of members sharing a non-empty bio with another member.
Fires when the digit-handle share is at least 0.5 and 0.25 above baseline (3+ members), or 2+ members reuse
a bio.
"""

from __future__ import annotations

from lockstep.engine import embedded
from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register

DIGITS = 5


def compute(con: embedded.Connection, ctx: SignalContext) -> None:
    """Write ``personas.digit_handles`` and ``personas.reused_bios`` rows."""
    base = baseline_accounts(ctx)
    digit = f"regexp_matches(coalesce(a.handle, ''), '[0-9]{{{DIGITS},}}$')"
    insert_rows(
        con,
        f"""WITH pop AS (SELECT avg(CASE WHEN {digit} THEN 1.0 ELSE 0.0 END) AS share FROM accounts a
                     SEMI JOIN {base} b ON b.platform = a.platform AND b.account_id = a.account_id
                     WHERE a.handle IS NOT NULL AND NOT a.id_is_hashed)
        SELECT 'community' AS scope, s.platform, CAST(s.community AS VARCHAR) AS subject,
               'personas.digit_handles' AS signal, avg(CASE WHEN {digit} THEN 1.0 ELSE 0.0 END) AS value,
               (SELECT share FROM pop) AS baseline,
               count(*) >= 3 AND avg(CASE WHEN {digit} THEN 1.0 ELSE 0.0 END) >= 0.5
                 AND avg(CASE WHEN {digit} THEN 1.0 ELSE 0.0 END) >= (SELECT share FROM pop) + 0.25 AS fired,
               json_object('shapes', list(DISTINCT regexp_replace(regexp_replace(a.handle, '[A-Za-z_]+', 'a', 'g'),
                                                                   '[0-9]+', '9', 'g')))::VARCHAR AS detail
        FROM account_scores s JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
        WHERE a.handle IS NOT NULL AND NOT a.id_is_hashed
        GROUP BY s.platform, s.community""",
    )
    insert_rows(
        con,
        """WITH bios AS (
          SELECT s.platform, s.community, trim(a.description) AS bio, count(*) AS n, list(a.account_id) AS who
          FROM account_scores s JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
          WHERE length(trim(coalesce(a.description, ''))) >= 10 GROUP BY ALL HAVING count(*) >= 2)
        SELECT 'community' AS scope, platform, CAST(community AS VARCHAR) AS subject, 'personas.reused_bios' AS signal,
               CAST(sum(n) AS DOUBLE) AS value, 0.0 AS baseline, true AS fired,
               json_object('bios', list(json_object('bio', bio, 'accounts', who)))::VARCHAR AS detail
        FROM bios GROUP BY platform, community""",
    )


PERSONAS = register(
    Signal(
        name="personas",
        description="handles from one template (long digit suffixes) and bios reused across accounts",
        reference="DISARM T0144.002 Persona Template; Meta Q2 2023 Spamouflage indicators (X handles)",
        compute=compute,
        disarm=("T0144.002",),
    )
)
