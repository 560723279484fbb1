"""One exception hierarchy for the whole library.

The library raises these; only the CLI turns them into messages and exit codes. Every message names what
was wrong (file, row, field) and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence


class LockstepError(Exception):
    """Base class of every error Lockstep raises on purpose."""

    exit_code = 1


class InputError(LockstepError):
    """The input cannot be used as given (missing file, unusable columns, bad option)."""

    exit_code = 2


class FormatError(InputError):
    """The format of an input file is unknown or cannot be detected."""


class MissingColumnsError(InputError):
    """An input file lacks columns that its format requires."""

    def __init__(
        self, path: str, fmt: str, missing: Sequence[str], found: Sequence[str], suggestions: dict[str, str]
    ) -> None:
        self.path = path
        self.format = fmt
        self.missing = list(missing)
        self.found = list(found)
        self.suggestions = dict(suggestions)
        hints = "; ".join(f"{m!r}: closest found {s!r}" for m, s in self.suggestions.items())
        msg = (
            f"{path}: not readable as {fmt}: missing required column(s) {', '.join(map(repr, self.missing))}"
            + (f" ({hints})" if hints else "")
            + ". Map the columns with --map FIELD=COLUMN or a mapping file (--mapping), or choose another"
            " --format."
        )
        super().__init__(msg)


class MappingError(InputError):
    """A column mapping (flags or mapping file) is malformed."""


class StoreError(LockstepError):
    """The store cannot be opened, is of a newer schema, or an operation on it failed."""


class AccountingError(LockstepError):
    """The rows read from a file do not add up to the rows stored, duplicated and quarantined (a bug)."""


class OutOfMemoryError(StoreError):
    """The engine ran out of memory under the store's memory limit (the message names the step and what to do)."""


class StoreStateError(StoreError):
    """The store is missing, empty or not yet built far enough for the command (the message says what to run)."""


class MissingExtraError(LockstepError):
    """An optional dependency is not installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the optional module {module!r}: install it with pip install 'lockstep[{extra}]'"
        )
