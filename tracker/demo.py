"""Demo content for `seed_demo`: Canada's review of the United States as a safe third country, as it
stood in June 2018 (from the seed article, in our own words). Safe to run again: every piece is
looked up by its natural key before it is created.

Each source links to the document itself, with its publisher and date: the statute's section, the
article, the CBC report it quotes, the reporting on the DHS figures, CBSA's detention statistics and
the UN's briefing. A source is found again by its publisher and title, so a re-run corrects its address.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from campaigns.demo import PETITION_SLUG
from campaigns.models import Action
from core.translated import add_missing_translation

from .models import Assessment, Development, Factor, Follow, Review, Source, Statement
from .services import (
    development_create,
    development_publish,
    factor_assess,
    figure_create,
    follow_create,
    notification_batches_send_due,
    review_create,
    review_publish,
    review_status_change,
    source_create,
    statement_create,
)

SLUG = "united-states"
OTTAWA = ZoneInfo("America/Toronto")
ARTICLE_DATE = date(2018, 6, 19)
QUESTION_PERIOD = date(2018, 6, 18)  # "at Parliament Monday", the day before the article


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=OTTAWA)


SOURCES = {
    "article": {
        "publisher": "Global Citizen",
        "title": "Canada Will Track Trump's Border Policy to See if Asylum Seekers Are Still Safe in the US",
        "url": "https://www.globalcitizen.org/en/content/canada-zero-tolerance-border-policy/",
        "published_on": ARTICLE_DATE,
    },
    "statute": {
        "publisher": "Justice Laws Website (Department of Justice Canada)",
        "title": "Immigration and Refugee Protection Act (S.C. 2001, c. 27), section 102",
        "url": "https://laws-lois.justice.gc.ca/eng/acts/i-2.5/section-102.html",
        "published_on": None,
        "note": "The consolidated Act, kept current by the Department of Justice",
    },
    "cbc": {
        "publisher": "CBC News",
        "title": "Canada tracking Trump's border crackdown to see if U.S. remains safe for asylum seekers",
        "url": "https://www.cbc.ca/news/politics/canada-trump-border-immigration-crackdown-1.4711030",
        "published_on": QUESTION_PERIOD,
        "note": "Quoted by Global Citizen",
    },
    "ap": {
        "publisher": "Politico (Associated Press)",
        "title": "About 2K minors separated from families",
        "url": "https://www.politico.com/story/2018/06/15/about-2k-minors-separated-from-families-649401",
        "published_on": date(2018, 6, 15),
        "note": "Department of Homeland Security figures obtained by the Associated Press: 1,995 minors "
        "separated from 1,940 adults, 19 April to 31 May 2018",
    },
    "cbsa": {
        "publisher": "Canada Border Services Agency",
        "title": "Annual detention statistics: 2012 to 2024",
        "url": "https://www.cbsa-asfc.gc.ca/security-securite/detent/stat-2012-2024-eng.html",
        "published_on": None,
        "note": "The agency's detention figures by fiscal year, minors included; the article relays "
        "those for 1 April to 31 December 2017",
    },
    "un": {
        "publisher": "United Nations (UNifeed, UN Web TV)",
        "title": "Geneva / USA separated children: the UN human rights office's briefing",
        "url": "https://www.unmultimedia.org/tv/unifeed/asset/2168/2168716/",
        "published_on": date(2018, 6, 5),
    },
}

FACTORS = [
    {
        "paragraph": "a",
        "title": "Party to the Refugee Convention and the Convention Against Torture",
        "statutory_text": (
            "Whether the country is a party to the Refugee Convention and to the Convention Against Torture."
        ),
        "assessment": Assessment.MEETS,
        "summary": (
            "The United States is bound by the Refugee Convention's core articles through the 1967 Protocol, "
            "and is a party to the Convention Against Torture. Nothing reported in June 2018 changes that."
        ),
        "reason": "First assessment when the tracker opened: treaty status is unchanged.",
    },
    {
        "paragraph": "b",
        "title": "Policies and practices on refugee claims and on obligations under the Convention Against Torture",
        "statutory_text": (
            "The country's policies and practices with respect to claims under the Refugee Convention and with "
            "respect to obligations under the Convention Against Torture."
        ),
        "assessment": Assessment.CONCERNS,
        "summary": (
            "Under the \u201czero tolerance\u201d policy, adults who cross the southern border irregularly are "
            "prosecuted and their children held apart from them: nearly 2,000 children were separated in six "
            "weeks of spring 2018. Critics in Parliament also point to narrower protection for people fleeing "
            "domestic or gang violence. The minister said Canada will watch the effect on the US asylum system."
        ),
        "reason": "Family separations at the US\u2013Mexico border reported in June 2018 bear directly on how "
        "asylum seekers are treated.",
    },
    {
        "paragraph": "c",
        "title": "Human rights record",
        "statutory_text": "The country's human rights record.",
        "assessment": Assessment.CONCERNS,
        "summary": (
            "The UN human rights office asked the United States to stop separating migrant families, calling the "
            "practice a violation of children's rights."
        ),
        "reason": "The UN's call on the United States in June 2018.",
    },
    {
        "paragraph": "d",
        "title": "Party to a responsibility-sharing agreement with Canada",
        "statutory_text": (
            "Whether the country is party to an agreement with the Government of Canada for the purpose of "
            "sharing responsibility with respect to claims for refugee protection."
        ),
        "assessment": Assessment.MEETS,
        "summary": "The Safe Third Country Agreement has been in force between Canada and the United States since "
        "29 December 2004.",
        "reason": "First assessment when the tracker opened: the Agreement is in force.",
    },
]

DEVELOPMENTS = [
    {
        "title": "UN human rights office asks the US to stop separating migrant families",
        "kind": Development.Kind.INTERNATIONAL_BODY,
        "occurred_on": date(2018, 6, 5),
        "summary": (
            "The United Nations' human rights office called on the United States to end the separation of "
            "migrant children from their parents at its southern border, describing it as an ongoing violation "
            "of human rights. On 18 June the UN High Commissioner for Human Rights called the policy "
            "\u201cunconscionable\u201d, words NDP critic Jenny Kwan repeated in the House of Commons."
        ),
        "factors": ["b", "c"],
        "sources": ["un", "article"],
    },
    {
        "title": "Nearly 2,000 children separated from their parents at the US\u2013Mexico border in six weeks",
        "kind": Development.Kind.STATISTIC,
        "occurred_on": date(2018, 6, 15),
        "summary": (
            "Department of Homeland Security figures reported by the Associated Press show that nearly 2,000 "
            "migrant children were separated from their parents between 19 April and 31 May 2018, under the "
            "\u201czero tolerance\u201d policy that refers adults to criminal prosecution and holds their "
            "children in detention centres that have been compared to prisons."
        ),
        "factors": ["b", "c"],
        "sources": ["ap", "article"],
    },
    {
        "title": "Minister: Canada will monitor whether the US still meets its obligations under the Agreement",
        "kind": Development.Kind.OFFICIAL_STATEMENT,
        "occurred_on": QUESTION_PERIOD,
        "summary": (
            "Immigration Minister Ahmed Hussen told CBC that Canada has to see how the changes affect the US "
            "asylum system, to judge whether the United States still meets its international obligations and "
            "those of the Safe Third Country Agreement. The government said Canada, the United States and the "
            "UN refugee agency are reviewing the situation."
        ),
        "factors": ["b"],
        "sources": ["cbc", "article"],
    },
    {
        "title": "NDP MPs call for the Agreement to be suspended",
        "kind": Development.Kind.OFFICIAL_STATEMENT,
        "occurred_on": QUESTION_PERIOD,
        "summary": (
            "In question period, NDP immigration critic Jenny Kwan and the NDP's leader in Parliament, Guy "
            "Caron, questioned whether the United States can still be considered safe for asylum seekers and "
            "urged the government to suspend the Safe Third Country Agreement. Kwan also noted that US policy "
            "no longer offers protection to people at risk of domestic or gang violence."
        ),
        "factors": ["b", "c"],
        "sources": ["article"],
    },
    {
        "title": "Prime minister answers in question period without condemning the US policy",
        "kind": Development.Kind.GOVERNMENT_RESPONSE,
        "occurred_on": QUESTION_PERIOD,
        "summary": (
            "Answering the NDP, Prime Minister Justin Trudeau said he would stand up for Canadians' values and "
            "interests while keeping a constructive relationship with the United States, that Canada will keep "
            "standing up for human rights around the world, and that the government would not \u201cplay "
            "politics\u201d with the issue. He did not condemn the separations or announce any change to the "
            "Agreement."
        ),
        "factors": ["b"],
        "sources": ["article"],
    },
    {
        "title": "155 minors detained in Canada in the last nine months of 2017",
        "kind": Development.Kind.STATISTIC,
        "occurred_on": ARTICLE_DATE,
        "summary": (
            "Canada tries to keep children out of immigration detention, but it happens: from 1 April to 31 "
            "December 2017, 150 minors were detained with a parent or guardian and 5 without one, according to "
            "the Canada Border Services Agency. The comparison shows how far the two countries' practices differ."
        ),
        "factors": ["b"],
        "sources": ["cbsa", "article"],
    },
]

FIGURES = [
    {
        "label": "Children separated from their parents at the US\u2013Mexico border",
        "qualifier": "nearly",
        "value": 2000,
        "unit": "children",
        "period_start": date(2018, 4, 19),
        "period_end": date(2018, 5, 31),
        "jurisdiction": "United States",
        "factors": ["b", "c"],
        "sources": ["ap", "article"],
        "position": 1,
    },
    {
        "label": "Minors detained with a parent or guardian",
        "series": "Minors in immigration detention in Canada, April\u2013December 2017",
        "value": 150,
        "unit": "minors",
        "period_start": date(2017, 4, 1),
        "period_end": date(2017, 12, 31),
        "jurisdiction": "Canada",
        "sources": ["cbsa", "article"],
        "position": 2,
    },
    {
        "label": "Minors detained without a parent or guardian",
        "series": "Minors in immigration detention in Canada, April\u2013December 2017",
        "value": 5,
        "unit": "minors",
        "period_start": date(2017, 4, 1),
        "period_end": date(2017, 12, 31),
        "jurisdiction": "Canada",
        "sources": ["cbsa", "article"],
        "position": 3,
    },
]

STATEMENTS = [
    {
        "speaker_name": "Ahmed Hussen",
        "speaker_role": "Minister of Immigration, Refugees and Citizenship",
        "speaker_party": "Liberal",
        "said_on": QUESTION_PERIOD,
        "quote": (
            "We have to see the impact of these changes on the domestic asylum system in the US to see whether the "
            "US continues to meet its obligations, not just to the international community, but also to the Safe "
            "Third Country Agreement."
        ),
        "context": "Interview with CBC",
        "stance": Statement.Stance.NEUTRAL,
        "factors": ["b"],
        "sources": ["cbc", "article"],
    },
    {
        "speaker_name": "Jenny Kwan",
        "speaker_role": "NDP immigration critic",
        "speaker_party": "NDP",
        "said_on": QUESTION_PERIOD,
        "quote": "If Canada does not step up, then we are complicit.",
        "context": "Question period, House of Commons",
        "stance": Statement.Stance.SUPPORTS_SUSPENSION,
        "factors": ["b", "c"],
        "sources": ["article"],
    },
    {
        "speaker_name": "Justin Trudeau",
        "speaker_role": "Prime Minister",
        "speaker_party": "Liberal",
        "said_on": QUESTION_PERIOD,
        "quote": "What we will not do is play politics with this.",
        "context": "Question period, House of Commons",
        "stance": Statement.Stance.NEUTRAL,
        "factors": ["b"],
        "sources": ["article"],
    },
]


def _sources() -> dict[str, Source]:
    found = {}
    for key, fields in SOURCES.items():
        source = Source.objects.filter(publisher=fields["publisher"], title=fields["title"]).first()
        if source is not None and source.url != fields["url"]:
            Source.objects.filter(pk=source.pk).update(url=fields["url"])
            source.url = fields["url"]
        found[key] = source or source_create(**fields)
    return found


def _review() -> Review:
    review = Review.objects.filter(slug=SLUG).first()
    if review is not None:
        return review
    review = review_create(
        slug=SLUG,
        title="Is the United States still a safe third country?",
        country_name="United States",
        country_code="US",
        agreement="Canada\u2013United States Safe Third Country Agreement",
        agreement_in_force_on=date(2004, 12, 29),
        legal_basis="Immigration and Refugee Protection Act, s. 102(3)",
        legal_basis_url="https://laws-lois.justice.gc.ca/eng/acts/I-2.5/section-102.html",
        summary=(
            "Under the Safe Third Country Agreement, people who reach the Canada\u2013US land border must "
            "generally claim refugee protection in the first of the two countries they arrived in. The "
            "Immigration and Refugee Protection Act requires a **continuing review** of each designated "
            "country against four factors.\n\n"
            "In June 2018, after the US \u201czero tolerance\u201d policy separated thousands of migrant "
            "children from their parents, the government said it would track whether the United States still "
            "meets its obligations, while critics called for the Agreement to be suspended."
        ),
        status=Review.Status.DESIGNATED,
        status_effective_on=date(2004, 12, 29),
        status_reason="The Agreement came into force and the United States was designated a safe third country.",
    )
    review_status_change(
        review=review,
        status=Review.Status.UNDER_REVIEW,
        effective_on=QUESTION_PERIOD,
        reason="The immigration minister said Canada will watch the effect of US border policy on its asylum "
        "system, and whether the US still meets its obligations under the Agreement.",
    )
    review_status_change(
        review=review,
        status=Review.Status.SUSPENSION_CALLED_FOR,
        effective_on=QUESTION_PERIOD,
        reason="NDP MPs Jenny Kwan and Guy Caron called in the House of Commons for the Agreement to be suspended.",
    )
    review_publish(review=review, now=_at_noon(ARTICLE_DATE))
    return review


def _factors(review: Review) -> dict[str, Factor]:
    factors = {}
    for position, fields in enumerate(FACTORS, start=1):
        factor, created = Factor.objects.get_or_create(
            review=review,
            paragraph=fields["paragraph"],
            defaults={"title": fields["title"], "statutory_text": fields["statutory_text"], "position": position},
        )
        if created:
            factor_assess(
                factor=factor,
                assessment=fields["assessment"],
                summary=fields["summary"],
                reason=fields["reason"],
                # The demo's tracker editor, where the demo users exist: the page names the role.
                user=get_user_model().objects.filter(email="tracker@example.org").first(),
                at=_at_noon(ARTICLE_DATE),
            )
        factors[fields["paragraph"]] = factor
    return factors


def seed(*, create_users: bool, stdout) -> None:
    sources = _sources()
    review = _review()
    factors = _factors(review)
    for fields in DEVELOPMENTS:
        if review.developments.filter(title=fields["title"]).exists():
            continue
        development = development_create(
            review=review,
            kind=fields["kind"],
            title=fields["title"],
            summary=fields["summary"],
            occurred_on=fields["occurred_on"],
            sources=[sources[key] for key in fields["sources"]],
            factors=[factors[paragraph] for paragraph in fields["factors"]],
        )
        development_publish(development=development, now=_at_noon(fields["occurred_on"]))
    for fields in FIGURES:
        if review.figures.filter(label=fields["label"]).exists():
            continue
        figure_create(
            review=review,
            **{key: value for key, value in fields.items() if key not in ("factors", "sources")},
            sources=[sources[key] for key in fields["sources"]],
            factors=[factors[paragraph] for paragraph in fields.get("factors", [])],
        )
    for fields in STATEMENTS:
        if review.statements.filter(speaker_name=fields["speaker_name"], quote=fields["quote"]).exists():
            continue
        statement_create(
            review=review,
            **{key: value for key, value in fields.items() if key not in ("factors", "sources")},
            sources=[sources[key] for key in fields["sources"]],
            factors=[factors[paragraph] for paragraph in fields["factors"]],
        )
    # The petition to suspend the agreement (campaigns' demo data, loaded before this) is the
    # review's related action, shown with its form on the review's page.

    review.related_actions.add(*Action.objects.filter(slug=PETITION_SLUG))
    _add_french(review)
    # The 2018 news is history, not news: close its batches before anyone follows.
    notification_batches_send_due()
    if create_users:
        supporter = get_user_model().objects.filter(email="supporter@example.org").first()
        if supporter is not None and not Follow.objects.filter(review=review, user=supporter).exists():
            follow_create(review=review, user=supporter, source="seed_demo")
    stdout.write(f"Tracker demo ready: {review.get_absolute_url()}")


# The same content in Canadian French, keyed by what finds each piece above; the quotes stay in
# English, the language they were said in, with a translation beside them.
REVIEW_FR = {
    "title": "Les États-Unis sont-ils toujours un tiers pays sûr?",
    "country_name": "États-Unis",
    "agreement": "Entente sur les tiers pays sûrs entre le Canada et les États-Unis",
    "legal_basis": "Loi sur l'immigration et la protection des réfugiés, par. 102(3)",
    "summary": (
        "Aux termes de l'Entente sur les tiers pays sûrs, les personnes qui se présentent à la frontière "
        "terrestre entre le Canada et les États-Unis doivent en général demander l'asile dans le premier des "
        "deux pays où elles sont arrivées. La Loi sur l'immigration et la protection des réfugiés exige un "
        "**examen continu** de chaque pays désigné au regard de quatre facteurs.\n\n"
        "En juin 2018, après que la politique américaine de « tolérance zéro » a séparé des milliers d'enfants "
        "migrants de leurs parents, le gouvernement a dit qu'il surveillerait si les États-Unis respectent "
        "toujours leurs obligations, tandis que des critiques demandaient la suspension de l'Entente."
    ),
}

STATUS_REASONS_FR = {
    Review.Status.DESIGNATED: "L'Entente est entrée en vigueur et les États-Unis ont été désignés tiers pays sûr.",
    Review.Status.UNDER_REVIEW: (
        "Le ministre de l'Immigration a dit que le Canada surveillera l'effet de la politique frontalière "
        "américaine sur le système d'asile des États-Unis, et si ceux-ci respectent toujours leurs obligations "
        "aux termes de l'Entente."
    ),
    Review.Status.SUSPENSION_CALLED_FOR: (
        "Les députés néo-démocrates Jenny Kwan et Guy Caron ont demandé à la Chambre des communes que l'Entente "
        "soit suspendue."
    ),
}

FACTORS_FR = {
    "a": {
        "title": "Partie à la Convention sur les réfugiés et à la Convention contre la torture",
        "statutory_text": "Le fait que le pays est partie à la Convention sur les réfugiés et à la Convention "
        "contre la torture.",
        "summary": "Les États-Unis sont liés par les articles essentiels de la Convention sur les réfugiés par le "
        "Protocole de 1967, et sont partie à la Convention contre la torture. Rien de ce qui a été rapporté en "
        "juin 2018 n'y change quoi que ce soit.",
        "reason": "Première évaluation à l'ouverture du suivi : les engagements du pays envers ces traités sont "
        "inchangés.",
    },
    "b": {
        "title": "Politiques et usages en matière de demandes d'asile et d'obligations découlant de la Convention "
        "contre la torture",
        "statutory_text": "Ses politiques et usages en ce qui touche la revendication du statut de réfugié au sens "
        "de la Convention sur les réfugiés et les obligations découlant de la Convention contre la torture.",
        "summary": "Sous la politique de « tolérance zéro », les adultes qui franchissent irrégulièrement la "
        "frontière sud sont poursuivis en justice et leurs enfants sont détenus loin d'eux : près de "
        "2 000 enfants ont été séparés en six semaines au printemps 2018. Au Parlement, des critiques "
        "soulignent aussi une protection réduite pour les personnes qui fuient la violence conjugale ou la "
        "violence des gangs. Le ministre a dit que le Canada surveillera l'effet sur le système d'asile "
        "américain.",
        "reason": "Les séparations de familles à la frontière entre les États-Unis et le Mexique, rapportées en "
        "juin 2018, touchent directement le traitement des demandeurs d'asile.",
    },
    "c": {
        "title": "Bilan en matière de droits de la personne",
        "statutory_text": "Ses antécédents en matière de respect des droits de la personne.",
        "summary": "Le Haut-Commissariat des Nations Unies aux droits de l'homme a demandé aux États-Unis de "
        "cesser de séparer les familles migrantes, qualifiant cette pratique de violation des droits de "
        "l'enfant.",
        "reason": "L'appel de l'ONU aux États-Unis en juin 2018.",
    },
    "d": {
        "title": "Partie à une entente de partage des responsabilités avec le Canada",
        "statutory_text": "Le fait que le pays est partie à un accord avec le gouvernement du Canada visant le "
        "partage de la responsabilité de l'examen des demandes d'asile.",
        "summary": "L'Entente sur les tiers pays sûrs est en vigueur entre le Canada et les États-Unis depuis le "
        "29 décembre 2004.",
        "reason": "Première évaluation à l'ouverture du suivi : l'Entente est en vigueur.",
    },
}

# Keyed by the English title.
DEVELOPMENTS_FR = {
    DEVELOPMENTS[0]["title"]: {
        "title": "Le bureau des droits de la personne de l'ONU demande aux États-Unis de cesser de séparer les "
        "familles migrantes",
        "summary": "Le Haut-Commissariat des Nations Unies aux droits de l'homme a demandé aux États-Unis de mettre "
        "fin à la séparation des enfants migrants de leurs parents à leur frontière sud, qu'il a décrite comme "
        "une violation continue des droits de la personne. Le 18 juin, le haut-commissaire des Nations Unies "
        "aux droits de l'homme a qualifié cette politique d'« inadmissible », un mot que la porte-parole "
        "néo-démocrate Jenny Kwan a repris à la Chambre des communes.",
    },
    DEVELOPMENTS[1]["title"]: {
        "title": "Près de 2 000 enfants séparés de leurs parents à la frontière entre les États-Unis et le Mexique "
        "en six semaines",
        "summary": "Selon les chiffres du département de la Sécurité intérieure rapportés par l'Associated Press, "
        "près de 2 000 enfants migrants ont été séparés de leurs parents entre le 19 avril et le 31 mai 2018, "
        "en vertu de la politique de « tolérance zéro » qui défère les adultes à la justice pénale et détient "
        "leurs enfants dans des centres comparés à des prisons.",
    },
    DEVELOPMENTS[2]["title"]: {
        "title": "Le ministre : le Canada surveillera si les États-Unis respectent toujours leurs obligations aux "
        "termes de l'Entente",
        "summary": "Le ministre de l'Immigration, Ahmed Hussen, a dit à CBC que le Canada doit voir l'effet de ces "
        "changements sur le système d'asile américain pour juger si les États-Unis respectent toujours leurs "
        "obligations internationales et celles de l'Entente sur les tiers pays sûrs. Le gouvernement a "
        "indiqué que le Canada, les États-Unis et l'agence des Nations Unies pour les réfugiés examinent la "
        "situation.",
    },
    DEVELOPMENTS[3]["title"]: {
        "title": "Des députés néo-démocrates demandent la suspension de l'Entente",
        "summary": "Pendant la période des questions, la porte-parole néo-démocrate en matière d'immigration, "
        "Jenny Kwan, et le leader du NPD au Parlement, Guy Caron, ont demandé si les États-Unis peuvent encore "
        "être considérés comme sûrs pour les demandeurs d'asile et ont pressé le gouvernement de suspendre "
        "l'Entente sur les tiers pays sûrs. Mme Kwan a aussi souligné que la politique américaine n'offre "
        "plus de protection aux personnes exposées à la violence conjugale ou à la violence des gangs.",
    },
    DEVELOPMENTS[4]["title"]: {
        "title": "Le premier ministre répond pendant la période des questions sans condamner la politique américaine",
        "summary": "En réponse au NPD, le premier ministre Justin Trudeau a dit qu'il défendrait les valeurs et les "
        "intérêts des Canadiens tout en maintenant une relation constructive avec les États-Unis, que le Canada "
        "continuera de défendre les droits de la personne partout dans le monde et que le gouvernement ne "
        "ferait pas de « politique » avec cette question. Il n'a pas condamné les séparations ni annoncé de "
        "changement à l'Entente.",
    },
    DEVELOPMENTS[5]["title"]: {
        "title": "155 mineurs détenus au Canada au cours des neuf derniers mois de 2017",
        "summary": "Le Canada tente de tenir les enfants à l'écart de la détention liée à l'immigration, mais cela "
        "arrive : du 1er avril au 31 décembre 2017, 150 mineurs ont été détenus avec un parent ou un tuteur et "
        "5 sans, selon l'Agence des services frontaliers du Canada. La comparaison montre à quel point les "
        "pratiques des deux pays diffèrent.",
    },
}

# Keyed by the English label.
FIGURES_FR = {
    FIGURES[0]["label"]: {
        "label": "Enfants séparés de leurs parents à la frontière entre les États-Unis et le Mexique",
        "unit": "enfants",
        "jurisdiction": "États-Unis",
    },
    FIGURES[1]["label"]: {
        "label": "Mineurs détenus avec un parent ou un tuteur",
        "series": "Mineurs en détention liée à l'immigration au Canada, d'avril à décembre 2017",
        "unit": "mineurs",
        "jurisdiction": "Canada",
    },
    FIGURES[2]["label"]: {
        "label": "Mineurs détenus sans parent ni tuteur",
        "series": "Mineurs en détention liée à l'immigration au Canada, d'avril à décembre 2017",
        "unit": "mineurs",
        "jurisdiction": "Canada",
    },
}

# Keyed by the speaker.
STATEMENTS_FR = {
    "Ahmed Hussen": {
        "speaker_role": "Ministre de l'Immigration, des Réfugiés et de la Citoyenneté",
        "context": "Entrevue avec CBC",
        "quote_translation": "Nous devons voir l'effet de ces changements sur le système d'asile intérieur des "
        "États-Unis pour savoir si ceux-ci continuent de respecter leurs obligations, non seulement envers la "
        "communauté internationale, mais aussi aux termes de l'Entente sur les tiers pays sûrs.",
    },
    "Jenny Kwan": {
        "speaker_role": "Porte-parole du NPD en matière d'immigration",
        "context": "Période des questions, Chambre des communes",
        "quote_translation": "Si le Canada ne prend pas position, nous sommes complices.",
    },
    "Justin Trudeau": {
        "speaker_role": "Premier ministre",
        "context": "Période des questions, Chambre des communes",
        "quote_translation": "Ce que nous ne ferons pas, c'est faire de la politique avec cette question.",
    },
}


def _add_french(review: Review) -> None:
    """Gives the review and everything in it its French, where none is written yet."""
    add_missing_translation(review, "fr", **REVIEW_FR)
    for change in review.status_changes.all():
        if change.to_status in STATUS_REASONS_FR:
            add_missing_translation(change, "fr", reason=STATUS_REASONS_FR[change.to_status])
    for factor in review.factors.all():
        french = FACTORS_FR.get(factor.paragraph)
        if french is None:
            continue
        add_missing_translation(
            factor, "fr", title=french["title"], statutory_text=french["statutory_text"], summary=french["summary"]
        )
        for record in factor.assessments.all():
            add_missing_translation(record, "fr", summary=french["summary"], reason=french["reason"])
    for development in review.developments.all():
        if development.title_en in DEVELOPMENTS_FR:
            add_missing_translation(development, "fr", **DEVELOPMENTS_FR[development.title_en])
    for figure in review.figures.all():
        if figure.label_en in FIGURES_FR:
            add_missing_translation(figure, "fr", **FIGURES_FR[figure.label_en])
    for statement in review.statements.all():
        french = STATEMENTS_FR.get(statement.speaker_name)
        if french is None:
            continue
        add_missing_translation(statement, "fr", speaker_role=french["speaker_role"], context=french["context"])
        if not statement.quote_translation:
            statement.quote_translation = french["quote_translation"]
            statement.save(update_fields=["quote_translation"])
