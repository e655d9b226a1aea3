"""`{% fast_result_list cl %}`: Django's `{% result_list cl %}` (same templates, same markup)
with the rows drawn by `applications.admin.changelist` (what is the same for every row worked
out once per page)."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from ..admin.changelist import result_list

register = template.Library()


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=result_list, template_name="change_list_results.html",
        takes_context=False,
    )  # fmt: skip
