"""What the resident reads when something stops them: what happened and what to do next.

Japanese is the source text (and what shows without a compiled catalog); English comes
from ``locale/en`` when the resident chose it. Messages are built with named
placeholders, never by joining pieces, so each language keeps its own word order.
"""

import datetime as dt

from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from waterportal.accounts import codes, signin
from waterportal.contracts import actions as contract_actions
from waterportal.limits import ratelimit
from waterportal.tenants.models import Tenant
from waterportal.tenants.texts import office_and_phone

WEEKDAYS = "月火水木金土日"


def english() -> bool:
    """True when the resident chose English; Japanese otherwise (and outside requests)."""
    return (get_language() or "").split("-")[0] == "en"


def clock(moment: dt.datetime) -> str:
    """14時05分, or 14:05 in English; with the day (11月28日 14時05分) when not today."""
    local = timezone.localtime(moment)
    other_day = local.date() != timezone.localdate()
    if english():
        day = dateformat.format(local, "j M ") if other_day else ""
        return f"{day}{local.hour}:{local.minute:02d}"
    day = f"{local.month}月{local.day}日 " if other_day else ""
    return f"{day}{local.hour}時{local.minute:02d}分"


def japanese_date(day: dt.date) -> str:
    """2026年11月26日（木）, or 26 November 2026 (Thu) in English."""
    if english():
        return dateformat.format(day, "j F Y (D)")
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def code_send_refused(exc: codes.SendTooSoon) -> str:
    if isinstance(exc, codes.SendLimitReached):
        return gettext(
            "短い時間に認証コードを何度も送ったため、しばらく送信できません。"
            "%(time)s以降にもう一度お試しください。"
        ) % {"time": clock(exc.until)}
    seconds = max(1, int((exc.until - timezone.now()).total_seconds()))
    return ngettext(
        "認証コードは1分に1回まで送信できます。%(seconds)d秒ほど待ってから、もう一度お試しください。",
        "認証コードは1分に1回まで送信できます。%(seconds)d秒ほど待ってから、もう一度お試しください。",
        seconds,
    ) % {"seconds": seconds}


def code_refused(exc: codes.CodeError) -> str:
    if isinstance(exc, codes.CodeWrong):
        return ngettext(
            "認証コードが正しくありません。メールに書かれた6桁の数字を確かめてください（あと%(remaining)d回入力できます）。",
            "認証コードが正しくありません。メールに書かれた6桁の数字を確かめてください（あと%(remaining)d回入力できます）。",
            exc.remaining,
        ) % {"remaining": exc.remaining}
    if isinstance(exc, codes.CodeExhausted):
        return gettext(
            "認証コードを5回まちがえたため、このコードは使えなくなりました。"
            "「認証コードを再送信」を押して、新しいコードを受け取ってください。"
        )
    if isinstance(exc, codes.CodeExpired):
        return gettext(
            "認証コードの有効期限（10分）が過ぎました。「認証コードを再送信」を押して、新しいコードを受け取ってください。"
        )
    return gettext(
        "この認証コードは使えません。「認証コードを再送信」を押して、新しいコードを受け取ってください。"
    )


def contract_refused(exc: contract_actions.ContractError, tenant: Tenant) -> str:
    if isinstance(exc, contract_actions.ContractStepLocked):
        return gettext(
            "入力の誤りが続いたため、使用者番号の確認を一時的に止めています。"
            "%(time)s以降にもう一度お試しいただくか、%(office)sへお問い合わせください。"
        ) % {"time": clock(exc.until), "office": office_and_phone(tenant)}
    if isinstance(exc, contract_actions.NumberLocked):
        return gettext(
            "この使用者番号は、入力の誤りが続いたため、%(time)sまでポータルからの登録を止めています。"
            "ご本人の方は、%(time)s以降にもう一度お試しいただくか、%(office)sへお問い合わせください。"
        ) % {"time": clock(exc.until), "office": office_and_phone(tenant)}
    if isinstance(exc, contract_actions.ContractEnded):
        return gettext(
            "この使用者番号のご契約は中止（使用停止）になっています。%(office)sへお問い合わせください。"
        ) % {"office": office_and_phone(tenant)}
    if isinstance(exc, contract_actions.SelfTaken):
        return gettext(
            "このご契約には、すでに「本人」として登録されている方がいます。"
            "「家族」「代理人」「その他」から選ぶか、お心当たりがない場合はお問い合わせください。"
        )
    if isinstance(exc, contract_actions.AlreadyLinked):
        return gettext("このご契約は、すでにこのアカウントに登録されています。")
    return gettext(
        "使用者番号とカナ氏名の組み合わせを確認できませんでした。"
        "検針票（水道使用量のお知らせ）に書かれているとおりに入力してください。"
    )


