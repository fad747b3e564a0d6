# The production image: one image for the web (gunicorn), the Celery worker and Celery beat.
#   docker build -t nhs-mentoring .
# docker-compose.yml shows how the processes fit together.

# --- Front end: NHS.UK frontend compiled from SCSS, vendor assets copied into static/ ---------------
FROM node:20-bookworm-slim AS static
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/build_static.sh scripts/
COPY static/ static/
RUN bash scripts/build_static.sh

# --- Application -------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF exports) needs Pango and HarfBuzz from the system, and fonts to draw with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
        fonts-liberation2 \
        shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
COPY --from=static /src/static/css/ static/css/
COPY --from=static /src/static/vendor/ static/vendor/
# The package itself (its dependencies are in already). The processes run from /app, which comes
# first on the path, so settings find templates/ and static/ beside manage.py.
RUN pip install --no-deps . && rm -rf build ./*.egg-info

ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=mentoring.settings \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    WEB_CONCURRENCY=3

# Static files are collected into the image. The build-time key and var/ are thrown away: the
# real SECRET_KEY only ever comes from the environment at run time.
RUN SECRET_KEY=build-only-not-secret VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var /app/media \
    && chown app:app /app/var /app/media

USER app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py", "web"]

# Workers from WEB_CONCURRENCY; FORWARDED_ALLOW_IPS is read by gunicorn from the environment.
CMD ["gunicorn", "mentoring.wsgi", "--bind", "0.0.0.0:8000", "--timeout", "60", \
     "--access-logfile", "-", "--error-logfile", "-"]
