"""The benchmark's URLconf: the whole app, plus the floor at /bench/floor/.

The floor is a bare view behind the same middleware, served by the same gunicorn in the same run:
what a request costs before any of our code runs. It is mounted only by bench/wsgi.py, never by
the production URLconf."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from copsgrants.urls import urlpatterns as app_urlpatterns

FLOOR_PATH = "/bench/floor/"


@login_not_required
def floor(request: HttpRequest) -> HttpResponse:
    # Touching request.user loads the session and the user as a signed-in page does.
    return HttpResponse(f"ok {request.user.is_authenticated}", content_type="text/plain")


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", floor, name="bench_floor"), *app_urlpatterns]
