"""`{% nav_sidebar %}`: Django's `{% include "admin/nav_sidebar.html" %}`, the same markup, rendered
once per process for each app list and current page instead of on every admin page (about a
third of a simple admin page's time: a table row with three links for every model).

The sidebar reads nothing but the app list, which of its URLs the page's path contains (the
current app and model are marked) and the language, so those make the key: a changed app list
(a permission granted or revoked) or another page is another key, never a stale sidebar."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import urlencode
from django.utils import translation

register = template.Library()

# One entry per role and admin list in practice; the bound only guards memory.
MAX_FRAGMENTS = 1024
_fragments: dict[tuple, str] = {}


def _contains(path: str, url: str | None) -> bool:
    return url is not None and url in path


def sidebar_key(app_list: list[dict], path: str) -> tuple:
    """The app list as the sidebar draws it, with the current app and model marks."""
    return tuple(
        (
            app["app_label"],
            str(app["name"]),
            app["app_url"],
            _contains(path, app["app_url"]),
            tuple(
                (
                    model["object_name"],
                    str(model["name"]),
                    model["admin_url"],
                    model["add_url"],
                    model.get("view_only"),
                    _contains(path, model["admin_url"]),
                )
                for model in app["models"]
            ),
        )
        for app in app_list
    )


@register.simple_tag(takes_context=True)
def nav_sidebar(context) -> str:
    request = context.get("request")
    path = urlencode(request.path) if request is not None else ""
    key = (translation.get_language(), sidebar_key(context.get("available_apps") or [], path))
    html = _fragments.get(key)
    if html is None:
        # What {% include %} does: the same template, the same context.
        html = context.template.engine.get_template("admin/nav_sidebar.html").render(context)
        if len(_fragments) >= MAX_FRAGMENTS:
            _fragments.clear()
        _fragments[key] = html
    return html
