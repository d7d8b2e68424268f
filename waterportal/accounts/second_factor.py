"""Which of an account's second-factor devices a typed 確認コード is meant for.

Staff and the operator have two: the authenticator app (django-otp's TOTP device, 6
digits) and their recovery codes (10 letters and digits). The code's shape says which
to check, and only that one is checked: trying each in turn would count a failure
against the other (django-otp throttles each device on its failures), so a right TOTP
code would slow the next use of a recovery code, and the other way round.
"""

import unicodedata

from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

WRONG_CODE = (
    "確認コードが正しくありません。認証アプリに今表示されている6桁の数字を入力してください。"
)


def tidy_code(typed: str) -> str:
    """What was typed, as it was shown or printed: full-width characters, capitals,
    spaces and hyphens are all forgiven."""
    return "".join(c for c in unicodedata.normalize("NFKC", typed or "").lower() if c.isalnum())


def device_for(user, typed: str) -> Device | None:
    code = tidy_code(typed)
    wants_totp = code.isdigit() and len(code) == 6
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice) == wants_totp:
            return device
    return None


def verify(user, typed: str) -> Device | None:
    """The device that accepted the code, or None (the failure counted on that device)."""
    device = device_for(user, typed)
    if device is None:
        return None
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return None
    return device if device.verify_token(tidy_code(typed)) else None
