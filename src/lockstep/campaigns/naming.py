"""Names for campaigns derived from what they post, and a confidence statement in words.

Published network findings name a cluster by its content ("#SlaveryOfSpeech / #JebWeCan network") rather than by
an internal number (Graphika's and DFRLab's reports; Nimmo, "The Breakout Scale", Brookings 2020, asks for the
same plain description of what a campaign pushed). The name is built from the campaign summary's content
block: its top hashtags first, then distinctive terms, then shared domains. It is a label for reading, not an
attribution; the text comes from the posts, so callers must escape it like any post text.
"""

from __future__ import annotations

from typing import Any

#: Domains that say nothing about a campaign: link shorteners and the platforms themselves.
GENERIC_DOMAINS = frozenset(
    {"t.co", "bit.ly", "ow.ly", "buff.ly", "tinyurl.com", "goo.gl", "dlvr.it", "ift.tt", "twitter.com", "x.com"}
)


def _first(values: Any) -> list[str]:
    out: list[str] = []
    for v in values or []:
        key = v[0] if isinstance(v, (list, tuple)) else v
        if key is not None and str(key).strip():
            out.append(str(key).strip())
    return out


def campaign_name(summary: dict[str, Any], parts: int = 3, max_chars: int = 60) -> str:
    """A short content-derived name: up to ``parts`` of top hashtags, terms and domains, joined with " / ".

    Examples:
        >>> campaign_name({"content": {"hashtags": [["jebwecan", 11], ["iloveobama", 10]], "top_terms": [
        ...     ["press", 4, 4.1], ["jebwecan", 11, 3.0]], "domains": [["t.co", 7]]}})
        '#jebwecan / #iloveobama / press'
        >>> campaign_name({"content": {}})
        'no shared content'
    """
    content = summary.get("content") or {}
    seen: set[str] = set()
    picked: list[str] = []

    def add(label: str, key: str) -> None:
        if len(picked) < parts and key.lower() not in seen:
            seen.add(key.lower())
            picked.append(label)

    for tag in _first(content.get("hashtags")):
        add("#" + tag, tag)
    for term in _first(content.get("top_terms")):
        add(term, term)
    for dom in _first(content.get("domains")):
        if dom.lower() not in GENERIC_DOMAINS:
            add(dom, dom)
    for target in _first((summary.get("distribution") or {}).get("targets_mentioned")):
        add("@" + target, "@" + target)
    if not picked:  # nothing textual in common (pure reposting): name it by what it does and its centre
        traces = [str(t.get("trace")) for t in (summary.get("behaviour") or {}).get("traces") or []]
        top = _first((summary.get("actors") or {}).get("top_accounts"))
        if traces or top:
            return (f"{traces[0] if traces else 'co-action'} network" + (f" around {top[0]}" if top else ""))[
                :max_chars
            ]
    name = " / ".join(picked) if picked else "no shared content"
    return name if len(name) <= max_chars else name[: max_chars - 1].rstrip() + "…"


def confidence_words(summary: dict[str, Any]) -> tuple[str, str]:
    """(level, reason) in words: ``strong``, ``moderate`` or ``weak`` evidence of coordination.

    The level combines how many independent traces link the accounts, the campaign's coordination score (mean
    fused edge weight) and the best null-model p-value. It describes the coordination evidence only;
    inauthenticity is judged separately from the signals.

    Examples:
        >>> confidence_words({"behaviour": {"coordination_score": 0.8, "significant_edge_share": 0.6,
        ...     "traces": [{"trace": "co-text", "best_p_value": 0.01}, {"trace": "co-link", "best_p_value": 0.02}]},
        ...     "actors": {"accounts": 12}})[0]
        'strong'
    """
    beh = summary.get("behaviour") or {}
    traces = [t for t in beh.get("traces") or [] if t.get("edges", 1)]
    score = float(beh.get("coordination_score") or 0.0)
    sig = float(beh.get("significant_edge_share") or 0.0)
    ps = [float(t["best_p_value"]) for t in traces if t.get("best_p_value") is not None]
    best_p = min(ps) if ps else None
    accounts = int((summary.get("actors") or {}).get("accounts") or 0)
    points = 0
    points += 2 if len(traces) >= 3 else 1 if len(traces) == 2 else 0
    points += 2 if score >= 0.5 else 1 if score >= 0.25 else 0
    points += 2 if sig >= 0.5 else 1 if (best_p is not None and best_p < 0.05) or sig > 0 else 0
    points += 1 if accounts >= 10 else 0
    level = "strong" if points >= 5 else "moderate" if points >= 3 else "weak"
    p_txt = f"best null-model p {best_p:.3f}" if best_p is not None else "no null-model test"
    reason = (
        f"{len(traces)} trace{'s' if len(traces) != 1 else ''} "
        f"({', '.join(str(t.get('trace')) for t in traces) or 'none'}), coordination score {score:.2f}, "
        f"{p_txt}, {sig:.0%} of edges significant"
    )
    return level, reason
