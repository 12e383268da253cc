"""The Publishers' review of proposed changes: a list of what waits, and one page per proposal
that compares it with the published record field by field, with Publish and Discard.

Only staff with the ``twinning.publish`` permission see any of it; staff limited to a council
see the proposals for that council's records (and for the records every council shares, such
as sources and people). See twinning/proposals.py for what publishing does.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from twinning import proposals
from twinning.models import ProposedChange
from twinning.staff_admin import StaffRulesAdmin, can_publish, council_of


def visible_proposals(queryset, user, site=admin.site):
    """The proposals ``user`` may review: every one, or for staff limited to a council those of
    records in that council's scope (records every council shares included)."""
    if not (user.is_active and user.is_staff and can_publish(user)):
        return queryset.none()
    council = council_of(user)
    if council is None:
        return queryset
    allowed = Q(pk__in=[])
    for model, model_admin in site._registry.items():
        if not isinstance(model_admin, StaffRulesAdmin):
            continue
        content_type = ContentType.objects.get_for_model(model)
        if model_admin.council_paths:
            mine = model._default_manager.filter(model_admin._scope(council)).values("pk")
            allowed |= Q(content_type=content_type, object_id__in=mine)
        else:
            allowed |= Q(content_type=content_type)
    return queryset.filter(allowed)


def _has_nul(request):
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
    )


@admin.register(ProposedChange)
class ProposedChangeAdmin(admin.ModelAdmin):
    list_display = ["record", "kind", "changes", "author", "created_at", "state", "decided_by"]
    list_display_links = ["record"]
    list_filter = ["state", ("content_type", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["content_type", "author", "decided_by"]
    search_fields = ["object_repr", "author__username"]
    list_per_page = 50
    actions = None  # each proposal is decided on its own page, after reading what it changes
    review_template = "admin/twinning/proposedchange/review.html"

    # Permissions: the publish permission, not the model permissions.

    def _may_review(self, request):
        user = request.user
        return user.is_active and user.is_staff and can_publish(user)

    def has_module_permission(self, request):
        return self._may_review(request)

    def has_view_permission(self, request, obj=None):
        return self._may_review(request)

    def has_change_permission(self, request, obj=None):
        return self._may_review(request)

    def has_add_permission(self, request):
        return False  # proposals come from Editors' saves

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        return visible_proposals(super().get_queryset(request), request.user, self.admin_site)

    # The list.

    @admin.display(description=_("record"), ordering="object_repr")
    def record(self, obj):
        return obj.object_repr

    @admin.display(description=_("kind of record"))
    def kind(self, obj):
        model = obj.content_type.model_class()
        return str(capfirst(model._meta.verbose_name)) if model else "—"

    @admin.display(description=_("changes"))
    def changes(self, obj):
        model = obj.content_type.model_class()
        labels = []
        for name in [*obj.fields, *obj.many_to_many]:
            try:
                labels.append(str(model._meta.get_field(name).verbose_name))
            except (AttributeError, FieldDoesNotExist):
                labels.append(name)
        return ", ".join(labels) or "—"

    def changelist_view(self, request, extra_context=None):
        if _has_nul(request):  # PostgreSQL refuses NUL in a query; answer as for any bad filter
            return HttpResponseRedirect(request.path + "?e=1")
        extra_context = {"title": gettext("Proposed changes to review"), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # One proposal: the review page instead of a form.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method not in {"GET", "HEAD", "POST"}:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        proposal = self.get_object(request, unquote(object_id))
        if proposal is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, proposal):
            raise PermissionDenied
        target_admin = self.admin_site._registry.get(proposal.content_type.model_class())
        if request.method == "POST":
            return self._decide(request, proposal, target_admin)
        review = proposals.review(proposal)
        record = review.record
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Review a proposed change"),
            "subtitle": proposal.object_repr,
            "opts": self.opts,
            "proposal": proposal,
            "review": review,
            "changed_since": proposals.who_and_when(review.changed_since) if review.changed_since else None,
            "record_url": _admin_url(record, "change") if record is not None else "",
            "history_url": _admin_url(record, "history") if record is not None else "",
            "may_decide": proposal.is_pending and self.has_change_permission(request, proposal),
            "may_publish_record": record is not None
            and target_admin is not None
            and target_admin.has_change_permission(request, record),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.review_template, context)

    def _decide(self, request, proposal, target_admin):
        here = reverse("admin:twinning_proposedchange_change", args=[proposal.pk])
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        try:
            if "_publish" in request.POST:
                record = proposals.target_of(proposal)
                if record is None or target_admin is None:
                    raise proposals.ProposalError(gettext("The record no longer exists."))
                if not target_admin.has_change_permission(request, record):
                    raise PermissionDenied
                record, labels = proposals.publish(
                    proposal.pk, request.user, lambda obj: target_admin.in_scope(request, obj)
                )
                target_admin.log_change(request, record, [{"changed": {"fields": labels}}])
                self.log_change(request, proposal, gettext("Published."))
                self.message_user(
                    request,
                    gettext("The proposed change to “%(record)s” was published.") % {"record": record},
                    messages.SUCCESS,
                )
            elif "_discard" in request.POST:
                proposals.discard(proposal.pk, request.user)
                self.log_change(request, proposal, gettext("Discarded."))
                self.message_user(
                    request,
                    gettext("The proposed change to “%(record)s” was discarded.")
                    % {"record": proposal.object_repr},
                    messages.SUCCESS,
                )
            else:
                return HttpResponseRedirect(here)
        except proposals.ProposalError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(here)
        return HttpResponseRedirect(
            reverse("admin:twinning_proposedchange_changelist") + "?state__exact=pending"
        )


def _admin_url(obj, view):
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
    except NoReverseMatch:
        return ""
