from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class TwinningConfig(AppConfig):
    name = "twinning"
    verbose_name = _("Twinning site")

    def ready(self):
        from twinning import page_cache

        page_cache.connect_signals()

        from twinning.text import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="twinning_sqlite_fold")

        from twinning import logs  # noqa: F401 - connects the staff-action log receivers
