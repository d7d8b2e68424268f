from django.core.exceptions import ValidationError
from django.db import transaction

from tenants.models import Tenant
from tenants.texts import DEFAULT_PRIVACY, DEFAULT_TERMS


def do_create_tenant(*, slug: str, name: str, **fields) -> Tenant:
    """Create a municipality with the default 利用規約 and 個人情報の取り扱い texts.

    Raises ValidationError for a malformed or already used slug.
    """
    slug = slug.strip().lower()
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError(f"識別子「{slug}」はすでに使われています。")
    tenant = Tenant(
        slug=slug,
        name=name,
        terms_text=DEFAULT_TERMS.format(name=name),
        privacy_text=DEFAULT_PRIVACY.format(name=name),
        **fields,
    )
    tenant.full_clean()
    with transaction.atomic():
        tenant.save()
    return tenant
