"""A record's version is its latest django-simple-history entry (docs/adr/0052).

The admin's edit check, the inline rows' edit check and the proposed changes all compare
these ids rather than keeping a version column of their own.
"""

from django.db.models import Max


def latest_version(model, pk):
    """The latest history entry of a record, or None."""
    history = getattr(model, "history", None)
    if history is None or pk is None:
        return None
    return history.filter(**{model._meta.pk.attname: pk}).order_by("-history_id").first()


def latest_version_ids(model, pks):
    """{pk: id of the latest history entry} for many records of one model, in one query."""
    history = getattr(model, "history", None)
    pks = [pk for pk in pks if pk is not None]
    if history is None or not pks:
        return {}
    attname = model._meta.pk.attname
    rows = history.filter(**{f"{attname}__in": pks}).values(attname).annotate(latest=Max("history_id"))
    return {row[attname]: row["latest"] for row in rows.order_by()}


def history_m2m_ids(record, name):
    """The ids a history entry's many-to-many field ``name`` held then, or None if the history
    does not keep that field."""
    for field in getattr(record, "_history_m2m_fields", []):
        if field.name == name:
            target = field.m2m_reverse_field_name()
            return sorted(getattr(row, f"{target}_id") for row in getattr(record, field.name).all())
    return None
