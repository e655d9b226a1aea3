from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.utils import get_history_model_for_model

from .audit import record
from .models import AuditEvent, User


def _parse_id(field: Field, raw: str) -> None:
    """404 for an id the field cannot hold ("abc", or beyond a 64-bit integer), which would
    otherwise reach the database as a ValueError or an overflow and become a 500."""
    try:
        value = field.to_python(unquote(raw))
        field.run_validators(value)  # the integer range of the database column
    except (ValidationError, ValueError, OverflowError) as exc:
        raise Http404(f"No such {field.model._meta.verbose_name}") from exc


class AuditTrailMixin:
    """Adds a read-only "Audit trail" field listing the record's business events, and records
    staff edits made in the admin as events too.

    Also guards django-simple-history's history pages, which pass the ids from the URL straight
    to the ORM: a malformed object or history id is a 404 there, as on Django's own admin pages.
    """

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        _parse_id(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        _parse_id(self.model._meta.pk, object_id)
        _parse_id(get_history_model_for_model(self.model)._meta.pk, version_id)
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )

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
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} {}</li>",
                (
                    (
                        f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M %Z}",
                        event.verb,
                        event.actor or "system",
                        event.message,
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
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "verb", "target_repr", "actor"]
    list_filter = ["verb", "content_type"]
    search_fields = ["target_repr", "actor__email", "message"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
