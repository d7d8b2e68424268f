from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError

from waterportal.audit.actions import do_record_command
from waterportal.tenants.actions import do_create_tenant
from waterportal.tenants.models import Tenant


def describe(error: ValidationError) -> str:
    """The error's messages, each prefixed with the field's Japanese label if it has one."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for field, messages in error.message_dict.items():
        try:
            label = str(getattr(Tenant._meta.get_field(field), "verbose_name", field))
        except FieldDoesNotExist:  # NON_FIELD_ERRORS
            label = ""
        parts += [f"{label}: {m}" if label else m for m in messages]
    return " ".join(parts)


class Command(BaseCommand):
    # Here, above the apps, rather than in tenants' own commands: its audit row is written
    # by audit, a layer above tenants.
    help = "自治体（テナント）を作成します。例: manage.py create_tenant oumu --name おうむ町"

    def add_arguments(self, parser):
        parser.add_argument("slug", help="識別子（英小文字・数字・ハイフン）: /login?tenant=識別子")
        parser.add_argument("--name", required=True, help="自治体名 例: おうむ町")
        parser.add_argument("--department", default="", help="担当課")
        parser.add_argument("--section", default="", help="担当係")
        parser.add_argument("--phone", default="", help="電話番号")
        parser.add_argument("--hours", default="", help="受付時間 例: 平日 8:30〜17:15")

    def handle(self, *args, **opts):
        try:
            tenant = do_create_tenant(
                slug=opts["slug"],
                name=opts["name"],
                department=opts["department"],
                section=opts["section"],
                phone=opts["phone"],
                opening_hours=opts["hours"],
            )
        except ValidationError as exc:
            raise CommandError(describe(exc)) from exc
        # The slug only: the rest is the town's public contact block, on the town itself.
        do_record_command(tenant, "create_tenant", slug=tenant.slug)
        self.stdout.write(
            f"作成しました: {tenant.slug} ({tenant.name}) → /login?tenant={tenant.slug}"
        )
        self.stdout.write(
            "まだ公開していません: 住民には「準備中」と表示します。"
            f"職員を作成し（manage.py create_staff {tenant.slug} …）、"
            "管理者が職員用画面（/staff/）で公開してください。"
        )
