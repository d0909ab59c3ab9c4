"""Names for stored uploads and for downloads."""

import re
import secrets
import unicodedata
from urllib.parse import quote

_EXTENSION = re.compile(r"[a-z0-9]{1,8}")
# Stored files the upload checks of today refuse are moved under this folder of the storage
# (`manage.py recheck_uploads --fix`); their records keep pointing at them, nothing serves them.
QUARANTINE_FOLDER = "quarantine"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ -]+|^[. ]+")


def random_storage_name(extension: str) -> str:
    """A name no user chose, e.g. "3f9a…c2.pdf": 128 random bits and the content's extension."""
    extension = extension.lower().lstrip(".")
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"bad extension {extension!r}")
    return f"{secrets.token_hex(16)}.{extension}"


def is_quarantined(storage_name: str) -> bool:
    return storage_name.startswith(f"{QUARANTINE_FOLDER}/")


def content_disposition_attachment(filename: str, fallback: str = "download") -> str:
    """A Content-Disposition value (RFC 6266) that downloads `filename`, Chinese included.

    Browsers use filename*=UTF-8''…; the plain filename="…" is an ASCII stand-in for old
    clients. Directories, control characters and quotes never reach the header.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if not stem.strip(". "):
        stem = fallback
    name = f"{stem}.{extension}" if extension else stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = _UNSAFE_ASCII.sub("_", ascii_stem).strip("_ ") or fallback
    ascii_extension = _UNSAFE_ASCII.sub("", extension)
    ascii_name = f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
