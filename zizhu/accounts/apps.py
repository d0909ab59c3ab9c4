from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zizhu.accounts"
    verbose_name = _("Users")

    def ready(self) -> None:
        from zizhu.accounts import signals  # noqa: F401
