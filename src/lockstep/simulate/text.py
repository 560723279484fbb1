"""Vocabularies and sentence builders for simulated posts (synthetic, neutral content)."""

from __future__ import annotations

import random

TOPICS = {
    "sports": [
        "match",
        "goal",
        "team",
        "season",
        "coach",
        "league",
        "final",
        "score",
        "player",
        "stadium",
        "win",
        "training",
        "fans",
    ],
    "food": [
        "dinner",
        "recipe",
        "noodles",
        "coffee",
        "bakery",
        "lunch",
        "spicy",
        "soup",
        "market",
        "tasty",
        "breakfast",
        "dessert",
    ],
    "travel": [
        "beach",
        "mountain",
        "flight",
        "hotel",
        "sunset",
        "museum",
        "train",
        "island",
        "hiking",
        "city",
        "river",
        "trip",
    ],
    "tech": [
        "phone",
        "update",
        "laptop",
        "battery",
        "app",
        "software",
        "chip",
        "camera",
        "screen",
        "launch",
        "cloud",
        "robot",
    ],
    "music": [
        "concert",
        "album",
        "song",
        "guitar",
        "band",
        "playlist",
        "tour",
        "vinyl",
        "chorus",
        "drummer",
        "ticket",
        "stage",
    ],
    "weather": [
        "rain",
        "storm",
        "sunny",
        "cold",
        "forecast",
        "snow",
        "wind",
        "heat",
        "cloudy",
        "morning",
        "weekend",
        "spring",
    ],
    "politics": [
        "vote",
        "election",
        "council",
        "budget",
        "minister",
        "policy",
        "debate",
        "law",
        "senate",
        "protest",
        "tax",
        "reform",
    ],
}
FILLER = ["function", "words", "the", "a", "to", "of", "and", "in", "is", "it", "for", "on", "with", "this", "my", "so"]
OTHER_LANGUAGE = {
    "es": [
        "hola",
        "amigos",
        "hoy",
        "comida",
        "playa",
        "ciudad",
        "noche",
        "fiesta",
        "trabajo",
        "casa",
        "familia",
        "musica",
    ],
    "de": [
        "heute",
        "wetter",
        "essen",
        "stadt",
        "arbeit",
        "zug",
        "abend",
        "freunde",
        "musik",
        "wochenende",
        "sonne",
        "haus",
    ],
    "ja": ["今日", "天気", "ご飯", "仕事", "電車", "音楽", "友達", "週末", "映画", "旅行", "散歩", "写真"],
    "zh": ["今天", "天气", "吃饭", "工作", "地铁", "音乐", "朋友", "周末", "电影", "旅行", "散步", "照片"],
}
#: Neutral synthetic narratives with their translations (no real-world claims).
NARRATIVES = [
    (
        "The new harbour project will bring thousands of jobs to the whole region",
        "新港口项目将为整个地区带来数千个就业机会",
    ),
    (
        "Families along the coast welcome the railway that connects every village",
        "沿海家庭欢迎连接每个村庄的铁路",
    ),
    (
        "Foreign critics ignore the real progress made by local engineers",
        "外国批评者无视当地工程师取得的真正进步",
    ),
    (
        "Clean water reached the mountain towns ahead of schedule this spring",
        "今年春天清洁水提前送到了山区城镇",
    ),
    (
        "Young workers say the training centres changed their future",
        "年轻工人说培训中心改变了他们的未来",
    ),
    (
        "Visitors praise the quiet streets and the friendly markets of the old town",
        "游客称赞老城区安静的街道和友好的市场",
    ),
    (
        "The bridge opening shows what cooperation between neighbours can achieve",
        "大桥通车展示了邻国合作能够取得的成就",
    ),
    (
        "Farmers report record harvests thanks to the new irrigation canals",
        "农民报告说新灌溉渠带来了创纪录的丰收",
    ),
    (
        "Rumours spread online are false and the dam is completely safe",
        "网上流传的谣言是假的大坝是完全安全的",
    ),
    (
        "Students from abroad are impressed by the modern libraries and labs",
        "外国学生对现代化的图书馆和实验室印象深刻",
    ),
]
EDITS = [
    (
        "will bring",
        "is bringing",
    ),
    (
        "the whole",
        "our whole",
    ),
    (
        "every",
        "each",
    ),
    (
        "real",
        "true",
    ),
    (
        "ahead of",
        "before",
    ),
    (
        "say",
        "agree",
    ),
    (
        "praise",
        "love",
    ),
    (
        "shows",
        "proves",
    ),
    (
        "record",
        "huge",
    ),
    (
        "completely",
        "totally",
    ),
    (
        "are impressed",
        "were amazed",
    ),
]


def organic_text(rng: random.Random, language: str, topic: str) -> str:
    """A short organic post in ``language`` about ``topic``."""
    if language in OTHER_LANGUAGE:
        words = rng.sample(OTHER_LANGUAGE[language], rng.randrange(4, 8))
        return ("" if language in ("ja", "zh") else " ").join(words)
    words = rng.choices(TOPICS[topic], k=rng.randrange(3, 7)) + rng.choices(FILLER, k=rng.randrange(2, 5))
    rng.shuffle(words)
    return " ".join(words).capitalize()


def light_edit(rng: random.Random, text: str) -> str:
    """A lightly edited copy: one phrase swapped, or one word dropped, or an interjection added."""
    for old, new in rng.sample(EDITS, len(EDITS)):
        if old in text:
            return text.replace(old, new, 1)
    words = text.split()
    if len(words) > 6:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    return text + " indeed"
