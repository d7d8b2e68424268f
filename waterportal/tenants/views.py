"""The town's logo, for the header of every page."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from waterportal.tenants.models import TenantLogo

# The address names the logo's content hash: a new logo gets a new address, so the
# browser may keep this one for a year without asking.
LOGO_CACHE = "public, max-age=31536000, immutable"


@require_GET
def logo(request, slug: str, digest: str):
    """The logo of the town the address names, whichever town this browser opened last;
    read from the database (not the per-process tenant cache), so every process serves
    a new logo at once. Only the current logo's address answers."""
    stored = TenantLogo.objects.filter(
        tenant__slug=slug, tenant__is_active=True, tenant__logo_hash=digest
    ).first()
    if stored is None or not digest:
        raise Http404
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    # The type is the one checked on upload: a browser must never guess another.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = LOGO_CACHE
    response["Content-Disposition"] = "inline"
    return response
