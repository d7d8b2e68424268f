# Takes over the rate-limit tables that accounts 0003 renamed: nothing is created in the
# database, and the content types (with their permissions) move with the models.

from django.db import migrations, models


def move_content_types(apps, schema_editor, old="accounts", new="limits"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("rateevent", "ratelock"):
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="limits", new="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_rate_limits_move_to_limits"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("policy", models.CharField(max_length=40)),
                        ("key", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField()),
                    ],
                    options={
                        "indexes": [models.Index(fields=["policy", "key", "created_at"], name="accounts_ra_policy_e0997f_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="RateLock",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("policy", models.CharField(max_length=40)),
                        ("key", models.CharField(max_length=64)),
                        ("until", models.DateTimeField()),
                    ],
                    options={
                        "indexes": [models.Index(fields=["policy", "key", "until"], name="accounts_ra_policy_9022a6_idx")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
