"""Who may do what with funds: open the filing pages of a category, change or move a filing
through its states, allocate, set deadlines. The filing pages, the menu, the to-do, the
services' guards and the API all ask here; the roles themselves are known only to
`zizhu.access`.

The filing's states (docs/adr/0006-filing-review-deadlines.md): the unit's operator edits a
draft or returned filing and submits it; a school's submission waits for the school's reviewer
(pending), who approves it (submitted) or returns it; an authority's goes straight to
submitted and stays editable, since it answers for itself. Submitted filings are locked by the
deadline; an authority operator above can unlock them.
"""

from dataclasses import dataclass

from zizhu.access import Action, can, is_authority_operator, is_school
from zizhu.catalogue.models import Category
from zizhu.funds.models import Filing, FilingStatus
from zizhu.units.models import Unit

# National and local funds are allocated down the hierarchy; school and social aid are the
# school's own money, filed by schools only.
ALLOCATED_CATEGORIES = (Category.NATIONAL, Category.LOCAL)
SCHOOL_ONLY_CATEGORIES = (Category.SCHOOL, Category.SOCIAL)

# The states in which the unit's operator may change a filing's own fields: an authority also
# after submitting (it reviews itself); a school only before review or after a return.
AUTHORITY_EDITABLE = (FilingStatus.DRAFT, FilingStatus.RETURNED, FilingStatus.SUBMITTED)
SCHOOL_EDITABLE = (FilingStatus.DRAFT, FilingStatus.RETURNED)
SUBMITTABLE = (FilingStatus.DRAFT, FilingStatus.RETURNED)
APPROVABLE = (FilingStatus.PENDING,)
RETURNABLE = (FilingStatus.PENDING, FilingStatus.SUBMITTED)


def files_category(user, category: str | None = None) -> bool:
    """Whether the user opens the filing pages of `category` (of any category when None):
    national and local funds are filed by authority operators and schools, school and social
    aid by schools only (both school roles: the operator fills, the reviewer reviews)."""
    if category in SCHOOL_ONLY_CATEGORIES:
        return is_school(user)
    return is_authority_operator(user) or is_school(user)


def editable_statuses(unit: Unit) -> tuple[str, ...]:
    return AUTHORITY_EDITABLE if unit.is_authority else SCHOOL_EDITABLE


def may_edit(user, filing: Filing, frozen: bool) -> bool:
    return can(user, Action.FILE) and filing.status in editable_statuses(filing.unit) and not frozen


@dataclass(frozen=True)
class FilingActions:
    """What the user may do on a filing's page (for the user's own unit's filing)."""

    edit: bool
    submit: bool
    approve: bool
    send_back: bool
    allocate: bool


def filing_actions(user, filing: Filing, frozen: bool) -> FilingActions:
    files = can(user, Action.FILE)
    reviews = can(user, Action.REVIEW)
    return FilingActions(
        edit=may_edit(user, filing, frozen),
        submit=files and not frozen and filing.status in SUBMITTABLE,
        approve=reviews and not frozen and filing.status in APPROVABLE,
        send_back=reviews and not frozen and filing.status in RETURNABLE,
        allocate=files
        and filing.unit.is_authority
        and filing.project.category in ALLOCATED_CATEGORIES,
    )


def may_allocate(user) -> bool:
    """An authority operator allocates its national and local funds to its direct children."""
    return can(user, Action.FILE) and is_authority_operator(user)


def may_set_deadlines(user) -> bool:
    """An authority operator sets its children's deadlines and unlocks their filings."""
    return can(user, Action.FILE) and is_authority_operator(user)
