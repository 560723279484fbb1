"""Render the single-file HTML report (and its static SVG images).

One self-contained file: data, styles, the vendored graph library and our script are inlined; there is no
CDN and the Content-Security-Policy forbids any network use, allowing only the page's own scripts by hash.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from lockstep.reporting.data import ReportData, collect
from lockstep.reporting.safe import json_for_script, visible
from lockstep.reporting.svg import creation_svg, heatmap_svg, network_svg, timeline_svg
from lockstep.store.store import Store


@dataclass
class ReportResult:
    """Where the report went and what it holds."""

    path: Path
    bytes: int
    campaigns: int
    nodes: int
    edges: int
    assets: list[Path]
    #: The PDF printed from the HTML, when one was asked for.
    pdf: Path | None = None


def _resource(name: str) -> str:
    return (resources.files("lockstep") / "reporting" / name).read_text(encoding="utf-8")


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def render_html(data: ReportData) -> tuple[str, dict[int, dict[str, str]], str]:
    """The report page, the per-campaign SVGs and the network SVG."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["v"] = visible
    template = env.from_string(_resource("templates/report.html.j2"))
    vendor_js = _resource("vendor/graph-bundle.min.js").replace("</script", "<\\/script")
    app_js = _resource("templates/report.js")
    csp = (
        f"default-src 'none'; script-src {_sha256(vendor_js)} {_sha256(app_js)}; style-src 'unsafe-inline'; "
        "img-src data:; connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
    )
    svgs = {
        int(c["rank"]): {
            "timeline": timeline_svg(c["timeline"]),
            "heatmap": heatmap_svg(c["heatmap"]["counts"], c["heatmap"]["offset_hours"], zone=c["zone"]["label"]),
            "creation": creation_svg(c["created"]["months"]),
        }
        for c in data.campaigns
    }
    net = network_svg(data.graph)
    html = template.render(
        d=data,
        csp=csp,
        svgs=svgs,
        network_svg=net,
        fmt=_fmt,
        vendor_js=vendor_js,
        app_js=app_js,
        data_json=json_for_script({"graph": data.graph, "cards": data.cards}),
    )
    return html, svgs, net


def write_report(
    store: Store,
    out: str | Path,
    *,
    campaign: int | None = None,
    seed: int = 0,
    assets: bool = True,
    tz_offset_hours: float | None = None,
    show_paths: bool = False,
) -> ReportResult:
    """Write the HTML report to ``out`` and, with ``assets``, SVG images to ``<out stem>_files/``.

    ``campaign`` is a campaign rank number (as ``lockstep campaigns`` prints it); ``show_paths`` keeps the
    sources' full local paths in the appendix.
    """
    store.require("analyze")
    data = collect(store, campaign=campaign, seed=seed, tz_offset_hours=tz_offset_hours, show_paths=show_paths)
    html, svgs, net = render_html(data)
    path = Path(out)
    path.write_text(html, encoding="utf-8")
    written: list[Path] = []
    if assets:
        folder = path.with_name(path.stem + "_files")
        folder.mkdir(exist_ok=True)
        (folder / "network.svg").write_text(net, encoding="utf-8")
        written.append(folder / "network.svg")
        for cid, pair in svgs.items():
            for kind, svg in pair.items():
                f = folder / f"campaign_{cid}_{kind}.svg"
                f.write_text(svg, encoding="utf-8")
                written.append(f)
    return ReportResult(
        path,
        path.stat().st_size,
        len(data.campaigns),
        len(data.graph.get("nodes", [])),
        len(data.graph.get("edges", [])),
        written,
    )
