from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "zizhu.registers"
    verbose_name = _("Registers")

    def ready(self) -> None:
        from zizhu.registers import jobs  # noqa: F401
