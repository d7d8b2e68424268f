from django.core.management.base import BaseCommand, CommandError

from waterportal.accounts.models import AccountKind, User, normalize_email
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
        uri, codes = actions.do_enroll_operator_authenticator(operator)
        self.stdout.write("認証アプリに次のURIを登録してください（この一度だけ表示します）:")
        self.stdout.write(uri)
        self.stdout.write(
            "リカバリーコード（それぞれ一度だけ使えます。安全な場所に保管してください）:"
        )
        for code in codes:
            self.stdout.write(f"  {code}")
