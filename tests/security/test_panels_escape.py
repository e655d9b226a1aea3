"""Extension panels (applications/panels.py) are inserted without mark_safe: rendered templates
(SafeString) go in as HTML, a hand-built str is escaped."""

from django.template import Context, Template
from django.test import RequestFactory

from applications import panels


def test_a_rendered_panel_is_html_and_a_plain_string_is_escaped(monkeypatch):
    monkeypatch.setattr(panels, "_dashboard_panels", [])
    panels.register_dashboard_panel(lambda request, agencies: "<script>alert(1)</script>")
    panels.register_dashboard_panel(
        lambda request, agencies: Template("<p>{{ name }}</p>").render(Context({"name": "<b>"}))
    )
    plain, rendered = panels.dashboard_panels(RequestFactory().get("/"), [])
    assert plain == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert rendered == "<p>&lt;b&gt;</p>"
