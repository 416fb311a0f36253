"""Signing, confirming, withdrawing: a signature counts only while confirmed, one per mailbox."""

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import override
from kombu.exceptions import OperationalError

from accounts.geography import canadian_region
from accounts.models import ConsentRecord
from accounts.services import consent_record, consent_row
from core.rows import forget_reserved_ids, insert_sql, reserve_id, row_values
from emails.models import Category
from emails.services import email_enqueue, email_row, email_written

from ..abuse import ip_hash, signing_address, signing_verdict
from ..models import Action, CountDelta, Representative, Signature
from ..selectors import action_copy_current
from ..tokens import CONFIRM, confirm_url, signature_token_read, withdraw_url
from .counts import count_change, fold_soon
from .letters import letter_send, letter_withhold
from .representatives import letter_attach

logger = logging.getLogger(__name__)


class ActionNotOpen(Exception):
    """The action is a draft or closed: it takes no signatures."""


class ActionChanged(Exception):
    """The copy of the action a signature came with is no longer what the database has (see
    selectors.action_for_signing): nothing was written; sign again with the action read afresh."""


@dataclass(frozen=True)
class SignatureResult:
    signature: Signature
    # True when this submission counts at once (a signed-in supporter's verified address); the
    # page for everyone else is the same whatever happened, so that it reveals nothing.
    counted: bool


class ConfirmOutcome:
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    INVALID = "invalid"


@dataclass(frozen=True)
class ConfirmResult:
    outcome: str
    signature: Signature | None = None


