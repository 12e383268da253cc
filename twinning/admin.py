"""Users get their staff profile (the council they work for) on their own admin page."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from twinning import proposals_admin  # noqa: F401 - registers the review of proposed changes
from twinning.models import StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["council"]
    extra = 1
    max_num = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffProfileInline]
    list_display = [*UserAdmin.list_display, "council"]
    list_select_related = ["staff_profile__council"]

    @admin.display(description=_("council"))
    def council(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.council if profile and profile.council else "—"
