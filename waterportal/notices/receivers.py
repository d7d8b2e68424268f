"""Every new town starts with the default categories of notices."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from waterportal.notices.actions import create_default_categories
from waterportal.tenants.models import Tenant


@receiver(post_save, sender=Tenant)
def _tenant_created(sender, instance: Tenant, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        with scopes_disabled():
            create_default_categories(instance)
