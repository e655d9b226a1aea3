"""Extension points for the apps above this one. `applications` never imports `mou` or
`training`; they add their parts to its pages by registering a panel here from their
AppConfig.ready(). A panel is a function of the request and the page's object that returns HTML
(already rendered, e.g. with render_to_string, which returns a SafeString) or "" when it has
nothing to show. The page trusts only HTML marked safe that way: a plain str is escaped, so a
panel that builds a string by hand shows its markup as text instead of injecting it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from .models import Agency, Award

AwardPanel = Callable[[HttpRequest, Award], str]
DashboardPanel = Callable[[HttpRequest, list[Agency]], str]

_award_panels: list[AwardPanel] = []
_dashboard_panels: list[DashboardPanel] = []


def register_award_panel(panel: AwardPanel) -> AwardPanel:
    """Show `panel(request, award)` on the agency's award page, after the conditions."""
    if panel not in _award_panels:
        _award_panels.append(panel)
    return panel


def register_dashboard_panel(panel: DashboardPanel) -> DashboardPanel:
    """Show `panel(request, agencies)` on the dashboard, for the user's active agencies."""
    if panel not in _dashboard_panels:
        _dashboard_panels.append(panel)
    return panel


def award_panels(request: HttpRequest, award: Award) -> list[SafeString]:
    return [conditional_escape(html) for panel in _award_panels if (html := panel(request, award))]


def dashboard_panels(request: HttpRequest, agencies: list[Agency]) -> list[SafeString]:
    return [conditional_escape(html) for p in _dashboard_panels if (html := p(request, agencies))]
