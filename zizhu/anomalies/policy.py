"""Who may do what with a finding (beyond zizhu.access's "is it in the user's scope"): the
one place the anomaly pages, services and exports ask.

- A school's own users (operator and reviewer) see their students in full: name, ID number,
  grade and major (each such view audited). Authorities see the name and the masked ID; an
  authority operator may reveal the full ID of one finding's student (audited).
- The school's operator explains a finding; an authority operator whose scope contains the
  school reviews the explanation. Supervisors and centre leaders only read.
"""

from zizhu.access import (
    Action,
    can,
    is_authority_operator,
    is_school,
    is_school_operator,
)
from zizhu.anomalies.models import Finding


def sees_students_in_full(user, school_id: int) -> bool:
    """The school's own users see the full identity of its students."""
    return is_school(user) and can(user, Action.VIEW) and user.unit_id == school_id


def may_reveal_student(user, finding: Finding) -> bool:
    """An authority operator may reveal the full ID of a finding's student in its scope."""
    return (
        can(user, Action.FILE)
        and is_authority_operator(user)
        and finding.school.path.startswith(user.unit.path)
    )


def can_explain(user, finding: Finding) -> bool:
    """The finding's school's operator may explain it."""
    return can(user, Action.FILE) and is_school_operator(user) and user.unit_id == finding.school_id


def can_review(user, finding: Finding) -> bool:
    """An authority operator whose scope contains the finding's school may review it."""
    return (
        can(user, Action.FILE)
        and is_authority_operator(user)
        and finding.school.path.startswith(user.unit.path)
    )