def _has_verified_address(user, email: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _claim_email_slot(signature: Signature) -> int | None:
    """Takes one of the signature's email slots; returns its number, or None when all are used.

    Conditional and atomic in the database, so no number of concurrent posts gets past the cap."""
    claimed = Signature.objects.filter(pk=signature.pk, emails_sent__lt=settings.SIGNATURE_MAX_EMAILS).update(
        emails_sent=F("emails_sent") + 1
    )
    if not claimed:
        return None
    # The caller holds the row lock, so nobody else moved the counter in between.
    signature.emails_sent += 1
    return signature.emails_sent


def _email_context(signature: Signature) -> dict:
    """Its texts and links in the signer's language, whatever the request's (the links at that
    language's address, core.languages)."""
    action = signature.action
    # A letter's text is not in this email: anyone can type any address, and the confirmation
    # must never carry their words to a stranger's inbox. The confirm page shows it instead.
    with override(signature.language):
        return {
            "first_name": signature.first_name,
            "action_title": action.title,
            "action_kind": action.kind,
            "action_url": f"{settings.SITE_URL}{action.get_absolute_url()}",
            "withdraw_url": withdraw_url(signature.pk),
        }


def _confirmation_email(signature: Signature, *, number: int) -> dict:
    with override(signature.language):
        link = confirm_url(signature.pk)
    return {
        "key": f"confirm:{signature.pk}" if number == 1 else f"confirm:{signature.pk}:{number}",
        "to": signature.email,
        "category": Category.TRANSACTIONAL,
        "template": "campaigns/email/signature_confirm",
        "context": {
            **_email_context(signature),
            "confirm_url": link,
            "expires_days": settings.SIGNATURE_CONFIRMATION_DAYS,
        },
        "user": signature.user,
        "language": signature.language,
    }


def _send_confirmation(signature: Signature, *, number: int, just_inserted: bool = False) -> None:
    email_enqueue(
        **_confirmation_email(signature, number=number),
        # A viral action writes these by the hundred a second: they share drain tasks.
        dispatch_soon=True,
        # No email can have the key of a signature this transaction just inserted.
        fresh_key=just_inserted,
    )


def _resend_confirmation(signature: Signature) -> None:
    number = _claim_email_slot(signature)
    if number is not None:
        _send_confirmation(signature, number=number)


def _send_already_signed(signature: Signature) -> None:
    number = _claim_email_slot(signature)
    if number is None:
        return
    email_enqueue(
        key=f"already-signed:{signature.pk}:{number}",
        to=signature.email,
        category=Category.TRANSACTIONAL,
        template="campaigns/email/signature_already",
        context=_email_context(signature),
        user=signature.user,
        language=signature.language,
        dispatch_soon=True,
    )


def _consent(signature: Signature, *, source_url: str) -> dict:
    return {
        "topic": ConsentRecord.Topic.ACTION_OPT_IN,
        "granted": True,
        "source": source_url,
        "user": signature.user,
        "email": signature.email,
    }


def _record_consent(signature: Signature, *, source_url: str) -> None:
    if signature.opt_in:
        consent_record(**_consent(signature, source_url=source_url))


def _confirm_now(signature: Signature, now) -> None:
    signature.status = Signature.Status.CONFIRMED
    signature.confirmed_at = now
    signature.expires_at = None
    signature.status_reason = ""


def _make_pending(signature: Signature, now) -> None:
    signature.status = Signature.Status.PENDING
    signature.expires_at = now + timedelta(days=settings.SIGNATURE_CONFIRMATION_DAYS)
    signature.confirmed_at = None
    signature.withdrawn_at = None
    signature.status_reason = ""


def signature_create(
    *,
    action: Action,
    first_name: str,
    last_name: str,
    email: str,
    country: str = "",
    postal_code: str = "",
    opt_in: bool = False,
    user=None,
    ip_address: str = "",
    honeypot: str = "",
    language: str = "",
    source_url: str = "",
    message: str = "",
    representative=None,
    action_copy: bool = False,
) -> SignatureResult:
    """Takes a signature: one row per action and mailbox; it counts once confirmed by email (at
    once for a signed-in supporter's verified address); suspected fraud is kept, never counted or
    emailed; the supporter's page never tells which of these happened. A letter action's
    signature carries the supporter's `message`, sent to the target once the signature counts
    (to `representative`, the supporter's MP, when the action writes to each supporter's MP).

    `action_copy`: the action is a copy kept in a cache, checked against the database before
    anything is written (within the insert itself where it can be); ActionChanged when it differs."""
    if not action.is_open():
        raise ActionNotOpen(action.slug)
    email = email.strip()
    normalised = signing_address(email)
    user = user if user is not None and user.is_authenticated else None
    verified = _has_verified_address(user, email)
    in_sql = _insertable_in_sql(action, verified=verified)
    if action_copy and not in_sql:
        _check_copy(action)
    # A signed-in supporter's verified address vouches for them: the per-IP limits (meant for
    # anonymous floods) do not apply, the honeypot and block-lists still do.
    reason = signing_verdict(ip_address=ip_address, email=normalised, honeypot=honeypot, check_limits=not verified)
    now = timezone.now()
    details = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email,
        "country": country,
        "postal_code": postal_code,
        "region": canadian_region(postal_code) if country == "CA" and postal_code else "",
        "opt_in": opt_in,
        "language": language or settings.LANGUAGE_CODE,
        "ip_hash": ip_hash(ip_address),
        "user": user,
    }
    signature = _new_signature(
        action, normalised=normalised, details=details, reason=reason, verified=verified, now=now
    )
    written = _insert_new(signature, source_url=source_url, check_copy=action_copy) if in_sql else None
    if written is None:
        if action_copy and in_sql:
            _check_copy(action)
        written = _save_new(signature, source_url=source_url, message=message, representative=representative)
    if written:
        return SignatureResult(signature=signature, counted=verified and not reason)
    return _signature_repeated(
        signature,
        details=details,
        reason=reason,
        verified=verified,
        now=now,
        source_url=source_url,
        message=message,
        representative=representative,
    )


def _new_signature(action: Action, *, normalised: str, details: dict, reason: str, verified: bool, now) -> Signature:
    """The signature to insert, in the status its verdict gives: suspected fraud, confirmed at once
    (a signed-in supporter's verified address) or pending its confirmation email."""
    signature = Signature(action=action, email_normalised=normalised, created_at=now, **details)
    if reason:
        signature.status = Signature.Status.FRAUD
        signature.status_reason = reason
    elif verified:
        _confirm_now(signature, now)
    else:
        _make_pending(signature, now)
        signature.emails_sent = 1  # the confirmation sent with the insert
    return signature


