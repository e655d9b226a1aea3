"""Helpers for the project's crispy-forms template pack (templates/uswds/)."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField

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
    return field.as_widget(attrs=attrs)
