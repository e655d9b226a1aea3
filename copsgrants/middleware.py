from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from .uploads import request_too_large, size_label

# Public pages whose forms take a password or a reset token: kept out of caches even though
# nobody is signed in yet.
SIGN_IN_URL_NAMES = frozenset(
    {"login", "register", "password_reset", "password_reset_confirm", "password_change"}
)


class NoStoreForSignedInUsersMiddleware:
    """Marks every response to a signed-in user, and the sign-in forms, `Cache-Control: no-store`.

    A page about an agency's application must not come back from the browser's cache (or a
    shared proxy) after its user signs out on a shared computer. A view that chose its own
    Cache-Control keeps it. Static files never get here: WhiteNoise answers them earlier.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and self._is_private(request):
            add_never_cache_headers(response)  # no-store among others, and an Expires in the past
            response.headers.setdefault("Pragma", "no-cache")  # for HTTP/1.0 caches
        return response

    @staticmethod
    def _is_private(request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in SIGN_IN_URL_NAMES:
            return True
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated


class UploadTooLargeMiddleware:
    """Answers 413 to a multipart request whose Content-Length is far beyond any acceptable
    upload (copsgrants.uploads.request_too_large), before anything reads the body.

    This is a middleware rather than the upload handler's handle_raw_input because nothing there
    can answer the request: it could only raise StopUpload, leaving request.POST empty, and the
    CSRF check (which reads request.POST before the view runs) would then reject the form with a
    misleading "session expired" page. Here the user gets a page that says the file is too large.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request_too_large(request):
            return render(
                request,
                "413.html",
                {"limit": size_label(), "back": request.get_full_path()},
                status=413,
            )
        return self.get_response(request)


class RejectNulCharactersMiddleware:
    """Answers 400 to a query string holding a NUL character. No page takes one, and PostgreSQL
    refuses any string containing it, so an admin filter or search given `%00` would otherwise
    end in a server error. (Form fields already refuse NUL: Django's CharField validator.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("The address holds a NUL character.")
        return self.get_response(request)