def _signature_repeated(
    signature: Signature,
    *,
    details: dict,
    reason: str,
    verified: bool,
    now,
    source_url: str,
    message: str,
    representative,
) -> SignatureResult:
    """The mailbox has signed the action before. An anonymous supporter's answer must not tell
    anyone so: the request has cost what a first signature costs (one statement, as many cache
    operations), and a worker does the rest once it has committed (docs/security.md). A signed-in
    supporter's verified address is theirs to know about, so theirs is done at once."""
    action, normalised = signature.action, signature.email_normalised
    if not verified:
        if not reason:
            _sign_again_later(
                action=action,
                normalised=normalised,
                details=details,
                now=now,
                source_url=source_url,
                message=message,
                representative=representative,
            )
        return SignatureResult(signature=signature, counted=False)
    with transaction.atomic():
        existing = _locked_signature(action_id=action.pk, normalised=normalised)
        if existing is None:
            # Gone again since (withdrawn and erased, say): this one is new after all.
            raise IntegrityError(f"signature of {action.slug} neither new nor found")
        _signed_again(
            existing,
            details=details,
            reason=reason,
            verified=verified,
            now=now,
            source_url=source_url,
            message=message,
            representative=representative,
        )
    return SignatureResult(signature=existing, counted=not reason)


def _locked_signature(*, action_id: int, normalised: str) -> Signature | None:
    return (
        Signature.objects.select_for_update(of=("self",))
        .select_related("action")
        .filter(action_id=action_id, email_normalised=normalised)
        .first()
    )


def _sign_again_later(
    *, action: Action, normalised: str, details: dict, now, source_url: str, message: str, representative=None
) -> None:
    """Hands an anonymous supporter's repeated signature to a worker, after the commit (a letter to
    each supporter's own MP names the MP it found by its id)."""
    kwargs = {
        "action_id": action.pk,
        "email_normalised": normalised,
        "details": {field: value for field, value in details.items() if field != "user"},
        "signed_at": now.isoformat(),
        "source_url": source_url,
        "message": message,
        "representative_id": representative.pk if representative is not None else None,
    }

    def publish() -> None:
        try:
            sign_again.apply_async(kwargs=kwargs, retry=False)
        except OperationalError:
            # The broker is down: the supporter is not told again; signing again will.
            logger.warning("Could not hand a repeated signature of %s to a worker", action.slug, exc_info=True)

    transaction.on_commit(publish)


def signature_sign_again(
    *,
    action_id: int,
    email_normalised: str,
    details: dict,
    signed_at: str,
    source_url: str = "",
    message: str = "",
    representative_id: int | None = None,
) -> None:
    """What an anonymous supporter's repeated signature does (signature_create, on a worker): a
    pending one gets its confirmation again, a confirmed one an "already signed" email (both
    within SIGNATURE_MAX_EMAILS), and a withdrawn, expired or held one starts over."""
    with transaction.atomic():
        existing = _locked_signature(action_id=action_id, normalised=email_normalised)
        if existing is None:
            return  # erased since: nothing to tell anyone
        _signed_again(
            existing,
            details={**details, "user": None},
            reason="",
            verified=False,
            now=datetime.fromisoformat(signed_at),
            source_url=source_url,
            message=message,
            representative=Representative.objects.filter(pk=representative_id).first() if representative_id else None,
        )


# Beside _sign_again_later, which queues it (campaigns.tasks names it for discovery, under this name).
@shared_task(name="campaigns.tasks.sign_again", ignore_result=True)
def sign_again(
    action_id: int,
    email_normalised: str,
    details: dict,
    signed_at: str,
    source_url: str = "",
    message: str = "",
    representative_id: int | None = None,
) -> None:
    signature_sign_again(
        action_id=action_id,
        email_normalised=email_normalised,
        details=details,
        signed_at=signed_at,
        source_url=source_url,
        message=message,
        representative_id=representative_id,
    )


