"""The one exception every upload check raises, with a message fit to show the user."""

MB = 1024 * 1024


class UploadRejected(ValueError):
    """An uploaded file was refused; `message` is Chinese with the English reason in brackets."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def rejected(chinese: str, english: str) -> UploadRejected:
    return UploadRejected(f"{chinese} ({english})")
