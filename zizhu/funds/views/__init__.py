"""The funds pages, by concern: the unit's filings and their status flow (`filings`),
allocation and receipt (`money`), deadlines and unlocks (`deadlines`), reversals and
corrections (`reversal`); the filer check and the own-filing lookup they share are in
`common`.

urls.py and the API import the names below from `zizhu.funds.views`; the package's own modules
import each other's public names directly (tests/test_layering.py).
"""

from zizhu.funds.views.common import own_filing, require_filer
from zizhu.funds.views.deadlines import deadline_detail, deadline_list, filing_unlock
from zizhu.funds.views.filings import (
    filing_action,
    filing_create,
    filing_document,
    filing_edit,
    filing_list,
)
from zizhu.funds.views.money import allocations, receipt_confirm
from zizhu.funds.views.reversal import (
    allocation_reverse,
    allocation_to_reverse,
    receipt_correct,
    receipt_to_correct,
    reversal_agree,
    reversal_decline,
    reversal_request_to_decide,
)

__all__ = [
    "allocation_reverse",
    "allocation_to_reverse",
    "allocations",
    "deadline_detail",
    "deadline_list",
    "filing_action",
    "filing_create",
    "filing_document",
    "filing_edit",
    "filing_list",
    "filing_unlock",
    "own_filing",
    "receipt_confirm",
    "receipt_correct",
    "receipt_to_correct",
    "require_filer",
    "reversal_agree",
    "reversal_decline",
    "reversal_request_to_decide",
]
