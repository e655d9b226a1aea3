from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential
from simple_history.utils import get_history_model_for_model

from .audit import record
from .models import AuditEvent, User

# Staff read every time in U.S. Eastern, the zone the program's deadlines are stated in.
EASTERN = ZoneInfo("America/New_York")


def format_eastern(moment: datetime | None) -> str:
    """ "Nov 28, 2026, 10:15 AM EST" (or EDT): date, time and zone, never ambiguous."""
    if moment is None:
        return "-"
    local = moment.astimezone(EASTERN)
    return f"{local:%b} {local.day}, {local.year}, {local.hour % 12 or 12}:{local:%M %p %Z}"


EventLabel = str | Callable[[AuditEvent], str]
_EVENT_LABELS: dict[str, EventLabel] = {}


def register_event_labels(labels: Mapping[str, EventLabel]) -> None:
    """Let an app say how its audit events read ("Section saved: Officer request"). The core
    imports no app, so each app registers its own verbs (from its admin module)."""
    _EVENT_LABELS.update(labels)


def _data_summary(data: dict) -> str:
    """The event's plain values, e.g. "section: officers, version: 2"."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, dict) or value in (None, ""):
            continue
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


def describe_event(event: AuditEvent) -> str:
    """What happened, in words: the app's label for the verb, else the verb's last part made
    readable followed by its data ("Section saved (section: officers; version: 2)")."""
    label = _EVENT_LABELS.get(event.verb)
    if label is not None:
        return label(event) if callable(label) else label
    words = event.verb.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    summary = _data_summary(event.data or {})
    return f"{words} ({summary})" if summary else words


def parse_id(field: Field, raw: str):
    """The id in a URL as the field holds it; 404 for an id the field cannot hold ("abc", or
    beyond a 64-bit integer), which would otherwise reach the database as a ValueError or an
    overflow and become a 500."""
    try:
        value = field.to_python(unquote(raw))
        field.run_validators(value)  # the integer range of the database column
    except (ValidationError, ValueError, OverflowError) as exc:
        raise Http404(f"No such {field.model._meta.verbose_name}") from exc
    return value


class AuditTrailMixin:
    """Adds a read-only "Audit trail" field listing the record's business events, and records
    staff edits made in the admin as events too.

    Also guards django-simple-history's history pages, which pass the ids from the URL straight
    to the ORM: a malformed object or history id is a 404 there, as on Django's own admin pages.
    """

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        parse_id(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        parse_id(self.model._meta.pk, object_id)
        parse_id(get_history_model_for_model(self.model)._meta.pk, version_id)
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )

    def get_object_or_404(self, request: HttpRequest, object_id: str):
        """The record a custom admin page (an action's form) is about, with the same 404s as
        Django's own change page."""
        parse_id(self.model._meta.pk, object_id)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No such {self.model._meta.verbose_name}")
        return obj

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            record(
                verb=f"{obj._meta.model_name}.updated_by_staff",
                target=obj,
                actor=request.user,
                data={"fields": sorted(form.changed_data)},
            )

    @admin.display(description="Audit trail")
    def audit_trail(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "-"
        events = AuditEvent.objects.for_object(obj).select_related("actor")
        if not events:
            return "No events yet."
        # One <div> per event: the admin's form CSS pushes a <ul> 160 px to the right.
        return format_html(
            '<div class="audit-trail">{}</div>',
            format_html_join(
                "",
                '<div><time datetime="{}">{}</time> · <span title="{}">{}</span> · {}{}</div>',
                (
                    (
                        event.created_at.isoformat(),
                        format_eastern(event.created_at),
                        event.verb,
                        describe_event(event),
                        event.actor or "system",
                        f": “{event.message}”" if event.message else "",
                    )
                    for event in events
                ),
            ),
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["email_verified_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined", "email_verified_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_model(self, request, obj: User, form, change: bool) -> None:
        # Staff add accounts for people they know (colleagues): those addresses count as
        # confirmed, as for every account made outside self-registration.
        if not change and obj.email_verified_at is None:
            obj.email_verified_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["when", "event", "target_repr", "actor"]
    list_filter = ["verb", "content_type"]
    search_fields = ["target_repr", "actor__email", "message"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description="when", ordering="created_at")
    def when(self, event: AuditEvent) -> str:
        return format_eastern(event.created_at)

    @admin.display(description="event", ordering="verb")
    def event(self, event: AuditEvent) -> str:
        return format_html('<span title="{}">{}</span>', event.verb, describe_event(event))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Security keys (django-otp-webauthn registers no admin of its own): like django-otp's devices,
# no staff group holds a permission on them, so only a superuser sees them, to remove a lost key
# so its owner can enrol again. Public keys are not secrets, but OTP_ADMIN_HIDE_SENSITIVE_DATA
# keeps them off the page as well.
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
