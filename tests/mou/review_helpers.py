"""MOU versions in a chosen state for the review, reminder and admin tests, written directly
(uploading is tests/mou/test_uploads' business)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from mou.models import Element, MouVersion

SMALL_PDF = b"%PDF-1.7\n% a stand-in for a signed MOU\n%%EOF\n"


@pytest.fixture
def private_mou(tmp_path, monkeypatch):
    """MOU files go to this test's own private storage, not var/media."""
    storage = FileSystemStorage(location=tmp_path / "mou-private", base_url=None)
    monkeypatch.setattr(MouVersion._meta.get_field("file"), "storage", storage)
    return storage


def submitted_mou(award, *, version: int = 1, by=None, status=MouVersion.Status.SUBMITTED):
    mou = MouVersion(
        award=award, version=version, status=status, school_district="Springfield USD 12",
        schools="Lincoln High School\nWashington Middle School",
        agency_signatory="Chief Dana Whitfield", agency_signed_on=date(2026, 11, 2),
        school_signatory="Superintendent Ray Ortiz", school_signed_on=date(2026, 11, 3),
        original_name="mou-signed.pdf", size=len(SMALL_PDF), sha256="0" * 64, pages=1,
        uploaded_by=by,
    )  # fmt: skip
    mou.file.save("mou.pdf", ContentFile(SMALL_PDF), save=False)
    mou.save()
    return mou


def all_present(comment: str = "") -> dict[str, tuple[bool, str]]:
    return {element.value: (True, comment) for element in Element}


def with_missing(*missing: str, comment: str = "Not in the document.") -> dict:
    checks = all_present()
    for element in missing:
        checks[element] = (False, comment)
    return checks
