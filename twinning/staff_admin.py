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
  history entry), and so does each row of its inlines; saving after someone else saved is
  refused with who changed it and when. A row nobody changed on this page is not checked (it is
  not saved either).
- **Editors propose, Publishers publish.** An Editor's save of a published record leaves it as
  it is and stores a proposed change for a Publisher to review (``twinning/proposals.py``). On
  a published record's page, the rows of its inlines that are published themselves are shown
  disabled to Editors (rows with their own page are changed there, as proposals), and rows of
  models without a publication flag cannot be added by them: they would be public at once.
"""

import functools

from django import forms
from django.contrib import messages
from django.contrib.admin import TabularInline, widgets
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import smart_split, unescape_string_literal
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from twinning import logs, proposals
from twinning.models import StaffProfile
from twinning.versions import latest_version, latest_version_ids

PUBLISH_FIELDS = ("is_published", "is_featured")
# The shortest search term a trigram index serves (pg_trgm's trigrams are of three letters).
MIN_INDEXED_TERM = 3


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


class _Unlabelled(forms.HiddenInput):
    """A hidden input no label points at (the admin writes a label for every field it lays out,
    and a label for a hidden input is invalid HTML)."""

    def id_for_label(self, id_):
        return ""


def _without_aria(attrs):
    return {key: value for key, value in (attrs or {}).items() if not key.startswith("aria-")}


class _HiddenInitial(forms.HiddenInput):
    """The value a row's field had when the page was opened. Django copies the field's
    aria-describedby onto it, which a hidden input must not have."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, value, _without_aria(attrs))


class _MultipleHiddenInitial(forms.MultipleHiddenInput):
    def get_context(self, name, value, attrs):
        return super().get_context(name, value, _without_aria(attrs))


class VersionField(forms.CharField):
    """The hidden version a page was opened at. It never counts as a change: a row whose
    version moved on while nobody touched it on this page is not a changed row."""

    widget = _Unlabelled

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


def has_publication_flag(model):
    return any(f.name == "is_published" for f in model._meta.get_fields())


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


def staff_form(base, request, model_admin=None, obj=None, row_model=None):
    """``base`` with the staff rules: the council check and the version check (for a record's
    own page, and for each inline row of a ``row_model`` with a history), and drafts for those
    who may not publish."""
    council = council_of(request.user)
    publisher = can_publish(request.user)
    paths = getattr(model_admin, "council_paths", ())
    row = row_model is not None
    if row:
        versioned = hasattr(row_model, "history")
    else:
        versioned = model_admin is not None and obj is not None and hasattr(model_admin.model, "history")
    restored = _restored_m2m(request, model_admin.model, obj) if model_admin is not None else {}
    attrs = {}
    if versioned:
        attrs[VERSION_FIELD] = VersionField()

    class StaffForm(base):
        def __init__(self, *args, edit_versions=None, **kwargs):
            super().__init__(*args, **kwargs)
            if row and VERSION_FIELD in self.fields:
                # A row counts as changed when it differs from what the page showed, not from
                # what is stored now: a row someone else saved meanwhile and this page left
                # alone is then neither saved (with this page's old values) nor refused.
                for name, field in self.fields.items():
                    if name != VERSION_FIELD and not field.widget.is_hidden:
                        field.show_hidden_initial = True
                        multiple = issubclass(field.hidden_widget, forms.MultipleHiddenInput)
                        field.hidden_widget = _MultipleHiddenInitial if multiple else _HiddenInitial
            if VERSION_FIELD in self.fields:
                if edit_versions is not None:  # a formset's rows, looked up together
                    latest_id = edit_versions.get(self.instance.pk)
                else:
                    latest = latest_version(self._meta.model, self.instance.pk)
                    latest_id = latest.history_id if latest else None
                self.fields[VERSION_FIELD].initial = str(latest_id) if latest_id else ""
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
            without a version (not from the admin's own page) is not checked, and neither is
            an inline row this page did not change (it is not saved)."""
            opened_at = (cleaned or {}).get(VERSION_FIELD) if VERSION_FIELD in self.fields else None
            if not opened_at or (row and not self.has_changed()):
                return
            latest = latest_version(self._meta.model, self.instance.pk)
            if not latest or str(latest.history_id) == opened_at:
                return
            when = {
                "who": latest.history_user or _("unknown user"),
                "when": date_format(localtime(latest.history_date), "DATETIME_FORMAT"),
            }
            if row:
                raise ValidationError(
                    _(
                        "Someone else changed this row while you were editing the page (%(who)s, "
                        "%(when)s). Your changes have not been saved. Open the page again to see "
                        "their version, then make your changes again."
                    )
                    % when,
                    code="changed_meanwhile",
                )
            raise ValidationError(
                _(
                    "Someone else changed this record while you were editing it (%(who)s, "
                    "%(when)s). Your changes have not been saved. Open the record again to "
                    "see their version, then make your changes again."
                )
                % when,
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
    with its errors. Only ids the target field accepts are looked up.

    In an inline's rows, the widgets of one field share a ``batch`` (``_AutocompleteBatch``):
    the chosen records of every row are read in one query, where Django reads each row's."""

    batch = None

    def _target(self):
        remote = self.field.remote_field
        return remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)

    def usable(self, value):
        target = self._target()
        usable = []
        for item in value:
            try:
                target.run_validators(target.to_python(item))
            except (ValidationError, TypeError, ValueError, OverflowError):
                continue
            usable.append(item)
        return usable

    def optgroups(self, name, value, attr=None):
        usable = self.usable(value)
        if self.batch is None:
            return super().optgroups(name, usable, attr)
        # Django's AutocompleteMixin.optgroups, with the records taken from the batch.
        default = (None, [], 0)
        selected = {str(v) for v in usable if str(v) not in self.choices.field.empty_values}
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        to_field = self._target().attname
        for obj in self.batch.records(self):
            option_value = getattr(obj, to_field)
            if str(option_value) in selected:  # Django's, too, passes the set as "selected"
                label = self.choices.field.label_from_instance(obj)
                default[1].append(self.create_option(name, option_value, label, selected, len(default[1])))
        return [default]


