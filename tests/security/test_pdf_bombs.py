"""PDF bombs and zip/PDF polyglots are refused by `inspect_pdf` within 5 seconds, and the web
process stays small: pypdf runs in a child process with a time and memory limit
(mou/pdf_check.py)."""

from __future__ import annotations

import io
import resource
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mou import pdf_check, validation
from mou.validation import inspect_pdf
from tests.mou import pdfs
from tests.security import bombs

LIMIT_SECONDS = 5


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_rejection(data: bytes) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        inspect_pdf(SimpleUploadedFile("MOU.pdf", data, content_type="application/pdf"))
    return caught.value.code, time.monotonic() - started


@pytest.mark.parametrize(
    ("build", "codes"),
    [
        (lambda: pdfs.deeply_nested_pdf(5000), {"damaged", "too_complex"}),
        (lambda: bombs.nested_dicts_pdf(5000), {"damaged", "too_complex"}),
        (bombs.reference_chain_pdf, {"too_complex"}),
        (bombs.flate_bomb_pdf, {"too_complex"}),
        (bombs.flate_bomb_content_pdf, {"too_complex"}),
    ],
    ids=[
        "arrays-5000-deep",
        "dicts-5000-deep",
        "reference-chain-100k",
        "objstm-inflates-1.1GB",
        "content-inflates-1.1GB",
    ],
)
def test_a_pdf_bomb_is_refused_within_five_seconds_and_memory_stays_flat(build, codes):
    data = build()
    before = peak_rss_mb()
    code, seconds = timed_rejection(data)
    assert code in codes
    assert seconds < LIMIT_SECONDS, f"took {seconds:.1f} s"
    # The parse happened in the child: this process's peak grew by little more than the file.
    assert peak_rss_mb() - before < 50 + len(data) / (1024 * 1024)


def test_the_flate_bomb_really_inflates_past_a_gigabyte():
    packed = bombs.inflating_zeros(1100 * bombs.MIB)
    inflater = __import__("zlib").decompressobj()
    total = 0
    for start in range(0, len(packed), 1 << 16):
        total += len(inflater.decompress(packed[start : start + (1 << 16)]))
    total += len(inflater.flush())
    assert inflater.eof
    assert total == 1100 * bombs.MIB > 10**9
    assert len(packed) < 2 * bombs.MIB


def test_mixed_nesting_that_pypdf_recovers_from_answers_within_the_limit():
    """Arrays and dictionaries alternating 20,000 deep: pypdf gives up on that object and reads
    the rest of the file, so the (otherwise clean) one-page PDF may be accepted; what matters
    is that the answer comes in time and is never a server error."""
    started = time.monotonic()
    try:
        inspect_pdf(SimpleUploadedFile("MOU.pdf", bombs.mixed_nesting_pdf(20000)))
    except ValidationError as error:
        assert error.code in {"damaged", "too_complex"}
    assert time.monotonic() - started < LIMIT_SECONDS


@pytest.mark.parametrize("build", [bombs.pdf_then_zip, bombs.zip_then_pdf])
def test_a_zip_pdf_polyglot_is_refused_either_way_round(build):
    data = build()
    assert data.startswith(b"%PDF-")
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()  # a zip reader opens it too
    code, seconds = timed_rejection(data)
    assert code == "polyglot"
    assert seconds < LIMIT_SECONDS


def test_a_child_that_runs_out_of_time_is_too_complex_not_an_error(settings):
    settings.PDF_CHECK_SECONDS = 1
    # Under the object-count cap, so only the clock stops it (indexing and walking 45,000
    # objects takes pypdf several seconds).
    code, seconds = timed_rejection(bombs.reference_chain_pdf(45_000))
    assert code == "too_complex"
    assert seconds < 1 + 2.5  # the wall limit, plus the in-process scan of a 3 MB file


def test_more_objects_than_the_cap_are_refused_before_pypdf_indexes_them():
    started = time.monotonic()
    result = pdf_check.check(bombs.reference_chain_pdf(pdf_check.MAX_INDIRECT_OBJECTS + 10))
    assert result == {"error": "too_complex"}
    assert time.monotonic() - started < 1


def test_a_child_that_runs_out_of_memory_is_too_complex(settings):
    settings.PDF_CHECK_MEMORY_MB = 128
    code, _ = timed_rejection(bombs.flate_bomb_pdf())
    assert code == "too_complex"


def test_a_clean_pdf_still_passes_through_the_child():
    facts = inspect_pdf(SimpleUploadedFile("MOU.pdf", pdfs.valid_pdf(pages=3)))
    assert facts.pages == 3
    assert validation.MAX_DEPTH == 64
