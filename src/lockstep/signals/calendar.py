"""Work-calendar fingerprint: do a community's posts follow an office schedule in a candidate time zone?

Spamouflage's accounts posted on Beijing office hours, Monday to Friday, with a lunch break (Meta 2022/2023;
ASPI 2019); the IRA worked shifts in St Petersburg. For each community (and each community member with at
least ``MIN_POSTS`` posts), in the candidate zone (``tz_offset_hours``, default UTC+8):

* ``office_share``: share of posts Monday-Friday 09:00-17:59 local;
* ``lunch_dip``: weekday posting rate 12:00-13:29 over the rate 10:00-11:59 and 13:30-15:29 (1 = no dip);
* ``weekend_ratio``: posts per weekend day over posts per weekday (1 = no difference);
* ``js_divergence``: Jensen-Shannon divergence (base 2, 0-1) of the 168-bin hour-of-week profile from the
  baseline population's;
* ``inferred_offset``: the UTC offset (whole hours, -12..+14) of the community's office schedule: the candidate
  zone when the data cannot reject it (its office share within 5% of the best offset's under an 08-17, 09-18
  or 10-19 office day), else the offset with the highest 09-18 office share (the detail keeps both);
* ``holiday_ratio``: posts per day on Chinese public holidays (the Spring Festival week and National Day's
  Golden Week, local dates) over posts per ordinary weekday; an office-run operation goes quiet (ratio well
  below 1). Only written when the posts cover at least one holiday day.

The community fingerprint fires when office share >= 0.5 and at least 0.15 above the baseline's, and
weekends are quiet (ratio <= 0.6). Thresholds are a starting point to calibrate against controls.
"""

from __future__ import annotations

import duckdb

from lockstep.signals.base import Signal, SignalContext, baseline_accounts, insert_rows, register

MIN_POSTS = 20
#: Chinese New Year's Day by year; the Spring Festival holiday runs from its eve for seven days.
LUNAR_NEW_YEAR = (
    "2012-01-23",
    "2013-02-10",
    "2014-01-31",
    "2015-02-19",
    "2016-02-08",
    "2017-01-28",
    "2018-02-16",
    "2019-02-05",
    "2020-01-25",
    "2021-02-12",
    "2022-02-01",
    "2023-01-22",
    "2024-02-10",
    "2025-01-29",
    "2026-02-17",
    "2027-02-06",
    "2028-01-26",
    "2029-02-13",
    "2030-02-03",
)


def holiday_days_sql() -> str:
    """SQL list of the Chinese public-holiday dates used by ``holiday_ratio`` (2012-2030)."""
    spring = [f"DATE '{d}' + INTERVAL ({o}) DAY" for d in LUNAR_NEW_YEAR for o in range(-1, 6)]
    golden = [f"DATE '{y}-10-0{d}'" for y in range(2012, 2031) for d in range(1, 8)]
    return "[" + ", ".join(f"CAST({x} AS DATE)" for x in spring + golden) + "]"


def _hours(ctx: SignalContext) -> str:
    return f"INTERVAL ({float(ctx.tz_offset_hours)!r} * 3600) SECOND"


#: The candidate zone (``tz_offset_hours``) is kept as the inferred offset when its office share is at least
#: this share of the best offset's under one of the office-day templates (see :func:`_template_shares`).
CANDIDATE_FIT = 0.95


def _candidate(ctx: SignalContext) -> int:
    """The candidate zone as a whole-hour offset (the inference scans whole hours)."""
    return round(float(ctx.tz_offset_hours))


def _template_shares() -> str:
    """Office share at offset ``o`` for three office days, Monday-Friday: 08-17, 09-18 and 10-19 local.

    Offices start between 8 and 10 (09:00-18:00 in China, often 10:00-19:00 in Moscow), so one template
    cannot tell UTC+1 from UTC+3 for a flat working-day plateau: shifting the template by an hour shifts the
    best offset by an hour. The inference therefore keeps the analyst's candidate zone when the data cannot
    reject it (within ``CANDIDATE_FIT`` of the best under some template), and otherwise reports the best fit.
    """
    parts = []
    local = "(how + o + 168) % 168"  # local hour of the week (0 = Monday 00h) of UTC bin ``how`` at offset ``o``
    for start in (8, 9, 10):
        parts.append(
            f"""sum(CASE WHEN {local} // 24 < 5 AND {local} % 24 BETWEEN {start} AND {start + 8}
                    THEN n ELSE 0 END) / sum(n) AS share{start}"""
        )
    return ",\n".join(parts)


