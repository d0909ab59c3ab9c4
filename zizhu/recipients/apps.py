from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientsConfig(AppConfig):
    name = "zizhu.recipients"
    verbose_name = _("Recipient lists")

    def ready(self) -> None:
        from zizhu.recipients import jobs  # noqa: F401
