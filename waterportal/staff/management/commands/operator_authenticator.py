from django.core.management.base import BaseCommand, CommandError

from waterportal.accounts.models import AccountKind, User, normalize_email
from waterportal.audit.actions import command_user
from waterportal.staff import actions


class Command(BaseCommand):
    help = (
        "運用者（管理サイトのスーパーユーザー）の認証アプリを登録し直します。"
        "管理サイトへのログインには、その確認コードが必要です。"
        "例: manage.py operator_authenticator operator@example.jp"
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="運用者のメールアドレス")

    def handle(self, *args, **opts):
        operator = User.objects.filter(
            tenant__isnull=True,
            kind=AccountKind.OPERATOR,
            is_superuser=True,
            email=normalize_email(opts["email"]),
        ).first()
        if operator is None:
            raise CommandError(
                "このメールアドレスの運用者はいません。先に manage.py createsuperuser で作成してください。"
            )
        uri, codes = actions.do_enroll_operator_authenticator(operator, os_user=command_user())
        actions.print_second_factor(self.stdout.write, uri, codes)
