"""The recipient-list lines of a home page's to-do: lists returned to the school's operator,
lists awaiting the school's reviewer. Each count is the recipient-list page with the status
filter of its link."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.accounts.roles import Role
from zizhu.lib.todo import TodoLine
from zizhu.recipients.models import Status
from zizhu.recipients.selectors import lists_for

LINES = {
    Role.SCHOOL_OPERATOR: (Status.RETURNED, _("Recipient lists returned")),
    Role.SCHOOL_REVIEWER: (Status.SUBMITTED, _("Recipient lists awaiting review")),
}


def recipients_todo(user) -> list[TodoLine]:
    if user.role not in LINES:
        return []
    status, label = LINES[user.role]
    count = lists_for(user).filter(status=status).aggregate(n=Count("pk"))["n"]
    if not count:
        return []
    return [
        TodoLine(str(label), count, f"{reverse('recipients:list')}?{urlencode({'status': status})}")
    ]
