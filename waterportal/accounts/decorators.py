"""The one decorator of every page that shows a member's own data."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django_scopes import scopes_disabled

from waterportal.accounts.models import AccountKind
from waterportal.tenants.addresses import with_town
from waterportal.tenants.decorators import tenant_required
from waterportal.tenants.versions import texts_check

# The ids of the town's current texts the member was last found to have accepted.
TEXTS_ACCEPTED = "texts_accepted"


def town_login(request):
    """This town's login, coming back here afterwards: both addresses name the town, so
    the login and the way back work in a browser that does not know it."""
    login_url = f"{reverse('accounts:login')}?{urlencode({'tenant': request.tenant.slug})}"
    return redirect_to_login(with_town(request.get_full_path(), request.tenant), login_url)


def _member_only(view, *, texts_accepted: bool):
    @tenant_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        member = user.is_authenticated and user.kind == AccountKind.MEMBER
        if not member or user.tenant_id != request.tenant.pk:
            return town_login(request)
        if texts_accepted and texts_pending(request):
            return redirect(texts_page(request))
        return view(request, *args, **kwargs)

    return wrapper


def texts_pending(request) -> bool:
    """Whether the member has current texts to accept. Every member page asks, so the
    answer is remembered in the session for the town's current versions: the acceptances
    are read again only when a version is published (about 2 ms of every page less)."""
    return _texts_pending(request.session, request.user)


def _texts_pending(session, member) -> bool:
    remembered = session.get(TEXTS_ACCEPTED)
    pending, ids = texts_check(member, remembered)
    if ids != remembered:
        session[TEXTS_ACCEPTED] = ids
    return pending


def remember_texts_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a member who signs in with the current texts accepted
    has it noted by the login's own write of the session, so that the first page after
    it (often the first view after a new-bill email) writes nothing."""
    member = getattr(user, "kind", None) == AccountKind.MEMBER and user.tenant_id is not None
    if not member or request is None or not hasattr(request, "session"):
        return
    # Whatever signs in (a test's force_login too): the reads name the member's town.
    with scopes_disabled():
        _texts_pending(request.session, user)


def texts_page(request) -> str:
    """The page asking to accept the new texts, coming back here afterwards (a page that
    was posted to is not opened again: the member's first page instead)."""
    url = reverse("accounts:texts_accept")
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


def member_page(view):
    """A page (or file) for a signed-in member of this municipality only, never stored.

    - The municipality must be known (``tenant_required``) and the visitor signed in:
      otherwise the town's login, which brings them back here.
    - The account must be a resident's of this municipality: the operator's account,
      which has none, and the town's staff have no member pages and are sent to the
      login too.
    - The member has accepted the current 利用規約 and 個人情報の取り扱い: after the town
      published a new version, every member page sends them to the page that asks
      (``/terms/accept``), which brings them back here once they accepted.
    - ``never_cache``: ``no-store, private`` among its headers, so neither a browser nor
      a proxy keeps a copy of a member's bills, statements or address.

    Which methods a page accepts is the page's own business (``require_safe`` on the
    pages that only show, ``require_POST`` on the actions).
    """
    return _member_only(view, texts_accepted=True)


def member_page_before_texts(view):
    """``member_page`` for the one page a member opens before accepting new texts: the
    page that asks them to."""
    return _member_only(view, texts_accepted=False)
