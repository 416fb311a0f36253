from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from accounts.models import GROUP_CAMPAIGN_MANAGERS, ConsentRecord
from campaigns.models import Action, Signature
from campaigns.selectors import action_count
from emails.models import OutboxEmail
from tests.accounts.factories import UserFactory

from .conftest import counted, link_from, outbox_to
from .factories import ActionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_action_page_shows_the_ask_the_target_progress_and_an_empty_opt_in(client, action):
    response = client.get(f"/act/{action.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Suspend the STCA" in html and "The Government of Canada" in html
    assert '<progress class="action-progress-bar" max="100" value="0"' in html
    assert 'name="opt_in"' in html and "checked" not in html.split('name="opt_in"')[1].split(">")[0]
    assert 'name="website"' in html
    assert "style=" not in html  # the CSP forbids inline style attributes


def test_anonymous_signature_waits_for_the_emailed_confirmation(client, sign, confirm, action):
    response = sign(action)
    assert response.status_code == 200
    assert "check your inbox" in response.content.decode().lower()
    assert "Share this action" in response.content.decode()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert OutboxEmail.objects.get().key == f"confirm:{signature.pk}"
    assert counted(action) == 0 and action_count(action) == 0

    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    path = link_from(message, "confirm")
    # Fetching the link (a mail scanner does) changes nothing.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my signature" in page.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING

    done = confirm(message)
    assert "your signature counts" in done.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED and signature.confirmed_at
    assert action_count(action) == 1

    again = confirm(message)
    assert "Already confirmed" in again.content.decode()
    assert action_count(action) == 1


def test_the_page_counts_the_signature_once_confirmed(client, sign, confirm, action):
    sign(action)
    confirm(mail.outbox[0])
    html = client.get(f"/act/{action.slug}/").content.decode()
    assert 'value="1"' in html and "Ana P., Ontario" in html
    assert "ana@example.org" not in html


def test_signed_in_supporter_with_a_verified_address_counts_at_once(client, sign, action):
    user = UserFactory(email="dana@example.org", first_name="Dana", last_name="Ng")
    client.force_login(user)
    page = client.get(f"/act/{action.slug}/").content.decode()
    assert 'value="dana@example.org"' in page and 'value="Dana"' in page
    response = sign(action, email="Dana@Example.org", first_name="Dana", last_name="Ng")
    assert "your name is on it" in response.content.decode()
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED and signature.user == user
    assert mail.outbox == []
    assert action_count(action) == 1


def test_signed_in_supporter_with_another_address_still_confirms_by_email(client, sign, action):
    client.force_login(UserFactory(email="dana@example.org"))
    response = sign(action, email="other@example.org")
    assert "check your inbox" in response.content.decode().lower()
    assert Signature.objects.get().status == Signature.Status.PENDING
    assert outbox_to("other@example.org")


def test_an_unverified_account_address_confirms_by_email(client, sign, action):
    client.force_login(UserFactory(email="dana@example.org", verified=False))
    sign(action, email="dana@example.org")
    assert Signature.objects.get().status == Signature.Status.PENDING


@pytest.mark.parametrize(
    "first, second",
    [
        ("ana@example.org", " ANA@example.ORG "),
        ("a.na+petition@gmail.com", "ana@googlemail.com"),
        ("AnA@GMail.com", "a.n.a+x@gmail.com"),
    ],
)
def test_one_mailbox_signs_once_and_a_second_time_looks_the_same(sign, action, first, second):
    first_page = sign(action, email=first).content.decode()
    second_page = sign(action, email=second, ip="192.0.2.11").content.decode()
    assert Signature.objects.count() == 1
    # The page reveals nothing: identical apart from the per-request CSRF token.
    strip = lambda html: html.split("<main")[1].split("</main>")[0]  # noqa: E731
    assert strip(first_page) == strip(second_page)
    # The mailbox is told instead (still pending: the confirmation is sent again).
    assert [m.subject.startswith("Please confirm") for m in mail.outbox] == [True, True]


def test_signing_again_after_confirming_emails_already_signed(sign, confirm, action):
    sign(action)
    confirm(mail.outbox[0])
    sign(action, first_name="Someone", last_name="Else")
    assert "already signed" in mail.outbox[-1].subject
    assert "Ana" in mail.outbox[-1].body  # the stored name, not the one just typed
    assert OutboxEmail.objects.filter(key__startswith="already-signed:").count() == 1
    assert counted(action) == 1


def test_no_address_gets_more_than_five_emails_about_one_signature(sign, action):
    for attempt in range(9):
        sign(action, ip=f"198.51.100.{attempt}")
    signature = Signature.objects.get()
    assert signature.emails_sent == 5
    assert len(outbox_to("ana@example.org")) == 5
    keys = set(OutboxEmail.objects.values_list("key", flat=True))
    assert keys == {f"confirm:{signature.pk}"} | {f"confirm:{signature.pk}:{n}" for n in range(2, 6)}


def test_resent_confirmation_links_all_work(sign, confirm, action):
    sign(action)
    sign(action, ip="192.0.2.99")
    confirm(mail.outbox[1])
    assert counted(action) == 1


def test_opt_in_records_consent_with_the_wording_and_the_page(sign, action):
    sign(action, opt_in="on")
    record = ConsentRecord.objects.get()
    assert record.topic == ConsentRecord.Topic.ACTION_OPT_IN and record.granted
    assert record.email == "ana@example.org"
    assert record.source == f"http://testserver/en/act/{action.slug}/"
    assert record.wording.startswith("Yes, keep me informed")
    assert Signature.objects.get().opt_in is True


def test_no_consent_is_recorded_without_the_box_ticked(sign, action):
    sign(action)
    assert not ConsentRecord.objects.exists()
    assert Signature.objects.get().opt_in is False


def test_staff_choose_whether_country_and_postal_code_are_asked(client, sign):
    hidden = ActionFactory(ask_country=Action.Field.HIDDEN, ask_postal_code=Action.Field.HIDDEN)
    html = client.get(f"/act/{hidden.slug}/").content.decode()
    assert 'name="country"' not in html and 'name="postal_code"' not in html
    assert sign(hidden, country=None, postal_code=None).status_code == 200
    assert Signature.objects.get(action=hidden).country == ""

    required = ActionFactory(ask_country=Action.Field.REQUIRED, ask_postal_code=Action.Field.REQUIRED)
    response = sign(required, country="", postal_code="")
    assert response.status_code == 400
    # Each field says so (the summary at the top of the form repeats it, with a link to the field).
    assert response.content.decode().count('aria-invalid="true"') == 2


def test_postal_code_without_a_country_field_is_read_as_canadian(sign):
    action = ActionFactory(ask_country=Action.Field.HIDDEN, ask_postal_code=Action.Field.REQUIRED)
    sign(action, country=None, postal_code="h2x1y4")
    signature = Signature.objects.get()
    assert (signature.country, signature.postal_code, signature.region) == ("CA", "H2X 1Y4", "QC")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("first_name", "x" * 10_000, "at most 100 characters"),
        ("last_name", "", "This field is required."),
        ("first_name", "=HYPERLINK(1)", "cannot start with"),
        ("first_name", "+1 555", "cannot start with"),
        ("last_name", "-Smith", "cannot start with"),
        ("first_name", "@ana", "cannot start with"),
        ("first_name", "Visit http://spam.example", "web or email addresses"),
        ("last_name", "www.spam", "web or email addresses"),
        ("last_name", "cheap-pills.com", "web or email addresses"),
        ("first_name", "Ana\x00", "Null characters are not allowed"),
        ("first_name", "Ana\x07", "control characters"),
        ("first_name", "Ana\u202eevil", "control characters"),
        ("email", "ana @example.org", "Enter a valid email address."),
        ("email", "a" * 10_000 + "@example.org", "at most 254 characters"),
        ("postal_code", "ZZZ 999", "Canadian postal code"),
        ("postal_code", "K" * 10_000, "at most 12 characters"),
        ("country", "XX", "Select a valid choice"),
    ],
)
def test_malformed_fields_get_a_message_and_keep_what_was_typed(sign, action, field, value, message):
    response = sign(action, **{field: value})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert not Signature.objects.exists() and mail.outbox == []
    if field in ("first_name", "last_name", "email") and "\x00" not in value and "\x07" not in value:
        assert f'value="{value.strip()}"' in html.replace("&#x27;", "'") or len(value) > 1000


