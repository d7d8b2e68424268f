"""``/readyz``: whether this process can serve (``/healthz``, in waterportal.views, only
says that it answers)."""

import json

from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from waterportal.lib.version import __version__
from waterportal.ops import health


@never_cache
def readyz(request):
    checks = health.readiness()
    ready = all(state == health.OK for state in checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": checks,
        "version": __version__,
    }
    return HttpResponse(
        json.dumps(body), content_type="application/json", status=200 if ready else 503
    )
