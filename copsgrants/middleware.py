from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

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
