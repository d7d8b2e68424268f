"""The rows the members' cards are drawn from: a change to any of them gives the tenant's
members fresh cards (``tenants.freshness``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from waterportal.billing.models import Bill, Payment
from waterportal.contracts.models import Customer, Link
from waterportal.tenants.freshness import tenant_data_changed
from waterportal.tenants.models import Tenant


@receiver(post_save, sender=Bill)
@receiver(post_delete, sender=Bill)
@receiver(post_save, sender=Payment)
@receiver(post_delete, sender=Payment)
@receiver(post_save, sender=Customer)
@receiver(post_delete, sender=Customer)
@receiver(post_save, sender=Link)
@receiver(post_delete, sender=Link)
def _row_changed(sender, instance, **kwargs) -> None:
    tenant_data_changed(instance.tenant_id)


@receiver(post_save, sender=Tenant)
def _tenant_changed(sender, instance: Tenant, **kwargs) -> None:
    tenant_data_changed(instance.pk)
