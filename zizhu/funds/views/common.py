"""What the funds pages share: the filer check, the lookup of a filing of the user's own
unit, and the breadcrumbs of a filing's pages. The API asks the same lookups."""

from django.http import Http404

from zizhu.access import Action, get_object_for_user, require, require_that
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.funds import policy
from zizhu.funds.models import Filing


def require_filer(request, category: str | None = None) -> None:
    """403 unless the user files funds of `category` (of any category when None)."""
    require(request, Action.VIEW)
    require_that(request, policy.files_category(request.user, category), "not_a_filer")


def own_filing(request, pk: int) -> Filing:
    """A filing of the user's own unit, for a role that files its category; 404 for any other
    filing, in scope or not (a user acts only on its own unit's filings)."""
    require_filer(request)
    queryset = Filing.objects.select_related("unit", "project")
    filing = get_object_for_user(request, queryset, Action.VIEW, pk=pk)
    if filing.unit_id != request.user.unit_id:
        audit_record(
            request=request,
            action="access.denied",
            result=Result.DENIED,
            detail={"reason": "not_own_unit", "path": request.path},
        )
        raise Http404
    require_filer(request, filing.project.category)
    return filing


def filing_crumbs(request, filing: Filing, label) -> None:
    """The filing's pages sit under its category's filing list in the breadcrumbs."""
    request.breadcrumb = (f"funds:filing_{filing.project.category}", label)
