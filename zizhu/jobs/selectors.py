from django.db.models import Q

from zizhu.access import is_admin
from zizhu.jobs.models import Job


def jobs_for(user):
    """Jobs a user may follow: their own, and those submitted at units in their scope."""
    if user.unit_id is None or is_admin(user):  # admin roles see no business jobs
        return Job.objects.filter(created_by=user)
    return Job.objects.filter(Q(created_by=user) | Q(unit__path__startswith=user.unit.path))
