"""Proposed changes: what an Editor's save of a published record becomes.

An Editor (staff without the ``twinning.publish`` permission) who saves a published record
does not change it: the fields they changed, and the many-to-many fields (sources, cities,
links), are stored as a ``ProposedChange``. A Publisher compares it with the published version
field by field and publishes it (the record is saved with the Publisher as the history's user
and a change reason naming the Editor) or discards it.

A proposal remembers the record's latest history entry when it was made. Publishing compares
each proposed field with that version: if someone changed one of those fields since, publishing
is refused, so nobody's change is silently undone. Changes to other fields are kept.
See docs/adr/0056-proposed-changes-for-published-records.md.
"""

import contextlib
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.contrib.admin.utils import display_for_field
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.encoding import is_protected_type
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from twinning.models import ProposedChange
from twinning.versions import history_m2m_ids, latest_version

EMPTY = "—"


class ProposalError(Exception):
    """Why a proposed change cannot be published or discarded (a sentence for staff)."""


def stored_value(field, obj):
    """A field's value as Django's serialisers write it (and as a proposal keeps it)."""
    value = field.value_from_object(obj)
    return value if is_protected_type(value) else field.value_to_string(obj)


def _same(field, a, b):
    with contextlib.suppress(ValidationError, TypeError, ValueError):
        a, b = field.to_python(a), field.to_python(b)
    if isinstance(a, str) and isinstance(b, str):  # browsers send a text area's lines with \r\n
        return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
    return a == b


def _ids(objects):
    return sorted(obj.pk for obj in objects)


def changes(obj, form, live):
    """What the form changes in the stored record ``live``: (names of the fields it changes,
    {many-to-many field: new ids} for the many-to-many fields it changes).

    Every editable field of the form is compared with the record as stored (not only the
    fields the form reports as changed: a model's clean() may set others, as a link's does
    when it puts its two cities in order).
    """
    names = [
        field.name
        for field in obj._meta.concrete_fields
        if not field.primary_key
        and field.editable
        and field.name in form.fields
        and not _same(field, stored_value(field, obj), stored_value(field, live))
    ]
    related = {}
    for field in obj._meta.many_to_many:
        if field.name not in form.fields or field.name not in form.cleaned_data:
            continue
        new = _ids(form.cleaned_data[field.name] or [])
        if new != _ids(getattr(live, field.name).all()):
            related[field.name] = new
    return names, related


def propose(obj, form, author):
    """Store the form's changes to the published record ``obj`` (not saved) as a proposal.
    None when the form changes nothing."""
    model = type(obj)
    live = model._default_manager.get(pk=obj.pk)
    names, related = changes(obj, form, live)
    if not names and not related:
        return None
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        if isinstance(field, models.FileField):
            field.pre_save(obj, add=False)  # stores an uploaded file, as saving would
        values[name] = stored_value(field, obj)
    base = latest_version(model, obj.pk)
    return ProposedChange.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=obj.pk,
        object_repr=(str(live) or f"#{obj.pk}")[:200],
        fields=values,
        many_to_many=related,
        base_history_id=base.history_id if base else None,
        author=author,
    )


def pending_of(obj):
    if obj is None or obj.pk is None:
        return ProposedChange.objects.none()
    return ProposedChange.objects.pending().of(obj).select_related("author")


def target_of(proposal):
    """The record a proposal changes, or None if it (or its model) no longer exists."""
    model = proposal.content_type.model_class()
    if model is None:
        return None
    return model._default_manager.filter(pk=proposal.object_id).first()


def who_and_when(record):
    return {
        "who": record.history_user or _("unknown user"),
        "when": date_format(localtime(record.history_date), "DATETIME_FORMAT"),
    }


def _display(field, obj):
    value = field.value_from_object(obj)
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return obj._get_FIELD_display(field)
    if field.is_relation:
        try:
            return str(getattr(obj, field.name))
        except ObjectDoesNotExist:
            return _("(deleted record %(id)s)") % {"id": value}
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    return display_for_field(value, field, EMPTY)


def _display_related(field, ids):
    found = field.remote_field.model._default_manager.in_bulk(ids)
    names = [str(found[pk]) if pk in found else _("(deleted record %(id)s)") % {"id": pk} for pk in ids]
    return names or [EMPTY]


@dataclass
class Row:
    label: str
    old: object
    new: object
    conflict: bool = False
    many: bool = False


@dataclass
class Review:
    """A proposal beside the published record: one row per proposed field."""

    proposal: ProposedChange
    record: object = None
    rows: list = dataclass_field(default_factory=list)
    problems: list = dataclass_field(default_factory=list)
    changed_since: object = None  # the history entry made after the proposal, if any

    @property
    def conflicts(self):
        return [row.label for row in self.rows if row.conflict]

    @property
    def can_publish(self):
        return (
            self.proposal.is_pending and self.record is not None and not self.conflicts and not self.problems
        )


