"""Language labels to ISO 639-1 codes, so that exports that write "English" and ones that write "en" agree.

Codes pass through lower-cased (``zh-cn`` stays ``zh-cn``; Twitter's ``und`` stays ``und``); names map to
codes; anything unknown is kept as written.
"""

from __future__ import annotations

from lockstep.sqltext import sql_str

LANGUAGE_NAMES = {
    "english": "en",
    "russian": "ru",
    "german": "de",
    "ukrainian": "uk",
    "italian": "it",
    "bulgarian": "bg",
    "serbian": "sr",
    "uzbek": "uz",
    "french": "fr",
    "spanish": "es",
    "arabic": "ar",
    "chinese": "zh",
    "japanese": "ja",
    "korean": "ko",
    "portuguese": "pt",
    "dutch": "nl",
    "polish": "pl",
    "turkish": "tr",
    "farsi (persian)": "fa",
    "persian": "fa",
    "farsi": "fa",
    "pushto": "ps",
    "pashto": "ps",
    "romanian": "ro",
    "catalan": "ca",
    "norwegian": "no",
    "latvian": "lv",
    "lithuanian": "lt",
    "estonian": "et",
    "macedonian": "mk",
    "croatian": "hr",
    "slovak": "sk",
    "slovenian": "sl",
    "czech": "cs",
    "hungarian": "hu",
    "finnish": "fi",
    "swedish": "sv",
    "danish": "da",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "urdu": "ur",
    "vietnamese": "vi",
    "thai": "th",
    "indonesian": "id",
    "malay": "ms",
    "tagalog": "tl",
    "albanian": "sq",
    "belarusian": "be",
    "kazakh": "kk",
    "azerbaijani": "az",
    "georgian": "ka",
    "armenian": "hy",
    "somali": "so",
    "swahili": "sw",
    "icelandic": "is",
    "tamil": "ta",
    "bengali": "bn",
    "kurdish": "ku",
    "tajik": "tg",
    "kyrgyz": "ky",
    "mongolian": "mn",
    "chinese (simplified)": "zh-cn",
    "chinese (traditional)": "zh-tw",
    "language not detected": "und",
    "undetermined": "und",
    "unknown": "und",
}


def language_code(label: str | None) -> str | None:
    """ISO 639-1 code for a language name or code.

    Examples:
        >>> language_code("English"), language_code("zh-CN"), language_code("Farsi (Persian)")
        ('en', 'zh-cn', 'fa')
    """
    if label is None or not label.strip():
        return None
    low = label.strip().lower()
    return LANGUAGE_NAMES.get(low, low)


def language_code_sql(expr: str) -> str:
    """DuckDB expression doing :func:`language_code` on ``expr``."""
    pairs = ", ".join(f"{sql_str(k)}: {sql_str(v)}" for k, v in LANGUAGE_NAMES.items())
    low = f"lower(trim({expr}))"
    return f"coalesce(MAP {{{pairs}}}[{low}], nullif({low}, ''))"
