"""The one way this project makes a PDF: `render_pdf(template_name, context) -> bytes`.

WeasyPrint's default fetcher will request any URL a template names (loopback included: SSRF) and
embeds `<link rel="attachment" href="file:///etc/passwd">` into the PDF. Ours serves only `data:`
URIs and files inside the project's static folders, never follows a redirect, and refuses the rest.
Templates name their stylesheets and images relative to the static folder (`css/letter.css`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A template asked for something outside the static folders. WeasyPrint logs it and renders
    without that resource."""


def static_roots() -> list[Path]:
    """The folders a PDF may read from: STATICFILES_DIRS (ours and USWDS) and STATIC_ROOT."""
    roots = [
        Path(entry[1] if isinstance(entry, tuple) else entry) for entry in settings.STATICFILES_DIRS
    ]
    roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


class StaticOnlyURLFetcher(URLFetcher):
    """WeasyPrint 70 accepts only URLFetcher subclasses (a plain function crashes it)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=5)
        self._roots = static_roots()

    def fetch(self, url: str, headers: Any = None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise RefusedURL(f"PDF resource refused (remote file host): {url}")
            # resolve() follows symlinks and "..": the real file must sit under a static root.
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots) or not path.is_file():
                raise RefusedURL(f"PDF resource refused (not a static file): {url}")
            return super().fetch(path.as_uri(), headers)
        if scheme == "data":
            return super().fetch(url, headers)
        raise RefusedURL(f"PDF resource refused (only static files and data: URIs): {url}")


# Building a FontConfiguration for each render grows a worker by ~0.35 MB per letter; one per
# process keeps memory flat and is faster. Keyed by pid so a forked worker child builds its own.
_font_config: tuple[int, FontConfiguration] | None = None


def font_configuration() -> FontConfiguration:
    global _font_config
    if _font_config is None or _font_config[0] != os.getpid():
        _font_config = (os.getpid(), FontConfiguration())
    return _font_config[1]


def base_url() -> str:
    """Relative URLs in PDF templates resolve inside the project's static folder."""
    return (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a Django template (autoescaped: agency-supplied text stays text) to PDF bytes."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=base_url(), url_fetcher=StaticOnlyURLFetcher())
    return document.write_pdf(font_config=font_configuration())
