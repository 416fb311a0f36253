"""Letters to decision-makers. A letter action's signature carries a Letter; once the signature
counts, the letter goes to the target through the outbox: alone, spaced out to the target's hourly
rate (later letters wait in the outbox, none is dropped), or in one email a day with every letter
confirmed that day. The supporter gets a copy. Letters go out as plain text only.

Reply-To is the supporter's address: the letter is theirs, and an office answering it should reach
them, not us. The address has been confirmed (or belongs to a verified account) before anything
is sent, so nobody can aim a minister's replies at a stranger. From stays the organisation's
address, since mail sent "from" a supporter's own domain would fail its DMARC checks.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, override
from django_countries import countries

from accounts.geography import region_name
from emails.models import Category, OutboxEmail
from emails.services import email_enqueue, outbox_dispatch

from ..models import Action, Letter, Representative, Signature, Target, TargetAddressChange
from .directory import directory_changed


def letter_key(signature_id: int) -> str:
    return f"letter:{signature_id}"


def letter_copy_key(signature_id: int) -> str:
    return f"letter-copy:{signature_id}"


def _address_pending(target_id: int) -> bool:
    """A change of the target's address awaits confirmation: its letters wait (services.targets)."""
    return TargetAddressChange.objects.filter(target_id=target_id, confirmed_at__isnull=True).exists()


# The decision-maker behind an MP: its letters take the rate limit and daily bundle of a Target


def _target_fields(representative: Representative) -> dict:
    language = "fr" if representative.province == "QC" else "en"
    with override(language):
        title = gettext("Member of Parliament for %(riding)s") % {"riding": representative.district_name}
    return {"name": representative.name[:200], "title": title[:200], "email": representative.email}


def target_refresh(representative: Representative, *, email: bool = True) -> None:
    """The MP's Target follows the directory's name and riding, and its email when the import
    (Represent, not a person) changed it; a person's change of address goes through
    services.targets, where a second person confirms it."""
    if representative.target_id and representative.email:
        fields = _target_fields(representative)
        if not email:
            del fields["email"]
        Target.objects.filter(pk=representative.target_id).update(**fields)


def representative_target(*, representative: Representative) -> Target | None:
    """The Target an MP's letters go through (made with the first letter); None without an email."""
    if not representative.email:
        return None
    if representative.target_id:
        return representative.target
    with transaction.atomic():
        locked = Representative.objects.select_for_update().get(pk=representative.pk)
        if locked.target_id is None:
            language = "fr" if representative.province == "QC" else "en"
            locked.target = Target.objects.create(language=language, **_target_fields(representative))
            locked.save(update_fields=["target"])
            directory_changed()  # the copies of postal-code answers carry each MP's target
    representative.target = locked.target
    return locked.target


def _sender_place(signature: Signature) -> str:
    parts = [signature.postal_code]
    if signature.country == "CA" and signature.region:
        parts.append(str(region_name("CA", signature.region)))
    if signature.country:
        parts.append(str(countries.name(signature.country) or signature.country))
    return ", ".join(part for part in parts if part)


def _sender(signature: Signature, letter: Letter) -> dict:
    return {
        "sender_name": f"{signature.first_name} {signature.last_name}".strip(),
        "sender_place": _sender_place(signature),
        "sender_email": signature.email,
        # A letter to an MP says which riding the writer lives in: their office answers constituents.
        "sender_riding": letter.riding,
    }


def _letter_context(signature: Signature, letter: Letter, target: Target) -> dict:
    """The letter as the target receives it, in the target's language (its subject included)."""
    action = signature.action
    with override(target.language):
        return {
            "subject": action.letter_subject,
            "message": letter.message,
            "target_name": target.name,
            "target_title": target.title,
            "action_title": action.title,
            "action_url": f"{settings.SITE_URL}{action.get_absolute_url()}",
            **_sender(signature, letter),
        }


