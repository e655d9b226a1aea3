import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsgrants.settings")

app = Celery("copsgrants")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
