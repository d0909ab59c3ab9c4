"""Where an import writes its scratch files."""

from pathlib import Path

from django.conf import settings


def scratch_folder() -> Path:
    """A folder beside the uploaded files (on the data disk, not a /tmp that may be memory)
    for an import's temporary files; created when missing."""
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
