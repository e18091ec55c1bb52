"""The shared text checks in panels.text."""

from __future__ import annotations

import pytest

from panels.text import control_character_message, find_control_character


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("Ann", None),
        ("", None),
        ("Zoë Nüñez – 東京", None),
        ("A\x00", "\x00"),
        ("\x1b[31m", "\x1b"),
        ("del\x7f", "\x7f"),
        ("c1\x85", "\x85"),
        ("line\nbreak", "\n"),
        ("tab\there", "\t"),
        ("ok\u2028", None),
    ],
)
def test_find_control_character(value, found):
    assert find_control_character(value) == found


def test_allowed_characters_are_skipped():
    assert find_control_character("a\r\n\tb", allowed="\t\r\n") is None
    assert find_control_character("a\n\x00", allowed="\n") == "\x00"


def test_the_message_names_the_character():
    assert control_character_message("\x00") == "contains a control character (U+0000); remove it"
    assert control_character_message("\x85") == "contains a control character (U+0085); remove it"