def _save_new(signature: Signature, *, source_url: str, message: str, representative=None) -> bool:
    """Inserts the new signature with what goes with it (its count, its letter, its confirmation,
    the consent), all or nothing; False when the mailbox already signed the action."""
    inserted = False
    try:
        # The insert comes first, so when the mailbox has signed before, nothing else was written
        # and the whole transaction goes back (no savepoint round trips on every signature).
        with transaction.atomic():
            signature.save(force_insert=True)
            inserted = True
            letter_attach(signature=signature, message=message, representative=representative)
            if signature.status == Signature.Status.CONFIRMED:
                count_change(signature=signature, delta=+1)
                letter_send(signature=signature)
            elif signature.status == Signature.Status.PENDING:
                _send_confirmation(signature, number=1, just_inserted=True)
            if signature.status != Signature.Status.FRAUD:
                _record_consent(signature, source_url=source_url)
    except IntegrityError:
        if inserted:
            raise
        return False
    return True


def _check_copy(action: Action) -> None:
    if not action_copy_current(action):
        raise ActionChanged(action.slug)


def _insertable_in_sql(action: Action, *, verified: bool) -> bool:
    """Whether _insert_new writes the signature: one waiting for confirmation, or suspected fraud,
    on a petition or a pledge (a letter has its text to keep, a confirmed signature its count)."""
    return connection.vendor == "postgresql" and not verified and action.kind != Action.Kind.LETTER


def _insert_new(signature: Signature, *, source_url: str, check_copy: bool) -> bool | None:
    """_save_new for the signatures of _insertable_in_sql (nearly all of them under a viral load),
    as one statement: the signature, its confirmation email and the consent, in one round trip
    and one implicit transaction, where the ORM took five round trips and most of the request's
    CPU. The same rows, all or nothing; False when the mailbox already signed (nothing written),
    None when something else went wrong (nothing written either: _save_new will say what).
    With `check_copy`, written only while the action is as its copy has it (ActionChanged)."""
    signature.pk = reserve_id(Signature)
    source = ""
    ctes, params = [], []
    if check_copy:
        current_sql, params = signature.action.unchanged_sql()
        ctes.append(f"current AS ({current_sql})")
        source = " FROM current"
    ctes.append(
        f"signature AS ({insert_sql(Signature)}{source}"
        " ON CONFLICT (action_id, email_normalised) DO NOTHING RETURNING id)"
    )
    params += row_values(signature)
    rows = []
    if signature.status == Signature.Status.PENDING:
        email = email_row(**_confirmation_email(signature, number=1))
        rows.append(email)
        if signature.opt_in:
            rows.append(consent_row(**_consent(signature, source_url=source_url)))
    for number, row in enumerate(rows, start=1):
        row.pk = reserve_id(type(row))
        ctes.append(f"also_{number} AS ({insert_sql(type(row))} FROM signature)")
        params += row_values(row)
    current = "EXISTS (SELECT 1 FROM current)" if check_copy else "true"
    # Names come from the models; every value is a bound parameter.
    sql = f"WITH {', '.join(ctes)} SELECT (SELECT id FROM signature), {current}"  # noqa: S608
    try:
        # One statement is all or nothing by itself; inside a caller's transaction, a savepoint
        # keeps a failure from breaking it.
        guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with guard, connection.cursor() as cursor:
            cursor.execute(sql, params)
            signature_id, action_current = cursor.fetchone()
    except IntegrityError:
        # Nothing else should collide; an id reserved before the sequence was reset might.
        forget_reserved_ids()
        signature.pk = None
        return None
    if signature_id is None:
        signature.pk = None
        if not action_current:
            raise ActionChanged(signature.action.slug)
        return False
    signature._state.adding = False
    if signature.status == Signature.Status.PENDING:
        email._state.adding = False
        email_written(email, dispatch_soon=True)
    return True


