"""The staff site: Django's AdminSite, with the app list (the sidebar on every admin page and the
index) built once per process for each set of permissions instead of on every request.

Building it asks every registered ModelAdmin four or five permission questions and reverses two
URLs for each model (about 3 ms a page). The answers depend only on the user's permissions and
flags (every `has_*_permission` override in this project answers from `request.user.has_perm`
or a constant: tests/copsgrants/test_admin_site.py holds the list of overrides) and on the URL
prefix and language, so those make the key; the user's permissions are read from the database
on each request, as Django does, so a granted or revoked permission shows on the next page."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

# Few keys in practice (one per staff role, plus superusers); the bound only guards memory.
MAX_LISTS = 256


def copy_app_list(app_list: list[dict]) -> list[dict]:
    """A copy the caller may change without touching the kept list."""
    return [
        {**app, "models": [{**model, "perms": dict(model["perms"])} for model in app["models"]]}
        for app in app_list
    ]


class CopsAdminSite(admin.AdminSite):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._app_lists: dict[tuple, list[dict]] = {}

    def app_list_key(self, request: HttpRequest) -> tuple:
        """Everything the app list depends on: who may do what, and how URLs and names read."""
        user = request.user
        superuser = user.is_active and user.is_superuser
        permissions = frozenset() if superuser else frozenset(user.get_all_permissions())
        return (
            user.is_active,
            user.is_staff,
            superuser,
            permissions,
            get_script_prefix(),
            get_urlconf(),
            translation.get_language(),
        )

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        if app_label is not None:
            return super().get_app_list(request, app_label)
        key = self.app_list_key(request)
        app_list = self._app_lists.get(key)
        if app_list is None:
            app_list = super().get_app_list(request)
            if len(self._app_lists) >= MAX_LISTS:
                self._app_lists.clear()
            self._app_lists[key] = app_list
        return copy_app_list(app_list)


class CopsAdminConfig(AdminConfig):
    default_site = "copsgrants.admin_site.CopsAdminSite"
