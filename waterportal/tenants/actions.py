from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from waterportal.tenants import versions
from waterportal.tenants.models import Tenant, is_wellformed_slug, normalize_slug, slug_validator
from waterportal.tenants.texts import DEFAULT_PRIVACY, DEFAULT_TERMS


def do_create_tenant(*, slug: str, name: str, **fields) -> Tenant:
    """Create a municipality with the default 利用規約 and 個人情報の取り扱い texts, each
    published as its 第1版.

    Raises ValidationError for a malformed or already used slug, or another invalid field.
    """
    slug = normalize_slug(slug)
    if not is_wellformed_slug(slug):
        raise ValidationError({"slug": [slug_validator.message]})
    duplicate = ValidationError(f"識別子「{slug}」はすでに使われています。")
    if Tenant.objects.filter(slug=slug).exists():
        raise duplicate
    tenant = Tenant(
        slug=slug,
        name=name,
        terms_text=DEFAULT_TERMS.format(name=name),
        privacy_text=DEFAULT_PRIVACY.format(name=name),
        **fields,
    )
    tenant.full_clean()
    try:
        with transaction.atomic():
            tenant.save()
            versions.start_versions(tenant, now=tenant.created_at)
    except IntegrityError as exc:  # created concurrently since the check above
        raise duplicate from exc
    return tenant