def _signed_again(
    signature: Signature,
    *,
    details: dict,
    reason: str,
    verified: bool,
    now,
    source_url: str,
    message: str,
    representative=None,
) -> None:
    """The mailbox already has a row for this action (the caller holds its lock). A pending
    letter keeps the text its confirmation email showed; a fresh start takes the new text."""
    status = signature.status
    if reason or status == Signature.Status.INVALID:
        return
    if status == Signature.Status.CONFIRMED:
        if not verified:
            _send_already_signed(signature)
        return
    if status == Signature.Status.PENDING:
        if verified:
            _confirm_now(signature, now)
            signature.user = signature.user or details["user"]
            signature.save(update_fields=["status", "confirmed_at", "expires_at", "status_reason", "user"])
            count_change(signature=signature, delta=+1)
            letter_send(signature=signature)
        else:
            _resend_confirmation(signature)
        return
    # Withdrawn, expired, or held as suspected fraud (perhaps a bot used this address first):
    # this is a fresh, genuine-looking request, so it starts over with the new details.
    for field, value in details.items():
        setattr(signature, field, value)
    if verified:
        _confirm_now(signature, now)
    else:
        _make_pending(signature, now)
    signature.save()
    letter_attach(signature=signature, message=message, representative=representative)
    if verified:
        count_change(signature=signature, delta=+1)
        letter_send(signature=signature)
    else:
        _resend_confirmation(signature)
    _record_consent(signature, source_url=source_url)


def signature_confirm(*, token: str) -> ConfirmResult:
    """Confirms the signature a confirmation link names, once; it then counts.

    Confirmations up to SIGNATURE_CONFIRM_GRACE_HOURS after the action closed still count."""
    signature_id = signature_token_read(token, purpose=CONFIRM)
    if signature_id is None:
        return ConfirmResult(ConfirmOutcome.INVALID)
    now = timezone.now()
    confirmed = _confirm_pending(signature_id, now)
    if confirmed is not None:
        return ConfirmResult(ConfirmOutcome.CONFIRMED, confirmed)
    with transaction.atomic():
        try:
            signature = Signature.objects.select_for_update(of=("self",)).select_related("action").get(pk=signature_id)
        except Signature.DoesNotExist:
            return ConfirmResult(ConfirmOutcome.INVALID)
        outcome = {
            Signature.Status.CONFIRMED: ConfirmOutcome.ALREADY_CONFIRMED,
            Signature.Status.WITHDRAWN: ConfirmOutcome.WITHDRAWN,
            Signature.Status.EXPIRED: ConfirmOutcome.EXPIRED,
            Signature.Status.INVALID: ConfirmOutcome.INVALID,
            Signature.Status.FRAUD: ConfirmOutcome.INVALID,
        }.get(signature.status)
        if outcome:
            return ConfirmResult(outcome, signature)
        if signature.expires_at <= now:
            # The expiry task has not reached it yet; it is expired all the same.
            signature.status = Signature.Status.EXPIRED
            signature.save(update_fields=["status"])
            return ConfirmResult(ConfirmOutcome.EXPIRED, signature)
        action = signature.action
        closed_at = action.effective_closed_at(now)
        grace = timedelta(hours=settings.SIGNATURE_CONFIRM_GRACE_HOURS)
        if action.status == Action.Status.DRAFT or (closed_at is not None and now > closed_at + grace):
            return ConfirmResult(ConfirmOutcome.CLOSED, signature)
        _confirm_now(signature, now)
        signature.save(update_fields=["status", "confirmed_at", "expires_at", "status_reason"])
        count_change(signature=signature, delta=+1)
        letter_send(signature=signature)
    return ConfirmResult(ConfirmOutcome.CONFIRMED, signature)