def review(proposal):
    """Compare a proposal with the record as it is now (and as it was when proposed)."""
    result = Review(proposal=proposal, record=target_of(proposal))
    live = result.record
    if live is None:
        result.problems.append(_("The record no longer exists."))
        return result
    model = type(live)
    latest = latest_version(model, live.pk)
    base = None
    if latest is not None and latest.history_id != proposal.base_history_id:
        result.changed_since = latest
        base = model.history.filter(history_id=proposal.base_history_id or 0).first()
    base_instance = base.instance if base is not None else None
    changed = result.changed_since is not None

    proposed = model._default_manager.get(pk=live.pk)
    for name, value in proposal.fields.items():
        try:
            field = model._meta.get_field(name)
            if field.primary_key or not field.editable or not field.concrete or field.many_to_many:
                raise TypeError(name)
            setattr(proposed, field.attname, field.to_python(value))
        except (FieldDoesNotExist, ValidationError, TypeError, ValueError):
            result.problems.append(
                _("The field “%(name)s” can no longer be changed this way.") % {"name": name}
            )
            continue
        conflict = changed and (
            base_instance is None
            or not _same(field, stored_value(field, base_instance), stored_value(field, live))
        )
        result.rows.append(
            Row(str(capfirst(field.verbose_name)), _display(field, live), _display(field, proposed), conflict)
        )
    for name, ids in proposal.many_to_many.items():
        try:
            field = model._meta.get_field(name)
            ids = [int(pk) for pk in ids]
            if not field.many_to_many:
                raise TypeError(name)
        except (FieldDoesNotExist, TypeError, ValueError):
            result.problems.append(
                _("The field “%(name)s” can no longer be changed this way.") % {"name": name}
            )
            continue
        live_ids = _ids(getattr(live, name).all())
        then = history_m2m_ids(base, name) if base is not None else None
        conflict = changed and then != live_ids
        result.rows.append(
            Row(
                str(capfirst(field.verbose_name)),
                _display_related(field, live_ids),
                _display_related(field, ids),
                conflict,
                many=True,
            )
        )
    return result


def change_reason(proposal):
    author = proposal.author.get_username() if proposal.author else _("unknown user")
    reason = _("Proposed change %(id)s by %(author)s") % {"id": proposal.pk, "author": author}
    return reason[:100]


def _stale_message(record, conflicts):
    return _(
        "Someone changed this record after the change was proposed (%(who)s, %(when)s), in "
        "%(fields)s. Publishing it would undo their change, so it has not been published. "
        "Discard it, and ask its author to propose the change again from the current version."
    ) % {**who_and_when(record), "fields": ", ".join(conflicts)}


def publish(proposal_pk, user, in_scope):
    """Apply a pending proposal to its record, as ``user``; ``in_scope(record)`` says whether
    the record is still one ``user`` may change once the change is applied. Returns the record
    and the labels of the fields changed. Raises ProposalError, changing nothing, when the
    proposal cannot be published."""
    with transaction.atomic():
        proposal = ProposedChange.objects.select_for_update().get(pk=proposal_pk)
        if not proposal.is_pending:
            raise ProposalError(_("This proposed change has already been published or discarded."))
        model = proposal.content_type.model_class()
        if model is not None:  # nobody saves the record while it is compared and changed
            list(model._default_manager.select_for_update().filter(pk=proposal.object_id))
        found = review(proposal)
        if found.problems:
            raise ProposalError(" ".join(found.problems))
        if found.conflicts:
            raise ProposalError(_stale_message(found.changed_since, found.conflicts))
        obj = found.record
        for name, value in proposal.fields.items():
            field = model._meta.get_field(name)
            setattr(obj, field.attname, field.to_python(value))
        others = [f.name for f in model._meta.concrete_fields if f.name not in proposal.fields]
        try:
            obj.full_clean(exclude=others)
        except ValidationError as error:
            raise ProposalError(
                _("This proposed change cannot be published: %(errors)s")
                % {"errors": " ".join(error.messages)}
            ) from error
        obj._history_user = user
        obj._change_reason = change_reason(proposal)
        try:
            with transaction.atomic():
                obj.save()
                for name, ids in proposal.many_to_many.items():
                    target = model._meta.get_field(name).remote_field.model
                    getattr(obj, name).set(target._default_manager.filter(pk__in=ids))
        except DatabaseError as error:
            raise ProposalError(
                _("This proposed change cannot be published: the database refused it (%(error)s).")
                % {"error": str(error)[:200]}
            ) from error
        if not in_scope(obj):
            raise ProposalError(
                _(
                    "This proposed change would move the record out of your council's records; it has not been published."
                )
            )
        proposal.state = ProposedChange.State.PUBLISHED
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["state", "decided_by", "decided_at"])
    return obj, [row.label for row in found.rows]


def discard(proposal_pk, user):
    with transaction.atomic():
        proposal = ProposedChange.objects.select_for_update().get(pk=proposal_pk)
        if not proposal.is_pending:
            raise ProposalError(_("This proposed change has already been published or discarded."))
        proposal.state = ProposedChange.State.DISCARDED
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["state", "decided_by", "decided_at"])
    return proposal
