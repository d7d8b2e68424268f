"""The notices on pages of other apps, loaded by name (``{% load notices %}``) so that
those apps do not import notices: the home page's block (billing), and the public
notices and the feed's link on the login page (accounts)."""

from django import template
from django.urls import reverse
from django.utils import timezone

from waterportal.notices.live import member_view
from waterportal.notices.models import Notice

register = template.Library()

HOME_SIZE = 5
LOGIN_SIZE = 5


@register.inclusion_tag("notices/_home_block.html", takes_context=True)
def home_notices(context):
    """The member's latest notices with their unread marks, and how many are unread
    (of the town's live notices, kept: ``notices.live``)."""
    seen = member_view(context["user"], timezone.now())
    return {"notices": seen[:HOME_SIZE], "unread": sum(1 for n in seen if not n.is_read)}


@register.inclusion_tag("notices/_public_block.html", takes_context=True)
def public_notices(context):
    """The town's public notices, for people who are not signed in."""
    tenant = context["request"].tenant
    latest = list(
        Notice.objects.public(timezone.now())
        .filter(tenant=tenant)
        .select_related("category")
        .newest_first()[:LOGIN_SIZE]
    )
    return {"notices": latest, "tenant": tenant}


@register.simple_tag(takes_context=True)
def notices_feed_url(context) -> str:
    tenant = context["request"].tenant
    return f"{reverse('notices:feed')}?tenant={tenant.slug}"
