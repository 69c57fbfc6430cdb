"""Streaming upload of OCDS files: straight to disk in chunks, never held in memory, checked as they arrive.

The handler refuses a file whose name or first bytes cannot be OCDS (JSON, JSON Lines or gzip), stops a file
that grows past ``CIVICBUY_UPLOAD_MAX_BYTES`` without storing the rest, and notices a body cut off before its
declared length. Whatever it refuses, it deletes. Django's default handlers would buffer small files in memory
and copy big ones through ``/tmp``; this one writes once, into the dashboard's upload folder.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from civicbuy.dashboard import storage

FILE_FIELD = "file"
EXTENSIONS = (".json", ".jsonl", ".ndjson", ".jsonlines", ".gz")
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
JSON_STARTS = (b"{", b"[")
#: Room for the form's other fields and the multipart boundaries when checking for a cut-off body.
ENVELOPE_BYTES = 64 * 1024


def max_upload_bytes() -> int:
    """The largest upload accepted (``CIVICBUY_UPLOAD_MAX_BYTES``; 2 GiB by default)."""
    return int(settings.CIVICBUY_UPLOAD_MAX_BYTES)


def too_large_message(size: int | None = None) -> str:
    """The message shown for an oversized upload."""
    limit = filesizeformat(max_upload_bytes())
    if size is None:
        return _("The file is larger than the %(limit)s limit.") % {"limit": limit}
    return _("The file is %(size)s, larger than the %(limit)s limit.") % {"size": filesizeformat(size), "limit": limit}


class StoredUpload(UploadedFile):
    """An upload already on disk at ``path`` (nothing is kept open or in memory)."""

    def __init__(self, path: Path, name: str, size: int) -> None:
        super().__init__(file=None, name=name, content_type="application/octet-stream", size=size)
        self.path = path
        self.key = uuid.UUID(path.name.split(".")[0])


class DatasetUploadHandler(FileUploadHandler):
    """Write the ``file`` field to ``uploads/<key>.part``; refuse what cannot be OCDS; record why in ``error``."""

    chunk_size = 1024 * 1024

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.key = uuid.uuid4()
        self.part_path = storage.uploads_dir() / f"{self.key}.part"
        self.final_path = storage.uploads_dir() / f"{self.key}.upload"
        self.handle: Any = None
        self.error = ""
        self.received = 0
        self.body_length: int | None = None
        self.sniffed = False
        self.stored: StoredUpload | None = None

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's argument name
        content_length: int,
        boundary: Any,
        encoding: Any = None,
    ) -> None:
        """Remember the declared length of the whole body (to notice a cut-off upload)."""
        del input_data, META, boundary, encoding
        self.body_length = content_length

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        """Start writing the OCDS file; skip other file fields and names that cannot be OCDS."""
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != FILE_FIELD or self.handle is not None:
            raise SkipFile
        if not file_name.lower().endswith(EXTENSIONS):
            self.error = _(
                "“%(name)s” is not an OCDS file: upload JSON (.json), JSON Lines (.jsonl) or either of them "
                "compressed with gzip (.gz)."
            ) % {"name": file_name}
            raise SkipFile
        self.handle = self.part_path.open("wb")

    def _sniff(self, chunk: bytes) -> None:
        head = chunk.removeprefix(UTF8_BOM).lstrip()
        if not head:
            return  # only whitespace so far
        self.sniffed = True
        if not (chunk.startswith(GZIP_MAGIC) or head.startswith(JSON_STARTS)):
            self.error = _(
                "“%(name)s” does not contain JSON: an OCDS file starts with “{” or “[” (or is gzip-compressed)."
            ) % {"name": self.file_name}
            self._discard()
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        """Append a chunk to the file on disk, checking the start and the size."""
        del start
        if self.handle is None:
            return None
        if not self.sniffed:
            self._sniff(raw_data)
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self.error = too_large_message()
            self._discard()
            raise SkipFile
        self.handle.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        """Close the file and give the form a reference to it on disk."""
        if self.handle is None:
            return None
        self.handle.close()
        self.handle = None
        if not self.sniffed:
            self.error = _("“%(name)s” is empty.") % {"name": self.file_name}
            self._discard()
            return None
        self.part_path.replace(self.final_path)
        self.stored = StoredUpload(self.final_path, str(self.file_name), file_size)
        return self.stored

    def upload_interrupted(self) -> None:
        """The body ended before the file did: delete what was written."""
        self.error = self.error or _("The upload was cut off before the end. Please try again.")
        self.discard()

    def upload_complete(self) -> None:
        """Check that the whole declared body arrived (a cut-off connection can look like a short file)."""
        if self.stored is not None and self.body_length and self.body_length - self.received > ENVELOPE_BYTES:
            self.error = _(
                "The upload was cut off before the end (%(received)s of %(expected)s arrived). Please try again."
            ) % {"received": filesizeformat(self.received), "expected": filesizeformat(self.body_length)}
            self.discard()

    def _discard(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        with contextlib.suppress(FileNotFoundError):
            self.part_path.unlink()

    def discard(self) -> None:
        """Delete every file this handler wrote (used by the view when the request fails)."""
        self._discard()
        with contextlib.suppress(FileNotFoundError):
            self.final_path.unlink()
        self.stored = None
