"""Input formats. Importing this package registers every built-in reader."""

from lockstep.readers import generic, io_archive, ira, twarc2, twarc_csv  # noqa: F401  (registration)
from lockstep.readers.base import READERS, Probe, Reader, StageContext, detect_reader, get_reader, register

__all__ = ["READERS", "Probe", "Reader", "StageContext", "detect_reader", "get_reader", "register"]
