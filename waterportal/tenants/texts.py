"""A municipality's texts: how its office is named in messages, and the defaults a new
municipality starts from (each tenant edits its own copy)."""

from django.utils.translation import gettext

from waterportal.tenants.models import Tenant


def office_and_phone(tenant: Tenant) -> str:
    """The municipality's office as it wrote it, with its phone number when it has one."""
    office = " ".join(p for p in (tenant.department, tenant.section) if p) or gettext(
        "水道の担当窓口"
    )
    if tenant.phone:
        return gettext("%(office)s（電話 %(phone)s）") % {"office": office, "phone": tenant.phone}
    return office


DEFAULT_TERMS = """\
{name} 水道ポータル 利用規約

第1条（目的）
この規約は、{name}（以下「町」といいます。）が提供する水道ポータル（以下「本サービス」といいます。）の利用について定めるものです。

第2条（利用者）
本サービスは、町の水道を使用する方、その家族及び代理人で、この規約に同意して会員登録をした方（以下「会員」といいます。）が利用できます。

第3条（会員登録）
1 会員登録は、検針票に記載の使用者番号とカナ氏名により行います。
2 登録した内容は、1営業日後から確認できるようになります。

第4条（パスワードの管理）
会員は、パスワードを他人に知られないよう管理してください。パスワードの管理が不十分なことにより生じた損害について、町は責任を負いません。

第5条（表示する情報）
本サービスで表示する使用水量や料金は、町の料金システムから送られた情報です。表示の内容と納入通知書等の内容が異なる場合は、納入通知書等の内容が優先します。

第6条（禁止事項）
会員は、他人の使用者番号を不正に登録すること、本サービスの運営を妨げることをしてはなりません。

第7条（サービスの変更・停止）
町は、保守や障害のため、予告なく本サービスを停止することがあります。

第8条（退会）
会員は、いつでも退会できます。

第9条（規約の変更）
町は、必要に応じてこの規約を変更できます。変更後の規約は本サービスに掲載した時から効力を生じます。
"""

DEFAULT_PRIVACY = """\
{name} 水道ポータル 個人情報の取り扱いについて

1 取得する情報
メールアドレス、お名前、パスワード（暗号化して保存し、職員も見ることはできません）、使用者番号、申込者と契約者の関係、ご利用の記録。

2 利用の目的
水道の使用水量・料金・お支払いの状況をお知らせするため、水道に関するお知らせをお送りするため、お問い合わせに対応するため。

3 第三者への提供
法令に基づく場合を除き、ご本人の同意なく第三者に提供しません。

4 管理
取得した情報は、漏えい・滅失のないよう適切に管理します。本サービスの運営を委託する場合は、委託先を適切に監督します。

5 退会したとき
退会すると、メールアドレス・お名前・パスワード・使用者番号との連携を消去します。水道の使用や料金の記録は、料金システムの記録として町が引き続き保管します。

6 お問い合わせ
個人情報の開示・訂正・利用停止のご請求は、担当課までご連絡ください。
"""
