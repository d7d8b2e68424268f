"""System checks of the Web Push settings: a key that is set must work, or the portal
does not start (``manage.py check``, runserver, migrate); no key is no push, not an error."""

from django.conf import settings
from django.core.checks import Error, register

from waterportal.devices import push


@register()
def check_vapid_key(app_configs, **kwargs) -> list[Error]:
    if not settings.WEBPUSH_VAPID_PRIVATE_KEY:
        return []
    errors = []
    try:
        push.parse_private_key(settings.WEBPUSH_VAPID_PRIVATE_KEY)
    except push.InvalidVapidKey as exc:
        errors.append(
            Error(
                f"WEBPUSH_VAPID_PRIVATE_KEY is not a usable VAPID key: {exc}.",
                hint="Give the P-256 private key as PEM, or as the base64url of its 32 "
                "raw bytes (npx web-push generate-vapid-keys prints one); or unset it "
                "to turn push notifications off.",
                id="devices.E001",
            )
        )
    subject = push.subject()
    if not subject.startswith(("mailto:", "https://")):
        errors.append(
            Error(
                "WEBPUSH_VAPID_SUBJECT must be a mailto: or https: address when "
                "WEBPUSH_VAPID_PRIVATE_KEY is set.",
                hint="For example mailto:webmaster@city.example.jp; push services use it "
                "to contact the portal's operator.",
                id="devices.E002",
            )
        )
    for entry in settings.WEBPUSH_ALLOWED_HOSTS:
        host, _, port = entry.strip().partition(":")
        if not host or "/" in entry or (port and not port.isdigit()):
            errors.append(
                Error(
                    f"WEBPUSH_ALLOWED_HOSTS has an entry that is not a host: {entry!r}.",
                    hint="Host names only, such as fcm.googleapis.com or *.notify.windows.com.",
                    id="devices.E003",
                )
            )
    return errors
