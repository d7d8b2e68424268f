"""The one decorator of every staff console page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from waterportal.accounts.models import AccountKind, StaffRole
from waterportal.tenants.decorators import tenant_required


def is_console_user(request) -> bool:
    """Signed in as staff of this request's town, second factor passed."""
    user = request.user
    return (
        user.is_authenticated
        and user.kind == AccountKind.STAFF
        and user.tenant_id == request.tenant.pk
        and user.is_verified()
    )


def staff_page(*roles: str):
    """A console page for the signed-in staff of this town, second factor passed.

    Anyone else (a visitor, a resident, the operator, another town's staff, a session
    that has not passed the second factor) is sent to ``/staff/login``. ``roles``, when
    given, are the only roles allowed: the others get a 403 page in Japanese. A 閲覧者
    reads only: whatever the page, a request that is not GET or HEAD gets that 403. Console
    pages are Japanese whatever language the browser chose for the resident pages, and
    never stored by a browser or a proxy.
    """

    def decorate(view):
        @tenant_required
        @never_cache
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_console_user(request):
                return redirect_to_login(request.get_full_path(), login_url="staff:login")
            with translation.override("ja"):
                role = request.user.staff_role
                writes = request.method not in ("GET", "HEAD")
                if (roles and role not in roles) or (writes and role == StaffRole.VIEWER):
                    return render(request, "staff/forbidden.html", status=403)
                return view(request, *args, **kwargs)

        return wrapper

    return decorate
