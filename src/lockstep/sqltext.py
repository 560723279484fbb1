"""Quoting of SQL literals and identifiers, shared by every module that writes SQL text.

It lives on its own, with no imports from the rest of the package, so that any module (readers, normalisation,
exporters) can use it without creating an import cycle: ``lockstep.normalize.languages`` once imported it from
``lockstep.readers.tabular``, whose package imports the readers, which import ``languages`` back.
"""

from __future__ import annotations


def sql_str(value: str) -> str:
    """``value`` as a single-quoted SQL literal.

    Examples:
        >>> sql_str("it's")
        "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier.

    Examples:
        >>> ident('odd"name')
        '"odd""name"'
    """
    return '"' + name.replace('"', '""') + '"'