def _confirm_pending(signature_id: int, now) -> Signature | None:
    """The usual confirmation (a pending, unexpired signature on a petition or pledge that takes
    it) as one conditional UPDATE and the count's +1, in plain SQL: about a third of the CPU of the
    general path below (its ORM queries, the row lock taken separately).
    Returns the confirmed signature (its pk, action_id and status), or None when anything else
    applies (letters, already confirmed, expired, closed, draft...), left to the general path.

    Two confirmations of one signature: the second UPDATE waits for the first's row lock, then no
    longer finds it pending, so it counts once. Every value is a bound parameter; table and column
    names come from the models."""
    signatures, actions = Signature._meta.db_table, Action._meta.db_table
    cutoff = now - timedelta(hours=settings.SIGNATURE_CONFIRM_GRACE_HOURS)
    adapt = connection.ops.adapt_datetimefield_value
    update = (
        f"UPDATE {signatures} SET status = %s, confirmed_at = %s, expires_at = NULL, status_reason = ''"  # noqa: S608
        f" FROM {actions} a WHERE {signatures}.id = %s AND a.id = {signatures}.action_id"
        f" AND {signatures}.status = %s AND {signatures}.expires_at > %s AND a.kind <> %s AND a.status <> %s"
        " AND ((a.closed_at IS NOT NULL AND a.closed_at >= %s)"
        "  OR (a.closed_at IS NULL AND (a.closes_at IS NULL OR a.closes_at >= %s)))"
        f" RETURNING {signatures}.action_id, {signatures}.country, {signatures}.region"
    )
    params = [
        Signature.Status.CONFIRMED,
        adapt(now),
        signature_id,
        Signature.Status.PENDING,
        adapt(now),
        Action.Kind.LETTER,
        Action.Status.DRAFT,
        adapt(cutoff),
        adapt(cutoff),
    ]
    insert = (
        f"INSERT INTO {CountDelta._meta.db_table} (action_id, country, region, delta, created_at)"  # noqa: S608
        " VALUES (%s, %s, %s, 1, %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(update, params)
        row = cursor.fetchone()
        if row is not None:
            cursor.execute(insert, [*row, adapt(now)])
    if row is None:
        return None
    action_id = row[0]
    transaction.on_commit(lambda: fold_soon(action_id=action_id))
    return Signature(
        pk=signature_id,
        action_id=action_id,
        country=row[1],
        region=row[2],
        status=Signature.Status.CONFIRMED,
        confirmed_at=now,
    )


def signature_withdraw(*, signature: Signature) -> bool:
    """Withdraws a confirmed or pending signature; a confirmed one leaves the count. Returns
    whether anything changed (withdrawing twice is harmless)."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().get(pk=signature.pk)
        if signature.status not in (Signature.Status.CONFIRMED, Signature.Status.PENDING):
            return False
        was_counted = signature.status == Signature.Status.CONFIRMED
        signature.status = Signature.Status.WITHDRAWN
        signature.withdrawn_at = timezone.now()
        signature.save(update_fields=["status", "withdrawn_at"])
        if was_counted:
            count_change(signature=signature, delta=-1)
            letter_withhold(signature=signature)
    return True


def signature_invalidate(*, signature: Signature, reason: str) -> bool:
    """Staff set a signature aside (e.g. proven fake); a confirmed one leaves the count."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update().get(pk=signature.pk)
        if signature.status == Signature.Status.INVALID:
            return False
        was_counted = signature.status == Signature.Status.CONFIRMED
        signature.status = Signature.Status.INVALID
        signature.status_reason = reason[:200]
        signature.save(update_fields=["status", "status_reason"])
        if was_counted:
            count_change(signature=signature, delta=-1)
            letter_withhold(signature=signature)
    return True


def signature_release(*, signature: Signature) -> bool:
    """Staff judged a suspected-fraud signature genuine: it gets a confirmation email like any other
    (within the email cap) and counts once confirmed."""
    with transaction.atomic():
        signature = Signature.objects.select_for_update(of=("self",)).select_related("action").get(pk=signature.pk)
        if signature.status != Signature.Status.FRAUD:
            return False
        _make_pending(signature, timezone.now())
        signature.save(update_fields=["status", "expires_at", "confirmed_at", "withdrawn_at", "status_reason"])
        _resend_confirmation(signature)
    return True


def signatures_expire(*, now=None, batch_size: int = 1000, max_batches: int = 100) -> int:
    """Marks unconfirmed signatures past their confirmation time as expired, in bounded batches."""
    now = now or timezone.now()
    expired = 0
    for _batch in range(max_batches):
        ids = list(
            Signature.objects.filter(status=Signature.Status.PENDING, expires_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        # Re-checked in the UPDATE: a confirmation may have landed since the ids were read.
        expired += Signature.objects.filter(pk__in=ids, status=Signature.Status.PENDING, expires_at__lte=now).update(
            status=Signature.Status.EXPIRED
        )
    return expired
