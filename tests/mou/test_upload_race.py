"""Two uploads for one award at the same moment (PostgreSQL row locks): the award row lock makes
them take turns, so versions never collide and the same file is never stored twice."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from mou import services
from mou.models import MouVersion
from tests.applications.acceptance_helpers import private_letters  # noqa: F401
from tests.award_states import accepted_award
from tests.conftest import require
from tests.mou.pdfs import valid_pdf
from tests.mou.review_helpers import private_mou  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_letters", "private_mou"),
]


def race(award, user, files: list[bytes]) -> list[object]:
    """Uploads each file from its own thread, all released at once; each result is the new
    version or the MouError raised."""
    barrier = threading.Barrier(len(files))
    results: list[object] = [None] * len(files)

    def run(index: int, content: bytes) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = services.upload_mou(
                award=award, by=user, file=SimpleUploadedFile("mou.pdf", content),
                school_district="Springfield USD 12", schools="Lincoln High School",
                agency_signatory="Chief Dana Whitfield", agency_signed_on=date(2026, 11, 2),
                school_signatory="Superintendent Ray Ortiz", school_signed_on=date(2026, 11, 3),
            )  # fmt: skip
        except services.MouError as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_simultaneous_uploads_take_turns(agency, member):
    require(connection.vendor == "postgresql", "PostgreSQL")
    award = accepted_award(agency)
    results = race(award, member, [valid_pdf(text="A"), valid_pdf(text="B")])
    assert all(isinstance(result, MouVersion) for result in results), results
    statuses = dict(MouVersion.objects.filter(award=award).values_list("version", "status"))
    assert statuses == {1: "replaced", 2: "submitted"}


def test_the_same_file_uploaded_twice_at_once_is_stored_once(agency, member):
    require(connection.vendor == "postgresql", "PostgreSQL")
    award = accepted_award(agency)
    pdf = valid_pdf()
    results = race(award, member, [pdf, pdf])
    errors = [r for r in results if isinstance(r, services.MouError)]
    assert len(errors) == 1 and "identical to version 1" in str(errors[0])
    assert MouVersion.objects.filter(award=award).count() == 1
