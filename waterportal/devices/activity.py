"""「最近の利用」: what each line of an app's request log means, in a resident's words."""

from django.utils.translation import gettext_lazy as _

from waterportal.devices.models import ApiRequest

TOWN = "/api/v1/towns/{slug}"
CONTRACT = TOWN + "/contracts/{link_id}"

# (method, route) as the request log keeps it → what the member did. A route not listed
# (one added later) is shown as it is: the member still sees that something was asked.
WORDS = {
    ("POST", TOWN + "/logout"): _("ログアウト"),
    ("GET", TOWN + "/me"): _("会員の情報を表示"),
    ("GET", TOWN + "/contracts"): _("ご契約の一覧を表示"),
    ("GET", CONTRACT + "/bills"): _("料金の履歴を表示"),
    ("GET", CONTRACT + "/bills.csv"): _("料金の履歴（CSV）をダウンロード"),
    ("GET", CONTRACT + "/bills/latest"): _("最新の請求の明細を表示"),
    ("GET", CONTRACT + "/bills/{month}"): _("請求の明細を表示"),
    ("GET", CONTRACT + "/bills/{month}/statement.pdf"): _("請求書（PDF）をダウンロード"),
    ("GET", TOWN + "/notices"): _("お知らせの一覧を表示"),
    ("GET", TOWN + "/notices/{notice_id}"): _("お知らせを表示"),
    ("GET", TOWN + "/inquiries"): _("お問い合わせの一覧を表示"),
    ("GET", TOWN + "/inquiries/kinds"): _("お問い合わせの種類を表示"),
    ("POST", TOWN + "/inquiries"): _("お問い合わせを送信"),
    ("GET", TOWN + "/inquiries/{inquiry_id}"): _("お問い合わせを表示"),
    ("POST", TOWN + "/inquiries/{inquiry_id}/replies"): _("お問い合わせに書き込み"),
}


def described(row: ApiRequest) -> str:
    """What the member did by the request ``row``: its words, else the route itself."""
    words = WORDS.get((row.method, row.endpoint))
    return str(words) if words is not None else f"{row.method} {row.endpoint}"


def succeeded(row: ApiRequest) -> bool:
    """Whether the app got what it asked for (304, "unchanged", counts as success)."""
    return row.status < 400
