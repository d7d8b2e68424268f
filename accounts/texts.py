"""What the resident reads when something stops them: what happened and what to do next."""

import datetime as dt

from django.utils import timezone

from accounts import codes
from contracts import actions as contract_actions

WEEKDAYS = "月火水木金土日"


def clock(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.hour}時{local.minute:02d}分"


def japanese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def code_send_refused(exc: codes.SendTooSoon) -> str:
    if isinstance(exc, codes.SendLimitReached):
        return (
            "短い時間に認証コードを何度も送ったため、しばらく送信できません。"
            f"{clock(exc.until)}以降にもう一度お試しください。"
        )
    seconds = max(1, int((exc.until - timezone.now()).total_seconds()))
    return f"認証コードは1分に1回まで送信できます。{seconds}秒ほど待ってから、もう一度お試しください。"


def code_refused(exc: codes.CodeError) -> str:
    if isinstance(exc, codes.CodeWrong):
        return f"認証コードが正しくありません。メールに書かれた6桁の数字を確かめてください（あと{exc.remaining}回入力できます）。"
    if isinstance(exc, codes.CodeExhausted):
        return (
            "認証コードを5回まちがえたため、このコードは使えなくなりました。"
            "「認証コードを再送信」を押して、新しいコードを受け取ってください。"
        )
    if isinstance(exc, codes.CodeExpired):
        return "認証コードの有効期限（10分）が過ぎました。「認証コードを再送信」を押して、新しいコードを受け取ってください。"
    return "この認証コードは使えません。「認証コードを再送信」を押して、新しいコードを受け取ってください。"


def contract_refused(exc: contract_actions.ContractError, tenant) -> str:
    phone = f"（電話 {tenant.phone}）" if tenant.phone else ""
    office = " ".join(p for p in (tenant.department, tenant.section) if p) or "水道の担当窓口"
    if isinstance(exc, contract_actions.ContractStepLocked):
        return (
            "入力の誤りが続いたため、使用者番号の確認を一時的に止めています。"
            f"{clock(exc.until)}以降にもう一度お試しいただくか、{office}{phone}へお問い合わせください。"
        )
    if isinstance(exc, contract_actions.NumberLocked):
        return (
            "この使用者番号は、入力の誤りが続いたため、ポータルからの登録を止めています。"
            f"お手数ですが、{office}{phone}へお問い合わせください。"
        )
    if isinstance(exc, contract_actions.ContractEnded):
        return f"この使用者番号のご契約は中止（使用停止）になっています。{office}{phone}へお問い合わせください。"
    if isinstance(exc, contract_actions.SelfTaken):
        return (
            "このご契約には、すでに「本人」として登録されている方がいます。"
            "「家族」「代理人」「その他」から選ぶか、お心当たりがない場合はお問い合わせください。"
        )
    if isinstance(exc, contract_actions.AlreadyLinked):
        return "このご契約は、すでにこのアカウントに登録されています。"
    return (
        "使用者番号とカナ氏名の組み合わせを確認できませんでした。"
        "検針票（水道使用量のお知らせ）に書かれているとおりに入力してください。"
    )


def login_locked(until: dt.datetime) -> str:
    return (
        "ログインに続けて失敗したため、しばらくログインできません。"
        f"{clock(until)}以降にもう一度お試しください。"
        "パスワードを忘れた場合は「パスワードをお忘れの方」から再設定できます。"
    )


LOGIN_FAILED = (
    "メールアドレスまたはパスワードが正しくありません。"
    "大文字・小文字の違いも確かめてください。"
)
FLOW_EXPIRED = "操作のないまま30分が過ぎたため、お手続きを最初からやり直してください。お手数をおかけします。"
EMAIL_TAKEN = "このメールアドレスは、すでに登録が済んでいます。ログイン画面からログインしてください。"


# The account pages (signed-in member).
CURRENT_PASSWORD_WRONG = "今のパスワードが正しくありません。大文字・小文字の違いも確かめてください。"


def password_check_locked(until: dt.datetime) -> str:
    return (
        "パスワードの入力に続けて失敗したため、しばらくこの手続きとログインができません。"
        f"{clock(until)}以降にもう一度お試しください。"
    )


EMAIL_SAME = "今お使いのメールアドレスと同じです。新しいメールアドレスを入力してください。"
EMAIL_CHANGE_TAKEN = (
    "このメールアドレスは、すでにほかのアカウントで使われているため、変更に使えません。"
    "メールアドレスは変わっていません。別のメールアドレスで、もう一度お手続きください。"
)
EMAIL_CHANGE_EXPIRED = "メールアドレス変更のお手続きが見つかりません。新しいメールアドレスの入力からやり直してください。"
ADD_CONTRACT_EXPIRED = (
    "使用者番号の確認から30分が過ぎたため、お手数ですが使用者番号とカナ氏名をもう一度入力してください。"
)
