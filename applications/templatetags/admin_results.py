"""`{% fast_result_list cl %}` and `{% fast_date_hierarchy cl %}`: Django's `{% result_list cl %}`
and `{% date_hierarchy cl %}` (same templates, same markup) with the rows drawn by
`applications.admin.changelist` (what is the same for every row worked out once per page) and
without the years query when the first and last dates tell the years.

`{% action_form_fields action_form %}`: the actions bar's form fields as Django's actions.html
draws them, kept per process for each form class, set of actions and language: the admin
always shows the action form unbound, so those are all its markup depends on (a bound form or
one with initial values is drawn every time)."""

from __future__ import annotations

import functools

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils import translation

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


FIELDS = (
    "{% for field in action_form %}{% if field.label %}<label>{{ field.label }} {{ field }}"
    "</label>{% else %}{{ field }}{% endif %}{% endfor %}"
)  # actions.html's loop, as it is there
MAX_FORMS = 256  # one per staff role in practice; the bound only guards memory
_drawn: dict[tuple, str] = {}


@functools.cache
def _loop(engine):
    return engine.from_string(FIELDS)


@register.simple_tag(takes_context=True)
def action_form_fields(context, action_form) -> str:
    loop = _loop(context.template.engine)
    if action_form.is_bound or action_form.initial:
        return loop.render(context)
    key = (
        type(action_form),
        action_form.prefix,
        action_form.auto_id,
        translation.get_language(),
        tuple((str(v), str(label)) for v, label in action_form.fields["action"].choices),
        tuple(
            (name, type(f), type(f.widget), repr(f.widget.attrs), str(f.label), f.initial)
            for name, f in action_form.fields.items()
        ),
    )
    markup = _drawn.get(key)
    if markup is None:
        if len(_drawn) >= MAX_FORMS:
            _drawn.clear()
        markup = _drawn[key] = loop.render(context)
    return markup
