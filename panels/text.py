"""Checks on text that people type or upload, shared by imports, forms and query strings.

Control characters (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F) have no place in
names, addresses or notes: they are invisible, PostgreSQL refuses U+0000 in text, and they
usually mean a file was saved or pasted badly. Tab, carriage return and line feed are the
only ones a multi-line field may hold; a caller says which it allows.

    >>> find_control_character("Ann\\x00")
    '\\x00'
    >>> find_control_character("1 High St\\nLeeds", allowed=MULTI_LINE)
    >>> control_character_message("\\x00")
    'contains a control character (U+0000); remove it'
"""

from __future__ import annotations

import re
from functools import cache

CONTROL_CHARACTERS = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)))
"""Every control character (Unicode category Cc)."""
MULTI_LINE = "\t\r\n"
"""The control characters a multi-line field (an address, notes) may hold."""


@cache
def _pattern(allowed: str) -> re.Pattern[str]:
    refused = "".join(c for c in CONTROL_CHARACTERS if c not in allowed)
    return re.compile(f"[{re.escape(refused)}]")


def find_control_character(value: str, allowed: str = "") -> str | None:
    """The first control character in ``value`` that is not in ``allowed``, or None."""
    found = _pattern(allowed).search(value)
    return found.group() if found else None


def control_character_message(character: str) -> str:
    """The end of a sentence naming the field: ``f"{field} {control_character_message(c)}"``."""
    return f"contains a control character (U+{ord(character):04X}); remove it"


def reject_control_characters(name: str, value: str | None, allowed: str = MULTI_LINE) -> None:
    """Raise InvalidInput naming ``name`` if ``value`` holds a control character.

    For services that take text from somewhere other than a web form (a job, the command
    line); the web layer refuses such requests already (``panels.web``).
    """
    from panels.errors import InvalidInput

    if value and (character := find_control_character(value, allowed)) is not None:
        raise InvalidInput(f"The {name} {control_character_message(character)}")
