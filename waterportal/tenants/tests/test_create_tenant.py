import re

import pytest
from django.core.management import CommandError, call_command

from waterportal.tenants.models import Tenant
from waterportal.tenants.versions import current_versions
from waterportal.testing import admin_add_town, admin_sign_in, make_operator


def test_create_tenant_creates_it_with_default_texts_naming_the_town(db, capsys):
    call_command(
        "create_tenant", "oumu", name="おうむ町", phone="0120-000-111", hours="平日 8:30〜17:15"
    )

    tenant = Tenant.objects.get(slug="oumu")
    assert tenant.name == "おうむ町"
    assert tenant.phone == "0120-000-111"
    assert tenant.opening_hours == "平日 8:30〜17:15"
    assert tenant.is_active
    assert "利用規約" in tenant.terms_text
    assert "おうむ町" in tenant.terms_text
    assert "個人情報" in tenant.privacy_text
    assert "おうむ町" in tenant.privacy_text
    assert "/login?tenant=oumu" in capsys.readouterr().out


def test_create_tenant_stores_the_slug_trimmed_and_lower_case(db):
    call_command("create_tenant", " Oumu ", name="おうむ町")
    assert Tenant.objects.filter(slug="oumu").exists()


def test_create_tenant_refuses_a_used_slug_in_japanese(tenant):
    with pytest.raises(CommandError, match="識別子「oumu」はすでに使われています"):
        call_command("create_tenant", "OUMU", name="別の町")
    assert Tenant.objects.count() == 1


@pytest.mark.parametrize("slug", ["o", "!oumu", "oumu town", "おうむ", "oumu_town", "o" * 41])
def test_create_tenant_refuses_a_malformed_slug(db, slug):
    with pytest.raises(CommandError, match="英小文字・数字・ハイフンで2〜40文字"):
        call_command("create_tenant", slug, name="おうむ町")
    assert not Tenant.objects.exists()


def test_create_tenant_names_the_field_of_another_invalid_value(db):
    with pytest.raises(CommandError, match="自治体名"):
        call_command("create_tenant", "oumu", name="")
    assert not Tenant.objects.exists()


def test_a_town_added_in_the_admin_starts_with_the_default_texts_in_its_name(client, db):
    admin_sign_in(client, make_operator())
    form = client.get("/admin/tenants/tenant/add/")
    assert "水道ポータル 利用規約" in form.text

    added = admin_add_town(client)

    assert added.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul>", added.text)
    town = Tenant.objects.get(slug="minami")
    assert "みなみ村 水道ポータル 利用規約" in town.terms_text
    assert "みなみ村 水道ポータル 個人情報の取り扱い" in town.privacy_text
    assert "{name}" not in town.terms_text + town.privacy_text


def test_a_town_added_in_the_admin_publishes_its_texts_as_version_1(client, db):
    admin_sign_in(client, make_operator())
    admin_add_town(client)
    town = Tenant.objects.get(slug="minami")
    assert [(v.kind, v.label, v.text) for v in current_versions(town)] == [
        ("terms", "第1版", town.terms_text),
        ("privacy", "第1版", town.privacy_text),
    ]
    # Afterwards the texts change only by publishing a version in the town's console.
    change = client.get(f"/admin/tenants/tenant/{town.pk}/change/")
    assert 'name="terms_text"' not in change.text and 'name="privacy_text"' not in change.text


def test_create_tenant_publishes_the_default_texts_as_version_1(db):
    call_command("create_tenant", "minami", name="みなみ村")
    town = Tenant.objects.get(slug="minami")
    assert [v.label for v in current_versions(town)] == ["第1版", "第1版"]
