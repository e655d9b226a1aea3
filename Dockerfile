# syntax=docker/dockerfile:1
# One image for the migrate job, web server, Celery worker and beat (see docker-compose.yml).

# --- Stage 1: USWDS from the npm registry (compiled front-end assets are never committed) ---
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- Stage 2: the application ---
FROM python:3.11-slim-bookworm

# PYTHONPATH: the code runs from /app (settings find templates/, static/ and node_modules/ beside
# it), so gunicorn, celery and manage.py all import the same copy.
# STATIC_ROOT sits outside var/ so a volume mounted under var/ can never hide the collected files.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media

# WeasyPrint's native libraries: Pango for layout, HarfBuzz's subsetter so PDFs embed only the glyphs
# they use (about 3x faster letters), and fonts, since slim images ship none. fontconfig builds the
# font cache at install time; the app user could not write one at runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fontconfig \
        fonts-dejavu-core \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Runtime dependencies only (pyproject's [project].dependencies, no dev extras), pinned by
# constraints.txt. Installed before the code is copied so a code change reuses this layer.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Only dist/ is served, but the package keeps its licence beside it.
COPY --from=assets /build/node_modules/@uswds /app/node_modules/@uswds
COPY . .

# WhiteNoise's manifest storage needs the hashed files at build time. Settings refuse to load with
# DEBUG off and no secret key, so this one step gets a placeholder that never reaches runtime.
# The code stays root-owned (read-only to the app); only var/ (media, sqlite fallback) is writable.
RUN DJANGO_SECRET_KEY=collectstatic-only-placeholder-never-used-at-runtime-0123456789 \
        DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

# No curl in the slim image: python's urllib. A 503 (database or broker down) raises, so the check
# fails. The Host header is the first DJANGO_ALLOWED_HOSTS entry, so the check passes whatever host
# names a deployment allows ("*" and ".example.gov" forms included).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as r; h = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.').replace('*', 'localhost') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=8)"

# Gunicorn's options live in GUNICORN_CMD_ARGS so this CMD and the compose web service (which
# migrates first) share them; options given on the command line win. Workers: WEB_CONCURRENCY.
# --no-control-socket: gunicorn 25.1+ otherwise tries to create one under $HOME, which is read-only.
# PDFs are rendered by the worker, never in a request, so 60 s is a generous timeout.
ENV WEB_CONCURRENCY=3 \
    GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000 --timeout=60 --graceful-timeout=30 --keep-alive=5 --max-requests=1000 --max-requests-jitter=100 --worker-tmp-dir=/dev/shm --access-logfile=- --error-logfile=- --no-control-socket"

CMD ["gunicorn", "copsgrants.wsgi:application"]
