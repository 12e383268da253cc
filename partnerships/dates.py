"""Dates known only to the year or the month keep that precision.

A partial date is stored as a real ``DateField`` (so it sorts and filters) plus a precision.
The unknown parts are normalised to 1 (1957 is stored as 1957-01-01 with precision "year"),
a database constraint enforces that normalisation, and nothing ever displays the invented parts.
"""

import datetime
import functools

from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils.formats import FORMAT_SETTINGS, date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(1900, 1, 1)

# Languages that write month names in lower case ("липень 2022"), where Django's catalogue
# gives the standalone month names capitalised.
LOWERCASE_MONTHS = {"uk"}


class Precision(models.TextChoices):
    YEAR = "year", _("year only")
    MONTH = "month", _("month and year")
    DAY = "day", _("exact day")


def normalise(value: datetime.date, precision: str) -> datetime.date:
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return value.replace(day=1)
    return value


def display(value: datetime.date | None, precision: str) -> str:
    """1957 / July 2022 / 6 December 2023, in the active language (липень 2022, 6 грудня 2023)."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return str(value.year)
    return _formatted(value, precision, get_language())


# A page shows a hundred dates and more; Django's date formatting parses the format and looks
# up the month's name for each one. The text depends only on the date, the precision and the
# language (the formats are settings), so each is worked out once per process.
@functools.lru_cache(maxsize=4096)
def _formatted(value: datetime.date, precision: str, language: str) -> str:
    if precision == Precision.MONTH:
        text = date_format(value, "YEAR_MONTH_FORMAT")
        return text.lower() if language in LOWERCASE_MONTHS else text
    return date_format(value, "DATE_FORMAT")


@receiver(setting_changed)
def _formats_changed(*, setting, **kwargs):
    # Tests may change the formats (as Django's own format cache allows for).
    if setting in FORMAT_SETTINGS or setting in {"FORMAT_MODULE_PATH", "LANGUAGE_CODE", "LANGUAGES"}:
        _formatted.cache_clear()


def machine(value: datetime.date | None, precision: str) -> str:
    """The value for <time datetime="...">: 1957, 2022-07 or 2023-12-06."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def precision_constraint(field: str, name: str) -> models.CheckConstraint:
    """Year-precision dates fall on 1 January, month-precision ones on the 1st."""
    precision = f"{field}_precision"
    return models.CheckConstraint(
        condition=(
            Q(**{f"{field}__isnull": True})
            | Q(**{precision: Precision.DAY})
            | Q(**{precision: Precision.MONTH, f"{field}__day": 1})
            | Q(**{precision: Precision.YEAR, f"{field}__day": 1, f"{field}__month": 1})
        ),
        name=name,
        violation_error_message=_(
            "A date known only to the month must be the 1st; one known only to the year, 1 January."
        ),
    )


def earliest_date_constraint(field: str, name: str) -> models.CheckConstraint:
    """No date before 1900: the site records modern civic partnerships."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": EARLIEST_DATE}),
        name=name,
        violation_error_message=_("Dates before 1900 are not accepted here."),
    )
