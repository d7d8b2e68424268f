"""Small builders for test data; each returns saved rows."""

from waterportal.accounts.models import User
from waterportal.contracts.models import Customer
from waterportal.lib.kana import kana_key

STRONG_PASSWORD = "Mizu-Nomu-2026"


def make_customer(
    tenant, number="12345678", kana="スイドウ タロウ", status="使用中", **extra
) -> Customer:
    return Customer.objects.create(
        tenant=tenant,
        number=number,
        name_kana=kana,
        name_kana_key=kana_key(kana),
        status=status,
        address=extra.pop("address", "おうむ町本町1-2-3"),
        **extra,
    )


def make_member(
    tenant, email="hanako@example.jp", password=STRONG_PASSWORD, name="水道 花子"
) -> User:
    return User.objects.create_user(email, password, tenant=tenant, name=name)
