"""`{% static %}` and argument-free `{% url %}` for the page chrome (templates/base.html), worked
out once per process: every page asks for the same dozen strings, and the storage's manifest and
the URL resolver give the same answer each time. The same strings as Django's tags, escaped the
same way."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_static: dict[str, str] = {}
_urls: dict[tuple[str, str | None, str], str] = {}


@register.simple_tag
def static_url(path: str) -> str:
    """What `{% static path %}` gives (the manifest is read once per process anyway)."""
    url = _static.get(path)
    if url is None:
        url = _static[path] = static(path)
    return url


@register.simple_tag
def page_url(name: str) -> str:
    """What `{% url name %}` gives for a URL without arguments, per URLconf and script prefix
    (both may be set per request)."""
    key = (name, get_urlconf(), get_script_prefix())
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = reverse(name)
    return url
