"""PDF builders for the MOU tests: each function returns the bytes of one small file.

`valid_pdf()` is written by hand (a real, parseable PDF with extractable text); the hostile
variants start from it and are produced with pypdf or by editing bytes, so every rejection rule
of `mou.validation.inspect_pdf` has a file that trips exactly that rule."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _assemble(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """Serialise numbered objects (1-based, in order) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(objects) + 1, root, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def valid_pdf(pages: int = 2, text: str = "Memorandum of Understanding") -> bytes:
    """A clean PDF of `pages` Letter pages, each showing `text` and its page number."""
    # 1 catalog, 2 pages, 3 font, then (page, content) pairs.
    kids = [4 + 2 * i for i in range(pages)]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % k for k in kids), pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        line = _escape(f"{text} - page {i + 1}").encode("latin-1", "replace")
        stream = b"BT /F1 14 Tf 72 700 Td (" + line + b") Tj ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _assemble(objects)


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty (/Count 0)."""
    return _assemble(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    )


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _writer(pages: int = 1) -> PdfWriter:
    return PdfWriter(clone_from=PdfReader(io.BytesIO(valid_pdf(pages=pages))))


def encrypted_pdf(user_password: str = "secret", owner_password: str | None = None) -> bytes:
    """A PDF encrypted with pypdf (a user password; RC4-128, which needs no extra package)."""
    writer = _writer()
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    return _written(writer)


def javascript_pdf(script: str = "app.alert('hi');") -> bytes:
    """A PDF with JavaScript run on open (pypdf `add_open_action(JavaScript(...))`, the
    replacement of the removed `add_js`)."""
    writer = _writer()
    writer.add_open_action(JavaScript(script))
    return _written(writer)


def open_action_javascript_pdf() -> bytes:
    """Only an /OpenAction << /S /JavaScript /JS (...) >> on the catalog, no names tree."""
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    return _written(writer)


def launch_pdf() -> bytes:
    """A PDF whose /OpenAction launches an external program (/S /Launch)."""
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    return _written(writer)


def hex_escaped_javascript_pdf() -> bytes:
    """JavaScript hidden behind `#xx` name escapes: /S /J#61vaScript with /J#53 (...)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
    ]
    return _assemble(objects)


def html_renamed_pdf() -> bytes:
    """An HTML page (what a user gets saving a web page and renaming it .pdf)."""
    return b"<!DOCTYPE html><html><head><title>MOU</title></head><body>MOU</body></html>\n"


def truncated_pdf() -> bytes:
    """The first half of a valid PDF: starts with %PDF- but has no %%EOF and no xref."""
    body = valid_pdf(pages=3)
    return body[: len(body) // 2]


def garbage_pdf() -> bytes:
    """%PDF- header and a %%EOF trailer around bytes pypdf cannot make a document of."""
    return b"%PDF-1.7\n" + b"this is not a pdf body\n" * 20 + b"%%EOF\n"


def zip_appended_pdf() -> bytes:
    """A valid PDF with a zip archive appended after %%EOF (a polyglot file)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "hidden")
    return valid_pdf(pages=1) + buffer.getvalue()


def big_pdf(size: int) -> bytes:
    """A valid PDF padded with comment lines before %%EOF to at least `size` bytes."""
    body = valid_pdf(pages=1)
    head, tail = body.split(b"startxref", 1)
    padding_needed = max(0, size - len(body))
    line = b"%" + b"x" * 78 + b"\n"
    padding = line * (padding_needed // len(line) + 1)
    # Padding after the xref table keeps the xref offsets right; startxref still points at it.
    return head + padding + b"startxref" + tail


def object_stream_javascript_pdf() -> bytes:
    """JavaScript the raw bytes do not show: the /S /JavaScript action is object 6, compressed
    inside an object stream (/Type /ObjStm, Flate) and listed by a cross-reference stream. Only
    parsing the document finds it."""
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"6 0 "
    packed = zlib.compress(header + action)
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        4: b"<< /Length 0 >>\nstream\n\nendstream",
        5: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in range(1, 6)]
    rows.append(struct.pack(">BIH", 2, 5, 0))  # object 6: in object stream 5, index 0
    rows.append(struct.pack(">BIH", 1, xref_offset, 0))  # object 7: this xref stream
    data = b"".join(rows)
    out += (
        b"7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(data)
        + data
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def deeply_nested_pdf(depth: int = 5000) -> bytes:
    """A catalog holding an array nested `depth` levels deep (a parser-recursion bomb)."""
    nested = b"[" * depth + b"]" * depth
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + nested + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def binary_stream_pdf() -> bytes:
    """A clean PDF whose page carries an (unused) binary stream whose bytes happen to spell
    "/JS", "/Launch" and "/JavaScript" - as a megabyte of scanned-image data can by chance.
    Stream data is not PDF syntax, so this file must be accepted."""
    data = b"\x00\xff/JS (\x10\x80/Launch \x01/JavaScript\n\x9c" * 50
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    return _assemble(objects)
