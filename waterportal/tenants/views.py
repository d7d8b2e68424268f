"""The town's uploaded images: the logo, for the header of every page, and the sample
検針票, on the pages where residents type their 使用者番号. The town's pages about the
portal (利用規約, 個人情報の取り扱い, アクセシビリティ方針), linked from every page's footer."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe

from waterportal.tenants.accessibility import latest_result
from waterportal.tenants.decorators import tenant_required
from waterportal.tenants.models import TenantLogo, TenantSlipSample, TextKind
from waterportal.tenants.versions import current_versions

# The address names the image's content hash: a new image gets a new address, so the
# browser may keep this one for a year without asking.
LOGO_CACHE = "public, max-age=31536000, immutable"


def _image(
    model: type[TenantLogo | TenantSlipSample], hash_field: str, slug: str, digest: str
) -> HttpResponse:
    """The image of the town the address names, whichever town this browser opened last;
    read from the database (not the per-process tenant cache), so every process serves
    a new image at once. Only the current image's address answers."""
    stored = model.objects.filter(
        tenant__slug=slug, tenant__is_active=True, **{f"tenant__{hash_field}": digest}
    ).first()
    if stored is None or not digest:
        raise Http404
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    # The type is the one checked on upload: a browser must never guess another.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = LOGO_CACHE
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def logo(request, slug: str, digest: str):
    return _image(TenantLogo, "logo_hash", slug, digest)


@require_GET
def slip_sample(request, slug: str, digest: str):
    return _image(TenantSlipSample, "slip_hash", slug, digest)


@tenant_required
@require_safe
def terms(request):
    return _text_page(request, TextKind.TERMS)


@tenant_required
@require_safe
def privacy(request):
    return _text_page(request, TextKind.PRIVACY)


def _text_page(request, kind: str):
    """The town's current published version of one text, with its label and date: the
    version members are asked to accept (a town that never published one: 404)."""
    version = next((v for v in current_versions(request.tenant) if v.kind == kind), None)
    if version is None:
        raise Http404
    return render(request, "tenants/text_page.html", {"version": version})


@tenant_required
@require_safe
def accessibility(request):
    """The town's アクセシビリティ方針, in the items 総務省's みんなの公共サイト運用ガイドライン
    asks for: the target level, the pages it covers, and the latest test's date and result."""
    return render(request, "tenants/accessibility.html", {"result": latest_result()})
