"""Errors raised while reading content packs: each names the file and the field that is wrong."""

from __future__ import annotations


class ContentPackError(Exception):
    """One problem in one pack file, shown to the user as ``file: field: message``."""

    def __init__(self, file: str, message: str, field: str = "") -> None:
        self.file = file
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ContentPackErrors(Exception):  # noqa: N818 - it carries a list of ContentPackError
    """Every problem found in a pack; nothing was loaded."""

    def __init__(self, errors: list[ContentPackError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))
