"""copsgrants/pdf.py: the only PDF renderer. Its fetcher serves the project's static files and
data: URIs and nothing else (no loopback requests, no local files embedded as attachments)."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from pypdf import PdfReader

from copsgrants.pdf import RefusedURL, StaticOnlyURLFetcher, font_configuration, render_pdf

STATIC = Path(settings.BASE_DIR) / "static"
# A 1x1 transparent PNG.
PNG_DATA_URI = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def pdf_templates(html: str):
    """Render `html` as the template "probe.html" (a locmem loader, so no file is added)."""
    return override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [("django.template.loaders.locmem.Loader", {"probe.html": html})]
                },
            }
        ]
    )


@pytest.fixture
def loopback_server():
    """An HTTP server on 127.0.0.1 that records every request it receives."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"SECRET-FROM-LOOPBACK")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def attachments(pdf: bytes) -> dict[str, list[bytes]]:
    return dict(PdfReader(io.BytesIO(pdf)).attachments)


def test_a_pdf_never_requests_a_loopback_url_nor_embeds_a_local_file(loopback_server):
    base, hits = loopback_server
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="attachment" href="file:///etc/passwd" title="passwd">
      <link rel="attachment" href="{base}/secret.txt" title="secret">
    </head><body><p>Probe</p><img src="{base}/pixel.png"></body></html>"""
    with pdf_templates(html):
        pdf = render_pdf("probe.html", {})

    assert hits == []
    assert attachments(pdf) == {}
    assert b"root:" not in pdf
    assert b"SECRET-FROM-LOOPBACK" not in pdf
    assert "Probe" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_a_pdf_may_embed_the_projects_static_files_and_data_uris():
    html = f"""<html><head>
      <link rel="stylesheet" href="css/letter.css">
      <link rel="attachment" href="css/letter.css" title="print css">
      <link rel="attachment" href="data:text/plain,hello%20there" title="note">
    </head><body><p>Probe</p><img src="{PNG_DATA_URI}"></body></html>"""
    with pdf_templates(html):
        pdf = render_pdf("probe.html", {})

    files = attachments(pdf)
    assert files["letter.css"] == [(STATIC / "css" / "letter.css").read_bytes()]
    assert [b"hello there"] in files.values()
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 1


def test_the_fetcher_refuses_everything_but_static_files_and_data_uris(loopback_server):
    base, hits = loopback_server
    fetcher = StaticOnlyURLFetcher()
    refused = [
        "file:///etc/passwd",
        f"{base}/x",
        "https://example.com/x.css",
        "ftp://127.0.0.1/x",
        # Outside the static folder by "..", and the project's own settings file.
        (STATIC / "css" / ".." / ".." / "pyproject.toml").as_uri(),
        (Path(settings.BASE_DIR) / "copsgrants" / "settings.py").as_uri(),
        "file://otherhost/etc/passwd",
    ]
    for url in refused:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert hits == []
    response = fetcher.fetch((STATIC / "css" / "letter.css").as_uri())
    assert response.read() == (STATIC / "css" / "letter.css").read_bytes()
    response.close()


def test_agency_supplied_text_is_escaped_not_rendered_as_markup():
    html = "<html><body><p>{{ name }}</p></body></html>"
    name = '<img src="file:///etc/passwd"><b>Evil PD</b> & Co'
    with pdf_templates(html):
        pdf = render_pdf("probe.html", {"name": name})

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert '<img src="file:///etc/passwd"><b>Evil PD</b> & Co' in text
    assert b"root:" not in pdf


def test_one_font_configuration_is_shared_by_every_render_in_a_process():
    assert font_configuration() is font_configuration()
