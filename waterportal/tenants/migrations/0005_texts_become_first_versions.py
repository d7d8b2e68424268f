"""Each town's texts become its 第1版, published when the town was created, and every
member registered under them has accepted it when they joined: nobody is asked to agree
again after the deploy."""

from django.db import migrations

FIRST_LABEL = "第1版"


def forwards(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    TextVersion = apps.get_model("tenants", "TextVersion")
    TextAcceptance = apps.get_model("tenants", "TextAcceptance")
    User = apps.get_model("accounts", "User")
    for tenant in Tenant.objects.all().iterator():
        firsts = [
            TextVersion.objects.create(
                tenant=tenant, kind=kind, label=FIRST_LABEL, text=text, published_at=tenant.created_at
            )
            for kind, text in (("terms", tenant.terms_text), ("privacy", tenant.privacy_text))
            if text and not TextVersion.objects.filter(tenant=tenant, kind=kind).exists()
        ]
        members = User.objects.filter(tenant=tenant, kind="member").values_list("pk", "date_joined")
        TextAcceptance.objects.bulk_create(
            (
                TextAcceptance(member_id=pk, version=version, accepted_at=joined)
                for pk, joined in members.iterator()
                for version in firsts
            ),
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_text_versions_and_acceptances"),
        ("accounts", "0004_account_kinds_staff_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
