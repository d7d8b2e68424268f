from functools import wraps

from waterportal.tenants.middleware import unknown_tenant


def tenant_required(view):
    """Render the "which municipality?" page when the request has no tenant."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "tenant", None) is None:
            return unknown_tenant(request)
        return view(request, *args, **kwargs)

    return wrapper