def login_locked(until: dt.datetime) -> str:
    return gettext(
        "ログインに続けて失敗したため、しばらくログインできません。"
        "%(time)s以降にもう一度お試しください。"
        "パスワードを忘れた場合は「パスワードをお忘れの方」から再設定できます。"
    ) % {"time": clock(until)}


def login_account_locked(until: dt.datetime) -> str:
    return gettext(
        "このアカウントは、まちがったパスワードでのログインが何度も続いたため、"
        "%(time)sまでパスワードでのログインを止めています。"
        "ご本人の方には、ログイン用のリンクをメールでお送りしました。そのリンクからログインできます。"
        "メールが見つからない場合は「パスワードをお忘れの方」からパスワードを設定し直してください。"
    ) % {"time": clock(until)}


SIGNED_IN_BY_LINK = _(
    "ログインしました。ご自分で何度もパスワードを入力した覚えがない場合は、"
    "「アカウント」の「パスワードの変更」で新しいパスワードに変えてください。"
)

# Lazy: each is put into words in the language of the request that shows it.
CODE_RESENT = _("新しい認証コードを送信しました。前のコードは使えなくなります。")
LOGIN_FAILED = _(
    "メールアドレスまたはパスワードが正しくありません。大文字・小文字の違いも確かめてください。"
)
FLOW_EXPIRED = _(
    "操作のないまま30分が過ぎたため、お手続きを最初からやり直してください。お手数をおかけします。"
)
EMAIL_TAKEN = _(
    "このメールアドレスは、すでに登録が済んでいます。ログイン画面からログインしてください。"
)


def account_stopped(tenant: Tenant) -> str:
    """Said to the owner of an account the town's staff stopped, whichever way they try
    to sign in: that it is stopped, and whom to call."""
    message = gettext(
        "このアカウントは、%(town)sの水道の担当窓口が利用を停止しているため、ログインできません。"
        "お問い合わせは、%(office)sまでお電話ください。"
    ) % {"town": tenant.name, "office": office_and_phone(tenant)}
    if tenant.opening_hours:
        message += gettext("受付時間は%(hours)sです。") % {"hours": tenant.opening_hours}
    return message


# The account pages (signed-in member).
CURRENT_PASSWORD_WRONG = _(
    "今のパスワードが正しくありません。大文字・小文字の違いも確かめてください。"
)


def password_check_locked(until: dt.datetime) -> str:
    return gettext(
        "パスワードの入力に続けて失敗したため、しばらくこの手続きとログインができません。"
        "%(time)s以降にもう一度お試しください。"
    ) % {"time": clock(until)}


EMAIL_SAME = _("今お使いのメールアドレスと同じです。新しいメールアドレスを入力してください。")
EMAIL_CHANGE_TAKEN = _(
    "このメールアドレスは、すでにほかのアカウントで使われているため、変更に使えません。"
    "メールアドレスは変わっていません。別のメールアドレスで、もう一度お手続きください。"
)
EMAIL_CHANGE_EXPIRED = _(
    "メールアドレス変更のお手続きが見つかりません。新しいメールアドレスの入力からやり直してください。"
)
ADD_CONTRACT_EXPIRED = _(
    "使用者番号の確認から30分が過ぎたため、お手数ですが使用者番号とカナ氏名をもう一度入力してください。"
)


def tell_code_resent(request, send) -> None:
    """Call ``send()`` (a code-issuing action) and tell the resident how it went: the
    same words on every page with a 「認証コードを再送信」 button."""
    from django.contrib import messages

    try:
        send()
    except codes.SendTooSoon as exc:
        messages.error(request, code_send_refused(exc))
    else:
        messages.success(request, CODE_RESENT)


def login_limited(exc: ratelimit.Limited) -> str:
    """Why a login cannot be tried now (a limit of ``signin``) and until when."""
    if isinstance(exc, signin.AccountLocked):
        return login_account_locked(exc.until)
    return login_locked(exc.until)


def login_refused(account: str, source: str) -> str | None:
    """Why a login cannot be tried now (a limit of ``signin``), or None when it can."""
    try:
        signin.check_limits(account, source)
    except ratelimit.Limited as exc:
        return login_limited(exc)
    return None
