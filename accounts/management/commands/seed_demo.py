"""Loads the demo data (idempotent). Demo users exist only while DEBUG is on."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each app with demo data has a `demo.seed(*, create_users, stdout)`; order matters (users first).
DEMO_APPS = ("accounts", "campaigns", "tracker")


class Command(BaseCommand):
    help = "Creates the demo campaigns, tracker and (with DEBUG on) the demo users. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off: loads the demo content but never creates the demo users.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off. Use --force to load demo content only.")
        create_users = settings.DEBUG
        with transaction.atomic():
            for app in DEMO_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app}.demo":
                        raise
                    continue
                module.seed(create_users=create_users, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
