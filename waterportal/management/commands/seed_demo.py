import unicodedata
from base64 import b32encode
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from waterportal.accounts.models import AccountKind, StaffRole, User
from waterportal.audit.actions import command_user
from waterportal.contracts.models import Customer, Link
from waterportal.exchange.actions import do_import_file
from waterportal.exchange.demo import write_demo_files
from waterportal.exchange.models import ImportRun
from waterportal.inquiries import demo as inquiries_demo
from waterportal.lib.kana import printed_number
from waterportal.notices import demo as notices_demo
from waterportal.staff.actions import do_create_staff
from waterportal.tenants.actions import do_create_tenant
from waterportal.tenants.models import Tenant

SLUG = "oumu"
# The demo town's 管理者: for trying the staff console on a development machine only.
DEMO_STAFF_EMAIL = "kanri@oumu.example.jp"
DEMO_STAFF_PASSWORD = "Jousui-Demo-2026"  # noqa: S105 - printed on purpose, demo data


class Command(BaseCommand):
    help = (
        "デモの自治体「おうむ町」を作り、料金システムの連携ファイルを生成して取り込みます。"
        "すでにあれば何もせず、使い方だけを表示します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=settings.VAR_DIR / "demo",
            help="連携ファイルを書き出すフォルダ（既定: var/demo）",
        )

    def handle(self, *args, **opts):
        tenant = Tenant.objects.filter(slug=SLUG).first()
        if tenant is None:
            with transaction.atomic():
                # One transaction: a failed seed leaves no half-made town behind, so
                # running the command again starts over instead of skipping.
                tenant = self._create(opts["dir"])
        else:
            self.stdout.write(
                f"デモの自治体「{tenant.name}」はすでにあります（何も変更していません）。"
            )
        self._ensure_demo_manager(tenant)
        self._print_hints(tenant)

    def _ensure_demo_manager(self, tenant: Tenant) -> None:
        """The town's demo 管理者, so that the staff console can be tried at once."""
        if User.objects.filter(
            tenant=tenant, kind=AccountKind.STAFF, email=DEMO_STAFF_EMAIL
        ).exists():
            return
        _staff, _uri, codes = do_create_staff(
            tenant,
            DEMO_STAFF_EMAIL,
            role=StaffRole.MANAGER,
            password=DEMO_STAFF_PASSWORD,
            name="水道係 デモ",
            os_user=command_user(),
        )
        self.stdout.write("デモの管理者を作りました。リカバリーコード（一度だけ表示）:")
        self.stdout.write("  " + " ".join(codes))

    def _create(self, directory: Path) -> Tenant:
        tenant = do_create_tenant(
            slug=SLUG,
            name="おうむ町",
            department="建設水道課",
            section="水道係",
            phone="0120-000-111",
            opening_hours="平日 8:30〜17:15（土日祝日・年末年始を除く）",
        )
        tenant.business_name = "おうむ町水道事業"
        tenant.invoice_registration_number = "T9234567890123"
        # The demo town is open at once: there is no 管理者 yet to publish it.
        tenant.published_at = timezone.now()
        tenant.full_clean()
        tenant.save(update_fields=["business_name", "invoice_registration_number", "published_at"])

        files = write_demo_files(directory, timezone.localdate())
        for kind, path in (
            ("customers", files.customers),
            ("bills", files.bills),
            ("payments", files.payments),
        ):
            run = do_import_file(tenant, kind, path)
            self.stdout.write(run.summary)
            if run.status != ImportRun.Status.SUCCEEDED:
                lines = "\n".join(run.report_lines(10))
                raise CommandError(f"デモのファイルを取り込めませんでした:\n{lines}")
        self.stdout.write(f"デモの自治体「{tenant.name}」を作りました。連携ファイル: {directory}")
        inquiries_demo.seed(tenant)
        notices_demo.seed(tenant)
        return tenant

    def _print_hints(self, tenant: Tenant) -> None:
        self.stdout.write(f"ポータル:         {settings.SITE_URL}/login?tenant={tenant.slug}")
        self.stdout.write(
            f"開発用メール箱:   {settings.SITE_URL}/dev/mailbox/ （認証コードはここに届きます）"
        )
        if settings.DEBUG:
            self.stdout.write(f"アプリ向け API:   {settings.SITE_URL}/api/v1/docs （説明と試用）")
        device = TOTPDevice.objects.filter(
            user__tenant=tenant, user__email=DEMO_STAFF_EMAIL, user__kind=AccountKind.STAFF
        ).first()
        if device is not None:
            self.stdout.write(
                f"職員用画面:       {settings.SITE_URL}/staff/login?tenant={tenant.slug}"
            )
            self.stdout.write(
                f"デモの管理者:     {DEMO_STAFF_EMAIL} / パスワード {DEMO_STAFF_PASSWORD}"
            )
            self.stdout.write(f"認証アプリの秘密鍵: {b32encode(device.bin_key).decode()}")
            self.stdout.write(f"（認証アプリに登録するURI: {device.config_url}）")
        customer = demo_customer(tenant)
        if customer is None:
            self.stdout.write("登録に使える契約が残っていません（すべて連携済みです）。")
            return
        self.stdout.write(
            f"登録用のデモ契約: 使用者番号 {printed_number(customer.number)} / "
            f"カナ氏名 {unicodedata.normalize('NFKC', customer.name_kana)}"
        )


def demo_customer(tenant: Tenant) -> Customer | None:
    """The first contract in use that no member has linked yet: registering with it works."""
    with scope(tenant=tenant):
        return (
            Customer.objects.filter(tenant=tenant, status=Customer.Status.IN_USE)
            .exclude(Exists(Link.objects.filter(customer=OuterRef("pk"), revoked_at__isnull=True)))
            .order_by("number")
            .first()
        )
