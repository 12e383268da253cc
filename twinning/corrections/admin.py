"""The moderation queue: corrections from the public, newest first, filtered by status.

What the sender wrote is read-only and shown as plain text (the admin escapes it); staff set
the status, a note to the sender and, on accepting, what they changed. Changing the status
records who did it and when.
"""

from urllib.parse import quote

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from twinning.corrections.models import Correction, CorrectionSettings


def mark_handled(correction, user, now=None):
    """Record who changed a correction's status and when (or clear both when it is new again)."""
    if correction.status == Correction.Status.NEW:
        correction.handled_by = None
        correction.handled_at = None
    else:
        correction.handled_by = user
        correction.handled_at = now or timezone.now()


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["summary", "record_link", "created_at", "status", "handled_by", "handled_at"]
    list_display_links = ["summary"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["record_label", "what_is_wrong", "what_is_right", "source_url", "name", "email"]
    list_select_related = ["city", "link", "appeal", "handled_by"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["mark_rejected", "mark_duplicate"]
    readonly_fields = [
        "record_detail",
        "created_at",
        "what_is_wrong",
        "what_is_right",
        "source_link",
        "name",
        "email",
        "reply_link",
        "personal_data_deleted_at",
        "handled_by",
        "handled_at",
    ]
    fieldsets = [
        (_("What it is about"), {"fields": ["record_detail", "created_at"]}),
        (_("What the sender says"), {"fields": ["what_is_wrong", "what_is_right", "source_link"]}),
        (
            _("Sender (optional; deleted after the retention period)"),
            {"fields": ["name", "email", "reply_link", "personal_data_deleted_at"]},
        ),
        (
            _("Moderation"),
            {"fields": ["status", "change_made", "change_url", "note_to_sender", "handled_by", "handled_at"]},
        ),
    ]

    def has_add_permission(self, request):
        return False  # corrections come from the public form

    @admin.display(description=_("correction"))
    def summary(self, obj):
        text = obj.what_is_wrong
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("about"), ordering="record_label")
    def record_link(self, obj):
        url = obj.record_admin_url()
        label = f"{obj.get_kind_display()}: {obj.record_label}"
        if url is None:
            return format_html("{} <em>({})</em>", label, _("deleted"))
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("record"))
    def record_detail(self, obj):
        admin_url, public_url = obj.record_admin_url(), obj.record_public_url()
        label = f"{obj.get_kind_display()}: {obj.record_label}"
        if admin_url is None:
            return format_html("{} <em>({})</em>", label, _("since deleted"))
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>', admin_url, label, public_url, _("public page")
        )

    @admin.display(description=_("source"))
    def source_link(self, obj):
        if not obj.source_url:
            return _("No source given.")
        # Validated as an http(s) address when sent; escaped here like any other text.
        return format_html(
            '<a href="{}" rel="noreferrer noopener nofollow">{}</a>', obj.source_url, obj.source_url
        )

    @admin.display(description=_("reply"))
    def reply_link(self, obj):
        if not obj.email:
            return _("No email address (none given, or deleted).")
        subject = _("Your correction to “%(record)s”") % {"record": obj.record_label}
        body = obj.note_to_sender or ""
        href = f"mailto:{quote(obj.email, safe='@')}?subject={quote(str(subject))}&body={quote(body)}"
        return format_html(
            '<a href="{}">{}</a> <span class="help">{}</span>',
            href,
            _("Write to the sender"),
            _("Opens your email program with the note to the sender; save the note first."),
        )

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            mark_handled(obj, request.user)
        super().save_model(request, obj, form, change)

    def _mark(self, request, queryset, status):
        now = timezone.now()
        count = 0
        for correction in queryset.filter(status=Correction.Status.NEW):
            correction.status = status
            mark_handled(correction, request.user, now)
            correction.save(update_fields=["status", "handled_by", "handled_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d new correction marked.", "%(count)d new corrections marked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected new corrections"))
    def mark_rejected(self, request, queryset):
        self._mark(request, queryset, Correction.Status.REJECTED)

    @admin.action(description=_("Mark the selected new corrections as duplicates"))
    def mark_duplicate(self, request, queryset):
        self._mark(request, queryset, Correction.Status.DUPLICATE)


@admin.register(CorrectionSettings)
class CorrectionSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "retention_days"]

    def has_add_permission(self, request):
        # The one row is made on first use; asking the database here would cost a query on
        # every admin page (the app list asks every model admin).
        return False

    def changelist_view(self, request, extra_context=None):
        settings_row = CorrectionSettings.load()
        return redirect("admin:corrections_correctionsettings_change", settings_row.pk)

    def has_delete_permission(self, request, obj=None):
        return False
