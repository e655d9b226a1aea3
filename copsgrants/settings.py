"""Settings for copsgrants: one file, read from the environment.

Every name is documented in README.md ("Configuration"). Malformed values raise
ImproperlyConfigured at start-up instead of falling back silently.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_flag(name: str, *, default: bool) -> bool:
    """A strict boolean: "maybe" is an error, not False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}")


DEBUG = env_flag("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a random string of 50+ characters, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-on-0123456789"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # The same bar as Django's security.W009 check, enforced: a short key makes signed cookies,
    # password-reset links and CSRF tokens guessable.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use a random string of at least 50 characters with at "
        "least 5 different characters."
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "copsgrants",
    "applications",
    "mou",
    "training",
    "copsgrants.admin_site.CopsAdminConfig",  # django.contrib.admin with our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "simple_history",
    "axes",
    "post_office",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL in the query string is a 400, not a PostgreSQL error (admin filters, searches).
    "copsgrants.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has presented a second factor.
    "django_otp.middleware.OTPMiddleware",
    # Pages for a signed-in user, and the sign-in forms, are never stored by browsers or proxies.
    "copsgrants.middleware.NoStoreForSignedInUsersMiddleware",
    # Deny by default: every view needs a signed-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff, and users who turned two-step verification on, reach nothing else until they have.
    "copsgrants.mfa.SecondFactorGateMiddleware",
    # A multipart body far beyond the upload limit is refused (413) before it is read.
    "copsgrants.middleware.UploadTooLargeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "copsgrants.urls"
# A rejected form (its CSRF token no longer matches the session) explains itself and leads back.
CSRF_FAILURE_VIEW = "copsgrants.views.csrf_failure"
WSGI_APPLICATION = "copsgrants.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # Plain-text email bodies: rendered without HTML escaping, since nothing interprets them
        # as HTML ("Sheriff's Office" must not arrive as "Sheriff&#x27;s Office").
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: SQLite needs nothing installed; PostgreSQL in production and CI.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Concurrent saves wait for each other instead of failing with "database is locked": WAL lets
    # readers run beside the one writer, and BEGIN IMMEDIATE takes the write lock when a
    # transaction starts (a deferred transaction that reads, then writes, cannot wait for it).
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options.setdefault("timeout", 20)
    _sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "copsgrants.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "applications:dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# Email verification (copsgrants/verification.py): a new account signs in once its owner opens the
# link we email; the link works for 3 days, and a new one can be asked for every 5 minutes.
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
EMAIL_VERIFICATION_RESEND_INTERVAL = timedelta(minutes=5)

# Failed-login throttling (django-axes): 5 failures for one account from one address lock it
# for 15 minutes; a correct password does not get through while locked.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# Multi-factor authentication (django-otp): every staff user, and anyone who turned it on, presents
# a code from an authenticator app (TOTP) or a one-time recovery code after the password
# (copsgrants/mfa.py). Failed codes wait 1, 2, 4, 8 ... seconds (django-otp's throttle).
OTP_TOTP_ISSUER = "COPS Grants"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Secrets never appear in the admin: a superuser deletes a lost device, its owner enrols anew.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = False
USE_TZ = True

# Static files: USWDS comes from the npm registry (node_modules/), never from a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
USWDS_DIST = BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (f"uswds/{part}", USWDS_DIST / part) for part in ("css", "fonts", "img", "js")
]

# In development (and the test suite) WhiteNoise looks files up on demand instead of indexing
# thousands of USWDS files each time the middleware loads.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "filesystem":
    # Private files: no base_url, so nothing under MEDIA_ROOT has a public URL;
    # downloads go through views that check permission.
    PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
elif STORAGE_BACKEND == "s3":
    # Every web and worker host shares one bucket (AWS, MinIO, ...): no file lives on one host's
    # disk. Objects are private; downloads stream through the permission-checked views, so no
    # object URL is ever handed out.
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            # Unset: boto3's usual chain (instance or task role, ~/.aws, ...).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            # "path" for servers without per-bucket host names (MinIO, moto); AWS takes "virtual".
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),
            "location": env.str("AWS_LOCATION", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if PRIVATE_STORAGE["OPTIONS"]["addressing_style"] not in {None, "auto", "path", "virtual"}:
        raise ImproperlyConfigured("AWS_S3_ADDRESSING_STYLE must be auto, path or virtual.")
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}"
    )

