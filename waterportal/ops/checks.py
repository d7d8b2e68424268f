"""System checks that refuse production settings that would lose data or mail.

Errors, not warnings: ``manage.py migrate``, ``runserver`` and ``check`` stop on them, so
a misconfigured production host does not start. ``ALLOW_SINGLE_HOST=true`` is the one
knowing exception: a single small town on one machine, SQLite, tasks run inline.
"""

from django.conf import settings
from django.core.checks import Error, register

# Backends that keep mail on the machine instead of delivering it.
DEVELOPMENT_MAIL_BACKENDS = (
    "waterportal.lib.devmail.DevMailboxBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)


@register()
def check_production_settings(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    single_host = settings.ALLOW_SINGLE_HOST
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not single_host:
        errors.append(
            Error(
                "The database is SQLite while DEBUG=false.",
                hint="Set DATABASE_URL to the PostgreSQL database (postgres://…), or set "
                "ALLOW_SINGLE_HOST=true for one small town served from one machine.",
                id="ops.E001",
            )
        )
    if not settings.REDIS_URL and not single_host:
        errors.append(
            Error(
                "REDIS_URL is not set while DEBUG=false: tasks would run inside the web "
                "requests and every process would keep its own cache.",
                hint="Set REDIS_URL (redis://host:6379/0) and run a Celery worker, or set "
                "ALLOW_SINGLE_HOST=true for one small town served from one machine.",
                id="ops.E002",
            )
        )
    backends = {mailer.get("BACKEND") for mailer in settings.MAILERS.values()}
    for backend in sorted(b for b in backends if b in DEVELOPMENT_MAIL_BACKENDS):
        errors.append(
            Error(
                f"The email backend {backend} does not deliver mail while DEBUG=false.",
                hint="Set EMAIL_URL to the mail server (smtp://host:25 or "
                "submission://user:password@host:587).",
                id="ops.E003",
            )
        )
    return errors
