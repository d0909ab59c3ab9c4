"""Uploaded files (media) on the local disk: a write that fails for lack of space leaves no
partial file behind (Django's FileSystemStorage would keep the bytes written so far)."""

import contextlib
import errno
import os

from django.core.files.storage import FileSystemStorage


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and (
        exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc)
    )


class MediaStorage(FileSystemStorage):
    def _save(self, name, content):
        path = self.path(name)
        existed = os.path.exists(path)
        try:
            return super()._save(name, content)
        except OSError as exc:
            if is_disk_full(exc) and not existed:
                with contextlib.suppress(OSError):
                    os.remove(path)
            raise
