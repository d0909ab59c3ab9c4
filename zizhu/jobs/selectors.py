from dataclasses import dataclass
from datetime import datetime
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


@dataclass(slots=True)
class JobRow:
    """A job as the jobs list shows it, read as values (`newest_rows`): a model instance of
    each job and its submitter cost the list more than its query. The job's own properties
    are the model's."""

    pk: int
    kind: str
    status: str
    done: int
    total: int
    result: dict[str, object]
    created_at: datetime
    display_name: str | None  # the submitter's (none: nobody's)
    username: str | None

    percent = Job.percent
    title = Job.title
    wrote_nothing = Job.wrote_nothing

    @property
    def submitter(self) -> str:
        """The submitter's `User.shown_name`, or "" for nobody's job."""
        return self.display_name or self.username or ""


# the columns of a JobRow, in its fields' order
ROW_COLUMNS = (
    "pk",
    "kind",
    "status",
    "done",
    "total",
    "result",
    "created_at",
    "created_by__display_name",
    "created_by__username",
)


def newest_rows(user: User, limit: int = 100) -> list[JobRow]:
    """The newest `limit` of `jobs_for(user)`, as the list shows them."""
    rows = jobs_for(user).values_list(*ROW_COLUMNS)
    return [JobRow(*row) for row in rows[:limit]]


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
