"""Finding the active tenant of a request without a database query each time.

Every request names its municipality (by ``?tenant=``, the session, the member or the
``wp_tenant`` cookie), and
the row changes perhaps a few times a year. So each process keeps the rows it has read
for ``TENANT_CACHE_SECONDS`` in a cache of its own (Django's local-memory backend: the
``process`` alias). Saving or deleting a tenant clears this process's copy at once;
other processes see the change within those seconds. A deactivated town therefore
stays reachable for at most that long, which is the price of skipping the query.
"""

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from waterportal.tenants.models import Tenant, is_wellformed_slug, normalize_slug


def _cache():
    return caches["process"]


def _keys(tenant: Tenant) -> list[str]:
    return [f"tenant:pk:{tenant.pk}", f"tenant:slug:{tenant.slug}"]


def _remember(tenant: Tenant | None) -> Tenant | None:
    if tenant is not None:
        _cache().set_many(dict.fromkeys(_keys(tenant), tenant), settings.TENANT_CACHE_SECONDS)
    return tenant


def active_tenant(pk: int) -> Tenant | None:
    """The active tenant with this primary key, or None."""
    tenant = _cache().get(f"tenant:pk:{pk}")
    if tenant is None:
        tenant = _remember(Tenant.objects.filter(pk=pk, is_active=True).first())
    return tenant


def find_active_tenant(raw_slug: str) -> Tenant | None:
    """The active tenant a typed ``?tenant=`` value names, or None."""
    slug = normalize_slug(raw_slug)
    # Anything that cannot be a slug never reaches the database: PostgreSQL rejects
    # a NUL byte in a query with an error, which would otherwise become a 500. Unknown
    # slugs are not remembered, so typing random names fills no cache.
    if not is_wellformed_slug(slug):
        return None
    tenant = _cache().get(f"tenant:slug:{slug}")
    if tenant is None:
        tenant = _remember(Tenant.objects.filter(slug=slug, is_active=True).first())
    return tenant


@receiver(post_save, sender=Tenant)
@receiver(post_delete, sender=Tenant)
def _forget(sender, instance: Tenant, **kwargs) -> None:
    # The slug it had before a rename stays cached under its old key until it expires;
    # the row it points to is the renamed one, which is still this tenant.
    _cache().delete_many(_keys(instance))
