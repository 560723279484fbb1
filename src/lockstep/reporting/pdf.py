"""Print the HTML report to PDF with headless Chromium (the page's print stylesheet applies).

The browser runs with networking features off and a throw-away profile; the report itself forbids any network
use through its Content-Security-Policy, so printing it reaches nothing outside the file.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lockstep.errors import LockstepError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    """The first Chromium-family browser on ``PATH``, or ``None``."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str | Path, pdf: str | Path, *, chromium: str | None = None, timeout_s: float = 120) -> Path:
    """Render ``html`` (a file) to ``pdf`` with headless Chromium.

    Raises :class:`LockstepError` when no Chromium is installed or printing fails.
    """
    browser = chromium or find_chromium()
    if not browser:
        raise LockstepError("--format pdf needs Chromium (Debian: apt install chromium); or print the HTML report")
    src, out = Path(html).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="lockstep-pdf-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise LockstepError(f"Chromium could not print {src} to PDF: {done.stderr.strip()[-300:]}")
    return out
