# Locks made before they had an end of their own were "until staff unlock"; they get the
# default period (24 hours) from when they began, so those already older end at once.

import datetime as dt

from django.db import migrations, models


def give_every_lock_an_end(apps, schema_editor):
    NumberLock = apps.get_model("contracts", "NumberLock")
    for lock in NumberLock.objects.filter(until__isnull=True).only("pk", "locked_at"):
        NumberLock.objects.filter(pk=lock.pk).update(until=lock.locked_at + dt.timedelta(hours=24))


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="numberlock",
            name="until",
            field=models.DateTimeField(null=True, verbose_name="自動解除の日時"),
        ),
        migrations.RunPython(give_every_lock_an_end, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="numberlock",
            name="until",
            field=models.DateTimeField(verbose_name="自動解除の日時"),
        ),
        migrations.AlterField(
            model_name="numberlock",
            name="locked_at",
            field=models.DateTimeField(verbose_name="ロック日時"),
        ),
        migrations.AlterField(
            model_name="numberlock",
            name="unlocked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="解除日時"),
        ),
    ]
