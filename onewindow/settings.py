"""Settings for OneWindow, read from the environment (DESIGN.md convention 8).

Every setting has a safe default for the demo (embedded SQLite, DEBUG on localhost only).
Secrets may be given as ``NAME_FILE`` pointing at a file (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read ``name`` from the environment, or from the file named by ``name_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in (env(name) or default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO_SECRET = "onewindow-demo-secret-not-for-production-0123456789abcdef"
SECRET_KEY = env("SECRET_KEY") or DEMO_SECRET
if not DEBUG and SECRET_KEY == DEMO_SECRET and env_bool("ONEWINDOW_PRODUCTION", False):
    raise RuntimeError("SECRET_KEY must be set in production (ONEWINDOW_PRODUCTION=1)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "onewindow.common",
    "onewindow.audit",
    "onewindow.org",
    "onewindow.workdays",
    "onewindow.catalog",
    "onewindow.bundles",
    "onewindow.notify",
    "onewindow.cases",
    "onewindow.supervision",
    "onewindow.licences",
    "onewindow.ranking",
    "onewindow.ratings",
    "onewindow.portal",
    "onewindow.backoffice",
    "onewindow.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"
ASGI_APPLICATION = "onewindow.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "onewindow" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://... or sqlite:///path); default an embedded SQLite file.
SQLITE_PATH = BASE_DIR / "var" / "onewindow.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0") or 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL journal, a busy timeout and IMMEDIATE transactions: concurrent writers wait
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["onewindow.org.auth.OneWindowBackend"]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "onewindow" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "onewindow" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production sets STATIC_MANIFEST=1 after `collectstatic` for hashed, cacheable names.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Notifications after commit: "inline" (sent by the request after commit), "task" (the
# db_worker sends them) or "outbox" (left for the periodic `manage.py notify_send_pending`;
# for high request volumes). See docs/notify.md.
NOTIFY_SEND_MODE = env("NOTIFY_SEND_MODE", "inline")
# where the file SMS adapter writes (default var/outbox; docs/notify.md)
NOTIFY_OUTBOX_DIR = Path(env("NOTIFY_OUTBOX_DIR") or BASE_DIR / "var" / "outbox")
if NOTIFY_SEND_MODE not in ("inline", "task", "outbox"):
    raise ImproperlyConfigured(f"NOTIFY_SEND_MODE: {NOTIFY_SEND_MODE!r} (inline, task, outbox)")

# Background work: Django's tasks API on the database backend (enqueueing is transactional;
# `manage.py db_worker` runs them). A broker backend can replace it without changing task code.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "sweeps", "notifications"],
    }
}

# E-mail (the notify app's email channel), Django 6.1 MAILERS: files in var/outbox/email
# for the demo; EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS in production.
EMAIL_BACKEND_PATH = env("EMAIL_BACKEND") or "django.core.mail.backends.filebased.EmailBackend"
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {"file_path": env("EMAIL_FILE_PATH") or str(BASE_DIR / "var" / "outbox" / "email")}
            if EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend")
            else {
                "host": env("EMAIL_HOST", "localhost"),
                "port": int(env("EMAIL_PORT", "25") or 25),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@onewindow.invalid")

# OneWindow's own settings.
ONEWINDOW = {
    # The 12-digit administrative area code of the district this installation serves.
    "AREA_CODE": env("ONEWINDOW_AREA_CODE", "500102000000"),
    "AREA_NAME": env("ONEWINDOW_AREA_NAME", "示范区"),
    "CENTRE_NAME": env("ONEWINDOW_CENTRE_NAME", "示范区政务服务中心"),
    # The public address of the platform (QR codes on licences point here), no trailing slash.
    "PUBLIC_URL": (env("ONEWINDOW_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
}

# Traffic-light supervision (docs/supervision.md): yellow at <= 20% of the promised limit or
# <= 1 working day (hour limits: 1 working hour) left, whichever comes first; escalation
# after 3 working days without movement once red; alerts "inline" | "task" | "off".
SUPERVISION = {
    "YELLOW_PERCENT": int(env("SUPERVISION_YELLOW_PERCENT", "20") or 20),
    "YELLOW_MIN_WORKDAYS": 1,
    "YELLOW_MIN_HOURS": 1,
    "ESCALATE_AFTER_WORKDAYS": int(env("SUPERVISION_ESCALATE_AFTER_WORKDAYS", "3") or 3),
    "ALERTS": env("SUPERVISION_ALERTS", "inline"),
}
