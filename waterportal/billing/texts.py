"""What a bill's payment and reading status mean, in words a resident understands.

Japanese is the source text; English comes from ``locale/en`` when the resident chose it.
The statement PDF and the CSV are made with Japanese active, so they stay Japanese.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waterportal.billing import formatting
from waterportal.billing.models import Bill, Payment
from waterportal.contracts.models import Customer
from waterportal.tenants.texts import office_and_phone

# 検針状況 codes of the billing system as a resident should read them. A code not listed
# is shown as it comes, so a new code is never hidden.
READING_STATUS = {
    "認定": _("メーターを確認できなかったため、使用水量を推定しています（認定）。"),
    "漏水": _("漏水のおそれがあります（漏水）。宅地内の水道管や蛇口を点検してください。"),
}

# 収納方法 of the payments file (exchange-v1); one not listed is shown as it comes.
PAYMENT_METHODS = {
    "口座振替": _("口座振替"),
    "窓口": _("窓口"),
    "コンビニ": _("コンビニ"),
    "スマホ決済": _("スマホ決済"),
}


@dataclass(frozen=True)
class PaymentState:
    """``kind`` is for styling and tests; ``label`` a few words; ``message`` what to do."""

    kind: str  # scheduled, debited, debit_failed, paid, due, overdue, checking
    label: str
    message: str


# A bill's payment state in a few words, for the home page's summary of several contracts
# (the full label and message are in the contract's own card).
SHORT_STATES = {
    "scheduled": _("引き落とし前"),
    "debited": _("引き落とし済み"),
    "debit_failed": _("引き落とせませんでした"),
    "paid": _("お支払い済み"),
    "due": _("お支払い前"),
    "overdue": _("納期限を過ぎています"),
    "checking": _("引き落とし結果の確認中"),
}


def short_state(kind: str) -> str:
    return str(SHORT_STATES[kind])


def reading_status(code: str) -> str:
    return str(READING_STATUS.get(code, code))


def payment_method(method: str) -> str:
    return str(PAYMENT_METHODS.get(method, method))


def _paid_message(payment: Payment) -> str:
    values = {"date": formatting.date(payment.paid_on), "method": payment_method(payment.method)}
    if payment.paid_on and payment.method:
        return gettext("%(date)sにお支払いいただきました（%(method)s）。") % values
    if payment.paid_on:
        return gettext("%(date)sにお支払いいただきました。") % values
    if payment.method:
        return gettext("お支払いいただきました（%(method)s）。") % values
    return gettext("お支払いいただきました。")


def payment_state(
    bill: Bill, payment: Payment | None, method: str, tenant, today: dt.date
) -> PaymentState:
    """How the bill stands, from the payment file if it has arrived, else from the due date."""
    due = formatting.date(bill.due_date)
    if payment is not None and payment.result == Payment.Result.DEBIT_FAILED:
        return PaymentState(
            "debit_failed",
            gettext("振替不能"),
            gettext(
                "%(date)sに口座から引き落とすことができませんでした（振替不能）。"
                "後日お送りする納付書で、金融機関・コンビニエンスストアなどでお支払いください。"
                "ご不明な点は%(office)sへお問い合わせください。"
            )
            % {"date": due, "office": office_and_phone(tenant)},
        )
    if payment is not None:
        if payment.method == Customer.Payment.DEBIT:
            if payment.paid_on:
                message = gettext("%(date)sに口座から引き落としました。") % {
                    "date": formatting.date(payment.paid_on)
                }
            else:
                message = gettext("口座から引き落としました。")
            return PaymentState("debited", gettext("口座振替済"), message)
        return PaymentState("paid", gettext("お支払い済み"), _paid_message(payment))
    if method == Customer.Payment.DEBIT:
        if today <= bill.due_date:
            return PaymentState(
                "scheduled",
                gettext("口座振替予定"),
                gettext(
                    "%(date)sに口座から引き落とす予定です。前日までに口座の残高をご確認ください。"
                )
                % {"date": formatting.month_day(bill.due_date)},
            )
        return PaymentState(
            "checking",
            gettext("引き落とし結果の確認中"),
            gettext(
                "%(date)sが口座振替日でした。引き落としの結果がこのページに表示されるまで、数日かかります。"
            )
            % {"date": due},
        )
    if today <= bill.due_date:
        if method == Customer.Payment.SLIP:
            label = gettext("納付書（納期限 %(date)s）") % {"date": due}
        else:
            label = gettext("お支払い（納期限 %(date)s）") % {"date": due}
        return PaymentState(
            "due",
            label,
            gettext("お送りした納付書で、納期限の%(date)sまでにお支払いください。") % {"date": due},
        )
    return PaymentState(
        "overdue",
        gettext("お支払いの確認中"),
        gettext(
            "納期限の%(date)sを過ぎました。お支払いがまだの場合は、お手元の納付書でお早めにお支払いください。"
            "お支払いがこのページに表示されるまで数日かかります。納付書がない場合は%(office)sへご連絡ください。"
        )
        % {"date": due, "office": office_and_phone(tenant)},
    )