def test_an_email_with_spaces_around_it_is_trimmed(sign, action):
    sign(action, email="   ana@example.org   ")
    assert Signature.objects.get().email == "ana@example.org"


def test_long_fields_keep_what_was_typed(sign, action):
    html = sign(action, first_name="y" * 10_000).content.decode()
    assert "y" * 10_000 in html


def test_names_with_accents_apostrophes_and_hyphens_are_fine(sign, action):
    sign(action, first_name="Zoé-Marie", last_name="O'Brien d'Arcy")
    assert Signature.objects.get().public_name == "Zoé-Marie O."


def test_a_closed_action_shows_the_final_count_instead_of_the_form(client, sign):
    closed = ActionFactory(status=Action.Status.CLOSED, closed_at=timezone.now())
    SignatureFactory.create_batch(3, action=closed)
    SignatureFactory(action=closed, status=Signature.Status.WITHDRAWN)
    from campaigns.services import count_change

    for signature in Signature.objects.filter(status=Signature.Status.CONFIRMED):
        count_change(signature=signature, delta=+1)
    counted(closed)
    html = client.get(f"/act/{closed.slug}/").content.decode()
    assert "Final count: <strong>3</strong>" in html
    assert 'name="email"' not in html

    response = sign(closed)
    assert response.status_code == 409
    assert "was not recorded" in response.content.decode()
    assert Signature.objects.filter(action=closed).count() == 4