STORAGES = {
    "default": PRIVATE_STORAGE,
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads (MOUs): the largest file accepted, enforced while the body streams in
# (copsgrants/uploads.py); a multipart request declaring more than twice that plus 1 MB is
# refused with a 413 before it is read.
UPLOAD_MAX_MB = env.int("UPLOAD_MAX_MB", default=20)
if UPLOAD_MAX_MB < 1:
    raise ImproperlyConfigured("UPLOAD_MAX_MB must be 1 or more (megabytes).")
UPLOAD_MAX_BYTES = UPLOAD_MAX_MB * 1024 * 1024
# An uploaded MOU is parsed (pypdf) in a child process with this wall-time and memory limit
# (mou/pdf_check.py): a PDF bomb is refused as "too complex" instead of tying up a worker.
PDF_CHECK_SECONDS = env.int("PDF_CHECK_SECONDS", default=3)
PDF_CHECK_MEMORY_MB = env.int("PDF_CHECK_MEMORY_MB", default=512)
if PDF_CHECK_SECONDS < 1 or PDF_CHECK_MEMORY_MB < 128:
    raise ImproperlyConfigured(
        "PDF_CHECK_SECONDS must be 1 or more and PDF_CHECK_MEMORY_MB 128 or more."
    )
FILE_UPLOAD_HANDLERS = [
    "copsgrants.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Email: console in development, SMTP via EMAIL_URL (smtp://user:pass@host:587) in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# The public address of the site, for links in email (a worker has no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="COPS Grants <no-reply@copsgrants.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A worker sends while holding the message's row lock: a silent mail server must not keep it.
EMAIL_TIMEOUT = 30

# The outbox (django-post-office, see copsgrants/email.py): every message is an Email row committed
# with the change that caused it, then sent by copsgrants.tasks.deliver_email after the commit, or
# by the sweep_outbox task that beat runs every minute. No BACKENDS entry: delivery goes through
# EMAIL_BACKEND above (from EMAIL_URL; locmem in tests).
POST_OFFICE = {
    # post_office's own Celery hook publishes on commit without catching a broker error, which would
    # turn an outage into a 500 after the change has committed; copsgrants.email enqueues instead.
    "CELERY_ENABLED": False,
    # A failed send is tried again 10 minutes later, up to 12 times (two hours), then marked failed
    # (requeue it from the admin). /healthz reports mail stuck longer than OUTBOX_MAX_AGE_MINUTES.
    "MAX_RETRIES": 12,
    "RETRY_INTERVAL": timedelta(minutes=10),
}
OUTBOX_MAX_AGE_MINUTES = env.int("OUTBOX_MAX_AGE_MINUTES", default=15)
if OUTBOX_MAX_AGE_MINUTES < 1:
    raise ImproperlyConfigured("OUTBOX_MAX_AGE_MINUTES must be 1 or more (minutes).")
# Sent email is kept this long (to answer "did they get it?"), then deleted: bodies carry
# password-reset links and personal details that need not live forever.
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=30)
if OUTBOX_KEEP_SENT_DAYS < 4:
    # Shorter than a password-reset link's life would delete mail a user may still act on.
    raise ImproperlyConfigured("OUTBOX_KEEP_SENT_DAYS must be 4 or more (days).")

# Screening: data checks on each submitted application's figures (applications/flags.py). A
# figure is flagged when it is outside these plausible bounds, or when it lies more than
# SCREENING_OUTLIER_MADS median absolute deviations from the median of the solicitation's other
# applications (only once there are SCREENING_OUTLIER_MIN_PEERS of them). Rates are per 1,000
# residents; the others are percentages.


def env_decimal(name: str, *, default: str) -> Decimal:
    raw = env.str(name, default=default)
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not value.is_finite():
        raise ImproperlyConfigured(f"{name} must be a finite number, not {raw!r}")
    return value


SCREENING_MAX_CRIMES_PER_1000 = env_decimal("SCREENING_MAX_CRIMES_PER_1000", default="300")
SCREENING_MIN_OFFICERS_PER_1000 = env_decimal("SCREENING_MIN_OFFICERS_PER_1000", default="0.5")
SCREENING_MAX_OFFICERS_PER_1000 = env_decimal("SCREENING_MAX_OFFICERS_PER_1000", default="10")
SCREENING_MIN_BUDGET_CHANGE = env_decimal("SCREENING_MIN_BUDGET_CHANGE", default="-50")
SCREENING_MAX_BUDGET_CHANGE = env_decimal("SCREENING_MAX_BUDGET_CHANGE", default="50")
SCREENING_MAX_UNEMPLOYMENT = env_decimal("SCREENING_MAX_UNEMPLOYMENT", default="25")
SCREENING_MAX_POVERTY = env_decimal("SCREENING_MAX_POVERTY", default="50")
SCREENING_OUTLIER_MADS = env_decimal("SCREENING_OUTLIER_MADS", default="3")
SCREENING_OUTLIER_MIN_PEERS = env.int("SCREENING_OUTLIER_MIN_PEERS", default=5)
if SCREENING_MIN_OFFICERS_PER_1000 > SCREENING_MAX_OFFICERS_PER_1000:
    raise ImproperlyConfigured(
        "SCREENING_MIN_OFFICERS_PER_1000 must not exceed SCREENING_MAX_OFFICERS_PER_1000."
    )
if SCREENING_MIN_BUDGET_CHANGE > SCREENING_MAX_BUDGET_CHANGE:
    raise ImproperlyConfigured(
        "SCREENING_MIN_BUDGET_CHANGE must not exceed SCREENING_MAX_BUDGET_CHANGE."
    )
if SCREENING_OUTLIER_MADS <= 0 or SCREENING_OUTLIER_MIN_PEERS < 1:
    raise ImproperlyConfigured(
        "SCREENING_OUTLIER_MADS must be above 0 and SCREENING_OUTLIER_MIN_PEERS at least 1."
    )

# Reviews: how many reviewers the "Assign reviewers" action gives each application, and whether a
# reviewer whose home state is the agency's is never assigned (a conflict avoided up front).
REVIEWERS_PER_APPLICATION = env.int("REVIEWERS_PER_APPLICATION", default=2)
if not 1 <= REVIEWERS_PER_APPLICATION <= 10:
    raise ImproperlyConfigured("REVIEWERS_PER_APPLICATION must be between 1 and 10.")
REVIEWER_SAME_STATE_CONFLICT = env_flag("REVIEWER_SAME_STATE_CONFLICT", default=True)

# Funding plans: a plan is approved by a grants manager other than the one who drafted it (turn off
# only where one manager works alone). The 0.5% state minimum is the statute's, on each plan.
FUNDING_PLAN_SECOND_APPROVER = env_flag("FUNDING_PLAN_SECOND_APPROVER", default=True)

# Celery: Redis in production and CI; kombu's filesystem transport when nothing is configured, so
# `make run` has a real worker without any server installed.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "filesystem://", "memory://")):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be a redis://, rediss:// or filesystem:// URL, "
        f"not {CELERY_BROKER_URL!r}"
    )
