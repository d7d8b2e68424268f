import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from waterportal.accounts.models import StaffRole
from waterportal.audit.actions import command_user
from waterportal.staff import actions
from waterportal.tenants.models import Tenant

ROLES = {label: value for value, label in StaffRole.choices}  # 管理者 → manager, …


class Command(BaseCommand):
    help = (
        "町の職員のアカウントを作成します。パスワードは環境変数 STAFF_PASSWORD から、"
        "なければ入力を求めます。例: manage.py create_staff oumu suido@town.example.jp --role 管理者"
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="自治体の識別子 例: oumu")
        parser.add_argument("email", help="職員のメールアドレス")
        parser.add_argument("--role", required=True, choices=list(ROLES), help="権限")
        parser.add_argument("--name", default="", help="氏名")

    def handle(self, *args, **opts):
        tenant = Tenant.objects.filter(slug=opts["slug"]).first()
        if tenant is None:
            raise CommandError(f"自治体「{opts['slug']}」はありません。識別子を確かめてください。")
        password = os.environ.get("STAFF_PASSWORD") or self._ask_password()
        try:
            staff, uri, codes = actions.do_create_staff(
                tenant,
                opts["email"],
                role=ROLES[opts["role"]],
                password=password,
                name=opts["name"],
                os_user=command_user(),
            )
        except ValidationError as exc:
            raise CommandError("パスワード: " + " ".join(exc.messages)) from exc
        except actions.StaffEmailTaken as exc:
            raise CommandError(
                f"{tenant.name}には、このメールアドレスの職員がすでにいます。"
            ) from exc
        self.stdout.write(f"作成しました: {tenant.name}の{opts['role']} {staff.email}")
        actions.print_second_factor(self.stdout.write, uri, codes)

    def _ask_password(self) -> str:
        first = getpass.getpass("パスワード: ")
        if first != getpass.getpass("パスワード（確認）: "):
            raise CommandError("確認用のパスワードが一致しません。もう一度実行してください。")
        return first
