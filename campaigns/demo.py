"""Demo campaign for `seed_demo` (idempotent): refugees and migrants, a pledge, a petition on the
Safe Third Country Agreement with its thresholds, and a letter to the Minister of Immigration,
Refugees and Citizenship (at a reserved example.org address), a letter to each supporter's own MP
(campaigns.demo_mps), with a few hundred confirmed demo signatures (example.org/.com only)."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_SUPPORTER_EMAIL
from accounts.models import User
from core.translated import add_missing_translation

from .demo_mps import seed_mp_letters
from .models import Action, ActionCount, Campaign, CountDelta, CountHistory, Signature, Target, Threshold
from .services import counts_fold, signature_create

CAMPAIGN_SLUG = "refugees-and-migrants"
PLEDGE_SLUG = "refugee-migrant-human-being"
PETITION_SLUG = "suspend-the-safe-third-country-agreement"
LETTER_SLUG = "write-to-the-minister"
# A reserved domain (RFC 2606): the demo letters reach nobody.
DEMO_TARGET_EMAIL = "minister@example.org"

STORY = """\
In the spring of 2018 the United States began prosecuting every adult who crossed its southern
border irregularly. Between 19 April and 31 May of that year, close to 2,000 children were taken
from their parents at the US–Mexico border and held apart from them. The United Nations called the
practice a violation of human rights and asked the US to end it.

Canada answered that it would **watch** whether the United States still meets its obligations to
people seeking asylum, and with them the terms of the **Safe Third Country Agreement** (STCA).

## Why the agreement matters

Under the STCA, a person who reaches Canada from the United States must, with few exceptions, make
their refugee claim in the US, the first "safe" country they arrived in. The agreement rests on one
assumption: that the US is safe for asylum seekers. If it is not, the agreement sends people back to
danger.

Members of Parliament asked in the House of Commons whether the US can still be called safe, noting
that the new US policy also closed the door on people fleeing domestic or gang violence. Canada keeps
most children out of immigration detention, though not all: from April to December 2017, 150
children were held with a parent and five on their own.

## What you can do

Take the pledge to stand with people who flee danger, wherever they were born, and call on the
Government of Canada to suspend the agreement while the United States is not a safe third country.
"""

PLEDGE_ASK = """\
**I pledge** to treat everyone who flees danger as a human being first: to speak up when refugees
and migrants are talked about as a threat, to welcome newcomers in my community, and to ask my
representatives to protect the right to seek asylum, no matter where a person was born.
"""

PETITION_ASK = """\
We, the undersigned, call on the Government of Canada to **suspend the Safe Third Country Agreement
with the United States** while it reviews whether the US is still a safe country for people seeking
asylum.

Families have been separated at the US–Mexico border, children have been detained apart from their
parents, and people fleeing domestic and gang violence have lost a path to protection. A country
that does this cannot be presumed safe. Until the review shows otherwise, people arriving from the
United States must be able to make their refugee claim in Canada.
"""

LETTER_ASK = """\
Write to the Minister of Immigration, Refugees and Citizenship in your own words. Ask the Minister to
suspend the Safe Third Country Agreement while Canada reviews whether the United States is still safe
for people seeking asylum. Start from our letter below and make it yours: a personal letter counts
for more than a form letter.
"""

LETTER_SUBJECT = "Please suspend the Safe Third Country Agreement"

LETTER_TEMPLATE = """\
Dear Minister,

I am writing to ask you to suspend the Safe Third Country Agreement with the United States while
Canada reviews whether the United States is still a safe country for people seeking asylum.

Families have been separated at the US–Mexico border and children held apart from their parents.
People fleeing domestic and gang violence have lost a path to protection there. The agreement rests
on the United States being safe for asylum seekers; until the review shows that it is, people arriving
from the United States must be able to make their refugee claim in Canada.

Canada said it would watch. I ask you to act.

Yours sincerely,
"""

# The same texts in Canadian French, with the federal government's terms (« Entente sur les tiers
# pays sûrs », « demandeurs d'asile »).
STORY_FR = """\
Au printemps 2018, les États-Unis ont commencé à poursuivre en justice tout adulte qui franchissait
irrégulièrement leur frontière sud. Entre le 19 avril et le 31 mai de cette année-là, près de
2 000 enfants ont été séparés de leurs parents à la frontière entre les États-Unis et le Mexique et
détenus loin d'eux. Les Nations Unies ont qualifié cette pratique de violation des droits de la
personne et ont demandé aux États-Unis d'y mettre fin.

