"""PostgreSQL's statistics of the tables read by a period (a year, a month) kept fresh.

Such a period starts empty, and its rows mostly arrive one at a time. Autovacuum analyses a
table after a tenth of it has changed (50 rows and 10 % of its size, by default): on a table
of 200,000 filings, some 20,000 rows of a new year before the planner learns the year holds
any. Until then it plans every query of the new year for a single row, and a county's
summary joins each of the year's filings to every unit of the county (316 ms at 7,700 filings
of a new year, 97 ms at 989, 12 ms once analysed). A table read by period is analysed after
every `ANALYZE_EVERY` changes instead, whatever its size (docs/adr/0020, "A new period's
statistics"): autovacuum looks at a table at most once a minute (its naptime), so a busy
table costs one `ANALYZE` a minute (~0.1 s for 200,000 filings). SQLite has no autovacuum:
nothing to do there."""

from django.db import migrations

ANALYZE_EVERY = 200  # changed rows; a migration names its own number
PERIOD_FIELDS = ("year", "month")  # a model with one of these is read by period


def analyze_often(*models: str, every: int, back: int | None = None) -> migrations.RunPython:
    """A migration's operation: the tables of `models` ("app_label.Model") analysed after
    every `every` changes on PostgreSQL (`ANALYZE_EVERY` when written; the number is the
    migration's own, so that changing the constant later changes no applied migration).
    Reversed: after every `back` changes, where an earlier migration had set that, else
    autovacuum's defaults again."""

    def tables(apps) -> list[str]:
        return [apps.get_model(label)._meta.db_table for label in models]

    def analysed_after(changes: int | None):
        def change(apps, schema_editor) -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            for table in tables(apps):
                name = schema_editor.quote_name(table)
                if changes is None:
                    schema_editor.execute(
                        f"ALTER TABLE {name} RESET "
                        "(autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)"
                    )
                else:
                    schema_editor.execute(
                        f"ALTER TABLE {name} SET (autovacuum_analyze_scale_factor = 0, "
                        f"autovacuum_analyze_threshold = {int(changes)})"
                    )

        return change

    return migrations.RunPython(analysed_after(every), analysed_after(back))
