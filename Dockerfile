# Production image of the emergency portal. All configuration comes from the environment
# at run time (see .env.example); nothing secret is baked in.
#
#   docker build -t emergency-portal .
#   docker compose up -d            (see docker-compose.yml)
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=emergency.settings \
    MEDIA_ROOT=/data/media

# gettext: compilemessages. fonts-noto-cjk: Chinese text in generated PDFs; fonts-arphic-ukai: the
# Kaiti (楷体) of a document's 签发人 (GB/T 9704; reporting/documents.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-noto-cjk fonts-arphic-ukai \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal \
    && useradd --system --gid portal --create-home --home-dir /home/portal --shell /usr/sbin/nologin portal

WORKDIR /app

# Requirements first, so a code change does not reinstall every package.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code stays owned by root: the portal user can read it but not change it.
COPY . .

# Build-time only: settings refuse to import with DEBUG off unless SECRET_KEY and
# ALLOWED_HOSTS are set, so dummy values are given on these two lines and nowhere else.
# `mkdir -p locale`: an empty locale/ is not kept by git, and compilemessages stops when
# it finds no locale directory at all.
RUN mkdir -p locale \
    && DEBUG=false SECRET_KEY=build-only-not-a-secret-0123456789abcdef ALLOWED_HOSTS=build \
       python manage.py compilemessages
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret-0123456789abcdef ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput

# Writable run-time data, owned by the portal user so named volumes mounted here start
# out writable: uploads and generated files (MEDIA_ROOT) and the beat schedule.
RUN mkdir -p /data/media /data/beat && chown -R portal:portal /data
VOLUME ["/data/media"]

USER portal
EXPOSE 8000
# Worker processes: gunicorn reads WEB_CONCURRENCY itself (about 2 per core; set it at run time).
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "emergency.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
