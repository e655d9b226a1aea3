"""Hostile PDFs and polyglots for the upload-extremes tests, each built in memory in well under a
second: nesting bombs, a 100,000-long reference chain, a Flate stream that inflates past 1 GB,
and zip/PDF polyglots both ways round."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.mou.pdfs import _assemble, valid_pdf

MIB = 1 << 20
PAGE_TREE = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
]


def nested_dicts_pdf(depth: int = 5000) -> bytes:
    """A catalog holding a dictionary nested `depth` levels deep (<< /A << /A ... >> >>)."""
    nested = b"<< /A " * depth + b"1" + b" >>" * depth
    return _assemble([b"<< /Type /Catalog /Pages 2 0 R /Deep " + nested + b" >>", *PAGE_TREE])


def mixed_nesting_pdf(depth: int = 20000) -> bytes:
    """Arrays and dictionaries alternating `depth` levels deep: [<< /A [<< /A ... >>] >>]."""
    nested = b"[<< /A " * depth + b"1" + b" >>]" * depth
    return _assemble([b"<< /Type /Catalog /Pages 2 0 R /Deep " + nested + b" >>", *PAGE_TREE])


def reference_chain_pdf(length: int = 100_000) -> bytes:
    """A clean one-page PDF whose catalog starts a chain of `length` objects, each pointing at
    the next (/Next n 0 R), the last at the first: a walk that follows references naively
    recurses 100,000 deep or loops."""
    first = 4
    chain = [b"<< /Next %d 0 R >>" % (first + (i + 1) % length) for i in range(length)]
    return _assemble(
        [b"<< /Type /Catalog /Pages 2 0 R /Chain %d 0 R >>" % first, *PAGE_TREE, *chain]
    )


def inflating_zeros(size: int) -> bytes:
    """A valid zlib stream (FlateDecode) that inflates to `size` zero bytes (a whole number of
    MiB), about 1,000 times smaller. Built from one full-flushed 1 MiB block repeated: after a
    full flush deflate starts afresh, so the block can be copied; Adler-32 of n zero bytes is
    (n mod 65521) << 16 | 1."""
    blocks = size // MIB
    compressor = zlib.compressobj(9)
    zero = bytes(MIB)
    first = compressor.compress(zero) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(zero) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)[:-4]  # the final empty block, without the checksum
    adler = ((blocks * MIB) % 65521) << 16 | 1
    return first + repeat * (blocks - 1) + end + struct.pack(">I", adler)


def _xref_stream_pdf(bodies: dict[int, bytes], packed_in: dict[int, tuple[int, int]]) -> bytes:
    """Objects `bodies` plus a cross-reference stream listing them and the objects `packed_in`
    an object stream (number -> (stream number, index))."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_number = max([*bodies, *packed_in]) + 1
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, xref_number):
        if number in bodies:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
        else:
            stream, index = packed_in[number]
            rows.append(struct.pack(">BIH", 2, stream, index))
    rows.append(struct.pack(">BIH", 1, xref_offset, 0))
    data = b"".join(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(data))
        + data
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def flate_bomb_pdf(inflated: int = 1100 * MIB) -> bytes:
    """A one-page PDF whose catalog's /Info-like entry is object 6, kept in an object stream
    (/Type /ObjStm /FlateDecode) that inflates to `inflated` bytes (> 1 GB by default) from
    about 1 MB: reading object 6 means inflating the stream."""
    packed = inflating_zeros(inflated)
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Extra 6 0 R >>",
        2: PAGE_TREE[0],
        3: PAGE_TREE[1],
        5: b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(packed)
        + packed
        + b"\nendstream",
    }
    return _xref_stream_pdf(bodies, {4: (5, 1), 6: (5, 0)})


def flate_bomb_content_pdf(inflated: int = 1100 * MIB) -> bytes:
    """A one-page PDF whose page content stream inflates to > 1 GB (what a viewer would draw)."""
    packed = inflating_zeros(inflated)
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            PAGE_TREE[0],
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream",
        ]
    )


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pdf_then_zip() -> bytes:
    """A valid PDF with a zip archive (holding an .exe-named file) appended after %%EOF: both a
    PDF reader and a zip reader open it."""
    return valid_pdf(pages=1) + _zip({"payload.exe": b"MZ" + bytes(200)})


def zip_then_pdf() -> bytes:
    """A zip archive with a whole PDF prepended, the zip's offsets shifted so that zip readers
    open it without complaint (what `zip -A` does): starts %PDF-, ends with the zip's
    end-of-central-directory record."""
    pdf = valid_pdf(pages=1)
    archive = _zip({"payload.html": b"<script>alert(1)</script>"})
    # Rewrite the central directory's offsets (the local headers moved by len(pdf) bytes).
    eocd = archive.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", archive[eocd + 12 : eocd + 20])
    central = bytearray(archive[cd_offset : cd_offset + cd_size])
    pos = 0
    while pos < len(central):
        name_len, extra_len, comment_len = struct.unpack("<HHH", central[pos + 28 : pos + 34])
        (local,) = struct.unpack("<I", central[pos + 42 : pos + 46])
        central[pos + 42 : pos + 46] = struct.pack("<I", local + len(pdf))
        pos += 46 + name_len + extra_len + comment_len
    tail = bytearray(archive[eocd:])
    tail[16:20] = struct.pack("<I", cd_offset + len(pdf))
    return pdf + archive[:cd_offset] + bytes(central) + bytes(tail)
