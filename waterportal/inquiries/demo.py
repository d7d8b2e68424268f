"""The demo town's inquiry: one question waiting in the staff inbox, so that the console's
お問い合わせ can be tried at once."""

import datetime as dt

from django.utils import timezone
from django_scopes import scope

from waterportal.accounts.models import User
from waterportal.inquiries.models import Inquiry, InquiryMessage, Kind, Status
from waterportal.tenants.models import Tenant

# Someone who is not a member yet: the demo has no member (its residents register).
DEMO_GUEST = "demo-resident@example.jp"


def seed(tenant: Tenant, *, now=None) -> Inquiry:
    """One 未対応 inquiry, sent yesterday, from the town's first member when there is
    one, else from someone not yet registered (an address confirmed by a code)."""
    now = now or timezone.now()
    sent = now - dt.timedelta(days=1)
    member = User.members.filter(tenant=tenant, is_active=True).order_by("pk").first()
    with scope(tenant=tenant):
        return _create(tenant, member, sent)


def _create(tenant: Tenant, member: User | None, sent: dt.datetime) -> Inquiry:
    inquiry = Inquiry.objects.create(
        tenant=tenant,
        seq=1,
        reference=f"Q-{timezone.localtime(sent).year}-000001",
        kind=Kind.SIGN_IN,
        subject="認証コードのメールが届きません",
        member=member,
        email="" if member else DEMO_GUEST,
        status=Status.NEW,
        created_at=sent,
        last_resident_message_at=sent,
        waiting_since=sent,
    )
    InquiryMessage.objects.create(
        tenant=tenant,
        inquiry=inquiry,
        author=member,
        body=(
            "会員登録でメールアドレスを入力しましたが、認証コードのメールが届きません。\n"
            "迷惑メールフォルダも確認しました。どうすればよいでしょうか。"
        ),
        created_at=sent,
    )
    return inquiry
