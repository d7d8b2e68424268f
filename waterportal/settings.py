"""Settings for waterportal: one file, configured from environment variables.

Development needs no configuration at all: SQLite in ``var/``, mail printed to the
terminal and kept in a development mailbox, tasks run inline. Production sets
``DEBUG=false`` and must then give a real ``SECRET_KEY``; everything
``manage.py check --deploy`` asks for is switched on by that one flag.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# django-environ parses typed values and URLs, and raises on a malformed value
# instead of silently falling back.
env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of 50 characters or more when DEBUG=false."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# The portal's public address, for links in emails (no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "waterportal",
    "waterportal.tenants",
    "waterportal.outbox",
    "waterportal.limits",
    "waterportal.audit",
    "waterportal.accounts",
    "waterportal.contracts",
    "waterportal.devices",
    "waterportal.billing",
    "waterportal.exchange",
    "waterportal.notices",
    "waterportal.helpcentre",
    "waterportal.inquiries",
    "waterportal.pwa",
    "waterportal.staff",
    "waterportal.api",
    # The staff console's second factor (TOTP, RFC 6238) and its recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # django-ninja: its interactive API documentation (development only) from the portal's
    # own static files, not a CDN (the CSP allows scripts from the portal alone).
    "ninja",
]

MIDDLEWARE = [
    # The request's id (X-Request-ID), town and account id for every log line.
    "waterportal.lib.request_context.RequestContextMiddleware",
    # Counts and times every answer for /metrics (waterportal.ops.metrics).
    "waterportal.ops.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Japanese unless the resident chose English (never the browser's Accept-Language).
    "waterportal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # user.is_verified(): whether this session passed the second factor (staff console).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "waterportal.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "waterportal.tenants.middleware.TenantMiddleware",
    # One line per request made with an app's token (inside the town's scope).
    "waterportal.api.middleware.AppRequestLogMiddleware",
    # The language a signed-in member chose, kept on the account for their emails.
    "waterportal.accounts.middleware.MemberLanguageMiddleware",
]

# Content-Security-Policy: scripts only from the portal's own files (none inline, no
# other site), so an injected <script> or event handler does not run; nothing may frame
# the portal or take a form elsewhere. Inline styles stay allowed: the error page carries
# its own (it must show even when static files do not) and charts and the development
# mailbox set style attributes; styles cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if not DEBUG:
    # Production serves collected static files itself (manage.py collectstatic);
    # development leaves it to runserver, which reads them where they are.
    MIDDLEWARE.insert(3, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "waterportal.urls"
WSGI_APPLICATION = "waterportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # The project's templates first (those in やさしい日本語 with their readings
            # marked: waterportal/lib/easy_japanese.py), then the apps' (the admin's).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "waterportal.lib.easy_japanese.TemplateLoader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waterportal.tenants.context_processors.tenant",
                "waterportal.ops.context_processors.version",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'waterportal.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reuse connections: opening one costs more than most pages' own queries.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A server that does not answer fails a page (and /readyz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, a worker and an import share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["waterportal.accounts.backends.TenantEmailBackend"]
LOGIN_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "waterportal.accounts.passwords.LengthValidator"},
    {"NAME": "waterportal.accounts.passwords.CharacterClassValidator"},
    {"NAME": "waterportal.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "waterportal.accounts.passwords.PersonalInfoValidator"},
]
# The email is unique per municipality, not globally; our backend looks members up by
# (tenant, email), so Django's "USERNAME_FIELD must be unique" warning does not apply.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

LANGUAGE_CODE = "ja"
# やさしい日本語 (plain Japanese, with readings): see waterportal/lib/easy_japanese.py. Its
# catalogue is locale/ja_Easy (Django's to_locale("ja-easy")); the pages still say lang="ja".
LANGUAGES = [("ja", "日本語"), ("ja-easy", "やさしい日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The footer's language switch (django.views.i18n.set_language) keeps the choice here for
# as long as the town's cookie; waterportal.middleware reads nothing else.
LANGUAGE_COOKIE_AGE = 400 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Sessions: 30 minutes idle, 12 hours in all (waterportal.accounts.middleware enforces both).
SESSION_IDLE_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
# The town's staff see many residents' data: their sessions end sooner.
STAFF_SESSION_ABSOLUTE_SECONDS = 8 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# How long Redis keeps its copy of a session after it was last written (waterportal.accounts.sessions).
SESSION_CACHE_SECONDS = 5 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "waterportal.views.csrf_failure"

# --- Mail
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="水道ポータル <noreply@localhost>")
DEV_MAILBOX_DIR = VAR_DIR / "mailbox"
_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    # django-environ reads the URL into Django's old EMAIL_* names; Django 6.1 takes
    # them as the options of a mailer.
    _smtp = env.email_url_config(_email_url)
    MAILERS = {
        "default": {
            "BACKEND": _smtp["EMAIL_BACKEND"],
            "OPTIONS": {
                "host": _smtp.get("EMAIL_HOST", "localhost"),
                "port": _smtp.get("EMAIL_PORT") or 25,
                "username": _smtp.get("EMAIL_HOST_USER") or None,
                "password": _smtp.get("EMAIL_HOST_PASSWORD") or None,
                "use_tls": bool(_smtp.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_smtp.get("EMAIL_USE_SSL")),
                "timeout": 10,
            },
        }
    }
elif DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "waterportal.lib.devmail.DevMailboxBackend",
            "OPTIONS": {"file_path": str(DEV_MAILBOX_DIR)},
        }
    }
else:
    raise ImproperlyConfigured("EMAIL_URL must be set when DEBUG=false (e.g. smtp://host:25).")

# --- Redis, cache and task queue. Without REDIS_URL tasks run inline (make run needs
# no extra service). Rate limits are counted in the database either way.
REDIS_URL = env.str("REDIS_URL", default="")
# Production refuses SQLite and a missing REDIS_URL (waterportal.ops.checks) unless this
# says that one small town is knowingly served from one machine, tasks run inline.
ALLOW_SINGLE_HOST = env.bool("ALLOW_SINGLE_HOST", default=False)
# Each process's own copy of the rows every request needs (waterportal.tenants.lookup).
TENANT_CACHE_SECONDS = env.int("TENANT_CACHE_SECONDS", default=30)
_process_cache = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "process",
    "TIMEOUT": TENANT_CACHE_SECONDS,
}
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "waterportal.lib.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that hangs must cost a page a second at most, not hang it: the backend
        # then answers from the database (see waterportal.lib.redis_cache).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    CACHES = {
        "default": _redis_cache,
        # The member's rendered contract cards ({% cache %} uses this alias by name),
        # shared by every process so that an import invalidates them everywhere.
        "template_fragments": _redis_cache | {"KEY_PREFIX": "fragments"},
        "process": _process_cache,
    }
    # Sessions read from Redis and written through to the database, so a restart of
    # Redis signs nobody out (and Redis down signs nobody out either: waterportal.accounts.sessions).
    SESSION_ENGINE = "waterportal.accounts.sessions"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Without a cache that every process shares, rendered cards are not kept: one
        # process could not tell another that an import changed them.
        "template_fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "process": _process_cache,
    }
HOME_CACHE_SECONDS = env.int("HOME_CACHE_SECONDS", default=10 * 60)
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No task's result is ever read: without a result backend, queueing a task never waits
# on one (Celery's Redis result backend retries for 20 s when Redis is down).
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# send_email and send_tenant_email live in waterportal.emails, send_push in
# waterportal.devices.push and the heartbeat in waterportal.ops.tasks, which autodiscovery (it looks for <app>.tasks) does not find.
CELERY_IMPORTS = ["waterportal.emails", "waterportal.devices.push", "waterportal.ops.tasks"]
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Where beat keeps when each entry last ran: outside the code (and the container image),
# on a disk that survives a restart (deploy/README.md).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILE", default=str(VAR_DIR / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    # "A worker answered": /readyz reads the time (waterportal.ops.health).
    "worker-heartbeat": {
        "task": "waterportal.ops.tasks.heartbeat",
        "schedule": 60.0,
    },
    "activate-links": {
        "task": "waterportal.contracts.tasks.activate_links",
        "schedule": crontab(hour=0, minute=5),
    },
    # Looks at members' bills wait in Redis for this (waterportal.audit.looks).
    "store-looks": {
        "task": "waterportal.audit.tasks.store_looks",
        "schedule": 10.0,
    },
    "purge-expired": {
        "task": "waterportal.accounts.tasks.purge_expired",
        "schedule": crontab(hour=3, minute=30),
    },
    "sweep-abandoned-imports": {
        "task": "waterportal.exchange.tasks.sweep_abandoned_runs",
        "schedule": crontab(minute="*/5"),
    },
    # The new-bill emails' own task, not a step of the sweep above: that one passes over a tenant
    # while an import runs, and an error in either must not stop the other.
    "sweep-missed-notifications": {
        "task": "waterportal.exchange.tasks.sweep_missed_notifications",
        "schedule": crontab(minute="*/5"),
    },
    # Important notices whose scheduled start has come (or whose own task was lost) are
    # emailed within a minute; each member at most once (waterportal.notices.actions).
    "sweep-notice-mail": {
        "task": "waterportal.notices.tasks.sweep_notice_mail",
        "schedule": crontab(minute="*"),
    },
    # Each town's 管理者 get the customer-number locks made since the last list.
    "report-number-locks": {
        "task": "waterportal.staff.tasks.report_number_locks",
        "schedule": crontab(hour=8, minute=30),
    },
    # Each town's 管理者 get the inquiries waiting longer than the town's target.
    "report-overdue-inquiries": {
        "task": "waterportal.inquiries.tasks.report_overdue_inquiries",
        "schedule": crontab(hour=8, minute=30),
    },
    "forget-report-values": {
        "task": "waterportal.exchange.tasks.forget_report_values",
        "schedule": crontab(hour=3, minute=40),
    },
}
# Mail retries: the first after EMAIL_RETRY_DELAY seconds, doubling up to an hour; 60
# tries cover more than two days of mail-server outage.
EMAIL_RETRY_DELAY = env.int("EMAIL_RETRY_DELAY", default=30)
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=60)

# --- The outbox and the beat (docs/architecture.md, "Mail: the outbox"). Every email is a
# database row first; Redis only wakes the workers, and the sweep sends what is unsent.
# A worker's claim on the rows it sends: past it, a worker presumed dead, the sweep takes them.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=30.0)
# Rows per wake-up task and per claim.
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=100)
# Sent rows hold addresses and messages: deleted this many days after they were settled.
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
OUTBOX_MESSAGE_ID_DOMAIN = env.str(
    "OUTBOX_MESSAGE_ID_DOMAIN", default=urlsplit(SITE_URL).hostname or "localhost"
)
CELERY_BEAT_SCHEDULE |= {
    "sweep-outbox": {
        "task": "waterportal.emails.sweep_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    "purge-outbox": {
        "task": "waterportal.emails.purge_outbox",
        "schedule": crontab(hour=3, minute=50),
    },
}
# Each periodic task fires once per slot however many beats run (waterportal.lib.beat).
CELERY_BEAT_SCHEDULER = "waterportal.lib.beat:LockedScheduler"
# Tests only: the schedule is one probe, published every BEAT_PROBE_SECONDS on its own
# queue ("beat-probe"), which no worker reads (waterportal/tests/test_beat.py).
if _beat_probe := env.float("BEAT_PROBE_SECONDS", default=0.0):
    CELERY_BEAT_SCHEDULE = {
        "beat-probe": {
            "task": "waterportal.beat_probe",
            "schedule": _beat_probe,
            "options": {"queue": "beat-probe"},
        }
    }

# --- Web Push (RFC 8030, VAPID RFC 8292): the portal's key pair signs each push message.
# WEBPUSH_VAPID_PRIVATE_KEY is the private key as PEM or as the base64url of its 32 raw
# bytes (what `npx web-push generate-vapid-keys` prints). Without it push is off, except
# in development (DEBUG), where a key is made once into var/ at first use
# (waterportal.devices.push). A malformed key is a system check error.
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_DEV_KEY_FILE = VAR_DIR / "webpush-vapid.pem" if DEBUG else None
# Whom a push service may contact about the portal's messages: mailto: or https:
# (empty: SITE_URL when it is https, or a development address under DEBUG).
WEBPUSH_VAPID_SUBJECT = env.str("WEBPUSH_VAPID_SUBJECT", default="")
# The portal POSTs to the address a browser gives it: only https:// addresses of these
# hosts (the browsers' push services; "*." also takes every subdomain; "host:port" a
# port other than 443) are accepted, so no one can make it call anything else.
WEBPUSH_ALLOWED_HOSTS = env.list(
    "WEBPUSH_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        "*.push.apple.com",
        "*.notify.windows.com",
    ],
)
# Push retries (429, 5xx, no answer): the first after WEBPUSH_RETRY_DELAY seconds,
# doubling up to an hour, or after the push service's Retry-After when it gives one.
WEBPUSH_RETRY_DELAY = env.int("WEBPUSH_RETRY_DELAY", default=30)
WEBPUSH_MAX_RETRIES = env.int("WEBPUSH_MAX_RETRIES", default=10)

# --- Uploads
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Exchange files uploaded by staff larger than this are refused before they are read.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
# Where the staff console keeps an uploaded exchange file until the worker has imported
# it (then it is removed). In production the web and the worker must share it.
IMPORT_UPLOAD_DIR = Path(env.str("IMPORT_UPLOAD_DIR", default=str(VAR_DIR / "uploads")))

# The result of the browser suite's axe-core run (e2e/conftest.py writes it at the end of
# a run), shown on each town's アクセシビリティ方針 page; absent until the suite has run.
ACCESSIBILITY_REPORT = Path(
    env.str("ACCESSIBILITY_REPORT", default=str(VAR_DIR / "accessibility.json"))
)

# --- Logging: never passwords, codes or full names; the formatter below gets only
# what the code chose to log, and the code logs ids, not personal data. Every line has the
# request's id, town and account id (waterportal.lib.request_context). LOG_FORMAT=json:
# one JSON object a line, its time in ISO 8601 and UTC (waterportal.lib.json_log).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "waterportal.lib.json_log.formatter"},
        # runserver's access lines, as Django prints them.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {
        "hide_link_secrets": {"()": "waterportal.lib.log_filters.HideLinkSecrets"},
        "request_context": {"()": "waterportal.lib.request_context.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    # Every handler that can print a path hides the secrets in it (HideLinkSecrets).
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["hide_link_secrets", "request_context"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["hide_link_secrets", "request_context"],
        },
        # Django's error mail to ADMINS, as by default (its subject holds the path).
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "hide_link_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (DEFAULT_LOGGING's console, under DEBUG) would print the
        # paths of 404s unfiltered: its loggers use the filtered ones instead.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Inline tasks (no REDIS_URL) would log a line per mail and warn about the
        # in-memory broker; a real worker logs with its own -l flag.
        "celery.app.trace": {"level": "INFO" if REDIS_URL else "WARNING"},
        "kombu.connection": {"level": "INFO" if REDIS_URL else "ERROR"},
        # WeasyPrint logs each step of every statement PDF it draws; its warnings stay.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- Error reports to Sentry when SENTRY_DSN is set (waterportal.ops.sentry: nothing
# personal, the release is the portal's version).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str(
    "SENTRY_ENVIRONMENT", default="production" if not DEBUG else "development"
)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)

# --- Metrics for Prometheus at /metrics (waterportal.ops.metrics): for a scraper that sends
# "Authorization: Bearer <METRICS_TOKEN>", or from an address of METRICS_ALLOWED_NETWORKS
# (CIDR, comma-separated). With neither, /metrics is a 404 in production. Several gunicorn
# workers: set PROMETHEUS_MULTIPROC_DIR to an empty directory (deploy/gunicorn.conf.py).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])

# How many proxies in front of the portal append to X-Forwarded-For; the per-source
# rate limits read the client's address from it (waterportal.lib.sources.client_ip).
# Production runs behind one TLS proxy (SECURE_PROXY_SSL_HEADER below).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)

# --- Production hardening: everything `manage.py check --deploy` asks for.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The probes are asked over plain HTTP by the load balancer and the orchestrator.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser keeps these cookies only if they are Secure, for path / and
    # with no Domain, so no other host (a subdomain, a cookie-setting neighbour) can set
    # or overwrite them. Development over plain http keeps the plain names.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"


def _totp_issuer(device) -> str:
    """The name an authenticator app shows beside the staff member's codes."""
    tenant = getattr(device.user, "tenant", None)
    return f"{tenant.name} 水道ポータル" if tenant is not None else "水道ポータル"


OTP_TOTP_ISSUER = _totp_issuer
