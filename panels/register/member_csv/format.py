"""The file format: its columns, how cells are escaped for spreadsheets, how files are read.

One row per member and these columns, in this order: the member's details, one column per
dimension a member answers (named by its key, in the taxonomy's order; several answers
separated by ``;``), their access needs (``;``-separated codes) and one ``yes``/``no`` column
per consent purpose. Files are UTF-8, with or without a byte-order mark.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, TextIO

from models import CONSENT_PURPOSES
from panels.register.taxonomy import Taxonomy

DETAIL_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "address",
    "postcode",
    "preferred_contact",
    "status",
    "paused_until",
    "joined_via",
    "referred_by",
)
NEEDS_COLUMNS = ("access_needs", "access_needs_notes", "preferred_times")
CONSENT_COLUMNS = tuple(f"consent_{purpose}" for purpose in CONSENT_PURPOSES)
REQUIRED_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "date_of_birth",
    "postcode",
    *CONSENT_COLUMNS,
)
"""Columns every file must have; in update mode every column is required, so that a missing
column never silently blanks what the register holds."""
DATE_COLUMNS = ("date_of_birth", "paused_until")
MULTI_LINE_COLUMNS = frozenset({"address", "access_needs_notes", "preferred_times"})
"""Columns whose cells may hold line breaks and tabs; no other cell may hold a control character."""
SEPARATOR = ";"
YES, NO = "yes", "no"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these (or with ``'``) is written with a leading ``'`` so that a
spreadsheet shows it as text instead of running it as a formula; imports remove that ``'``."""
_ESCAPED_FIRST = frozenset("".join(FORMULA_START) + "'")

Source = bytes | str | os.PathLike[str] | BinaryIO
"""A file to import: its bytes, its path, or a binary file object (read from where it is)."""


def columns(taxonomy: Taxonomy) -> tuple[str, ...]:
    """The file's columns, in the order exports write them."""
    return (
        *DETAIL_COLUMNS,
        *(d.key for d in taxonomy.answerable),
        *NEEDS_COLUMNS,
        *CONSENT_COLUMNS,
    )


def escape_cell(value: str) -> str:
    """``value`` as written to a file: with a leading ``'`` if a spreadsheet would run it."""
    return "'" + value if value[:1] in _ESCAPED_FIRST else value


def unescape_cell(value: str) -> str:
    """A cell as read from a file: without the ``'`` that :func:`escape_cell` adds."""
    if value.startswith("'") and value[1:].startswith((*FORMULA_START, "'")):
        return value[1:]
    return value


UNDECODABLE = re.compile("[\udc80-\udcff]")
"""What a byte that is not UTF-8 becomes when read (Python's "surrogateescape")."""


def undecodable_byte(character: str) -> int:
    """The byte of the file that :data:`UNDECODABLE` ``character`` stands for."""
    return ord(character) - 0xDC00


class SourceFile:
    """A file to import, readable as text from its start as many times as needed."""

    def __init__(self, binary: BinaryIO) -> None:
        self.binary = binary
        self.start = binary.tell()

    @contextmanager
    def text(self) -> Iterator[TextIO]:
        """The file as text, read in small pieces. Bytes that are not UTF-8 come through as
        :data:`UNDECODABLE` characters, so the reader can say which row holds them."""
        self.binary.seek(self.start)
        wrapper = io.TextIOWrapper(
            self.binary, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        try:
            yield wrapper
        finally:
            wrapper.detach()


@contextmanager
def open_source(source: Source) -> Iterator[SourceFile]:
    """``source`` as a :class:`SourceFile`; a path is opened (and closed afterwards), and a file
    object that cannot seek is first copied to a temporary file, a piece at a time."""
    if isinstance(source, bytes | bytearray | memoryview):
        yield SourceFile(io.BytesIO(source))
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as binary:
            yield SourceFile(binary)
    elif source.seekable():
        yield SourceFile(source)
    else:
        with tempfile.TemporaryFile() as copy:
            shutil.copyfileobj(source, copy)
            copy.seek(0)
            yield SourceFile(copy)
