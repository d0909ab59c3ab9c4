"""Checks on uploaded files, made on their bytes before anything parses or stores them.

- `spreadsheets`: CSV and XLSX for imports (size, encoding, zip bombs, sheet area); used by
  `zizhu.lib.tabular.read_table`.
- `attachments`: voucher, explanation and filing attachments (PDF, JPEG, PNG by content):
  `pdfs` refuses PDFs that act or carry files, `images` checks and re-encodes JPEG and PNG.
- `names`: random storage names and Content-Disposition headers for downloads.

Every refusal is an `UploadRejected` whose message is Chinese with the English reason in
brackets, fit to show the user.
"""

from zizhu.lib.uploads.attachments import (
    ALLOWED_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_PIXELS,
    AttachmentInfo,
    check_attachment,
)
from zizhu.lib.uploads.errors import MB, UploadRejected
from zizhu.lib.uploads.names import (
    QUARANTINE_FOLDER,
    content_disposition_attachment,
    is_quarantined,
    random_storage_name,
)
from zizhu.lib.uploads.spreadsheets import (
    SPREADSHEET_LIMITS,
    SpreadsheetLimits,
    check_xlsx,
    decode_csv_bytes,
)

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_MAX_PIXELS",
    "MB",
    "QUARANTINE_FOLDER",
    "SPREADSHEET_LIMITS",
    "AttachmentInfo",
    "SpreadsheetLimits",
    "UploadRejected",
    "check_attachment",
    "check_xlsx",
    "content_disposition_attachment",
    "decode_csv_bytes",
    "is_quarantined",
    "random_storage_name",
]
