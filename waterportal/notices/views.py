"""The residents' notices: the list, one notice, and the Atom feed of the public ones.

A signed-in member of the town sees the notices for them (``visible_to``) with their
unread marks, and opening one marks it read. Anyone else sees the public notices only:
a member-only notice asks them to log in, then shows it.
"""

from django.contrib.auth.views import redirect_to_login
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import linebreaks_filter, urlize
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_safe

from waterportal.accounts.decorators import member_page
from waterportal.accounts.models import AccountKind
from waterportal.notices import reading
from waterportal.notices.actions import do_mark_read
from waterportal.notices.models import Notice
from waterportal.tenants.decorators import tenant_required

FEED_SIZE = 20


def is_member(request) -> bool:
    user = request.user
    return (
        user.is_authenticated
        and user.kind == AccountKind.MEMBER
        and user.tenant_id == request.tenant.pk
    )


@require_safe
@tenant_required
def notice_list(request):
    if is_member(request):
        return _member_list(request)
    notices = reading.public_notices(request.tenant, timezone.now())
    return render(request, "notices/list.html", {"notices": notices, "member": False})


@member_page
def _member_list(request):
    notices = reading.member_notices(request.user, timezone.now())
    unread = reading.unread_count(notices)
    return render(
        request, "notices/list.html", {"notices": notices, "member": True, "unread": unread}
    )


@require_safe
@tenant_required
def notice_detail(request, notice_id: int):
    if is_member(request):
        return _member_detail(request, notice_id)
    now = timezone.now()
    live = Notice.objects.live(now).filter(tenant=request.tenant, pk=notice_id)
    notice = live.filter(audience=Notice.Audience.PUBLIC).select_related("category").first()
    if notice is None:
        if live.exists():  # for members: log in, then come back here
            return redirect_to_login(request.get_full_path())
        gone = Notice.objects.gone(now).filter(tenant=request.tenant, pk=notice_id).first()
        if gone is None:
            raise Http404
        if gone.audience != Notice.Audience.PUBLIC:  # whether it ended is for members
            return redirect_to_login(request.get_full_path())
        return _gone(request)
    return render(request, "notices/detail.html", {"notice": notice})


def _gone(request):
    """A notice that was shown and is no longer (withdrawn, ended): say so, with the way
    to the list, rather than "not found". Neither its title nor its words are shown."""
    return render(request, "notices/gone.html", status=410)


@member_page
def _member_detail(request, notice_id: int):
    try:
        notice = reading.member_notice(request.user, notice_id, timezone.now())
    except reading.NoticeGone:
        return _gone(request)
    if notice is None:
        raise Http404
    do_mark_read(request.user, notice)
    return render(request, "notices/detail.html", {"notice": notice})


class PublicNoticesFeed(Feed):
    """The town's public notices as Atom, for other sites (the town's own, news readers):
    announced on the login page by ``<link rel="alternate">``."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        if getattr(request, "tenant", None) is None:
            raise Http404
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return request.tenant

    def title(self, tenant):
        return f"{tenant.name} 水道ポータル お知らせ"

    def link(self, tenant):
        return f"{reverse('notices:list')}?tenant={tenant.slug}"

    def subtitle(self, tenant):
        return f"{tenant.name}の水道についてのお知らせ（断水・工事・料金など）"

    def feed_url(self, tenant):
        return f"{reverse('notices:feed')}?tenant={tenant.slug}"

    def items(self, tenant):
        return (
            Notice.objects.public(timezone.now())
            .filter(tenant=tenant)
            .select_related("category", "tenant")
            .newest_first()[:FEED_SIZE]
        )

    def item_title(self, item: Notice):
        return item.title

    def item_description(self, item: Notice):
        # Plain text from staff: escaped, its addresses made links, as on the page.
        return linebreaks_filter(urlize(escape(item.body), autoescape=True), autoescape=False)

    def item_link(self, item: Notice):
        return f"{reverse('notices:detail', args=[item.pk])}?tenant={item.tenant.slug}"

    def item_pubdate(self, item: Notice):
        return item.starts_at

    def item_updateddate(self, item: Notice):
        return max(item.starts_at, item.updated_at)

    def item_categories(self, item: Notice):
        return [item.category.name]


feed = PublicNoticesFeed()
