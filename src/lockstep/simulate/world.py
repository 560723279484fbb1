"""Generate a simulated world: accounts, a stream of posts, and the ground truth.

Deterministic for a seed: every random draw comes from one ``random.Random(seed)`` in a fixed order. Posts
are yielded as they are generated (not sorted), so the writers stream them to disk and memory stays flat.
Post ids are snowflake-style (time in the top bits), unique and increasing with time within a source.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from lockstep.simulate.config import OperationConfig, SimulationConfig
from lockstep.simulate.text import NARRATIVES, TOPICS, light_edit, organic_text

TWITTER_EPOCH_MS = 1288834974657
_EPOCH = dt.datetime(1970, 1, 1)
_MS = dt.timedelta(milliseconds=1)
LANG_BY_TZ = {-8: "en", -5: "en", 0: "en", 1: "de", 8: "zh", 9: "ja", 3: "en"}
CLIENTS = ("Twitter for iPhone", "Twitter for Android", "Twitter Web App")


@dataclass
class Account:
    """A simulated account and its ground truth."""

    account_id: str
    handle: str
    name: str
    created: dt.datetime
    followers: int
    following: int
    language: str
    tz: int
    rate: float
    label: str = "organic"
    role: str = "organic"
    ai_face: bool = False
    location: str = ""
    bio: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Post:
    """A simulated post."""

    post_id: str
    account: Account
    time: dt.datetime
    text: str
    language: str
    kind: str = "original"
    parent_id: str | None = None
    parent_account: str | None = None
    hashtags: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    client: str = "Twitter Web App"


class World:
    """Accounts plus a post generator for one :class:`SimulationConfig`."""

    def __init__(self, config: SimulationConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self._seq = 0
        self.accounts: list[Account] = []
        self._make_accounts()

    # --- ids and times -------------------------------------------------------------------------------
    def _id(self, t: dt.datetime) -> str:
        self._seq = (self._seq + 1) % 4096
        ms = int((t - _EPOCH) / _MS)
        return str(((ms - TWITTER_EPOCH_MS) << 22) | (self._seq << 10) | self.rng.randrange(1024))

    def _day(self, d: int) -> dt.datetime:
        return self.config.start + dt.timedelta(days=d)

    def _local_time(self, d: int, tz: int, hour: float) -> dt.datetime:
        return self._day(d) + dt.timedelta(hours=hour - tz)

    # --- accounts --------------------------------------------------------------------------------------
    def _account(
        self,
        label: str,
        role: str,
        tz: int,
        rate: float,
        created: dt.datetime,
        followers: int,
        handle: str | None = None,
    ) -> Account:
        n = len(self.accounts)
        uid = str(10**9 + n * 7919 % 10**9 + n)
        acc = Account(
            account_id=uid,
            handle=handle or f"user{n}_{self.rng.randrange(1000)}",
            name=f"Person {n}",
            created=created,
            followers=followers,
            following=self.rng.randrange(20, 800),
            language=LANG_BY_TZ.get(tz, "en"),
            tz=tz,
            rate=rate,
            label=label,
            role=role,
        )
        self.accounts.append(acc)
        return acc

    def _make_accounts(self) -> None:
        c, rng = self.config, self.rng
        n_ops = [max(3, int(c.accounts * op.share_of_accounts)) for op in c.operations]
        n_organic = max(10, c.accounts - sum(n_ops))
        for _ in range(n_organic):
            tz = rng.choice(c.organic_timezones)
            created = c.start - dt.timedelta(days=rng.randrange(60, 4000))
            rate = c.organic_posts_per_day * math.exp(rng.gauss(-0.5, 1.0))
            self._account("organic", "organic", tz, rate, created, int(math.exp(rng.gauss(4.5, 1.6))))
        organic = list(self.accounts)
        rng.shuffle(organic)
        taken = 0

        def assign(count: int, role: str) -> list[Account]:
            nonlocal taken
            group = organic[taken : taken + count]
            taken += count
            for a in group:
                a.role = role
            return group

        self.news = assign(min(c.news_outlets, len(organic) // 10), "news")
        for a in self.news:
            a.followers = int(math.exp(rng.gauss(10, 1.0)))
            a.handle = f"news_desk_{a.account_id[-4:]}"
        self.fans = [assign(c.fan_group_size, f"fan{g}") for g in range(c.fan_groups)]
        self.activists = [assign(c.activist_group_size, f"activist{g}") for g in range(c.activist_groups)]
        self.pods = [assign(c.pod_size, f"pod{g}") for g in range(c.engagement_pods)]
        self.organic = organic
        self.ops: list[tuple[OperationConfig, list[Account]]] = []
        for op, n in zip(c.operations, n_ops, strict=True):
            batch_day = c.start - dt.timedelta(days=rng.randrange(20, 90))
            members = []
            for i in range(n):
                if i < op.batch_size:  # registered together: one day, within ten hours
                    created = batch_day + dt.timedelta(minutes=rng.randrange(600))
                else:
                    created = c.start - dt.timedelta(days=rng.randrange(30, 900))
                handle = f"{rng.choice(['lucy', 'mark', 'anna', 'tom', 'emma', 'jack'])}{rng.randrange(10**7, 10**8)}"
                acc = self._account(
                    op.name,
                    "core",
                    op.utc_offset_hours,
                    op.posts_per_day,
                    created,
                    rng.choice([0, 0, 0, 1, 2, 3]),
                    handle=handle,
                )
                acc.language = "zh"
                acc.ai_face = rng.random() < op.ai_face_share
                acc.location = rng.choice(["Taiwan", "Hong Kong", "New York", ""])
                members.append(acc)
            k_hijacked = int(n * op.hijacked_share)
            k_dormant = int(n * op.dormant_share)
            for a in members[-k_hijacked:] if k_hijacked else []:
                a.role, a.created = "hijacked", c.start - dt.timedelta(days=rng.randrange(900, 2500))
                a.followers = rng.randrange(50, 400)
            # dormant accounts come from outside the creation batch (which is the first batch_size members)
            for a in members[len(members) - k_hijacked - k_dormant : len(members) - k_hijacked]:
                a.role, a.created = "dormant", c.start - dt.timedelta(days=rng.randrange(400, 1500))
            self.ops.append((op, members))

    # --- posts -----------------------------------------------------------------------------------------
    def posts(self) -> Iterator[Post]:
        """Every post of the world (originals before their reposts)."""
        yield from self._news()
        yield from self._organic()
        yield from self._fans_and_activists()
        yield from self._live_event()
        for op, members in self.ops:
            yield from self._operation(op, members)

    def _news(self) -> Iterator[Post]:
        c, rng = self.config, self.rng
        self.popular: list[Post] = []
        for d in range(c.days):
            for outlet in self.news:
                for _ in range(max(1, int(c.news_posts_per_day / 2 + rng.random() * c.news_posts_per_day))):
                    t = self._local_time(d, outlet.tz, rng.uniform(6, 23))
                    headline = organic_text(rng, "en", rng.choice(list(TOPICS))) + " report"
                    url = f"https://{outlet.handle}.news.example/{d}/{rng.randrange(10**6)}"
                    p = Post(self._id(t), outlet, t, f"{headline} {url}", "en", urls=(url,), client="SocialFlow")
                    self.popular.append(p)
                    yield p
                    if rng.random() < c.syndication_probability:  # hard negative: verbatim syndication
                        for other in rng.sample(self.news, rng.randrange(3, 7)):
                            if other is outlet:
                                continue
                            ts = t + dt.timedelta(seconds=rng.randrange(10, 300))
                            yield Post(self._id(ts), other, ts, headline, "en", client="SocialFlow")
        self.popular.sort(key=lambda p: p.time)

    def _pick_popular(self, t: dt.datetime) -> Post | None:
        # originals from the 48 hours before t, recent and early ones more often (a cascade's fat head)
        lo, hi = 0, len(self.popular)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.popular[mid].time < t:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            return None
        back = int(min(lo, 400) * self.rng.random() ** 3)
        cand = self.popular[lo - 1 - back]
        return cand if (t - cand.time).total_seconds() < 172_800 else None

    def _organic(self) -> Iterator[Post]:
        c, rng = self.config, self.rng
        pod_of = {a.account_id: g for g, members in enumerate(self.pods) for a in members}
        for acc in self.organic:
            if acc.role == "news":
                continue
            topic = rng.choice(list(TOPICS))
            for d in range(c.days):
                n = _poisson(rng, acc.rate * (0.7 if self._day(d).weekday() >= 5 else 1.0))
                for _ in range(n):
                    hour = rng.choice((8, 9, 12, 13, 18, 19, 20, 21, 22, 23)) + rng.random()
                    t = self._local_time(d, acc.tz, hour)
                    r = rng.random()
                    src = self._pick_popular(t) if r < c.retweet_share else None
                    if src is not None:
                        yield Post(
                            self._id(t),
                            acc,
                            t,
                            f"RT @{src.account.handle}: {src.text}",
                            src.language,
                            "repost",
                            src.post_id,
                            src.account.account_id,
                            urls=src.urls,
                            client=rng.choice(CLIENTS),
                        )
                        continue
                    if r < c.retweet_share + c.reply_share and self.popular:
                        src = self._pick_popular(t)
                        if src is not None:
                            yield Post(
                                self._id(t),
                                acc,
                                t,
                                f"@{src.account.handle} {organic_text(rng, acc.language, topic)}",
                                acc.language,
                                "reply",
                                src.post_id,
                                src.account.account_id,
                                mentions=(src.account.handle,),
                                client=rng.choice(CLIENTS),
                            )
                            continue
                    tags = (topic,) if rng.random() < 0.2 else ()
                    text = organic_text(rng, acc.language, topic) + "".join(f" #{h}" for h in tags)
                    p = Post(self._id(t), acc, t, text, acc.language, hashtags=tags, client=rng.choice(CLIENTS))
                    yield p
                    g = pod_of.get(acc.account_id)
                    if g is not None:  # hard negative: an engagement pod reposts its members within ~30 min
                        for mate in self.pods[g]:
                            if mate is not acc and rng.random() < 0.7:
                                tm = t + dt.timedelta(seconds=rng.randrange(60, 1800))
                                yield Post(
                                    self._id(tm),
                                    mate,
                                    tm,
                                    f"RT @{acc.handle}: {text}",
                                    p.language,
                                    "repost",
                                    p.post_id,
                                    acc.account_id,
                                    client=rng.choice(CLIENTS),
                                )

    def _fans_and_activists(self) -> Iterator[Post]:
        c, rng = self.config, self.rng
        for g, fans in enumerate(self.fans):  # chant the tour hashtag at 20:00 local every evening
            for d in range(c.days):
                tag = f"BandTour{g}Day{d}"
                for acc in fans:
                    if rng.random() < 0.8:
                        t = self._local_time(d, acc.tz, 20.0) + dt.timedelta(seconds=rng.randrange(120))
                        yield Post(
                            self._id(t),
                            acc,
                            t,
                            f"streaming now #BandTour{g} #{tag}",
                            acc.language,
                            hashtags=(f"BandTour{g}", tag),
                            client=rng.choice(CLIENTS),
                        )
        for g, group in enumerate(self.activists):  # one petition link, shared over a few hours, twice
            for d in (rng.randrange(c.days), rng.randrange(c.days)):
                url = f"https://petition.example/save-the-park-{g}-{d}"
                for acc in group:
                    t = self._local_time(d, acc.tz, 10 + rng.random() * 6)
                    yield Post(
                        self._id(t),
                        acc,
                        t,
                        f"Sign and share {url} #SaveThePark",
                        acc.language,
                        hashtags=("SaveThePark",),
                        urls=(url,),
                        client=rng.choice(CLIENTS),
                    )

    def _live_event(self) -> Iterator[Post]:
        c, rng = self.config, self.rng
        if not 0 <= c.live_event_day < c.days:
            return
        start = self._day(c.live_event_day) + dt.timedelta(hours=1)  # 20:00 US Eastern
        for acc in self.organic:
            if acc.role == "organic" and rng.random() < c.live_event_share:
                for _ in range(rng.randrange(1, 4)):
                    t = start + dt.timedelta(seconds=rng.randrange(7200))
                    yield Post(
                        self._id(t),
                        acc,
                        t,
                        f"{organic_text(rng, 'en', 'politics')} #Debate2023 #Vote",
                        "en",
                        hashtags=("Debate2023", "Vote"),
                        client=rng.choice(CLIENTS),
                    )

    def _op_time(self, op: OperationConfig, d: int) -> dt.datetime | None:
        rng = self.rng
        if self._day(d).weekday() >= 5 and rng.random() > op.weekend_activity:
            return None
        lo, hi = rng.choice(op.work_hours)
        return self._local_time(d, op.utc_offset_hours, rng.uniform(lo, hi))

    def _operation(self, op: OperationConfig, members: list[Account]) -> Iterator[Post]:
        c, rng = self.config, self.rng
        cartoons = [f"pdq:{rng.getrandbits(256):064x}" for _ in range(6)]
        wake_day = c.takedown_day + 1
        for acc in members:
            if acc.role == "hijacked":  # an earlier life in Spanish, before the account was taken over
                for _ in range(20):
                    t = c.start - dt.timedelta(days=rng.randrange(40, 300), hours=rng.randrange(24))
                    yield Post(self._id(t), acc, t, organic_text(rng, "es", "food"), "es", client="Twitter for Android")
                acc.notes.append("switches from Spanish to Chinese/English")
            if acc.role == "dormant":  # old activity, >= 200 days of silence, then wakes after the takedown
                for _ in range(5):
                    t = c.start - dt.timedelta(days=rng.randrange(220, 360), hours=rng.randrange(24))
                    yield Post(self._id(t), acc, t, organic_text(rng, "en", "travel"), "en", client="Twitter Web App")
                acc.notes.append(f"wakes on day {wake_day}+")
        per_wave = max(2, int(len(members) * op.wave_share))
        for d in range(c.days):
            active = [a for a in members if a.role != "dormant" or d >= wake_day]
            for acc in active:  # spam camouflage: scenery and food at the operation's hours, not synchronised
                for _ in range(_poisson(rng, op.posts_per_day * (1 - op.political_share))):
                    tf = self._op_time(op, d)
                    if tf is None:
                        continue
                    topic = rng.choice(["food", "travel", "weather"])
                    yield Post(
                        self._id(tf),
                        acc,
                        tf,
                        organic_text(rng, "en", topic) + " #scenery",
                        "en",
                        hashtags=("scenery",),
                        media=(f"img:{rng.getrandbits(64):016x}",),
                        client="Twitter Web App",
                    )
            for _ in range(op.waves_per_day):  # a copy-paste wave: many members, one narrative, minutes apart
                t0 = self._op_time(op, d)
                if t0 is None or len(active) < 2:
                    continue
                en, zh = rng.choice(NARRATIVES)
                tags = tuple(rng.sample(op.hashtags, len(op.hashtags)))[:3]
                url = f"https://{op.domain}/{rng.randrange(50)}"
                media = (rng.choice(cartoons),) if rng.random() < op.cartoon_probability else ()
                wave = rng.sample(active, min(per_wave, len(active)))
                for acc in wave:
                    t = t0 + dt.timedelta(seconds=rng.randrange(*op.wave_spread_s))
                    text, lang = (zh, "zh") if rng.random() < 0.5 else (en, "en")
                    if rng.random() < op.copy_edit_probability:
                        text = light_edit(rng, text) if lang == "en" else text + "！"
                    body = f"{text} {url} " + " ".join(f"#{h}" for h in tags)
                    post = Post(
                        self._id(t),
                        acc,
                        t,
                        body,
                        lang,
                        hashtags=tags,
                        urls=(url,),
                        media=media,
                        client="Twitter Web App",
                    )
                    yield post
                    if rng.random() < op.translated_twin_probability:  # the translation, by another member
                        twin_acc = rng.choice(active)
                        tt = t + dt.timedelta(seconds=rng.randrange(30, 300))
                        other = en if lang == "zh" else zh
                        yield Post(
                            self._id(tt),
                            twin_acc,
                            tt,
                            f"{other} {url}",
                            "en" if lang == "zh" else "zh",
                            urls=(url,),
                            client="Twitter Web App",
                        )
                    for mate in rng.sample(active, min(len(active), 5)):  # amplification inside the network
                        if mate is not acc and rng.random() < op.amplify_probability:
                            tm = t + dt.timedelta(seconds=rng.randrange(*op.amplify_delay_s))
                            yield Post(
                                self._id(tm),
                                mate,
                                tm,
                                f"RT @{acc.handle}: {body}",
                                lang,
                                "repost",
                                post.post_id,
                                acc.account_id,
                                hashtags=tags,
                                urls=(url,),
                                client="Twitter Web App",
                            )


def _poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw (Knuth for small means, normal approximation above 30)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
