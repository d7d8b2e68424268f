"""The towns that exist before the help centre get its default set, as new towns do
(``helpcentre.receivers``)."""

from django.db import migrations
from django.utils import timezone


def install_defaults(apps, schema_editor):
    from waterportal.helpcentre import defaults

    Tenant = apps.get_model("tenants", "Tenant")
    HelpCategory = apps.get_model("helpcentre", "HelpCategory")
    HelpEntry = apps.get_model("helpcentre", "HelpEntry")
    now = timezone.now()
    for town in Tenant.objects.all():
        defaults.install(town, HelpCategory, HelpEntry, now=now)


class Migration(migrations.Migration):
    dependencies = [
        ("helpcentre", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_defaults, migrations.RunPython.noop),
    ]
