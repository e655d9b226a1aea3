"""Form fields shared by the application sections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError

from .budget import MONEY_FORMAT_MESSAGE, MONEY_WHITESPACE, parse_money


class MoneyInput(forms.TextInput):
    """A text box, not `type=number`: number inputs refuse "55,000" and accept "5e4". The
    `decimal` input mode still brings up a keypad with a decimal point on phones."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class MoneyField(forms.DecimalField):
    """An amount of money written as applications/budget.py `parse_money` allows ("$55,000",
    "55000.50"), cleaned to a Decimal with two places. max_digits / decimal_places still apply,
    so an amount too large for its database column gets Django's own message."""

    widget = MoneyInput
    default_error_messages = {"invalid": MONEY_FORMAT_MESSAGE}

    def __init__(
        self, *, max_digits: int | None = 10, decimal_places: int | None = 2, **kwargs: Any
    ) -> None:
        widget = kwargs.get("widget")
        if isinstance(widget, forms.NumberInput) or (
            isinstance(widget, type) and issubclass(widget, forms.NumberInput)
        ):
            # A ModelForm's Meta.widgets silently wins over `widget`; fail loudly instead.
            raise ImproperlyConfigured(
                "MoneyField needs a text input (MoneyInput): a number input refuses commas."
            )
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, str) and not value.strip(MONEY_WHITESPACE):
            return None  # only spaces: left blank, as the live preview treats it
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        try:
            return parse_money(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.TextInput):
            attrs.setdefault("inputmode", "decimal")
        return attrs
