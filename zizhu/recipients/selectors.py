"""Reads of recipient lists. Callers scope with zizhu.access first."""

from django.db.models import QuerySet

from zizhu.access import Action, scoped
from zizhu.recipients.models import RecipientList, RecipientRow


def lists_for(user: object, action: Action = Action.VIEW) -> QuerySet[RecipientList]:
    return scoped(RecipientList.objects.select_related("school", "project"), user, action, "school")


def id_numbers_for_rows(row_ids: list[int]) -> dict[int, str]:
    """Raw ID numbers of recipient rows (for audited unmasked exports only)."""
    found: dict[int, str] = {}
    for start in range(0, len(row_ids), 5000):
        chunk = row_ids[start : start + 5000]
        found.update(RecipientRow.objects.filter(pk__in=chunk).values_list("id", "id_number"))
    return found