class _AutocompleteBatch:
    """The records chosen in one autocomplete field, in every row of an inline, read in one
    query the first time a row's widget is drawn (a link with 43 events made 108 queries)."""

    def __init__(self, formset, name):
        self.formset = formset
        self.name = name
        self._records = None

    def records(self, widget):
        if self._records is None:
            values = set()
            for form in self.formset.forms:
                if self.name in form.fields:
                    values.update(str(v) for v in widget.usable(widget.format_value(form[self.name].value())))
            values = {v for v in values if v not in widget.choices.field.empty_values}
            lookup = {f"{widget._target().attname}__in": values}
            self._records = list(widget.choices.queryset.using(widget.db).filter(**lookup)) if values else []
        return self._records


_SAFE_WIDGETS = {}


def _make_safe(formfield):
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, AutocompleteMixin) and not isinstance(widget, SafeAutocomplete):
        cls = widget.__class__
        if cls not in _SAFE_WIDGETS:
            _SAFE_WIDGETS[cls] = type(f"Safe{cls.__name__}", (SafeAutocomplete, cls), {})
        widget.__class__ = _SAFE_WIDGETS[cls]
    return formfield


def _is_field_path(model, path):
    """Whether ``path`` names a field (through relations), with no prefix or lookup of its own."""
    try:
        get_fields_from_path(model, path)
    except (FieldDoesNotExist, NotRelationField):
        return False
    return True


def name_select_related(admin_site, model):
    """The related records a ``model``'s name (its ``__str__``) reads, as its admin declares
    them (``name_select_related``): read with it wherever the admin names records of it."""
    return tuple(getattr(admin_site._registry.get(model), "name_select_related", ()))


