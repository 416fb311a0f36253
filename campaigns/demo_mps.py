"""Demo for letters to each supporter's own MP (seed_demo, idempotent, offline): a few fictional
Members of Parliament for real ridings (at reserved example.org addresses, one without an address
to show a held letter), the postal codes of the demo already looked up, and some counted letters
so the staff page has ridings, parties and a map to show."""

import random
from datetime import timedelta

from django.utils import timezone

from .models import (
    HOUSE_OF_COMMONS,
    LETTERS_TO_MP,
    Action,
    ActionCount,
    Campaign,
    CountDelta,
    Letter,
    PostalCodeLookup,
    Representative,
    Signature,
)
from .services.letters import representative_target

MP_LETTER_SLUG = "write-to-your-mp"
DEMO_SOURCE = "seed_demo (fictional demo entry)"
# (riding, province, name, party, email): fictional people; the ridings are real.
DEMO_MPS = [
    ("Ottawa Centre", "ON", "Avery Tremblay", "Liberal", "avery.tremblay@example.org"),
    ("Laurier—Sainte-Marie", "QC", "Jordan Côté", "Bloc Québécois", "jordan.cote@example.org"),
    ("Outremont", "QC", "Morgan Lavoie", "NDP", "morgan.lavoie@example.org"),
    ("Vancouver Centre", "BC", "Taylor Nguyen", "Liberal", "taylor.nguyen@example.org"),
    ("Calgary Centre", "AB", "Casey MacDonald", "Conservative", "casey.macdonald@example.org"),
    ("Halifax", "NS", "Robin Doucette", "NDP", "robin.doucette@example.org"),
    ("Nunavut", "NU", "Sam Qaqqaq", "Conservative", ""),
]
# Postal code (upper case, no space) -> its ridings, as Represent would answer, and its city.
DEMO_POSTAL_CODES = {
    "K1A0B1": (["Ottawa Centre"], "Ottawa"),
    "H2X1Y4": (["Laurier—Sainte-Marie", "Outremont"], "Montréal"),
    "V6B1A1": (["Vancouver Centre"], "Vancouver"),
    "T2P1J9": (["Calgary Centre"], "Calgary"),
    "B3H1A1": (["Halifax"], "Halifax"),
    "X0A0H0": (["Nunavut"], "Iqaluit"),
}
# How many demo letters each riding has sent.
DEMO_LETTERS = {
    "Ottawa Centre": 14,
    "Laurier—Sainte-Marie": 6,
    "Outremont": 3,
    "Vancouver Centre": 9,
    "Calgary Centre": 4,
    "Halifax": 5,
    "Nunavut": 1,
}

ASK = """\
Members of Parliament answer to the people of their riding. Write to yours: ask them to call on
the Government to suspend the Safe Third Country Agreement. Enter your postal code and we find
your MP; the letter goes to them with your name and riding, so their office can answer you.
"""
TEMPLATE = """\
Dear Member of Parliament,

As one of your constituents, I ask you to call on the Government of Canada to suspend the Safe
Third Country Agreement while the United States is not a safe country for people seeking asylum.

Please tell me what you will do.

Yours sincerely,"""


def _directory(now) -> dict[str, Representative]:
    mps = {}
    for riding, province, name, party, email in DEMO_MPS:
        mps[riding], _created = Representative.objects.get_or_create(
            representative_set=HOUSE_OF_COMMONS,
            source_key=f"{riding}::{name}",
            defaults={
                "name": name,
                "district_name": riding,
                "elected_office": "MP",
                "party_name": party,
                "province": province,
                "email": email,
                "source": DEMO_SOURCE,
                "imported_at": now,
            },
        )
    for code, (ridings, city) in DEMO_POSTAL_CODES.items():
        province = mps[ridings[0]].province
        PostalCodeLookup.objects.update_or_create(
            code=code, defaults={"ridings": ridings, "city": city, "province": province, "fetched_at": now}
        )
    return mps


def _letters(action: Action, mps: dict[str, Representative], now) -> None:
    if Signature.objects.filter(action=action, email_normalised__startswith=f"demo-{action.pk}-").exists():
        return
    rng = random.Random(2019)
    codes = {ridings[0]: code for code, (ridings, _city) in DEMO_POSTAL_CODES.items()}
    codes["Outremont"] = "H2X1Y4"
    signatures, addressed = [], []
    for riding, how_many in DEMO_LETTERS.items():
        code = codes[riding]
        for _n in range(how_many):
            number = len(signatures) + 1
            confirmed_at = now - timedelta(seconds=rng.randint(3600, 10 * 24 * 3600))
            email = f"demo-{action.pk}-{number}@example.org"
            signatures.append(
                Signature(
                    action=action,
                    first_name=rng.choice(["Ana", "Luc", "Mei", "Omar", "Sita", "Noah", "Inès"]),
                    last_name=rng.choice(["Martin", "Roy", "Chen", "Diallo", "Singh", "Gagnon"]),
                    email=email,
                    email_normalised=email,
                    country="CA",
                    region=mps[riding].province,
                    postal_code=f"{code[:3]} {code[3:]}",
                    status=Signature.Status.CONFIRMED,
                    created_at=confirmed_at - timedelta(minutes=5),
                    confirmed_at=confirmed_at,
                )
            )
            addressed.append(mps[riding])
    Signature.objects.bulk_create(signatures)
    letters = []
    for signature, mp in zip(signatures, addressed, strict=True):
        target = representative_target(representative=mp)
        letters.append(
            Letter(
                signature=signature,
                representative=mp,
                riding=mp.district_name,
                target=target,
                hold=Letter.Hold.NONE if target else Letter.Hold.NO_EMAIL,
                message=TEMPLATE,
                # Demo history: shown as already handed to the outbox, so nothing is sent.
                queued_at=signature.confirmed_at if target else None,
            )
        )
    Letter.objects.bulk_create(letters)
    CountDelta.objects.bulk_create(
        [CountDelta(action=action, country="CA", region=s.region, delta=1) for s in signatures]
    )
    ActionCount.objects.get_or_create(action=action)


def seed_mp_letters(*, campaign: Campaign, stdout) -> Action:
    """The "Write to your MP" action of the demo campaign, its MPs, postal codes and letters."""
    now = timezone.now()
    action, _created = Action.objects.get_or_create(
        slug=MP_LETTER_SLUG,
        defaults={
            "campaign": campaign,
            "kind": Action.Kind.LETTER,
            "title": "Write to your MP",
            "summary": "Ask your own Member of Parliament to call for the agreement's suspension.",
            "ask": ASK,
            "target": "Your Member of Parliament",
            "letter_recipient": LETTERS_TO_MP,
            "letter_subject": "Please call for the suspension of the Safe Third Country Agreement",
            "letter_template": TEMPLATE,
            "goal": 100,
            "points": 15,
            "ask_country": Action.Field.HIDDEN,
            "ask_postal_code": Action.Field.REQUIRED,
            "status": Action.Status.LIVE,
            "position": 3,
        },
    )
    _letters(action, _directory(now), now)
    stdout.write(
        f"Letters to MPs: /act/{MP_LETTER_SLUG}/ (demo postal codes: "
        + ", ".join(f"{code[:3]} {code[3:]}" for code in DEMO_POSTAL_CODES)
        + ")"
    )
    return action
