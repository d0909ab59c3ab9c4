"""The labels of what an audit event's detail records: a Chinese label for every key the
product records (`tests/audit/test_detail_labels.py` finds the keys in the source and fails on
one without a label here) and, by key, the labels of the coded values recorded under it, taken
from the product's own choices where it has them. A key or value without a label is shown as it
is (zizhu.audit.details)."""

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from zizhu.audit.models import Result

KEYS: dict[str, Promise] = {
    "accounts": pgettext_lazy("audit detail", "Accounts"),
    "action": pgettext_lazy("audit detail", "Action"),
    "actor": pgettext_lazy("audit detail", "Username"),
    "after": pgettext_lazy("audit detail", "After"),
    "allocation": pgettext_lazy("audit detail", "Allocation"),
    "allocations": pgettext_lazy("audit detail", "Allocations"),
    "amount": pgettext_lazy("audit detail", "Amount"),
    "amounts": pgettext_lazy("audit detail", "Amounts"),
    "api": pgettext_lazy("audit detail", "Through the API"),
    "arrival_date": pgettext_lazy("audit detail", "Arrival date"),
    "attachment": pgettext_lazy("audit detail", "Attachment"),
    "balances": pgettext_lazy("audit detail", "Balance rows"),
    "batch": pgettext_lazy("audit detail", "Batch"),
    "before": pgettext_lazy("audit detail", "Before"),
    "category": pgettext_lazy("audit detail", "Category"),
    "changes": pgettext_lazy("audit detail", "Changes"),
    "checked": pgettext_lazy("audit detail", "Files checked"),
    "code": pgettext_lazy("audit detail", "Project"),  # a local project's (catalogue)
    "comment": pgettext_lazy("audit detail", "Review comment"),
    "confirmed": pgettext_lazy("audit detail", "Receipt confirmed"),
    "count": pgettext_lazy("audit detail", "Count"),
    "counter_entry": pgettext_lazy("audit detail", "Counter-entry"),
    "created": pgettext_lazy("audit detail", "Added"),
    "cutoff": pgettext_lazy("audit detail", "Kept from"),
    "date_from": pgettext_lazy("audit detail", "From date"),
    "date_to": pgettext_lazy("audit detail", "To date"),
    "days": pgettext_lazy("audit detail", "Days valid"),
    "deadlines": pgettext_lazy("audit detail", "Deadlines"),
    "decision": pgettext_lazy("audit detail", "Decision"),
    "deleted": pgettext_lazy("audit detail", "Records deleted"),
    "due_at": pgettext_lazy("audit detail", "Deadline"),
    "engine": pgettext_lazy("audit detail", "Engine"),
    "error": pgettext_lazy("audit detail", "Error"),
    "errors": pgettext_lazy("audit detail", "Errors"),
    "file_name": pgettext_lazy("audit detail", "File name"),
    "files": pgettext_lazy("audit detail", "Files"),
    "files_added": pgettext_lazy("audit detail", "Files added"),
    "files_removed": pgettext_lazy("audit detail", "Files removed"),
    "filing": pgettext_lazy("audit detail", "Filing"),
    "filings": pgettext_lazy("audit detail", "Filings"),
    "filings_relocked": pgettext_lazy("audit detail", "Filings locked again"),
    "filings_reopened": pgettext_lazy("audit detail", "Filings reopened"),
    "filters": pgettext_lazy("audit detail", "Filters"),
    "finding": pgettext_lazy("audit detail", "Finding"),
    "findings": pgettext_lazy("audit detail", "Findings"),
    "first_id": pgettext_lazy("audit detail", "First record"),
    "fixed": pgettext_lazy("audit detail", "Files fixed"),
    "form": pgettext_lazy("audit detail", "In the edit form"),
    "format": pgettext_lazy("audit detail", "Format"),
    "from": pgettext_lazy("audit detail", "From"),
    "from_version": pgettext_lazy("audit detail", "From version"),
    "key": pgettext_lazy("audit detail", "Key"),
    "kind": pgettext_lazy("audit detail", "Register"),
    "language": pgettext_lazy("audit detail", "Language"),
    "last_hash": pgettext_lazy("audit detail", "Hash of the last record"),
    "last_id": pgettext_lazy("audit detail", "Last record"),
    "level": pgettext_lazy("audit detail", "Level"),
    "lists": pgettext_lazy("audit detail", "Lists"),
    "masked": pgettext_lazy("audit detail", "ID numbers masked"),
    "method": pgettext_lazy("audit detail", "Request"),
    "missing": pgettext_lazy("audit detail", "Files missing"),
    "missing_in": pgettext_lazy("audit detail", "Units not filed under"),
    "month": pgettext_lazy("audit detail", "Month"),
    "name": pgettext_lazy("audit detail", "Name"),
    "need": pgettext_lazy("audit detail", "Permission needed"),
    "note": pgettext_lazy("audit detail", "Note"),
    "out": pgettext_lazy("audit detail", "Output file"),
    "own_funds": pgettext_lazy("audit detail", "Own funds"),
    "page": pgettext_lazy("audit detail", "Page"),
    "path": pgettext_lazy("audit detail", "Address"),
    "programme": pgettext_lazy("audit detail", "Programme"),
    "project": pgettext_lazy("audit detail", "Project"),
    "projects": pgettext_lazy("audit detail", "Projects"),
    "query": pgettext_lazy("audit detail", "Filters"),
    "reason": pgettext_lazy("audit detail", "Reason"),
    "receipts": pgettext_lazy("audit detail", "Receipts"),
    "reencode": pgettext_lazy("audit detail", "Files to re-encode"),
    "refused": pgettext_lazy("audit detail", "Files refused"),
    "replaced": pgettext_lazy("audit detail", "Replaced"),
    "repr": pgettext_lazy("audit detail", "Record"),
    "result": pgettext_lazy("audit detail", "Result"),
    "reverses": pgettext_lazy("audit detail", "Reverses allocation"),
    "review_comment": pgettext_lazy("audit detail", "Review comment"),
    "risk": pgettext_lazy("audit detail", "Risk"),
    "row": pgettext_lazy("audit detail", "Row"),
    "rows": pgettext_lazy("audit detail", "Rows"),
    "rule": pgettext_lazy("audit detail", "Rule"),
    "run": pgettext_lazy("audit detail", "Check run"),
    "school": pgettext_lazy("audit detail", "School"),
    "seed": pgettext_lazy("audit detail", "Seed"),
    "sha256": pgettext_lazy("audit detail", "Digest"),
    "size": pgettext_lazy("audit detail", "Bytes"),
    "size_after": pgettext_lazy("audit detail", "Bytes after"),
    "size_before": pgettext_lazy("audit detail", "Bytes before"),
    "snapshot": pgettext_lazy("audit detail", "Register data"),
    "snapshots": pgettext_lazy("audit detail", "Register data sets"),
    "stage": pgettext_lazy("audit detail", "Stage"),
    "status": pgettext_lazy("audit detail", "Status"),
    "students": pgettext_lazy("audit detail", "Students"),
    "submitted_at": pgettext_lazy("audit detail", "Submitted at"),
    "table": pgettext_lazy("audit detail", "Table"),
    "term": pgettext_lazy("audit detail", "Term"),
    "to": pgettext_lazy("audit detail", "To"),
    "token": pgettext_lazy("audit detail", "API token"),
    "unchanged": pgettext_lazy("audit detail", "Unchanged"),
    "unit": pgettext_lazy("audit detail", "Unit"),
    "unlocked_until": pgettext_lazy("audit detail", "Unlocked until"),
    "unmasked": pgettext_lazy("audit detail", "Full ID numbers"),
    "updated": pgettext_lazy("audit detail", "Updated"),
    "usable_password": pgettext_lazy("audit detail", "May sign in with a password"),
    "username": pgettext_lazy("audit detail", "Username"),
    "verdict": pgettext_lazy("audit detail", "Verdict"),
    "version": pgettext_lazy("audit detail", "Version"),
    "voucher": pgettext_lazy("audit detail", "Voucher"),
    "voucher_files": pgettext_lazy("audit detail", "Voucher files"),
    "vouchers": pgettext_lazy("audit detail", "Vouchers"),
    "worker": pgettext_lazy("audit detail", "Worker"),
    "year": pgettext_lazy("audit detail", "Year"),
}

