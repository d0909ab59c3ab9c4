from datetime import datetime
from unittest import mock

from zizhu.audit.services import audit_record


def record_at(at: datetime, **fields):
    """An audit record written as if at `at`.

    `audit_record` sets `at` from the clock (the hash covers it), and the UPDATE trigger forbids
    back-dating a row afterwards (that is the point of the trigger), so the clock is moved for
    the insert.
    """
    with mock.patch("django.utils.timezone.now", return_value=at):
        event = audit_record(**fields)
    assert event.at == at
    return event
