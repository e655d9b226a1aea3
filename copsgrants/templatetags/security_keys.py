"""The configuration django-otp-webauthn's scripts read from the page (its endpoints and the
CSRF token), for templates/registration/_security_key_scripts.html."""

from django import template
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration

register = template.Library()


@register.simple_tag(takes_context=True)
def security_key_config(context) -> dict:
    return get_configuration(context["request"])
