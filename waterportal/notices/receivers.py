"""Every new town starts with the default categories of notices; a notice or a category
saved or deleted has the home page read the town's live notices again
(``notices.live``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from waterportal.notices.actions import create_default_categories
from waterportal.notices.live import notices_changed
from waterportal.notices.models import Notice, NoticeCategory
from waterportal.tenants.models import Tenant


@receiver(post_save, sender=Tenant)
def _tenant_created(sender, instance: Tenant, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        with scopes_disabled():
            create_default_categories(instance)


# Not on NoticeTarget: a receiver there would make Django delete a notice's 100,000
# targets one by one instead of in one statement; ``actions._set_targets`` says so itself.
@receiver([post_save, post_delete], sender=Notice)
@receiver([post_save, post_delete], sender=NoticeCategory)
def _notice_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        notices_changed(instance.tenant_id)
