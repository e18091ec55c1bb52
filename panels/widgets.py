"""Small fixes on top of govuk-frontend-wtf widgets, and a date field with GOV.UK wording."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField


class DateInput(GovDateInput):
    """GOV.UK date input that also renders when the browser sent no day/month/year at all
    (the upstream widget expects exactly three submitted values)."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        if field.raw_data is not None and len(field.raw_data) != 3:
            submitted = field.raw_data
            field.raw_data = None
            try:
                return super().map_gov_params(field, **kwargs)
            finally:
                field.raw_data = submitted
        return super().map_gov_params(field, **kwargs)


class GovDateField(DateField):
    """A day, month and year date with the GOV.UK date-input error wording.

    ``error_name`` starts each message ("Date of birth must be a real date"); blank in all
    three parts means no date. ``error_part`` names the first part to fix, so that the error
    summary links to that input (``<id>-day``, ``-month`` or ``-year``) and focus moves there.
    """

    PARTS = ("day", "month", "year")

    def __init__(
        self,
        label: str | None = None,
        validators: list | None = None,
        *,
        error_name: str,
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)
        self.error_name = error_name
        self.error_part = "day"

    @property
    def summary_target(self) -> str:
        """The id of the input the error summary links to."""
        return f"{self.id}-{self.error_part}"

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        parts = [(value or "").strip() for value in valuelist][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            self.data = None
            return
        self.data = None
        missing = [name for name, value in zip(self.PARTS, parts, strict=True) if not value]
        if missing:
            self.error_part = missing[0]
            raise ValueError(f"{self.error_name} must include a {' and '.join(missing)}")
        for name, value in zip(self.PARTS, parts, strict=True):
            if not value.isdigit():
                self.error_part = name
                raise ValueError(f"{self.error_name} must be a real date")
        day, month, year = (int(value) for value in parts)
        if len(parts[2]) != 4:
            self.error_part = "year"
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = date(year, month, day)
        except ValueError:
            self.error_part = "day" if 1 <= month <= 12 else "month"
            raise ValueError(f"{self.error_name} must be a real date") from None
