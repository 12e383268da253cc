"""The rules every content admin page follows, whoever the staff member is.

- **Council scope.** A staff member whose profile names a council sees and changes only that
  council's records (``council_paths``: the ways a record leads to a city), and cannot save a
  record so that it no longer belongs to their council. Superusers and staff without a council
  see everything their model permissions allow.
- **Editors and Publishers.** Without the ``twinning.publish`` permission, the publication
  fields are read-only, the publish actions are hidden and whatever is added is saved as a draft.
- **Nothing is deleted by mistake.** Only superusers delete; everyone else unpublishes.
- **Nothing is lost.** Every save is recorded with who and when (django-simple-history); the
  history page restores any earlier version, its sources included.
- **No silent overwrites.** A record's page carries the version it was opened at (its latest
  history entry); saving after someone else saved is refused with who changed it and when.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from twinning.models import StaffProfile

PUBLISH_FIELDS = ("is_published", "is_featured")


def council_of(user):
    """The council (a partnerships.City) a staff member is limited to, or None."""
    if not user.is_authenticated or user.is_superuser:
        return None
    if not hasattr(user, "_twinning_council"):
        profile = StaffProfile.objects.select_related("council").filter(user=user).first()
        user._twinning_council = profile.council if profile else None
    return user._twinning_council


def can_publish(user):
    return user.has_perm("twinning.publish")


def _is_autocomplete(request):
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete")


def _related_pks(value, path):
    """The primary keys reached from ``value`` (an object, a queryset or None) along ``path``."""
    items = list(value.all()) if hasattr(value, "all") else ([] if value is None else [value])
    if not path:
        return {item.pk for item in items}
    head, _sep, rest = path.partition("__")
    found = set()
    for item in items:
        found |= _related_pks(getattr(item, head, None), rest)
    return found


def councils_of_form(form, paths):
    """The cities a record will belong to once this form is saved."""
    found = set()
    for path in paths:
        head, _sep, rest = path.partition("__")
        if head == "pk":
            found |= {form.instance.pk} if form.instance.pk else set()
        elif head in form.cleaned_data:
            found |= _related_pks(form.cleaned_data[head], rest)
        elif form.instance.pk or not form.instance._meta.get_field(head).many_to_many:
            found |= _related_pks(getattr(form.instance, head, None), rest)
    return found


VERSION_FIELD = "edit_version"


def latest_version(model, pk):
    """The latest history entry of a record, or None."""
    history = getattr(model, "history", None)
    if history is None or pk is None:
        return None
    return history.filter(**{model._meta.pk.attname: pk}).order_by("-history_id").first()


def _restored_m2m(request, model, obj):
    """On the history page's "revert" form: the sources (and other tracked many-to-many values)
    as they were in that version, instead of as they are now."""
    match = getattr(request, "resolver_match", None)
    if not (match and match.url_name and match.url_name.endswith("_simple_history") and len(match.args) == 2):
        return {}
    version_id = match.args[1]
    if obj is None or not hasattr(model, "history") or not version_id.isdigit():
        return {}
    record = model.history.filter(history_id=version_id).first()
    initial = {}
    for field in getattr(record, "_history_m2m_fields", []):
        target = field.m2m_reverse_field_name()
        initial[field.name] = [getattr(row, f"{target}_id") for row in getattr(record, field.name).all()]
    return initial


def staff_form(base, request, model_admin=None, obj=None):
    """``base`` with the staff rules: the council check and the version check (for a record's
    own page), and drafts for those who may not publish."""
    council = council_of(request.user)
    publisher = can_publish(request.user)
    paths = getattr(model_admin, "council_paths", ())
    versioned = model_admin is not None and obj is not None and hasattr(model_admin.model, "history")
    restored = _restored_m2m(request, model_admin.model, obj) if model_admin is not None else {}
    attrs = {}
    if versioned:
        attrs[VERSION_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)

    class StaffForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if VERSION_FIELD in self.fields:
                latest = latest_version(self._meta.model, self.instance.pk)
                self.fields[VERSION_FIELD].initial = str(latest.history_id) if latest else ""
            for name, value in restored.items():
                if name in self.fields:
                    self.initial[name] = value

        def clean(self):
            cleaned = super().clean()
            self._check_version(cleaned)
            outside = council is not None and paths and not self.errors
            if outside and council.pk not in councils_of_form(self, paths):
                raise ValidationError(
                    _(
                        "You can only save records of %(council)s. Make sure this record "
                        "belongs to %(council)s, or ask an administrator."
                    )
                    % {"council": council}
                )
            return cleaned

        def _check_version(self, cleaned):
            """Refuse to overwrite a change someone saved after this page was opened. A post
            without a version (not from the admin's own page) is not checked."""
            opened_at = (cleaned or {}).get(VERSION_FIELD) if VERSION_FIELD in self.fields else None
            if not opened_at:
                return
            latest = latest_version(self._meta.model, self.instance.pk)
            if latest and str(latest.history_id) != opened_at:
                raise ValidationError(
                    _(
                        "Someone else changed this record while you were editing it (%(who)s, "
                        "%(when)s). Your changes have not been saved. Open the record again to "
                        "see their version, then make your changes again."
                    )
                    % {
                        "who": latest.history_user or _("unknown user"),
                        "when": date_format(localtime(latest.history_date), "DATETIME_FORMAT"),
                    },
                    code="changed_meanwhile",
                )

        def save(self, commit=True):
            if not publisher and self.instance._state.adding:
                for name in PUBLISH_FIELDS:
                    if hasattr(self.instance, name):
                        setattr(self.instance, name, False)
            return super().save(commit=commit)

    if attrs:  # new dictionaries: the base form class itself is left as it was
        StaffForm.base_fields = {**base.base_fields, **attrs}
        StaffForm.declared_fields = {**base.declared_fields, **attrs}
    StaffForm.__name__ = base.__name__
    StaffForm.__qualname__ = base.__qualname__
    return StaffForm


class SafeAutocomplete:
    """Django's autocomplete widgets look up the submitted ids to show them again; a forged id
    ("\x00", "abc", 10**30) makes that query fail with a 500 when the form is shown again
    with its errors. Only ids the target field accepts are looked up."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        usable = []
        for item in value:
            try:
                target.run_validators(target.to_python(item))
            except (ValidationError, TypeError, ValueError, OverflowError):
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


_SAFE_WIDGETS = {}


def _make_safe(formfield):
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, AutocompleteMixin) and not isinstance(widget, SafeAutocomplete):
        cls = widget.__class__
        if cls not in _SAFE_WIDGETS:
            _SAFE_WIDGETS[cls] = type(f"Safe{cls.__name__}", (SafeAutocomplete, cls), {})
        widget.__class__ = _SAFE_WIDGETS[cls]
    return formfield


class _StaffRulesBase:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _make_safe(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _make_safe(super().formfield_for_manytomany(db_field, request, **kwargs))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            names = {f.name for f in self.model._meta.get_fields()}
            readonly += [f for f in PUBLISH_FIELDS if f in names and f not in readonly]
        return readonly

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class StaffRulesAdmin(_StaffRulesBase, SimpleHistoryAdmin):
    """Mixin for a ModelAdmin. ``council_paths``: ORM paths from the model to partnerships.City
    (``"pk"`` for the city itself); empty for records every council shares (sources, people)."""

    council_paths = ()
    scoped_staff_may_add = True

    def _scope(self, council):
        q = Q()
        for path in self.council_paths:
            q |= Q(**{path: council.pk})
        return q

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        council = council_of(request.user)
        # Autocomplete lists stay whole: a Leeds editor must be able to choose Kharkiv as a partner.
        if council is None or not self.council_paths or _is_autocomplete(request):
            return queryset
        mine = self.model._default_manager.filter(self._scope(council)).values("pk")
        return queryset.filter(pk__in=mine)

    def in_scope(self, request, obj):
        council = council_of(request.user)
        if council is None or not self.council_paths or obj is None or obj.pk is None:
            return True
        return self.model._default_manager.filter(self._scope(council), pk=obj.pk).exists()

    def has_add_permission(self, request, *args):
        allowed = super().has_add_permission(request, *args)
        if not self.scoped_staff_may_add and council_of(request.user) is not None:
            return False
        return allowed

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request.user):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not hasattr(self.model, "history"):
            return fieldsets
        (name, options), *rest = fieldsets
        fields = list(options.get("fields", []))
        if VERSION_FIELD not in fields:
            fields.append(VERSION_FIELD)
        return [(name, {**options, "fields": fields}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = staff_form(kwargs.get("form", self.form), request, self, obj)
        return super().get_form(request, obj, change=change, **kwargs)


class StaffRulesInline(_StaffRulesBase):
    """Mixin for an inline: drafts for non-publishers, deletion for superusers only. The
    council check is the parent record's."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = staff_form(formset.form, request)
        return formset
