from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = _("Twinning site")

    def ready(self):
        from twinning import page_cache

        page_cache.connect_signals()