def _reserve_slot(target: Target, now: datetime) -> datetime | None:
    """When this letter may leave, and moves the target's next slot on (the caller holds its lock)."""
    interval = timedelta(seconds=3600 / target.letters_per_hour)
    slot = max(now, target.next_letter_at or now)
    Target.objects.filter(pk=target.pk).update(next_letter_at=slot + interval)
    return slot if slot > now else None


def _queue_single(signature: Signature, letter: Letter, target: Target, now: datetime) -> None:
    slot = _reserve_slot(target, now)
    context = _letter_context(signature, letter, target)
    withheld = OutboxEmail.objects.filter(key=letter_key(signature.pk), status=OutboxEmail.Status.WITHHELD)
    # A letter held back when its signature was withdrawn goes out again if the supporter signs again.
    if withheld.update(
        status=OutboxEmail.Status.QUEUED,
        to_email=target.email,
        context=context,
        reply_to=signature.email,
        next_attempt_at=slot or now,
        last_error="",
    ):
        row_id = OutboxEmail.objects.only("pk").get(key=letter_key(signature.pk)).pk
        transaction.on_commit(lambda: outbox_dispatch(ids=[row_id]))
        return
    email_enqueue(
        key=letter_key(signature.pk),
        to=target.email,
        category=Category.LETTER,
        template="campaigns/email/letter",
        context=context,
        language=target.language,
        reply_to=signature.email,
        # `now`, not the time of this insert: the next letter's slot was counted from it.
        send_after=slot or now,
    )


def letter_send(*, signature: Signature) -> bool:
    """In the transaction that makes a letter's signature count: the supporter's copy, and the
    letter itself now (or when the target's hourly rate allows), or in the day's bundle. Once."""
    if signature.action.kind != Action.Kind.LETTER:
        return False  # petitions and pledges carry no letter: no query on their confirmations
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("target")
        .filter(signature_id=signature.pk)
        .first()
    )
    if letter is None or letter.queued_at is not None or letter.target is None:
        return False  # a letter to an MP not yet known (or without email) goes once addressed
    target = letter.target
    bundled = target.delivery == Target.Delivery.DAILY
    if not bundled:
        # Locked: single letters to one target take their slots one after the other.
        target = Target.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    with override(signature.language):
        action_title = signature.action.title  # the supporter's copy names the action in their language
    email_enqueue(
        key=letter_copy_key(signature.pk),
        to=signature.email,
        category=Category.TRANSACTIONAL,
        template="campaigns/email/letter_copy",
        context={
            **_letter_context(signature, letter, target),
            "action_title": action_title,
            "first_name": signature.first_name,
            "bundled": bundled,
        },
        user=signature.user,
        language=signature.language,
    )
    if bundled:
        return True  # letters_bundle takes it after the day ends
    if _address_pending(target.pk):
        return True  # it waits for the new address to be confirmed (letters_queue_waiting)
    _queue_single(signature, letter, target, now)
    Letter.objects.filter(pk=letter.pk).update(queued_at=now)
    return True


def letters_queue_waiting(*, target: Target) -> int:
    """Hands the target's waiting single letters to the outbox, spaced out as usual, once its
    address is confirmed; a daily target's waiting letters go in the next bundles. Returns how
    many letters wait no longer."""
    waiting = Letter.objects.filter(
        target=target, queued_at__isnull=True, signature__status=Signature.Status.CONFIRMED
    ).select_related("signature", "signature__action")
    if target.delivery == Target.Delivery.DAILY:
        return waiting.count()
    target = Target.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    letters = list(waiting.order_by("signature__confirmed_at", "pk"))
    for letter in letters:
        _queue_single(letter.signature, letter, target, now)
        target.refresh_from_db(fields=["next_letter_at"])
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(queued_at=now)
    return len(letters)


