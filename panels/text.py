"""Text that enters the service: control characters are refused wherever input arrives."""

from __future__ import annotations

import unicodedata

from panels.errors import InvalidInput

ALLOWED_CONTROLS = frozenset("\t\n\r")


def find_control_character(value: str) -> str | None:
    """The first control character in ``value`` (tab, CR and LF allowed), or None."""
    for character in value:
        if character not in ALLOWED_CONTROLS and unicodedata.category(character) in ("Cc", "Cs"):
            return character
    return None


def control_character_message(name: str, character: str) -> str:
    return (
        f"{name} contains a control character (U+{ord(character):04X}), which is not allowed; "
        "remove it and try again"
    )


def reject_control_characters(name: str, value: str | None) -> None:
    """Raise InvalidInput naming ``name`` if ``value`` holds a control character."""
    if value and (character := find_control_character(value)) is not None:
        raise InvalidInput(control_character_message(name, character))
