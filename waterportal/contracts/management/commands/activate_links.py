import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from waterportal.audit.actions import do_record_command
from waterportal.contracts.actions import activate_all
from waterportal.tenants.models import Tenant


class Command(BaseCommand):
    help = "翌営業日になった連携を有効にします（毎日の定時処理を手動で実行します）。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="基準日 (YYYY-MM-DD)。省略時は今日（日本時間）")
        parser.add_argument("--tenant", help="自治体の識別子。省略時はすべての自治体")

    def handle(self, *args, **opts):
        as_of = None
        if opts["as_of"]:
            try:
                as_of = dt.date.fromisoformat(opts["as_of"])
            except ValueError as exc:
                raise CommandError(
                    f"--as-of は YYYY-MM-DD の形で指定してください: {opts['as_of']}"
                ) from exc
        tenants = None
        if opts["tenant"]:
            tenants = list(Tenant.objects.filter(slug=opts["tenant"]))
            if not tenants:
                raise CommandError(f"自治体「{opts['tenant']}」が見つかりません。")
        as_of = as_of or timezone.localdate()
        activated = activate_all(as_of, tenants=tenants)
        for town in Tenant.objects.filter(slug__in=activated).order_by("pk"):
            do_record_command(
                town,
                "activate_links",
                as_of=as_of.isoformat(),
                activated=activated[town.slug],
            )
        for slug, count in activated.items():
            self.stdout.write(f"{slug}: {count}件の連携を有効にしました")