# Why a page refused someone (the `reason` of access.denied, given to zizhu.access.deny).
REASONS: dict[str, Promise] = {
    "authority_only": pgettext_lazy("audit detail", "Education authorities only"),
    "may_not_reveal": pgettext_lazy("audit detail", "May not see the student in full"),
    "not_a_filer": pgettext_lazy("audit detail", "Does not file this category"),
    "not_a_province_operator": pgettext_lazy("audit detail", "Not a province's operator"),
    "not_a_school_operator": pgettext_lazy("audit detail", "Not a school operator"),
    "not_a_school_user": pgettext_lazy("audit detail", "Not a school user"),
    "not_a_supervising_operator": pgettext_lazy(
        "audit detail", "Not an operator of the supervising authority"
    ),
    "not_an_authority_operator": pgettext_lazy("audit detail", "Not an authority's operator"),
    "not_an_authority_user": pgettext_lazy("audit detail", "Not an authority's user"),
    "not_own_unit": pgettext_lazy("audit detail", "Not the user's own unit"),
    "not_the_deadline_setter": pgettext_lazy(
        "audit detail", "Not the authority that set the deadline"
    ),
    "not_the_receiver": pgettext_lazy("audit detail", "Not the receiving unit"),
    "not_the_school": pgettext_lazy("audit detail", "Not the school's user"),
    "not_the_school_operator": pgettext_lazy("audit detail", "Not the school's operator"),
    "not_the_sender": pgettext_lazy("audit detail", "Not the allocating unit"),
    "out_of_scope": pgettext_lazy("audit detail", "Outside the user's scope"),
    "role": pgettext_lazy("audit detail", "The role lacks the permission"),
}

