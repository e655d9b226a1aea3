"""Helpers for the project's crispy-forms template pack (templates/uswds/)."""

from __future__ import annotations

import html

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode
from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

_INPUT_CLASSES = {
    forms.Textarea: "usa-textarea",
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.CheckboxInput: "usa-checkbox__input",
    forms.ClearableFileInput: "usa-file-input",
    forms.FileInput: "usa-file-input",
}


def _css_class(widget: forms.Widget) -> str:
    for widget_type, css in _INPUT_CLASSES.items():
        if isinstance(widget, widget_type):
            return css
    return "usa-input"


def hint_id(field: BoundField) -> str:
    # Django's own auto aria-describedby uses "<id>_helptext"; keep the same id.
    return f"{field.auto_id}_helptext"


def error_id(field: BoundField) -> str:
    return f"{field.auto_id}_error"


@register.filter
def uswds_kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.filter
def uswds_required(field: BoundField) -> bool:
    """Required now, or needed before the form's owner can submit (drafts may leave it blank)."""
    return field.field.required or field.field.widget.attrs.get("aria-required") == "true"


@register.filter
def uswds_character_count(field: BoundField) -> int | None:
    """The maxlength of a long-text field, for the USWDS character count component."""
    if isinstance(field.field.widget, forms.Textarea):
        return getattr(field.field, "max_length", None)
    return None


@register.filter
def uswds_hint_id(field: BoundField) -> str:
    return hint_id(field)


@register.filter
def uswds_error_id(field: BoundField) -> str:
    return error_id(field)


@register.simple_tag
def uswds_widget(field: BoundField, **extra: str) -> str:
    """The field's widget with USWDS classes, error state and aria-describedby set."""
    widget = field.field.widget
    attrs = dict(extra)
    classes = [widget.attrs.get("class", ""), _css_class(widget), extra.get("class", "")]
    describedby = []
    if field.help_text:
        describedby.append(hint_id(field))
    if field.errors:
        describedby.append(error_id(field))
        attrs["aria-invalid"] = "true"
        if not isinstance(widget, forms.CheckboxInput):
            classes.append(f"{_css_class(widget)}--error")
    if uswds_character_count(field):
        classes.append("usa-character-count__field")
        describedby.append(f"{field.auto_id}-info")
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    attrs["class"] = " ".join(c for c in classes if c)
    if isinstance(widget, forms.Textarea | forms.TextInput | forms.EmailInput) and getattr(
        field.field, "max_length", None
    ):
        attrs.setdefault("maxlength", str(field.field.max_length))
    return as_widget(field, attrs)


# Drawing a field in Python. A section page has a dozen or more fields; through templates each
# costs a crispy field template plus Django's widget templates (text.html includes input.html,
# which includes attrs.html), and that was most of the page's time. The functions below draw the
# same bytes (tests/copsgrants/test_uswds_field_markup.py holds them to the templates' output).

# Widgets whose Django template is exactly input.html (via a one-line include) or textarea.html
# (a checkbox is an input whose context says `checked`).
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "tel", "search", "password",
                 "hidden", "date", "datetime", "time", "color", "checkbox")
)  # fmt: skip
_TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"


