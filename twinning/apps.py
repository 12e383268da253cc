from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = _("Twinning site")

    def ready(self):
        from twinning import logs  # noqa: F401 - connects the staff-action log receivers
