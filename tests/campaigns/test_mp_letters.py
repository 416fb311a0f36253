"""Letters to the supporter's own MP: the form finds the MP from the postal code (with and without
JavaScript), the letter goes through the outbox, rate limit and daily bundle of that MP, and every
fault of point 5 of the issue gets a clear answer and loses nothing (against tests/represent.py)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import GROUP_SUPPORTER_DATA
from campaigns import tasks
from campaigns.abuse import signing_rules
from campaigns.models import Letter, Representative, Signature, Target
from campaigns.represent import RepresentUnavailable
from campaigns.services import (
    letters_address_waiting,
    letters_bundle,
    pending_address_change,
    postal_code_lookup,
    representative_correct,
    representatives_import,
    target_address_confirm,
)
from campaigns.services.directory import directory_changed
from emails.models import OutboxEmail
from emails.services import outbox_deliver
from tests.accounts.factories import UserFactory

from .conftest import outbox_to
from .factories import LetterActionFactory, MpLetterActionFactory

pytestmark = pytest.mark.django_db

OTTAWA_MP = "avery.tremblay@parl.example.ca"


@pytest.fixture
def mp_action(db):
    return MpLetterActionFactory(slug="write-to-your-mp")


def mp(riding: str) -> Representative:
    return Representative.objects.get(district_name=riding)


def page(response) -> str:
    return response.content.decode()


def test_without_javascript_the_first_post_shows_the_mp_and_the_second_sends(sign, confirm, represent, mp_action):
    first = sign(mp_action, postal_code="k1a0b1", message="Please act.")

    assert first.status_code == 200  # a step of the form, not a mistake
    assert "Your MP: Avery Tremblay (Ottawa Centre, Liberal). Check this is right, then send your letter." in page(
        first
    )
    assert not Signature.objects.exists()  # nothing sent to a riding the supporter has not seen
    ottawa = mp("Ottawa Centre")
    assert f'<option value="{ottawa.pk}" selected>' in page(first)

    second = sign(mp_action, postal_code="K1A 0B1", riding=str(ottawa.pk), message="Please act.")

    assert second.status_code == 200
    letter = Letter.objects.get()
    assert (letter.representative, letter.riding, letter.hold) == (ottawa, "Ottawa Centre", "")
    assert letter.target.email == OTTAWA_MP and letter.target.name == "Avery Tremblay"
    assert letter.target.title == "Member of Parliament for Ottawa Centre"
    assert represent.paths("/postcodes/") == ["/postcodes/K1A0B1/"]  # asked once, then from the table

    confirm(outbox_to("ana@example.org")[0])

    [sent] = [m for m in mail.outbox if m.to == [OTTAWA_MP]]
    assert "Please act." in sent.body
    assert "Constituent of Ottawa Centre" in sent.body
    assert sent.reply_to == ["ana@example.org"]


def test_an_mp_letter_takes_the_mps_hourly_rate_like_any_decision_maker(sign, confirm, represent, mp_action):
    ottawa_post = {"postal_code": "K1A 0B1", "message": "Please act."}
    sign(mp_action, **ottawa_post)  # looks the code up
    ottawa = mp("Ottawa Centre")
    for n in range(3):
        sign(mp_action, email=f"writer{n}@example.org", riding=str(ottawa.pk), **ottawa_post)
        confirm(outbox_to(f"writer{n}@example.org")[0])
    target = Target.objects.get(representative=ottawa)
    rows = OutboxEmail.objects.filter(to_email=OTTAWA_MP).order_by("next_attempt_at")
    assert rows.count() == 3
    gaps = [(b.next_attempt_at - a.next_attempt_at).total_seconds() for a, b in zip(rows, rows[1:], strict=False)]
    assert gaps == [3600 / target.letters_per_hour] * 2
    assert Target.objects.filter(representative__isnull=False).count() == 1  # one Target per MP


def test_an_mps_letters_can_go_in_one_daily_bundle(sign, confirm, represent, mp_action):
    sign(mp_action, postal_code="K1A 0B1")
    ottawa = mp("Ottawa Centre")
    for n in range(2):
        sign(mp_action, email=f"writer{n}@example.org", postal_code="K1A 0B1", riding=str(ottawa.pk), message="Hi")
        # Staff set the MP's delivery as any decision-maker's (its Target is made with the first letter).
        Target.objects.filter(representative=ottawa).update(delivery=Target.Delivery.DAILY)
        confirm(outbox_to(f"writer{n}@example.org")[0])
    assert not OutboxEmail.objects.filter(to_email=OTTAWA_MP).exists()  # waiting for the day's end

    assert letters_bundle(now=Signature.objects.latest("pk").confirmed_at + timedelta(days=1)) == 2

    bundle = OutboxEmail.objects.get(to_email=OTTAWA_MP)
    assert bundle.key.startswith(f"letter-bundle:{Representative.objects.get(pk=ottawa.pk).target_id}:")
    assert [entry["sender_riding"] for entry in bundle.context["letters"]] == ["Ottawa Centre"] * 2


def test_a_code_in_two_ridings_lets_the_supporter_choose(sign, represent, mp_action):
    first = sign(mp_action, postal_code="H2X 1Y4", message="Hi")
    assert first.status_code == 200
    assert "Your postal code is in more than one riding: choose yours." in page(first)
    assert "Laurier—Sainte-Marie: Jordan Côté, Bloc Québécois" in page(first)
    assert "Outremont: Morgan Lavoie, NDP" in page(first)
    assert "Ottawa Centre" not in page(first)  # only the code's ridings

    outremont = mp("Outremont")
    second = sign(mp_action, postal_code="H2X 1Y4", riding=str(outremont.pk), message="Hi")
    assert second.status_code == 200
    assert Letter.objects.get().representative == outremont


def test_a_riding_that_does_not_hold_the_code_is_refused(sign, represent, mp_action):
    sign(mp_action, postal_code="H2X 1Y4")  # the directory now knows Montréal's MPs
    sign(mp_action, postal_code="K1A 0B1")
    wrong = sign(mp_action, postal_code="K1A 0B1", riding=str(mp("Outremont").pk), message="Hi")
    assert wrong.status_code == 400
    assert "This riding does not include your postal code" in page(wrong)
    assert not Signature.objects.exists()


def test_an_unknown_code_gets_a_message_and_every_riding_to_choose_from(sign, represent, mp_action):
    sign(mp_action, postal_code="H2X 1Y4")
    unknown = sign(mp_action, postal_code="K0K 0K0")
    assert unknown.status_code == 400
    assert "We could not find the riding of this postal code" in page(unknown)
    assert "Outremont: Morgan Lavoie" in page(unknown) and "Laurier—Sainte-Marie" in page(unknown)

    chosen = sign(mp_action, postal_code="K0K 0K0", riding=str(mp("Outremont").pk), message="Hi")
    assert chosen.status_code == 200
    assert Letter.objects.get().riding == "Outremont"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("D1A 0B1", "never use the letters D, F, I, O, Q or U, and never start with W or Z"),
        ("K1A 0U1", "never use the letters D, F, I, O, Q or U, and never start with W or Z"),
        ("W1A 0B1", "never use the letters D, F, I, O, Q or U, and never start with W or Z"),
        ("90210", "This looks like a US ZIP code. Enter a Canadian postal code like K1A 0B1."),
        ("20500-0003", "This looks like a US ZIP code"),
        ("hello", "Enter a Canadian postal code like K1A 0B1."),
    ],
)
def test_malformed_and_us_zip_codes_get_a_clear_message(sign, represent, mp_action, typed, message):
    response = sign(mp_action, postal_code=typed, message="My own words.")
    assert response.status_code == 400
    assert message in page(response)
    assert "My own words." in page(response)  # nothing typed is lost
    assert 'name="riding"' in page(response)
    assert represent.paths("/postcodes/") == []  # never asked about a code that cannot exist


def test_spaces_and_lower_case_are_fine(sign, represent, mp_action):
    sign(mp_action, postal_code=" k1a  0b1 ")
    response = sign(mp_action, postal_code="k 1 a 0 b 1", riding=str(mp("Ottawa Centre").pk), message="Hi")
    assert response.status_code == 200
    assert Signature.objects.get().postal_code == "K1A 0B1"


@pytest.mark.parametrize("mode", ["timeout", "error", "malformed"])
def test_with_the_service_down_the_letter_is_saved_and_addressed_once_it_answers(
    sign, confirm, represent, mp_action, mode
):
    represent.mode = mode
    response = sign(mp_action, postal_code="K1A 0B1", message="Still writing.")

    assert response.status_code == 200
    assert "Your letter is saved: we will address it to your MP as soon as the lookup works again." in page(response)
    letter = Letter.objects.get()
    assert (letter.hold, letter.target, letter.message) == (Letter.Hold.LOOKUP, None, "Still writing.")
    confirm(outbox_to("ana@example.org")[0])
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    from campaigns.represent import RepresentUnavailable

    with pytest.raises(RepresentUnavailable):
        letters_address_waiting()
    from django.core.cache import cache

    cache.clear()  # the "down" flag lapses
    represent.mode = represent.OK

    assert letters_address_waiting() == 1
    letter.refresh_from_db()
    assert (letter.hold, letter.riding, letter.target.email) == ("", "Ottawa Centre", OTTAWA_MP)
    assert OutboxEmail.objects.filter(to_email=OTTAWA_MP).count() == 1
    outbox_deliver()
    [sent] = [m for m in mail.outbox if m.to == [OTTAWA_MP]]
    assert "Still writing." in sent.body and "Constituent of Ottawa Centre" in sent.body


def test_the_retrying_task_is_asked_for_after_the_letter_is_saved(sign, represent, mp_action, monkeypatch):
    from campaigns import tasks

    represent.mode = represent.ERROR
    asked = []
    monkeypatch.setattr(tasks.address_waiting_letters, "apply_async", lambda **options: asked.append(options))
    sign(mp_action, postal_code="K1A 0B1", message="Hi")
    sign(mp_action, postal_code="K1A 0B1", message="Hi", email="other@example.org")
    assert asked == [{"countdown": 60, "retry": False}]  # once a minute at most


def test_a_choice_made_while_the_service_is_down_is_taken(sign, represent, mp_action):
    sign(mp_action, postal_code="K1A 0B1")
    represent.mode = represent.ERROR
    response = sign(mp_action, postal_code="K1A 0B2", riding=str(mp("Ottawa Centre").pk), message="Hi")
    assert response.status_code == 200
    assert Letter.objects.get().hold == ""


def test_an_mp_without_email_holds_the_letter_until_staff_give_one(sign, confirm, represent, mp_action):
    sign(mp_action, postal_code="X0A 0H0")
    nunavut = mp("Nunavut")
    sign(mp_action, postal_code="X0A 0H0", riding=str(nunavut.pk), message="Hi")
    confirm(outbox_to("ana@example.org")[0])
    letter = Letter.objects.get()
    assert (letter.hold, letter.target, letter.representative) == (Letter.Hold.NO_EMAIL, None, nunavut)
    assert not OutboxEmail.objects.filter(category="letter").exists()

    # One member of the Supporter data group gives the address, another confirms it.
    giver, confirmer = UserFactory(is_staff=True), UserFactory(is_staff=True)
    Group.objects.get(name=GROUP_SUPPORTER_DATA).user_set.add(giver, confirmer)
    nunavut.email = "sam.qaqqaq@parl.example.ca"
    assert representative_correct(representative=nunavut, fields=["email"], user=giver) == 1

    letter.refresh_from_db()
    assert letter.hold == "" and letter.target.email == "sam.qaqqaq@parl.example.ca"
    assert not OutboxEmail.objects.filter(category="letter").exists()  # not on one person's word
    with pytest.raises(ValidationError):
        target_address_confirm(change=pending_address_change(letter.target), user=giver)
    assert target_address_confirm(change=pending_address_change(letter.target), user=confirmer) == 1
    assert OutboxEmail.objects.get(category="letter").to_email == "sam.qaqqaq@parl.example.ca"
    outbox_deliver()
    assert [m for m in mail.outbox if m.to == ["sam.qaqqaq@parl.example.ca"]]


def test_an_import_giving_an_mp_the_missing_address_releases_the_held_letters(
    sign, confirm, represent, mp_action, django_capture_on_commit_callbacks
):
    sign(mp_action, postal_code="K1A 0B1")
    ottawa = mp("Ottawa Centre")
    Representative.objects.filter(pk=ottawa.pk).update(email="")  # the source had no address yet
    with django_capture_on_commit_callbacks(execute=True):
        directory_changed()
    sign(mp_action, postal_code="K1A 0B1", riding=str(ottawa.pk), message="Please act.")
    sign(mp_action, email="bo@example.org", postal_code="K1A 0B1", riding=str(ottawa.pk), message="Me too.")
    confirm(outbox_to("ana@example.org")[0])  # Bo's signature is not confirmed yet
    assert set(Letter.objects.values_list("hold", flat=True)) == {Letter.Hold.NO_EMAIL}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_representatives", stdout=StringIO())

    # Represent is the source, not a person: no second person confirms its address.
    assert set(Letter.objects.values_list("hold", flat=True)) == {Letter.Hold.NONE}
    assert {letter.target.email for letter in Letter.objects.select_related("target")} == {OTTAWA_MP}
    assert OutboxEmail.objects.get(category="letter").reply_to == "ana@example.org"
    confirm(outbox_to("bo@example.org")[0])
    assert OutboxEmail.objects.filter(category="letter", to_email=OTTAWA_MP).count() == 2
    # The next supporter's letter is addressed at once: no process keeps the MP without address.
    sign(mp_action, email="cy@example.org", postal_code="K1A 0B1", riding=str(ottawa.pk), message="Hi")
    assert Letter.objects.get(signature__email="cy@example.org").hold == Letter.Hold.NONE


def _letter_post(client, action, number: int, **fields):
    data = {
        "first_name": "Ana",
        "last_name": "Pereira",
        "email": f"writer{number}@example.org",
        "country": "CA",
        "postal_code": "K1A 0B1",
        "message": "Please act.",
        "website": "",
        **fields,
    }
    response = client.post(f"/act/{action.slug}/", data, REMOTE_ADDR=f"192.0.2.{number + 1}")
    assert response.status_code == 200 and Signature.objects.filter(email=data["email"]).exists()


def test_an_mp_letter_costs_the_queries_of_a_letter_to_a_fixed_decision_maker(
    client, sign, represent, mp_action, django_assert_max_num_queries
):
    fixed = LetterActionFactory()
    signing_rules()  # read once per SIGNING_RULES_CACHE_SECONDS, not per signature
    sign(mp_action, postal_code="K1A 0B1")  # looks the code up
    riding = str(mp("Ottawa Centre").pk)
    _letter_post(client, mp_action, 0, riding=riding)  # the MP's decision-maker is made
    _letter_post(client, fixed, 1)
    with CaptureQueriesContext(connection) as to_fixed:
        _letter_post(client, fixed, 2)
    for number in range(3, 6):
        # The postal code's MP, with its decision-maker, comes from this process's copy.
        with django_assert_max_num_queries(len(to_fixed)):
            _letter_post(client, mp_action, number, riding=riding)


def test_the_lookup_is_kept_by_the_process_until_the_directory_changes(
    represent, django_assert_num_queries, django_capture_on_commit_callbacks
):
    assert postal_code_lookup(postal_code="K1A 0B1").representative.party_name == "Liberal"
    Representative.objects.filter(district_name="Ottawa Centre").update(party_name="Green")  # behind its back
    with django_assert_num_queries(0):
        kept = postal_code_lookup(postal_code="K1A0B1")
    assert kept.representative.party_name == "Liberal"
    assert kept.representative.target is None  # read with the MP: no query

    # Any process's change to the directory (here an import) drops every process's copies.
    with django_capture_on_commit_callbacks(execute=True):
        representatives_import()
    assert postal_code_lookup(postal_code="K1A 0B1").representative.party_name == "Liberal"  # imported back
    Representative.objects.filter(district_name="Ottawa Centre").update(party_name="Green")
    with django_capture_on_commit_callbacks(execute=True):
        directory_changed()
    assert postal_code_lookup(postal_code="K1A 0B1").representative.party_name == "Green"
    assert represent.paths("/postcodes/") == ["/postcodes/K1A0B1/"]  # the table still answers


def test_the_endpoint_asks_the_database_nothing_once_the_code_is_known(
    client, represent, mp_action, django_assert_num_queries
):
    assert lookup(client, mp_action, "K1A 0B1").json()["status"] == "found"
    with django_assert_num_queries(0):
        assert lookup(client, mp_action, "k1a0b1").json()["status"] == "found"


def test_a_letter_action_to_a_fixed_target_asks_no_riding(sign, represent):
    action = LetterActionFactory()
    response = sign(action, message="Hi")
    assert response.status_code == 200
    assert 'name="riding"' not in page(response)
    assert represent.requests == []


# The "Your MP" endpoint for the script ----------------------------------------------------------


def lookup(client, action, code, ip="192.0.2.10"):
    return client.get(f"/act/{action.slug}/mp/", {"postal_code": code}, REMOTE_ADDR=ip)


def test_the_endpoint_names_the_mp(client, represent, mp_action):
    response = lookup(client, mp_action, "k1a 0b1")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    ottawa = mp("Ottawa Centre")
    assert data == {
        "status": "found",
        "message": "Your MP: Avery Tremblay (Ottawa Centre, Liberal)",
        "ridings": [
            {
                "id": ottawa.pk,
                "name": "Avery Tremblay",
                "riding": "Ottawa Centre",
                "party": "Liberal",
                "label": "Ottawa Centre: Avery Tremblay, Liberal",
            }
        ],
    }
    assert OTTAWA_MP not in response.content.decode()


def test_the_endpoint_answers_every_case_with_a_status(client, represent, mp_action):
    assert lookup(client, mp_action, "H2X1Y4").json()["status"] == "choose"
    assert len(lookup(client, mp_action, "H2X1Y4").json()["ridings"]) == 2
    assert lookup(client, mp_action, "K0K 0K0").json()["status"] == "unknown"
    invalid = lookup(client, mp_action, "90210").json()
    assert invalid["status"] == "invalid" and "US ZIP" in invalid["message"]
    represent.mode = represent.ERROR
    unavailable = lookup(client, mp_action, "K2P 0P4").json()
    assert unavailable["status"] == "unavailable"
    assert "send your letter all the same" in unavailable["message"]


def test_the_endpoint_is_rate_limited_per_address(client, represent, mp_action, settings):
    settings.MP_LOOKUPS_PER_MINUTE = 3
    for _n in range(3):
        assert lookup(client, mp_action, "K1A0B1").status_code == 200
    limited = lookup(client, mp_action, "K1A0B1")
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert lookup(client, mp_action, "K1A0B1", ip="192.0.2.99").status_code == 200


def test_the_endpoint_is_only_for_actions_writing_to_mps(client, represent):

    assert client.get(f"/act/{LetterActionFactory().slug}/mp/", {"postal_code": "K1A0B1"}).status_code == 404
    assert client.get("/act/no-such-action/mp/", {"postal_code": "K1A0B1"}).status_code == 404


def test_the_page_loads_the_script_from_this_site_only(client, represent, mp_action):
    html = client.get(f"/act/{mp_action.slug}/").content.decode()
    assert f'data-mp-lookup="/act/{mp_action.slug}/mp/"' in html or 'data-mp-lookup="/en/act/' in html
    assert 'src="/static/js/mp-lookup.js"' in html
    assert "opennorth" not in html


def test_the_task_retries_while_the_service_is_down_and_beat_runs_it_besides(sign, represent, mp_action):
    from celery.exceptions import Retry

    from campaigns.tasks import address_waiting_letters
    from config.settings import CELERY_BEAT_SCHEDULE

    represent.mode = represent.TIMEOUT
    sign(mp_action, postal_code="K1A 0B1", message="Hi")
    with pytest.raises(Retry):
        address_waiting_letters.apply(throw=True)
    assert address_waiting_letters.max_retries and address_waiting_letters.autoretry_for == (RepresentUnavailable,)
    assert (
        CELERY_BEAT_SCHEDULE["campaigns-address-waiting-letters"]["task"] == "campaigns.tasks.address_waiting_letters"
    )
    assert Letter.objects.get().hold == Letter.Hold.LOOKUP  # nothing lost


def test_a_code_the_service_does_not_know_once_it_answers_is_left_to_staff(sign, represent, mp_action):
    represent.mode = represent.ERROR
    sign(mp_action, postal_code="K0K 0K0", message="Hi")
    from django.core.cache import cache

    cache.clear()
    represent.mode = represent.OK
    assert letters_address_waiting() == 0
    assert Letter.objects.get().hold == Letter.Hold.NO_RIDING


def test_a_repeated_mp_letter_is_handed_to_a_worker_with_its_mp(sign, represent, mp_action, monkeypatch):
    # The answer to an address that wrote before must cost what a first letter costs (finding 6 of
    # the security review): the request only publishes, the worker resends, naming the same MP.
    sign(mp_action, postal_code="K1A 0B1", message="Please act.")  # shows the MP to check
    ottawa = mp("Ottawa Centre")
    sign(mp_action, postal_code="K1A 0B1", riding=str(ottawa.pk), message="Please act.")
    assert len(outbox_to("ana@example.org")) == 1

    published = []
    original = tasks.sign_again.apply_async
    monkeypatch.setattr(
        tasks.sign_again,
        "apply_async",
        lambda kwargs, **options: published.append(kwargs) or original(kwargs=kwargs, **options),
    )

    again = sign(mp_action, postal_code="K1A 0B1", riding=str(ottawa.pk), message="Please act.")

    assert again.status_code == 200
    [kwargs] = published
    assert kwargs["representative_id"] == ottawa.pk
    assert len(outbox_to("ana@example.org")) == 2  # the confirmation again, sent by the worker
    assert Letter.objects.get().representative == ottawa