# The permission a refused role lacked (the `need` of access.denied: zizhu.access.Action).
NEEDS: dict[str, Promise] = {
    "view": pgettext_lazy("audit detail", "View"),
    "file": pgettext_lazy("audit detail", "File and edit"),
    "review": pgettext_lazy("audit detail", "Review"),
    "export": pgettext_lazy("audit detail", "Export"),
    "manage_units": pgettext_lazy("audit detail", "Manage units"),
    "manage_users": pgettext_lazy("audit detail", "Manage users"),
    "manage_registers": pgettext_lazy("audit detail", "Manage registers"),
    "security": pgettext_lazy("audit detail", "Security administration"),
    "read_audit": pgettext_lazy("audit detail", "Read the audit log"),
}

METHODS: dict[str, Promise] = {
    "GET": pgettext_lazy("audit detail", "Read"),
    "HEAD": pgettext_lazy("audit detail", "Read"),
    "OPTIONS": pgettext_lazy("audit detail", "Read"),
    "POST": pgettext_lazy("audit detail", "Submit"),
    "PUT": pgettext_lazy("audit detail", "Change"),
    "PATCH": pgettext_lazy("audit detail", "Change"),
    "DELETE": pgettext_lazy("audit detail", "Delete"),
}


# The tables of the summary and progress exports, by the key their export records: their
# titles are fundreports', given when it starts (add_tables; the trail imports no domain app).
TABLES: dict[str, Any] = {}


def add_tables(titles: Mapping[str, Any]) -> None:
    """Label the export tables recorded under the detail key `table`."""
    TABLES.update(titles)


# Coded values, by the key they are recorded under: the choices of the model fields that hold
# them, read through the app registry (the trail is a platform app: it imports no domain app).
FIELDS: dict[str, tuple[str, ...]] = {
    "category": ("catalogue.AidProject.category",),
    "decision": ("anomalies.Explanation.decision",),
    "engine": ("anomalies.Run.engine",),
    "from": ("funds.Filing.status",),
    "kind": ("registers.Snapshot.kind",),
    "level": ("units.Unit.level",),
    "programme": ("anomalies.Finding.programme",),
    "risk": ("anomalies.Finding.risk",),
    "stage": ("catalogue.AidProject.stage",),
    "status": ("funds.Filing.status", "anomalies.Finding.status"),
    "term": ("recipients.RecipientList.term",),
    "to": ("funds.Filing.status",),
    "verdict": ("anomalies.Explanation.verdict",),
}
OWN: dict[str, Mapping[str, Any]] = {
    "action": {},  # action_label (zizhu.audit.details)
    "format": {"xlsx": "XLSX", "csv": "CSV"},
    "language": dict(settings.LANGUAGES),
    "method": METHODS,
    "need": NEEDS,
    "reason": REASONS,
    "result": dict(Result.choices),
    "table": TABLES,
}


@cache
def field_choices(*paths: str) -> dict[str, Any]:
    """The value → label choices of the model fields at `paths` ("app.Model.field")."""
    found: dict[str, Any] = {}
    for path in paths:
        app, model, name = path.split(".")
        found.update(apps.get_model(app, model)._meta.get_field(name).flatchoices)
    return found


def value_labels(key: str) -> Mapping[str, Any]:
    """The labels of the coded values recorded under `key` (empty: none are coded)."""
    if key in FIELDS:
        return field_choices(*FIELDS[key])
    return OWN.get(key, {})


def source_levels() -> dict[str, Any]:  # the keys of an `amounts` dict
    return field_choices("funds.Balance.source_level")


def terms() -> dict[str, Any]:  # a period key "2025-autumn" of a lists export
    return field_choices("recipients.RecipientList.term")


YES = pgettext_lazy("audit detail", "Yes")
NO = pgettext_lazy("audit detail", "No")
NONE = pgettext_lazy("audit detail", "None")  # a field without a value, before or after
