"""manage.py import_representatives: fills the directory of representatives from Open North's
Represent API (settings.REPRESENT_URL). Beat runs the same import weekly (campaigns.tasks)."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import HOUSE_OF_COMMONS
from campaigns.represent import RepresentUnavailable, representative_set_url
from campaigns.services import representatives_import


class Command(BaseCommand):
    help = "Imports a Represent representative set (the House of Commons unless told another)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            dest="representative_set",
            default=HOUSE_OF_COMMONS,
            help="A Represent representative set, e.g. ontario-legislature (default: house-of-commons).",
        )

    def handle(self, *args, representative_set: str, **options):
        try:
            result = representatives_import(representative_set=representative_set)
        except RepresentUnavailable as error:
            raise CommandError(
                f"Nothing imported: {representative_set_url(representative_set)} gave no usable answer ({error})."
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{representative_set}: {result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.retired} no longer in office."
            )
        )
