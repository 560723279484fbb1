"""AI-generated avatars: the share of a community's checked avatars with eyes at the StyleGAN positions.

Graphika (2020) first spotted Spamouflage personas with GAN faces by their identically placed eyes; Meta's
2023 takedown listed AI-faced accounts that carried on after earlier takedowns (DISARM T0145.002
AI-Generated Account Imagery). Reads ``avatar_checks`` (``lockstep media faces``); per account, a GAN-like
avatar fires; per community, the share of checked avatars that are GAN-like against the baseline population's
share (the base rate in the wild is ~0.02-0.05% of active accounts); fires at 0.2 or more with 2+ GAN-like.
Diffusion-model faces are out of reach of this check.
"""

from __future__ import annotations

import duckdb

from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register


def compute(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Write ``ai_faces.gan_avatar`` rows."""
    base = baseline_accounts(ctx)
    insert_rows(
        con,
        """SELECT 'account' AS scope, c.platform, c.account_id AS subject, 'ai_faces.gan_avatar' AS signal,
                  c.eye_distance AS value, 0.025 AS baseline, c.gan_like AS fired,
                  json_object('image', c.image, 'reason', c.reason)::VARCHAR AS detail
           FROM avatar_checks c
           SEMI JOIN account_scores s ON s.platform = c.platform AND s.account_id = c.account_id""",
    )
    insert_rows(
        con,
        f"""WITH pop AS (SELECT avg(CASE WHEN gan_like THEN 1.0 ELSE 0.0 END) AS share FROM avatar_checks c
                     SEMI JOIN {base} b ON b.platform = c.platform AND b.account_id = c.account_id)
        SELECT 'community' AS scope, s.platform, CAST(s.community AS VARCHAR) AS subject,
               'ai_faces.gan_avatar' AS signal,
               avg(CASE WHEN c.gan_like THEN 1.0 ELSE 0.0 END) AS value, (SELECT share FROM pop) AS baseline,
               count(*) FILTER (WHERE c.gan_like) >= 2 AND avg(CASE WHEN c.gan_like THEN 1.0 ELSE 0.0 END) >= 0.2
                 AS fired,
               json_object('checked', count(*), 'gan_like', count(*) FILTER (WHERE c.gan_like))::VARCHAR AS detail
        FROM avatar_checks c JOIN account_scores s ON s.platform = c.platform AND s.account_id = c.account_id
        GROUP BY s.platform, s.community""",
    )


AI_FACES = register(
    Signal(
        name="ai_faces",
        description="avatars with eyes at the StyleGAN positions (run `lockstep media faces` first)",
        reference="Yang, Singh & Menczer 2024; Graphika 2020; DISARM T0145.002",
        compute=compute,
        disarm=("T0145.002",),
    )
)