Le Canada a répondu qu'il **surveillerait** si les États-Unis respectent toujours leurs obligations
envers les demandeurs d'asile et, avec elles, les conditions de l'**Entente sur les tiers pays sûrs**
(ETPS).

## Pourquoi l'Entente compte

Aux termes de l'ETPS, une personne qui arrive au Canada en provenance des États-Unis doit, sauf
exception, présenter sa demande d'asile aux États-Unis, le premier pays « sûr » où elle est arrivée.
L'Entente repose sur une seule hypothèse : que les États-Unis sont sûrs pour les demandeurs d'asile.
S'ils ne le sont pas, l'Entente renvoie des gens vers le danger.

À la Chambre des communes, des députés ont demandé si l'on peut encore dire des États-Unis qu'ils
sont sûrs, en rappelant que la nouvelle politique américaine ferme aussi la porte aux personnes qui
fuient la violence conjugale ou la violence des gangs. Le Canada tient la plupart des enfants à
l'écart de la détention liée à l'immigration, mais pas tous : d'avril à décembre 2017, 150 enfants
ont été détenus avec un parent et cinq, seuls.

## Ce que vous pouvez faire

Prenez l'engagement d'être solidaire des personnes qui fuient le danger, où qu'elles soient nées, et
demandez au gouvernement du Canada de suspendre l'Entente tant que les États-Unis ne sont pas un
tiers pays sûr.
"""

PLEDGE_ASK_FR = """\
**Je m'engage** à traiter toute personne qui fuit le danger d'abord comme un être humain : à prendre
la parole quand on présente les réfugiés et les migrants comme une menace, à accueillir les
nouveaux arrivants dans ma communauté et à demander à mes représentants de protéger le droit de
demander l'asile, peu importe où une personne est née.
"""

PETITION_ASK_FR = """\
Nous, soussignés, demandons au gouvernement du Canada de **suspendre l'Entente sur les tiers pays
sûrs conclue avec les États-Unis** pendant qu'il examine si les États-Unis sont toujours un pays sûr
pour les demandeurs d'asile.

Des familles ont été séparées à la frontière entre les États-Unis et le Mexique, des enfants ont été
détenus loin de leurs parents, et les personnes qui fuient la violence conjugale ou la violence des
gangs ont perdu une voie vers la protection. Un pays qui agit ainsi ne peut être présumé sûr. Tant
que l'examen n'aura pas démontré le contraire, les personnes qui arrivent des États-Unis doivent
pouvoir présenter leur demande d'asile au Canada.
"""

LETTER_ASK_FR = """\
Écrivez au ministre de l'Immigration, des Réfugiés et de la Citoyenneté dans vos propres mots.
Demandez-lui de suspendre l'Entente sur les tiers pays sûrs pendant que le Canada examine si les
États-Unis sont toujours sûrs pour les demandeurs d'asile. Partez de notre lettre ci-dessous et
faites-la vôtre : une lettre personnelle pèse plus qu'une lettre type.
"""

LETTER_SUBJECT_FR = "Veuillez suspendre l'Entente sur les tiers pays sûrs"

LETTER_TEMPLATE_FR = """\
Monsieur le Ministre,

Je vous écris pour vous demander de suspendre l'Entente sur les tiers pays sûrs conclue avec les
États-Unis pendant que le Canada examine si les États-Unis sont toujours un pays sûr pour les
demandeurs d'asile.

Des familles ont été séparées à la frontière entre les États-Unis et le Mexique et des enfants ont
été détenus loin de leurs parents. Les personnes qui fuient la violence conjugale ou la violence des
gangs y ont perdu une voie vers la protection. L'Entente repose sur l'idée que les États-Unis sont
sûrs pour les demandeurs d'asile; tant que l'examen ne l'aura pas démontré, les personnes qui
arrivent des États-Unis doivent pouvoir présenter leur demande d'asile au Canada.

Le Canada a dit qu'il surveillerait la situation. Je vous demande d'agir.

