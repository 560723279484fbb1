"""Read records out of one large JSON document without loading it whole, and JSON files of either layout.

Exports such as Telegram Desktop's ``result.json`` or a JSON array of posts are one document, often hundreds of
megabytes. :func:`walk_document` streams it: the caller says, path by path, which containers to walk into and
which values to decode whole (a message, a post), and gets each decoded value with the line it starts on.
Only one record is held in memory at a time; each record is decoded by the standard library's C decoder.

A document that is cut short or invalid part-way raises :class:`BrokenDocument` after yielding every record
before the damage (records after it cannot be found again in a broken document).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

from lockstep.readers.tabular import clean_text, iter_json_lines

#: Path of a value inside the document: object keys, and an array element's index as decimal text.
JsonPath = tuple[str, ...]
Action = Literal["walk", "whole", "skip"]
CHUNK = 1 << 20
#: Largest single record decoded (a bigger one is reported as broken rather than filling memory).
MAX_RECORD_CHARS = 256 * 1024 * 1024
_WS = " \t\r\n"


class BrokenDocument(ValueError):
    """The document is truncated or invalid at ``line``; records before it were yielded."""

    def __init__(self, line: int, detail: str, raw: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.line = line
        self.detail = detail
        self.raw = raw


class _Buffer:
    """A window on the file's text with the line number of the read position."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.fh = path.open(encoding=encoding, errors="replace", newline="")
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        self.decoder = json.JSONDecoder(parse_int=_parse_int)
        self._more()
        if self.buf.startswith("\ufeff"):
            self.pos = 1

    def close(self) -> None:
        self.fh.close()

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(CHUNK if len(self.buf) - self.pos < CHUNK else len(self.buf))
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str:
        """The next non-blank character ('' at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                if self.buf[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos : self.pos + 1]

    def take(self, expected: str) -> None:
        ch = self.peek()
        if ch != expected:
            raise self.broken(f"expected {expected!r}, found {ch or 'the end of the file'!r}")
        self.pos += 1

    def value(self) -> Any:
        """Decode the value at the read position, reading on until it is complete."""
        self.peek()
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise self.broken("JSON nested too deep") from None
            except ValueError as exc:
                msg = getattr(exc, "msg", str(exc))
                if self.eof:
                    raise self.broken(f"truncated or invalid JSON ({msg})") from None
                if len(self.buf) - self.pos > MAX_RECORD_CHARS:
                    detail = f"invalid JSON or a record over {MAX_RECORD_CHARS:,} characters ({msg})"
                    raise self.broken(detail) from None
                self._more()
                continue
            if end == len(self.buf) and self._more():
                continue  # a number or literal may go on in the next chunk
            self.advance(end)
            return obj

    def broken(self, detail: str) -> BrokenDocument:
        return BrokenDocument(self.line, detail, clean_text(self.buf[self.pos : self.pos + 2000]))


def _parse_int(digits: str) -> int | str:
    return int(digits) if len(digits) < 4000 else digits


def walk_document(
    path: Path, plan: Callable[[JsonPath], Action], encoding: str = "utf-8"
) -> Iterator[tuple[JsonPath, int, Any]]:
    """Stream one JSON document, yielding ``(path, line, value)`` for each value ``plan`` calls ``"whole"``.

    ``plan(path)`` answers for every value: ``"walk"`` (an object or array: visit its members), ``"whole"``
    (decode and yield it) or ``"skip"`` (decode and drop it). A ``"walk"`` on a scalar yields it as whole.
    Raises :class:`BrokenDocument` where the document is truncated or invalid.
    """
    doc = _Buffer(path, encoding)
    try:
        if doc.peek() == "":
            raise doc.broken("empty file")
        yield from _walk(doc, (), plan)
        if doc.peek() != "":
            raise doc.broken("text after the end of the JSON document")
    finally:
        doc.close()


def _walk(doc: _Buffer, path: JsonPath, plan: Callable[[JsonPath], Action]) -> Iterator[tuple[JsonPath, int, Any]]:
    action = plan(path)
    ch = doc.peek()
    if action == "walk" and ch == "{":
        doc.take("{")
        if doc.peek() == "}":
            doc.take("}")
            return
        while True:
            if doc.peek() != '"':
                raise doc.broken("expected a quoted key")
            key = doc.value()
            doc.take(":")
            yield from _walk(doc, (*path, str(key)), plan)
            if doc.peek() == ",":
                doc.take(",")
                continue
            doc.take("}")
            return
    if action == "walk" and ch == "[":
        doc.take("[")
        if doc.peek() == "]":
            doc.take("]")
            return
        i = 0
        while True:
            yield from _walk(doc, (*path, str(i)), plan)
            i += 1
            if doc.peek() == ",":
                doc.take(",")
                continue
            doc.take("]")
            return
    line = doc.line
    value = doc.value()
    if action != "skip":
        yield path, line, value


def first_line_is_json(path: Path) -> bool:
    """Whether the file's first non-blank line is a JSON value by itself (JSON lines, or a one-line document)."""
    for _, _, _, problem in iter_json_lines(path):
        return problem is None
    return False
