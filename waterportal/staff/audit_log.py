"""The search of a town's audit log: what 管理者 type, checked, and the rows it finds."""

import datetime as dt
from typing import cast

from django import forms
from django.utils import timezone

from waterportal.accounts.models import AccountKind, User, normalize_email
from waterportal.audit import words
from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Link
from waterportal.lib.kana import customer_number_key
from waterportal.tenants.models import Tenant

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
BAD_DATE = "日付は「2026-12-01」のように、年-月-日の数字で入力してください。"
# Ids of the members a typed address or number found, kept on the look's record (the
# address itself is not): more would say little.
MEMBERS_KEPT = 20


class AuditSearchForm(forms.Form):
    """Every field may stay empty; together they narrow the log (all must hold)."""

    staff = forms.TypedChoiceField(
        label="職員",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "職員は一覧から選んでください。"},
    )
    member = forms.CharField(
        label="会員（メールアドレスまたは使用者番号）", required=False, max_length=254
    )
    action = forms.ChoiceField(
        label="操作",
        required=False,
        error_messages={"invalid_choice": "操作は一覧から選んでください。"},
    )
    date_from = forms.DateField(
        label="開始日",
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": BAD_DATE},
        # The browser's calendar, which sends YYYY-MM-DD; typed dates are read too.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="終了日",
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": BAD_DATE},
        # The browser's calendar, which sends YYYY-MM-DD; typed dates are read too.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, tenant: Tenant, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        staff = User.objects.filter(tenant=tenant, kind=AccountKind.STAFF).order_by("name", "pk")
        staff_field = cast(forms.TypedChoiceField, self.fields["staff"])
        staff_field.choices = [("", "すべての職員")] + [
            (s.pk, f"{s.name or '（氏名なし）'}（{s.email}）") for s in staff
        ]
        # The operator's own rows are on no town's log.
        action_field = cast(forms.ChoiceField, self.fields["action"])
        action_field.choices = [("", "すべての操作")] + [
            (code, text) for code, text in words.ACTIONS.items() if not code.startswith("operator_")
        ]
        self.members: list[int] | None = None

    def clean_member(self) -> str:
        typed = " ".join(self.cleaned_data["member"].split())
        if not typed:
            return ""
        if "@" in typed:
            found = User.members.filter(tenant=self.tenant, email__icontains=normalize_email(typed))
            self.members = list(found.values_list("pk", flat=True))
        elif number := customer_number_key(typed):
            links = Link.objects.filter(tenant=self.tenant, customer__number=number)
            self.members = list(links.values_list("member_id", flat=True).distinct())
        else:
            raise forms.ValidationError(
                "会員は、メールアドレス（一部でも可）か使用者番号（数字）で入力してください。"
            )
        return typed

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "終了日は開始日と同じか、それより後の日付にしてください。")
        return cleaned

    def events(self):
        """The town's rows that match, newest first (call after ``is_valid``)."""
        found = AuditEvent.objects.filter(tenant=self.tenant)
        data = self.cleaned_data
        if data.get("staff"):
            found = found.filter(actor_id=data["staff"])
        if self.members is not None:
            found = found.filter(member_id__in=self.members)
        if data.get("action"):
            found = found.filter(action=data["action"])
        if data.get("date_from"):
            found = found.filter(created_at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            found = found.filter(created_at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        return found.order_by("-created_at", "-pk")

    def on_record(self) -> dict:
        """The filters as the look's record keeps them: ids, codes and dates, never the
        address or number typed."""
        data = self.cleaned_data
        kept: dict = {}
        if data.get("staff"):
            kept["staff"] = data["staff"]
        if self.members is not None:
            kept["members"] = sorted(self.members)[:MEMBERS_KEPT]
        if data.get("action"):
            kept["action"] = data["action"]
        if data.get("date_from"):
            kept["from"] = data["date_from"].isoformat()
        if data.get("date_to"):
            kept["to"] = data["date_to"].isoformat()
        return kept


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the town's time (Asia/Tokyo)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
