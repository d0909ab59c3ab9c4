from django.db.models import Q, QuerySet

from zizhu.access import is_admin
from zizhu.accounts.models import User
from zizhu.jobs.models import Job


def jobs_for(user: User) -> QuerySet[Job]:
    """Jobs a user may follow: their own, and those submitted at units in their scope."""
    # admin roles see no business jobs
    unit = user.unit if user.unit_id is not None and not is_admin(user) else None
    if unit is None:
        return Job.objects.filter(created_by=user)
    if unit.is_school:
        # no unit hangs under a school (units.services refuses one): the school's own jobs,
        # found through the job's unit index, not by the path of every job's unit
        return Job.objects.filter(Q(created_by=user) | Q(unit=unit))
    return Job.objects.filter(Q(created_by=user) | Q(unit__path__startswith=unit.path))