Veuillez agréer, Monsieur le Ministre, l'expression de mes sentiments distingués.
"""

FIRST_NAMES = [
    "Amira", "Ben", "Chloé", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jamal", "Kateri", "Liam",
    "Maya", "Nikhil", "Olivia", "Pierre", "Qing", "Rosa", "Samir", "Tanya", "Umar", "Valérie", "Wei", "Ximena",
    "Yusuf", "Zoé", "Aisha", "Gabriel", "Mei", "Noah", "Sofia", "Tomás", "Léa", "Arjun", "Fatima", "Émile",
]  # fmt: skip
LAST_NAMES = [
    "Abebe", "Bouchard", "Chen", "Diallo", "Eriksen", "Fontaine", "Gill", "Haddad", "Ibrahim", "Jones",
    "Kowalski", "Lavoie", "Martin", "Nguyen", "Okafor", "Patel", "Quinn", "Roy", "Singh", "Tremblay",
    "Usman", "Vargas", "Wong", "Yilmaz", "Zhang", "Gagnon", "Morin", "Ahmed", "Côté", "Santos",
]  # fmt: skip
# (province, weight, first letters of its postal codes): weights roughly follow population.
PROVINCES = [
    ("ON", 38, "KLMNP"), ("QC", 22, "GHJ"), ("BC", 14, "V"), ("AB", 11, "T"), ("MB", 4, "R"), ("SK", 3, "S"),
    ("NS", 3, "B"), ("NB", 2, "E"), ("NL", 1, "A"), ("PE", 1, "C"), ("YT", 1, "Y"), ("NT", 1, "X"), ("NU", 1, "X"),
]  # fmt: skip
ABROAD = [("US", "10027"), ("US", "94110"), ("FR", ""), ("MX", ""), ("GB", ""), ("DE", "")]
_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"


def _postal_code(rng: random.Random, province: str, letters: str) -> str:
    first = rng.choice(letters)
    if province == "NU":
        return f"X0{rng.choice('ABC')} {rng.randint(0, 9)}{rng.choice(_LETTERS)}{rng.randint(0, 9)}"
    if province == "NT":
        return f"X1A {rng.randint(0, 9)}{rng.choice(_LETTERS)}{rng.randint(0, 9)}"
    return (
        f"{first}{rng.randint(1, 9)}{rng.choice(_LETTERS)} {rng.randint(0, 9)}{rng.choice(_LETTERS)}{rng.randint(0, 9)}"
    )


def _demo_signatures(action: Action, how_many: int, rng: random.Random, now) -> list[Signature]:
    weights = [weight for _code, weight, _letters in PROVINCES]
    start = now - timedelta(days=14)
    moments = sorted(start + timedelta(seconds=rng.randint(0, 14 * 24 * 3600 - 600)) for _ in range(how_many))
    signatures = []
    for number, confirmed_at in enumerate(moments, start=1):
        if rng.random() < 0.9:
            province, _weight, letters = rng.choices(PROVINCES, weights=weights)[0]
            country, postal_code, region = "CA", _postal_code(rng, province, letters), province
            if rng.random() < 0.08:
                postal_code, region = "", ""  # some Canadians leave the optional field empty
        else:
            country, postal_code = rng.choice(ABROAD)
            region = ""
        domain = "example.org" if number % 2 else "example.com"
        email = f"demo-{action.pk}-{number}@{domain}"
        signatures.append(
            Signature(
                action=action,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=email,
                email_normalised=email,
                country=country,
                region=region,
                postal_code=postal_code,
                opt_in=rng.random() < 0.4,
                language="fr" if region == "QC" and rng.random() < 0.7 else "en",
                status=Signature.Status.CONFIRMED,
                created_at=confirmed_at - timedelta(minutes=rng.randint(1, 300)),
                confirmed_at=confirmed_at,
            )
        )
    return signatures


def _hourly_history(action: Action, signatures: list[Signature], now) -> list[CountHistory]:
    hour = (now - timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
    moments = sorted(s.confirmed_at for s in signatures)
    rows, index = [], 0
    while hour <= now:
        end = hour + timedelta(hours=1)
        while index < len(moments) and moments[index] < end:
            index += 1
        rows.append(CountHistory(action=action, hour=hour, count=index))
        hour = end
    return rows


def _seed_signatures(action: Action, how_many: int, rng: random.Random, stdout) -> None:
    if Signature.objects.filter(action=action, email_normalised__startswith=f"demo-{action.pk}-").exists():
        return
    now = timezone.now()
    signatures = _demo_signatures(action, how_many, rng, now)
    Signature.objects.bulk_create(signatures, batch_size=500)
    CountDelta.objects.bulk_create(
        [CountDelta(action=action, country=s.country, region=s.region, delta=1) for s in signatures], batch_size=500
    )
    CountHistory.objects.bulk_create(_hourly_history(action, signatures, now), batch_size=500, ignore_conflicts=True)
    stdout.write(f"Demo signatures added to {action.slug}: {how_many}")


@transaction.atomic
def seed(*, create_users: bool, stdout) -> None:
    """The demo campaign with its four actions (campaigns.demo_mps: the letter to one's MP), the
    petition's thresholds, and demo signatures
    (the demo supporter's own too when the demo accounts exist). Running it again adds nothing."""
    campaign = _demo_campaign()
    petition, pledge = _demo_petition_and_pledge(campaign)
    _demo_letter_action(campaign)
    _demo_thresholds(petition)
    _demo_french(campaign)
    _demo_support(petition, pledge, create_users=create_users, stdout=stdout)
    mp_letters = seed_mp_letters(campaign=campaign, stdout=stdout)
    counts_fold(action_ids=[mp_letters.pk])
    stdout.write(f"Demo campaign ready: /campaigns/{CAMPAIGN_SLUG}/")


def _demo_campaign() -> Campaign:
    campaign, _created = Campaign.objects.get_or_create(
        slug=CAMPAIGN_SLUG,
        defaults={
            "title": "Safe haven for refugees and migrants",
            "summary": "Children were separated from their parents at the US border. Canada is watching; "
            "we ask it to act, and to keep its door open to people seeking safety.",
            "story": STORY,
            "status": Campaign.Status.LIVE,
            "featured": True,
            "published_at": timezone.now(),
        },
    )
    return campaign


def _demo_action(campaign: Campaign, slug: str, **fields) -> Action:
    """A live action of the demo campaign that asks for the country; `fields` are the rest."""
    defaults = {"campaign": campaign, "status": Action.Status.LIVE, "ask_country": Action.Field.REQUIRED}
    action, _created = Action.objects.get_or_create(slug=slug, defaults={**defaults, **fields})
    return action


def _demo_petition_and_pledge(campaign: Campaign) -> tuple[Action, Action]:
    pledge = _demo_action(
        campaign,
        PLEDGE_SLUG,
        kind=Action.Kind.PLEDGE,
        title="Refugee? Migrant? Human Being.",
        summary="Pledge to stand with everyone who flees danger, no matter where they were born.",
        ask=PLEDGE_ASK,
        goal=1000,
        points=5,
        ask_postal_code=Action.Field.OPTIONAL,
        position=1,
    )
    petition = _demo_action(
        campaign,
        PETITION_SLUG,
        kind=Action.Kind.PETITION,
        title="Suspend the Safe Third Country Agreement",
        summary="Call on the Government of Canada to suspend the agreement while the United States "
        "is not a safe country for asylum seekers.",
        ask=PETITION_ASK,
        target="The Government of Canada",
        goal=1000,
        points=10,
        ask_postal_code=Action.Field.OPTIONAL,
        position=0,
    )
    return petition, pledge


def _demo_letter_action(campaign: Campaign) -> Action:
    """The letter to the Minister, who gets each letter on its own."""
    target, _created = Target.objects.get_or_create(
        email=DEMO_TARGET_EMAIL,
        defaults={
            "name": "The Minister of Immigration, Refugees and Citizenship",
            "title": "Government of Canada",
            "delivery": Target.Delivery.EACH,
        },
    )
    return _demo_action(
        campaign,
        LETTER_SLUG,
        kind=Action.Kind.LETTER,
        title="Write to the Minister",
        summary="Ask the Minister of Immigration, Refugees and Citizenship to suspend the agreement.",
        ask=LETTER_ASK,
        target=target.display_name,
        letter_target=target,
        letter_subject=LETTER_SUBJECT,
        letter_template=LETTER_TEMPLATE,
        goal=250,
        points=15,
        ask_postal_code=Action.Field.REQUIRED,
        position=2,
    )


def _demo_thresholds(petition: Action) -> None:
    Threshold.objects.get_or_create(
        action=petition,
        count=500,
        defaults={
            "name": "The House of Commons threshold",
            "consequence": "A House of Commons e-petition with 500 signatures can be presented in the House, "
            "and the Government must table a response within 45 days.",
        },
    )
    Threshold.objects.get_or_create(
        action=petition,
        count=1000,
        defaults={"name": "Our goal", "consequence": "We deliver the petition to the Minister in person."},
    )


def _demo_french(campaign: Campaign) -> None:
    """The campaign, its actions and the petition's thresholds in Canadian French, where no French
    is written yet (a base seeded before it had French gets it; a translator's edit stays)."""
    add_missing_translation(
        campaign,
        "fr",
        title="Un refuge pour les réfugiés et les migrants",
        summary="Des enfants ont été séparés de leurs parents à la frontière américaine. Le Canada surveille; "
        "nous lui demandons d'agir et de garder sa porte ouverte aux personnes qui cherchent la sécurité.",
        story=STORY_FR,
    )
    actions = {action.slug: action for action in campaign.actions.all()}
    add_missing_translation(
        actions[PLEDGE_SLUG],
        "fr",
        title="Réfugié? Migrant? Être humain.",
        summary="Engagez-vous à être solidaire de toute personne qui fuit le danger, peu importe où elle est née.",
        ask=PLEDGE_ASK_FR,
    )
    petition = actions[PETITION_SLUG]
    add_missing_translation(
        petition,
        "fr",
        title="Suspendre l'Entente sur les tiers pays sûrs",
        summary="Demandez au gouvernement du Canada de suspendre l'Entente tant que les États-Unis ne sont pas "
        "un pays sûr pour les demandeurs d'asile.",
        ask=PETITION_ASK_FR,
        target="Le gouvernement du Canada",
    )
    add_missing_translation(
        actions[LETTER_SLUG],
        "fr",
        title="Écrire au ministre",
        summary="Demandez au ministre de l'Immigration, des Réfugiés et de la Citoyenneté de suspendre l'Entente.",
        ask=LETTER_ASK_FR,
        target="Le ministre de l'Immigration, des Réfugiés et de la Citoyenneté, gouvernement du Canada",
        letter_subject=LETTER_SUBJECT_FR,
        letter_template=LETTER_TEMPLATE_FR,
    )
    thresholds = {threshold.count: threshold for threshold in petition.thresholds.all()}
    add_missing_translation(
        thresholds[500],
        "fr",
        name="Le seuil de la Chambre des communes",
        consequence="Une pétition électronique de la Chambre des communes qui recueille 500 signatures peut être "
        "présentée à la Chambre, et le gouvernement doit y déposer une réponse dans les 45 jours.",
    )
    add_missing_translation(
        thresholds[1000], "fr", name="Notre objectif", consequence="Nous remettons la pétition au ministre en personne."
    )


def _demo_support(petition: Action, pledge: Action, *, create_users: bool, stdout) -> None:
    """Demo signatures on the petition and the pledge (the same ones on every run, from one seed),
    the demo supporter's own, and the counts folded so the pages show them at once."""
    rng = random.Random(2018)
    _seed_signatures(petition, 340, rng, stdout)
    _seed_signatures(pledge, 185, rng, stdout)
    if create_users:
        _seed_supporter(petition)
    ActionCount.objects.bulk_create([ActionCount(action=petition), ActionCount(action=pledge)], ignore_conflicts=True)
    counts_fold(action_ids=[petition.pk, pledge.pk])


def _seed_supporter(petition: Action) -> None:
    """The demo supporter has signed the petition, so "My actions" has something to show."""
    supporter = User.objects.filter(email=DEMO_SUPPORTER_EMAIL).first()
    if supporter is None or not petition.is_open() or Signature.objects.filter(user=supporter).exists():
        return
    signature_create(
        action=petition,
        first_name=supporter.first_name or "Dana",
        last_name=supporter.last_name or "Supporter",
        email=supporter.email,
        country=supporter.country or "CA",
        postal_code=supporter.postal_code,
        opt_in=True,
        user=supporter,
        source_url=f"/act/{petition.slug}/ (seed_demo)",
    )
