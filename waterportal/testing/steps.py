"""What a resident does on the portal, one function a step.

Registration's steps are as the town's guide shows them, for 太郎 (``TARO``) by default.
"""

from typing import Any

from waterportal.testing.browser import Portal
from waterportal.testing.mail import code_from_mail
from waterportal.testing.personas import STRONG_PASSWORD, TARO


def register_until_code(portal: Portal, email: str = TARO.email) -> Any:
    return portal.post("/register", {"email": email})


def verify(portal: Portal, email: str = TARO.email) -> Any:
    return portal.post("/register/code", {"code": code_from_mail(email)})


def profile(portal: Portal, name: str = TARO.name, password: str = STRONG_PASSWORD) -> Any:
    return portal.post(
        "/register/profile", {"name": name, "password1": password, "password2": password}
    )


def contract(portal: Portal, number: str = "1234-5678", kana: str = "すいどう たろう") -> Any:
    return portal.post("/register/contract", {"number": number, "kana": kana, "agree": "on"})


def privacy(portal: Portal, relationship: str = "本人") -> Any:
    return portal.post("/register/privacy", {"agree": "on", "relationship": relationship})


def full_registration(
    portal: Portal,
    email: str = TARO.email,
    relationship: str = "本人",
    number: str = "1234-5678",
    kana: str = "すいどう たろう",
) -> Any:
    register_until_code(portal, email)
    verify(portal, email)
    profile(portal)
    contract(portal, number=number, kana=kana)
    privacy(portal, relationship)
    return portal.post("/register/confirm")


# The new password of ``change_password`` unless told otherwise.
NEW_PASSWORD = "Kawa-Nagare-77"


def change_password(
    portal: Portal,
    current: str = STRONG_PASSWORD,
    new: str = NEW_PASSWORD,
    again: str | None = None,
) -> Any:
    """The account page's password form: the current password, the new one twice."""
    data = {
        "current_password": current,
        "password1": new,
        "password2": new if again is None else again,
    }
    return portal.post("/account/password", data)
