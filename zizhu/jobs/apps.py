from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "zizhu.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from zizhu.jobs import kinds  # noqa: F401
