"""Every model change has its migration: a database built from the migrations is the one
the code expects."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_its_migration():
    # --check exits non-zero (SystemExit) when makemigrations would write a file.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_number_locks_made_before_they_had_an_end_get_one_of_24_hours():
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("contracts", "0001_initial"), ("tenants", "0002_alter_tenant_slug")])
    old = executor.loader.project_state(
        [("contracts", "0001_initial"), ("tenants", "0002_alter_tenant_slug")]
    ).apps
    tenant = old.get_model("tenants", "Tenant").objects.create(slug="oumu", name="おうむ町")
    began = dt.datetime(2026, 11, 1, 1, 0, tzinfo=dt.UTC)
    lock = old.get_model("contracts", "NumberLock").objects.create(
        tenant_id=tenant.pk, number="12345678", locked_at=began
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    moved = new.get_model("contracts", "NumberLock").objects.get(pk=lock.pk)
    assert moved.until == began + dt.timedelta(hours=24) and moved.unlocked_at is None


@pytest.mark.django_db(transaction=True)
def test_rate_limit_counts_and_locks_survive_their_move_to_the_limits_app():
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from waterportal.limits import ratelimit

    before = [("accounts", "0002_code_purposes_sign_in_link")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    now = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    account = "oumu:taro@example.jp"
    for minutes in range(3):
        old.get_model("accounts", "RateEvent").objects.create(
            policy=ratelimit.LOGIN_ACCOUNT.name,
            key=ratelimit._key(ratelimit.LOGIN_ACCOUNT, account),
            created_at=now - dt.timedelta(minutes=minutes),
        )
    old.get_model("accounts", "RateLock").objects.create(
        policy=ratelimit.LOGIN_SOURCE.name,
        key=ratelimit._key(ratelimit.LOGIN_SOURCE, "203.0.113.9"),
        until=now + dt.timedelta(minutes=10),
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    assert ratelimit.count(ratelimit.LOGIN_ACCOUNT, account, now=now) == 3
    assert ratelimit.locked_until(ratelimit.LOGIN_SOURCE, "203.0.113.9", now=now) == (
        now + dt.timedelta(minutes=10)
    )
    assert ContentType.objects.filter(app_label="limits", model="ratelock").count() == 1
    assert not ContentType.objects.filter(app_label="accounts", model="ratelock").exists()


@pytest.mark.django_db(transaction=True)
def test_accounts_made_before_kinds_become_the_operators_or_residents():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [
        ("accounts", "0003_rate_limits_move_to_limits"),
        ("tenants", "0003_tenant_number_lock_hours"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    tenant = old.get_model("tenants", "Tenant").objects.create(slug="oumu", name="おうむ町")
    users = old.get_model("accounts", "User").objects
    operator = users.create(email="operator@example.jp", is_superuser=True, is_staff=True)
    resident = users.create(email="hanako@example.jp", tenant_id=tenant.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    kinds = dict(new.get_model("accounts", "User").objects.values_list("pk", "kind"))
    assert kinds == {operator.pk: "operator", resident.pk: "member"}


@pytest.mark.django_db(transaction=True)
def test_each_towns_texts_become_version_1_accepted_by_its_members_when_they_joined():
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from waterportal.tenants.models import TextAcceptance, TextVersion
    from waterportal.tenants.versions import pending_versions

    before = [
        ("accounts", "0004_account_kinds_staff_roles"),
        ("tenants", "0003_tenant_number_lock_hours"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    towns = old.get_model("tenants", "Tenant").objects
    oumu = towns.create(
        slug="oumu", name="おうむ町", terms_text="規約の文", privacy_text="取扱いの文"
    )
    kita = towns.create(slug="kita", name="きた市", terms_text="きた市の規約", privacy_text="")
    users = old.get_model("accounts", "User").objects
    joined = dt.datetime(2026, 5, 1, 3, 0, tzinfo=dt.UTC)
    hanako = users.create(email="hanako@example.jp", tenant_id=oumu.pk, date_joined=joined)
    staff = users.create(
        email="kanri@example.jp", tenant_id=oumu.pk, kind="staff", staff_role="manager"
    )
    jiro = users.create(email="jiro@example.jp", tenant_id=kita.pk, date_joined=joined)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    versions = {(v.tenant_id, v.kind): v for v in TextVersion.objects.all()}
    assert set(versions) == {(oumu.pk, "terms"), (oumu.pk, "privacy"), (kita.pk, "terms")}
    terms = versions[(oumu.pk, "terms")]
    assert (terms.label, terms.text, terms.published_by) == ("第1版", "規約の文", None)
    assert terms.published_at == oumu.created_at
    accepted = {(a.member_id, a.version_id, a.accepted_at) for a in TextAcceptance.objects.all()}
    assert accepted == {
        (hanako.pk, terms.pk, joined),
        (hanako.pk, versions[(oumu.pk, "privacy")].pk, joined),
        (jiro.pk, versions[(kita.pk, "terms")].pk, joined),
    }
    assert not TextAcceptance.objects.filter(member_id=staff.pk).exists()
    from waterportal.accounts.models import User

    assert pending_versions(User.objects.get(pk=hanako.pk)) == []
    assert pending_versions(User.objects.get(pk=jiro.pk)) == []
