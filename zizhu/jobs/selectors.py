from typing import cast

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from zizhu.access import Action, can, scope_filter, units_for
from zizhu.accounts.models import User
from zizhu.jobs.models import Job
from zizhu.units.models import Level, Unit


def jobs_for(user: User) -> QuerySet[Job]:
    """Jobs a user may follow: their own, and those submitted at units in their scope."""
    if not can(user, Action.VIEW):  # admin roles see no business jobs
        return Job.objects.filter(created_by=user)
    return Job.objects.filter(Q(created_by=user) | _submitted_in_scope(user))


def _submitted_in_scope(user: User) -> Q:
    """`access.scope_filter` of the job's unit, in the form whose plan stays bounded as the
    jobs table grows (ADR 0020, "The jobs pages at a year's size"): the centre and a province
    read the newest jobs from the creation-time index until a page is full (most recent jobs
    are theirs); a prefecture's or a county's jobs, a small share of all, are gathered through
    the job's unit index and sorted."""
    unit = cast(Unit, user.unit)  # `can` found one
    if unit.is_school:
        return Q(unit=unit)  # no unit hangs under a school (units.services refuses one)
    if unit.level == Level.CENTRAL:
        return Q(unit__isnull=False)  # every unit is below the centre
    if unit.level == Level.PROVINCE or connection.vendor != "postgresql":
        return scope_filter(user, Action.VIEW)
    # tested while the newest jobs are walked, a county's path would read most of the table;
    # an array of the county's units lets PostgreSQL gather its jobs from the unit index
    sql, params = units_for(user, Action.VIEW).values("pk").query.sql_with_params()
    gathered = RawSQL(  # noqa: S611 - the SQL is Django's own, its values are parameters
        f'"{Job._meta.db_table}"."unit_id" = ANY(ARRAY({sql}))',
        params,
        output_field=BooleanField(),
    )
    return Q(gathered)
