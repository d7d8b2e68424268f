"""The notices on pages of other apps, loaded by name (``{% load notices %}``) so that
those apps do not import notices: the home page's block (billing), and the public
notices and the feed's link on the login page (accounts)."""

from django import template
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from waterportal.notices.models import Notice, NoticeRead

register = template.Library()

HOME_SIZE = 5
LOGIN_SIZE = 5


@register.inclusion_tag("notices/_home_block.html", takes_context=True)
def home_notices(context):
    """The member's latest notices with their unread marks, and how many are unread."""
    member = context["user"]
    visible = Notice.objects.visible_to(member, timezone.now())
    reads = NoticeRead.objects.filter(notice_id=OuterRef("pk"), member_id=member.pk)
    latest = list(
        visible.annotate(is_read=Exists(reads))
        .select_related("category")
        .newest_first()[:HOME_SIZE]
    )
    unread = visible.exclude(Exists(reads)).count()
    return {"notices": latest, "unread": unread}


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