def _escape(value) -> str:
    """`conditional_escape(value)` without the lazy-argument check Django's `escape` makes on
    every call (a page calls this a few hundred times)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _stringformat(value) -> str:
    """`{{ value|stringformat:'s' }}` with autoescaping on."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def _out(value) -> str:
    """`{{ value }}` with autoescaping on."""
    return _escape(localize(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_out(name)}" if value is True else f' {_out(name)}="{_stringformat(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _draw_widget(widget: forms.Widget, name: str, value, attrs: dict, renderer) -> str:
    """`widget.render(...)`: in Python for plain inputs and textareas, else through the
    widget's own template."""
    template = widget.template_name
    if (
        (template not in _INPUT_TEMPLATES and template != _TEXTAREA_TEMPLATE)
        # Django's templates, as its own renderer finds them, drawn the usual way.
        or type(renderer) is not DjangoTemplates
        or type(widget).render is not forms.Widget.render
        or type(widget)._render is not forms.Widget._render
    ):
        return widget.render(name=name, value=value, attrs=attrs, renderer=renderer)
    w = widget.get_context(name, value, attrs)["widget"]
    if template == _TEXTAREA_TEMPLATE:
        body = _out(w["value"]) if w["value"] else ""
        return mark_safe(  # nosec B308 B703: every value in it is escaped (_out, _attrs)
            f'<textarea name="{_out(w["name"])}"{_attrs(w["attrs"])}>\n{body}</textarea>'
        )
    value_attr = "" if w["value"] is None else f' value="{_stringformat(w["value"])}"'
    html = (
        f'<input type="{_out(w["type"])}" name="{_out(w["name"])}"{value_attr}{_attrs(w["attrs"])}>'
    )
    return mark_safe(html)  # nosec B308 B703: every value in it is escaped (_out, _attrs)


def as_widget(field: BoundField, attrs: dict | None = None) -> str:
    """`BoundField.as_widget(attrs=attrs)`, drawn by `_draw_widget`."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs or {}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return _draw_widget(widget, field.html_name, field.value(), attrs, field.form.renderer)


def _error_span(field: BoundField) -> str:
    if not field.errors:
        return ""
    errors = "<br>".join(_out(error) for error in field.errors)
    return f'<span class="usa-error-message" id="{_out(error_id(field))}">{errors}</span>'


def _hint_span(field: BoundField, css: str = "usa-hint") -> str:
    if not field.help_text:
        return ""
    return f'<span class="{css}" id="{_out(hint_id(field))}">{_out(field.help_text)}</span>'


_REQUIRED_MARK = ' <abbr title="required" class="usa-hint usa-hint--required">*</abbr>'


def _checkbox(field: BoundField) -> str:
    label = f"{_out(field.label)}{_hint_span(field, 'usa-checkbox__label-description')}"
    return (
        f"\n  {_error_span(field)}\n"
        '  <div class="usa-checkbox">\n'
        f"    {uswds_widget(field)}\n"
        f'    <label class="usa-checkbox__label" for="{_out(field.id_for_label)}">{label}</label>\n'
        "  </div>\n"
    )


def _choices(field: BoundField, kind: str) -> str:
    css = "usa-radio" if kind == "radios" else "usa-checkbox"
    required = " required" if field.field.required and kind == "radios" else ""
    describedby = ""
    if field.help_text or field.errors:
        hint = _out(hint_id(field)) if field.help_text else ""
        error = f" {_out(error_id(field))}" if field.errors else ""
        describedby = f'aria-describedby="{hint}{error}"'
    mark = _REQUIRED_MARK if uswds_required(field) else ""
    parts = [
        f'\n  <fieldset class="usa-fieldset" id="{_out(field.auto_id)}" tabindex="-1" '
        f"{describedby}>\n"
        f'    <legend class="usa-legend">{_out(field.label)}{mark}</legend>\n'
        f"    {_hint_span(field)}\n"
        f"    {_error_span(field)}\n"
        "    "
    ]
    for choice in field:
        data = choice.data
        checked = " checked" if data["selected"] else ""
        for_id = _out(choice.id_for_label)
        label = _out(choice.choice_label)
        parts.append(
            f'\n    <div class="{css}">\n'
            f'      <input class="{css}__input" id="{for_id}" type="{_out(data["type"])}" '
            f'name="{_out(data["name"])}" value="{_out(data["value"])}"{checked}{required}>\n'
            f'      <label class="{css}__label" for="{for_id}">{label}</label>\n'
            "    </div>\n    "
        )
    parts.append("\n  </fieldset>\n")
    return "".join(parts)


def _input(field: BoundField, form_show_labels) -> str:
    maxlength = uswds_character_count(field)
    label = ""
    if form_show_labels:
        error = " usa-label--error" if field.errors else ""
        mark = _REQUIRED_MARK if uswds_required(field) else ""
        label = (
            f'<label class="usa-label{error}" for="{_out(field.id_for_label)}">'
            f"{_out(field.label)}{mark}</label>"
        )
    counter = '<div class="usa-character-count" data-testid="character-count">' if maxlength else ""
    html = (
        f"\n  {counter}"
        f"\n  {label}\n  {_hint_span(field)}\n  {_error_span(field)}\n  {uswds_widget(field)}"
    )
    if maxlength:
        html += (
            f'\n  <span id="{_out(field.auto_id)}-info" class="usa-character-count__message '
            f'usa-sr-only">You can enter up to {_out(maxlength)} characters</span>\n  </div>'
        )
    return html + "\n"


@register.simple_tag
def uswds_field(field: BoundField, form_show_labels=False) -> str:
    """One field in the USWDS pack's markup (what templates/uswds/field.html draws)."""
    if field.is_hidden:
        hidden = field if field.field.show_hidden_initial else as_widget(field)
        return mark_safe(f"{conditional_escape(hidden)}\n")  # nosec B308 B703: escaped
    kind = uswds_kind(field)
    if kind == "checkbox":
        body = _checkbox(field)
    elif kind in ("radios", "checkboxes"):
        body = _choices(field, kind)
    else:
        body = _input(field, form_show_labels)
    error = " usa-form-group--error" if field.errors else ""
    # nosec below: the parts are escaped (_out) or SafeStrings drawn by the functions above.
    return mark_safe(  # nosec B308 B703
        f'\n<div id="div_{_out(field.auto_id)}" class="usa-form-group{error}">\n{body}\n</div>\n\n'
    )


# Drawing a whole form as `{% crispy form %}` did. Crispy renders its layout through templates on
# every request (the whole-form and fieldset templates, and each legend and HTML snippet compiled
# as a template of its own); the section pages only use plain layouts, drawn here in Python to the
# same bytes (tests/copsgrants/test_uswds_form_markup.py holds them to crispy's output). Anything
# else falls back to crispy.

_TEMPLATE_SYNTAX = ("{{", "{%", "{#")


def _plain(text) -> str | None:
    """A legend or HTML snippet as crispy draws it (a template of its own), if it holds no
    template syntax."""
    text = str(text)
    return None if any(mark in text for mark in _TEMPLATE_SYNTAX) else text


def _draw_layout(form: forms.BaseForm, item) -> str | None:
    """One layout item as the pack's layout templates draw it, or None when it needs crispy."""
    if isinstance(item, str):
        if item not in form.fields:
            return None
        return uswds_field(form[item], True)
    kind = type(item)
    if kind is HTML:
        return _plain(item.html)
    if kind not in (Layout, Fieldset, Div) or getattr(item, "template", None) != getattr(
        kind, "template", None
    ):
        return None  # another layout object, or a template of its own
    parts = [_draw_layout(form, child) for child in item.fields]
    if None in parts:
        return None
    fields = "".join(parts)
    if kind is Layout:
        return fields
    if kind is Div:
        css_id = f'id="{_out(item.css_id)}"' if item.css_id else ""
        css_class = f'class="{_out(item.css_class)}"' if item.css_class else ""
        return f"<div {css_id} {css_class} {item.flat_attrs}>{fields}</div>\n"
    legend = _plain(item.legend) if item.legend else ""
    if legend is None:
        return None
    if legend:
        legend = f'<legend class="usa-legend usa-legend--large">{legend}</legend>'
    css_id = f' id="{_out(item.css_id)}"' if item.css_id else ""
    return (
        f'<fieldset class="usa-fieldset margin-top-4 {_out(item.css_class or "")}"{css_id} '
        f"{item.flat_attrs}>\n  {legend}\n  {fields}\n</fieldset>\n"
    )


def _plain_helper(helper) -> bool:
    """A helper with the pack's defaults and no <form> tag: what the section pages use."""
    return (
        type(helper) is FormHelper
        and not helper.form_tag
        and not helper.inputs
        and not helper.attrs
        and helper.form_method == "post"
        and not helper.disable_csrf
        and helper.form_show_errors
        and helper.form_show_labels
        and helper.template is None
        and helper.field_template is None
        and not (
            helper.render_unmentioned_fields
            or helper.render_hidden_fields
            or helper.render_required_fields
        )
    )


def draw_form(form: forms.BaseForm, csrf_input: str) -> str | None:
    """What `{% crispy form %}` draws for a form whose helper and layout are plain (see
    `_plain_helper`, `_draw_layout`), else None. `csrf_input` is what `{% csrf_token %}` draws."""
    helper = getattr(form, "helper", None)
    if not _plain_helper(helper):
        return None
    if helper.layout:
        body = _draw_layout(form, helper.layout)
        if body is None:
            return None
    else:
        body = ""
    if not body:  # as the pack's display_form.html: no layout (or an empty one), every field
        body = "".join(uswds_field(field, True) for field in form)
    errors = ""
    if form.is_bound and form.errors:
        errors = get_template("uswds/errors.html").render({"form": form})
    return f"\n{csrf_input}\n{errors}\n{body}\n\n\n\n"


@register.simple_tag(takes_context=True)
def uswds_form(context: template.Context, form: forms.BaseForm) -> str:
    """`{% crispy form %}`, drawn in Python when the form's layout allows (`draw_form`)."""
    drawn = draw_form(form, CsrfTokenNode().render(context))
    if drawn is not None:
        return mark_safe(drawn)  # nosec B308 B703: drawn from escaped parts (see _draw_layout)
    with context.push(uswds_crispy_form=form):
        return CrispyFormNode("uswds_crispy_form", None).render(context)