def letter_withhold(*, signature: Signature) -> bool:
    """The signature stopped counting (withdrawn, invalidated): a letter still waiting in the
    outbox stays there. One already sent cannot be called back."""
    held = OutboxEmail.objects.filter(key=letter_key(signature.pk), status=OutboxEmail.Status.QUEUED).update(
        status=OutboxEmail.Status.WITHHELD, last_error="the signature no longer counts"
    )
    if held:
        Letter.objects.filter(signature_id=signature.pk).update(queued_at=None)
    return bool(held)


# The daily bundle ------------------------------------------------------------------------------


def _bundle_keys(target_id: int, day) -> tuple[str, set[str]]:
    base = f"letter-bundle:{target_id}:{day.isoformat()}"
    return base, set(OutboxEmail.objects.filter(key__startswith=base).values_list("key", flat=True))


def _next_bundle_key(target_id: int, day) -> str:
    """The day's first bundle is letter-bundle:<target>:<date>; more emails that day get :2, :3…"""
    base, used = _bundle_keys(target_id, day)
    if base not in used:
        return base
    number = 2
    while f"{base}:{number}" in used:
        number += 1
    return f"{base}:{number}"


def _waiting(before: datetime):
    """Letters for the bundles; a target whose new address awaits confirmation is passed by."""
    address_pending = TargetAddressChange.objects.filter(target=OuterRef("target_id"), confirmed_at__isnull=True)
    return Letter.objects.filter(
        queued_at__isnull=True,
        target__isnull=False,
        signature__status=Signature.Status.CONFIRMED,
        signature__confirmed_at__lt=before,
    ).exclude(Exists(address_pending))


@transaction.atomic
def _bundle_one(target_id: int, before: datetime, now: datetime) -> int:
    """One bundle email for the target's oldest waiting day (at most LETTER_BUNDLE_MAX_LETTERS
    letters). Returns the letters it holds, 0 when none wait."""
    # Two bundlers never take the same letters: the target's lock orders them.
    target = Target.objects.select_for_update().filter(pk=target_id).first()
    if target is None:
        return 0
    letters = list(
        _waiting(before)
        .filter(target=target)
        .select_related("signature", "signature__action")
        .order_by("signature__confirmed_at", "pk")[: settings.LETTER_BUNDLE_MAX_LETTERS]
    )
    if not letters:
        return 0
    day = timezone.localdate(letters[0].signature.confirmed_at)
    letters = [letter for letter in letters if timezone.localdate(letter.signature.confirmed_at) == day]
    entries = []
    with override(target.language):
        for letter in letters:
            signature = letter.signature
            entries.append(
                {
                    "subject": signature.action.letter_subject,
                    "action_title": signature.action.title,
                    "message": letter.message,
                    "confirmed_at": timezone.localtime(signature.confirmed_at).strftime("%H:%M"),
                    **_sender(signature, letter),
                }
            )
    key = _next_bundle_key(target.pk, day)
    email_enqueue(
        key=key,
        to=target.email,
        category=Category.LETTER,
        template="campaigns/email/letter_bundle",
        context={
            "target_name": target.name,
            "target_title": target.title,
            "date": day.isoformat(),
            "letters": entries,
            "count": len(entries),
        },
        language=target.language,
    )
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(queued_at=now, bundle_key=key)
    return len(letters)


def letters_bundle(*, now=None, max_emails: int = 500) -> int:
    """Writes the daily bundles: for each target, the letters confirmed on a day that has ended
    (local time) and still waiting, one email per target and day (more if the day had more than
    LETTER_BUNDLE_MAX_LETTERS). Rerun-safe. Returns the letters bundled."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    before = local.replace(hour=0, minute=0, second=0, microsecond=0)
    bundled = 0
    emails = 0
    while emails < max_emails:
        target_ids = list(_waiting(before).order_by("target_id").values_list("target_id", flat=True).distinct()[:100])
        if not target_ids:
            break
        progress = 0
        for target_id in target_ids:
            done = _bundle_one(target_id, before, now)
            bundled += done
            progress += done
            emails += 1 if done else 0
        if not progress:
            break
    return bundled
