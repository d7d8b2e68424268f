"""What a bill's payment and reading status mean, in words a resident understands."""

import datetime as dt
from dataclasses import dataclass

from billing import formatting
from billing.models import Bill, Payment
from contracts.models import Customer

# 検針状況 codes of the billing system as a resident should read them. A code not listed
# is shown as it comes, so a new code is never hidden.
READING_STATUS = {
    "認定": "メーターを確認できなかったため、使用水量を推定しています（認定）。",
    "漏水": "漏水のおそれがあります（漏水）。宅地内の水道管や蛇口を点検してください。",
}


@dataclass(frozen=True)
class PaymentState:
    """``kind`` is for styling and tests; ``label`` a few words; ``message`` what to do."""

    kind: str  # scheduled, debited, debit_failed, paid, due, overdue, checking
    label: str
    message: str


def office_and_phone(tenant) -> str:
    office = " ".join(p for p in (tenant.department, tenant.section) if p) or "水道の担当窓口"
    return f"{office}（電話 {tenant.phone}）" if tenant.phone else office


def reading_status(code: str) -> str:
    return READING_STATUS.get(code, code)


def payment_state(
    bill: Bill, payment: Payment | None, method: str, tenant, today: dt.date
) -> PaymentState:
    """How the bill stands, from the payment file if it has arrived, else from the due date."""
    due = formatting.date(bill.due_date)
    if payment is not None and payment.result == Payment.Result.DEBIT_FAILED:
        return PaymentState(
            "debit_failed",
            "振替不能",
            f"{due}に口座から引き落とすことができませんでした（振替不能）。"
            "後日お送りする納付書で、金融機関・コンビニエンスストアなどでお支払いください。"
            f"ご不明な点は{office_and_phone(tenant)}へお問い合わせください。",
        )
    if payment is not None:
        when = f"{formatting.date(payment.paid_on)}に" if payment.paid_on else ""
        if payment.method == Customer.Payment.DEBIT:
            return PaymentState("debited", "口座振替済", f"{when}口座から引き落としました。")
        by = f"（{payment.method}）" if payment.method else ""
        return PaymentState("paid", "お支払い済み", f"{when}お支払いいただきました{by}。")
    if method == Customer.Payment.DEBIT:
        if today <= bill.due_date:
            return PaymentState(
                "scheduled",
                "口座振替予定",
                f"{formatting.month_day(bill.due_date)}に口座から引き落とす予定です。"
                "前日までに口座の残高をご確認ください。",
            )
        return PaymentState(
            "checking",
            "引き落とし結果の確認中",
            f"{due}が口座振替日でした。引き落としの結果がこのページに表示されるまで、数日かかります。",
        )
    label = "納付書" if method == Customer.Payment.SLIP else "お支払い"
    if today <= bill.due_date:
        return PaymentState(
            "due",
            f"{label}（納期限 {due}）",
            f"お送りした納付書で、納期限の{due}までにお支払いください。",
        )
    return PaymentState(
        "overdue",
        "お支払いの確認中",
        f"納期限の{due}を過ぎました。お支払いがまだの場合は、お手元の納付書でお早めにお支払いください。"
        f"お支払いがこのページに表示されるまで数日かかります。納付書がない場合は{office_and_phone(tenant)}へご連絡ください。",
    )
