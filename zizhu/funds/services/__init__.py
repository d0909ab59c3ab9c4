"""The writes of the funds ledger, keyword-only, atomic and audited, by concern: filings and
their status flow (`filings`), money between filings (`money`), deadlines and locks
(`deadlines`), reversals and corrections (`reversal`); the checks and helpers they share
(the actor, year and project checks, the filing insert, the status change) are in `common`.

Code outside this package imports the names below from `zizhu.funds.services`; the package's
own modules import each other's public names directly (tests/test_layering.py).
"""

from zizhu.funds.services.common import INVALID_YEAR
from zizhu.funds.services.deadlines import deadline_set, filing_unlock, filings_lock_overdue
from zizhu.funds.services.filings import (
    SCHOOL_FIELDS,
    StaleFiling,
    filing_approve,
    filing_create,
    filing_return,
    filing_submit,
    filing_update,
)
from zizhu.funds.services.money import FORM_USED, allocation_create, receipt_confirm
from zizhu.funds.services.reversal import (
    allocation_reverse,
    receipt_correct,
    reversal_agree,
    reversal_decline,
    reversal_request,
)

__all__ = [
    "FORM_USED",
    "INVALID_YEAR",
    "SCHOOL_FIELDS",
    "StaleFiling",
    "allocation_create",
    "allocation_reverse",
    "deadline_set",
    "filing_approve",
    "filing_create",
    "filing_return",
    "filing_submit",
    "filing_unlock",
    "filing_update",
    "filings_lock_overdue",
    "receipt_confirm",
    "receipt_correct",
    "reversal_agree",
    "reversal_decline",
    "reversal_request",
]
