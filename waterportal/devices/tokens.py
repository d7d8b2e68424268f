"""The bearer token of an app sign-in: ``wpa_<prefix>_<secret>``.

The prefix (8 random characters) finds the row; the keyed hash of the whole token
(``salted_hmac`` with SECRET_KEY, as healthchecks keeps its API keys) proves it, compared
in constant time. Only the prefix and the hash are stored: a copy of the table signs no
one in.
"""

import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

PREFIX = "wpa_"
_SALT = "waterportal.devices.app_sign_in"


def new_token() -> tuple[str, str]:
    """A new token and its lookup prefix."""
    prefix = secrets.token_hex(4)
    return f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def hash_token(token: str) -> str:
    return salted_hmac(_SALT, token, algorithm="sha256").hexdigest()


def prefix_of(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None (never a database lookup)."""
    if not token.startswith(PREFIX):
        return None
    prefix, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or len(prefix) != 8 or len(secret) < 40:
        return None
    return prefix


def matches(token: str, token_hash: str) -> bool:
    return constant_time_compare(hash_token(token), token_hash)
