"""Static SVG charts (network, timeline, hour-of-week heatmap) for the report and for pasting elsewhere.

Only numbers and escaped labels go into the markup; every label passes through :func:`xml_text`.
"""

from __future__ import annotations

from html import escape
from typing import Any

from lockstep.reporting.safe import visible, xml_safe

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def xml_text(text: Any) -> str:
    """Escaped, visible text for SVG."""
    return escape(xml_safe(visible(text)), quote=True)


def network_svg(graph: dict[str, Any], size: int = 800) -> str:
    """The network view as SVG (node positions from the report's seeded layout)."""
    nodes = graph.get("nodes", [])
    if not nodes:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="60"><text x="10" y="30">'
            "no coordination network</text></svg>"
        )
    xs = [n["x"] for n in nodes]
    ys = [n["y"] for n in nodes]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    span = max(maxx - minx, maxy - miny) or 1.0
    pad = 20

    def pos(n: dict[str, Any]) -> tuple[float, float]:
        return (pad + (n["x"] - minx) / span * (size - 2 * pad), pad + (n["y"] - miny) / span * (size - 2 * pad))

    where = {n["id"]: pos(n) for n in nodes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        'class="network-svg"><rect width="100%" height="100%" fill="#ffffff"/>'
    ]
    for e in graph.get("edges", []):
        (x1, y1), (x2, y2) = where[e["source"]], where[e["target"]]
        faded = ' stroke-dasharray="4 3"' if e.get("inter") else ""
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{e["color"]}" '
            f'stroke-opacity="{0.25 if e.get("inter") else 0.45}" '
            f'stroke-width="{min(3.0, 0.5 + e["weight"]):.2f}"{faded}/>'
        )
    for n in nodes:
        x, y = where[n["id"]]
        r = 3 + min(6.0, n["strength"] ** 0.5)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{n["color"]}" data-id="{xml_text(n["id"])}">'
            f"<title>{xml_text(n['label'])} (community {int(n['community'])})</title></circle>"
        )
    shown: dict[int, int] = {}
    for n in nodes:  # the three strongest accounts of each community get their handle written beside them
        if shown.get(int(n["community"]), 0) >= 3:
            continue
        shown[int(n["community"])] = shown.get(int(n["community"]), 0) + 1
        x, y = where[n["id"]]
        parts.append(
            f'<text x="{x + 7:.1f}" y="{y + 4:.1f}" font-size="10" fill="#333333" class="node-label">'
            f"{xml_text(n['label'])}</text>"
        )
    for c in graph.get("communities", []):
        pts = [where[n["id"]] for n in nodes if n["community"] == c["community"]]
        if not pts:
            continue
        cx = sum(p[0] for p in pts) / len(pts)
        top = min(p[1] for p in pts) - 12
        many = len(graph.get("communities", [])) > 6  # then "#N" only: the legend names them
        label = xml_text(f"#{c['rank']}" if many else f"#{c['rank']} {c['name']}")
        anchor = "start" if cx < size * 0.25 else "end" if cx > size * 0.75 else "middle"
        parts.append(
            f'<text x="{cx:.1f}" y="{max(top, 12):.1f}" text-anchor="{anchor}" font-size="13" font-weight="600" '
            f'fill="{c["color"]}" stroke="#ffffff" stroke-width="3" paint-order="stroke" '
            f'class="cluster-label">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def timeline_svg(days: list[tuple[str, int]], width: int = 720, height: int = 160) -> str:
    """Posts per day as bars, first and last day labelled."""
    if not days:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"><text x="5" y="25">no posts'
            "</text></svg>"
        )
    top = max(n for _, n in days) or 1
    bw = (width - 60) / len(days)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="timeline">',
        f'<text x="2" y="12" font-size="10">{top:,}</text>',
    ]
    for i, (day, n) in enumerate(days):
        h = (height - 40) * n / top
        parts.append(
            f'<rect x="{50 + i * bw:.1f}" y="{height - 25 - h:.1f}" width="{max(bw - 0.5, 0.5):.1f}" '
            f'height="{h:.1f}" fill="#1f77b4"><title>{xml_text(day)}: {n:,} posts</title></rect>'
        )
    parts.append(f'<text x="50" y="{height - 8}" font-size="10">{xml_text(days[0][0])}</text>')
    parts.append(f'<text x="{width - 70}" y="{height - 8}" font-size="10">{xml_text(days[-1][0])}</text></svg>')
    return "".join(parts)


def creation_svg(months: list[tuple[str, int]], width: int = 720, height: int = 140) -> str:
    """Accounts created per month (the account-creation chart of network reports: a burst of new accounts is a
    classic sign of a purpose-built network)."""
    if not months:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="30" class="creation">'
            '<text x="5" y="20" font-size="12">creation dates unknown</text></svg>'
        )
    top = max(n for _, n in months) or 1
    bw = min(40.0, (width - 60) / len(months))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="creation">',
        f'<text x="2" y="12" font-size="10">{top:,} accounts</text>',
    ]
    for i, (month, n) in enumerate(months):
        h = (height - 40) * n / top
        parts.append(
            f'<rect x="{50 + i * bw:.1f}" y="{height - 25 - h:.1f}" width="{max(bw - 1, 0.5):.1f}" '
            f'height="{h:.1f}" fill="#9467bd"><title>{xml_text(month)}: {n:,} accounts created</title></rect>'
        )
    parts.append(f'<text x="50" y="{height - 8}" font-size="10">{xml_text(months[0][0])}</text>')
    if len(months) > 1:
        parts.append(
            f'<text x="{50 + (len(months) - 1) * bw:.1f}" y="{height - 8}" font-size="10">'
            f"{xml_text(months[-1][0])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def heatmap_svg(counts: list[int], offset_hours: float, cell: int = 22, zone: str | None = None) -> str:
    """7 x 24 hour-of-week heatmap in UTC+``offset_hours`` (darker = more posts); ``zone`` names the zone."""
    top = max(counts) or 1
    w, h = 40 + 24 * cell, 30 + 7 * cell
    sign = "+" if offset_hours >= 0 else "-"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 20}" class="heatmap">',
        f'<text x="40" y="12" font-size="11">hour of day, '
        f"{xml_text(zone) if zone else f'UTC{sign}{abs(offset_hours):g}'}</text>",
    ]
    for hr in range(0, 24, 3):
        parts.append(f'<text x="{40 + hr * cell + 2}" y="26" font-size="9">{hr:02d}</text>')
    for d in range(7):
        parts.append(f'<text x="2" y="{30 + d * cell + 15}" font-size="10">{DAYS[d]}</text>')
        for hr in range(24):
            n = counts[d * 24 + hr]
            shade = int(255 - 220 * (n / top))
            parts.append(
                f'<rect x="{40 + hr * cell}" y="{30 + d * cell}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="rgb({shade},{shade},255)"><title>{DAYS[d]} {hr:02d}h: {n:,}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)
