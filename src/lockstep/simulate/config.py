"""Every knob of the world simulator, in one documented place.

The world has an organic population, hard negatives (organic behaviour that looks coordinated) and two
operations with the Spamouflage profile described in ``DOMAIN.md``: batch-created accounts on a Beijing
office schedule, copy-pasted and lightly edited text, translated twins, shared cartoons, spam camouflage,
amplification inside the network, hijacked and dormant accounts, AI-face avatars, almost no organic
engagement. A second, quieter operation uses other parameters. Times are UTC; ``start`` is day 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OperationConfig:
    """One influence operation."""

    name: str = "op1"
    share_of_accounts: float = 0.03  # of all accounts
    utc_offset_hours: int = 8  # Beijing
    work_hours: tuple[tuple[float, float], ...] = ((9.0, 12.0), (13.5, 17.5), (19.0, 21.0))  # lunch, supper dips
    weekend_activity: float = 0.1  # relative to weekdays
    posts_per_day: float = 6.0
    political_share: float = 0.25  # share of posting capacity on narratives; the rest is filler
    waves_per_day: int = 4  # copy-paste waves: one narrative, many members, minutes apart
    wave_share: float = 0.3  # share of active members in each wave
    wave_spread_s: tuple[int, int] = (0, 420)
    batch_size: int = 40  # accounts created on one day
    amplify_probability: float = 0.6  # chance that another member reposts a narrative post
    amplify_delay_s: tuple[int, int] = (20, 600)
    copy_edit_probability: float = 0.3  # narrative posts lightly edited rather than copied verbatim
    translated_twin_probability: float = 0.3  # narrative posted in both Chinese and English
    cartoon_probability: float = 0.15  # narrative posts carrying a shared cartoon (media hash)
    hijacked_share: float = 0.1  # accounts with an earlier life in another language
    dormant_share: float = 0.15  # accounts silent >= 200 days, waking after the takedown
    ai_face_share: float = 0.5  # accounts with a GAN-generated avatar
    hashtags: tuple[str, ...] = ("HarbourProject", "RailwayFuture", "UnityAndPeace")
    domain: str = "daily-harbour-news.example"


@dataclass(frozen=True)
class SimulationConfig:
    """The whole world."""

    accounts: int = 10_000
    days: int = 30
    seed: int = 0
    start: dt.datetime = dt.datetime(2023, 3, 6)  # a Monday
    organic_posts_per_day: float = 1.0  # mean; per-account rates are log-normal (heavy-tailed)
    organic_timezones: tuple[int, ...] = (-8, -5, 0, 1, 8, 9)
    retweet_share: float = 0.45
    reply_share: float = 0.1
    news_outlets: int = 40
    news_posts_per_day: int = 12
    syndication_probability: float = 0.2  # a headline syndicated verbatim by 3-6 outlets
    fan_groups: int = 3
    fan_group_size: int = 25
    activist_groups: int = 2
    activist_group_size: int = 30
    engagement_pods: int = 2
    pod_size: int = 12
    live_event_day: int = 12  # a televised debate: everyone posts the same hashtags
    live_event_share: float = 0.15
    takedown_day: int = 15  # dormant operation accounts wake the week after
    operations: tuple[OperationConfig, ...] = field(
        default_factory=lambda: (
            OperationConfig(),
            OperationConfig(
                name="op2",
                share_of_accounts=0.01,
                utc_offset_hours=3,
                work_hours=((10.0, 13.0), (14.0, 18.0)),
                weekend_activity=0.3,
                posts_per_day=3.0,
                political_share=0.5,
                waves_per_day=2,
                wave_share=0.4,
                wave_spread_s=(0, 1800),
                batch_size=0,
                amplify_probability=0.3,
                amplify_delay_s=(300, 3600),
                copy_edit_probability=0.5,
                translated_twin_probability=0.0,
                cartoon_probability=0.05,
                hijacked_share=0.0,
                dormant_share=0.0,
                ai_face_share=0.1,
                hashtags=("CleanEnergyNow", "GridForAll", "FutureIsNuclear"),
                domain="energy-truth-today.example",
            ),
        )
    )
