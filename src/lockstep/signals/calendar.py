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

Offices start between 8 and 10 (09:00-18:00 in China, often 10:00-19:00 in Moscow), so one office-day template
cannot tell UTC+1 from UTC+3 for a flat working-day plateau: shifting the template by an hour shifts the best
offset by an hour. The inference therefore keeps the analyst's candidate zone when the data cannot reject it.

The computation is written once in Ibis (:mod:`lockstep.engine.signals.calendar`) and runs on the store's
DuckDB or on Spark.
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

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

#: The candidate zone (``tz_offset_hours``) is kept as the inferred offset when its office share is at least
#: this share of the best offset's under one of the 08-17, 09-18 and 10-19 office-day templates.
CANDIDATE_FIT = 0.95

CALENDAR = register(
    Signal(
        name="calendar",
        description="office-hours posting in the candidate time zone, lunch dip, quiet weekends",
        reference="Meta adversarial threat reports 2022-2023 (Spamouflage); ASPI 2019; DOMAIN.md section 2",
        compute=engine_compute("calendar"),
        disarm=(),  # a schedule is attribution evidence; DISARM has no technique for "works office hours"
    )
)
