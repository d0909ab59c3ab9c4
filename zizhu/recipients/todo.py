"""The recipient-list lines of a home page's to-do: lists returned to the school's operator,
lists awaiting the school's reviewer. Each count is the recipient-list page with the status
filter of its link."""

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import is_school_operator, is_school_reviewer
from zizhu.accounts.models import User
from zizhu.lib.compiled import STAND_IN_IDS, STAND_IN_PATH, compiled, compiled_cursor, prefix
from zizhu.lib.todo import TodoLine
from zizhu.recipients.models import Status
from zizhu.recipients.selectors import lists_for
from zizhu.units.models import Unit


def recipients_todo(user) -> list[TodoLine]:
    if is_school_operator(user):
        status, label = Status.RETURNED, _("Recipient lists returned")
    elif is_school_reviewer(user):
        status, label = Status.SUBMITTED, _("Recipient lists awaiting review")
    else:
        return []
    count = _count(user, status)
    if not count:
        return []
    return [
        TodoLine(str(label), count, f"{reverse('recipients:list')}?{urlencode({'status': status})}")
    ]


def _count(user, status: str) -> int:
    """The user's lists in `status`: the query compiled once per role and prepared
    (zizhu.lib.compiled); every school's home page runs it, and building it cost more than
    running it."""

    def build() -> QuerySet:
        stand_in = User(role=user.role, unit=Unit(pk=STAND_IN_IDS[0], path=STAND_IN_PATH))
        lists = lists_for(stand_in).filter(status=status).order_by()
        return lists.values("status").annotate(n=Count("pk")).values_list("n", flat=True)

    values = {"scope": prefix(user.unit.path)}
    sql, params = compiled(
        ("recipients_todo", user.role, status), build, {prefix(STAND_IN_PATH): "scope"}, values
    )
    with compiled_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return found[0] if found else 0
