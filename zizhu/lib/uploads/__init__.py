"""Checks on uploaded files, made on their bytes before anything parses or stores them.

- `spreadsheets`: CSV and XLSX for imports (size, encoding, zip bombs, sheet area); used by
  `zizhu.lib.tabular.read_table`.
- `attachments`: voucher, explanation and filing attachments (PDF, JPEG, PNG by content):
  `pdfs` refuses PDFs that act or carry files, `images` checks and re-encodes JPEG and PNG;
  `check_pdf_document` for a document that may only be a PDF (a filing's body).
- `names`: random storage names and Content-Disposition headers for downloads.

Every refusal is an `UploadRejected` whose message is in the active language (Chinese by
default), fit to show the user (the English reason is kept apart, in `reason`).
"""

from zizhu.lib.uploads.attachments import (
    ALLOWED_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_PIXELS,
    AttachmentInfo,
    check_attachment,
    check_pdf_document,
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
    "check_pdf_document",
    "check_xlsx",
    "content_disposition_attachment",
    "decode_csv_bytes",
    "is_quarantined",
    "random_storage_name",
]
