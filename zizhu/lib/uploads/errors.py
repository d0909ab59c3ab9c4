"""The one exception every upload check raises, with a message fit to show the user."""

MB = 1024 * 1024


class UploadRejected(ValueError):
    """An uploaded file was refused: `message` is in the active language (Chinese by default),
    fit to show the user; `reason` is the same in English words for the logs and the operators,
    never shown (empty when the message is all there is)."""

    def __init__(self, message: str, reason: str = ""):
        self.message = message
        self.reason = reason
        super().__init__(message)


def rejected(message: str, english: str) -> UploadRejected:
    return UploadRejected(message, english)
