"""The default categories for the towns that existed before notices (new towns get them
when they are created: ``notices.receivers``)."""

from django.db import migrations

DEFAULT_CATEGORIES = ("断水・濁水", "工事", "料金", "検針", "災害", "その他")


def create(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    NoticeCategory = apps.get_model("notices", "NoticeCategory")
    for tenant in Tenant.objects.all():
        NoticeCategory.objects.bulk_create(
            [
                NoticeCategory(tenant=tenant, name=name, position=position)
                for position, name in enumerate(DEFAULT_CATEGORIES, start=1)
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
