"""The recipient-list lines of a home page's to-do: lists returned to the school's operator,
lists awaiting the school's reviewer. Each count is the recipient-list page with the status
filter of its link."""

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import is_school_operator, is_school_reviewer, stand_in_user
from zizhu.lib.compiled import STAND_IN_PATH, compiled_rows, prefix
from zizhu.lib.todo import TodoLine
from zizhu.recipients.models import Status
from zizhu.recipients.selectors import lists_for


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
        lists = lists_for(stand_in_user(user)).filter(status=status).order_by()
        return lists.values("status").annotate(n=Count("pk")).values_list("n", flat=True)

    marks, values = {prefix(STAND_IN_PATH): "scope"}, {"scope": prefix(user.unit.path)}
    found = compiled_rows(("recipients_todo", user.role, status), build, marks, values)
    return found[0][0] if found else 0
