"""How long a member's rendered contract cards may be reused: until the tenant's data
changes.

The home page is what every member opens first and most often, and its cards change only
when the municipality's data does: an import, a link added, activated or removed, a
contract or the town's contact details edited. So the cards are rendered once and kept
(``{% cache %}`` in ``billing/home.html``, under the ``template_fragments`` cache) with a
key that includes the tenant's *cards version*, a random token replaced when such a
change is made and again when it commits. Readers take the version before reading any data, so a page that
read the old data stores it under the old version, which nobody asks for again.

Changes made through the ORM are caught by billing's signal receivers
(``billing/receivers.py``), which know what the cards show; the writes that bypass
signals (the import engine's set-based SQL, ``QuerySet.update``) call
``tenant_data_changed`` themselves. It lives here, at the bottom, so that every layer
may say that a tenant's data changed. ``HOME_CACHE_SECONDS`` bounds how long a card can
live whatever happens.
"""

import secrets

from django.core.cache import caches
from django.db import transaction


def _cache():
    return caches["template_fragments"]


def _key(tenant_id: int) -> str:
    return f"cards-version:{tenant_id}"


def token(key: str, timeout: int | None = None) -> str:
    """The version kept under ``key`` in the cards' cache (made on first use): what a
    page takes before it reads, to find what it kept (also ``notices.live``'s).

    ``timeout``: a version that may lapse (one per member, say), kept that long after it
    was made; a lapsed version is made anew, and what was kept under the old one is
    not found again, which is always safe."""
    cache = _cache()
    version = cache.get(key)
    if version is None:
        # add, not set: two first readers agree on one version.
        cache.add(key, secrets.token_hex(8), timeout=timeout)
        version = cache.get(key)
    # No version when the cache cannot be reached: a token of this page's own, so that
    # cards drawn now are never found by another page (a fixed word would be).
    return version or secrets.token_hex(8)


def replace(key: str, timeout: int | None = None) -> None:
    """A new version under ``key``: at once, so that reads later in the same
    transaction see the change, and again when the transaction commits, so that a page
    that took the version while the transaction was open, and so read the data before
    it, is not kept. ``timeout`` as for ``token``."""

    def bump() -> None:
        _cache().set(key, secrets.token_hex(8), timeout=timeout)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def cards_version(tenant_id: int) -> str:
    """The tenant's current cards version (made on first use)."""
    return token(_key(tenant_id))


def tenant_data_changed(tenant_id: int) -> None:
    """Every member of the tenant gets freshly drawn cards (``replace``)."""
    replace(_key(tenant_id))
