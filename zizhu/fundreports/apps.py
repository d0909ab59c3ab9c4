from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _rollups_ensure(sender, using, **kwargs) -> None:
    from django.db import connections

    from zizhu.fundreports.rollups import rollups_ensure

    rollups_ensure(connections[using])


def _rollups_rebuild(sender, **kwargs) -> None:
    from zizhu.fundreports.rollups import rollups_rebuild

    rollups_rebuild()


class FundReportsConfig(AppConfig):
    name = "zizhu.fundreports"
    verbose_name = _("Funds reports")

    def ready(self) -> None:
        from zizhu.audit.detail_labels import add_tables
        from zizhu.fundreports.progress import EXPORT_TABLES
        from zizhu.fundreports.summary import TITLES
        from zizhu.units.signals import units_moved

        add_tables(TITLES | EXPORT_TABLES)  # the audit log names an export's table by these

        post_migrate.connect(_rollups_ensure, sender=self)
        units_moved.connect(_rollups_rebuild)
