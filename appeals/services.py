"""Writes that need care: counting a click safely while many visitors click at once."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from appeals.models import DonationClick


def record_click(*, route_id: int, day: datetime.date) -> None:
    """Add one to the route's count for ``day``; correct under concurrent requests.

    ``UPDATE ... SET count = count + 1`` is atomic in the database. When the day's row does not
    exist yet it is inserted inside a savepoint; if another request inserted it first, the unique
    constraint (route, day) rejects ours and we add to theirs instead. No cookie, address or
    anything else about the visitor is read or stored.
    """
    rows = DonationClick.objects.filter(route_id=route_id, day=day)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DonationClick.objects.create(route_id=route_id, day=day, count=1)
    except IntegrityError:
        rows.update(count=F("count") + 1)
