"""What Celery beat runs (settings.CELERY_BEAT_SCHEDULE). Beat runs once per deployment:
the worker started with --beat in `make run`, the one beat service in docker-compose."""

CELERY_BEAT_SCHEDULE: dict = {
    # Sends what the on-commit task did not: its enqueue failed (broker down), or its send failed
    # and is due for a retry. Row locks keep the two from sending one message twice.
    "sweep-outbox": {
        "task": "copsgrants.tasks.sweep_outbox",
        "schedule": 60.0,
        # A sweep that waited out a worker outage in the queue is stale: the next one is coming.
        "options": {"expires": 50},
    },
    "purge-sent-email": {
        "task": "copsgrants.tasks.purge_sent_email",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 60 * 60},
    },
    # Letters whose enqueue failed or whose worker died (applications.tasks.sweep_letters).
    "sweep-letters": {
        "task": "applications.tasks.sweep_letters",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Certificates whose enqueue failed or whose worker died (training.tasks.sweep_certificates).
    "sweep-certificates": {
        "task": "training.tasks.sweep_certificates",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Offered awards left unanswered past their acceptance deadline become expired.
    "expire-awards": {
        "task": "applications.tasks_acceptance.expire_overdue_awards",
        "schedule": 60 * 60.0,
        "options": {"expires": 50 * 60},
    },
    # MOU reminders 30 and 7 days before the due date and the day after it (once each).
    "mou-reminders": {
        "task": "mou.tasks.send_mou_reminders",
        "schedule": 60 * 60.0,
        "options": {"expires": 50 * 60},
    },
}
