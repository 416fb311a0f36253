from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Letter, Signature, Target
from campaigns.selectors import action_count
from campaigns.services import counts_fold, letters_bundle, signature_create, signature_withdraw
from emails.models import Category, OutboxEmail
from emails.services import outbox_deliver, outbox_sweep
from tests.accounts.factories import UserFactory

from .conftest import link_from, outbox_to
from .factories import LetterActionFactory, SignatureFactory, TargetFactory

pytestmark = pytest.mark.django_db

MINISTER = "minister@example.org"


@pytest.fixture
def letter_action(db):
    return LetterActionFactory(slug="write-to-the-minister", letter_target=TargetFactory(email=MINISTER))


def letter_to_target(address=MINISTER):
    return [m for m in mail.outbox if m.to == [address]]


def verified_supporter(email: str):
    return UserFactory(email=email)  # the factory verifies the address


def test_the_form_starts_from_the_letter_template_and_never_shows_the_target_address(client, letter_action):
    page = client.get(f"/act/{letter_action.slug}/").content.decode()
    assert 'name="message"' in page
    assert "Dear Minister,\n\nPlease suspend the agreement." in page
    assert "The Minister of Immigration, Refugees and Citizenship" in page
    assert MINISTER not in page


def test_an_empty_or_too_long_letter_gets_a_message_beside_the_field(sign, letter_action, settings):
    settings.LETTER_MAX_LENGTH = 50
    empty = sign(letter_action, message="   \r\n  ")
    assert empty.status_code == 400
    assert "Your letter is empty" in empty.content.decode()
    long = sign(letter_action, message="x" * 51)
    assert long.status_code == 400
    assert "at most 50 characters (it has 51)" in long.content.decode()
    assert not Signature.objects.exists()
    # Line breaks count once, as the supporter sees them, not twice as the browser sends them.
    fits = sign(letter_action, message="line\r\n" * 10)
    assert fits.status_code == 200
    assert Letter.objects.get().message == ("line\n" * 10).strip()


def test_a_confirmed_letter_goes_to_the_target_as_plain_text_with_a_copy(sign, confirm, letter_action):
    words = "Dear Minister,\n<script>alert(1)</script> <b>Please</b> act & listen."
    sign(letter_action, message=words, email="ana@example.org")
    signature = Signature.objects.get()
    assert signature.letter.message == words
    assert letter_to_target() == []  # not before the signature is confirmed
    confirm_email = outbox_to("ana@example.org")[0]
    assert "<script>" not in confirm_email.body and "Please" not in confirm_email.body

    confirm(confirm_email)

    [letter] = letter_to_target()
    assert letter.subject == "Please suspend the Safe Third Country Agreement"
    assert words in letter.body  # exactly as written: text, not markup
    assert "Ana Pereira" in letter.body and "K1A 0B1" in letter.body
    assert getattr(letter, "alternatives", []) == []  # no HTML part at all
    assert letter.reply_to == ["ana@example.org"]
    assert letter.from_email == "Rally <rally@example.org>"
    row = OutboxEmail.objects.get(to_email=MINISTER)
    assert row.key == f"letter:{signature.pk}" and row.category == Category.LETTER
    copy = [m for m in outbox_to("ana@example.org") if "Your letter" in m.subject][0]
    assert OutboxEmail.objects.get(key=f"letter-copy:{signature.pk}").category == Category.TRANSACTIONAL
    assert words in copy.body
    html = copy.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    counts_fold()
    assert action_count(letter_action) == 1  # letters count like signatures


def test_the_confirm_page_shows_the_letter_sent_in_the_supporter_s_name(client, sign, letter_action):
    sign(letter_action, message="Please act now, Minister.")
    page = client.get(link_from(outbox_to("ana@example.org")[0], "confirm")).content.decode()
    assert "Please act now, Minister." in page
    assert Signature.objects.get().status == Signature.Status.PENDING  # looking changes nothing


