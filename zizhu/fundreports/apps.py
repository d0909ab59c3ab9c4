from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundReportsConfig(AppConfig):
    name = "zizhu.fundreports"
    verbose_name = _("Funds reports")
