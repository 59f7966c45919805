from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from monitoring.periods import InvalidPeriod, Period


class PeriodField(models.CharField):
    """A period stored as sortable text (``2019``, ``2024-K3``); see ``monitoring.periods``."""

    description = "Periode (jaar of kwartaal)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value is None or value == "":
            return value
        try:
            return str(Period.parse(value))
        except InvalidPeriod as error:
            raise ValidationError(str(error), code="invalid_period") from None

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return str(Period.parse(value))
