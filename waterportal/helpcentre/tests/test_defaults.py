"""A new town starts with the default help, in its own name; a town that existed before
the help centre gets it from the data migration."""

import importlib

from django.apps import apps
from django_scopes import scopes_disabled

from waterportal.helpcentre import defaults
from waterportal.helpcentre.models import HelpCategory, HelpEntry
from waterportal.testing.helpcentre import help_entry


def test_a_new_town_gets_the_six_categories_and_every_default_entry(tenant):
    names = list(HelpCategory.objects.filter(tenant=tenant).values_list("name", flat=True))
    assert names == [
        "登録・ログイン",
        "認証コードが届かない",
        "使用者番号",
        "料金・支払い",
        "引っ越し",
        "その他",
    ]
    keys = set(HelpEntry.objects.filter(tenant=tenant).values_list("key", flat=True))
    assert keys == set(defaults.BY_KEY)
    assert 20 <= len(keys) <= 35


def test_the_defaults_name_the_town_its_office_phone_and_hours(tenant):
    answer = help_entry(tenant, "number-where").answer
    assert "おうむ町 建設水道課 水道係（電話 0120-000-111、平日 8:30〜17:15）" in answer
    assert "{" not in "".join(
        HelpEntry.objects.filter(tenant=tenant).values_list("answer", flat=True)
    )
    assert "24時間" in help_entry(tenant, "number-locked").answer


def test_each_town_has_its_own_copy(tenant, other_tenant):
    assert (
        "きた市 水道局 お客様係（電話 0120-999-222）"
        in help_entry(other_tenant, "number-where").answer
    )
    assert HelpEntry.objects.filter(tenant=other_tenant).count() == len(defaults.ENTRIES)


def test_the_guide_s_advice_is_in_the_defaults(tenant):
    assert "迷惑メール" in help_entry(tenant, "code-spam").answer
    assert "メールアドレスにまちがいがないか" in help_entry(tenant, "code-check-address").answer
    assert "検針票" in help_entry(tenant, "number-where").answer
    assert "1営業日後" in help_entry(tenant, "signup-next-business-day").answer
    assert "受信を許可するドメイン" in help_entry(tenant, "code-allow-domain").answer


def test_the_migration_gives_an_existing_town_the_missing_defaults(tenant):
    HelpEntry.objects.filter(tenant=tenant, key__startswith="code-").delete()
    migration = importlib.import_module(
        "waterportal.helpcentre.migrations.0002_default_help_for_existing_towns"
    )
    with scopes_disabled():
        migration.install_defaults(apps, None)
    assert HelpEntry.objects.filter(tenant=tenant).count() == len(defaults.ENTRIES)
    assert HelpCategory.objects.filter(tenant=tenant).count() == len(defaults.CATEGORIES)
