"""Checks an uploaded MOU file before anything is stored: `inspect_pdf` returns the facts we keep
(hash, size, page count) or raises ValidationError with a message the agency can act on.

The rules, in order: the name ends in .pdf; the bytes start with %PDF- (not an HTML page renamed);
%%EOF is in the last 2 KB and pypdf can read the file (not truncated or damaged); no zip archive is
appended (a polyglot); not encrypted; no JavaScript or launch actions anywhere (pypdf walks every
object, and a raw scan of the bytes catches names written with #xx escapes); at least one page.
Anything pypdf throws counts as damaged, never as a server error. pypdf runs in a child process
with a time and memory limit (mou/pdf_check.py): a PDF bomb is "too complex", within seconds."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from .pdf_check import MAX_DEPTH, MAX_OBJECTS

__all__ = ["MAX_DEPTH", "MAX_OBJECTS", "PdfFacts", "inspect_pdf", "sanitize_filename"]
CHECKER = Path(__file__).with_name("pdf_check.py")

NOT_PDF_NAME = "The file must be a PDF: its name must end in .pdf."
EMPTY = "The file is empty."
NOT_PDF = "This file is not a PDF. Save or export the signed MOU as a PDF and upload that file."
DAMAGED = (
    "This PDF is damaged or incomplete. Save or scan it again as a PDF and upload the new file."
)
POLYGLOT = (
    "This PDF contains another file format (a zip archive) after the document. "
    "Save the MOU again as a plain PDF and upload that file."
)
ENCRYPTED = (
    "This PDF is protected by a password, and password-protected PDFs cannot be reviewed; "
    "save it without a password and upload it again."
)
ACTIVE_CONTENT = (
    "This PDF contains JavaScript or an action that launches a program, which we do not accept. "
    "Print it to a new PDF (or scan the signed paper copy) and upload that file."
)
NO_PAGES = "This PDF has no pages."
TOO_COMPLEX = (
    "This PDF is too complex to check. Print it to a new PDF (or scan the signed paper copy) "
    "and upload that file."
)

# Names that mean "run code" or "start a program", after #xx unescaping.
ACTIVE_NAMES = frozenset({b"JS", b"JavaScript", b"Launch"})
# A PDF name token: "/" then regular characters (PDF 32000-1 7.2.2 delimiters and whitespace).
NAME_TOKEN = re.compile(rb"/([^\x00\t\n\x0c\r /\[\]<>(){}%]+)")
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Longest escaped active name (/JavaScript with every letter #xx-escaped) plus slack.
SCAN_OVERLAP = 64
# The `stream` keyword that starts stream data (not the end of "endstream").
STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
EOF_WINDOW = 2048
# A zip reader finds its end-of-central-directory record within the last 22 + 65,535 bytes.
ZIP_WINDOW = 22 + 65_535
ZIP_EOCD = b"PK\x05\x06"


ERRORS = {
    "encrypted": ENCRYPTED,
    "active_content": ACTIVE_CONTENT,
    "too_complex": TOO_COMPLEX,
    "damaged": DAMAGED,
}


@dataclass(frozen=True)
class PdfFacts:
    sha256: str
    size: int
    pages: int


def _unescape(name: bytes) -> bytes:
    return HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)


def _active_names_in(window: bytes, final: bool) -> bool:
    for match in NAME_TOKEN.finditer(window):
        # A name running into the end of the window may continue in the next chunk.
        if not final and match.end() == len(window):
            continue
        if _unescape(match.group(1)) in ACTIVE_NAMES:
            return True
    return False


class _NameScan:
    """Looks for active names in the PDF's object syntax, chunk by chunk, skipping the data
    between `stream` and `endstream`: a scanned page is megabytes of image bytes in which "/JS"
    turns up by chance, and stream data is never read as objects (an object stream is
    compressed; the pypdf walk reads those)."""

    def __init__(self) -> None:
        self.active = False
        self.in_stream = False
        self._buffer = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        buffer = self._buffer + chunk
        pos = 0
        while not self.active:
            if self.in_stream:
                end = buffer.find(b"endstream", pos)
                if end < 0:  # keep enough to see an "endstream" split over two chunks
                    self._buffer = buffer[max(pos, len(buffer) - 8) :]
                    return
                pos, self.in_stream = end + len(b"endstream"), False
                continue
            match = STREAM_START.search(buffer, pos)
            if match is not None:
                self.active = _active_names_in(buffer[pos : match.start()], final=True)
                pos, self.in_stream = match.end(), True
                continue
            if final:
                self.active = _active_names_in(buffer[pos:], final=True)
                return
            # Scan what we have, then keep the tail (cut at whitespace, never inside a word
            # like "endstream") to read again with the next chunk: a name or a `stream`
            # keyword may run over the chunk boundary. Reading a name twice is harmless.
            self.active = _active_names_in(buffer[pos:], final=False)
            keep = max(pos, len(buffer) - SCAN_OVERLAP)
            floor = max(pos, keep - SCAN_OVERLAP)  # bounded: the carry never grows
            space = max(buffer.rfind(byte, floor, keep + 1) for byte in (b" ", b"\n", b"\r"))
            self._buffer = buffer[space if space >= floor else keep :]
            return


class _Scan:
    """One streaming pass: sha256, size, the head and tail, and the raw active-name scan."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.tail = b""
        self._names = _NameScan()

    @property
    def active(self) -> bool:
        return self._names.active

    def feed(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.size += len(chunk)
        if len(self.head) < 1024:
            self.head += chunk[: 1024 - len(self.head)]
        self.tail = (self.tail + chunk)[-ZIP_WINDOW:]
        self._names.feed(chunk)

    def finish(self) -> None:
        self._names.feed(b"", final=True)


def _chunks(uploaded_file) -> Iterator[bytes]:
    uploaded_file.seek(0)
    yield from uploaded_file.chunks()
    uploaded_file.seek(0)


def _read(uploaded_file) -> int:
    """The page count, from pypdf run in a child process (mou/pdf_check.py explains why) under
    settings.PDF_CHECK_SECONDS of wall time and PDF_CHECK_MEMORY_MB of address space; a file the
    child cannot finish within them is too complex, anything it cannot read is damaged."""
    seconds = int(settings.PDF_CHECK_SECONDS)
    command = [
        sys.executable,
        "-I",  # isolated: no user site, no PYTHON* variables; imports only pypdf
        str(CHECKER),
        str(int(settings.PDF_CHECK_MEMORY_MB)),
        str(seconds),
    ]
    data = b"".join(_chunks(uploaded_file))
    # bandit B603: a fixed argv of our own interpreter and script, no shell, no user input.
    with subprocess.Popen(  # nosec B603
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as child:
        try:
            output, _ = child.communicate(data, timeout=seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise ValidationError(TOO_COMPLEX, code="too_complex") from None
    try:
        answer = json.loads(output)
    except ValueError:  # killed by its memory or CPU limit before it could answer
        raise ValidationError(TOO_COMPLEX, code="too_complex") from None
    error = answer.get("error")
    if error is not None:
        raise ValidationError(ERRORS.get(error, DAMAGED), code=error)
    return int(answer["pages"])


def inspect_pdf(uploaded_file) -> PdfFacts:
    """The file's facts, or ValidationError naming the first rule it breaks."""
    name = str(getattr(uploaded_file, "name", "") or "")
    if not name.lower().endswith(".pdf"):
        raise ValidationError(NOT_PDF_NAME, code="extension")
    limit = int(settings.UPLOAD_MAX_BYTES)

    scan = _Scan()
    for chunk in _chunks(uploaded_file):
        scan.feed(chunk)
        if scan.size > limit:  # the upload handler stops these first; this guards other callers
            raise ValidationError(
                f"The file is larger than {limit // (1024 * 1024) or 1} MB.", code="too_large"
            )
    scan.finish()

    if scan.size == 0:
        raise ValidationError(EMPTY, code="empty")
    if not scan.head.startswith(b"%PDF-"):
        raise ValidationError(NOT_PDF, code="not_pdf")
    if b"%%EOF" not in scan.tail[-EOF_WINDOW:]:
        raise ValidationError(DAMAGED, code="damaged")
    if ZIP_EOCD in scan.tail:
        raise ValidationError(POLYGLOT, code="polyglot")
    if scan.active:
        raise ValidationError(ACTIVE_CONTENT, code="active_content")

    pages = _read(uploaded_file)
    if pages < 1:
        raise ValidationError(NO_PAGES, code="no_pages")
    return PdfFacts(sha256=scan.digest.hexdigest(), size=scan.size, pages=pages)


# Bidirectional overrides and isolates (Trojan-source style name spoofing: "fdp.exe" shown
# as "exe.pdf"), plus every control and format character, are removed from display names.
BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
FALLBACK_NAME = "MOU.pdf"
MAX_NAME = 200


def sanitize_filename(name: str) -> str:
    """The user's file name as safe display text: the last path component, NFC, without control
    or bidi-override characters, single spaces, at most 200 characters with the extension kept;
    "MOU.pdf" when nothing usable is left."""
    name = re.split(r"[/\\]", str(name or ""))[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch not in BIDI_CONTROLS
        and (ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    )
    name = " ".join(name.split())
    if name.strip(". ") == "":
        return FALLBACK_NAME
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME].rstrip()
    return name
