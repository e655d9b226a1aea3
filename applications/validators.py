"""Identifier rules for agencies (DOMAIN.md: "The applicant")."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

ORI_RE = re.compile(r"^[A-Z]{2}(?:\d{5}|[0-9A-Z]{7})$")
UEI_RE = re.compile(r"^[A-Z0-9]{12}$")
PHONE_RE = re.compile(
    r"^\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$"
)
ZIP_RE = re.compile(r"^\d{5}(?:-\d{4})?$")


def normalize_identifier(value: str) -> str:
    """Upper-case and drop the spaces and hyphens people type inside identifiers."""
    return re.sub(r"[\s-]", "", value or "").upper()


def validate_ori(value: str) -> None:
    if not ORI_RE.match(value):
        raise ValidationError(
            "Enter the ORI as 2 state letters and 5 digits (for example WA03103) "
            "or the 9-character form (for example VA0010000).",
            code="invalid_ori",
        )


def validate_uei(value: str) -> None:
    if not UEI_RE.match(value):
        raise ValidationError(
            "A UEI is exactly 12 letters and digits (for example JX7HKLMNQ2P4). "
            "Find it on your SAM.gov entity registration.",
            code="invalid_uei",
        )


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value.strip()):
        raise ValidationError(
            "Enter a 10-digit U.S. phone number, for example 202-555-0143.", code="invalid_phone"
        )


def validate_zip(value: str) -> None:
    if not ZIP_RE.match(value.strip()):
        raise ValidationError(
            "Enter a 5-digit ZIP code or ZIP+4, for example 20530 or 20530-0001.",
            code="invalid_zip",
        )
