"""Small fixes on top of govuk-frontend-wtf widgets."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput


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
