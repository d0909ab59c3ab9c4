"""Who may do what with recipient lists (资助名单): a school's operator uploads and edits its
lists and submits them; the school's reviewer approves or returns them; the school's own users
see their students in full, authorities see them masked. The pages, the menu, the to-do and the
API ask here."""

from zizhu.access import Action, can, is_school, is_school_operator, is_school_reviewer
from zizhu.recipients.models import RecipientList, Status


def sees_full_identity(user, recipient_list: RecipientList) -> bool:
    """The school's own users see its students in full; authorities see masked values."""
    return is_school(user) and user.unit_id == recipient_list.school_id


def may_upload(user) -> bool:
    """A school's operator uploads its lists (and downloads the template to fill)."""
    return can(user, Action.FILE) and is_school_operator(user)


def may_maintain(user) -> bool:
    """A school user acts on its own lists at all (edit, submit, review)."""
    return is_school(user)


def may_edit(user, recipient_list: RecipientList) -> bool:
    """The school's operator edits (and submits) a draft or returned list of its own."""
    return (
        may_upload(user) and user.unit_id == recipient_list.school_id and recipient_list.is_editable
    )


def may_review(user, recipient_list: RecipientList) -> bool:
    """The school's reviewer approves or returns a submitted list of its own."""
    return (
        can(user, Action.REVIEW)
        and is_school_reviewer(user)
        and user.unit_id == recipient_list.school_id
        and recipient_list.status == Status.SUBMITTED
    )


def may_start_new_version(user, recipient_list: RecipientList) -> bool:
    """The school's operator opens a new version of an approved list."""
    return (
        may_upload(user)
        and user.unit_id == recipient_list.school_id
        and recipient_list.status == Status.APPROVED
    )