def compute(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Write calendar rows for communities and busy accounts."""
    shift = _hours(ctx)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cal_posts AS
        SELECT p.platform, p.account_id, s.community, isodow(p.created_at + {shift}) AS dow,
               hour(p.created_at + {shift}) AS hr, minute(p.created_at + {shift}) AS mi,
               (isodow(p.created_at + {shift}) - 1) * 24 + hour(p.created_at + {shift}) AS how,
               p.created_at
        FROM posts p LEFT JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id"""
    )
    base = baseline_accounts(ctx)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cal_base AS
        SELECT how, count(*) / sum(count(*)) OVER () AS p FROM cal_posts c
        SEMI JOIN {base} b ON b.platform = c.platform AND b.account_id = c.account_id GROUP BY how"""
    )
    stats = """
        count(*) AS n,
        avg(CASE WHEN dow <= 5 AND hr BETWEEN 9 AND 17 THEN 1.0 ELSE 0.0 END) AS office_share,
        (count(*) FILTER (WHERE dow <= 5 AND (hr = 12 OR (hr = 13 AND mi < 30))) / 90.0)
          / nullif(count(*) FILTER (WHERE dow <= 5 AND (hr IN (10, 11, 14) OR (hr = 13 AND mi >= 30)
                                                      OR (hr = 15 AND mi < 30))) / 240.0, 0) AS lunch_dip,
        (count(*) FILTER (WHERE dow > 5) / 2.0) / nullif(count(*) FILTER (WHERE dow <= 5) / 5.0, 0)
          AS weekend_ratio"""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cal_base_stats AS
        SELECT {stats} FROM cal_posts c SEMI JOIN {base} b ON b.platform = c.platform AND b.account_id = c.account_id"""
    )
    for scope, key, where in (
        ("community", "CAST(community AS VARCHAR)", "community IS NOT NULL"),
        # Accounts in some community only: they are the ones a campaign reports (every posting account would be
        # tens of thousands of 168-bin profiles at 10M posts, for rows nothing reads).
        ("account", "account_id", "community IS NOT NULL"),
    ):
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE cal_groups AS
            SELECT platform, {key} AS subject, {stats} FROM cal_posts WHERE {where}
            GROUP BY platform, {key} HAVING count(*) >= {MIN_POSTS}"""
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE cal_js AS
            WITH g AS (SELECT platform, {key} AS subject, how, count(*) AS n FROM cal_posts WHERE {where}
                       GROUP BY ALL),
            q AS (SELECT platform, subject, how, n / sum(n) OVER (PARTITION BY platform, subject) AS q FROM g
                  SEMI JOIN cal_groups k USING (platform, subject)),
            grid AS (SELECT k.platform, k.subject, b.how, b.p, coalesce(q.q, 0) AS q FROM cal_groups k
                     CROSS JOIN cal_base b LEFT JOIN q ON q.platform = k.platform AND q.subject = k.subject
                                                      AND q.how = b.how)
            SELECT platform, subject,
                   0.5 * sum(CASE WHEN p > 0 THEN p * log2(p / ((p + q) / 2)) ELSE 0 END)
                 + 0.5 * sum(CASE WHEN q > 0 THEN q * log2(q / ((p + q) / 2)) ELSE 0 END) AS js
            FROM grid GROUP BY platform, subject"""
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE cal_offset AS
            WITH offs AS (SELECT range AS o FROM range(-12, 15)),
            h AS (SELECT c.platform, {key.replace("community", "c.community").replace("account_id", "c.account_id")}
                         AS subject, (isodow(c.created_at) - 1) * 24 + hour(c.created_at) AS how, count(*) AS n
                  FROM cal_posts c WHERE {where.replace("community", "c.community")} GROUP BY ALL),
            -- a whole-hour offset moves every post of one UTC hour-of-week bin to the same local bin, so the
            -- office shares at each offset come from the 168-bin histogram (not from every post x 27 offsets)
            s AS (SELECT platform, subject, o, {_template_shares()} FROM h CROSS JOIN offs GROUP BY ALL),
            s2 AS (SELECT s.* FROM s SEMI JOIN cal_groups k USING (platform, subject)),
            b AS (SELECT platform, subject, arg_max(o, share9) AS free_offset, max(share8) AS m8,
                         max(share9) AS m9, max(share10) AS m10 FROM s2 GROUP BY platform, subject),
            fit AS (SELECT s2.platform, s2.subject,
                           greatest(s2.share8 / nullif(b.m8, 0), s2.share9 / nullif(b.m9, 0),
                                    s2.share10 / nullif(b.m10, 0)) AS candidate_fit
                    FROM s2 JOIN b USING (platform, subject) WHERE s2.o = {_candidate(ctx)}),
            pick AS (SELECT b.platform, b.subject, b.free_offset, f.candidate_fit,
                            CASE WHEN f.candidate_fit >= {CANDIDATE_FIT!r} THEN {_candidate(ctx)}
                                 ELSE b.free_offset END AS best_offset
                     FROM b LEFT JOIN fit f USING (platform, subject))
            SELECT p.platform, p.subject, p.best_offset, s2.share9 AS best_share, p.free_offset, p.candidate_fit
            FROM pick p JOIN s2 ON s2.platform = p.platform AND s2.subject = p.subject AND s2.o = p.best_offset"""
        ) if scope == "community" else con.execute(
            "CREATE OR REPLACE TEMP TABLE cal_offset AS SELECT NULL::VARCHAR AS platform, NULL::VARCHAR AS subject, "
            "NULL::INTEGER AS best_offset, NULL::DOUBLE AS best_share, NULL::INTEGER AS free_offset, "
            "NULL::DOUBLE AS candidate_fit WHERE false"
        )
        metrics = {"office_share": "office_share", "lunch_dip": "lunch_dip", "weekend_ratio": "weekend_ratio"}
        for name, col in metrics.items():
            fired = (
                "(g.office_share >= 0.5 AND g.office_share >= b.office_share + 0.15 "
                "AND coalesce(g.weekend_ratio, 0) <= 0.6)"
                if name == "office_share"
                else "false"
            )
            insert_rows(
                con,
                f"""SELECT '{scope}' AS scope, g.platform, g.subject, 'calendar.{name}' AS signal,
                       g.{col} AS value, b.{col} AS baseline, {fired} AS fired,
                       json_object('posts', g.n, 'tz_offset_hours', {float(ctx.tz_offset_hours)!r},
                                   'lunch_dip', g.lunch_dip, 'weekend_ratio', g.weekend_ratio,
                                   'js_divergence', j.js, 'inferred_offset', o.best_offset,
                                   'office_share_at_inferred', o.best_share)::VARCHAR AS detail
                FROM cal_groups g CROSS JOIN cal_base_stats b
                LEFT JOIN cal_js j USING (platform, subject) LEFT JOIN cal_offset o USING (platform, subject)""",
            )
        insert_rows(
            con,
            f"""SELECT '{scope}' AS scope, platform, subject, 'calendar.js_divergence' AS signal, js AS value,
                   0.0 AS baseline, false AS fired, NULL AS detail FROM cal_js""",
        )
        if scope == "community":
            insert_rows(
                con,
                f"""SELECT 'community' AS scope, platform, subject, 'calendar.inferred_offset' AS signal,
                       best_offset AS value, NULL AS baseline, false AS fired,
                       json_object('office_share', best_share, 'best_fit_offset', free_offset,
                                   'candidate_offset', {_candidate(ctx)}, 'candidate_fit', candidate_fit,
                                   'rule', 'candidate zone kept when its office share is within 5% of the best '
                                           'under an 08-17, 09-18 or 10-19 office day; else the best 09-18 fit'
                       )::VARCHAR AS detail FROM cal_offset""",
            )
    _holidays(con, ctx)
    for t in ("cal_posts", "cal_base", "cal_base_stats", "cal_groups", "cal_js", "cal_offset"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _holidays(con: duckdb.DuckDBPyConnection, ctx: SignalContext) -> None:
    """Community ``calendar.holiday_ratio`` rows, where the posts cover a holiday."""
    shift = _hours(ctx)
    insert_rows(
        con,
        f"""WITH d AS (SELECT c.platform, c.community, CAST(c.created_at + {shift} AS DATE) AS day, count(*) AS n
                   FROM cal_posts c WHERE c.community IS NOT NULL GROUP BY ALL),
        hol AS (SELECT unnest({holiday_days_sql()}) AS day),
        span AS (SELECT platform, community, min(day) AS lo, max(day) AS hi FROM d GROUP BY ALL),
        k AS (SELECT s.platform, s.community,
                     count(*) FILTER (WHERE h.day IS NOT NULL) AS holiday_days,
                     count(*) FILTER (WHERE h.day IS NULL AND isodow(g.day) <= 5) AS weekdays,
                     sum(coalesce(d.n, 0)) FILTER (WHERE h.day IS NOT NULL) AS holiday_posts,
                     sum(coalesce(d.n, 0)) FILTER (WHERE h.day IS NULL AND isodow(g.day) <= 5) AS weekday_posts
              FROM span s, LATERAL (SELECT CAST(unnest(generate_series(s.lo, s.hi, INTERVAL 1 DAY)) AS DATE) AS day) g
              LEFT JOIN hol h ON h.day = g.day
              LEFT JOIN d ON d.platform = s.platform AND d.community = s.community AND d.day = g.day
              GROUP BY s.platform, s.community)
        SELECT 'community' AS scope, platform, CAST(community AS VARCHAR) AS subject,
               'calendar.holiday_ratio' AS signal,
               (holiday_posts / holiday_days) / nullif(weekday_posts / nullif(weekdays, 0), 0) AS value,
               1.0 AS baseline, false AS fired,
               json_object('holiday_days', holiday_days, 'holiday_posts', holiday_posts)::VARCHAR AS detail
        FROM k WHERE holiday_days > 0 AND weekday_posts > 0""",
    )


CALENDAR = register(
    Signal(
        name="calendar",
        description="office-hours posting in the candidate time zone, lunch dip, quiet weekends",
        reference="Meta adversarial threat reports 2022-2023 (Spamouflage); ASPI 2019; DOMAIN.md section 2",
        compute=compute,
        disarm=(),  # a schedule is attribution evidence; DISARM has no technique for "works office hours"
    )
)
