"""What the resident reads when the inquiry form stops them."""

from django.utils.translation import gettext

from waterportal.accounts.texts import clock
from waterportal.inquiries.actions import Limited
from waterportal.tenants.models import Tenant
from waterportal.tenants.texts import office_and_phone


def limited(exc: Limited, tenant: Tenant) -> str:
    return gettext(
        "短い時間にお問い合わせが続いたため、しばらく受け付けできません。"
        "%(time)s以降にもう一度お試しください。お急ぎの場合は、%(office)sへお電話ください。"
    ) % {"time": clock(exc.until), "office": office_and_phone(tenant)}


def contract_not_yours() -> str:
    return gettext(
        "選んだ契約は、このアカウントに登録されているご契約ではありません。一覧から選び直してください。"
    )


def closed() -> str:
    return gettext(
        "このお問い合わせは完了しています。続けてお聞きになりたいことは、新しいお問い合わせとして送ってください。"
    )
