"""Private files on S3-compatible storage, end to end: moto's S3 server runs on a local port (a
real HTTP server; boto3 talks to it as it would to AWS or MinIO), STORAGES points the private
storage at it, and the real flows write there: the letter task renders an award letter, a member
uploads an MOU through the page, the certificate task renders a certificate. Each file downloads
through its permission-checked view with the bytes and sha256 of the stored object, and nothing
is written under MEDIA_ROOT: a web host keeps no state on its disk."""

from __future__ import annotations

import hashlib
import io
import socket
import zipfile
from datetime import date, timedelta
from uuid import uuid4

import boto3
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from applications import services as award_services
from applications.models import AwardLetter
from applications.tasks import render_award_letter
from mou.models import MouVersion
from tests.applications.award_helpers import released_plan
from tests.award_states import accepted_award
from tests.factories import MembershipFactory
from tests.mou.pdfs import valid_pdf
from tests.training.helpers import add_officers, enrollment, make_session
from training import services as training_services
from training.models import Certificate, Enrollment
from training.tasks import render_certificate

pytestmark = pytest.mark.django_db

REGION = "us-east-1"
KEYS = {"access_key": "testing-access-key", "secret_key": "testing-secret-key"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server in server mode, on a free local port, for this module."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """STORAGES["private"] is an S3 bucket of this test's own, made by the management command;
    MEDIA_ROOT is a folder that must never appear."""
    name = f"copsgrants-{uuid4().hex[:12]}"
    private = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": name, "region_name": REGION, "endpoint_url": s3_endpoint,
            "addressing_style": "path", "default_acl": "private", "querystring_auth": True,
            "file_overwrite": False, **KEYS,
        },
    }  # fmt: skip
    settings.STORAGES = {**settings.STORAGES, "default": private, "private": private}
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("ensure_storage_bucket", stdout=io.StringIO())
    return name


@pytest.fixture
def s3_client(s3_endpoint):
    """A client of its own, to read what the app stored without going through the app."""
    return boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name=REGION,
        aws_access_key_id=KEYS["access_key"], aws_secret_access_key=KEYS["secret_key"],
    )  # fmt: skip


def stored(s3_client, bucket: str, key: str) -> bytes:
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def keys(s3_client, bucket: str) -> list[str]:
    listing = s3_client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_private(s3_client, bucket: str, key: str) -> None:
    grants = s3_client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    grantees = {grant["Grantee"].get("URI") for grant in grants}
    assert not {uri for uri in grantees if uri and ("AllUsers" in uri or "Authenticated" in uri)}


def test_the_command_creates_the_bucket_once_and_the_private_storage_is_s3(
    bucket, s3_client, settings
):
    assert isinstance(storages["private"], S3Storage)
    assert bucket in {item["Name"] for item in s3_client.list_buckets()["Buckets"]}
    output = io.StringIO()
    call_command("ensure_storage_bucket", stdout=output)  # again: nothing to do
    assert f"Bucket {bucket!r} exists." in output.getvalue()
    assert not settings.MEDIA_ROOT.exists()


def test_a_rendered_letter_is_stored_in_the_bucket_and_downloads_with_the_award_file(
    bucket, s3_client, signed_in, settings
):
    plan, manager, _ = released_plan([("IL", 2)])
    (award,) = award_services.make_awards(plan=plan, by=manager)
    letter = award.letters.get(version=1)
    render_award_letter(letter.pk)  # the task the worker runs
    letter.refresh_from_db()
    assert letter.status == AwardLetter.Status.READY
    assert letter.file.name.startswith("letters/")
    assert keys(s3_client, bucket) == [letter.file.name]
    in_bucket = stored(s3_client, bucket, letter.file.name)
    assert in_bucket.startswith(b"%PDF-") and sha256(in_bucket) == letter.sha256
    assert_private(s3_client, bucket, letter.file.name)

    representative = award.agency.memberships.get(is_authorized_representative=True).user
    client = signed_in(representative)
    response = client.get(reverse("applications:award_letter_download", args=[award.pk, 1]))
    assert response.status_code == 200
    downloaded = b"".join(response.streaming_content)
    assert sha256(downloaded) == letter.sha256 == sha256(in_bucket)

    response = client.get(reverse("applications:award_file", args=[award.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    (pdf_name,) = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert sha256(archive.read(pdf_name)) == letter.sha256

    outsider = MembershipFactory(administrator=True, authorized_representative=True).user
    other = signed_in(outsider)
    assert other.get(reverse("applications:award_file", args=[award.pk])).status_code == 404
    assert not settings.MEDIA_ROOT.exists()


def test_an_uploaded_mou_is_stored_in_the_bucket_and_downloads_intact(
    bucket, s3_client, signed_in, member, settings
):
    award = accepted_award(member.memberships.get().agency, letter=False)
    pdf = valid_pdf(pages=2)
    client = signed_in(member)
    response = client.post(
        reverse("mou:award_mou", args=[award.pk]),
        {
            "school_district": "Springfield USD 12", "schools": "Lincoln High School",
            "agency_signatory": "Chief Dana Whitfield", "agency_signed_on": "2026-11-02",
            "school_signatory": "Superintendent Ray Ortiz", "school_signed_on": "2026-11-03",
            "note": "",
            "file": SimpleUploadedFile("Signed MOU.pdf", pdf, content_type="application/pdf"),
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    mou = MouVersion.objects.get(award=award)
    assert mou.file.name.startswith(f"mou/{award.pk}/")
    assert keys(s3_client, bucket) == [mou.file.name]
    in_bucket = stored(s3_client, bucket, mou.file.name)
    assert in_bucket == pdf and mou.sha256 == sha256(pdf)
    assert_private(s3_client, bucket, mou.file.name)

    response = client.get(reverse("mou:mou_download", args=[award.pk, 1]))
    assert response.status_code == 200
    assert sha256(b"".join(response.streaming_content)) == mou.sha256
    assert not settings.MEDIA_ROOT.exists()


def test_a_rendered_certificate_is_stored_in_the_bucket_and_downloads_intact(
    bucket, s3_client, signed_in, sro_agency, training_coordinator, settings
):
    session = make_session(
        starts_on=date(2026, 3, 2), days=5,
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=300),
    )  # fmt: skip
    (officer,) = add_officers(sro_agency, 1, prefix="Jordan")
    row = enrollment(session, officer, Enrollment.Status.ENROLLED)
    training_services.record_attendance(
        enrollments=[row], outcome="completed", by=training_coordinator
    )
    certificate = Certificate.objects.get(enrollment=row)
    render_certificate(certificate.pk)  # the task the worker runs
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert keys(s3_client, bucket) == [certificate.file.name]
    in_bucket = stored(s3_client, bucket, certificate.file.name)
    assert in_bucket.startswith(b"%PDF-") and sha256(in_bucket) == certificate.sha256
    assert_private(s3_client, bucket, certificate.file.name)

    member = MembershipFactory(agency=sro_agency).user
    response = signed_in(member).get(
        reverse("training_certificates:certificate_download", args=[certificate.pk])
    )
    assert response.status_code == 200
    assert sha256(b"".join(response.streaming_content)) == certificate.sha256
    assert not settings.MEDIA_ROOT.exists()
