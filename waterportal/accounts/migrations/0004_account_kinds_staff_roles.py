# Accounts get a kind: a resident (member), a member of a town's staff, or the operator.
# Every existing account with no town is the operator's; every other one a resident's.

from django.db import migrations, models


def operators_are_the_accounts_without_a_town(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(tenant__isnull=True).update(kind="operator")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_rate_limits_move_to_limits'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('tenants', '0003_tenant_number_lock_hours'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='user_email_per_tenant',
        ),
        migrations.AddField(
            model_name='user',
            name='kind',
            field=models.CharField(choices=[('member', '会員'), ('staff', '職員'), ('operator', '運用者')], default='member', max_length=10, verbose_name='種別'),
        ),
        migrations.AddField(
            model_name='user',
            name='staff_role',
            field=models.CharField(blank=True, choices=[('manager', '管理者'), ('clerk', '担当者'), ('viewer', '閲覧者')], max_length=10, verbose_name='職員の権限'),
        ),
        migrations.RunPython(operators_are_the_accounts_without_a_town, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(fields=('tenant', 'kind', 'email'), name='user_email_per_tenant_and_kind'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'operator'), ('tenant__isnull', True)), models.Q(models.Q(('kind', 'operator'), _negated=True), ('tenant__isnull', False)), _connector='OR'), name='user_operator_has_no_town'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'staff'), ('staff_role__in', ['manager', 'clerk', 'viewer'])), models.Q(models.Q(('kind', 'staff'), _negated=True), ('staff_role', '')), _connector='OR'), name='user_role_for_staff_only'),
        ),
    ]
