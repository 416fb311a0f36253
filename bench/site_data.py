"""Test data and database checks for the benchmarks, run inside the site under test.

    python -m bench.site_data <function> '<JSON keyword arguments>'

prints the function's JSON result on its last line (bench.harness.site_call runs it with the
site's environment, so it reads the same database as the web processes).
"""

import json
import sys


def _setup() -> None:
    import django

    django.setup()


def seed_pending(*, action_slug: str, count: int, email_prefix: str) -> list[str]:
    """`count` pending signatures on the action, as anonymous supporters leave them; returns the
    path of each one's confirmation link (what the emailed link points at)."""
    from datetime import timedelta

    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from campaigns.abuse import signing_address
    from campaigns.models import Action, Signature
    from campaigns.tokens import CONFIRM, signature_token

    action = Action.objects.get(slug=action_slug)
    now = timezone.now()
    expires = now + timedelta(days=settings.SIGNATURE_CONFIRMATION_DAYS)
    rows = []
    for number in range(count):
        email = f"{email_prefix}{number}@example.org"
        rows.append(
            Signature(
                action=action,
                first_name="Viral",
                last_name=f"Supporter{number}",
                email=email,
                email_normalised=signing_address(email),
                country="CA",
                region="ON",
                postal_code="K1A 0B1",
                status=Signature.Status.PENDING,
                expires_at=expires,
                emails_sent=1,
                created_at=now,
            )
        )
    created = Signature.objects.bulk_create(rows, batch_size=1000)
    return [
        reverse("campaigns:signature-confirm", args=[signature_token(signature_id=row.pk, purpose=CONFIRM)])
        for row in created
    ]


def signature_figures(*, action_slug: str, email_prefix: str) -> dict:
    """What the database holds for the benchmark's supporters on one action, and its whole count."""
    from django.db.models import Count

    from campaigns.models import Signature
    from emails.models import OutboxEmail

    ours = Signature.objects.filter(action__slug=action_slug, email__startswith=email_prefix)
    by_status = dict(ours.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    per_address = ours.values("email_normalised").annotate(n=Count("pk"))
    duplicates = sum(row["n"] - 1 for row in per_address.filter(n__gt=1))
    ids = list(ours.values_list("pk", flat=True))
    outbox = OutboxEmail.objects.filter(key__in=[f"confirm:{pk}" for pk in ids])
    outbox_by_status = dict(outbox.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    confirmed = Signature.objects.filter(action__slug=action_slug, status=Signature.Status.CONFIRMED).count()
    return {
        "rows": len(ids),
        "by_status": by_status,
        "duplicates": duplicates,
        "outbox": outbox_by_status,
        "confirmed_on_action": confirmed,
    }


def main(argv: list[str]) -> None:
    _setup()
    function = {"seed_pending": seed_pending, "signature_figures": signature_figures}[argv[1]]
    result = function(**json.loads(argv[2] if len(argv) > 2 else "{}"))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv)
