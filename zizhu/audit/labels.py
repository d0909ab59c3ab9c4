"""What the auditor reads instead of the codes the trail stores: a label for every action code
the product records and for every kind of object an event names.

`tests/audit/test_labels.py` finds every recorded action code in the source (the calls of
`audit_record` and of the functions that pass an action code through to it) and fails on one
without a label here. A code no longer recorded (old rows) is shown as it is."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "access.denied": _("Access refused"),
    "admin.add": _("Admin: record added"),
    "admin.change": _("Admin: record changed"),
    "admin.delete": _("Admin: record deleted"),
    "admin.password_set": _("Admin: password set"),
    "anomalies.attachment": _("Explanation attachment downloaded"),
    "anomalies.explain": _("Finding explained"),
    "anomalies.export": _("Findings exported"),
    "anomalies.export_unmasked": _("Findings exported with full ID numbers"),
    "anomalies.reveal": _("Student of a finding shown in full"),
    "anomalies.review": _("Explanation reviewed"),
    "anomalies.run": _("Check run finished"),
    "anomalies.run_abandon": _("Check run abandoned"),
    "anomalies.run_create": _("Check run started"),
    "anomalies.view_full": _("Findings shown with full ID numbers"),
    "api.request": _("API request"),
    "api.token_create": _("API token created"),
    "api.token_refused": _("API token refused"),
    "api.token_revoke": _("API token revoked"),
    "audit.export": _("Audit log exported"),
    "audit.purge": _("Expired audit records purged"),
    "catalogue.local_project_create": _("Local aid project added"),
    "catalogue.local_project_restore": _("Local aid project restored"),
    "catalogue.local_project_retire": _("Local aid project retired"),
    "catalogue.local_project_update": _("Local aid project changed"),
    "demo.funds_year": _("Demo funds year loaded"),
    "demo.load": _("Demo province loaded"),
    "fundreports.details_export": _("Filing details exported"),
    "fundreports.progress_export": _("Filing progress exported"),
    "fundreports.summary_export": _("Income and expenditure summary exported"),
    "funds.allocation_create": _("Funds allocated"),
    "funds.allocation_reverse": _("Allocation reversed"),
    "funds.deadline_set": _("Filing deadline set"),
    "funds.document": _("Filing document downloaded"),
    "funds.filing_approve": _("Filing approved"),
    "funds.filing_create": _("Filing created"),
    "funds.filing_return": _("Filing returned"),
    "funds.filing_submit": _("Filing submitted"),
    "funds.filing_unlock": _("Filing unlocked"),
    "funds.filing_update": _("Filing changed"),
    "funds.filings_lock": _("Overdue filings locked"),
    "funds.receipt_confirm": _("Receipt of funds confirmed"),
    "funds.receipt_correct": _("Arrival date corrected"),
    "funds.reversal_agree": _("Reversal agreed"),
    "funds.reversal_decline": _("Reversal declined"),
    "funds.reversal_request": _("Reversal requested"),
    "job.create": _("Background job created"),
    "job.recover": _("Abandoned background job failed"),
    "job.run": _("Background job run"),
    "login": _("Sign-in"),
    "login.lockout": _("Account locked out"),
    "login.otp": _("Wrong one-time password"),
    "login.unlock": _("Account unlocked"),
    "logout": _("Sign-out"),
    "password.change": _("Password changed"),
    "recipients.approve": _("Recipient list approved"),
    "recipients.export": _("Recipient list exported"),
    "recipients.export_store": _("Lists written to the analytics store"),
    "recipients.import": _("Recipient list imported"),
    "recipients.import_approved": _("Recipient list imported and approved"),
    "recipients.load_approved": _("Approved lists loaded in bulk"),
    "recipients.new_version": _("New recipient list version"),
    "recipients.return": _("Recipient list returned"),
    "recipients.rotate_data_keys": _("Data keys rotated"),
    "recipients.row_add": _("Recipient added to a list"),
    "recipients.row_change": _("Recipient changed in a list"),
    "recipients.row_delete": _("Recipient deleted from a list"),
    "recipients.submit": _("Recipient list submitted"),
    "recipients.view_full": _("Recipients shown in full"),
    "registers.import": _("Register imported"),
    "session.absolute_timeout": _("Session ended: time limit"),
    "session.idle_timeout": _("Session ended: idle"),
    "totp.reset": _("Second factor reset"),
    "totp.setup": _("Second factor set up"),
    "units.import": _("Units imported"),
    "uploads.quarantine": _("Stored file quarantined"),
    "uploads.recheck": _("Stored files checked again"),
    "uploads.reencode": _("Stored image re-encoded"),
    "vouchers.create": _("Voucher recorded"),
    "vouchers.delete": _("Voucher deleted"),
    "vouchers.download": _("Voucher file downloaded"),
    "vouchers.export": _("Vouchers exported"),
    "vouchers.update": _("Voucher changed"),
}

# The groups of the action filter, by the code's first part.
AREAS = {
    "access": _("Access control"),
    "login": _("Sign-in and sessions"),
    "admin": _("Administration"),
    "audit": _("Audit"),
    "units": _("Units"),
    "job": _("Background jobs"),
    "api": _("API"),
    "catalogue": _("Aid projects"),
    "funds": _("Funds ledger"),
    "fundreports": _("Fund reports"),
    "vouchers": _("Payment vouchers"),
    "recipients": _("Recipient lists"),
    "registers": _("Registers"),
    "anomalies": _("Findings"),
    "uploads": _("Uploaded files"),
    "demo": _("Demo data"),
}
AREA_OF = {"logout": "login", "password": "login", "session": "login", "totp": "login"}

# Kinds of object whose model has no Chinese name of its own (third-party or internal models).
OBJECTS = {
    "otp_totp.totpdevice": _("Second-factor device"),
    "axes.accessattempt": _("Failed sign-in record"),
    "axes.accessfailurelog": _("Failed sign-in record"),
    "axes.accessattemptexpiration": _("Failed sign-in record"),
    "axes.accesslog": _("Sign-in record"),
    "demo.demoload": _("Demo data load"),
    "funds.balance": _("Balance"),
    "api.idempotencykey": _("Idempotency key"),
}


def action_label(code: str) -> str:
    """The Chinese label of an action code; an unknown code as it is."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def _area(code: str) -> str:
    head = code.split(".", 1)[0]
    return AREA_OF.get(head, head)


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The action filter's options grouped by area: [(area label, [(code, label), …]), …]."""
    groups: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for code in ACTIONS:
        groups[_area(code)].append((code, str(ACTIONS[code])))
    return [
        (str(AREAS[area]), sorted(options, key=lambda option: option[0]))
        for area, options in groups.items()
        if options
    ]


def object_label(model_label: str) -> str:
    """The Chinese name of the kind of object `model_label` ("app.model") names."""
    if not model_label:
        return ""
    if model_label in OBJECTS:
        return str(OBJECTS[model_label])
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return model_label
    return str(model._meta.verbose_name)
