"""Compile the やさしい日本語 catalogue with its readings marked (see lib/easy_japanese).

``compilemessages`` would compile the readings as written (``料金{りょうきん}``), and every
page would show the braces; ``make messages`` runs this instead for locale/ja_Easy.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from waterportal.lib import easy_japanese


class Command(BaseCommand):
    help = "Compile locale/ja_Easy/LC_MESSAGES/django.po into its .mo, readings marked."
    # As compilemessages: no system checks, which would open the database (on a fresh
    # checkout `make test` compiles the catalogues before any database exists).
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        directory = settings.BASE_DIR / "locale" / "ja_Easy" / "LC_MESSAGES"
        easy_japanese.compile_catalogue(directory / "django.po", directory / "django.mo")
        self.stdout.write(f"compiled {directory / 'django.mo'}")
