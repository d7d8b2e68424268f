from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.actions import do_create_tenant


class Command(BaseCommand):
    help = "自治体（テナント）を作成します。例: manage.py create_tenant oumu --name おうむ町"

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--department", default="")
        parser.add_argument("--section", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--hours", default="")

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
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"作成しました: {tenant.slug} ({tenant.name}) → /login?tenant={tenant.slug}")
