from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from zizhu.access import is_admin
from zizhu.accounts.models import User
from zizhu.jobs.models import Job
from zizhu.units.models import Unit

# From this depth down (prefectures, counties) a unit's jobs are a small share of all jobs:
# they are gathered through the job's unit index and sorted. Above it (the centre, a province)
# most recent jobs are in scope, and the newest are read from the creation-time index until a
# page is full.
GATHERED_FROM_DEPTH = 2


def jobs_for(user: User) -> QuerySet[Job]:
    """Jobs a user may follow: their own, and those submitted at units in their scope."""
    # admin roles see no business jobs
    unit = user.unit if user.unit_id is not None and not is_admin(user) else None
    if unit is None:
        return Job.objects.filter(created_by=user)
    return Job.objects.filter(Q(created_by=user) | _submitted_under(unit))


def _submitted_under(unit: Unit) -> Q:
    """Jobs submitted at `unit` or a unit below it, in the form whose plan stays bounded as
    the jobs table grows (ADR 0020, "The jobs pages at a year's size")."""
    if unit.is_school:
        # no unit hangs under a school (units.services refuses one)
        return Q(unit=unit)
    if unit.parent_id is None:
        return Q(unit__isnull=False)  # the centre: every unit is below it
    if unit.depth < GATHERED_FROM_DEPTH or connection.vendor != "postgresql":
        return Q(unit__path__startswith=unit.path)
    # tested while the newest jobs are walked, a county's path would read most of the table;
    # an array of the county's units lets PostgreSQL gather its jobs from the unit index
    units = Unit.objects.filter(path__startswith=unit.path).values("pk")
    sql, params = units.query.sql_with_params()
    gathered = RawSQL(  # noqa: S611 - the SQL is Django's own, its values are parameters
        f'"{Job._meta.db_table}"."unit_id" = ANY(ARRAY({sql}))',
        params,
        output_field=BooleanField(),
    )
    return Q(gathered)
