from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnomaliesConfig(AppConfig):
    name = "zizhu.anomalies"
    verbose_name = _("Anomaly alerts")

    def ready(self) -> None:
        from zizhu.anomalies import jobs  # noqa: F401
