"""Spam camouflage: a few political posts hidden among filler (scenery, food, sports, clips).

Graphika named Spamouflage for this: accounts posted mostly unrelated content with a minority of political
posts, and only the political posts were synchronised with the network (DISARM T0129.002 Generate Content
Unrelated to Narrative; not T0049.004). The classifier is deliberately transparent: a post is political when
its lower-cased text contains a term of ``POLITICAL_TERMS`` (English, Chinese, Russian; edit the list for
your case). Per community (members with at least ``MIN_POSTS`` posts): the political share of posts, and the
share of political vs filler posts that appear in the coordination evidence. Fires when the political share
is between 5% and 40% and political posts are at least twice as likely as filler to be coordinated.

Written once in Ibis (:mod:`lockstep.engine.signals.content`); runs on the store's DuckDB or on Spark (the
terms match the text through classes of the characters DuckDB's ``lower`` maps onto each letter, so both
engines match as ``lower(text)`` did on DuckDB: :mod:`lockstep.engine.signals.text`).
"""

from __future__ import annotations

from lockstep.signals.base import Signal, engine_compute, register

MIN_POSTS = 20
POLITICAL_TERMS = (
    # English
    "government",
    "president",
    "election",
    "vote",
    "democrat",
    "republican",
    "congress",
    "senate",
    "minister",
    "parliament",
    "policy",
    "protest",
    "riot",
    "police",
    "military",
    "war",
    "sanction",
    "human rights",
    "dissident",
    "communist",
    "ccp",
    "xinjiang",
    "uyghur",
    "tibet",
    "taiwan",
    "hong kong",
    "beijing",
    "washington",
    "nato",
    "ukraine",
    "russia",
    "putin",
    "trump",
    "biden",
    "obama",
    "clinton",
    "immigration",
    "refugee",
    "terror",
    "propaganda",
    "censorship",
    "independence",
    "sovereignty",
    "corruption",
    "regime",
    # Chinese
    "政府",
    "总统",
    "選舉",
    "选举",
    "民主",
    "共产党",
    "共產黨",
    "香港",
    "台湾",
    "台灣",
    "新疆",
    "西藏",
    "美国",
    "美國",
    "抗议",
    "示威",
    "警察",
    "暴徒",
    "人权",
    "人權",
    "制裁",
    "主权",
    "独立",
    "獨立",
    "习近平",
    "郭文贵",
    # Russian
    "правительств",
    "президент",
    "выбор",
    "путин",
    "украин",
    "нато",
    "санкци",
    "войн",
    "протест",
    "полиц",
)


CAMOUFLAGE = register(
    Signal(
        name="camouflage",
        description="political posts a minority (5-40%) among filler, and the political ones coordinated",
        reference="Graphika 2019 'Spamouflage Dragon'; DISARM T0129.002",
        compute=engine_compute("camouflage"),
        disarm=("T0129.002",),
    )
)
