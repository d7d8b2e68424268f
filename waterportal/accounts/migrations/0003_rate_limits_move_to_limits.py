# The rate-limit tables move to the limits app (waterportal.limits): renamed in the
# database, every row kept; limits 0001 takes the models over in Django's state.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_code_purposes_sign_in_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("rateevent", "limits_rateevent"),
                migrations.AlterModelTable("ratelock", "limits_ratelock"),
            ],
            state_operations=[
                migrations.DeleteModel("RateEvent"),
                migrations.DeleteModel("RateLock"),
            ],
        ),
    ]
