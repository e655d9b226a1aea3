"""Every rule an MOU file must pass, through `inspect_pdf` and through the upload page: each
rejection says what is wrong next to the file field, and nothing is stored."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from mou import validation
from mou.models import MouVersion
from mou.validation import inspect_pdf, sanitize_filename
from tests.applications.acceptance_helpers import private_letters  # noqa: F401
from tests.award_states import accepted_award
from tests.mou import pdfs
from tests.mou.review_helpers import private_mou  # noqa: F401
from tests.mou.test_upload_pages import form_data


def upload(content: bytes, name: str = "mou.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def rejection(content: bytes, name: str = "mou.pdf") -> str:
    with pytest.raises(ValidationError) as info:
        inspect_pdf(upload(content, name))
    (message,) = info.value.messages
    return message


def test_a_valid_pdf_gives_its_hash_size_and_pages():
    content = pdfs.valid_pdf(pages=4)
    facts = inspect_pdf(upload(content, "MOU.PDF"))
    assert facts == validation.PdfFacts(
        sha256=hashlib.sha256(content).hexdigest(), size=len(content), pages=4
    )


@pytest.mark.parametrize("name", ["mou.docx", "mou.pdf.exe", "mou", "mou.pdf "])
def test_the_name_must_end_in_pdf(name):
    assert rejection(pdfs.valid_pdf(), name) == validation.NOT_PDF_NAME


def test_an_html_page_renamed_pdf_is_not_a_pdf():
    message = rejection(pdfs.html_renamed_pdf())
    assert message.startswith("This file is not a PDF")


def test_an_empty_file_is_refused():
    assert rejection(b"") == validation.EMPTY


def test_a_truncated_pdf_is_damaged():
    assert "damaged or incomplete" in rejection(pdfs.truncated_pdf())


def test_a_pdf_pypdf_cannot_read_is_damaged():
    assert "damaged or incomplete" in rejection(pdfs.garbage_pdf())


def test_a_parser_recursion_bomb_is_damaged_not_a_server_error():
    assert "damaged or incomplete" in rejection(pdfs.deeply_nested_pdf(5000))


def test_deep_nesting_beyond_the_walk_limit_is_too_complex():
    assert rejection(pdfs.deeply_nested_pdf(validation.MAX_DEPTH + 10)) == validation.TOO_COMPLEX
    inspect_pdf(upload(pdfs.deeply_nested_pdf(validation.MAX_DEPTH - 10)))  # within the limit


def test_an_encrypted_pdf_is_refused():
    message = rejection(pdfs.encrypted_pdf())
    assert "password-protected PDFs cannot be reviewed; save it without a password" in message


@pytest.mark.parametrize(
    "builder",
    [
        pdfs.javascript_pdf,
        pdfs.open_action_javascript_pdf,
        pdfs.launch_pdf,
        pdfs.hex_escaped_javascript_pdf,
        pdfs.object_stream_javascript_pdf,
    ],
)
def test_javascript_and_launch_actions_are_refused(builder):
    assert rejection(builder()) == validation.ACTIVE_CONTENT


def test_javascript_hidden_in_an_object_stream_is_found_by_the_walk():
    content = pdfs.object_stream_javascript_pdf()
    scan = validation._Scan()
    scan.feed(content)
    scan.finish()
    assert not scan.active  # the raw bytes show nothing: the object walk is what refuses it
    assert rejection(content) == validation.ACTIVE_CONTENT


def test_hex_escaped_names_are_seen_by_the_raw_scan():
    assert validation._active_names_in(b"<< /S /J#61vaScript >>", final=True)
    assert validation._active_names_in(b"<< /#4Aava#53cript (x) >>", final=True)
    assert validation._active_names_in(b"<< /L#61unch >>", final=True)
    assert not validation._active_names_in(b"<< /JSON /Javas /Launcher >>", final=True)


def test_an_active_name_split_across_chunks_is_found():
    content = pdfs.launch_pdf()
    at = content.index(b"/Launch") + 3
    scan = validation._Scan()
    scan.feed(content[:at])
    scan.feed(content[at:])
    scan.finish()
    assert scan.active


def test_names_inside_stream_data_are_not_mistaken_for_actions():
    content = pdfs.binary_stream_pdf()
    assert b"/JS (" in content and b"/Launch " in content
    assert inspect_pdf(upload(content)).pages == 1


BUILDERS = [
    pdfs.valid_pdf,
    pdfs.binary_stream_pdf,
    pdfs.javascript_pdf,
    pdfs.open_action_javascript_pdf,
    pdfs.launch_pdf,
    pdfs.hex_escaped_javascript_pdf,
    pdfs.object_stream_javascript_pdf,
    pdfs.zip_appended_pdf,
]


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("chunk_size", [1, 7, 64, 100])
def test_the_raw_scan_gives_the_same_answer_whatever_the_chunk_size(builder, chunk_size):
    content = builder()
    whole = validation._Scan()
    whole.feed(content)
    whole.finish()
    pieces = validation._Scan()
    for start in range(0, len(content), chunk_size):
        pieces.feed(content[start : start + chunk_size])
    pieces.finish()
    assert pieces.active == whole.active
    assert pieces.digest.hexdigest() == hashlib.sha256(content).hexdigest()


def test_a_pdf_without_pages_is_refused():
    assert rejection(pdfs.zero_page_pdf()) == validation.NO_PAGES


def test_a_zip_appended_to_a_pdf_is_refused():
    assert "contains another file format" in rejection(pdfs.zip_appended_pdf())


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\dana\\Desktop\\MOU final.pdf", "MOU final.pdf"),
        ("Signed\u202eFDP.exe.pdf", "SignedFDP.exe.pdf"),
        ("a\u2066b\u2069c\u200e.pdf", "abc.pdf"),
        ("Cafe\u0301  MOU\t\n2026.pdf", "Café MOU 2026.pdf"),
        ("Escuela\x00\x1b[31m.pdf", "Escuela[31m.pdf"),
        ("../..", "MOU.pdf"),
        ("", "MOU.pdf"),
        ("\u202e", "MOU.pdf"),
    ],
)
def test_file_names_are_sanitised_for_display(name, shown):
    assert sanitize_filename(name) == shown


def test_long_names_are_capped_keeping_the_extension():
    shown = sanitize_filename("x" * 500 + ".pdf")
    assert len(shown) == 200 and shown.endswith("xxx.pdf")


# Through the page ----------------------------------------------------------------------------


@pytest.fixture
def award(agency, private_letters, private_mou):  # noqa: F811
    return accepted_award(agency)


def post(client, award, content: bytes, name: str = "mou.pdf"):
    return client.post(reverse("mou:award_mou", args=[award.pk]), form_data(content, name=name))


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (pdfs.valid_pdf(), "mou.docx", "its name must end in .pdf"),
        (pdfs.html_renamed_pdf(), "mou.pdf", "This file is not a PDF"),
        (pdfs.truncated_pdf(), "mou.pdf", "damaged or incomplete"),
        (pdfs.encrypted_pdf(), "mou.pdf", "password-protected PDFs cannot be reviewed"),
        (pdfs.javascript_pdf(), "mou.pdf", "contains JavaScript"),
        (pdfs.zero_page_pdf(), "mou.pdf", "This PDF has no pages."),
        (pdfs.zip_appended_pdf(), "mou.pdf", "contains another file format"),
    ],
)
def test_the_page_shows_each_rejection_next_to_the_file_field(
    signed_in, member, award, content, name, expected
):
    response = post(signed_in(member), award, content, name)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(expected in error for error in form.errors["file"])
    assert "Chief Dana Whitfield" in response.content.decode()  # other fields kept
    assert not MouVersion.objects.exists()


def test_a_path_traversal_name_is_stored_as_display_text_only(signed_in, member, award):
    post(signed_in(member), award, pdfs.valid_pdf(), name="../../etc/passwd.pdf")
    mou = MouVersion.objects.get()
    assert mou.original_name == "passwd.pdf"
    assert mou.file.name.startswith(f"mou/{award.pk}/") and "passwd" not in mou.file.name


def test_an_oversized_file_is_dropped_while_streaming(settings, signed_in, member, award):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    content = pdfs.big_pdf(200_000)
    response = post(signed_in(member), award, content)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file is larger than 64 KB. Upload a PDF of 64 KB or less."
    ]
    assert response.wsgi_request.oversized_uploads == {"file"}
    assert "file" not in response.wsgi_request.FILES
    assert "Superintendent Ray Ortiz" in response.content.decode()
    assert not MouVersion.objects.exists()


class Recorder(FileUploadHandler):
    """A handler placed after the size limit: counts the bytes that get past it."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        type(self).received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_no_more_than_the_limit_reaches_the_storing_handlers(settings, signed_in, member, award):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    settings.FILE_UPLOAD_HANDLERS = [
        "copsgrants.uploads.SizeLimitUploadHandler",
        f"{__name__}.Recorder",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    Recorder.received = 0
    response = post(signed_in(member), award, pdfs.big_pdf(900_000))
    assert response.status_code == 400
    assert 0 < Recorder.received <= settings.UPLOAD_MAX_BYTES


def test_a_file_just_under_the_limit_is_accepted(settings, signed_in, member, award):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    content = pdfs.big_pdf(60_000)
    assert len(content) <= settings.UPLOAD_MAX_BYTES
    assert post(signed_in(member), award, content).status_code == 302
    assert MouVersion.objects.get().size == len(content)


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(
    settings, signed_in, member, award
):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    response = post(signed_in(member), award, pdfs.big_pdf(1_300_000))
    assert response.status_code == 413
    html = response.content.decode()
    assert "The file is too large" in html and "64 KB" in html
    assert reverse("mou:award_mou", args=[award.pk]) in html
    assert not hasattr(response.wsgi_request, "_files")  # the body was never parsed
    assert not MouVersion.objects.exists()
