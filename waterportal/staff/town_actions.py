"""Writes on the town itself by its 管理者: its settings, its closed days, publishing it.

They live here rather than in ``tenants/actions.py`` because each writes an audit row,
and the audit log sits above ``tenants`` in the layers (``tenants`` imports nothing of
it). Each is one transaction and one audit row; each makes the members' cached cards
stale, since the cards show the town's name, contact block and calendar.
"""

import datetime as dt
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from waterportal.accounts.models import User
from waterportal.audit.actions import record
from waterportal.tenants.freshness import tenant_data_changed
from waterportal.tenants.models import (
    ClosedDay,
    Tenant,
    TenantLogo,
    TenantSlipSample,
)
from waterportal.tenants.validators import logo_type

# What a town's 管理者 may change on the settings page (besides the logo).
SETTINGS_FIELDS = (
    "name",
    "department",
    "section",
    "phone",
    "opening_hours",
    "accent_colour",
    "invoice_registration_number",
    "has_sewer",
    "year_end_closure",
    "year_end_start_month",
    "year_end_start_day",
    "year_end_end_month",
    "year_end_end_day",
    "password_rule",
    "number_lock_hours",
    "inquiry_target_days",
)
# ``changes["logo"]``, ``changes["slip_sample"]``: the new image's bytes (checked with
# ``logo_type``), or REMOVE_LOGO to go back to none (the slip: to the portal's drawn one).
REMOVE_LOGO = b""
LOGO_CHANGED, LOGO_REMOVED = "変更", "削除"
# Each uploaded image: where its bytes are kept, and the tenant's field naming its hash.
IMAGES: dict[str, tuple[type[TenantLogo | TenantSlipSample], str]] = {
    "logo": (TenantLogo, "logo_hash"),
    "slip_sample": (TenantSlipSample, "slip_hash"),
}


class ClosedDayTaken(Exception):
    """The town already has this day as a closed day."""


def _logo_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


def do_change_tenant_settings(
    tenant: Tenant, changes: dict[str, Any], *, actor: User, source: str, now=None
) -> dict[str, Any]:
    """Apply ``changes`` (field → new value, already validated by the settings form) to
    ``tenant``, and record one ``tenant_settings_changed`` row with the ``before`` and
    ``after`` of the fields that really changed; returns ``after`` (empty: nothing
    changed, nothing written). An image (the logo, the sample 検針票) is recorded as 変更
    or 削除, never its bytes.
    Raises ``ValidationError`` for a value the model refuses (nothing is written).
    """
    now = now or timezone.now()
    changes = dict(changes)
    images = {key: changes.pop(key) for key in IMAGES if key in changes}
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a town setting: {sorted(unknown)}")
    for key, content in images.items():
        if content and not logo_type(content):
            raise ValueError(f"the {key} must be a PNG or JPEG image")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    with transaction.atomic():
        # The row as it is now, locked: two 管理者 saving at once record true befores.
        current = Tenant.objects.select_for_update().get(pk=tenant.pk)
        for field, value in changes.items():
            if getattr(current, field) != value:
                before[field], after[field] = getattr(current, field), value
                setattr(tenant, field, value)
        fields = list(after)
        for key, content in images.items():
            model, hash_field = IMAGES[key]
            new_hash = _logo_hash(content) if content else ""
            if new_hash != getattr(current, hash_field):
                before[key] = "あり" if getattr(current, hash_field) else "なし"
                after[key] = LOGO_CHANGED if content else LOGO_REMOVED
                if content:
                    model.objects.update_or_create(
                        tenant=tenant,
                        defaults={"content": content, "content_type": logo_type(content)},
                    )
                else:
                    model.objects.filter(tenant=tenant).delete()
                setattr(tenant, hash_field, new_hash)
                fields.append(hash_field)
        if not after:
            return {}
        # The model's own checks, for a caller other than the settings form.
        changed = set(after) - set(IMAGES)
        tenant.clean_fields(exclude=[f.name for f in Tenant._meta.fields if f.name not in changed])
        tenant.save(update_fields=fields)
        record(
            tenant,
            "tenant_settings_changed",
            actor=actor,
            now=now,
            source=source,
            before=before,
            after=after,
        )
        tenant_data_changed(tenant.pk)
    return after


def do_add_closed_day(
    tenant: Tenant, day: dt.date, reason: str, *, actor: User, source: str, now=None
) -> ClosedDay:
    """A day the town's office is closed, beyond weekends, holidays and the year-end
    closure: the next-business-day rule skips it from now on. Raises ``ClosedDayTaken``
    when the day is already closed."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                closed = ClosedDay.objects.create(tenant=tenant, date=day, reason=reason)
        except IntegrityError as exc:
            raise ClosedDayTaken() from exc
        record(
            tenant,
            "closed_day_added",
            actor=actor,
            now=now,
            source=source,
            after={"date": day.isoformat(), "reason": reason},
        )
        tenant_data_changed(tenant.pk)
    return closed


def do_remove_closed_day(
    tenant: Tenant, closed: ClosedDay, *, actor: User, source: str, now=None
) -> None:
    """The office opens on that day again."""
    if closed.tenant_id != tenant.pk:
        raise ValueError("another town's closed day")
    now = now or timezone.now()
    with transaction.atomic():
        record(
            tenant,
            "closed_day_removed",
            actor=actor,
            now=now,
            source=source,
            before={"date": closed.date.isoformat(), "reason": closed.reason},
        )
        closed.delete()
        tenant_data_changed(tenant.pk)


def do_publish_tenant(tenant: Tenant, *, actor: User, source: str, now=None) -> bool:
    """Open the town's portal to its residents (registration and login). Returns False
    when it was already published (a second click): nothing is written then."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if current.published_at is not None:
            tenant.published_at = current.published_at
            return False
        tenant.published_at = now
        tenant.save(update_fields=["published_at"])
        record(
            tenant,
            "tenant_published",
            actor=actor,
            now=now,
            source=source,
            before={"published_at": None},
            after={"published_at": now.isoformat()},
        )
        tenant_data_changed(tenant.pk)
    return True
