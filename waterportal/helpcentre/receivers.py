"""A new town starts with the default help (``defaults``), whoever creates it: the
operator's admin, ``do_create_tenant``, the demo seed or a test."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scope

from waterportal.helpcentre import defaults
from waterportal.helpcentre.models import HelpCategory, HelpEntry
from waterportal.tenants.models import Tenant


@receiver(post_save, sender=Tenant, dispatch_uid="helpcentre-default-help")
def give_new_town_the_default_help(sender, instance: Tenant, created: bool, raw=False, **kwargs):
    if not created or raw:  # raw: a fixture being loaded brings its own rows
        return
    with scope(tenant=instance):
        defaults.install(instance, HelpCategory, HelpEntry, now=instance.created_at)
