"""Money as integer pence: reading amounts people type, showing them, and UK tax years.

Nothing here touches the database or Flask.
"""

from __future__ import annotations

import re
from datetime import date

_POUNDS = re.compile(r"(?P<pounds>\d+)(?:\.(?P<pence>\d+))?")


def parse_pounds(raw: str, what: str, most_pence: int) -> int:
    """Pence from pounds as typed ("12", "12.5", "£12.50"); a sentence naming the bad value.

    Refuses negative amounts, more than two decimal places, anything that is not a number
    and amounts above ``most_pence``.
    """
    text = (raw or "").strip().replace(",", "")
    if text.startswith("£"):
        text = text[1:].strip()
    if not text:
        raise ValueError(f"Enter the {what} in pounds and pence, like 12.50")
    if text.startswith("-"):
        raise ValueError(f"The {what} cannot be negative: you entered {raw.strip()!r}")
    found = _POUNDS.fullmatch(text)
    if found is None:
        raise ValueError(
            f"The {what} must be an amount in pounds and pence, like 12.50: {raw.strip()!r} is not"
        )
    pence_text = found.group("pence") or ""
    if len(pence_text) > 2:
        raise ValueError(
            f"The {what} {raw.strip()!r} has more than two decimal places; "
            "enter pounds and pence, like 12.50"
        )
    pence = int(found.group("pounds")) * 100 + int(pence_text.ljust(2, "0") or 0)
    if pence > most_pence:
        raise ValueError(
            f"The {what} {format_pence(pence)} is more than one claim can be "
            f"({format_pence(most_pence)}); check the amount or split it up"
        )
    return pence


def format_pence(pence: int) -> str:
    """£1,234.50 (and -£3.00)."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def tax_year_of(day: date) -> int:
    """The UK tax year a day falls in, by the year it starts (6 April to 5 April)."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


def tax_year_label(year: int) -> str:
    return f"6 April {year} to 5 April {year + 1}"
