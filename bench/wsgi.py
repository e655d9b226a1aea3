"""`gunicorn bench.wsgi:application`: the app with the floor view mounted (bench/urls.py)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsgrants.settings")

from django.conf import settings

settings.ROOT_URLCONF = "bench.urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