def test_a_signed_in_verified_supporter_s_letter_leaves_at_once(
    client, letter_action, django_capture_on_commit_callbacks
):
    client.force_login(verified_supporter("dana@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/act/{letter_action.slug}/",
            {
                "first_name": "Dana",
                "last_name": "Supporter",
                "email": "dana@example.org",
                "country": "CA",
                "postal_code": "K1A 0B1",
                "message": "Dear Minister, please.",
            },
        )
    assert response.status_code == 200
    [letter] = letter_to_target()
    assert "Dear Minister, please." in letter.body and letter.reply_to == ["dana@example.org"]


def _verified_letter(action, email, message="Please."):
    return signature_create(
        action=action,
        first_name="Sam",
        last_name="Writer",
        email=email,
        country="CA",
        postal_code="K1A 0B1",
        user=verified_supporter(email),
        message=message,
    ).signature


def test_letters_to_one_target_wait_in_the_outbox_beyond_its_hourly_rate(
    letter_action, monkeypatch, django_capture_on_commit_callbacks
):
    Target.objects.filter(pk=letter_action.letter_target_id).update(letters_per_hour=2)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            _verified_letter(letter_action, f"writer{number}@example.org")
    rows = list(OutboxEmail.objects.filter(category=Category.LETTER).order_by("next_attempt_at"))
    assert len(rows) == 5  # none dropped
    assert len(letter_to_target()) == 1
    waits = [(row.next_attempt_at - start).total_seconds() / 60 for row in rows]
    # Spaced half an hour apart: never more than two in any hour.
    assert waits[0] < 1 and [round(b - a) for a, b in zip(waits, waits[1:], strict=False)] == [30, 30, 30, 30]

    later = start + timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()
    while outbox_deliver():
        pass
    assert len(letter_to_target()) == 3
    assert OutboxEmail.objects.filter(category=Category.LETTER, status=OutboxEmail.Status.QUEUED).count() == 2


def test_withdrawing_holds_back_a_letter_still_waiting(letter_action, django_capture_on_commit_callbacks):
    Target.objects.filter(pk=letter_action.letter_target_id).update(letters_per_hour=1)
    with django_capture_on_commit_callbacks(execute=True):
        _verified_letter(letter_action, "first@example.org")
        second = _verified_letter(letter_action, "second@example.org")
        signature_withdraw(signature=second)
    row = OutboxEmail.objects.get(key=f"letter:{second.pk}")
    assert row.status == OutboxEmail.Status.WITHHELD
    assert Letter.objects.get(signature=second).queued_at is None
    assert len(letter_to_target()) == 1


def _confirmed_letter(action, *, email, message, confirmed_at, status=Signature.Status.CONFIRMED):
    signature = SignatureFactory(action=action, email=email, status=status, confirmed_at=confirmed_at)
    Letter.objects.create(signature=signature, target=action.letter_target, message=message)
    return signature


def test_a_daily_bundle_sends_one_email_per_target_and_day(letter_action, settings, django_capture_on_commit_callbacks):
    Target.objects.filter(pk=letter_action.letter_target_id).update(delivery=Target.Delivery.DAILY)
    now = timezone.now()
    yesterday = timezone.localtime(now) - timedelta(days=1)
    _confirmed_letter(letter_action, email="a@example.org", message="Letter from A", confirmed_at=yesterday)
    _confirmed_letter(letter_action, email="b@example.org", message="Letter from B", confirmed_at=yesterday)
    _confirmed_letter(
        letter_action,
        email="c@example.org",
        message="Withdrawn letter",
        confirmed_at=yesterday,
        status=Signature.Status.WITHDRAWN,
    )
    _confirmed_letter(letter_action, email="d@example.org", message="Letter of today", confirmed_at=now)

    with django_capture_on_commit_callbacks(execute=True):
        assert letters_bundle(now=now) == 2
        assert letters_bundle(now=now) == 0  # rerun-safe
    [bundle] = letter_to_target()
    target_id = letter_action.letter_target_id
    assert OutboxEmail.objects.get(to_email=MINISTER).key == f"letter-bundle:{target_id}:{yesterday.date().isoformat()}"
    assert "Letter from A" in bundle.body and "Letter from B" in bundle.body
    assert "Withdrawn letter" not in bundle.body and "Letter of today" not in bundle.body
    assert "2 letters" in bundle.subject and getattr(bundle, "alternatives", []) == []

    # Tomorrow, today's letter goes in its own day's bundle.
    with django_capture_on_commit_callbacks(execute=True):
        assert letters_bundle(now=now + timedelta(days=1)) == 1
    assert "Letter of today" in letter_to_target()[-1].body


def test_a_big_day_continues_in_more_bundle_emails(letter_action, settings, django_capture_on_commit_callbacks):
    settings.LETTER_BUNDLE_MAX_LETTERS = 2
    Target.objects.filter(pk=letter_action.letter_target_id).update(delivery=Target.Delivery.DAILY)
    yesterday = timezone.localtime() - timedelta(days=1)
    for number in range(5):
        _confirmed_letter(
            letter_action, email=f"w{number}@example.org", message=f"Text {number}", confirmed_at=yesterday
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert letters_bundle() == 5
    base = f"letter-bundle:{letter_action.letter_target_id}:{yesterday.date().isoformat()}"
    keys = sorted(OutboxEmail.objects.filter(category=Category.LETTER).values_list("key", flat=True))
    assert keys == [base, f"{base}:2", f"{base}:3"]
    assert all(f"Text {n}" in "".join(m.body for m in letter_to_target()) for n in range(5))


def test_a_bundled_letter_s_copy_says_when_it_goes(letter_action, django_capture_on_commit_callbacks):
    Target.objects.filter(pk=letter_action.letter_target_id).update(delivery=Target.Delivery.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        signature = _verified_letter(letter_action, "bundled@example.org", message="Bundled words")
    assert letter_to_target() == []
    [copy] = outbox_to("bundled@example.org")
    assert "tomorrow morning" in copy.body and "Bundled words" in copy.body
    assert Letter.objects.get(signature=signature).queued_at is None


def test_a_letter_action_needs_its_target_subject_and_template(letter_action):
    from django.core.exceptions import ValidationError

    letter_action.letter_target = None
    letter_action.letter_subject = " "
    letter_action.letter_template = ""
    with pytest.raises(ValidationError) as error:
        letter_action.full_clean()
    assert {"letter_target", "letter_subject", "letter_template"} <= set(error.value.message_dict)


def test_the_supporter_s_data_export_and_erasure_cover_the_letter(letter_action, django_capture_on_commit_callbacks):
    from campaigns import personal_data

    user = verified_supporter("erase@example.org")
    Target.objects.filter(pk=letter_action.letter_target_id).update(
        letters_per_hour=1, next_letter_at=timezone.now() + timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        signature = signature_create(
            action=letter_action,
            first_name="Eve",
            last_name="Rase",
            email=user.email,
            country="CA",
            user=user,
            message="My own words",
        ).signature
    assert personal_data.export(user)["signatures"][0]["letter"] == "My own words"
    personal_data.erase(user)
    assert not Letter.objects.filter(signature=signature).exists()
    row = OutboxEmail.objects.get(key=f"letter:{signature.pk}")
    assert row.status == OutboxEmail.Status.WITHHELD and row.context == {}
