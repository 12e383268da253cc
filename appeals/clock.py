"""Today's date, asked for at request time (never at import), in one place tests can replace."""

from django.utils import timezone


def today():
    return timezone.localdate()
