"""The one decorator of every page that shows a member's own data."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.views.decorators.cache import never_cache

from waterportal.accounts.models import AccountKind
from waterportal.tenants.decorators import tenant_required


def member_page(view):
    """A page (or file) for a signed-in member of this municipality only, never stored.

    - The municipality must be known (``tenant_required``) and the visitor signed in:
      otherwise the town's login, which brings them back here.
    - The account must be a resident's of this municipality: the operator's account,
      which has none, and the town's staff have no member pages and are sent to the
      login too.
    - ``never_cache``: ``no-store, private`` among its headers, so neither a browser nor
      a proxy keeps a copy of a member's bills, statements or address.

    Which methods a page accepts is the page's own business (``require_safe`` on the
    pages that only show, ``require_POST`` on the actions).
    """

    @tenant_required
    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.tenant_id != request.tenant.pk or request.user.kind != AccountKind.MEMBER:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
