"""Input formats. Importing this package registers every built-in reader."""

from lockstep.readers import (  # noqa: F401  (registration)
    bluesky,
    crowdtangle,
    fourcat,
    generic,
    io_archive,
    ira,
    mastodon,
    meta_content_library,
    telegram,
    tiktok,
    twarc2,
    twarc_csv,
    youtube,
)
from lockstep.readers.base import READERS, Probe, Reader, StageContext, detect_reader, get_reader, register

__all__ = ["READERS", "Probe", "Reader", "StageContext", "detect_reader", "get_reader", "register"]
