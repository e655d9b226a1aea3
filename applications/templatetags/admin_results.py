"""`{% fast_result_list cl %}` and `{% fast_date_hierarchy cl %}`: Django's `{% result_list cl %}`
and `{% date_hierarchy cl %}` (same templates, same markup) with the rows drawn by
`applications.admin.changelist` (what is the same for every row worked out once per page) and
without the years query when the first and last dates tell the years."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from ..admin.changelist import date_hierarchy, result_list

register = template.Library()


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=result_list, template_name="change_list_results.html",
        takes_context=False,
    )  # fmt: skip


@register.tag(name="fast_date_hierarchy")
def fast_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=date_hierarchy, template_name="date_hierarchy.html",
        takes_context=False,
    )  # fmt: skip