class _StaffRulesBase:
    # What this model's records' names read (a link's names its two cities); see
    # name_select_related().
    name_select_related = ()

    def get_field_queryset(self, db, db_field, request):
        """A related field's choices come with what their names read: an appeal's links were
        named with two queries each."""
        queryset = super().get_field_queryset(db, db_field, request)
        related = name_select_related(self.admin_site, db_field.remote_field.model)
        if not related:
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return queryset.select_related(*related)

    # A line of text that may be long (an event's "What happened", an update's headline, up to
    # 300 characters) gets a box as wide as the admin's text areas, not the 20em of a name's;
    # not in a table's row, which it would widen past the screen.
    WIDE_TEXT_FROM = 250

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if (
            not isinstance(self, TabularInline)
            and isinstance(db_field, models.CharField)
            and not db_field.choices
            and (db_field.max_length or 0) >= self.WIDE_TEXT_FROM
            and field is not None
            and type(field.widget) is widgets.AdminTextInputWidget
        ):
            field.widget.attrs["class"] = "vLargeTextField"
        return field

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
    (``"pk"`` for the city itself); empty for records every council shares (sources, people).
    ``public_when``: ORM paths to the flags that must all be true for a record to be public
    (by default its own ``is_published``; a model without one is public as soon as it exists)."""

    council_paths = ()
    scoped_staff_may_add = True
    public_when = None
    change_form_template = "admin/twinning/staff_change_form.html"

    class Media:
        css = {"all": ["css/admin-staff.css"]}

    def _scope(self, council):
        q = Q()
        for path in self.council_paths:
            q |= Q(**{path: council.pk})
        return q

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        council = council_of(request.user)
        if _is_autocomplete(request) and self.name_select_related:
            # Each result is named. (Not on the list: a select_related here would replace the
            # list's own list_select_related.)
            queryset = queryset.select_related(*self.name_select_related)
        # Autocomplete lists stay whole: a Leeds editor must be able to choose Kharkiv as a partner.
        if council is None or not self.council_paths or _is_autocomplete(request):
            return queryset
        mine = self.model._default_manager.filter(self._scope(council)).values("pk")
        return queryset.filter(pk__in=mine)

    def get_search_results(self, request, queryset, search_term):
        """Django's search, asked column by column: each term must be in one of the search
        fields, as in Django, but the records are those found in any one column (a union of one
        query per field), so that PostgreSQL can use each column's trigram index
        (twinning/migrations/0007). Django's one query ORs the columns of several tables, which
        no index serves: a search of 150,000 events read them all, four times a page. Terms of
        one or two letters, which no trigram index serves, and search fields other than plain
        field paths (a prefix ``^``, ``=``, ``@``, or a lookup of their own) go to Django's own
        search.

        One difference from Django, on purpose: words found through a relation to many rows may
        be found in different rows of it. A city with the other names "Kiev" and "Kijow" is found
        by "Kiev Kijow"; Django's one join asks for a single other name holding both."""
        fields = [str(field) for field in self.get_search_fields(request)]
        terms = []
        for bit in smart_split(search_term or ""):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            terms.append(bit)
        if (
            not fields
            or not terms
            or not all(_is_field_path(self.model, field) for field in fields)
            or any(len(t) < MIN_INDEXED_TERM for t in terms)
        ):
            return super().get_search_results(request, queryset, search_term)
        manager = self.model._default_manager
        for term in terms:
            found = [
                manager.filter(**{f"{field}__icontains": term}).order_by().values("pk") for field in fields
            ]
            queryset = queryset.filter(pk__in=found[0].union(*found[1:]))
        return queryset, False  # each term is one "pk IN (...)": no row twice

    def in_scope(self, request, obj):
        council = council_of(request.user)
        if council is None or not self.council_paths or obj is None or obj.pk is None:
            return True
        return self.model._default_manager.filter(self._scope(council), pk=obj.pk).exists()

    def is_live(self, request, obj):
        """Whether the stored record is public (asked once per request and record)."""
        if obj is None or obj.pk is None:
            return False
        cache = request.__dict__.setdefault("_twinning_live", {})
        key = (self.model._meta.label, obj.pk)
        if key not in cache:
            paths = self.public_when
            if paths is None:
                paths = ("is_published",) if has_publication_flag(self.model) else ()
            flags = dict.fromkeys(paths, True)
            cache[key] = self.model._default_manager.filter(pk=obj.pk, **flags).exists()
        return cache[key]

    def proposes(self, request, obj):
        """Whether this user's save of ``obj`` becomes a proposed change: an Editor's save of a
        published record."""
        return not can_publish(request.user) and self.is_live(request, obj)

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

    # An Editor's save of a published record: a proposed change instead (twinning/proposals.py).
    # The record, its own many-to-many fields included, stays as it is; new draft rows of its
    # inlines are still saved.

    def save_model(self, request, obj, form, change):
        if change and self.proposes(request, obj):
            request._twinning_proposal = proposals.propose(obj, form, request.user)
            form.save_m2m = _nothing  # the sources wait in the proposal too
            return
        if change and not _changes_record(obj, form):
            # Only rows of the inlines changed: the record is not saved again, so it gets no new
            # history entry and the pages others have open on it stay current.
            request._twinning_record_unsaved = True
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rows_saved = any(
            getattr(formset, name, None)
            for formset in formsets
            for name in ("new_objects", "changed_objects", "deleted_objects")
        )
        if getattr(request, "_twinning_record_unsaved", False) and rows_saved:
            # "Last changed" still follows changes to the rows (an appeal's, for the sitemap).
            now = timezone.now()
            touched = {
                f.attname: now for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)
            }
            if touched:
                self.model._default_manager.filter(pk=form.instance.pk).update(**touched)

    def log_change(self, request, obj, message):
        proposal = getattr(request, "_twinning_proposal", None)
        if proposal is None:
            return super().log_change(request, obj, message)
        logs.change_proposed(request.user, proposal)
        # What else the save did: new draft rows of the inlines (the record's own fields wait).
        if isinstance(message, list):
            rows = [entry for entry in message if "name" in next(iter(entry.values()), {})]
            if rows:
                return super().log_change(request, obj, rows)
        return None

    def response_change(self, request, obj):
        if getattr(request, "_twinning_proposal", None) is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            _(
                "Your change was saved as a draft for a Publisher to review; the published "
                "version is unchanged."
            ),
            messages.WARNING,
        )
        opts = self.opts
        if IS_POPUP_VAR in request.POST:
            # Opened from another record's page (the pencil beside a field): close the popup,
            # naming the record as it is, not as proposed.
            return super().response_change(request, self.model._default_manager.get(pk=obj.pk))
        if "_continue" in request.POST:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        elif "_addanother" in request.POST:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        else:
            return self.response_post_save_change(request, obj)
        return HttpResponseRedirect(url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk is not None:
            pending = list(proposals.pending_of(obj))
            context.update(
                proposes_changes=self.proposes(request, obj),
                pending_proposals=pending,
                own_pending_proposals=[p for p in pending if p.author_id == request.user.pk],
                may_review_proposals=can_publish(request.user),
                proposals_url=(
                    reverse("admin:twinning_proposedchange_changelist")
                    + f"?state__exact=pending&content_type__id__exact={pending[0].content_type_id}"
                    + f"&object_id={obj.pk}"
                    if pending
                    else ""
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _nothing():
    return None


def _changes_record(obj, form):
    live = type(obj)._default_manager.filter(pk=obj.pk).first()
    if live is None:
        return True
    names, related = proposals.changes(obj, form, live)
    return bool(names or related)


class _StaffFormSet:
    """An inline's rows: their versions looked up in one query, and, for an Editor on a
    published record, its published rows disabled (``frozen``)."""

    frozen = None

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if VERSION_FIELD in self.form.base_fields:
            if not hasattr(self, "_edit_versions"):
                self._edit_versions = latest_version_ids(self.model, [o.pk for o in self.get_queryset()])
            kwargs["edit_versions"] = self._edit_versions
        return kwargs

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.frozen is not None and form.instance.pk is not None and self.frozen(form.instance):
            for field in form.fields.values():
                field.disabled = True  # shown, never taken from the post
        # Each row's record with its parent itself, not only the parent's id: a row's heading
        # (a donation route's name names its appeal) read the parent again for every row.
        if self.instance.pk is not None and getattr(form.instance, self.fk.attname) == self.instance.pk:
            self.fk.set_cached_value(form.instance, self.instance)
        self._share_lookups(form)
        return form

    def _share_lookups(self, form):
        """Rows read what their related fields show once for the whole inline, not once each:
        an autocomplete field's chosen records (``_AutocompleteBatch``), and a select list's
        choices."""
        if not hasattr(self, "_batches"):
            self._batches, self._choices = {}, {}
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
            if isinstance(widget, SafeAutocomplete):
                widget.batch = self._batches.setdefault(name, _AutocompleteBatch(self, name))
            elif isinstance(field, forms.ModelChoiceField) and isinstance(widget, forms.Select):
                # A select list of choices (not the rows' hidden ids, nor autocomplete), read when
                # the first row is drawn: a save that is not drawn again reads nothing.
                if name not in self._choices:
                    self._choices[name] = functools.cache(functools.partial(list, field.choices))
                field.choices = self._choices[name]


class StaffRulesInline(_StaffRulesBase):
    """Mixin for an inline: drafts for non-publishers, deletion for superusers only, a version
    on each row. The council check is the parent record's. For an Editor on a published record,
    rows that are public (published rows; every row of a model without a publication flag) are
    disabled, and rows of a model without a publication flag cannot be added."""

    def _parent_is_live_for_editor(self, request, obj):
        if obj is None or can_publish(request.user):
            return False
        parent_admin = self.admin_site._registry.get(self.parent_model)
        return isinstance(parent_admin, StaffRulesAdmin) and parent_admin.is_live(request, obj)

    def _row_is_public(self, row):
        return getattr(row, "is_published", True)

    def has_add_permission(self, request, obj):
        allowed = super().has_add_permission(request, obj)
        if allowed and not has_publication_flag(self.model) and self._parent_is_live_for_editor(request, obj):
            return False
        return allowed

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options.get("fields", []) if f != VERSION_FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if hasattr(self.model, "history") and fieldsets and self.has_change_permission(request, obj):
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], VERSION_FIELD]})
        return fieldsets

    def get_queryset(self, request):
        """The rows with what their forms show: the chosen records of their many-to-many fields,
        and what each row's heading (its name) reads."""
        queryset = super().get_queryset(request)
        many = [f.name for f in self.model._meta.many_to_many if f.editable]
        if many:
            queryset = queryset.prefetch_related(*many)
        related = name_select_related(self.admin_site, self.model)
        if related:
            queryset = queryset.select_related(*related)
        return queryset

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = staff_form(kwargs.get("form", self.form), request, row_model=self.model)
        formset = super().get_formset(request, obj, **kwargs)
        attrs = {}
        if self._parent_is_live_for_editor(request, obj):
            attrs["frozen"] = staticmethod(self._row_is_public)
        return type(formset.__name__, (_StaffFormSet, formset), attrs)
