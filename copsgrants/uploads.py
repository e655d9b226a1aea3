"""The upload size limit, enforced while the request body streams in.

`SizeLimitUploadHandler` runs first in FILE_UPLOAD_HANDLERS: it counts each file's bytes as the
multipart parser hands them over and, as soon as a file passes settings.UPLOAD_MAX_BYTES,
raises SkipFile. Django then closes the partial file the later handlers had started, reads the
rest of that part and throws it away (memory stays flat whatever the size), and the file is
simply missing from request.FILES. The handler notes the field on the request, so the form can
say "The file is larger than 20 MB." next to that field instead of "This field is required."
(`oversized_error`).

A request whose declared Content-Length is far beyond any acceptable upload is refused before
its body is read at all, by `UploadTooLargeMiddleware` (copsgrants/middleware.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


def upload_max_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def size_label(size: int | None = None) -> str:
    """The limit as people say it: "20 MB" (or "512 KB" for a small test limit)."""
    size = upload_max_bytes() if size is None else size
    if size >= 1024 * 1024:
        megabytes = size / (1024 * 1024)
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def too_large_message() -> str:
    return f"The file is larger than {size_label()}. Upload a PDF of {size_label()} or less."


def oversized_fields(request: HttpRequest) -> set[str]:
    """The file fields of this request that were dropped for being over the limit."""
    return set(getattr(request, "oversized_uploads", ()))


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips (and reports) any uploaded file larger than settings.UPLOAD_MAX_BYTES."""

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        # A part that declares its own length (rare: browsers do not) is refused up front.
        if content_length is not None and content_length > upload_max_bytes():
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > upload_max_bytes():
            self._refuse()
        return raw_data  # the next handler (memory or temporary file) keeps the bytes

    def file_complete(self, file_size: int) -> None:
        return None  # not ours to build the file

    def _refuse(self) -> None:
        if self.request is not None:
            if not hasattr(self.request, "oversized_uploads"):
                self.request.oversized_uploads = set()
            self.request.oversized_uploads.add(self.field_name)
        raise SkipFile(f"{self.field_name} is larger than {upload_max_bytes()} bytes")


def request_too_large(request: HttpRequest) -> bool:
    """True for a multipart request declaring a body far beyond one acceptable upload: twice the
    file limit plus 1 MB for the form's other fields."""
    if not request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/"):
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > 2 * upload_max_bytes() + 1024 * 1024
