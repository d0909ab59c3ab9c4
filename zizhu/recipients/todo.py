"""The recipient-list lines of a home page's to-do: lists returned to the school's operator,
lists awaiting the school's reviewer. Each count is the recipient-list page with the status
filter of its link."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import is_school_operator, is_school_reviewer
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
    count = lists_for(user).filter(status=status).aggregate(n=Count("pk"))["n"]
    if not count:
        return []
    return [
        TodoLine(str(label), count, f"{reverse('recipients:list')}?{urlencode({'status': status})}")
    ]