CELERY_BROKER_FOLDER = Path(env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "celery-broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("processed", "control"):
        (CELERY_BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"visibility_timeout": 3600}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Autodiscovery imports each app's tasks.py only; these modules hold tasks too.
CELERY_IMPORTS = ("applications.tasks_acceptance",)
# What beat runs (the outbox and letter sweeps, reminders): copsgrants/beat_schedule.py.
from copsgrants.beat_schedule import CELERY_BEAT_SCHEDULE  # noqa: E402, F401

# The cache: shared by every web and worker host when CACHE_URL (else REDIS_URL) names a Redis
# server; a per-process memory cache otherwise. Sessions and django-axes use the database.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// or rediss:// URL, not {CACHE_URL!r}")
_redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
_memory_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
CACHES = {"default": _redis_cache if CACHE_URL else _memory_cache}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Letters (applications/letters.py, rendered by applications.tasks.render_award_letter).
# A letter takes ~0.2 s (~0.5 s without libharfbuzz-subset0); the soft limit marks a hung render
# failed, the hard limit kills it. The sweep re-enqueues a letter PENDING for longer than
# LETTER_PENDING_SWEEP_MINUTES, or RENDERING for longer than the hard limit.
LETTER_SOFT_TIME_LIMIT = env.int("LETTER_SOFT_TIME_LIMIT", default=60)
LETTER_TIME_LIMIT = env.int("LETTER_TIME_LIMIT", default=90)
if not 0 < LETTER_SOFT_TIME_LIMIT < LETTER_TIME_LIMIT:
    raise ImproperlyConfigured("LETTER_SOFT_TIME_LIMIT must be in 1..LETTER_TIME_LIMIT-1.")
LETTER_PENDING_SWEEP_MINUTES = env.int("LETTER_PENDING_SWEEP_MINUTES", default=5)
# A backstop against leaks: a worker child past this resident size (KiB) is replaced after a task.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=400_000)
# Two Authorized Representatives sign within this many days of the letter date; an SRO award's
# MOU is due this many days after it (DOMAIN.md).
AWARD_ACCEPTANCE_DAYS = env.int("AWARD_ACCEPTANCE_DAYS", default=45)
MOU_DUE_DAYS = env.int("MOU_DUE_DAYS", default=90)
LETTER_SIGNER_NAME = env.str("LETTER_SIGNER_NAME", default="Jordan A. Whitfield")
LETTER_SIGNER_TITLE = env.str("LETTER_SIGNER_TITLE", default="Director")

# Security. With DEBUG off these satisfy `manage.py check --deploy`.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ("uswds",)
CRISPY_TEMPLATE_PACK = "uswds"
CRISPY_FAIL_SILENTLY = not DEBUG

# When set, tests that need PostgreSQL, Redis or Chromium fail instead of skipping (CI sets it).
REQUIRE_SERVICES = env_flag("COPSGRANTS_REQUIRE_SERVICES", default=False)

# OpenID Connect sign-in (Login.gov or another provider, mozilla-django-oidc): off unless
# OIDC_RP_CLIENT_ID is set. The OIDC_* variables are read and checked in copsgrants/oidc_config.py.
from copsgrants.oidc_config import oidc_settings  # noqa: E402

vars().update(oidc_settings(env, backends=AUTHENTICATION_BACKENDS))
# Security keys (WebAuthn) as a second factor: the relying party is SITE_URL's host.
from copsgrants.webauthn_config import webauthn_settings  # noqa: E402

vars().update(webauthn_settings(SITE_URL))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each layout step of each PDF at INFO; refused URLs still show (WARNING).
        "weasyprint.progress": {"level": "WARNING"},
        # Configured here so post_office does not add a second handler of its own.
        "post_office": {"handlers": ["console"], "propagate": False},
    },
}
