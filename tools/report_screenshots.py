"""Screenshots of a Lockstep HTML report, one per section, in headless Chromium (for docs/images/).

Usage (from the repository root; writes lockstep-demo.html in a temporary folder first):

    tmp=$(mktemp -d) && (cd "$tmp" && PYTHONPATH=$PWD/src lockstep demo --quiet)
    python tools/report_screenshots.py "$tmp/lockstep-demo.html" docs/images --width 1280 --campaign 2

Needs the Debian packages chromium and chromium-driver and the selenium package.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SECTIONS = {"findings": "#findings", "network": "#network", "campaign": "section.campaign .pair"}


def driver(width: int, height: int, profile: str) -> webdriver.Chrome:
    """A headless Chromium that cannot reach the network and keeps its profile in ``profile``."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-sync",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=opts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--prefix", default="demo_report")
    ap.add_argument("--campaign", type=int, default=1, help="Campaign number whose section is captured.")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        d = driver(args.width, 1000, profile)
        d.set_window_size(args.width, 1000)
        try:
            d.get(args.report.resolve().as_uri())
            # the first viewport: header, key findings, start of the network
            d.save_screenshot(str(args.out / f"{args.prefix}_top.png"))
            for name, css in SECTIONS.items():
                el = d.find_element("css selector", css)
                if name == "campaign":  # the campaign's heading and its first posts side by side
                    el = d.find_element("id", f"campaign-{args.campaign}")
                    d.execute_script("arguments[0].scrollIntoView()", el)
                    d.save_screenshot(str(args.out / f"{args.prefix}_{name}.png"))
                    continue
                d.set_window_size(args.width, 1800)  # tall enough for the whole section
                d.execute_script("arguments[0].scrollIntoView()", el)
                el.screenshot(str(args.out / f"{args.prefix}_{name}.png"))
                d.set_window_size(args.width, 1000)
            print("\n".join(str(p) for p in sorted(args.out.glob(f"{args.prefix}_*.png"))))
        finally:
            d.quit()


if __name__ == "__main__":
    main()
