"""The model backend, reading a signed-in user with its unit in one query.

Every request of a signed-in user loads the user from the session, and nearly every page
then reads `user.unit` (the menu, the scope of every business query): Django's backend
loads the two in two queries. The query is the ORM's own (`select_related("unit")`), compiled
once (zizhu.lib.compiled): building and compiling it again took every request ~0.5 ms of CPU,
four times what running it costs."""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from zizhu.lib.compiled import STAND_IN_IDS, compiled, compiled_cursor

BACKEND = "zizhu.accounts.backends.UnitModelBackend"


def _user_query():
    """The user of a stand-in id, with its unit."""
    return get_user_model()._default_manager.select_related("unit").filter(pk=STAND_IN_IDS[0])


@dataclass(frozen=True)
class _Columns:
    converters: dict  # column → (converters, expression), as the ORM's compiler has them
    user_fields: tuple[str, ...]  # attribute names of the row's first columns
    unit_fields: tuple[str, ...]  # of the rest (all None when the user has no unit)
    unit_key: object  # the user's foreign key to its unit, which caches the unit


@cache
def _columns(vendor: str) -> _Columns:
    """What the ORM does with the query's columns, on the `vendor`'s database."""
    compiler = _user_query().query.get_compiler(connection=connection)
    compiler.setup_query()
    select = [column for column, _sql, _alias in compiler.select]
    (unit_info,) = compiler.klass_info["related_klass_infos"]
    split = len(compiler.klass_info["select_fields"])
    return _Columns(
        converters=compiler.get_converters(select),
        user_fields=tuple(column.target.attname for column in select[:split]),
        unit_fields=tuple(column.target.attname for column in select[split:]),
        unit_key=unit_info["field"],
    )


def user_with_unit(user_id):
    """The user `user_id` with its unit cached on it, or None; the values as the ORM gives
    them (its converters applied: SQLite's times and flags)."""
    sql, params = compiled(
        ("accounts.user_with_unit",), _user_query, {STAND_IN_IDS[0]: "user"}, {"user": user_id}
    )
    with compiled_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    columns = _columns(connection.vendor)
    row = list(found)
    for at, (converters, expression) in columns.converters.items():  # as SQLCompiler does
        for converter in converters:
            row[at] = converter(row[at], expression, connection)
    split = len(columns.user_fields)
    user = get_user_model().from_db(connection.alias, columns.user_fields, row[:split])
    unit_model = columns.unit_key.related_model
    unit_row = row[split:]
    unit = None
    if unit_row[columns.unit_fields.index(unit_model._meta.pk.attname)] is not None:
        unit = unit_model.from_db(connection.alias, columns.unit_fields, unit_row)
    columns.unit_key.set_cached_value(user, unit)
    return user


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_with_unit(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