def test_an_action_past_its_end_date_is_closed_even_before_the_task_runs(client, sign):
    ended = ActionFactory(closes_at=timezone.now() - timedelta(minutes=1))
    assert sign(ended).status_code == 409
    assert not Signature.objects.exists()


def test_drafts_are_not_public_and_cannot_be_signed(client, sign):
    draft = ActionFactory(status=Action.Status.DRAFT)
    response = client.get(f"/act/{draft.slug}/")
    assert response.status_code == 404 and "not available" in response.content.decode()
    assert sign(draft).status_code == 404
    assert not Signature.objects.exists()
    hidden_campaign = ActionFactory(campaign__status="draft")
    assert client.get(f"/act/{hidden_campaign.slug}/").status_code == 404


def test_a_campaign_manager_can_preview_a_draft_without_a_form(client):
    draft = ActionFactory(status=Action.Status.DRAFT)
    manager = UserFactory(is_staff=True)
    manager.groups.set(Group.objects.filter(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(manager)
    html = client.get(f"/act/{draft.slug}/").content.decode()
    assert "Draft preview" in html and "not open yet" in html and 'name="email"' not in html


def test_unknown_methods_and_slugs_never_fail(client, action):
    assert client.put(f"/act/{action.slug}/").status_code == 405
    assert client.get("/act/no-such-action/").status_code == 404
    assert client.get("/act/no-such-action/signatures/").status_code == 404
    assert client.get("/act/no-such-action/embed/").status_code == 404


def test_action_page_query_count_is_small_and_constant(client, action, django_assert_max_num_queries):
    SignatureFactory.create_batch(20, action=action)
    with django_assert_max_num_queries(5):
        assert client.get(f"/act/{action.slug}/").status_code == 200
    client.force_login(UserFactory())
    with django_assert_max_num_queries(6):
        assert client.get(f"/act/{action.slug}/").status_code == 200


def test_sign_post_query_count_is_small_and_constant(client, action, django_assert_max_num_queries):
    from campaigns.abuse import signing_rules

    signing_rules()  # read once per SIGNING_RULES_CACHE_SECONDS, not per signature
    for number in range(3):
        with django_assert_max_num_queries(9):
            response = client.post(
                f"/act/{action.slug}/",
                {
                    "first_name": "Ana",
                    "last_name": "P",
                    "email": f"a{number}@example.org",
                    "country": "CA",
                    "opt_in": "on",
                },
            )
        assert response.status_code == 200
    with django_assert_max_num_queries(12):
        client.post(
            f"/act/{action.slug}/",
            {"first_name": "Ana", "last_name": "P", "email": "a0@example.org", "country": "CA"},
        )
